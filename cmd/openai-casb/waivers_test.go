package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/openai-casb/openai-casb/simulator"
)

// The acceptance waivers file: one active waiver (terraform-admin's
// rotation, by a glob over the key's name), one expired (the GPT Store
// finding of g-brand-voice, by category), one that matches nothing.
const acceptanceWaivers = `max_days: 365
waivers:
  - finding_type_id: b72e971d-f5b9-4cf3-96f4-ef82bdf38453
    resource: terraform*
    type: admin_api_key
    organization_id: org-acme000000000000000000
    reason: Rotation scheduled with the platform team (TICKET-123)
    owner: secops@example.com
    expires: 2027-03-01
  - category: "Publishing and sharing"
    resource: g-brand-voice
    reason: Marketing GPT, public on purpose
    owner: marketing@example.com
    expires: 2026-11-01
  - finding_type_id: 20ab9ddb-fd48-46a8-9fdf-9bb9b9061f21
    resource: user-nobody
    reason: Contractor on leave
    expires: 2027-01-15
`

const (
	adminRotationID = "b72e971d-f5b9-4cf3-96f4-ef82bdf38453"
	gptStoreID      = "c69adfa6-2362-4939-86ec-49ff34093cfd"
)

func writeWaivers(t *testing.T, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "waivers.yaml")
	require.NoError(t, os.WriteFile(path, []byte(content), 0o600))
	return path
}

type waiverReport struct {
	Summary struct {
		Total      int            `json:"total"`
		BySeverity map[string]int `json:"by_severity"`
		Waived     *int           `json:"waived"`
	} `json:"summary"`
	Waivers *struct {
		File    string `json:"file"`
		Applied int    `json:"applied"`
		Expired []struct {
			Line     int    `json:"line"`
			Resource string `json:"resource"`
			Category string `json:"category"`
			Expires  string `json:"expires"`
		} `json:"expired"`
		Unused []struct {
			Line     int    `json:"line"`
			Resource string `json:"resource"`
		} `json:"unused"`
	} `json:"waivers"`
	Findings []struct {
		FindingTypeID string `json:"finding_type_id"`
		Title         string `json:"title"`
		Resource      struct{ Type, ID string }
		Waived        *bool `json:"waived"`
		Waiver        *struct {
			Reason, Owner, Expires string
		} `json:"waiver"`
	} `json:"findings"`
}

