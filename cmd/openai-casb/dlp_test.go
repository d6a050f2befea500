package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/openai-casb/openai-casb/dlp"
	"github.com/openai-casb/openai-casb/inventory"
	"github.com/openai-casb/openai-casb/simulator"
)

var dlpFindingTypes = []string{
	"9aca654d-b331-4052-a5b4-2ceecced8676", // conversation
	"520200f5-7dcc-42c9-bc3c-423019159d45", // GPT
	"8e46ec69-e5c1-4f53-ab00-a92f2050ec33", // project
}

func findingTypes(t *testing.T, out string) map[string]int {
	t.Helper()
	ids := map[string]int{}
	for _, f := range parseReport(t, out).Findings {
		ids[f.FindingTypeID]++
	}
	return ids
}

func TestDemoDLPShowsEveryDLPFindingTypeAndOnlyWithDLP(t *testing.T) {
	with := runCLI(t, "", "demo", "--dlp", "--format", "json")
	require.Equal(t, exitOK, with.code, with.stderr)
	ids := findingTypes(t, with.stdout)
	assert.Len(t, ids, 34, "every finding type the demo organization's lists can show")
	for _, id := range dlpFindingTypes {
		assert.Positive(t, ids[id], id)
	}

	without := runCLI(t, "", "demo", "--format", "json")
	require.Equal(t, exitOK, without.code, without.stderr)
	ids = findingTypes(t, without.stdout)
	for _, id := range dlpFindingTypes {
		assert.Zero(t, ids[id], id)
	}
}

// The demo's DLP findings, whole: which files fire which profile, and the
// evidence each carries (counts at the profile's min_confidence, redacted
// samples, each detection's confidence and matches per confidence). The
// demo's clock moves; its DLP findings do not.
func TestGoldenDemoDLPFindings(t *testing.T) {
	r := runCLI(t, "", "demo", "--dlp", "--format", "json")
	require.Equal(t, exitOK, r.code, r.stderr)
	var doc struct {
		Findings []map[string]any `json:"findings"`
	}
	require.NoError(t, json.Unmarshal([]byte(r.stdout), &doc))
	var found []map[string]any
	for _, f := range doc.Findings {
		if f["category"] == "Data Loss Prevention" {
			found = append(found, f)
		}
	}
	require.NotEmpty(t, found)
	out, err := json.MarshalIndent(found, "", "  ")
	require.NoError(t, err)
	golden(t, filepath.Join("testdata", "golden", "demo-dlp.json"), string(out)+"\n")
}

// dlpScan scans a simulated workspace with planted files.
func dlpScan(t *testing.T, args ...string) (result, *inventory.Inventory) {
	t.Helper()
	src := simulator.Generate(simulator.GenerateOptions{Users: 40, Seed: 9, Plant: true, CollectedAt: time.Now().Unix()})
	content := simulator.GenerateContent(src, simulator.ContentOptions{Plant: true, Files: 20, Seed: 9})
	base := startSimulator(t, src, simulator.Options{MaxPageSize: 5, Content: content})
	return runEnv(t, simEnv(src), "", append([]string{"scan", "--api-base-url", base, "--compliance-base-url", base, "--compliance-rate", "0"}, args...)...), src
}

// The acceptance test of DLP's promise: no sensitive value of the planted
// files reaches the inventory, any report format, or the logs, even with
// --debug.
func TestNoPlantedValueReachesAnyOutput(t *testing.T) {
	dir := t.TempDir()
	saved := filepath.Join(dir, "inv.json")
	var outputs []string
	for _, format := range []string{"table", "json", "sarif", "github"} {
		r, _ := dlpScan(t, "--dlp", "--debug", "--format", format, "--save-inventory", saved, "--sarif-root", dir)
		require.Equal(t, exitOK, r.code, r.stderr)
		require.Contains(t, r.stdout, "deploy-notes.md", "the %s report shows the DLP findings", format)
		if format == "sarif" {
			doc := sarifOf(t, r)
			for _, res := range doc.Runs[0].Results {
				require.NotEmpty(t, res.Locations)
				assert.Positive(t, res.line(), "every result points at a line of the inventory: %s", res.resource())
			}
		}
		outputs = append(outputs, r.stdout, r.stderr)
		raw, err := os.ReadFile(saved)
		require.NoError(t, err)
		outputs = append(outputs, string(raw))
		assert.Contains(t, string(raw), `"by_confidence"`, "detections record their matches per confidence")
	}
	ev := runCLI(t, "", "evaluate", saved, "--format", "json")
	require.Equal(t, exitOK, ev.code, ev.stderr)
	outputs = append(outputs, ev.stdout)
	assert.Contains(t, ev.stdout, `"profile": "credentials_and_secrets"`, "a saved inventory keeps the profiles enabled for it")

	values := simulator.PlantedSensitiveValues()
	require.NotEmpty(t, values)
	for i, out := range outputs {
		for _, v := range values {
			// A card or IBAN written without its separators must not
			// appear either.
			for _, form := range []string{v, strings.NewReplacer(" ", "", "-", "").Replace(v)} {
				if at := strings.Index(out, form); at >= 0 {
					t.Errorf("output %d holds the planted value %.6s…: %q", i, form, out[max(0, at-80):min(len(out), at+len(form)+20)])
				}
			}
		}
	}
}

