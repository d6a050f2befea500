package main

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/openai-casb/openai-casb/inventory"
	"github.com/openai-casb/openai-casb/simulator"
)

func TestCollectWithStateIsIncrementalTheSecondTime(t *testing.T) {
	inv := simulator.Generate(simulator.GenerateOptions{Users: 40, Seed: 12, Plant: true, CollectedAt: time.Now().Unix()})
	base := startSimulator(t, inv, simulator.Options{LoginsPerUserDay: 1})
	dir := t.TempDir()
	state := filepath.Join(dir, "state.json")
	collect := func(extra ...string) (result, *inventory.Inventory) {
		out := filepath.Join(dir, "inv.json")
		args := append([]string{"collect", "--api-base-url", base, "--compliance-base-url", base, "--quiet", "-o", out}, extra...)
		r := runEnv(t, simEnv(inv), "", args...)
		require.Equal(t, exitOK, r.code, r.stderr)
		got, err := inventory.Load(out)
		require.NoError(t, err)
		return r, got
	}
	r, first := collect("--state", state)
	assert.Contains(t, r.stderr, "no state in "+state+" yet: collecting everything")
	st, err := os.Stat(state)
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o600), st.Mode().Perm())
	assert.Nil(t, first.Sources[inventory.SourceAuditLogs].Reason)

	r, second := collect("--state", state)
	assert.NotContains(t, r.stderr, "warning")
	reason := second.Sources[inventory.SourceAuditLogs].Reason
	require.NotNil(t, reason)
	assert.Contains(t, *reason, "incremental")
	assert.Equal(t, first.Users, second.Users)
	reused := func(inv *inventory.Inventory) int {
		n := 0
		for _, p := range inv.Projects {
			if p.SettingsReused != nil {
				n++
			}
		}
		return n
	}
	assert.Positive(t, reused(second), "projects settings reused by default (--settings-max-age 168h)")
	assert.Zero(t, reused(first))
	_, always := collect("--state", state, "--settings-max-age", "0")
	assert.Zero(t, reused(always), "--settings-max-age 0 reads them all")

	_, full := collect("--state", state, "--full")
	assert.Nil(t, full.Sources[inventory.SourceAuditLogs].Reason)
	assert.Zero(t, reused(full))

	require.NoError(t, os.WriteFile(state, []byte("{not json"), 0o600))
	r, again := collect("--state", state)
	assert.Contains(t, r.stderr, "warning: read state "+state)
	assert.Equal(t, first.Users, again.Users)

	r = runEnv(t, simEnv(inv), "", "collect", "--api-base-url", base, "--full", "-o", filepath.Join(dir, "x.json"))
	assert.Equal(t, exitError, r.code)
	assert.Contains(t, r.stderr, "--full needs --state FILE")
	r = runEnv(t, simEnv(inv), "", "collect", "--api-base-url", base, "--state", state, "--settings-max-age", "-1h", "-o", filepath.Join(dir, "x.json"))
	assert.Equal(t, exitError, r.code)
	assert.Contains(t, r.stderr, "--settings-max-age -1h0m0s: want a duration of 0 or more")
}
