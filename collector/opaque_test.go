package collector_test

import (
	"context"
	"testing"

	"github.com/samber/lo"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/openai-casb/openai-casb/collector"
	"github.com/openai-casb/openai-casb/inventory"
	"github.com/openai-casb/openai-casb/simulator"
)

// Agents and plugins of unknown shape keep id, name, owner and created_at
// in every owner shape accepted, the names of their fields, and never the
// values of the others.
func TestAgentsAndPluginsAreKeptMinimally(t *testing.T) {
	s, base := newScripted(t)
	s.on("/v1/compliance/workspaces/ws-1/agents", list(
		`{"id":"agent_a","name":"Ops","owner":{"id":"u1","email":"a@x.example"},"created_at":1711000000,"instructions":"SECRET-INSTRUCTIONS"}`,
		`{"id":"agent_b","owner":"u2","created_at":"2024-03-01T00:00:00Z"}`,
		`{"id":"agent_c","name":"Flat","owner_id":"u3","owner_email":"c@x.example","tools":[{"type":"x"}]}`,
		`{"name":"no id"}`,
	))
	s.on("/v1/compliance/workspaces/ws-1/plugins", list(`{"id":"plugin_a","name":{"en":"not a string"},"created_at":1711000000}`))
	inv, err := collector.Collect(context.Background(), scriptedOptions(base, newFakeClock(1712000000)))
	require.NoError(t, err)

	assert.Equal(t, []inventory.OpaqueItem{
		{ID: "agent_a", Name: lo.ToPtr("Ops"), OwnerID: lo.ToPtr("u1"), OwnerEmail: lo.ToPtr("a@x.example"), CreatedAt: lo.ToPtr(int64(1711000000)), Fields: []string{"created_at", "id", "instructions", "name", "owner"}},
		{ID: "agent_b", OwnerID: lo.ToPtr("u2"), CreatedAt: lo.ToPtr(int64(1709251200)), Fields: []string{"created_at", "id", "owner"}},
		{ID: "agent_c", Name: lo.ToPtr("Flat"), OwnerID: lo.ToPtr("u3"), OwnerEmail: lo.ToPtr("c@x.example"), Fields: []string{"id", "name", "owner_email", "owner_id", "tools"}},
	}, inv.Agents)
	agents := inv.Sources[inventory.SourceAgents]
	assert.Equal(t, inventory.StatusPartial, agents.Status, "an item without id is named in the reason")
	assert.Equal(t, 3, agents.Items)
	assert.Equal(t, []inventory.OpaqueItem{{ID: "plugin_a", CreatedAt: lo.ToPtr(int64(1711000000)), Fields: []string{"created_at", "id", "name"}}}, inv.Plugins,
		"a name of another shape is left out, the item kept")
	raw, err := inventory.Marshal(inv)
	require.NoError(t, err)
	assert.NotContains(t, string(raw), "SECRET-INSTRUCTIONS")
}

// A workspace or key without agents or plugins (404, 403) leaves them
// skipped with the reason, and the other lists complete.
func TestAgentsAndPluginsMissingAreSkipped(t *testing.T) {
	src := simulator.Generate(simulator.GenerateOptions{Users: 40, Seed: 4})
	src.Plugins = nil // the simulator answers 404
	_, base := serve(t, src, simulator.Options{Forbidden: []string{"compliance agents"}})
	inv, err := collector.Collect(context.Background(), options(src, base))
	require.NoError(t, err)
	for name, want := range map[string]string{inventory.SourceAgents: "403 Forbidden", inventory.SourcePlugins: "404 Not Found"} {
		s := inv.Sources[name]
		assert.Equal(t, inventory.StatusSkipped, s.Status, name)
		require.NotNil(t, s.Reason)
		assert.Contains(t, *s.Reason, want)
		assert.Contains(t, *s.Reason, "/compliance/workspaces/{workspace_id}/"+name)
		assert.Contains(t, *s.Reason, "plan or key does not have it")
	}
	assert.Nil(t, inv.Agents, "not read: absent, not empty")
	assert.Nil(t, inv.Plugins)
	assert.Equal(t, inventory.StatusComplete, inv.Sources[inventory.SourceGPTs].Status)

	d, err := collector.Diagnose(context.Background(), collector.DiagnoseOptions{Options: options(src, base)})
	require.NoError(t, err)
	var seen []string
	for _, c := range d.Checks {
		if c.Source == inventory.SourceAgents || c.Source == inventory.SourcePlugins {
			seen = append(seen, c.Source)
			assert.Equal(t, collector.CheckWarn, c.Status, "%s: %s", c.Name, c.Detail)
			assert.Contains(t, c.Detail, "a scan records it skipped")
		}
	}
	assert.ElementsMatch(t, []string{inventory.SourceAgents, inventory.SourcePlugins}, seen, "doctor probes both")
	assert.Empty(t, d.Failed())
	assert.Empty(t, d.SupportRequest, "a missing agents list asks nothing of support")
}
