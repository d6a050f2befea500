package collector_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/openai-casb/openai-casb/collector"
	"github.com/openai-casb/openai-casb/evaluator"
	"github.com/openai-casb/openai-casb/inventory"
	"github.com/openai-casb/openai-casb/simulator"
)

// Only the lists the policies read are asked for; the others are skipped,
// saying why, and the lists they depend on are read for them.
func TestOnlyTheNeededListsAreRead(t *testing.T) {
	src := simulator.Generate(simulator.GenerateOptions{Users: 120, Seed: 6, Plant: true})
	sim, base := serve(t, src, simulator.Options{})
	o := options(src, base)
	o.Sources = []string{inventory.SourceInvites, inventory.SourceProjectAPIKeys}
	inv, err := collector.Collect(context.Background(), o)
	require.NoError(t, err)

	by := sim.Stats().ByRoute
	assert.NotZero(t, by["admin invites"])
	assert.NotZero(t, by["admin projects"], "the projects, for their keys")
	assert.NotZero(t, by["admin projects/{id}/api_keys"])
	for _, route := range []string{"admin users", "admin admin_api_keys", "admin audit_logs", "admin projects/{id}/users",
		"admin projects/{id}/service_accounts", "compliance gpts", "compliance users", "compliance projects"} {
		assert.Zero(t, by[route], route)
	}
	for _, name := range []string{inventory.SourceUsers, inventory.SourceAdminAPIKeys, inventory.SourceAuditLogs,
		inventory.SourceProjectUsers, inventory.SourceProjectServiceAccounts, inventory.SourceGPTs, inventory.SourceWorkspaceUsers,
		inventory.SourceChatGPTProjects, inventory.SourceAgents, inventory.SourcePlugins} {
		s := inv.Sources[name]
		assert.True(t, s.NotNeeded(), "%s: %+v", name, s)
	}
	for _, name := range []string{inventory.SourceInvites, inventory.SourceProjects, inventory.SourceProjectAPIKeys} {
		assert.Equal(t, inventory.StatusComplete, inv.Sources[name].Status, name)
	}
	assert.Len(t, inv.Invites, len(src.Invites))
	assert.Empty(t, inv.Users)
	assert.Nil(t, inv.ChatGPTProjects, "not asked for: absent, not empty")
	assert.Empty(t, inv.Sources.NotComplete(), "lists no policy reads hide no finding")
}

func TestSourcesFilling(t *testing.T) {
	assert.Equal(t, []string{inventory.SourceAuditLogs, inventory.SourceProjectAPIKeys, inventory.SourceUserRoles, inventory.SourceUsers},
		inventory.SourcesFilling([]string{"users", "collected_at"}))
	assert.Empty(t, inventory.SourcesFilling([]string{"collected_at"}))
}

// findingsOf evaluates an inventory with the engine: each finding's type,
// resource, key, message and evidence.
func findingsOf(t *testing.T, engine *evaluator.Engine, inv *inventory.Inventory) []string {
	t.Helper()
	b, err := json.Marshal(inv)
	require.NoError(t, err)
	res, err := engine.EvaluateReader(context.Background(), bytes.NewReader(b), "inventory.json", evaluator.EvalOptions{Workers: 1})
	require.NoError(t, err)
	var out []string
	for _, f := range res.Findings {
		out = append(out, fmt.Sprintf("%s %s/%s %s %q %s", f.FindingTypeID, f.Resource.Type, f.Resource.ID, f.Key, f.Message, f.Evidence))
	}
	return out
}

// The lists the compiled policies need (evaluator.Engine.NeededPaths,
// inventory.SourcesReading) give the findings of a full collection, for
// the built-in policies together and for each finding type alone; lists
// below the top level that no rule reads are not asked for.
func TestNeededListsGiveTheFindingsOfAFullCollection(t *testing.T) {
	acme, err := inventory.Load("../fixtures/inventory/acme.json")
	require.NoError(t, err)
	for name, src := range map[string]*inventory.Inventory{
		"acme":    acme,
		"planted": simulator.Generate(simulator.GenerateOptions{Users: 60, Seed: 6, Plant: true}),
	} {
		t.Run(name, func(t *testing.T) { neededListsGiveTheFindings(t, src) })
	}
}

