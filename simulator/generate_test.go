package simulator_test

import (
	"bytes"
	"context"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/openai-casb/openai-casb/evaluator"
	"github.com/openai-casb/openai-casb/inventory"
	"github.com/openai-casb/openai-casb/simulator"
)

func TestGenerateIsValidAndReproducible(t *testing.T) {
	a, err := inventory.Marshal(simulator.Generate(simulator.GenerateOptions{Users: 2000, Seed: 7}))
	require.NoError(t, err)
	b, err := inventory.Marshal(simulator.Generate(simulator.GenerateOptions{Users: 2000, Seed: 7}))
	require.NoError(t, err)
	assert.Equal(t, a, b, "same options, same bytes")
	c, err := inventory.Marshal(simulator.Generate(simulator.GenerateOptions{Users: 2000, Seed: 8}))
	require.NoError(t, err)
	assert.NotEqual(t, a, c)
	_, err = inventory.Decode(a, "generated.json")
	require.NoError(t, err)
}

func TestGenerateProportions(t *testing.T) {
	inv := simulator.Generate(simulator.GenerateOptions{Users: 10000, Seed: 1})
	assert.Len(t, inv.Users, 10000)
	assert.Len(t, inv.Invites, 1000)
	assert.Len(t, inv.GPTs, 2000)
	assert.Len(t, inv.Projects, 200)
	assert.Len(t, inv.Projects[0].APIKeys, 20)
	assert.Len(t, inv.AdminAPIKeys, 100)
}

// Every posture finding type fires on a generated organization, at rates
// that look like a real one: some, not all, of each kind of resource.
// Finding types a generated organization does not fire, and why.
var cannotFire = map[string]string{
	"468386e1-6bae-4906-8fbb-e5d55fbf0e28": "residency is checked only when allowed_residencies is configured",
	"a9f5823f-42e6-4bf2-a37e-58256438c77c": "action domains are checked only when allowed_action_domains is configured",
	"ec0de752-7dd6-4483-bd5d-35b3899963c3": "generated organizations have audit logging on (Options.AuditLogDisabled serves it off)",
	"dde6eb03-a01e-4aac-8cde-d9999d90a03e": "detections in GPT texts come from a collection: the simulator serves planted secrets (TestPlantedGPTSecretsAreFound)",
}

func TestGeneratedOrganizationFiresEveryFindingType(t *testing.T) {
	inv := simulator.Generate(simulator.GenerateOptions{Users: 5000, Seed: 3})
	raw, err := inventory.Marshal(inv)
	require.NoError(t, err)
	e, err := evaluator.New(context.Background(), evaluator.Options{})
	require.NoError(t, err)
	res, err := e.EvaluateReader(context.Background(), bytes.NewReader(raw), "gen.json", evaluator.EvalOptions{})
	require.NoError(t, err)
	findings := res.Findings
	byType := map[string]int{}
	for _, f := range findings {
		byType[f.Title]++
	}
	for _, ft := range e.Catalog() {
		if why, ok := cannotFire[ft.ID]; ok {
			assert.Zero(t, byType[ft.Title], "%s: %s", ft.Title, why)
			continue
		}
		if !slices.ContainsFunc(ft.Sources, func(s string) bool { return inv.Sources[s].Status == inventory.StatusComplete }) {
			// A finding type none of whose sources the generated
			// organization has cannot fire.
			assert.Zero(t, byType[ft.Title], ft.Title)
			continue
		}
		if ft.Category == "Data Loss Prevention" {
			// Files and their detections come from a collection with DLP
			// on; the DLP tests collect them from the simulator.
			assert.Zero(t, byType[ft.Title], ft.Title)
			continue
		}
		assert.Positive(t, byType[ft.Title], "%s never fires", ft.Title)
	}
	assert.Less(t, byType["OpenAI: Inactive user"], 5000/4, "most users are active")
	assert.Greater(t, byType["OpenAI: Inactive user"], 5000/50)
	t.Logf("%d findings: %v", len(findings), byType)
}
