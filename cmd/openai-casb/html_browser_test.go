package main

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// chromium finds a Chromium or Chrome to drive, or skips the test.
func chromium(t *testing.T) string {
	t.Helper()
	if p := os.Getenv("CHROMIUM"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	t.Skip("no Chromium found: install Debian's chromium package (as .ci/run does) or set CHROMIUM to a Chrome binary to run the browser tests of the HTML report")
	return ""
}

// browser is one headless Chromium tab on a page.
type browser struct {
	ctx     context.Context
	mu      sync.Mutex
	dialogs []string
}

// browse opens a page in headless Chromium with the flags this machine
// needs (no sandbox as root, nothing reaching for the network), recording
// every JavaScript dialog: a planted alert() would open one.
func browse(t *testing.T, url string) *browser {
	t.Helper()
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromium(t)),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1400, 1000),
	)
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	t.Cleanup(cancelAlloc)
	b := &browser{}
	ctx, cancel := chromedp.NewContext(actx, chromedp.WithListener(func(ev any) {
		if d, ok := ev.(*page.EventJavascriptDialogOpening); ok {
			b.mu.Lock()
			b.dialogs = append(b.dialogs, d.Message)
			b.mu.Unlock()
		}
	}))
	t.Cleanup(cancel)
	ctx, cancelTimeout := context.WithTimeout(ctx, 2*time.Minute)
	t.Cleanup(cancelTimeout)
	b.ctx = ctx
	require.NoError(t, chromedp.Do(ctx, chromedp.Navigate(url), chromedp.WaitReady(chromedp.CSS("#findings"))))
	return b
}

func (b *browser) eval(t *testing.T, js string) any {
	t.Helper()
	v, err := chromedp.Run(b.ctx, chromedp.Evaluate[any](js))
	require.NoError(t, err, js)
	return v
}

func (b *browser) text(t *testing.T, css string) string {
	t.Helper()
	v, err := chromedp.Run(b.ctx, chromedp.Text(chromedp.CSS(css)))
	require.NoError(t, err, css)
	return v
}

func (b *browser) do(t *testing.T, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	require.NoError(t, chromedp.Do(b.ctx, steps...))
}

const visibleRows = `Array.from(document.querySelectorAll("#findings tbody tr")).filter(r => !r.hidden)`

func writeTemp(t *testing.T, name, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	require.NoError(t, os.WriteFile(path, []byte(content), 0o600))
	return path
}

