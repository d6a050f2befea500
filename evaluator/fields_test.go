package evaluator_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/openai-casb/openai-casb/evaluator"
	"github.com/openai-casb/openai-casb/inventory"
)

func TestPathsOfBuiltInFindingTypes(t *testing.T) {
	engine, err := evaluator.New(context.Background(), evaluator.Options{})
	require.NoError(t, err)
	paths := engine.Paths()
	for _, ft := range engine.Catalog() {
		assert.NotEmpty(t, paths[ft.ID], "%s (%s) reads nothing?", ft.Title, ft.ID)
		assert.NotContains(t, paths[ft.ID], evaluator.AllInput, ft.ID)
	}
	cases := map[string]struct{ reads, not []string }{
		"20ab9ddb-fd48-46a8-9fdf-9bb9b9061f21": { // Inactive user
			reads: []string{"users[].last_activity_at.*", "users[].role.*", "collected_at.*"},
			not:   []string{"users[].*", "users[].roles", "invites[]"}},
		"2c079fe8-6188-43e1-a2e5-d0e2dd8c7686": { // Project key not rotated
			reads: []string{"projects[].api_keys[].created_at.*", "projects[].status.*"},
			not:   []string{"projects[].*", "projects[].users", "projects[].service_accounts"}},
		"b146bdc5-c1a7-4145-83a2-efdf1a36efc8": { // Risky hosted tool: a map read with a variable key
			reads: []string{"projects[].hosted_tool_permissions[].enabled.*"}},
		"346872ed-a583-44bd-9450-c0d64df345db": { // Admin key owner: users looked up through an object comprehension
			reads: []string{"users[].role.*", "admin_api_keys[].owner.id.*"},
			not:   []string{"users[].*"}},
		"222b77a1-036d-4d0f-ac93-75cde94a186e": { // Offboarded on one plane: users and members through objects of lists of them
			reads: []string{"users[].banned.*", "users[].enabled.*", "users[].role.*", "users[].id.*", "workspace_users[].status.*", "workspace_users[].role.*"},
			not:   []string{"users[].*", "workspace_users[].*"}},
	}
	for id, c := range cases {
		for _, p := range c.reads {
			assert.Contains(t, paths[id], p, id)
		}
		for _, p := range c.not {
			assert.NotContains(t, paths[id], p, id)
		}
	}
	needed := inventory.SourcesReading(engine.NeededPaths())
	for _, s := range []string{inventory.SourceProjectUsers, inventory.SourceProjectServiceAccounts, inventory.SourceUserRoles} {
		assert.NotContains(t, needed, s, "no built-in rule reads %s", s)
	}
	for _, s := range []string{inventory.SourceProjects, inventory.SourceProjectAPIKeys, inventory.SourceUsers, inventory.SourceAuditLogs} {
		assert.Contains(t, needed, s)
	}
}

// userEngine compiles one user finding rule whose body is body (after
// `some p in input.projects`, with helpers before it) and returns its
// paths.
func userPaths(t *testing.T, helpers, body string) []string {
	t.Helper()
	dir := t.TempDir()
	policy := fmt.Sprintf(`package custom.fields

%s

# METADATA
# title: "Custom: fields"
# custom:
#   finding_type_id: 00000000-0000-4000-8000-0000000000f1
#   severity: low
#   category: Custom
#   remediation: none
deny contains f if {
	some p in input.projects
	%s
	f := {"finding_type_id": "00000000-0000-4000-8000-0000000000f1", "severity": "low", "resource": {"type": "project", "id": p.id, "name": p.id}, "message": "x"}
}
`, helpers, body)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "fields.rego"), []byte(policy), 0o600))
	engine, err := evaluator.New(context.Background(), evaluator.Options{PolicyDir: dir})
	require.NoError(t, err)
	return engine.Paths()["00000000-0000-4000-8000-0000000000f1"]
}

