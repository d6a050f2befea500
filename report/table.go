package report

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"unicode"
	"unicode/utf8"

	"github.com/openai-casb/openai-casb/evaluator"
)

// Table writes the report for people: findings grouped by severity, most
// severe first, then a one-line summary. With a baseline, a STATE column
// says which findings are new, and the baseline's findings that are gone
// are listed as absent. Waived findings are left out of the main list and
// counted on a line of their own; ShowWaived lists them after it.
type Table struct {
	ShowWaived bool
	// Color marks each severity's heading with its ANSI colour; for a
	// terminal only.
	Color bool
}

// severityColors are ANSI SGR codes: critical bold red, high red, medium
// yellow, low cyan.
var severityColors = map[evaluator.Severity]string{
	evaluator.SeverityCritical: "1;31",
	evaluator.SeverityHigh:     "31",
	evaluator.SeverityMedium:   "33",
	evaluator.SeverityLow:      "36",
}

func (t Table) paint(s evaluator.Severity, text string) string {
	code, ok := severityColors[s]
	if !t.Color || !ok {
		return text
	}
	return "\033[" + code + "m" + text + "\033[0m"
}

func (t Table) Write(w io.Writer, r *Report) error {
	ew := &errWriter{w: w}
	// Every string below may come from the inventory, which a server or
	// a hand filled in: each passes oneLine, the header's too.
	org := oneLine(r.Inventory.Organization.ID)
	if n := r.Inventory.Organization.Name; n != nil && *n != "" {
		org = fmt.Sprintf("%s (%s)", oneLine(*n), org)
	}
	fmt.Fprintf(ew, "%s %s: organization %s, collected %s", oneLine(r.Tool.Name), oneLine(r.Tool.Version), org, timestamp(r.Inventory.CollectedAt))
	if r.EvaluatedAt != r.Inventory.CollectedAt {
		fmt.Fprintf(ew, ", evaluated as of %s", timestamp(r.EvaluatedAt))
	}
	fmt.Fprintln(ew)
	if r.Baseline != nil {
		fmt.Fprintf(ew, "compared with baseline %s\n", oneLine(r.Baseline.File))
	}
	for _, s := range IncompleteSources(r.Inventory) {
		fmt.Fprintf(ew, "! %s %s", oneLine(s.Source), oneLine(s.Status))
		if s.Reason != "" {
			fmt.Fprintf(ew, ": %s", oneLine(s.Reason))
		}
		fmt.Fprintln(ew, " (findings that depend on it may be missing)")
	}

	bySev := map[evaluator.Severity][]Entry{}
	for _, e := range r.Entries {
		if e.Waiver == nil {
			bySev[e.Severity] = append(bySev[e.Severity], e)
		}
	}
	for _, s := range evaluator.Severities {
		group := bySev[s]
		if len(group) == 0 {
			continue
		}
		fmt.Fprintf(ew, "\n%s\n", t.paint(s, fmt.Sprintf("%s (%d)", strings.ToUpper(s.String()), len(group))))
		tw := tabwriter.NewWriter(ew, 0, 4, 2, ' ', 0)
		state := r.Baseline != nil
		if state {
			fmt.Fprint(tw, "  STATE\t")
		} else {
			fmt.Fprint(tw, "  ")
		}
		fmt.Fprintln(tw, "FINDING\tRESOURCE\tMESSAGE")
		for _, e := range group {
			if state {
				fmt.Fprintf(tw, "  %s\t", oneLine(string(e.State)))
			} else {
				fmt.Fprint(tw, "  ")
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\n", oneLine(e.Title), resourceLabel(e.Resource), oneLine(e.Message))
		}
		tw.Flush()
	}
	current := findingsOf(open(r.Entries))
	if len(current) == 0 && len(r.Hidden) > 0 {
		fmt.Fprintln(ew, "\nNo findings shown.")
	} else if len(current) == 0 {
		fmt.Fprintln(ew, "\nNo findings.")
	}
	if r.Waivers != nil {
		t.writeWaivers(ew, r)
	}
	fmt.Fprintf(ew, "\n%s\n", Summary(current))
	for _, h := range r.Hidden {
		fmt.Fprintln(ew, h.String())
	}
	if b := r.Baseline; b != nil {
		fmt.Fprintf(ew, "against the baseline: %s\n", b)
	}
	return ew.err
}

// writeWaivers writes the waived findings' count line (and with
// ShowWaived, the list of them), then the expired and unused waivers.
func (t Table) writeWaivers(ew io.Writer, r *Report) {
	ws := waived(r.Entries)
	hint := ""
	if len(ws) > 0 && !t.ShowWaived {
		hint = " (--show-waived lists them)"
	}
	fmt.Fprintf(ew, "\n%d finding(s) waived by %s%s\n", len(ws), r.Waivers.File, hint)
	if t.ShowWaived && len(ws) > 0 {
		tw := tabwriter.NewWriter(ew, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "  SEVERITY\tFINDING\tRESOURCE\tEXPIRES\tOWNER\tREASON")
		for _, e := range ws {
			fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\t%s\t%s\n", e.Severity, oneLine(e.Title), resourceLabel(e.Resource),
				e.Waiver.Expires, oneLine(e.Waiver.Owner), oneLine(e.Waiver.Reason))
		}
		tw.Flush()
	}
	for _, w := range r.Waivers.Expired {
		fmt.Fprintf(ew, "! waiver %s:%d expired on %s: it waives nothing (%d finding(s) open again)\n", w.File, w.Line, w.Expires, w.Matched)
	}
	for _, w := range r.Waivers.Unused {
		fmt.Fprintf(ew, "! waiver %s:%d matched no finding (unused)\n", w.File, w.Line)
	}
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
	return fmt.Sprintf("%s %s", oneLine(r.Type), oneLine(r.ID))
}

// oneLine keeps a row on one line and the terminal safe whatever the API
// put in a name: newlines and tabs would break the columns, and escape
// sequences in a GPT name could rewrite what the reader's terminal shows
// (ESC, CSI, OSC, CR: every C0 and C1 control), and bidirectional
// overrides could reorder what it shows.
func oneLine(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || unicode.Is(unicode.Bidi_Control, r) || r == utf8.RuneError {
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
