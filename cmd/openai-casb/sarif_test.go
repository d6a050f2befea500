package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/samber/lo"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/openai-casb/openai-casb/internal/sarifcheck"
	"github.com/openai-casb/openai-casb/inventory"
	"github.com/openai-casb/openai-casb/simulator"
)

// repoRoot is where the SARIF paths of the golden files are relative to.
var repoRoot = filepath.Join("..", "..")

type sarifDoc struct {
	Runs []struct {
		Tool struct {
			Driver struct {
				Rules []struct {
					ID string `json:"id"`
				} `json:"rules"`
			} `json:"driver"`
		} `json:"tool"`
		Invocations []struct {
			ExecutionSuccessful        bool `json:"executionSuccessful"`
			ToolExecutionNotifications []struct {
				Level   string `json:"level"`
				Message struct{ Text string }
			} `json:"toolExecutionNotifications"`
		} `json:"invocations"`
		Results []sarifResult `json:"results"`
	} `json:"runs"`
}

type sarifResult struct {
	RuleID    string `json:"ruleId"`
	Level     string `json:"level"`
	Locations []struct {
		PhysicalLocation struct {
			ArtifactLocation struct{ URI string }
			Region           struct{ StartLine int }
		} `json:"physicalLocation"`
		LogicalLocations []struct {
			Name, FullyQualifiedName string
		} `json:"logicalLocations"`
	} `json:"locations"`
	PartialFingerprints map[string]string `json:"partialFingerprints"`
	BaselineState       string            `json:"baselineState"`
}

func (r sarifResult) line() int   { return r.Locations[0].PhysicalLocation.Region.StartLine }
func (r sarifResult) uri() string { return r.Locations[0].PhysicalLocation.ArtifactLocation.URI }
func (r sarifResult) resource() string {
	return r.Locations[0].LogicalLocations[0].FullyQualifiedName
}

func sarifOf(t *testing.T, r result) sarifDoc {
	t.Helper()
	require.NotEqual(t, exitError, r.code, r.stderr)
	sarifcheck.Check(t, []byte(r.stdout))
	var doc sarifDoc
	require.NoError(t, json.Unmarshal([]byte(r.stdout), &doc))
	require.Len(t, doc.Runs, 1)
	return doc
}

func TestSARIFOfAcme(t *testing.T) {
	r := runCLI(t, "", "evaluate", acme, "--format", "sarif", "--sarif-root", repoRoot)
	require.Equal(t, exitOK, r.code, r.stderr)
	doc := sarifOf(t, r)
	golden(t, filepath.Join("testdata", "golden", "acme.sarif"), r.stdout)
	assert.Len(t, doc.Runs[0].Tool.Driver.Rules, 37)
	assert.Len(t, doc.Runs[0].Results, 47)
	assert.True(t, doc.Runs[0].Invocations[0].ExecutionSuccessful)
}

// objectAt decodes the JSON object that starts on the given line of a file.
func objectAt(t *testing.T, raw []byte, line int) map[string]any {
	t.Helper()
	lines := strings.SplitAfter(string(raw), "\n")
	require.Less(t, line-1, len(lines))
	rest := strings.Join(lines[line-1:], "")
	rest = rest[strings.IndexByte(rest, '{'):]
	var obj map[string]any
	require.NoError(t, json.NewDecoder(strings.NewReader(rest)).Decode(&obj), "line %d", line)
	return obj
}

// Each result's startLine is the line where its resource's object starts
// in the inventory file, in the hand-indented fixture and in the format
// the collector writes.
func TestSARIFStartLinesAreTheResourcesLines(t *testing.T) {
	written := filepath.Join(t.TempDir(), "written.json")
	inv, err := inventory.Load(acme)
	require.NoError(t, err)
	require.NoError(t, inventory.Save(written, inv))
	for _, file := range []string{acme, written} {
		raw, err := os.ReadFile(file)
		require.NoError(t, err)
		doc := sarifOf(t, runCLI(t, "", "evaluate", file, "--format", "sarif"))
		require.NotEmpty(t, doc.Runs[0].Results)
		for _, res := range doc.Runs[0].Results {
			typ, id, _ := strings.Cut(res.resource(), "/")
			obj := objectAt(t, raw, res.line())
			assert.Equal(t, id, obj["id"], "%s %s at line %d of %s", typ, id, res.line(), file)
			assert.Greater(t, res.line(), 1)
		}
	}
}

