package collector_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/openai-casb/openai-casb/collector"
	"github.com/openai-casb/openai-casb/internal/spectest"
	"github.com/openai-casb/openai-casb/inventory"
	"github.com/openai-casb/openai-casb/simulator"
)

// The Admin API routes the collector reads, as the spec names them, and the
// simulator's pattern for each.
var specRoutes = []struct{ spec, pattern string }{
	{"/organization/admin_api_keys", "admin_api_keys"},
	{"/organization/projects", "projects"},
	{"/organization/projects/{project_id}/api_keys", "projects/{id}/api_keys"},
	{"/organization/projects/{project_id}/service_accounts", "projects/{id}/service_accounts"},
	{"/organization/projects/{project_id}/users", "projects/{id}/users"},
	{"/organization/users", "users"},
	{"/organization/invites", "invites"},
	{"/organization/audit_logs", "audit_logs"},
}

// Every property the spec gives an item of a list the collector reads is
// one the collector knows: a spec-valid answer never warns of a new field.
func TestKnownFieldsCoverTheSpec(t *testing.T) {
	spec := spectest.Load(t)
	for _, r := range specRoutes {
		known := collector.KnownFields(r.spec)
		if known == nil {
			continue // audit log events: only logins are read
		}
		for _, p := range spec.ItemProperties(r.spec) {
			assert.True(t, known[p], "GET %s: the spec's property %q is not among the fields the collector knows", r.spec, p)
		}
	}
}

// exampleItems is the data of a spec example body.
func exampleItems(t *testing.T, body []byte) []json.RawMessage {
	var l struct {
		Data []json.RawMessage `json:"data"`
	}
	require.NoError(t, json.Unmarshal(body, &l))
	return l.Data
}

// The spec's own example bodies (x-oaiMeta) of every route the collector
// reads go through the collector into a valid inventory with every item
// kept. Some examples leave out properties the schema requires (the
// invite's projects); the audit log example is not JSON as written (a
// trailing comma), and is read with that comma removed. The admin key's
// example has an expires_at in the past and a service_account owner type
// its schema's text says cannot be.
func TestSpecExamplesAreCollected(t *testing.T) {
	spec := spectest.Load(t)
	s, base := newScripted(t)
	served := map[string]int{}
	for _, r := range specRoutes {
		body, repaired, err := spec.Example(r.spec)
		require.NoError(t, err)
		if repaired {
			t.Logf("GET %s: the spec's example is not JSON as written; read with its trailing commas removed", r.spec)
		}
		served[r.spec] = len(exampleItems(t, body))
		// Every project of the examples (proj_abc) answers its children.
		path := "/v1" + r.spec
		if r.pattern != "" && len(r.pattern) > len("projects/{id}") && r.pattern[:len("projects/{id}")] == "projects/{id}" {
			path = "/v1/organization/projects/proj_abc" + r.spec[len("/organization/projects/{project_id}"):]
		}
		// The example is the first page; the audit log's says has_more,
		// so the page after it is an empty one.
		s.on(path, func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Query().Get("after") != "" {
				emptyList(w)
				return
			}
			w.Write(body)
		})
	}
	o := scriptedOptions(base, newFakeClock(1712000000))
	o.WorkspaceID = ""
	var warnings []string
	o.Warn = func(m string) { warnings = append(warnings, m) }
	inv, err := collector.Collect(context.Background(), o)
	require.NoError(t, err)
	for name, src := range inv.Sources {
		if src.Status != inventory.StatusSkipped {
			assert.Equal(t, inventory.StatusComplete, src.Status, "%s: %v", name, src.Reason)
		}
	}
	require.Len(t, inv.Projects, served["/organization/projects"])
	p := inv.Projects[0]
	assert.Len(t, inv.AdminAPIKeys, served["/organization/admin_api_keys"])
	assert.Len(t, p.APIKeys, served["/organization/projects/{project_id}/api_keys"])
	assert.Len(t, p.ServiceAccounts, served["/organization/projects/{project_id}/service_accounts"])
	assert.Len(t, p.Users, served["/organization/projects/{project_id}/users"])
	assert.Len(t, inv.Users, served["/organization/users"])
	assert.Len(t, inv.Invites, served["/organization/invites"])
	assert.Equal(t, served["/organization/audit_logs"], inv.Sources[inventory.SourceAuditLogs].Items)
	assert.Equal(t, "service_account", *inv.AdminAPIKeys[0].Owner.Type, "the example's owner type is kept as sent")
	assert.Empty(t, warnings, "the spec's own examples hold nothing unknown")

	raw, err := inventory.Marshal(inv)
	require.NoError(t, err)
	_, err = inventory.Decode(raw, "examples.json")
	require.NoError(t, err)
}

