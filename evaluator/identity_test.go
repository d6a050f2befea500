package evaluator_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/samber/lo"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/openai-casb/openai-casb/evaluator"
	"github.com/openai-casb/openai-casb/inventory"
)

// domainRule flags each action domain of a GPT outside an allowlist: a rule
// that fires more than once on one resource. With build = lib.finding the
// findings share one identity; with lib.keyed_finding each has its own.
func domainRule(build string) string {
	return `package acme.domains

import data.openai.lib

allowed := {"crm.acme-partner.example"}

# METADATA
# title: "Acme: GPT action domain outside the allowlist"
# custom:
#   finding_type_id: acme-domains
#   severity: high
#   category: Acme rules
#   remediation: Remove the action.
deny contains finding if {
	some gpt in input.gpts
	some tool in gpt.tools
	tool.type == "custom_action"
	d := object.get(tool, "action_domain", "")
	not d in allowed
	finding := ` + build + `
}
`
}

// twoDomains is acme.json with one more GPT, whose two custom actions call
// a.example and b.example, saved in a temporary file.
func twoDomains(t *testing.T) string {
	t.Helper()
	inv, err := inventory.Load(filepath.Join(fixtures, "acme.json"))
	require.NoError(t, err)
	gpt := inv.GPTs[0]
	gpt.ID, gpt.Name = "g-two-domains", lo.ToPtr("Two Domains")
	gpt.Tools = nil
	for _, d := range []string{"b.example", "a.example"} {
		gpt.Tools = append(gpt.Tools, inventory.GPTTool{Type: "custom_action", RawType: "custom_action", ActionDomain: lo.ToPtr(d)})
	}
	inv.GPTs = append(inv.GPTs, gpt)
	path := filepath.Join(t.TempDir(), "domains.json")
	require.NoError(t, inventory.Save(path, inv))
	return path
}

func evaluatePath(t *testing.T, e *evaluator.Engine, path string, opts evaluator.EvalOptions) ([]evaluator.Finding, error) {
	t.Helper()
	f, err := os.Open(path)
	require.NoError(t, err)
	defer f.Close()
	res, err := e.EvaluateReader(context.Background(), f, path, opts)
	if err != nil {
		return nil, err
	}
	return res.Findings, nil
}

func TestDuplicateIdentityIsAnErrorNamingRuleFileAndLine(t *testing.T) {
	dir := exportTo(t)
	writeFile(t, dir, "domains.rego", domainRule(`lib.finding(rego.metadata.rule(), {"type": "gpt", "id": gpt.id, "name": gpt.name}, sprintf("calls %s", [d]))`))
	inv := twoDomains(t)
	_, err := evaluatePath(t, newEngine(t, dir), inv, evaluator.EvalOptions{})
	require.Error(t, err)
	var dup *evaluator.DuplicateFindingError
	require.True(t, errors.As(err, &dup), "%v", err)
	assert.Contains(t, err.Error(), dir+"/domains.rego:14: the rule \"Acme: GPT action domain outside the allowlist\" (acme-domains")
	assert.Contains(t, err.Error(), "gpt g-two-domains")
	assert.Contains(t, err.Error(), `"calls a.example" and "calls b.example"`)
	assert.Contains(t, err.Error(), "lib.keyed_finding")

	// The streamed and the materialized mode agree.
	_, err = evaluatePath(t, newEngine(t, dir), inv, evaluator.EvalOptions{Materialize: true})
	require.True(t, errors.As(err, &dup), "%v", err)
}

func TestKeyedFindingsHaveTheirOwnIdentity(t *testing.T) {
	dir := exportTo(t)
	writeFile(t, dir, "domains.rego", domainRule(`lib.keyed_finding(rego.metadata.rule(), {"type": "gpt", "id": gpt.id, "name": gpt.name}, d, sprintf("calls %s", [d]), {"domain": d})`))
	findings, err := evaluatePath(t, newEngine(t, dir), twoDomains(t), evaluator.EvalOptions{})
	require.NoError(t, err)
	var keys []string
	for _, f := range findings {
		if f.FindingTypeID == "acme-domains" && f.Resource.ID == "g-two-domains" {
			keys = append(keys, f.Key)
		}
	}
	assert.Equal(t, []string{"a.example", "b.example"}, keys)
}