// shuffled writes the inventory with its resources in another order.
func shuffled(t *testing.T, inv *inventory.Inventory) string {
	t.Helper()
	c := *inv
	c.AdminAPIKeys = slices.Clone(inv.AdminAPIKeys)
	slices.Reverse(c.AdminAPIKeys)
	c.Users = slices.Clone(inv.Users)
	slices.Reverse(c.Users)
	c.Invites = slices.Clone(inv.Invites)
	slices.Reverse(c.Invites)
	c.GPTs = slices.Clone(inv.GPTs)
	slices.Reverse(c.GPTs)
	c.Projects = slices.Clone(inv.Projects)
	slices.Reverse(c.Projects)
	path := filepath.Join(t.TempDir(), "moved.json")
	require.NoError(t, inventory.Save(path, &c))
	return path
}

func TestFingerprintsSurviveResourcesMoving(t *testing.T) {
	inv, err := inventory.Load(acme)
	require.NoError(t, err)
	before := sarifOf(t, runCLI(t, "", "evaluate", acme, "--format", "sarif"))
	after := sarifOf(t, runCLI(t, "", "evaluate", shuffled(t, inv), "--format", "sarif"))

	index := func(doc sarifDoc) (map[string]string, map[string]int) {
		fps, lines := map[string]string{}, map[string]int{}
		for _, r := range doc.Runs[0].Results {
			key := r.RuleID + " " + r.resource()
			fps[key] = r.PartialFingerprints["primaryLocationLineHash"]
			lines[key] = r.line()
		}
		return fps, lines
	}
	fpBefore, linesBefore := index(before)
	fpAfter, linesAfter := index(after)
	assert.Equal(t, fpBefore, fpAfter, "fingerprints do not move with lines")
	assert.NotEqual(t, linesBefore, linesAfter, "the lines did move")
}

// The baseline acceptance test: evaluate, change the inventory (remove one
// finding's cause, add another), evaluate with --baseline: exactly one new,
// one absent, the rest unchanged. Both report formats serve as baselines.
func TestBaselineMarksNewUnchangedAbsent(t *testing.T) {
	inv, err := inventory.Load(acme)
	require.NoError(t, err)
	dir := t.TempDir()
	for i := range inv.Invites {
		if inv.Invites[i].ID == "invite-stale" { // no longer stale: accepted
			inv.Invites[i].Status, inv.Invites[i].AcceptedAt = lo.ToPtr("accepted"), lo.ToPtr(inv.CollectedAt-86400)
		}
	}
	for i := range inv.GPTs {
		if inv.GPTs[i].ID == "g-policy-helper" { // newly shared publicly
			inv.GPTs[i].Visibility, inv.GPTs[i].VisibilityRaw = "anyone-with-link", lo.ToPtr("anyone-with-link")
		}
	}
	changed := filepath.Join(dir, "changed.json")
	require.NoError(t, inventory.Save(changed, inv))

	for _, format := range []string{"json", "sarif"} {
		t.Run(format, func(t *testing.T) {
			previous := filepath.Join(dir, "previous."+format)
			require.Equal(t, exitOK, runCLI(t, "", "evaluate", acme, "--format", format, "--output", previous).code)

			j := runCLI(t, "", "evaluate", changed, "--format", "json", "--baseline", previous)
			require.Equal(t, exitOK, j.code, j.stderr)
			var rep struct {
				Summary struct {
					Total    int
					Baseline map[string]any
				}
				Findings []struct {
					BaselineState string `json:"baseline_state"`
					Resource      struct{ ID string }
				}
			}
			require.NoError(t, json.Unmarshal([]byte(j.stdout), &rep))
			states := map[string][]string{}
			for _, f := range rep.Findings {
				states[f.BaselineState] = append(states[f.BaselineState], f.Resource.ID)
			}
			assert.Equal(t, []string{"g-policy-helper"}, states["new"])
			assert.Equal(t, []string{"invite-stale"}, states["absent"])
			assert.Len(t, states["unchanged"], 46)
			assert.Len(t, states, 3)
			assert.Equal(t, 47, rep.Summary.Total, "absent findings are not counted as current")
			assert.Equal(t, map[string]any{"file": previous, "new": 1.0, "changed": 0.0, "unchanged": 46.0, "absent": 1.0}, rep.Summary.Baseline)

			s := sarifOf(t, runCLI(t, "", "evaluate", changed, "--format", "sarif", "--baseline", previous))
			count := map[string]int{}
			for _, r := range s.Runs[0].Results {
				count[r.BaselineState]++
			}
			assert.Equal(t, map[string]int{"new": 1, "unchanged": 46, "absent": 1}, count)

			table := runCLI(t, "", "evaluate", changed, "--baseline", previous)
			assert.Contains(t, table.stdout, "STATE")
			assert.Regexp(t, `new\s+OpenAI: GPT publicly accessible via public link\s+gpt g-policy-helper`, table.stdout)
			assert.Regexp(t, `absent\s+OpenAI: Stale pending invite\s+invite invite-stale`, table.stdout)
			assert.Contains(t, table.stdout, "against the baseline: 1 new, 0 changed, 46 unchanged, 1 absent")
		})
	}
}

