package main

import (
	"bufio"
	"encoding/csv"
	"encoding/json"
	"encoding/xml"
	"html"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/samber/lo"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/openai-casb/openai-casb/internal/schemacheck"
	"github.com/openai-casb/openai-casb/inventory"
	"github.com/openai-casb/openai-casb/report"
)

// formatCheck validates one report of a format and returns what it says
// per finding: baseline state by resource id ("" without a baseline).
type formatCheck func(t *testing.T, out string) []reported

type reported struct {
	ResourceID, State, Severity string
	Waived                      bool
}

var formatChecks = map[string]formatCheck{
	"ocsf":     checkOCSF,
	"csv":      checkCSV,
	"markdown": checkMarkdown,
	"junit":    checkJUnit,
	"gitlab":   checkGitLab,
	"html":     checkHTML,
}

var htmlRow = regexp.MustCompile(`<tr class="finding[^"]*" data-severity="(\w+)" data-rank="\d" data-title="[^"]*" data-category="[^"]*" data-resource="\S+ ([^"]*)" data-state="(\w*)" data-waived="(\w*)" data-rtype="[^"]*">`)

// checkHTML reads the findings table's rows back (the browser test checks
// the page in Chromium).
func checkHTML(t *testing.T, out string) []reported {
	t.Helper()
	require.True(t, strings.HasPrefix(out, "<!DOCTYPE html>"))
	var got []reported
	for _, m := range htmlRow.FindAllStringSubmatch(out, -1) {
		got = append(got, reported{ResourceID: html.UnescapeString(m[2]), State: m[3], Severity: m[1], Waived: m[4] == "waived"})
	}
	assert.Equal(t, strings.Count(out, `<tr class="finding`), len(got), "every row read")
	return got
}

// checkGitLab validates a GitLab SAST report against GitLab's schema.
// GitLab compares pipelines itself: the report has no baseline states.
func checkGitLab(t *testing.T, out string) []reported {
	t.Helper()
	schemacheck.Validate(t, schemacheck.Load(t, schemacheck.GitLabSAST), []byte(out))
	var doc struct {
		Vulnerabilities []struct {
			Severity string
			Location struct {
				File      string
				StartLine int `json:"start_line"`
				Method    string
			}
		}
	}
	require.NoError(t, json.Unmarshal([]byte(out), &doc))
	var got []reported
	for _, v := range doc.Vulnerabilities {
		assert.NotEmpty(t, v.Location.File)
		assert.Positive(t, v.Location.StartLine)
		got = append(got, reported{ResourceID: v.Location.Method, Severity: strings.ToLower(v.Severity)})
	}
	return got
}

// omitsAbsent lists the formats that leave a baseline's absent findings out.
var omitsAbsent = map[string]bool{"junit": true, "gitlab": true}

// showsWaived lists the formats that keep waived findings, marked.
var showsWaived = map[string]bool{"ocsf": true, "csv": true, "html": true}

// noStates lists the formats that do not carry baseline states.
var noStates = map[string]bool{"gitlab": true}

var junitLine = regexp.MustCompile(`^\[(\w+)\] \S+ (.+?)(?: \([^)]*\))?(?: \{(\w+)\})?: `)

// checkJUnit reads the findings back from the failures' text.
func checkJUnit(t *testing.T, out string) []reported {
	t.Helper()
	var doc struct {
		Suites []struct {
			Cases []struct {
				Failure *struct {
					Text string `xml:",chardata"`
				} `xml:"failure"`
			} `xml:"testcase"`
		} `xml:"testsuite"`
	}
	require.NoError(t, xml.Unmarshal([]byte(out), &doc))
	var got []reported
	for _, s := range doc.Suites {
		for _, c := range s.Cases {
			if c.Failure == nil {
				continue
			}
			for _, line := range strings.Split(strings.TrimSpace(c.Failure.Text), "\n") {
				if strings.HasPrefix(line, "Remediation: ") {
					continue
				}
				m := junitLine.FindStringSubmatch(line)
				require.NotNil(t, m, line)
				got = append(got, reported{ResourceID: m[2], State: m[3], Severity: m[1]})
			}
		}
	}
	return got
}

var mdUnescape = regexp.MustCompile(`\\(.)`)

