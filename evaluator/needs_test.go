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

func TestInputsOfBuiltInFindingTypes(t *testing.T) {
	engine, err := evaluator.New(context.Background(), evaluator.Options{})
	require.NoError(t, err)
	in := engine.Inputs()
	// Every finding type of the catalog has an entry.
	for _, ft := range engine.Catalog() {
		assert.NotEmpty(t, in[ft.ID], "%s (%s) reads nothing?", ft.Title, ft.ID)
	}
	cases := map[string]struct{ reads, not []string }{
		"20ab9ddb-fd48-46a8-9fdf-9bb9b9061f21": {reads: []string{"users", "collected_at"}, not: []string{"invites", "gpts"}},   // Inactive user
		"776ceb93-fa9a-4ca0-83db-668a67c09936": {reads: []string{"invites"}, not: []string{"users", "admin_api_keys"}},         // High-privilege invite
		"b72e971d-f5b9-4cf3-96f4-ef82bdf38453": {reads: []string{"admin_api_keys", "collected_at"}, not: []string{"projects"}}, // Admin key not rotated
		"2c079fe8-6188-43e1-a2e5-d0e2dd8c7686": {reads: []string{"projects"}, not: []string{"gpts"}},                           // Project key not rotated
		"5a2995f5-0cc1-4af3-9045-cdf7e6601f7b": {reads: []string{"gpts"}, not: []string{"users", "projects"}},                  // Custom actions
		"9aca654d-b331-4052-a5b4-2ceecced8676": {reads: []string{"files"}, not: []string{"invites"}},                           // Conversation DLP
	}
	for id, c := range cases {
		for _, k := range c.reads {
			assert.Contains(t, in[id], k, id)
		}
		for _, k := range c.not {
			assert.NotContains(t, in[id], k, id)
		}
		assert.NotContains(t, in[id], evaluator.AllInput, id)
	}
}

func TestInputsFollowDependenciesOfUserPolicies(t *testing.T) {
	dir := t.TempDir()
	policy := `package custom.people

import rego.v1

owners contains u if {
	some u in input.users
	u.role == "owner"
}

whole := input

# METADATA
# title: "Custom: owner without invites"
# custom:
#   finding_type_id: 00000000-0000-4000-8000-000000000001
#   severity: low
#   category: Custom
#   remediation: none
deny contains f if {
	some u in owners
	count(input.invites) == 0
	f := {"finding_type_id": "00000000-0000-4000-8000-000000000001", "severity": "low", "resource": {"type": "user", "id": u.id, "name": u.id}, "message": "x"}
}

# METADATA
# title: "Custom: everything"
# custom:
#   finding_type_id: 00000000-0000-4000-8000-000000000002
#   severity: low
#   category: Custom
#   remediation: none
deny contains f if {
	whole.organization.id == "x"
	f := {"finding_type_id": "00000000-0000-4000-8000-000000000002", "severity": "low", "resource": {"type": "organization", "id": "x", "name": "x"}, "message": "x"}
}
`
	require.NoError(t, os.WriteFile(filepath.Join(dir, "custom.rego"), []byte(policy), 0o600))
	engine, err := evaluator.New(context.Background(), evaluator.Options{PolicyDir: dir})
	require.NoError(t, err)
	in := engine.Inputs()
	assert.Equal(t, []string{"invites", "users"}, in["00000000-0000-4000-8000-000000000001"])
	assert.Equal(t, []string{evaluator.AllInput}, in["00000000-0000-4000-8000-000000000002"])
}

func TestMembersFollowOnlyAndSkip(t *testing.T) {
	all, err := evaluator.New(context.Background(), evaluator.Options{})
	require.NoError(t, err)
	assert.Contains(t, all.Members(), "users")
	assert.Contains(t, all.Members(), "gpts")

	// Only the high-privilege invite: nothing but the invites (and the clock).
	only, err := evaluator.New(context.Background(), evaluator.Options{Only: []string{"776ceb93-fa9a-4ca0-83db-668a67c09936"}})
	require.NoError(t, err)
	assert.Contains(t, only.Members(), "invites")
	assert.NotContains(t, only.Members(), "users")
	assert.NotContains(t, only.Members(), "gpts")
	assert.Len(t, only.Inputs(), 1)

	skip, err := evaluator.New(context.Background(), evaluator.Options{Skip: []string{"Access security"}})
	require.NoError(t, err)
	assert.NotContains(t, skip.Inputs(), "20ab9ddb-fd48-46a8-9fdf-9bb9b9061f21")
}
