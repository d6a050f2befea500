// Package report renders evaluation results, one writer per output format.
package report

import (
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/openai-casb/openai-casb/evaluator"
)

const toolName = "openai-casb"

// Report is everything a writer renders.
type Report struct {
	Tool      Tool
	Inventory evaluator.Header
	// EvaluatedAt is the clock the policies measured ages from: the
	// inventory's collected_at, or --now.
	EvaluatedAt int64
	// Entries are the findings reported, sorted; with a baseline, the
	// baseline's findings that are gone are among them, marked absent.
	Entries []Entry
	// Catalog lists every finding type of the policies that ran, found or not.
	Catalog []evaluator.FindingType
	// Severities are those --severity kept (Entries holds no others);
	// empty when every severity is reported.
	Severities []evaluator.Severity
	// Baseline counts the entries against the baseline; nil without one.
	Baseline *BaselineSummary
	// Waivers says how a waivers file applied: waived findings carry their
	// Entry.Waiver. Nil without a waivers file.
	Waivers *WaiverSummary
	// Artifact is the inventory file results point at; nil when the
	// inventory was not read from a file.
	Artifact *Artifact
	// Hidden counts the findings that filters kept out of Entries, one
	// line per filter, so a reader knows they exist.
	Hidden []Hidden
	// Compliance is the compliance view (ComplianceViews), computed
	// before --severity narrowed Entries; nil: the HTML report computes
	// it from Entries.
	Compliance []FrameworkView
	// Failure, when set, is why the evaluation did not complete: formats
	// that can say so (SARIF) report it instead of results.
	Failure error
}

// Hidden is how many findings one filter kept out of a report.
type Hidden struct {
	Count int
	// By names the filter as the user gave it, e.g. "--severity critical".
	By string
}

func (h Hidden) String() string {
	noun := "findings"
	if h.Count == 1 {
		noun = "finding"
	}
	return fmt.Sprintf("%d %s hidden by %s", h.Count, noun, h.By)
}

// Tool names this program in reports.
type Tool struct {
	Name    string
	Version string
}

// Artifact is the inventory file as reports point at it.
type Artifact struct {
	// URI is the file's path relative to the SARIF root, with forward slashes.
	URI string
	// Lines finds the line where a resource starts.
	Lines interface {
		Line(resourceType, id string) int
	}
}

func (a *Artifact) line(r evaluator.Resource) int {
	if a == nil || a.Lines == nil {
		return 1
	}
	return a.Lines.Line(r.Type, r.ID)
}

// Writer renders a report in one format.
type Writer interface {
	Write(w io.Writer, r *Report) error
}

// Formats lists the output formats, in the order help texts show them.
var Formats = []string{"table", "json", "sarif", "github", "ocsf", "csv", "markdown", "junit", "gitlab", "html"}

// Options adjust writers.
type Options struct {
	// Warnings receives what a writer had to leave out (SARIF's limits);
	// nil discards it.
	Warnings io.Writer
	// ShowWaived lists the waived findings in the table (every other
	// format always has them, marked).
	ShowWaived bool
	// Color lets the table colour severities (a terminal, no NO_COLOR).
	Color bool
}

// CheckFormat says whether format is one of Formats, without building a
// writer.
func CheckFormat(format string) error {
	if slices.Contains(Formats, format) {
		return nil
	}
	return fmt.Errorf("unknown format %q: want one of %s", format, strings.Join(Formats, ", "))
}

// New returns the writer of a format.
func New(format string, o Options) (Writer, error) {
	if err := CheckFormat(format); err != nil {
		return nil, err
	}
	if o.Warnings == nil {
		o.Warnings = io.Discard
	}
	switch format {
	case "table":
		return Table{ShowWaived: o.ShowWaived, Color: o.Color}, nil
	case "json":
		return JSON{}, nil
	case "sarif":
		return SARIF{Warnings: o.Warnings}, nil
	case "github":
		return GitHub{}, nil
	case "ocsf":
		return OCSF{}, nil
	case "csv":
		return CSV{}, nil
	case "markdown":
		return Markdown{}, nil
	case "junit":
		return JUnit{}, nil
	case "gitlab":
		return GitLab{}, nil
	case "html":
		return HTML{}, nil
	}
	panic("report: format " + format + " is in Formats but has no writer")
}

// NeedsArtifact reports whether a format points results at lines of the
// inventory file.
func NeedsArtifact(format string) bool {
	return format == "sarif" || format == "github" || format == "gitlab"
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
	for _, name := range h.Sources.NotComplete() {
		s := h.Sources[name]
		is := IncompleteSource{Source: name, Status: s.Status}
		if s.Reason != nil {
			is.Reason = *s.Reason
		}
		out = append(out, is)
	}
	return out
}