// checkMarkdown reads the findings table of a Markdown summary back.
func checkMarkdown(t *testing.T, out string) []reported {
	t.Helper()
	var got []reported
	header := []string{}
	for _, line := range strings.Split(out, "\n") {
		if strings.HasPrefix(line, "| severity | ") && strings.Contains(line, "| resource |") {
			header = strings.Split(strings.Trim(line, "| "), " | ")
			continue
		}
		if len(header) == 0 || !strings.HasPrefix(line, "| ") || strings.HasPrefix(line, "|---") {
			continue
		}
		cells := strings.Split(strings.Trim(line, "| "), " | ")
		require.Len(t, cells, len(header), line)
		r := reported{}
		for i, name := range header {
			cell := html.UnescapeString(mdUnescape.ReplaceAllString(cells[i], "$1"))
			switch name {
			case "severity":
				_, r.Severity, _ = strings.Cut(cell, " ")
			case "state":
				r.State = strings.Trim(cell, "*")
			case "resource":
				r.ResourceID = strings.Fields(cell)[1]
			}
		}
		got = append(got, r)
	}
	return got
}

func checkCSV(t *testing.T, out string) []reported {
	t.Helper()
	rows, err := csv.NewReader(strings.NewReader(out)).ReadAll()
	require.NoError(t, err, "a stock CSV reader parses it")
	require.NotEmpty(t, rows)
	require.Equal(t, report.CSVHeader, rows[0])
	col := map[string]int{}
	for i, name := range rows[0] {
		col[name] = i
	}
	var got []reported
	for _, row := range rows[1:] {
		got = append(got, reported{row[col["resource_id"]], row[col["baseline_state"]], row[col["severity"]], row[col["waived"]] == "true"})
	}
	return got
}

func checkOCSF(t *testing.T, out string) []reported {
	t.Helper()
	schema := schemacheck.Load(t, schemacheck.OCSFDetectionFinding)
	var got []reported
	sc := bufio.NewScanner(strings.NewReader(out))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		schemacheck.Validate(t, schema, sc.Bytes())
		var ev struct {
			StatusID  int    `json:"status_id"`
			Severity  string `json:"severity"`
			Resources []struct {
				UID string `json:"uid"`
			} `json:"resources"`
			Unmapped struct {
				BaselineState string `json:"baseline_state"`
			} `json:"unmapped"`
		}
		require.NoError(t, json.Unmarshal(sc.Bytes(), &ev))
		got = append(got, reported{ev.Resources[0].UID, ev.Unmapped.BaselineState, strings.ToLower(ev.Severity), ev.StatusID == 3})
	}
	require.NoError(t, sc.Err())
	return got
}

// changedAcme is acme with one finding's cause removed (the stale invite is
// accepted) and one added (a GPT newly shared by link).
func changedAcme(t *testing.T) string {
	t.Helper()
	inv, err := inventory.Load(acme)
	require.NoError(t, err)
	for i := range inv.Invites {
		if inv.Invites[i].ID == "invite-stale" {
			inv.Invites[i].Status, inv.Invites[i].AcceptedAt = lo.ToPtr("accepted"), lo.ToPtr(inv.CollectedAt-86400)
		}
	}
	for i := range inv.GPTs {
		if inv.GPTs[i].ID == "g-policy-helper" {
			inv.GPTs[i].Visibility, inv.GPTs[i].VisibilityRaw = "anyone-with-link", lo.ToPtr("anyone-with-link")
		}
	}
	changed := filepath.Join(t.TempDir(), "changed.json")
	require.NoError(t, inventory.Save(changed, inv))
	return changed
}

func byState(rs []reported) map[string][]string {
	out := map[string][]string{}
	for _, r := range rs {
		out[r.State] = append(out[r.State], r.ResourceID)
	}
	return out
}

