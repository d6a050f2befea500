package collector_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/openai-casb/openai-casb/collector"
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
		"admin projects/{id}/service_accounts", "compliance gpts", "compliance users"} {
		assert.Zero(t, by[route], route)
	}
	for _, name := range []string{inventory.SourceUsers, inventory.SourceAdminAPIKeys, inventory.SourceAuditLogs,
		inventory.SourceProjectUsers, inventory.SourceProjectServiceAccounts, inventory.SourceGPTs, inventory.SourceWorkspaceUsers} {
		s := inv.Sources[name]
		assert.True(t, s.NotNeeded(), "%s: %+v", name, s)
	}
	for _, name := range []string{inventory.SourceInvites, inventory.SourceProjects, inventory.SourceProjectAPIKeys} {
		assert.Equal(t, inventory.StatusComplete, inv.Sources[name].Status, name)
	}
	assert.Len(t, inv.Invites, len(src.Invites))
	assert.Empty(t, inv.Users)
	assert.Empty(t, inv.Sources.NotComplete(), "lists no policy reads hide no finding")
}

func TestSourcesFilling(t *testing.T) {
	assert.Equal(t, []string{inventory.SourceAuditLogs, inventory.SourceProjectAPIKeys, inventory.SourceUserRoles, inventory.SourceUsers},
		inventory.SourcesFilling([]string{"users", "collected_at"}))
	assert.Empty(t, inventory.SourcesFilling([]string{"collected_at"}))
}
