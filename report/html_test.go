package report_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"html"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/openai-casb/openai-casb/evaluator"
	"github.com/openai-casb/openai-casb/report"
)

func htmlOf(t *testing.T, r *report.Report) string {
	t.Helper()
	var buf bytes.Buffer
	require.NoError(t, report.HTML{}.Write(&buf, r))
	return buf.String()
}

func TestHTMLIsSelfContained(t *testing.T) {
	out := htmlOf(t, sample())
	assert.True(t, strings.HasPrefix(out, "<!DOCTYPE html>"))
	for _, ref := range []string{"<link", " src=", "@import", "url(", "<iframe", "<img"} {
		assert.NotContains(t, out, ref, "nothing is loaded from anywhere")
	}
	csp := regexp.MustCompile(`<meta http-equiv="Content-Security-Policy" content="([^"]+)">`).FindStringSubmatch(out)
	require.NotNil(t, csp)
	policy := html.UnescapeString(csp[1]) // as the browser reads the attribute
	assert.Contains(t, policy, "default-src 'none'")
	scripts := regexp.MustCompile(`(?s)<script>(.*?)</script>`).FindAllStringSubmatch(out, -1)
	require.Len(t, scripts, 1, "one inline script")
	sum := sha256.Sum256([]byte(scripts[0][1]))
	assert.Contains(t, policy, "script-src 'sha256-"+base64.StdEncoding.EncodeToString(sum[:])+"'", "the policy lets exactly the page's script run")
}

func TestHTMLContent(t *testing.T) {
	out := htmlOf(t, sample())
	assert.Contains(t, out, "<title>openai-casb report: Acme</title>")
	assert.Contains(t, out, `<b id="collected-at">2026-11-26T00:00:00Z</b>`)
	assert.Contains(t, out, `id="incomplete"`)
	assert.Contains(t, out, "<li><b>gpts</b> skipped: no CHATGPT_WORKSPACE_ID</li>")
	assert.Contains(t, out, `<div class="n" id="count-total">2</div>`)
	assert.Contains(t, out, `<div class="n" id="count-high">1</div>`)
	assert.Contains(t, out, `<div class="n" id="count-critical">0</div>`)
	assert.Equal(t, 2, strings.Count(out, `<tr class="finding`))
	assert.Contains(t, out, `data-severity="high" data-rank="3"`)
	assert.Contains(t, out, "<pre>{\n  &#34;days&#34;: 120\n}</pre>", "evidence, indented")
	assert.Contains(t, out, "<b>Remediation:</b> rotate")
	assert.Contains(t, out, `<select id="f-rtype"><option value="">all</option><option value="admin_api_key">admin_api_key</option><option value="invite">invite</option></select>`)
	assert.Contains(t, out, `data-waived="" data-rtype="invite">`)
	assert.NotContains(t, out, `id="f-state"`, "no state filter without a baseline")
	assert.NotContains(t, out, `id="f-waived"`, "no waived filter without waivers")
	// Bars are as long as their counts: the longest bar is the largest.
	assert.Regexp(t, `<text x="0" y="\d+" dy="15">high</text><rect class="sev-high" x="170" y="\d+" width="300"`, out)
	assert.Regexp(t, `<text x="0" y="\d+" dy="15">critical</text><rect class="sev-critical" x="170" y="\d+" width="0"`, out)
}

func TestHTMLBaselineAndWaivers(t *testing.T) {
	r := waivedSample()
	r.Entries[1].State = report.StateNew
	r.Entries[0].State = report.StateUnchanged
	r.Entries[1].FirstSeen = 1795651200
	r.Entries[0].FirstSeen = 1790000000
	r.Baseline = &report.BaselineSummary{File: "prev.json", New: 1, Unchanged: 1}
	gone := r.Entries[1]
	gone.Fingerprint, gone.State, gone.Waiver, gone.FirstSeen, gone.LastSeen = "f0", report.StateAbsent, nil, 1790000000, 1795564800
	r.Entries = append(r.Entries, gone)
	out := htmlOf(t, r)
	assert.Contains(t, out, `<span class="state unchanged">unchanged</span><br><span class="rtype seen">first seen 2026-09-21T14:13:20Z</span>`)
	assert.Contains(t, out, `<span class="state new">new</span><br><span class="rtype seen">first seen 2026-11-26T00:00:00Z</span>`)
	assert.Contains(t, out, `<span class="state absent">absent</span><br><span class="rtype seen">first seen 2026-09-21T14:13:20Z</span><br><span class="rtype seen">last seen 2026-11-25T00:00:00Z</span>`)
	assert.Contains(t, out, `<select id="f-state"><option value="">all</option><option value="new">new</option><option value="unchanged">unchanged</option><option value="absent">absent</option></select>`)
	assert.Contains(t, out, `id="f-waived"`)
	assert.Contains(t, out, `<div class="n" id="count-waived">1</div>`)
	assert.Contains(t, out, `<div class="n" id="count-total">1</div>`, "waived findings are not open")
	assert.Contains(t, out, `data-state="unchanged" data-waived="waived"`)
	assert.Contains(t, out, `data-state="new" data-waived="open"`)
	assert.Contains(t, out, "waived until 2027-01-31")
}