// The acme report in a real browser: the counts of the JSON report, a row
// per finding, filters and sorting that work; a screenshot is kept in the
// test's temporary directory.
func TestHTMLInChromium(t *testing.T) {
	chromium(t)
	var doc struct {
		Summary struct {
			Total      int
			BySeverity map[string]int `json:"by_severity"`
		}
		Findings []json.RawMessage
	}
	require.NoError(t, json.Unmarshal([]byte(runOK(t, "evaluate", acme, "--format", "json")), &doc))
	b := browse(t, "file://"+writeTemp(t, "acme.html", runOK(t, "evaluate", acme, "--format", "html")))

	assert.Equal(t, strconv.Itoa(doc.Summary.Total), b.text(t, "#count-total"))
	for sev, n := range doc.Summary.BySeverity {
		assert.Equal(t, strconv.Itoa(n), b.text(t, "#count-"+sev), sev)
	}
	assert.Equal(t, float64(len(doc.Findings)), b.eval(t, `document.querySelectorAll("#findings tbody tr").length`))
	assert.Equal(t, strconv.Itoa(doc.Summary.Total)+" of "+strconv.Itoa(doc.Summary.Total), b.text(t, "#shown"))

	// Filter: high only.
	b.do(t, chromedp.SetValue(chromedp.CSS("#f-severity"), "high"))
	b.eval(t, `document.getElementById("f-severity").dispatchEvent(new Event("change")); 0`)
	high := doc.Summary.BySeverity["high"]
	assert.Equal(t, float64(high), b.eval(t, visibleRows+`.length`))
	assert.Equal(t, true, b.eval(t, visibleRows+`.every(r => r.dataset.severity === "high")`))
	assert.Equal(t, strconv.Itoa(high)+" of "+strconv.Itoa(doc.Summary.Total), b.text(t, "#shown"))

	// Resource type: invites only, as many as the JSON report has.
	var findings []struct{ Resource struct{ Type string } }
	require.NoError(t, json.Unmarshal([]byte(runOK(t, "evaluate", acme, "--format", "json")), &struct {
		Findings *[]struct{ Resource struct{ Type string } }
	}{&findings}))
	invites := 0
	for _, f := range findings {
		if f.Resource.Type == "invite" {
			invites++
		}
	}
	require.Positive(t, invites)
	b.do(t, chromedp.SetValue(chromedp.CSS("#f-severity"), ""))
	b.eval(t, `document.getElementById("f-severity").dispatchEvent(new Event("change")); 0`)
	b.do(t, chromedp.SetValue(chromedp.CSS("#f-rtype"), "invite"))
	b.eval(t, `document.getElementById("f-rtype").dispatchEvent(new Event("change")); 0`)
	assert.Equal(t, float64(invites), b.eval(t, visibleRows+`.length`))
	assert.Equal(t, true, b.eval(t, visibleRows+`.every(r => r.dataset.rtype === "invite")`))
	b.do(t, chromedp.SetValue(chromedp.CSS("#f-rtype"), ""))
	b.eval(t, `document.getElementById("f-rtype").dispatchEvent(new Event("change")); 0`)
	b.do(t, chromedp.SetValue(chromedp.CSS("#f-severity"), "high"))
	b.eval(t, `document.getElementById("f-severity").dispatchEvent(new Event("change")); 0`)

	// Typing in the search box narrows further.
	b.do(t, chromedp.SendKeys(chromedp.CSS("#f-text"), "terraform"))
	assert.Equal(t, float64(1), b.eval(t, visibleRows+`.length`), "terraform-admin's rotation is the one high finding naming terraform")

	// Clearing both shows everything again.
	b.eval(t, `document.getElementById("f-text").value = ""; document.getElementById("f-text").dispatchEvent(new Event("input")); 0`)
	b.do(t, chromedp.SetValue(chromedp.CSS("#f-severity"), ""))
	b.eval(t, `document.getElementById("f-severity").dispatchEvent(new Event("change")); 0`)
	assert.Equal(t, strconv.Itoa(doc.Summary.Total)+" of "+strconv.Itoa(doc.Summary.Total), b.text(t, "#shown"))

	// Sorting: a click on Severity puts the lowest first, a second the
	// highest first.
	b.do(t, chromedp.Click(chromedp.CSS(`th[data-sort="rank"]`)))
	assert.Equal(t, "low", b.eval(t, `document.querySelector("#findings tbody tr").dataset.severity`))
	b.do(t, chromedp.Click(chromedp.CSS(`th[data-sort="rank"]`)))
	assert.Equal(t, "critical", b.eval(t, `document.querySelector("#findings tbody tr").dataset.severity`))

	// The compliance view: nothing until a framework is chosen, then that
	// framework's controls with the statuses and open findings the
	// compliance command gives.
	var cis struct {
		Controls []struct {
			ID      string
			Status  string
			Failing []json.RawMessage `json:"failing_findings"`
		}
	}
	require.NoError(t, json.Unmarshal([]byte(runOK(t, "compliance", "cis-v8", acme, "--format", "json")), &cis))
	require.NotEmpty(t, cis.Controls)
	const shownFrameworks = `Array.from(document.querySelectorAll("div.framework")).filter(d => !d.hidden)`
	assert.Equal(t, float64(0), b.eval(t, shownFrameworks+`.length`))
	assert.Equal(t, false, b.eval(t, `document.getElementById("framework-hint").hidden`))
	b.do(t, chromedp.SetValue(chromedp.CSS("#f-framework"), "cis-v8"))
	b.eval(t, `document.getElementById("f-framework").dispatchEvent(new Event("change")); 0`)
	assert.Equal(t, []any{"cis-v8"}, b.eval(t, shownFrameworks+`.map(d => d.dataset.framework)`))
	assert.Equal(t, true, b.eval(t, `document.getElementById("framework-hint").hidden`))
	got := b.eval(t, shownFrameworks+`[0].querySelectorAll("tr.control").length`)
	assert.Equal(t, float64(len(cis.Controls)), got)
	for _, c := range cis.Controls {
		row := `document.querySelector('div.framework[data-framework="cis-v8"] tr[data-control="` + c.ID + `"]')`
		assert.Equal(t, c.Status, b.eval(t, row+`.dataset.status`), c.ID)
		assert.Equal(t, strconv.Itoa(len(c.Failing)), b.eval(t, row+`.querySelector(".n-open").textContent`), c.ID)
		assert.Equal(t, true, b.eval(t, row+`.getBoundingClientRect().height > 0`), "control %s is displayed", c.ID)
	}
	b.do(t, chromedp.SetValue(chromedp.CSS("#f-framework"), "soc2-2017"))
	b.eval(t, `document.getElementById("f-framework").dispatchEvent(new Event("change")); 0`)
	assert.Equal(t, []any{"soc2-2017"}, b.eval(t, shownFrameworks+`.map(d => d.dataset.framework)`))
	b.do(t, chromedp.SetValue(chromedp.CSS("#f-framework"), "cis-v8"))
	b.eval(t, `document.getElementById("f-framework").dispatchEvent(new Event("change")); 0`)

	shot, err := chromedp.Run(b.ctx, chromedp.FullScreenshot(90))
	require.NoError(t, err)
	path := filepath.Join(t.TempDir(), "acme-report.png")
	require.NoError(t, os.WriteFile(path, shot, 0o600))
	t.Logf("screenshot: %s (%d bytes)", path, len(shot))
	assert.Empty(t, b.dialogs)
}

