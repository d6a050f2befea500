package collector_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/samber/lo"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/openai-casb/openai-casb/collector"
	"github.com/openai-casb/openai-casb/inventory"
	"github.com/openai-casb/openai-casb/simulator"
)

const settingsRoute = "admin projects/{id}/data_retention"

// collectFrom collects inv served with opts, from prev (nil: a full
// collection), and returns the inventory, the state it leaves and the
// simulator's counts.
func collectFrom(t *testing.T, inv *inventory.Inventory, opts simulator.Options, prev *collector.State, maxAge time.Duration) (*inventory.Inventory, *collector.State, simulator.Stats, []string) {
	t.Helper()
	sim, base := serve(t, inv, opts)
	o := options(inv, base)
	o.Previous, o.SettingsMaxAge = prev, maxAge
	var next *collector.State
	var warned []string
	o.KeepState = func(s *collector.State) { next = s }
	o.Warn = func(m string) { warned = append(warned, m) }
	got, err := collector.Collect(context.Background(), o)
	require.NoError(t, err)
	require.NotNil(t, next)
	// The state survives its file.
	return got, viaFile(t, next), sim.Stats(), warned
}

func activeProjects(inv *inventory.Inventory) []string {
	var ids []string
	for _, p := range inv.Projects {
		if p.Status != inventory.ProjectArchived && !collector.IsSynthetic(p.ID) {
			ids = append(ids, p.ID)
		}
	}
	return ids
}

// An incremental rescan a day later, after changes the audit log records
// (a certificate activated on one project and deactivated on another, a
// certificate renamed, a project created, one renamed while its retention
// changed, one archived), gives the inventory a full collection gives, less
// the settings_reused markers, and re-reads only the settings the events
// touched, the new project's and a seventh of the others for their age.
func TestIncrementalRescanReusesSettingsNoEventChanged(t *testing.T) {
	src := simulator.Generate(simulator.GenerateOptions{Users: 1500, Seed: 31, Plant: true})
	load := simulator.Options{}
	_, state, _, _ := collectFrom(t, src, load, nil, collector.DefaultSettingsMaxAge)
	require.NotNil(t, state.Settings)
	active := activeProjects(src)
	require.GreaterOrEqual(t, len(active), 20)
	assert.Len(t, state.Settings.Projects, len(active))

	at := src.CollectedAt + 3600
	ch := simulator.Change(dayLater(src))
	cert := inventory.Certificate{ID: "cert_rescan", Name: lo.ToPtr("mtls-rescan"), CreatedAt: &at, ValidAt: &at, ExpiresAt: lo.ToPtr(at + 400*86400)}
	ch.SetCertificateActive(active[0], cert, true, at)
	ch.SetCertificateActive(active[1], cert, false, at+1)
	ch.RenameCertificate(cert.ID, "mtls-rescan-2", at+2)
	ch.AddProject(inventory.Project{ID: "proj_rescan_new", Name: lo.ToPtr("New"), Status: inventory.ProjectActive, StatusRaw: lo.ToPtr("active"), CreatedAt: &at,
		APIKeys: []inventory.ProjectAPIKey{}, ServiceAccounts: []inventory.ServiceAccount{}, Users: []inventory.ProjectUser{},
		DataRetention: &inventory.DataRetention{Type: lo.ToPtr("zero_data_retention")}}, at+3)
	ch.RenameProject(active[2], "Renamed", at+4)
	ch.SetDataRetention(active[2], "modified_abuse_monitoring") // with the project.updated above
	ch.ArchiveProject(active[3], at+5)
	next := ch.Inventory()
	load.AuditEvents = ch.Events()

	full, _, fullStats, _ := collectFrom(t, next, load, nil, collector.DefaultSettingsMaxAge)
	incr, after, incrStats, warned := collectFrom(t, next, load, state, collector.DefaultSettingsMaxAge)
	assert.False(t, lo.ContainsBy(warned, func(m string) bool { return strings.Contains(m, "settings") }), "%q", warned)
	assert.Equal(t, comparable(full), withoutReuse(incr))

	// What was read again, and what was not.
	reused := map[string]bool{}
	for _, p := range incr.Projects {
		if p.SettingsReused != nil {
			reused[p.ID] = true
			for member, readAt := range p.SettingsReused {
				assert.Equal(t, src.CollectedAt, readAt, "%s of %s", member, p.ID)
				assert.NotEqual(t, "certificates", member, "every certificate list is read again after certificate events")
			}
		}
	}
	assert.False(t, reused["proj_rescan_new"], "a new project is read whole")
	assert.False(t, reused[active[2]], "a project with an event is read again")
	stillActive := len(activeProjects(next))
	ageShare := (len(active) + 6) / 7
	assert.GreaterOrEqual(t, len(reused), stillActive-2-ageShare)
	assert.Equal(t, int64(stillActive), fullStats.ByRoute[settingsRoute])
	assert.Equal(t, int64(stillActive-len(reused)), incrStats.ByRoute[settingsRoute])
	assert.Less(t, incrStats.ByRoute[settingsRoute]*2, fullStats.ByRoute[settingsRoute])
	assert.Equal(t, fullStats.ByRoute["admin projects/{id}/certificates"], incrStats.ByRoute["admin projects/{id}/certificates"])
	s := incr.Sources[inventory.SourceProjectDataRetention]
	assert.Equal(t, inventory.StatusComplete, s.Status)
	require.NotNil(t, s.Reason)
	assert.Contains(t, *s.Reason, "incremental")
	assert.Equal(t, full.Sources[inventory.SourceProjectDataRetention].Items, s.Items)

	// The next state holds every active project's settings, the reused
	// ones with their first reading time.
	assert.Len(t, after.Settings.Projects, stillActive)
	assert.Equal(t, next.CollectedAt, after.Settings.Through)
	assert.NotContains(t, after.Settings.Projects, active[3], "archived")
}

