package report

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"unicode"

	"github.com/openai-casb/openai-casb/evaluator"
)

// Table writes the report for people: findings grouped by severity, most
// severe first, then a one-line summary.
type Table struct{}

func (Table) Write(w io.Writer, r *Report) error {
	ew := &errWriter{w: w}
	org := r.Inventory.Organization.ID
	if n := r.Inventory.Organization.Name; n != nil && *n != "" {
		org = fmt.Sprintf("%s (%s)", *n, org)
	}
	fmt.Fprintf(ew, "%s %s: organization %s, collected %s", r.Tool.Name, r.Tool.Version, org, timestamp(r.Inventory.CollectedAt))
	if r.EvaluatedAt != r.Inventory.CollectedAt {
		fmt.Fprintf(ew, ", evaluated as of %s", timestamp(r.EvaluatedAt))
	}
	fmt.Fprintln(ew)
	for _, s := range IncompleteSources(r.Inventory) {
		fmt.Fprintf(ew, "! %s %s", s.Source, s.Status)
		if s.Reason != "" {
			fmt.Fprintf(ew, ": %s", s.Reason)
		}
		fmt.Fprintln(ew, " (findings that depend on it may be missing)")
	}

	bySev := map[evaluator.Severity][]evaluator.Finding{}
	for _, f := range r.Findings {
		bySev[f.Severity] = append(bySev[f.Severity], f)
	}
	for _, s := range evaluator.Severities {
		group := bySev[s]
		if len(group) == 0 {
			continue
		}
		fmt.Fprintf(ew, "\n%s (%d)\n", strings.ToUpper(s.String()), len(group))
		tw := tabwriter.NewWriter(ew, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "  FINDING\tRESOURCE\tMESSAGE")
		for _, f := range group {
			fmt.Fprintf(tw, "  %s\t%s\t%s\n", oneLine(f.Title), resourceLabel(f.Resource), oneLine(f.Message))
		}
		tw.Flush()
	}
	if len(r.Findings) == 0 {
		fmt.Fprintln(ew, "\nNo findings.")
	}
	fmt.Fprintf(ew, "\n%s\n", Summary(r.Findings))
	return ew.err
}

// Summary is the one-line count of findings per severity.
func Summary(findings []evaluator.Finding) string {
	c := Counts(findings)
	parts := make([]string, 0, len(evaluator.Severities))
	for _, s := range evaluator.Severities {
		parts = append(parts, fmt.Sprintf("%d %s", c[s], s))
	}
	noun := "findings"
	if len(findings) == 1 {
		noun = "finding"
	}
	return fmt.Sprintf("%d %s: %s", len(findings), noun, strings.Join(parts, ", "))
}

func resourceLabel(r evaluator.Resource) string {
	return fmt.Sprintf("%s %s", r.Type, oneLine(r.ID))
}

// oneLine keeps a row on one line and the terminal safe whatever the API
// put in a name: newlines and tabs would break the columns, and escape
// sequences in a GPT name could rewrite what the reader's terminal shows.
func oneLine(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return ' '
		}
		return r
	}, s)
}

// errWriter remembers the first write error so rendering code stays linear.
type errWriter struct {
	w   io.Writer
	err error
}

func (e *errWriter) Write(p []byte) (int, error) {
	if e.err != nil {
		return 0, e.err
	}
	n, err := e.w.Write(p)
	e.err = err
	return n, err
}