// FuzzSpecResponses drives the collector through the simulator with answers
// generated from the spec's schemas (every enum value, nullable fields
// null, optional fields absent, unknown extra fields, pages of 1 to 3
// items): no item is lost, no value is changed, nothing crashes, and every
// source is complete. `make test` runs the seeds below; `make fuzz` runs
// many more.
func FuzzSpecResponses(f *testing.F) {
	for _, seed := range []uint64{1, 2, 3, 4, 5, 6, 7, 8} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, seed uint64) {
		spec := spectest.Load(t)
		g := spec.NewGenerator(seed)
		items := map[string][]json.RawMessage{}
		for _, r := range specRoutes {
			items[r.pattern] = g.Items(r.spec, "id_"+fmt.Sprint(len(items))+"_", 1+g.Intn(7))
		}
		src := simulator.Generate(simulator.GenerateOptions{Users: 5, Seed: seed})
		_, base := serve(t, src, simulator.Options{Items: items, MaxPageSize: 1 + g.Intn(3)})
		o := options(src, base)
		inv, err := collector.Collect(context.Background(), o)
		require.NoError(t, err)
		for name, s := range inv.Sources {
			assert.Equal(t, inventory.StatusComplete, s.Status, "seed %d: %s: %v", seed, name, s.Reason)
		}

		byID := func(raw []json.RawMessage) map[string]map[string]any {
			out := map[string]map[string]any{}
			for _, r := range raw {
				var m map[string]any
				require.NoError(t, json.Unmarshal(r, &m))
				out[m["id"].(string)] = m
			}
			return out
		}
		str := func(v any) *string {
			switch x := v.(type) {
			case string:
				return &x
			case nil:
				return nil
			}
			s := fmt.Sprint(v)
			return &s
		}
		// Every served item is in the inventory, with its API-owned values
		// as sent.
		keys := byID(items["admin_api_keys"])
		require.Len(t, inv.AdminAPIKeys, len(keys))
		users := byID(items["users"])
		require.Len(t, inv.Users, len(users))
		for _, u := range inv.Users {
			assert.Equal(t, str(users[u.ID]["role"]), u.Role, "user %s", u.ID)
		}
		invites := byID(items["invites"])
		require.Len(t, inv.Invites, len(invites))
		for _, in := range inv.Invites {
			assert.Equal(t, str(invites[in.ID]["role"]), in.Role, "invite %s", in.ID)
			assert.Equal(t, str(invites[in.ID]["status"]), in.Status, "invite %s", in.ID)
			projects, _ := invites[in.ID]["projects"].([]any)
			assert.Len(t, in.Projects, len(slices.DeleteFunc(projects, func(p any) bool { m, _ := p.(map[string]any); return m["id"] == nil })), "invite %s", in.ID)
		}
		projects := byID(items["projects"])
		require.Len(t, inv.Projects, len(projects))
		sas, members := byID(items["projects/{id}/service_accounts"]), byID(items["projects/{id}/users"])
		for _, p := range inv.Projects {
			assert.Equal(t, str(projects[p.ID]["status"]), p.StatusRaw, "project %s", p.ID)
			assert.Len(t, p.APIKeys, len(items["projects/{id}/api_keys"]), "project %s", p.ID)
			if p.Status == inventory.ProjectArchived {
				assert.Empty(t, p.Users)
				continue
			}
			require.Len(t, p.ServiceAccounts, len(sas), "project %s", p.ID)
			for _, sa := range p.ServiceAccounts {
				assert.Equal(t, str(sas[sa.ID]["role"]), sa.Role)
			}
			require.Len(t, p.Users, len(members), "project %s", p.ID)
			for _, u := range p.Users {
				assert.Equal(t, str(members[u.ID]["role"]), u.Role)
			}
		}
		assert.Equal(t, len(items["audit_logs"]), inv.Sources[inventory.SourceAuditLogs].Items)

		raw, err := inventory.Marshal(inv)
		require.NoError(t, err)
		_, err = inventory.Decode(raw, "generated.json")
		require.NoError(t, err, "seed %d: the inventory is valid", seed)
	})
}