func TestWaiversAcceptance(t *testing.T) {
	w := writeWaivers(t, acceptanceWaivers)

	// JSON: the waived finding is marked, the expired waiver's finding is
	// open, the expired and unused waivers are listed.
	j := runCLI(t, "", "evaluate", acme, "--waivers", w, "--format", "json")
	require.Equal(t, exitOK, j.code, j.stderr)
	assert.Contains(t, j.stderr, "warning: waiver "+w+":10 expired on 2026-11-01: it no longer waives")
	var rep waiverReport
	require.NoError(t, json.Unmarshal([]byte(j.stdout), &rep))
	require.NotNil(t, rep.Waivers)
	assert.Equal(t, w, rep.Waivers.File)
	assert.Equal(t, 1, rep.Waivers.Applied)
	require.Len(t, rep.Waivers.Expired, 1)
	assert.Equal(t, 10, rep.Waivers.Expired[0].Line)
	assert.Equal(t, "g-brand-voice", rep.Waivers.Expired[0].Resource)
	require.Len(t, rep.Waivers.Unused, 1)
	assert.Equal(t, "user-nobody", rep.Waivers.Unused[0].Resource)
	require.NotNil(t, rep.Summary.Waived)
	assert.Equal(t, 1, *rep.Summary.Waived)
	// 45 of the policies, one waived, one about the expired waiver.
	assert.Equal(t, 47, rep.Summary.Total)
	assert.Equal(t, map[string]int{"critical": 2, "high": 17, "medium": 23, "low": 5}, rep.Summary.BySeverity)
	var waived, expiredFinding, brandVoice int
	for _, f := range rep.Findings {
		require.NotNil(t, f.Waived, "with a waivers file every finding says whether it is waived")
		if *f.Waived {
			waived++
			assert.Equal(t, adminRotationID, f.FindingTypeID)
			assert.Equal(t, "key_admin_old", f.Resource.ID)
			require.NotNil(t, f.Waiver)
			assert.Equal(t, "Rotation scheduled with the platform team (TICKET-123)", f.Waiver.Reason)
			assert.Equal(t, "secops@example.com", f.Waiver.Owner)
			assert.Equal(t, "2027-03-01", f.Waiver.Expires)
		} else {
			assert.Nil(t, f.Waiver)
		}
		if f.FindingTypeID == gptStoreID && f.Resource.ID == "g-brand-voice" {
			brandVoice++
			assert.False(t, *f.Waived, "an expired waiver waives nothing")
		}
		if f.Title == "openai-casb: Expired waiver" {
			expiredFinding++
			assert.Equal(t, "waiver", f.Resource.Type)
		}
	}
	assert.Equal(t, 1, waived)
	assert.Equal(t, 1, brandVoice)
	assert.Equal(t, 1, expiredFinding)

	// Table: the waived finding is out of the main list, counted, and
	// listed with --show-waived.
	table := runCLI(t, "", "evaluate", acme, "--waivers", w)
	require.Equal(t, exitOK, table.code)
	assert.NotContains(t, table.stdout, "key_admin_old  Admin API key \"terraform-admin\" was created")
	assert.Contains(t, table.stdout, "1 finding(s) waived by "+w+" (--show-waived lists them)")
	assert.Contains(t, table.stdout, "! waiver "+w+":10 expired on 2026-11-01")
	assert.Contains(t, table.stdout, "! waiver "+w+":15 matched no finding (unused)")
	assert.Regexp(t, `gpt g-brand-voice\s+GPT "Brand Voice" is published in the GPT Store`, table.stdout)
	assert.Contains(t, table.stdout, "47 findings: 2 critical, 17 high, 23 medium, 5 low")
	shown := runCLI(t, "", "evaluate", acme, "--waivers", w, "--show-waived")
	assert.Regexp(t, `high\s+OpenAI: Admin API key not rotated\s+admin_api_key key_admin_old\s+2027-03-01\s+secops@example.com\s+Rotation scheduled`, shown.stdout)

	// SARIF: a suppression, and still a file code scanning accepts.
	s := sarifOf(t, runCLI(t, "", "evaluate", acme, "--waivers", w, "--format", "sarif"))
	var suppressed []string
	raw := runCLI(t, "", "evaluate", acme, "--waivers", w, "--format", "sarif").stdout
	var doc struct {
		Runs []struct {
			Results []struct {
				RuleID       string `json:"ruleId"`
				Suppressions []struct {
					Kind, Status, Justification string
				} `json:"suppressions"`
				Locations []struct {
					LogicalLocations []struct{ Name string } `json:"logicalLocations"`
				} `json:"locations"`
			} `json:"results"`
		} `json:"runs"`
	}
	require.NoError(t, json.Unmarshal([]byte(raw), &doc))
	for _, r := range doc.Runs[0].Results {
		for _, sup := range r.Suppressions {
			suppressed = append(suppressed, r.Locations[0].LogicalLocations[0].Name)
			assert.Equal(t, "external", sup.Kind)
			assert.Equal(t, "accepted", sup.Status)
			assert.Contains(t, sup.Justification, "Rotation scheduled with the platform team (TICKET-123)")
			assert.Contains(t, sup.Justification, "expires 2027-03-01")
		}
	}
	assert.Equal(t, []string{"key_admin_old"}, suppressed)
	assert.Len(t, s.Runs[0].Results, 48, "waived results stay, suppressed")

	// --fail-on high: 2 criticals and 18 highs, less the waived one.
	gate := runCLI(t, "", "evaluate", acme, "--waivers", w, "--fail-on", "high")
	assert.Equal(t, exitFindings, gate.code)
	assert.Contains(t, gate.stderr, "19 finding(s) at or above high")

	// GitHub annotations leave the waived finding out.
	gh := runCLI(t, "", "evaluate", acme, "--waivers", w, "--format", "github")
	assert.NotContains(t, gh.stdout, "Admin API key %22terraform-admin%22 was created")
	assert.NotContains(t, gh.stdout, "Admin API key \"terraform-admin\" was created")
	assert.Contains(t, gh.stdout, "Admin API key \"terraform-admin\" never expires [admin_api_key key_admin_old]", "only the waived finding type is left out")
	assert.Contains(t, gh.stdout, "1 waived")

	// --strict-waivers: the unused waiver is a low finding too.
	strict := runCLI(t, "", "evaluate", acme, "--waivers", w, "--strict-waivers")
	assert.Regexp(t, `openai-casb: Unused waiver\s+waiver finding_type_id=20ab9ddb-fd48-46a8-9fdf-9bb9b9061f21 resource=user-nobody\s+Waiver \S+:15 selects no finding`, strict.stdout)
	assert.Contains(t, strict.stdout, "48 findings: 2 critical, 17 high, 23 medium, 6 low")
}