// GPTs named to run script run none in a browser: no dialog opens, no
// planted global is set, no planted element exists, and the name shows as
// text.
func TestHTMLPlantedScriptIsInertInChromium(t *testing.T) {
	chromium(t)
	b := browse(t, "file://"+writeTemp(t, "hostile.html", runOK(t, "evaluate", hostileAcme(t), "--format", "html")))
	assert.Equal(t, false, b.eval(t, `window.__pwned !== undefined`))
	assert.Equal(t, float64(1), b.eval(t, `document.scripts.length`), "only the page's own script")
	assert.Equal(t, float64(0), b.eval(t, `document.querySelectorAll("img").length`))
	names := b.eval(t, `Array.from(document.querySelectorAll("#findings tbody tr[data-resource^='gpt '] td:nth-child(4)")).map(td => td.lastChild.textContent)`).([]any)
	require.NotEmpty(t, names)
	for _, n := range names {
		assert.Equal(t, hostileName, n)
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	assert.Empty(t, b.dialogs)
}

// The acceptance run: demo writes HTML, OCSF, SARIF and CSV in one run;
// the page opens in headless Chromium with the counts of the JSON report
// written beside it.
func TestDemoReportInChromium(t *testing.T) {
	chromium(t)
	dir := t.TempDir()
	t.Chdir(dir)
	r := runCLI(t, "", "demo", "--format", "json", "--output", "report.json",
		"--output-format", "html=report.html", "--output-format", "ocsf=findings.ocsf.jsonl",
		"--output-format", "sarif=r.sarif", "--output-format", "csv=f.csv")
	require.Equal(t, exitOK, r.code, r.stderr)
	var doc struct {
		Summary struct {
			Total      int
			BySeverity map[string]int `json:"by_severity"`
		}
		Findings []json.RawMessage
	}
	raw, err := os.ReadFile(filepath.Join(dir, "report.json"))
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(raw, &doc))
	for _, f := range []string{"findings.ocsf.jsonl", "r.sarif", "f.csv"} {
		_, err := os.Stat(filepath.Join(dir, f))
		require.NoError(t, err, f)
	}
	b := browse(t, "file://"+filepath.Join(dir, "report.html"))
	assert.Equal(t, strconv.Itoa(doc.Summary.Total), b.text(t, "#count-total"))
	for sev, n := range doc.Summary.BySeverity {
		assert.Equal(t, strconv.Itoa(n), b.text(t, "#count-"+sev), sev)
	}
	assert.Equal(t, float64(len(doc.Findings)), b.eval(t, `document.querySelectorAll("#findings tbody tr").length`))
	assert.Equal(t, true, b.eval(t, `document.getElementById("f-framework") !== null`), "the demo's policies map frameworks")
	b.mu.Lock()
	defer b.mu.Unlock()
	assert.Empty(t, b.dialogs)
}
