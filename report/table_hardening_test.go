package report_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/openai-casb/openai-casb/evaluator"
	"github.com/openai-casb/openai-casb/inventory"
	"github.com/openai-casb/openai-casb/report"
)

// Row 8: escape codes (ESC, CSI, OSC, CR, C1 controls, bidi overrides) in
// any field the table prints, the header included, never reach the
// terminal.
func TestTableSanitizesEveryField(t *testing.T) {
	const evil = "a\x1b]0;owned\x07b\x1b[2J\rc\u009b31md\u202ee\x00f"
	r := sample()
	name := "Acme" + evil
	r.Tool = report.Tool{Name: "openai-casb" + evil, Version: "1" + evil}
	r.Inventory.Organization = inventory.Organization{ID: "org" + evil, Name: &name}
	reason := "why" + evil
	r.Inventory.Sources = map[string]inventory.Source{"gpts" + evil: {Status: "partial" + evil, Reason: &reason}}
	r.Entries = report.Entries("org", []evaluator.Finding{{FindingTypeID: "a", Title: "T" + evil, Severity: evaluator.SeverityHigh,
		Resource: evaluator.Resource{Type: "gpt" + evil, ID: "g" + evil, Name: "n" + evil}, Message: "m" + evil}})
	var buf bytes.Buffer
	require.NoError(t, report.Table{}.Write(&buf, r))
	out := buf.String()
	for _, bad := range []string{"\x1b", "\x07", "\r", "\u009b", "\u202e", "\x00"} {
		assert.NotContains(t, out, bad)
	}
	assert.Contains(t, out, "organization Acmea ]0;owned b [2J c 31md e f (orga ]0;owned b")
	for _, line := range strings.Split(strings.TrimSuffix(out, "\n"), "\n") {
		assert.NotContains(t, line, "\t", "columns are spaces")
	}
}