// Waiving a finding whose only highs are waived lets --fail-on high pass.
func TestWaivedFindingsDoNotFailTheBuild(t *testing.T) {
	w := writeWaivers(t, `waivers:
  - category: API key hygiene
    resource: "*"
    reason: Key rotation project (TICKET-9)
    expires: 2027-01-01
  - category: Publishing and sharing
    resource: "*"
    reason: Reviewed
    expires: 2027-01-01
  - category: Model and tool governance
    resource: "*"
    reason: Reviewed
    expires: 2027-01-01
  - category: Access security
    resource: invite-*
    reason: Reviewed
    expires: 2027-01-01
  - category: Credentials
    resource: "*"
    reason: Reviewed
    expires: 2027-01-01
  - category: Identity
    resource: "*"
    reason: Reviewed
    expires: 2027-01-01
  - category: Tools and agents
    resource: "*"
    reason: Reviewed
    expires: 2027-01-01
  - category: Operations
    resource: "*"
    reason: Reviewed
    expires: 2027-01-01
`)
	r := runCLI(t, "", "evaluate", acme, "--waivers", w, "--fail-on", "high")
	assert.Equal(t, exitOK, r.code, r.stdout+r.stderr)
	assert.Contains(t, r.stdout, "finding(s) waived")
}

func TestWaiversFileErrorsExit2WithFileLineAndField(t *testing.T) {
	w := writeWaivers(t, "waivers:\n  - category: C\n    resource: r\n    reason: x\n    expires: soon\n")
	r := runCLI(t, "", "evaluate", acme, "--waivers", w)
	assert.Equal(t, exitError, r.code)
	assert.Contains(t, r.stderr, w+":5: waivers[0].expires: want a date such as 2027-03-01, got \"soon\"")
	assert.Empty(t, r.stdout)

	far := writeWaivers(t, "waivers:\n  - category: C\n    resource: r\n    reason: x\n    expires: 2028-01-01\n")
	r = runCLI(t, "", "evaluate", acme, "--waivers", far)
	assert.Equal(t, exitError, r.code)
	assert.Contains(t, r.stderr, far+":5: waivers[0].expires: 2028-01-01 is more than max_days (365) after the evaluation date 2026-11-26")

	r = runCLI(t, "", "evaluate", acme, "--waivers", filepath.Join(t.TempDir(), "missing.yaml"))
	assert.Equal(t, exitError, r.code)
	assert.Contains(t, r.stderr, "read waivers:")
}