func neededListsGiveTheFindings(t *testing.T, src *inventory.Inventory) {
	collect := func(sources []string) (*inventory.Inventory, simulator.Stats) {
		t.Helper()
		sim, base := serve(t, src, simulator.Options{})
		o := options(src, base)
		o.Sources = sources
		inv, err := collector.Collect(context.Background(), o)
		require.NoError(t, err)
		return inv, sim.Stats()
	}
	all, err := evaluator.New(context.Background(), evaluator.Options{})
	require.NoError(t, err)
	full, fullStats := collect(nil)
	want := findingsOf(t, all, full)
	require.NotEmpty(t, want)

	needed := inventory.SourcesReading(all.NeededPaths())
	inv, stats := collect(needed)
	assert.Equal(t, want, findingsOf(t, all, inv))
	for _, s := range []string{inventory.SourceProjectUsers, inventory.SourceProjectServiceAccounts, inventory.SourceUserRoles} {
		assert.NotContains(t, needed, s, "no built-in rule reads %s", s)
		assert.True(t, inv.Sources[s].NotNeeded(), s)
	}
	for _, route := range []string{"admin projects/{id}/users", "admin projects/{id}/service_accounts", "admin users/{id}/roles"} {
		assert.NotZero(t, fullStats.ByRoute[route], "the full collection asks %s", route)
		assert.Zero(t, stats.ByRoute[route], route)
	}
	assert.Less(t, stats.Requests, fullStats.Requests)

	// Each finding type alone, with only the lists it reads: its findings
	// are those of the full collection; with none of them, a type that has
	// findings loses them (the comparison can fail).
	byNeeds := map[string]*inventory.Inventory{}
	nothing, _ := collect([]string{})
	fired := 0
	for _, ft := range all.Catalog() {
		one, err := evaluator.New(context.Background(), evaluator.Options{Only: []string{ft.ID}})
		require.NoError(t, err)
		sources := inventory.SourcesReading(one.NeededPaths())
		key := strings.Join(sources, ",")
		if byNeeds[key] == nil {
			byNeeds[key], _ = collect(sources)
		}
		w := findingsOf(t, one, full)
		assert.Equal(t, w, findingsOf(t, one, byNeeds[key]), "%s (%s) reading %v", ft.Title, ft.ID, sources)
		if len(w) > 0 {
			fired++
			assert.NotEqual(t, w, findingsOf(t, one, nothing), "%s (%s): its findings do not depend on what is collected?", ft.Title, ft.ID)
		}
	}
	assert.Greater(t, fired, len(all.Catalog())/2, "most finding types fire on the organization")
}

func TestSourcesReading(t *testing.T) {
	cases := []struct {
		paths []string
		want  []string
	}{
		{[]string{"collected_at.*"}, nil},
		{[]string{"projects[]"}, []string{inventory.SourceProjects}},
		{[]string{"projects[].status.*"}, []string{inventory.SourceProjects}},
		{[]string{"projects[].users[].role.*"}, []string{inventory.SourceProjectUsers, inventory.SourceProjects}},
		{[]string{"projects[].*"}, []string{inventory.SourceProjectAPIKeys, inventory.SourceProjectCertificates, inventory.SourceProjectDataRetention,
			inventory.SourceProjectHostedToolPerms, inventory.SourceProjectModelPermissions, inventory.SourceProjectServiceAccounts,
			inventory.SourceProjectSpendAlerts, inventory.SourceProjectSpendLimits, inventory.SourceProjectUsers, inventory.SourceProjects}},
		{[]string{"projects[][]"}, []string{inventory.SourceProjectAPIKeys, inventory.SourceProjectCertificates, inventory.SourceProjectDataRetention,
			inventory.SourceProjectHostedToolPerms, inventory.SourceProjectModelPermissions, inventory.SourceProjectServiceAccounts,
			inventory.SourceProjectSpendAlerts, inventory.SourceProjectSpendLimits, inventory.SourceProjectUsers, inventory.SourceProjects}},
		{[]string{"users[].email.*"}, []string{inventory.SourceUsers}},
		{[]string{"users[].last_activity_at.*"}, []string{inventory.SourceAuditLogs, inventory.SourceProjectAPIKeys, inventory.SourceUsers}},
		{[]string{"users[].*"}, []string{inventory.SourceAuditLogs, inventory.SourceProjectAPIKeys, inventory.SourceUserRoles, inventory.SourceUsers}},
		{[]string{"organization.audit_logging_enabled.*"}, []string{inventory.SourceAuditLogs}},
		{[]string{"organization.id.*"}, nil},
		{[]string{"sources[].status.*"}, nil},
	}
	for _, c := range cases {
		assert.Equal(t, c.want, inventory.SourcesReading(c.paths), "%v", c.paths)
	}
	assert.Len(t, inventory.SourcesReading([]string{"*"}), len(inventory.SourcesFilling([]string{
		"admin_api_keys", "projects", "users", "invites", "gpts", "workspace_users", "files", "organization", "certificates", "roles", "groups", "agents", "plugins"})))
}
