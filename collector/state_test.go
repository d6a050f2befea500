package collector_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/openai-casb/openai-casb/collector"
	"github.com/openai-casb/openai-casb/inventory"
	"github.com/openai-casb/openai-casb/simulator"
)

// dayLater is the organization a day after src: some members logged in
// again, one left, and a day of the window slid past.
func dayLater(src *inventory.Inventory) *inventory.Inventory {
	next := *src
	next.CollectedAt = src.CollectedAt + 86400
	next.Users = append([]inventory.User(nil), src.Users[:len(src.Users)-1]...) // the last one left
	for i := range next.Users {
		if i%7 == 0 {
			at := next.CollectedAt - int64(i)*13 // logged in within the last day
			next.Users[i].ActivitySignals.AuditLogLoginAt = &at
		}
	}
	return &next
}

// An incremental rescan a day later gives the inventory a full collection
// of that day gives, reading only the new day of the audit log.
func TestIncrementalRescanEqualsFullCollection(t *testing.T) {
	src := simulator.Generate(simulator.GenerateOptions{Users: 150, Seed: 31, Plant: true})
	load := simulator.Options{LoginsPerUserDay: 2}
	_, base := serve(t, src, load)
	o := options(src, base)
	var state *collector.State
	o.KeepState = func(s *collector.State) { state = s }
	first, err := collector.Collect(context.Background(), o)
	require.NoError(t, err)
	require.NotNil(t, state)
	require.NotNil(t, state.AuditLog)
	assert.Equal(t, src.Organization.ID, state.OrganizationID)

	// The state survives its file.
	path := filepath.Join(t.TempDir(), "state.json")
	require.NoError(t, collector.WriteState(path, state))
	st, err := os.Stat(path)
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o600), st.Mode().Perm())
	prev, err := collector.ReadState(path)
	require.NoError(t, err)

	next := dayLater(src)
	sim, nextBase := serve(t, next, load)
	full, err := collector.Collect(context.Background(), options(next, nextBase))
	require.NoError(t, err)
	fullRequests := sim.Stats().ByRoute["admin audit_logs"]

	sim2, nextBase2 := serve(t, next, load)
	o = options(next, nextBase2)
	o.Previous = prev
	var after *collector.State
	o.KeepState = func(s *collector.State) { after = s }
	incr, err := collector.Collect(context.Background(), o)
	require.NoError(t, err)
	incrRequests := sim2.Stats().ByRoute["admin audit_logs"]

	assert.Equal(t, comparable(full), comparable(incr))
	assert.NotEqual(t, comparable(first), comparable(incr), "the day's changes are in")
	assert.Less(t, incrRequests*10, fullRequests, "a day of logins, not 180 (%d vs %d requests)", incrRequests, fullRequests)
	src2 := incr.Sources[inventory.SourceAuditLogs]
	assert.Equal(t, inventory.StatusComplete, src2.Status)
	require.NotNil(t, src2.Reason)
	assert.Contains(t, *src2.Reason, "incremental")
	// The member who left is gone from the next state.
	gone := src.Users[len(src.Users)-1].ID
	assert.NotContains(t, after.AuditLog.NewestByUser, gone)
	assert.Equal(t, next.CollectedAt, after.AuditLog.Through)
}

// A state of another organization, or of a shorter window, means a full
// reading, and the result is still right.
func TestForeignOrShortStateMeansFullReading(t *testing.T) {
	src := simulator.Generate(simulator.GenerateOptions{Users: 60, Seed: 32, Plant: true})
	sim, base := serve(t, src, simulator.Options{LoginsPerUserDay: 1})
	full, err := collector.Collect(context.Background(), options(src, base))
	require.NoError(t, err)
	fullReqs := sim.Stats().ByRoute["admin audit_logs"]

	bogus := &collector.State{Version: collector.StateVersion, OrganizationID: "org-someone-else", CollectedAt: src.CollectedAt - 3600,
		AuditLog: &collector.AuditMark{From: src.CollectedAt - 200*86400, Through: src.CollectedAt - 3600,
			NewestByUser: map[string]int64{src.Users[0].ID: src.CollectedAt - 10}, NewestByEmail: map[string]int64{}}}
	short := &collector.State{Version: collector.StateVersion, OrganizationID: src.Organization.ID, CollectedAt: src.CollectedAt - 3600,
		AuditLog: &collector.AuditMark{From: src.CollectedAt - 10*86400, Through: src.CollectedAt - 3600,
			NewestByUser: map[string]int64{}, NewestByEmail: map[string]int64{}}}
	for name, prev := range map[string]*collector.State{"foreign": bogus, "short window": short} {
		sim, base := serve(t, src, simulator.Options{LoginsPerUserDay: 1})
		o := options(src, base)
		o.Previous = prev
		got, err := collector.Collect(context.Background(), o)
		require.NoError(t, err, name)
		assert.Equal(t, comparable(full), comparable(got), name)
		assert.GreaterOrEqual(t, sim.Stats().ByRoute["admin audit_logs"], fullReqs, name)
	}
}

func TestReadStateRefusesWhatItCannotUse(t *testing.T) {
	dir := t.TempDir()
	missing, err := collector.ReadState(filepath.Join(dir, "none.json"))
	require.NoError(t, err)
	assert.Nil(t, missing)
	for name, body := range map[string]string{
		"corrupt":  `{"version": 1, "organization_id": "org-1", `,
		"version":  `{"version": 99, "organization_id": "org-1"}`,
		"no org":   `{"version": 1}`,
		"unknown":  `{"version": 1, "organization_id": "org-1", "extra": true}`,
		"bad mark": `{"version": 1, "organization_id": "org-1", "audit_log": {"from": 10, "through": 5, "newest_by_user": {}, "newest_by_email": {}}}`,
	} {
		p := filepath.Join(dir, name+".json")
		require.NoError(t, os.WriteFile(p, []byte(body), 0o600))
		_, err := collector.ReadState(p)
		assert.Error(t, err, name)
	}
}