// Every format of formatChecks, for evaluate, with --severity, against a
// baseline, and for demo: the output is valid and holds the findings the
// JSON report holds.
func TestEveryFormatEveryCommand(t *testing.T) {
	changed := changedAcme(t)
	previous := filepath.Join(t.TempDir(), "previous.json")
	require.Equal(t, exitOK, runCLI(t, "", "evaluate", acme, "--format", "json", "--output", previous).code)
	demoJSON := runCLI(t, "", "demo", "--format", "json", "--severity", "high,critical")
	require.Equal(t, exitOK, demoJSON.code, demoJSON.stderr)
	demoBaseline := filepath.Join(t.TempDir(), "demo.json")
	require.Equal(t, exitOK, runCLI(t, "", "demo", "--format", "json", "--output", demoBaseline).code)
	var demo struct{ Summary struct{ Total int } }
	require.NoError(t, json.Unmarshal([]byte(demoJSON.stdout), &demo))

	for format, check := range formatChecks {
		t.Run(format, func(t *testing.T) {
			all := check(t, runOK(t, "evaluate", acme, "--format", format))
			assert.Len(t, all, 47)

			high := check(t, runOK(t, "evaluate", acme, "--format", format, "--severity", "high"))
			assert.Len(t, high, 18)
			for _, r := range high {
				assert.Equal(t, "high", r.Severity)
			}

			// The acceptance waivers: terraform-admin's rotation waived,
			// one waiver expired (itself a low finding).
			withWaivers := check(t, runOK(t, "evaluate", acme, "--format", format, "--waivers", writeWaivers(t, acceptanceWaivers)))
			// key_admin_old also never expires: that finding is not waived.
			var terraform, waived []reported
			for _, r := range withWaivers {
				if r.ResourceID == "key_admin_old" {
					terraform = append(terraform, r)
					if r.Waived {
						waived = append(waived, r)
					}
				}
			}
			if showsWaived[format] {
				assert.Len(t, withWaivers, 48)
				require.Len(t, terraform, 2)
				assert.Len(t, waived, 1)
			} else {
				assert.Len(t, withWaivers, 47)
				assert.Len(t, terraform, 1, "the waived finding is left out")
				assert.Empty(t, waived)
			}

			t.Run("demo", func(t *testing.T) {
				t.Chdir(t.TempDir()) // gitlab saves the inventory it points at here
				assert.Len(t, check(t, runOK(t, "demo", "--format", format, "--severity", "high,critical")), demo.Summary.Total)
				// Against its own earlier report, with a waivers file
				// (waiving nothing of the demo's: it is unused), no
				// finding is new or absent. (The simulated organization
				// is dated from the wall clock, so evidence timestamps
				// move by the seconds between the runs: some findings are
				// changed.)
				again := check(t, runOK(t, "demo", "--format", format, "--severity", "high,critical", "--baseline", demoBaseline, "--waivers", writeWaivers(t, acceptanceWaivers)))
				assert.Len(t, again, demo.Summary.Total)
				if !noStates[format] {
					states := byState(again)
					assert.Empty(t, states["new"])
					assert.Empty(t, states["absent"])
					assert.Positive(t, len(states["unchanged"]))
				}
			})

			against := check(t, runOK(t, "evaluate", changed, "--format", format, "--baseline", previous))
			states := byState(against)
			if noStates[format] {
				assert.Len(t, against, 47)
				return
			}
			assert.Equal(t, []string{"g-policy-helper"}, states["new"])
			if omitsAbsent[format] {
				assert.Empty(t, states["absent"])
			} else {
				assert.Equal(t, []string{"invite-stale"}, states["absent"])
			}
			assert.Len(t, states["unchanged"], 46)

		})
	}
}

func runOK(t *testing.T, args ...string) string {
	t.Helper()
	r := runCLI(t, "", args...)
	require.Equal(t, exitOK, r.code, r.stderr)
	return r.stdout
}

func TestGoldenNewFormats(t *testing.T) {
	for _, format := range []string{"ocsf", "csv", "markdown", "junit", "gitlab", "html"} {
		t.Run(format, func(t *testing.T) {
			golden(t, filepath.Join("testdata", "golden", "acme."+format), runOK(t, "evaluate", acme, "--format", format, "--sarif-root", repoRoot))
		})
	}
}

// hostileName is a GPT name built to run in a browser and in a spreadsheet.
const hostileName = `=HYPERLINK("http://evil.example/?<script>alert(1)</script>","open")<img src=x onerror="window.__pwned=1">`

// hostileAcme is acme with every GPT named hostileName.
func hostileAcme(t *testing.T) string {
	t.Helper()
	inv, err := inventory.Load(acme)
	require.NoError(t, err)
	for i := range inv.GPTs {
		inv.GPTs[i].Name = lo.ToPtr(hostileName)
	}
	path := filepath.Join(t.TempDir(), "hostile.json")
	require.NoError(t, inventory.Save(path, inv))
	return path
}