func TestFailOnNew(t *testing.T) {
	previous := filepath.Join(t.TempDir(), "previous.json")
	require.Equal(t, exitOK, runCLI(t, "", "evaluate", acme, "--format", "json", "--output", previous).code)

	same := runCLI(t, "", "evaluate", acme, "--baseline", previous, "--fail-on-new", "--fail-on", "low")
	assert.Equal(t, exitOK, same.code, "nothing new: known findings do not fail the build")
	assert.Equal(t, exitFindings, runCLI(t, "", "evaluate", acme, "--baseline", previous, "--fail-on", "low").code,
		"without --fail-on-new the known findings still fail it")

	inv, err := inventory.Load(acme)
	require.NoError(t, err)
	inv.Invites[len(inv.Invites)-1].Role = lo.ToPtr("owner") // invite-fresh becomes high-privilege
	changed := filepath.Join(t.TempDir(), "changed.json")
	require.NoError(t, inventory.Save(changed, inv))
	r := runCLI(t, "", "evaluate", changed, "--baseline", previous, "--fail-on-new")
	assert.Equal(t, exitFindings, r.code)
	assert.Contains(t, r.stderr, "1 new or changed finding(s) at or above low")
	assert.Equal(t, exitOK, runCLI(t, "", "evaluate", changed, "--baseline", previous, "--fail-on-new", "--fail-on", "critical").code)

	bad := runCLI(t, "", "evaluate", acme, "--fail-on-new")
	assert.Equal(t, exitError, bad.code)
	assert.Contains(t, bad.stderr, "--fail-on-new needs --baseline")
}