func TestWaiversFileOfTheWorkingDirectory(t *testing.T) {
	abs, err := filepath.Abs(acme)
	require.NoError(t, err)
	dir := t.TempDir()
	t.Chdir(dir)
	none := runCLI(t, "", "evaluate", abs, "--format", "json")
	require.Equal(t, exitOK, none.code)
	assert.NotContains(t, none.stdout, `"waivers"`, "no waivers file, no waivers member")
	assert.NotContains(t, none.stdout, `"waived"`)

	require.NoError(t, os.WriteFile(filepath.Join(dir, "openai-casb-waivers.yaml"), []byte(acceptanceWaivers), 0o600))
	r := runCLI(t, "", "evaluate", abs, "--format", "json")
	require.Equal(t, exitOK, r.code)
	assert.Contains(t, r.stderr, "using the waivers in openai-casb-waivers.yaml (found in the working directory")
	assert.Contains(t, r.stdout, `"waived": true`)

	other := writeWaivers(t, "waivers: []\n")
	r = runCLI(t, "", "evaluate", abs, "--format", "json", "--waivers", other)
	require.Equal(t, exitOK, r.code)
	assert.NotContains(t, r.stderr, "found in the working directory", "--waivers wins")
	assert.NotContains(t, r.stdout, `"waived": true`)
}

// Waivers apply to a baseline comparison as to any evaluation, and the
// inventory is never touched.
func TestWaiversWithABaselineAndTheInventoryUnchanged(t *testing.T) {
	before, err := os.ReadFile(acme)
	require.NoError(t, err)
	w := writeWaivers(t, acceptanceWaivers)
	previous := filepath.Join(t.TempDir(), "previous.json")
	require.Equal(t, exitOK, runCLI(t, "", "evaluate", acme, "--format", "json", "--output", previous).code)
	r := runCLI(t, "", "evaluate", acme, "--waivers", w, "--baseline", previous, "--fail-on-new")
	// The expired waiver's finding is new: nothing else is.
	assert.Equal(t, exitFindings, r.code)
	assert.Contains(t, r.stderr, "1 new or changed finding(s) at or above low")
	assert.Regexp(t, `new\s+openai-casb: Expired waiver`, r.stdout)
	after, err := os.ReadFile(acme)
	require.NoError(t, err)
	assert.Equal(t, before, after)
}

// scan and demo apply waivers as evaluate does.
func TestWaiversInScanAndDemo(t *testing.T) {
	src := simulator.Generate(simulator.GenerateOptions{Users: 20, Seed: 3, Plant: true})
	base := startSimulator(t, src, simulator.Options{})
	w := writeWaivers(t, `waivers:
  - category: Access security
    resource: "*"
    reason: Access review in progress
    expires: 2099-01-01
`)
	// The waiver is checked against the scan's own clock; the far date
	// needs a large max_days.
	w = writeWaivers(t, "max_days: 40000\n"+mustRead(t, w))
	scan := runEnv(t, simEnv(src), "", "scan", "--format", "json", "--api-base-url", base, "--compliance-base-url", base, "--waivers", w)
	require.Equal(t, exitOK, scan.code, scan.stderr)
	assertSomeWaived(t, scan.stdout, "Access security")

	demo := runCLI(t, "", "demo", "--format", "json", "--waivers", w)
	require.Equal(t, exitOK, demo.code, demo.stderr)
	assertSomeWaived(t, demo.stdout, "Access security")
}

func mustRead(t *testing.T, path string) string {
	t.Helper()
	raw, err := os.ReadFile(path)
	require.NoError(t, err)
	return regexp.MustCompile(`(?m)^max_days:.*\n`).ReplaceAllString(string(raw), "")
}

func assertSomeWaived(t *testing.T, out, category string) {
	t.Helper()
	var rep struct {
		Waivers  struct{ Applied int } `json:"waivers"`
		Findings []struct {
			Category string `json:"category"`
			Waived   bool   `json:"waived"`
		} `json:"findings"`
	}
	require.NoError(t, json.Unmarshal([]byte(out), &rep))
	assert.Positive(t, rep.Waivers.Applied)
	for _, f := range rep.Findings {
		assert.Equal(t, f.Category == category, f.Waived, "%+v", f)
	}
}
