package evaluator_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/openai-casb/openai-casb/evaluator"
)

// A user's folder holding only a new rule that imports the built-in lib
// and config: it fires beside every built-in.
const domainsRule = `package acme.domains

import data.openai.config
import data.openai.lib

# METADATA
# title: "Acme: GPT action domain outside the allowlist"
# custom:
#   finding_type_id: acme-gpt-domain
#   severity: high
#   category: Acme rules
#   remediation: Remove the action.
deny contains finding if {
	some gpt in input.gpts
	some tool in gpt.tools
	tool.type == "custom_action"
	d := object.get(tool, "action_domain", "")
	not d in config.allowed_action_domains
	finding := lib.keyed_finding(rego.metadata.rule(), {"type": "gpt", "id": gpt.id, "name": gpt.name}, d, sprintf("calls %s", [d]), {"domain": d})
}
`

func extraDir(t *testing.T) string {
	dir := t.TempDir()
	writeFile(t, dir, "domains.rego", domainsRule)
	writeFile(t, dir, "domains_test.rego", "package acme.domains_test\n\ntest_nothing if true\n")
	writeFile(t, dir, "config.rego", "package acme.domains\n\nunused := 1\n")
	return dir
}

func engineWith(t *testing.T, opts evaluator.Options) *evaluator.Engine {
	t.Helper()
	e, err := evaluator.New(context.Background(), opts)
	require.NoError(t, err)
	return e
}

func byType(findings []evaluator.Finding) map[string][]string {
	out := map[string][]string{}
	for _, f := range findings {
		out[f.FindingTypeID] = append(out[f.FindingTypeID], f.Resource.ID)
	}
	return out
}

func TestExtraPoliciesFireBesideTheBuiltIns(t *testing.T) {
	e := engineWith(t, evaluator.Options{
		ExtraPolicyDirs: []string{extraDir(t)},
		Data:            map[string]any{"allowed_action_domains": []any{"other.example"}},
	})
	got := byType(evaluate(t, e, "acme.json", evaluator.EvalOptions{}))
	assert.Equal(t, []string{"g-acme-crm", "g-ticket-bot"}, got["acme-gpt-domain"])
	for id, want := range wantAcme {
		assert.ElementsMatch(t, want, got[id], id)
	}
	assert.Len(t, e.Catalog(), len(wantCatalog)+1)

	// The same rule alone as --policies has no lib to import.
	_, err := evaluator.New(context.Background(), evaluator.Options{PolicyDir: extraDir(t)})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "data.openai.lib.keyed_finding")
}

func TestDataOverridesThresholds(t *testing.T) {
	path := filepath.Join(t.TempDir(), "data.yaml")
	require.NoError(t, os.WriteFile(path, []byte("admin_key_rotation_days: 160\ndlp_profiles:\n  credentials_and_secrets:\n    enabled: true\n"), 0o600))
	data, err := evaluator.ReadData(path)
	require.NoError(t, err)
	e := engineWith(t, evaluator.Options{Data: data, DataFile: path})
	got := byType(evaluate(t, e, "acme.json", evaluator.EvalOptions{}))
	assert.Equal(t, []string{"key_admin_old"}, got["b72e971d-f5b9-4cf3-96f4-ef82bdf38453"], "only the 200-day key is over 160 days")
	assert.ElementsMatch(t, wantAcme["2c079fe8-6188-43e1-a2e5-d0e2dd8c7686"], got["2c079fe8-6188-43e1-a2e5-d0e2dd8c7686"], "other thresholds stay")

	// Objects merge key by key: the profile keeps its detectors.
	v, ok, err := e.Data(context.Background(), "data.openai.config.dlp_profiles.credentials_and_secrets")
	require.NoError(t, err)
	require.True(t, ok)
	prof := v.(map[string]any)
	assert.Equal(t, true, prof["enabled"])
	assert.Contains(t, prof["detectors"], "openai_api_key")
	v, _, err = e.Data(context.Background(), "data.openai.config.dlp_profiles.financial_information.enabled")
	require.NoError(t, err)
	assert.Equal(t, false, v)

	jsonPath := filepath.Join(t.TempDir(), "data.json")
	require.NoError(t, os.WriteFile(jsonPath, []byte(`{"inactive_user_days": 150}`), 0o600))
	data, err = evaluator.ReadData(jsonPath)
	require.NoError(t, err)
	got = byType(evaluate(t, engineWith(t, evaluator.Options{Data: data}), "acme.json", evaluator.EvalOptions{}))
	assert.Equal(t, []string{"user-carol"}, got["20ab9ddb-fd48-46a8-9fdf-9bb9b9061f21"])
}

func TestDataErrors(t *testing.T) {
	dir := t.TempDir()
	for name, content := range map[string]string{"list.yaml": "- 1\n", "bad.json": "{", "bad.yaml": "a: b: c\n"} {
		require.NoError(t, os.WriteFile(filepath.Join(dir, name), []byte(content), 0o600))
		_, err := evaluator.ReadData(filepath.Join(dir, name))
		assert.ErrorContains(t, err, "read data "+filepath.Join(dir, name), name)
	}
	_, err := evaluator.ReadData(filepath.Join(dir, "missing.yaml"))
	assert.ErrorContains(t, err, "read data:")
	_, err = evaluator.New(context.Background(), evaluator.Options{Data: map[string]any{"not-a-name": 1}, DataFile: "d.yaml"})
	assert.ErrorContains(t, err, `d.yaml: key "not-a-name": want a Rego name`)
}

func TestOnlyAndSkip(t *testing.T) {
	cases := []struct {
		name       string
		only, skip []string
		want       []string
	}{
		{"a category", []string{"access security"}, nil, []string{"776ceb93-fa9a-4ca0-83db-668a67c09936", "20ab9ddb-fd48-46a8-9fdf-9bb9b9061f21", "18fd5b21-8489-485e-9c93-0bd4a696e724"}},
		{"an id", []string{"b72e971d-f5b9-4cf3-96f4-ef82bdf38453"}, nil, []string{"b72e971d-f5b9-4cf3-96f4-ef82bdf38453"}},
		{"a category less an id", []string{"Access security"}, []string{"20ab9ddb-fd48-46a8-9fdf-9bb9b9061f21"}, []string{"776ceb93-fa9a-4ca0-83db-668a67c09936", "18fd5b21-8489-485e-9c93-0bd4a696e724"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e := engineWith(t, evaluator.Options{Only: c.only, Skip: c.skip})
			var catalog []string
			for _, ft := range e.Catalog() {
				catalog = append(catalog, ft.ID)
			}
			assert.ElementsMatch(t, c.want, catalog, "the catalog lists only what runs")
			for id := range byType(evaluate(t, e, "acme.json", evaluator.EvalOptions{})) {
				assert.Contains(t, c.want, id)
			}
		})
	}
	e := engineWith(t, evaluator.Options{Skip: []string{"API key hygiene", "Model and tool governance", "Publishing and sharing", "Access security",
		"Credentials", "Identity", "Data governance", "Tools and agents", "Operations"}})
	assert.Empty(t, evaluate(t, e, "acme.json", evaluator.EvalOptions{}))

	_, err := evaluator.New(context.Background(), evaluator.Options{Only: []string{"API key hygeine"}})
	assert.ErrorContains(t, err, `--only "API key hygeine": no finding type id or category`)
}