// A change the audit log does not record (the spec lists no event for data
// retention or spend limits) is in the inventory within --settings-max-age
// of daily rescans; until then the stale value carries its reading time,
// never older than the age. With an age of 0 it is read at once.
func TestUneventedSettingChangeIsSeenWithinMaxAge(t *testing.T) {
	src := simulator.Generate(simulator.GenerateOptions{Users: 1000, Seed: 33, Plant: true})
	_, state, _, _ := collectFrom(t, src, simulator.Options{}, nil, collector.DefaultSettingsMaxAge)
	active := activeProjects(src)
	// The project read last by the rotation: the greatest id.
	changed := lo.Max(active)
	ch := simulator.Change(src)
	ch.SetDataRetention(changed, "enhanced_zero_data_retention")
	changedInv := ch.Inventory()
	require.Empty(t, ch.Events())
	day := func(n int) *inventory.Inventory {
		inv := *changedInv
		inv.CollectedAt = src.CollectedAt + int64(n)*86400
		return &inv
	}
	retention := func(inv *inventory.Inventory) (string, map[string]int64) {
		for _, p := range inv.Projects {
			if p.ID == changed {
				return *p.DataRetention.Type, p.SettingsReused
			}
		}
		t.Fatalf("no project %s", changed)
		return "", nil
	}

	now, _, _, _ := collectFrom(t, day(1), simulator.Options{}, state, 0)
	got, marks := retention(now)
	assert.Equal(t, "enhanced_zero_data_retention", got, "--settings-max-age 0 reads every setting")
	assert.Nil(t, marks)

	seen := 0
	prev := state
	maxAge := collector.DefaultSettingsMaxAge
	for n := 1; n <= 8 && seen == 0; n++ {
		inv, next, stats, _ := collectFrom(t, day(n), simulator.Options{}, prev, maxAge)
		prev = next
		assert.LessOrEqual(t, stats.ByRoute[settingsRoute], int64((len(active)+6)/7), "day %d: a seventh is read again", n)
		for _, p := range inv.Projects {
			for member, readAt := range p.SettingsReused {
				assert.Greater(t, readAt, inv.CollectedAt-int64(maxAge/time.Second), "day %d: %s of %s is within the age", n, member, p.ID)
			}
		}
		got, marks := retention(inv)
		if got == "enhanced_zero_data_retention" {
			seen = n
			assert.Nil(t, marks, "read this day")
			continue
		}
		assert.Equal(t, src.CollectedAt, marks["data_retention"], "day %d: the stale value says when it was read", n)
	}
	share := (len(active) + 6) / 7
	assert.Equal(t, (len(active)+share-1)/share, seen, "the last of the rotation (%d projects, %d a day), within the age", len(active), share)
	assert.LessOrEqual(t, seen, 7)
}

// When the audit log cannot be read, nothing is reused: every project's
// settings are read again, with a warning.
func TestSettingsAreReadAgainWhenTheAuditLogCannotBeRead(t *testing.T) {
	src := simulator.Generate(simulator.GenerateOptions{Users: 60, Seed: 34, Plant: true})
	_, state, _, _ := collectFrom(t, src, simulator.Options{}, nil, collector.DefaultSettingsMaxAge)
	next := *src
	next.CollectedAt += 86400
	sim, base := serve(t, &next, simulator.Options{Forbidden: []string{"admin audit_logs"}})
	o := options(&next, base)
	o.Previous, o.SettingsMaxAge = state, collector.DefaultSettingsMaxAge
	var warned []string
	o.Warn = func(m string) { warned = append(warned, m) }
	inv, err := collector.Collect(context.Background(), o)
	require.NoError(t, err)
	for _, p := range inv.Projects {
		assert.Nil(t, p.SettingsReused, p.ID)
	}
	assert.Equal(t, int64(len(activeProjects(src))), sim.Stats().ByRoute[settingsRoute])
	assert.True(t, lo.ContainsBy(warned, func(m string) bool { return strings.Contains(m, "settings were all read again") }), "%q", warned)
}