// A GPT that gains an action domain keeps its one finding (one identity),
// whose evidence now lists both domains: the finding is changed in every
// format, and --fail-on-new fails on it. The same inventory a day later is
// unchanged: the ages in messages grow, nothing else does.
func TestBaselineChanged(t *testing.T) {
	dir := t.TempDir()
	inv, err := inventory.Load(acme)
	require.NoError(t, err)
	var gpt *inventory.GPT
	for i := range inv.GPTs {
		if inv.GPTs[i].ID == "g-acme-crm" {
			gpt = &inv.GPTs[i]
		}
	}
	require.NotNil(t, gpt)
	var action inventory.GPTTool
	for _, tool := range gpt.Tools {
		if tool.Type == "custom_action" {
			action = tool
		}
	}
	require.Equal(t, "custom_action", action.Type)
	action.ActionDomain = lo.ToPtr("hooks.unknown-vendor.example")
	gpt.Tools = append(gpt.Tools, action)
	grown := filepath.Join(dir, "grown.json")
	require.NoError(t, inventory.Save(grown, inv))

	for _, format := range []string{"json", "sarif"} {
		t.Run(format, func(t *testing.T) {
			previous := filepath.Join(dir, "previous."+format)
			require.Equal(t, exitOK, runCLI(t, "", "evaluate", acme, "--format", format, "--output", previous).code)

			later := runCLI(t, "", "evaluate", acme, "--baseline", previous, "--fail-on-new", "--now", "2026-11-27T00:00:00Z")
			assert.Equal(t, exitOK, later.code, "a day later nothing changed but ages: %s", later.stdout)
			assert.Contains(t, later.stdout, "0 new, 0 changed, 47 unchanged, 0 absent")

			j := runCLI(t, "", "evaluate", grown, "--format", "json", "--baseline", previous)
			require.Equal(t, exitOK, j.code, j.stderr)
			rep := parseReport(t, j.stdout)
			var crm []reportFinding
			for _, f := range rep.Findings {
				if f.Resource.ID == "g-acme-crm" && f.FindingTypeID == customActionsID {
					crm = append(crm, f)
				}
			}
			require.Len(t, crm, 1, "one finding per GPT")
			assert.Equal(t, "changed", crm[0].BaselineState)
			assert.JSONEq(t, `["crm.acme-partner.example","hooks.unknown-vendor.example"]`, string(crm[0].Evidence["action_domains"]))

			s := sarifOf(t, runCLI(t, "", "evaluate", grown, "--format", "sarif", "--baseline", previous))
			count := map[string]int{}
			for _, r := range s.Runs[0].Results {
				count[r.BaselineState]++
			}
			assert.Equal(t, map[string]int{"updated": 1, "unchanged": 46}, count)

			table := runCLI(t, "", "evaluate", grown, "--baseline", previous, "--fail-on-new")
			assert.Equal(t, exitFindings, table.code)
			assert.Regexp(t, `changed\s+OpenAI: GPT with Custom Actions enabled\s+gpt g-acme-crm`, table.stdout)
			assert.Contains(t, table.stdout, "against the baseline: 0 new, 1 changed, 46 unchanged, 0 absent")
			assert.Contains(t, table.stderr, "1 new or changed finding(s) at or above low")

			gh := runCLI(t, "", "evaluate", grown, "--format", "github", "--baseline", previous)
			assert.Contains(t, gh.stdout, "title=OpenAI%3A GPT with Custom Actions enabled (changed)")
		})
	}
}

// What is reported and what fails the build are independent: a full report
// and a non-zero exit only on highs, or only highs reported and the exit
// decided on everything.
func TestSeverityFilterAndFailOnAreIndependent(t *testing.T) {
	full := runCLI(t, "", "evaluate", acme, "--format", "json", "--fail-on", "high")
	assert.Equal(t, exitFindings, full.code)
	assert.Len(t, parseReport(t, full.stdout).Findings, 47)

	highs := runCLI(t, "", "evaluate", acme, "--format", "json", "--severity", "high,critical", "--fail-on", "low")
	assert.Equal(t, exitFindings, highs.code)
	assert.Contains(t, highs.stderr, "47 finding(s) at or above low", "the exit sees every finding")
	rep := parseReport(t, highs.stdout)
	assert.Len(t, rep.Findings, 20)

	lows := runCLI(t, "", "evaluate", acme, "--format", "sarif", "--severity", "low")
	doc := sarifOf(t, lows)
	assert.Len(t, doc.Runs[0].Results, 4)
	assert.Len(t, doc.Runs[0].Tool.Driver.Rules, 37, "rules stay: the catalog is not filtered")

	bad := runCLI(t, "", "evaluate", acme, "--severity", "high,urgent")
	assert.Equal(t, exitError, bad.code)
	assert.Contains(t, bad.stderr, `--severity: unknown severity "urgent"`)
}

