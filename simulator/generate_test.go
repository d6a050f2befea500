package simulator_test

import (
	"bytes"
	"context"
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