func TestCSVNeutralizesAPlantedFormula(t *testing.T) {
	rows, err := csv.NewReader(strings.NewReader(runOK(t, "evaluate", hostileAcme(t), "--format", "csv"))).ReadAll()
	require.NoError(t, err)
	gpts := 0
	for _, row := range rows[1:] {
		for i, cell := range row {
			assert.False(t, strings.HasPrefix(cell, "="), "column %s starts a formula: %q", rows[0][i], cell)
		}
		if row[4] == "gpt" {
			gpts++
			assert.Equal(t, "'"+hostileName, row[6])
		}
	}
	assert.Positive(t, gpts)
}

// Every OCSF event of acme carries, in unmapped.compliance, exactly the
// controls policies list says its finding type maps, and its CIS ones in
// remediation.cis_controls.
func TestOCSFComplianceIsTheCatalogs(t *testing.T) {
	var catalog []struct {
		ID         string              `json:"finding_type_id"`
		Frameworks map[string][]string `json:"frameworks"`
	}
	require.NoError(t, json.Unmarshal([]byte(runOK(t, "policies", "list", "--format", "json")), &catalog))
	want := map[string]map[string][]string{}
	for _, ft := range catalog {
		want[ft.ID] = ft.Frameworks
	}
	out := runOK(t, "evaluate", acme, "--format", "ocsf")
	checkOCSF(t, out) // every event validates
	mapped := 0
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		var ev struct {
			Remediation struct {
				CISControls []struct{ Name, Version string } `json:"cis_controls"`
			} `json:"remediation"`
			Unmapped struct {
				FindingTypeID string              `json:"finding_type_id"`
				Compliance    map[string][]string `json:"compliance"`
			} `json:"unmapped"`
		}
		require.NoError(t, json.Unmarshal([]byte(line), &ev))
		w := want[ev.Unmapped.FindingTypeID]
		assert.Equal(t, w, ev.Unmapped.Compliance, ev.Unmapped.FindingTypeID)
		var cis []string
		for _, c := range ev.Remediation.CISControls {
			assert.Equal(t, "v8", c.Version)
			cis = append(cis, c.Name)
		}
		assert.Equal(t, w["cis-v8"], cis, ev.Unmapped.FindingTypeID)
		if len(w) > 0 {
			mapped++
		}
	}
	assert.Positive(t, mapped, "acme has findings of mapped types")
}

// Three daily runs, each against the report of the day before: OCSF's
// first_seen_time is when the chain of baselines first saw each finding,
// and the CSV's first_seen column says the same.
func TestFirstSeenAcrossRuns(t *testing.T) {
	dir := t.TempDir()
	day1, day2, day3 := "2026-11-26T00:00:00Z", "2026-11-27T00:00:00Z", "2026-11-28T00:00:00Z"
	prev1, prev2 := filepath.Join(dir, "day1.json"), filepath.Join(dir, "day2.json")
	runOK(t, "evaluate", acme, "--format", "json", "--output", prev1, "--now", day1)
	changed := changedAcme(t)
	runOK(t, "evaluate", changed, "--format", "json", "--output", prev2, "--now", day2, "--baseline", prev1)
	ms := func(s string) float64 {
		tm, err := time.Parse(time.RFC3339, s)
		require.NoError(t, err)
		return float64(tm.UnixMilli())
	}
	rows, err := csv.NewReader(strings.NewReader(runOK(t, "evaluate", changed, "--format", "csv", "--now", day3, "--baseline", prev2))).ReadAll()
	require.NoError(t, err)
	firstSeen := map[string]int{}
	for _, row := range rows[1:] {
		firstSeen[row[len(row)-2]]++
	}
	assert.Equal(t, map[string]int{day1: 46, day2: 1}, firstSeen)

	out := runOK(t, "evaluate", changed, "--format", "ocsf", "--now", day3, "--baseline", prev2)
	checkOCSF(t, out) // every event validates (skips without the OCSF schema)
	n := 0
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		var ev struct {
			FindingInfo struct {
				FirstSeen float64 `json:"first_seen_time"`
				LastSeen  float64 `json:"last_seen_time"`
			} `json:"finding_info"`
			Resources []struct{ UID string } `json:"resources"`
		}
		require.NoError(t, json.Unmarshal([]byte(line), &ev))
		want := day1
		if ev.Resources[0].UID == "g-policy-helper" && strings.Contains(line, "anyone-with-link") {
			want = day2 // newly shared by link on day 2
		}
		assert.Equal(t, ms(want), ev.FindingInfo.FirstSeen, ev.Resources[0].UID)
		assert.Equal(t, ms(day3), ev.FindingInfo.LastSeen)
		n++
	}
	assert.Equal(t, 47, n)
}