// Everything from the inventory is text: a planted script, attribute or
// entity does nothing.
func TestHTMLEscapesEverything(t *testing.T) {
	const evil = `<script>alert(1)</script>"><img src=x onerror=alert(2)>&amp;`
	r := sample()
	name := "Org " + evil
	r.Inventory.Organization.Name = &name
	r.Entries[0].Resource.Name = evil
	r.Entries[0].Resource.ID = evil
	r.Entries[0].Message = evil
	r.Entries[0].Title = evil
	r.Entries[0].Category = evil
	r.Entries[0].Remediation = evil
	ev, err := json.Marshal(map[string]string{"x": evil})
	require.NoError(t, err)
	r.Entries[0].Evidence = ev
	r.Catalog[0].Frameworks = map[string][]string{`fw"><b>`: {evil}}
	out := htmlOf(t, r)
	assert.Contains(t, out, `id="compliance"`, "the planted framework and control are shown, as text")
	assert.Equal(t, 1, strings.Count(out, "<script"), "only the page's own script")
	assert.NotContains(t, out, "<img")
	assert.NotContains(t, out, `"><img`, "no attribute is closed early")
	assert.Contains(t, out, "&lt;script&gt;alert(1)&lt;/script&gt;&#34;&gt;&lt;img src=x onerror=alert(2)&gt;&amp;amp;")
}

func TestHTMLComplianceView(t *testing.T) {
	assert.NotContains(t, htmlOf(t, sample()), `id="compliance"`, "no framework mapped: no compliance view")

	r := waivedSample() // a (key_1) waived, b (inv_1) open, c never found
	r.Catalog[0].Frameworks = map[string][]string{"cis-v8": {"5.2"}, "my-fw": {"X-1"}}
	r.Catalog[0].Sources = []string{"users"}
	r.Catalog[1].Frameworks = map[string][]string{"cis-v8": {"6.1", "5.2"}}
	r.Catalog[2].Frameworks = map[string][]string{"cis-v8": {"6.2"}}
	r.Catalog[2].Sources = []string{"gpts"} // skipped in sample
	out := htmlOf(t, r)
	assert.Contains(t, out, `<select id="f-framework"><option value="">choose a framework</option><option value="cis-v8">CIS Critical Security Controls v8</option><option value="my-fw">my-fw</option></select>`,
		"built-in frameworks first, then the user's")
	control := regexp.MustCompile(`(?s)<tr class="control [^"]*" data-control="([^"]+)" data-status="([^"]+)">.*?<span class="n-open">(\d+)</span> open(, \d+ waived)?`)
	type row struct{ id, status, open, waived string }
	var got []row
	for _, m := range control.FindAllStringSubmatch(out, -1) {
		got = append(got, row{m[1], m[2], m[3], m[4]})
	}
	assert.Equal(t, []row{
		{"5.2", "fail", "1", ", 1 waived"}, // b open, a waived
		{"6.1", "fail", "1", ""},           // b
		{"6.2", "not-assessed", "0", ""},   // c reads gpts, skipped
		{"X-1", "pass", "0", ", 1 waived"}, // a is waived: an accepted risk
	}, got)
	assert.Contains(t, out, `not read completely: gpts`)
	assert.Contains(t, out, `<span class="pill sev-low">low</span> Stale invite: <span class="rtype">invite</span> <span class="rid">inv_1</span>`)
	assert.Contains(t, out, `<span class="rid">5.2</span><br>Use Unique Passwords`)
	assert.Contains(t, out, `finding types: Key not rotated, Stale invite`)
	assert.Contains(t, out, `<span class="n-fail">2</span> fail</span> · <span class="cstatus pass"><span class="n-pass">0</span> pass</span> · <span class="cstatus not-assessed"><span class="n-not-assessed">1</span> not assessed`)
}

// Statuses computed before --severity narrowed the entries are kept: a
// control fails on a finding the report does not list.
func TestHTMLComplianceCountsHiddenFindings(t *testing.T) {
	r := sample()
	r.Catalog[1].Frameworks = map[string][]string{"cis-v8": {"6.1"}}
	r.Compliance = report.ComplianceViews(r)
	r.Entries = report.FilterSeverities(r.Entries, []evaluator.Severity{evaluator.SeverityHigh})
	assert.Contains(t, htmlOf(t, r), `data-control="6.1" data-status="fail"`)
	r.Compliance = nil
	assert.Contains(t, htmlOf(t, r), `data-control="6.1" data-status="pass"`, "computed from the entries left")
}
