package report

import (
	"fmt"
	"io"
	"strings"

	"github.com/openai-casb/openai-casb/evaluator"
)

// GitHub writes GitHub Actions workflow commands, one annotation per
// finding (::error for high and critical, ::warning for medium, ::notice
// for low), pointing at the line of the resource in the inventory file, so
// a plain workflow log shows them without a SARIF upload. Findings a
// baseline marks absent are not annotated.
type GitHub struct{}

func (GitHub) Write(w io.Writer, r *Report) error {
	ew := &errWriter{w: w}
	for _, e := range open(r.Entries) {
		title := e.Title
		if e.State.Fails() {
			title += " (" + string(e.State) + ")"
		}
		props := []string{}
		if r.Artifact != nil {
			props = append(props, "file="+escapeProperty(r.Artifact.URI), fmt.Sprintf("line=%d", r.Artifact.line(e.Resource)))
		}
		props = append(props, "title="+escapeProperty(oneLine(title)))
		msg := fmt.Sprintf("%s [%s %s]", e.Message, e.Resource.Type, e.Resource.ID)
		fmt.Fprintf(ew, "::%s %s::%s\n", annotation(e.Severity), strings.Join(props, ","), escapeData(oneLine(msg)))
	}
	summary := Summary(findingsOf(open(r.Entries)))
	if r.Waivers != nil {
		summary += fmt.Sprintf(", %d waived", len(waived(r.Entries)))
	}
	if b := r.Baseline; b != nil {
		summary += fmt.Sprintf(" (against the baseline: %s)", b)
	}
	for _, s := range IncompleteSources(r.Inventory) {
		fmt.Fprintf(ew, "::warning title=%s::%s\n", escapeProperty("openai-casb: source "+s.Source+" "+s.Status), escapeData(oneLine(s.Reason)))
	}
	fmt.Fprintf(ew, "%s: %s\n", toolName, summary)
	return ew.err
}

func annotation(s evaluator.Severity) string {
	switch s {
	case evaluator.SeverityCritical, evaluator.SeverityHigh:
		return "error"
	case evaluator.SeverityMedium:
		return "warning"
	}
	return "notice"
}

// escapeData escapes a workflow command's message, as the Actions toolkit
// does. Control characters are already spaces (oneLine): a newline in a GPT
// name would otherwise end the command and start another one.
func escapeData(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A").Replace(s)
}

// escapeProperty escapes a workflow command's property value.
func escapeProperty(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A", ":", "%3A", ",", "%2C").Replace(s)
}