func TestGitHubFormat(t *testing.T) {
	r := runCLI(t, "", "evaluate", acme, "--format", "github", "--sarif-root", repoRoot)
	require.Equal(t, exitOK, r.code, r.stderr)
	golden(t, filepath.Join("testdata", "golden", "acme.github"), r.stdout)
	lines := strings.Split(strings.TrimSpace(r.stdout), "\n")
	assert.Len(t, lines, 48, "an annotation per finding and the summary")
	assert.Regexp(t, `^::error file=fixtures/inventory/acme.json,line=\d+,title=OpenAI%3A Secret in a GPT's instructions or action definition::`, lines[0])
	assert.Equal(t, "openai-casb: 47 findings: 2 critical, 18 high, 23 medium, 4 low", lines[47])
}

// An over-limit report still yields a valid file: 40,000 findings, of which
// code scanning accepts 25,000.
func TestSARIFOverTheLimit(t *testing.T) {
	inv := simulator.Generate(simulator.GenerateOptions{Users: 10, Seed: 1})
	inv.AdminAPIKeys = nil
	for i := 0; i < 30_000; i++ {
		inv.AdminAPIKeys = append(inv.AdminAPIKeys, inventory.AdminAPIKey{
			ID: fmt.Sprintf("key_admin_%05d", i), Name: lo.ToPtr(fmt.Sprintf("old-%d", i)), CreatedAt: lo.ToPtr(inv.CollectedAt - 200*86400), LastUsedAt: lo.ToPtr(inv.CollectedAt),
		})
	}
	inv.Invites = nil
	for i := 0; i < 10_000; i++ {
		inv.Invites = append(inv.Invites, inventory.Invite{
			ID: fmt.Sprintf("invite-%05d", i), Email: fmt.Sprintf("i%d@x.example", i), Role: lo.ToPtr("reader"), Status: lo.ToPtr("pending"), CreatedAt: lo.ToPtr(inv.CollectedAt - 60*86400),
		})
	}
	path := filepath.Join(t.TempDir(), "big.json")
	require.NoError(t, inventory.Save(path, inv))

	j := parseReport(t, runCLI(t, "", "evaluate", path, "--format", "json").stdout)
	require.GreaterOrEqual(t, len(j.Findings), 40_000)

	r := runCLI(t, "", "evaluate", path, "--format", "sarif")
	doc := sarifOf(t, r)
	assert.Len(t, doc.Runs[0].Results, 25_000)
	for _, res := range doc.Runs[0].Results {
		require.Equal(t, "error", res.Level, "the most severe are kept")
	}
	notes := doc.Runs[0].Invocations[0].ToolExecutionNotifications
	assert.Contains(t, notes[len(notes)-1].Message.Text, fmt.Sprintf("kept the 25000 most severe of %d results", len(j.Findings)))
	assert.Contains(t, r.stderr, "warning: SARIF: kept the 25000 most severe")
}

func TestScanSARIFSavesTheInventoryItPointsAt(t *testing.T) {
	src := simulator.Generate(simulator.GenerateOptions{Users: 30, Seed: 9, Plant: true})
	base := startSimulator(t, src, simulator.Options{})
	dir := t.TempDir()
	t.Chdir(dir)
	r := runEnv(t, simEnv(src), "", "scan", "--format", "sarif", "--api-base-url", base, "--compliance-base-url", base)
	require.Equal(t, exitOK, r.code, r.stderr)
	assert.Contains(t, r.stderr, "--format sarif points results at lines of the inventory: saving it as openai-inventory.json")
	doc := sarifOf(t, r)
	raw, err := os.ReadFile(filepath.Join(dir, "openai-inventory.json"))
	require.NoError(t, err)
	for _, res := range doc.Runs[0].Results {
		assert.Equal(t, "openai-inventory.json", res.uri())
		_, id, _ := strings.Cut(res.resource(), "/")
		assert.Equal(t, id, objectAt(t, raw, res.line())["id"])
	}
}

