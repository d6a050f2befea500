package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/openai-casb/openai-casb/simulator"
)

// The acceptance custom rule: one finding per action domain outside the
// allowlist, keyed by domain, in a folder of its own with its test.
const customRule = `package acme.domains

import data.openai.config
import data.openai.lib

# METADATA
# title: "Acme: GPT action domain outside the allowlist"
# description: A custom action calls a domain that is not on Acme's allowlist.
# custom:
#   finding_type_id: acme-gpt-domain
#   severity: high
#   category: Acme rules
#   enterprise_required: true
#   remediation: Remove the action, or add its domain to allowed_action_domains.
deny contains finding if {
	some gpt in input.gpts
	some tool in gpt.tools
	tool.type == "custom_action"
	domain := object.get(tool, "action_domain", "")
	not domain in config.allowed_action_domains
	finding := lib.keyed_finding(
		rego.metadata.rule(),
		{"type": "gpt", "id": gpt.id, "name": gpt.name},
		domain,
		sprintf("GPT %q calls %s, which is not on the allowlist", [lib.display(gpt), domain]),
		{"domain": domain},
	)
}
`

const customRuleTest = `package acme.domains_test

import data.acme.domains

gpt(ds) := {"id": "g-1", "name": "G", "tools": [{"type": "custom_action", "raw_type": "custom_action", "action_domain": d} | some d in ds]}

test_flags_each_domain_outside_the_allowlist if {
	findings := domains.deny with input as {"gpts": [gpt(["a.example", "b.example", "ok.example"])]}
		with data.openai.config.allowed_action_domains as {"ok.example"}
	count(findings) == 2
	{f.key | some f in findings} == {"a.example", "b.example"}
}

test_allowed_domain_passes if {
	findings := domains.deny with input as {"gpts": [gpt(["ok.example"])]}
		with data.openai.config.allowed_action_domains as {"ok.example"}
	count(findings) == 0
}
`

func customDir(t *testing.T) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "mypol")
	require.NoError(t, os.MkdirAll(dir, 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "domains.rego"), []byte(customRule), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "domains_test.rego"), []byte(customRuleTest), 0o644))
	return dir
}

func TestExtraPoliciesAndData(t *testing.T) {
	dir := customDir(t)
	data := filepath.Join(t.TempDir(), "data.yaml")
	require.NoError(t, os.WriteFile(data, []byte("allowed_action_domains: [other.example]\nadmin_key_rotation_days: 160\n"), 0o600))

	r := runCLI(t, "", "evaluate", acme, "--extra-policies", dir, "--data", data, "--format", "json")
	require.Equal(t, exitOK, r.code, r.stderr)
	rep := parseReport(t, r.stdout)
	ids := map[string][]string{}
	for _, f := range rep.Findings {
		ids[f.FindingTypeID] = append(ids[f.FindingTypeID], f.Resource.ID+"/"+f.Key)
	}
	assert.Equal(t, []string{"g-acme-crm/crm.acme-partner.example", "g-ticket-bot/hooks.ticketing.example"}, ids["acme-gpt-domain"])
	assert.Equal(t, []string{"key_admin_old/"}, ids[adminRotationID], "--data moved the rotation threshold to 160 days")
	assert.Len(t, ids, 33, "the custom finding type beside the thirty-two built-in ones acme fires with this data")

	// The built-ins' --policies replacement cannot run the rule alone.
	alone := runCLI(t, "", "evaluate", acme, "--policies", dir)
	assert.Equal(t, exitError, alone.code)
	assert.Contains(t, alone.stderr, "undefined function data.openai.lib.keyed_finding")

	list := runCLI(t, "", "policies", "list", "--extra-policies", dir)
	assert.Contains(t, list.stdout, "acme-gpt-domain")

	bad := runCLI(t, "", "evaluate", acme, "--data", filepath.Join(t.TempDir(), "none.yaml"))
	assert.Equal(t, exitError, bad.code)
	assert.Contains(t, bad.stderr, "read data:")
}

