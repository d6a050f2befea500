package report_test

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/openai-casb/openai-casb/evaluator"
	"github.com/openai-casb/openai-casb/report"
)

func markdown(t *testing.T, m report.Markdown, r *report.Report) string {
	t.Helper()
	var buf bytes.Buffer
	require.NoError(t, m.Write(&buf, r))
	return buf.String()
}

func TestMarkdown(t *testing.T) {
	out := markdown(t, report.Markdown{}, sample())
	assert.True(t, strings.HasPrefix(out, "## openai-casb: Acme (org-1)\n\nCollected 2026-11-26T00:00:00Z by openai-casb 1.2.3.\n\n"), out)
	assert.Contains(t, out, "> [!WARNING]\n> Not read completely, so findings that depend on them may be missing: gpts skipped (no CHATGPT\\_WORKSPACE\\_ID), invites partial.\n")
	assert.Contains(t, out, "| 🟧 high | 1 |\n")
	assert.Contains(t, out, "| 🟥 critical | 0 |\n")
	assert.Contains(t, out, "| **total** | **2** |\n")
	assert.Contains(t, out, "| severity | finding | resource | message |\n")
	assert.Contains(t, out, "| 🟧 high | Key not rotated | admin\\_api\\_key key\\_1 (ci) | old |\n")
	assert.Contains(t, out, "| 🟦 low | Stale invite | invite inv\\_1 | line one line two \\[31m |\n", "one line, no escape sequence")
	assert.NotContains(t, out, "state")
}

func TestMarkdownNewFirstAndCapped(t *testing.T) {
	r := sample()
	var findings []evaluator.Finding
	for i := range 7 {
		findings = append(findings, evaluator.Finding{FindingTypeID: "a", Title: "T", Severity: evaluator.SeverityHigh,
			Resource: evaluator.Resource{Type: "user", ID: fmt.Sprintf("u%d", i)}, Message: "m"})
	}
	r.Entries = report.Entries("org-1", findings)
	for i := range r.Entries {
		r.Entries[i].State = report.StateUnchanged
	}
	r.Entries[5].State = report.StateNew
	r.Entries[3].State = report.StateChanged
	r.Entries[0].State = report.StateAbsent
	r.Baseline = &report.BaselineSummary{File: "b.json", New: 1, Changed: 1, Unchanged: 4, Absent: 1}
	out := markdown(t, report.Markdown{MaxRows: 3}, r)
	assert.Contains(t, out, "Against the baseline: **1 new**, **1 changed**, 4 unchanged, 1 absent.")
	assert.Contains(t, out, "| severity | state | finding | resource | message |\n|---|---|---|---|---|\n"+
		"| 🟧 high | **new** | T | user u5 | m |\n"+
		"| 🟧 high | **changed** | T | user u3 | m |\n"+
		"| 🟧 high | unchanged | T | user u1 | m |\n"+
		"\n…and 4 more (the full list is in the other reports of this run).\n")
	assert.Contains(t, out, "| **total** | **6** |", "absent findings are not counted")
}

func TestMarkdownWithoutFindings(t *testing.T) {
	r := sample()
	r.Entries = nil
	assert.True(t, strings.HasSuffix(markdown(t, report.Markdown{}, r), "| **total** | **0** |\n\nNo findings.\n"))
}

// Nothing from the inventory can add markup: a link, an image, HTML, a
// table cell or a mention.
func TestMarkdownEscapesInventoryText(t *testing.T) {
	r := sample()
	r.Entries = r.Entries[:1]
	r.Entries[0].Resource.Name = `<img src=x onerror=alert(1)>|[click](http://evil.example) ![i](http://evil.example/i.png) @alice **b**` + "`c` #1 $x$"
	out := markdown(t, report.Markdown{}, r)
	row := out[strings.Index(out, "| 🟧 high | Key"):]
	assert.Equal(t, "| 🟧 high | Key not rotated | admin\\_api\\_key key\\_1 (&lt;img src=x onerror=alert(1)&gt;\\|\\[click\\](http://evil.example) \\!\\[i\\](http://evil.example/i.png) &#64;alice \\*\\*b\\*\\*\\`c\\` \\#1 \\$x\\$) | old |\n", row)
	assert.Equal(t, 5, strings.Count(row, "|")-strings.Count(row, "\\|"), "the planted | does not add a cell")
}

func TestMarkdownCountsWaivedApart(t *testing.T) {
	out := markdown(t, report.Markdown{}, waivedSample())
	assert.Contains(t, out, "| 🟧 high | 0 |\n", "the waived high is not open")
	assert.Contains(t, out, "| **total** | **1** |\n\nWaived: 1 (not counted above, not listed below).\n")
	assert.NotContains(t, out, "Key not rotated")
}