func TestSARIFNeedsAFile(t *testing.T) {
	raw, err := os.ReadFile(acme)
	require.NoError(t, err)
	r := runCLI(t, string(raw), "evaluate", "-", "--format", "sarif")
	assert.Equal(t, exitError, r.code)
	assert.Contains(t, r.stderr, "read it from a file, not standard input")
}

// A policy error still produces a SARIF file that says the run failed, for
// pipelines that upload whatever was written; the exit code is 2.
func TestSARIFOfAPolicyError(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "p")
	require.Equal(t, exitOK, runCLI(t, "", "policies", "export", dir).code)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "broken.rego"), []byte("package broken\n\ndeny contains x if {\n"), 0o644))
	out := filepath.Join(t.TempDir(), "r.sarif")
	r := runCLI(t, "", "evaluate", acme, "--format", "sarif", "--policies", dir, "--output", out)
	assert.Equal(t, exitError, r.code)
	assert.Contains(t, r.stderr, "broken.rego")
	sarifcheck.CheckFile(t, out)
	raw, err := os.ReadFile(out)
	require.NoError(t, err)
	var doc sarifDoc
	require.NoError(t, json.Unmarshal(raw, &doc))
	inv := doc.Runs[0].Invocations[0]
	assert.False(t, inv.ExecutionSuccessful)
	assert.Contains(t, inv.ToolExecutionNotifications[0].Message.Text, "rego_parse_error")
	assert.Empty(t, doc.Runs[0].Results)
}

func TestIncompleteScanInSARIF(t *testing.T) {
	src := simulator.Generate(simulator.GenerateOptions{Users: 30, Seed: 9, Plant: true})
	base := startSimulator(t, src, simulator.Options{Faults: []simulator.Fault{{Path: "/invites", Status: 502}}})
	t.Chdir(t.TempDir())
	r := runEnv(t, simEnv(src), "", "scan", "--format", "sarif", "--allow-partial", "--max-attempts", "1", "--api-base-url", base, "--compliance-base-url", base)
	require.Equal(t, exitOK, r.code, r.stderr)
	doc := sarifOf(t, r)
	inv := doc.Runs[0].Invocations[0]
	assert.False(t, inv.ExecutionSuccessful, "results may be missing")
	var texts []string
	for _, n := range inv.ToolExecutionNotifications {
		texts = append(texts, n.Level+": "+n.Message.Text)
	}
	assert.Contains(t, strings.Join(texts, "\n"), "warning: source invites was failed")
}

// customActionsID is the finding type of "GPT with Custom Actions enabled".
const customActionsID = "5a2995f5-0cc1-4af3-9045-cdf7e6601f7b"

func TestNoteWhenPoliciesCannotStream(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "p")
	require.Equal(t, exitOK, runCLI(t, "", "policies", "export", dir).code)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "count.rego"), []byte(`package acme

import data.openai.lib

# METADATA
# title: Many invites
# custom:
#   finding_type_id: acme-many
#   severity: low
#   category: C
#   remediation: R
deny contains lib.finding(rego.metadata.rule(), {"type": "organization", "id": input.organization.id, "name": null}, "many invites") if {
	count(input.invites) > 3
}
`), 0o644))
	r := runCLI(t, "", "evaluate", acme, "--policies", dir, "--format", "json")
	require.Equal(t, exitOK, r.code, r.stderr)
	assert.Contains(t, r.stderr, "note: policies are evaluated on the whole inventory at once (more memory): "+filepath.Join(dir, "count.rego")+":12: reads input.invites other than by iterating")
	assert.Equal(t, 1, countOf(t, r, "acme-many"))
	assert.Empty(t, runCLI(t, "", "evaluate", acme, "--format", "json").stderr, "the built-in policies stream")
}