func TestScanWithoutDLPFetchesNoFiles(t *testing.T) {
	r, _ := dlpScan(t, "--format", "json", "--debug")
	require.Equal(t, exitOK, r.code, r.stderr)
	assert.NotContains(t, r.stderr, "_files/")
	assert.NotContains(t, r.stderr, "/logs")
	for _, id := range dlpFindingTypes {
		assert.Zero(t, findingTypes(t, r.stdout)[id])
	}
}

// exportedPolicies writes the built-in policies to a directory and applies
// edits to its config.rego.
func exportedPolicies(t *testing.T, edits ...[2]string) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "policies")
	r := runCLI(t, "", "policies", "export", dir)
	require.Equal(t, exitOK, r.code, r.stderr)
	path := filepath.Join(dir, "config.rego")
	raw, err := os.ReadFile(path)
	require.NoError(t, err)
	s := string(raw)
	for _, e := range edits {
		require.Contains(t, s, e[0])
		s = strings.Replace(s, e[0], e[1], 1)
	}
	require.NoError(t, os.WriteFile(path, []byte(s), 0o644))
	return dir
}

// A profile of the user's own, with a custom detector, enabled in the
// configuration: DLP runs without --dlp, and only that profile fires.
func TestCustomProfileEnabledInTheConfiguration(t *testing.T) {
	dir := exportedPolicies(t,
		[2]string{"dlp_custom_detectors := {}", `dlp_custom_detectors := {"acme_codename": {"keywords": ["project bluebird"]}}`},
		[2]string{`dlp_profiles := {`, `dlp_profiles := {
	"codenames": {"title": "Codenames", "enabled": true, "detectors": ["acme_codename"], "min_matches": 1},`},
	)
	r, _ := dlpScan(t, "--policies", dir, "--format", "json")
	require.Equal(t, exitOK, r.code, r.stderr)
	rep := parseReport(t, r.stdout)
	var dlpFindings []string
	for _, f := range rep.Findings {
		if f.FindingTypeID == dlpFindingTypes[2] || f.FindingTypeID == dlpFindingTypes[1] || f.FindingTypeID == dlpFindingTypes[0] {
			dlpFindings = append(dlpFindings, f.Message)
		}
	}
	assert.Equal(t, []string{`File "architecture.docx" in ChatGPT project "Engineering" matches DLP profile Codenames: 1 acme_codename`}, dlpFindings)
}

func TestDLPConfigurationErrors(t *testing.T) {
	cases := []struct {
		name string
		edit [2]string
		want string
	}{
		{"unknown detector", [2]string{`"detectors": ["us_ssn", "uk_nino"]`, `"detectors": ["us_ssn", "uk_nin"]`},
			`data.openai.config.dlp_profiles.national_identifiers.detectors: unknown detector "uk_nin"`},
		{"bad pattern", [2]string{"dlp_custom_detectors := {}", `dlp_custom_detectors := {"bad": {"pattern": "ACME-("}}`},
			`custom DLP detector "bad": error parsing regexp`},
		{"built-in name", [2]string{"dlp_custom_detectors := {}", `dlp_custom_detectors := {"jwt": {"keywords": ["x"]}}`},
			`custom DLP detector "jwt": the name of a built-in detector`},
		{"bad size", [2]string{"dlp_max_file_bytes := 20971520", "dlp_max_file_bytes := 0"},
			"data.openai.config.dlp_max_file_bytes: minimum: got 0, want 1"},
		{"enabled not a boolean", [2]string{`"enabled": false,
		"detectors": ["payment_card", "iban"]`, `"enabled": "yes",
		"detectors": ["payment_card", "iban"]`},
			"data.openai.config.dlp_profiles.financial_information.enabled: got string, want boolean"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := exportedPolicies(t, tc.edit)
			for _, args := range [][]string{
				{"collect", "--policies", dir, "--output", filepath.Join(t.TempDir(), "x.json")},
				{"policies", "dlp", "--policies", dir},
			} {
				r := runEnv(t, map[string]string{envAdminKey: testKey}, "", args...)
				assert.Equal(t, exitError, r.code, r.stderr)
				assert.Contains(t, r.stderr, tc.want)
			}
		})
	}

	noProfiles := exportedPolicies(t, [2]string{"dlp_profiles := {", "dlp_profiles := {}\n\nunused_profiles := {"})
	r := runEnv(t, map[string]string{envAdminKey: testKey}, "", "collect", "--dlp", "--policies", noProfiles)
	assert.Equal(t, exitError, r.code, r.stderr)
	assert.Contains(t, r.stderr, "--dlp: the policies define no DLP profiles")
}

func TestPoliciesDLPListsProfilesAndDetectors(t *testing.T) {
	r := runCLI(t, "", "policies", "dlp")
	require.Equal(t, exitOK, r.code, r.stderr)
	assert.Regexp(t, `(?m)^credentials_and_secrets\s+false\s+1\s+\w+\s+openai_api_key, `, r.stdout)
	assert.Regexp(t, `(?m)^payment_card\s+built-in\s+payment card numbers`, r.stdout)
	assert.Contains(t, r.stdout, "files larger than 20971520 bytes are not read")

	j := runCLI(t, "", "policies", "dlp", "--format", "json")
	require.Equal(t, exitOK, j.code, j.stderr)
	var doc struct {
		Profiles []struct {
			Name    string `json:"name"`
			Enabled bool   `json:"enabled"`
		} `json:"profiles"`
		Detectors []struct{ Name string } `json:"detectors"`
	}
	require.NoError(t, json.Unmarshal([]byte(j.stdout), &doc))
	assert.Len(t, doc.Profiles, 3)
	assert.Len(t, doc.Detectors, len(dlp.Builtin))
}
