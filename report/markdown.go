package report

import (
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/openai-casb/openai-casb/evaluator"
)

// Markdown writes a short summary for $GITHUB_STEP_SUMMARY and merge
// request comments: counts per severity, then the findings, new ones first,
// at most MaxRows of them, then a count of the rest. Everything from the
// inventory is escaped: a GPT name cannot add a link, an image, HTML, a
// table cell or a mention.
type Markdown struct {
	// MaxRows caps the findings listed; zero means DefaultMarkdownRows.
	MaxRows int
}

// DefaultMarkdownRows is how many findings a Markdown summary lists.
const DefaultMarkdownRows = 50

var severityIcons = map[evaluator.Severity]string{
	evaluator.SeverityCritical: "🟥", evaluator.SeverityHigh: "🟧", evaluator.SeverityMedium: "🟨", evaluator.SeverityLow: "🟦",
}

func (m Markdown) Write(w io.Writer, r *Report) error {
	maxRows := m.MaxRows
	if maxRows <= 0 {
		maxRows = DefaultMarkdownRows
	}
	ew := &errWriter{w: w}
	org := mdEscape(r.Inventory.Organization.ID)
	if n := r.Inventory.Organization.Name; n != nil && *n != "" {
		org = fmt.Sprintf("%s (%s)", mdEscape(*n), org)
	}
	fmt.Fprintf(ew, "## %s: %s\n\n", toolName, org)
	fmt.Fprintf(ew, "Collected %s", timestamp(r.Inventory.CollectedAt))
	if r.EvaluatedAt != r.Inventory.CollectedAt {
		fmt.Fprintf(ew, ", evaluated as of %s", timestamp(r.EvaluatedAt))
	}
	fmt.Fprintf(ew, " by %s %s.\n\n", mdEscape(r.Tool.Name), mdEscape(r.Tool.Version))
	if inc := IncompleteSources(r.Inventory); len(inc) > 0 {
		fmt.Fprint(ew, "> [!WARNING]\n> Not read completely, so findings that depend on them may be missing:")
		for i, s := range inc {
			sep := ","
			if i == 0 {
				sep = ""
			}
			fmt.Fprintf(ew, "%s %s %s", sep, mdEscape(s.Source), s.Status)
			if s.Reason != "" {
				fmt.Fprintf(ew, " (%s)", mdEscape(s.Reason))
			}
		}
		fmt.Fprint(ew, ".\n\n")
	}

	current := findingsOf(open(r.Entries))
	counts := Counts(current)
	fmt.Fprint(ew, "| severity | findings |\n|---|---:|\n")
	for _, s := range evaluator.Severities {
		fmt.Fprintf(ew, "| %s %s | %d |\n", severityIcons[s], s, counts[s])
	}
	fmt.Fprintf(ew, "| **total** | **%d** |\n\n", len(current))
	if r.Waivers != nil {
		fmt.Fprintf(ew, "Waived: %d (not counted above, not listed below).\n\n", len(waived(r.Entries)))
	}
	if b := r.Baseline; b != nil {
		fmt.Fprintf(ew, "Against the baseline: **%d new**, **%d changed**, %d unchanged, %d absent.\n\n", b.New, b.Changed, b.Unchanged, b.Absent)
	}
	// New first, then changed, then the rest as the report orders them;
	// absent last. Waived findings are counted, not listed.
	rows := slices.DeleteFunc(slices.Clone(r.Entries), Entry.Waived)
	if len(rows) == 0 {
		fmt.Fprint(ew, "No findings.\n")
		return ew.err
	}
	rank := func(e Entry) int {
		switch e.State {
		case StateNew:
			return 0
		case StateChanged:
			return 1
		case StateAbsent:
			return 3
		}
		return 2
	}
	slices.SortStableFunc(rows, func(a, b Entry) int { return rank(a) - rank(b) })
	state := r.Baseline != nil
	if state {
		fmt.Fprint(ew, "| severity | state | finding | resource | message |\n|---|---|---|---|---|\n")
	} else {
		fmt.Fprint(ew, "| severity | finding | resource | message |\n|---|---|---|---|\n")
	}
	for i, e := range rows {
		if i == maxRows {
			break
		}
		fmt.Fprintf(ew, "| %s %s |", severityIcons[e.Severity], e.Severity)
		if state {
			st := string(e.State)
			if e.State.Fails() {
				st = "**" + st + "**"
			}
			fmt.Fprintf(ew, " %s |", st)
		}
		res := mdEscape(e.Resource.Type + " " + e.Resource.ID)
		if e.Resource.Name != "" {
			res += " (" + mdEscape(e.Resource.Name) + ")"
		}
		fmt.Fprintf(ew, " %s | %s | %s |\n", mdEscape(e.Title), res, mdEscape(e.Message))
	}
	if rest := len(rows) - maxRows; rest > 0 {
		fmt.Fprintf(ew, "\n…and %d more (the full list is in the other reports of this run).\n", rest)
	}
	return ew.err
}

// mdEscape makes text from the inventory inert in GitHub and GitLab
// Markdown, where it always stands inside a line (a table cell, a
// heading): one line; HTML characters as entities; backslash-escaped the
// punctuation that starts emphasis, code, links and images (\ ` * _ [ ] !),
// cells (|), strikethrough (~), issue references (#) and math ($); and @ as
// an entity so that no name mentions a user or team.
func mdEscape(s string) string {
	var b strings.Builder
	for _, r := range oneLine(s) {
		switch r {
		case '&':
			b.WriteString("&amp;")
		case '<':
			b.WriteString("&lt;")
		case '>':
			b.WriteString("&gt;")
		case '@':
			b.WriteString("&#64;")
		case '\\', '`', '*', '_', '[', ']', '!', '|', '~', '#', '$':
			b.WriteByte('\\')
			b.WriteRune(r)
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}