// Two findings of one rule on one resource with different keys have
// different fingerprints.
func TestKeyedFindingsHaveDifferentFingerprints(t *testing.T) {
	inv := filepath.Join(t.TempDir(), "inv.json")
	raw, err := os.ReadFile(acme)
	require.NoError(t, err)
	var doc map[string]any
	require.NoError(t, json.Unmarshal(raw, &doc))
	for _, g := range doc["gpts"].([]any) {
		gpt := g.(map[string]any)
		if gpt["id"] == "g-acme-crm" {
			tools := gpt["tools"].([]any)
			second := map[string]any{}
			for k, v := range tools[0].(map[string]any) {
				second[k] = v
			}
			second["action_domain"] = "hooks.unknown-vendor.example"
			gpt["tools"] = append(tools, second)
		}
	}
	raw, err = json.Marshal(doc)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(inv, raw, 0o600))
	data := filepath.Join(t.TempDir(), "data.json")
	require.NoError(t, os.WriteFile(data, []byte(`{"allowed_action_domains": []}`), 0o600))

	r := runCLI(t, "", "evaluate", inv, "--extra-policies", customDir(t), "--data", data, "--format", "json")
	require.Equal(t, exitOK, r.code, r.stderr)
	fps := map[string]string{}
	for _, f := range parseReport(t, r.stdout).Findings {
		if f.FindingTypeID == "acme-gpt-domain" && f.Resource.ID == "g-acme-crm" {
			fps[f.Key] = f.Fingerprint
		}
	}
	require.Len(t, fps, 2)
	assert.NotEqual(t, fps["crm.acme-partner.example"], fps["hooks.unknown-vendor.example"])
}

func TestOnlyAndSkipNarrowTheCatalog(t *testing.T) {
	s := sarifOf(t, runCLI(t, "", "evaluate", acme, "--format", "sarif", "--only", "API key hygiene", "--skip", "c8fd231b-de51-43cc-8c3f-e1e57114c5f5"))
	var rules []string
	for _, r := range s.Runs[0].Tool.Driver.Rules {
		rules = append(rules, r.ID)
	}
	assert.ElementsMatch(t, []string{adminRotationID, "2c079fe8-6188-43e1-a2e5-d0e2dd8c7686", "49c75a36-1e64-437b-98a1-e54ec35d0a64"}, rules)
	assert.Len(t, s.Runs[0].Results, 6)

	bad := runCLI(t, "", "evaluate", acme, "--only", "Nope")
	assert.Equal(t, exitError, bad.code)
	assert.Contains(t, bad.stderr, `--only "Nope": no finding type id or category`)
}

// collect takes the policy flags too: the DLP configuration and the lists
// to collect come from the policies evaluated later.
func TestCollectTakesThePolicyFlags(t *testing.T) {
	src := simulator.Generate(simulator.GenerateOptions{Users: 10, Seed: 2})
	base := startSimulator(t, src, simulator.Options{})
	data := filepath.Join(t.TempDir(), "data.yaml")
	require.NoError(t, os.WriteFile(data, []byte("allowed_action_domains: []\ndlp_max_file_bytes: 1024\n"), 0o600))
	out := filepath.Join(t.TempDir(), "inv.json")
	r := runEnv(t, simEnv(src), "", "collect", "-q", "--output", out, "--api-base-url", base, "--compliance-base-url", base,
		"--extra-policies", customDir(t), "--data", data)
	require.Equal(t, exitOK, r.code, r.stderr)
	assert.FileExists(t, out)

	bad := runEnv(t, simEnv(src), "", "collect", "-q", "--output", out, "--api-base-url", base, "--data", filepath.Join(t.TempDir(), "none.yaml"))
	assert.Equal(t, exitError, bad.code)
	assert.Contains(t, bad.stderr, "read data:")
}
