package main

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/openai-casb/openai-casb/inventory"
	"github.com/openai-casb/openai-casb/simulator"
)

const invitesOnlyPolicy = `package custom.invites

# METADATA
# title: "Custom: any pending invite"
# custom:
#   finding_type_id: 00000000-0000-4000-8000-00000000beef
#   severity: low
#   category: Custom
#   remediation: Review it.
deny contains f if {
	some i in input.invites
	i.status == "pending"
	f := {"finding_type_id": "00000000-0000-4000-8000-00000000beef", "severity": "low", "resource": {"type": "invite", "id": i.id, "name": i.email}, "message": "pending"}
}
`

// scan reads only the lists the policies read; --collect-all reads them all.
func TestScanCollectsOnlyWhatThePoliciesRead(t *testing.T) {
	inv := simulator.Generate(simulator.GenerateOptions{Users: 40, Seed: 3, Plant: true, CollectedAt: time.Now().Unix()})
	base := startSimulator(t, inv, simulator.Options{})
	dir := t.TempDir()
	pol := filepath.Join(dir, "policies")
	require.NoError(t, os.Mkdir(pol, 0o700))
	require.NoError(t, os.WriteFile(filepath.Join(pol, "invites.rego"), []byte(invitesOnlyPolicy), 0o600))

	for _, all := range []bool{false, true} {
		save := filepath.Join(dir, "inv.json")
		args := []string{"scan", "--api-base-url", base, "--compliance-base-url", base, "--policies", pol, "--save-inventory", save, "--quiet", "--format", "json"}
		if all {
			args = append(args, "--collect-all")
		}
		r := runEnv(t, simEnv(inv), "", args...)
		require.Contains(t, []int{exitOK, exitFindings}, r.code, r.stderr)
		assert.NotContains(t, r.stderr, "skipped", "lists no policy reads are not worth a note")
		assert.Empty(t, parseReport(t, r.stdout).Inventory.SourcesIncomplete)
		got, err := inventory.Load(save)
		require.NoError(t, err)
		assert.Equal(t, inventory.StatusComplete, got.Sources[inventory.SourceInvites].Status)
		for _, name := range []string{inventory.SourceUsers, inventory.SourceAdminAPIKeys, inventory.SourceAuditLogs, inventory.SourceGPTs, inventory.SourceProjects} {
			if all {
				assert.Equal(t, inventory.StatusComplete, got.Sources[name].Status, name)
			} else {
				assert.True(t, got.Sources[name].NotNeeded(), "%s: %+v", name, got.Sources[name])
			}
		}
	}
}

const projectMembersPolicy = `package custom.members

# METADATA
# title: "Custom: project owned by one person"
# custom:
#   finding_type_id: 00000000-0000-4000-8000-00000000f00d
#   severity: low
#   category: Custom
#   remediation: Add a second owner.
deny contains f if {
	some p in input.projects
	count([u | some u in p.users; u.role == "owner"]) == 1
	f := {"finding_type_id": "00000000-0000-4000-8000-00000000f00d", "severity": "low", "resource": {"type": "project", "id": p.id, "name": p.id}, "message": "one owner"}
}
`

// The built-in policies read no project members, service accounts or user
// role assignments: a scan leaves those lists out. A user policy that reads
// the projects' members brings them back; --collect-all reads everything.
func TestScanCollectsListsBelowTheTopLevelOnlyWhenRead(t *testing.T) {
	inv := simulator.Generate(simulator.GenerateOptions{Users: 40, Seed: 3, Plant: true, CollectedAt: time.Now().Unix()})
	base := startSimulator(t, inv, simulator.Options{})
	dir := t.TempDir()
	extra := filepath.Join(dir, "extra")
	require.NoError(t, os.Mkdir(extra, 0o700))
	require.NoError(t, os.WriteFile(filepath.Join(extra, "members.rego"), []byte(projectMembersPolicy), 0o600))

	below := []string{inventory.SourceProjectUsers, inventory.SourceProjectServiceAccounts, inventory.SourceUserRoles}
	cases := []struct {
		name     string
		args     []string
		complete []string
		notRead  []string
	}{
		{"built-in policies", nil, []string{inventory.SourceProjects, inventory.SourceProjectAPIKeys, inventory.SourceUsers}, below},
		{"a policy reading project members", []string{"--extra-policies", extra},
			[]string{inventory.SourceProjectUsers}, []string{inventory.SourceProjectServiceAccounts, inventory.SourceUserRoles}},
		{"--collect-all", []string{"--collect-all"}, below, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			save := filepath.Join(t.TempDir(), "inv.json")
			args := append([]string{"scan", "--api-base-url", base, "--compliance-base-url", base, "--save-inventory", save, "--quiet", "--format", "json"}, c.args...)
			r := runEnv(t, simEnv(inv), "", args...)
			require.Contains(t, []int{exitOK, exitFindings}, r.code, r.stderr)
			got, err := inventory.Load(save)
			require.NoError(t, err)
			for _, name := range c.complete {
				assert.Equal(t, inventory.StatusComplete, got.Sources[name].Status, name)
			}
			for _, name := range c.notRead {
				assert.True(t, got.Sources[name].NotNeeded(), "%s: %+v", name, got.Sources[name])
			}
			members := 0
			for _, p := range got.Projects {
				members += len(p.Users)
			}
			if slices.Contains(c.complete, inventory.SourceProjectUsers) {
				assert.NotZero(t, members)
			} else {
				assert.Zero(t, members)
			}
		})
	}
}