func TestPathsFollowValuesOfUserPolicies(t *testing.T) {
	cases := []struct {
		name, helpers, body string
		reads               []string
		sources             []string // collected for it
		notSources          []string
	}{
		{name: "a member of an element", body: `some u in p.users
	u.role == "owner"`, reads: []string{"projects[].users[].role.*", "projects[].id.*"},
			sources: []string{inventory.SourceProjects, inventory.SourceProjectUsers}, notSources: []string{inventory.SourceProjectServiceAccounts, inventory.SourceProjectAPIKeys}},
		{name: "through a set rule", helpers: `active contains q if {
	some q in input.projects
	q.status != "archived"
}`, body: `some a in active
	count(a.service_accounts) > 2`, reads: []string{"projects[].service_accounts", "projects[].status.*"},
			sources: []string{inventory.SourceProjectServiceAccounts}, notSources: []string{inventory.SourceProjectUsers}},
		{name: "through a function's argument", helpers: `members(x) := object.get(x, "users", [])`, body: `count(members(p)) > 0`,
			reads: []string{"projects[].users"}, sources: []string{inventory.SourceProjectUsers}, notSources: []string{inventory.SourceProjectServiceAccounts}},
		{name: "through an object comprehension", helpers: `by_id := {q.id: q | some q in input.projects}`, body: `some k in by_id[p.id].api_keys
	k.last_used_at < 5`, reads: []string{"projects[].api_keys[].last_used_at.*"},
			sources: []string{inventory.SourceProjectAPIKeys}, notSources: []string{inventory.SourceProjectUsers}},
		{name: "through an object of lists", helpers: `by_status := {s: ps |
	some q in input.projects
	s := q.status
	ps := [x | some x in input.projects; x.status == s]
}`, body: `some q in by_status[p.status]
	count(q.service_accounts) > 2`, reads: []string{"projects[].service_accounts", "projects[].status.*"},
			sources: []string{inventory.SourceProjectServiceAccounts}, notSources: []string{inventory.SourceProjectUsers}},
		{name: "through a set comprehension", helpers: `active := {q | some q in input.projects; q.status != "archived"}`, body: `some a in active
	count(a.users) > 2`, reads: []string{"projects[].users", "projects[].status.*"},
			sources: []string{inventory.SourceProjectUsers}, notSources: []string{inventory.SourceProjectServiceAccounts}},
		{name: "every", body: `every s in p.service_accounts { s.role != "owner" }`, reads: []string{"projects[].service_accounts[].role.*"},
			sources: []string{inventory.SourceProjectServiceAccounts}, notSources: []string{inventory.SourceProjectUsers}},
		{name: "a whole element into a built-in", body: `json.marshal(p) != ""`, reads: []string{"projects[].*"},
			sources:    []string{inventory.SourceProjectUsers, inventory.SourceProjectServiceAccounts, inventory.SourceProjectAPIKeys, inventory.SourceProjectCertificates},
			notSources: []string{inventory.SourceUsers, inventory.SourceUserRoles}},
		{name: "an element compared whole", body: `p == input.projects[0]`, reads: []string{"projects[].*"},
			sources: []string{inventory.SourceProjectUsers}},
		{name: "a member named by a variable", body: `some k
	p[k] != null`, reads: []string{"projects[][].*"}, sources: []string{inventory.SourceProjectUsers, inventory.SourceProjectSpendAlerts}},
		{name: "an element as a key into base data", body: `data.config.allowed[p]`, reads: []string{"projects[].*"},
			sources: []string{inventory.SourceProjectUsers, inventory.SourceProjectServiceAccounts}},
		{name: "the whole input", body: `walk(input, [_, _])`, reads: []string{evaluator.AllInput},
			sources: []string{inventory.SourceUserRoles, inventory.SourceGroups, inventory.SourceProjectUsers}},
		{name: "a with modifier", helpers: `n := count(input.projects)`, body: `n with input as {"projects": []} > 1`, reads: []string{evaluator.AllInput},
			sources: []string{inventory.SourceUserRoles}},
		{name: "users' derived activity", body: `some u in input.users
	u.last_activity_at < 5`, reads: []string{"users[].last_activity_at.*"},
			sources: []string{inventory.SourceUsers, inventory.SourceAuditLogs, inventory.SourceProjectAPIKeys}, notSources: []string{inventory.SourceUserRoles}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := userPaths(t, c.helpers, c.body)
			for _, p := range c.reads {
				assert.Contains(t, got, p)
			}
			sources := inventory.SourcesReading(got)
			for _, s := range c.sources {
				assert.Contains(t, sources, s, "paths %v", got)
			}
			for _, s := range c.notSources {
				assert.NotContains(t, sources, s, "paths %v", got)
			}
		})
	}
}
