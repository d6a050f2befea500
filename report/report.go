// Package report renders evaluation results, one writer per output format.
package report

import (
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/openai-casb/openai-casb/evaluator"
)

// Report is everything a writer renders.
type Report struct {
	Tool      Tool
	Inventory evaluator.Header
	// EvaluatedAt is the clock the policies measured ages from: the
	// inventory's collected_at, or --now.
	EvaluatedAt int64
	Findings    []evaluator.Finding
	// Catalog lists every finding type of the policies that ran, found or not.
	Catalog []evaluator.FindingType
}

// Tool names this program in reports.
type Tool struct {
	Name    string
	Version string
}

// Writer renders a report in one format.
type Writer interface {
	Write(w io.Writer, r *Report) error
}

// Formats lists the output formats, in the order help texts show them.
var Formats = []string{"table", "json"}

// New returns the writer of a format.
func New(format string) (Writer, error) {
	switch format {
	case "table":
		return Table{}, nil
	case "json":
		return JSON{}, nil
	}
	return nil, fmt.Errorf("unknown format %q: want one of %s", format, strings.Join(Formats, ", "))
}

// Counts is the number of findings per severity, every severity present.
func Counts(findings []evaluator.Finding) map[evaluator.Severity]int {
	c := map[evaluator.Severity]int{}
	for _, s := range evaluator.Severities {
		c[s] = 0
	}
	for _, f := range findings {
		c[f.Severity]++
	}
	return c
}

// IncompleteSource is a list the collector did not read to its end, or left
// out on purpose: the findings say nothing about what it would have held.
type IncompleteSource struct {
	Source string `json:"source"`
	Status string `json:"status"`
	Reason string `json:"reason,omitempty"`
}

// IncompleteSources lists the sources that are not complete, by name.
func IncompleteSources(h evaluator.Header) []IncompleteSource {
	out := []IncompleteSource{}
	for name, s := range h.Sources {
		if s.Status == "complete" {
			continue
		}
		is := IncompleteSource{Source: name, Status: s.Status}
		if s.Reason != nil {
			is.Reason = *s.Reason
		}
		out = append(out, is)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Source < out[j].Source })
	return out
}
