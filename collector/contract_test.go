package collector_test

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"regexp"
	"slices"
	"strings"
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

// The estate's routes (issue 13), as the spec names them, and the
// simulator's pattern for each.
var estateSpecRoutes = []struct{ spec, pattern string }{
	{"/organization/data_retention", "data_retention"},
	{"/organization/spend_limit", "spend_limit"},
	{"/organization/spend_alerts", "spend_alerts"},
	{"/organization/certificates", "certificates"},
	{"/organization/roles", "roles"},
	{"/organization/groups", "groups"},
	{"/organization/projects/{project_id}/data_retention", "projects/{id}/data_retention"},
	{"/organization/projects/{project_id}/model_permissions", "projects/{id}/model_permissions"},
	{"/organization/projects/{project_id}/hosted_tool_permissions", "projects/{id}/hosted_tool_permissions"},
	{"/organization/projects/{project_id}/spend_limit", "projects/{id}/spend_limit"},
	{"/organization/projects/{project_id}/spend_alerts", "projects/{id}/spend_alerts"},
	{"/organization/projects/{project_id}/certificates", "projects/{id}/certificates"},
	{"/organization/groups/{group_id}/users", "groups/{id}/users"},
	{"/organization/groups/{group_id}/roles", "groups/{id}/roles"},
	{"/organization/users/{user_id}/roles", "users/{id}/roles"},
}

// Every property the spec gives an item of a route the collector reads,
// nested ones included, is one the collector knows: a spec-valid answer
// never warns of a new field, and what extra keeps is what the spec does
// not document.
func TestKnownFieldsCoverTheSpec(t *testing.T) {
	spec := spectest.Load(t)
	for _, r := range append(slices.Clone(specRoutes), estateSpecRoutes...) {
		for _, p := range spec.ItemPropertyPaths(r.spec) {
			ok, checked := collector.Knows(r.spec, p)
			if !checked {
				break // audit log events: only logins are read
			}
			assert.True(t, ok, "GET %s: the spec's property %s is not among the fields the collector knows", r.spec, strings.Join(p, "."))
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
	// Every project, group and user of the examples answers its children.
	ids := strings.NewReplacer("{project_id}", "proj_abc", "{group_id}", "group_01J1F8ABCDXYZ", "{user_id}", "user_abc")
	for _, r := range append(slices.Clone(specRoutes), estateSpecRoutes...) {
		body, repaired, err := spec.Example(r.spec)
		require.NoError(t, err)
		if repaired {
			t.Logf("GET %s: the spec's example is not JSON as written; read with its trailing commas removed", r.spec)
		}
		served[r.spec] = len(exampleItems(t, body))
		path := "/v1" + ids.Replace(r.spec)
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
	inv, warnings := collectWarned(t, o)
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
	// The estate's examples.
	require.NotNil(t, inv.Organization.DataRetention)
	assert.Equal(t, "modified_abuse_monitoring", *inv.Organization.DataRetention.Type)
	require.NotNil(t, inv.Organization.SpendLimit)
	assert.Equal(t, int64(10000), *inv.Organization.SpendLimit.ThresholdAmount)
	assert.Len(t, inv.Organization.SpendAlerts, served["/organization/spend_alerts"])
	assert.Len(t, inv.Certificates, served["/organization/certificates"])
	assert.Len(t, inv.Roles, served["/organization/roles"])
	require.Len(t, inv.Groups, served["/organization/groups"])
	assert.Len(t, inv.Groups[0].Users, served["/organization/groups/{group_id}/users"])
	assert.Len(t, inv.Groups[0].Roles, served["/organization/groups/{group_id}/roles"])
	assert.Len(t, inv.Users[0].Roles, served["/organization/users/{user_id}/roles"])
	require.NotNil(t, p.DataRetention)
	require.NotNil(t, p.ModelPermissions)
	assert.Equal(t, []string{"gpt-4.1", "o3"}, p.ModelPermissions.ModelIDs)
	assert.Len(t, p.HostedToolPermissions, 5)
	require.NotNil(t, p.SpendLimit)
	assert.Len(t, p.SpendAlerts, served["/organization/projects/{project_id}/spend_alerts"])
	assert.Len(t, p.Certificates, served["/organization/projects/{project_id}/certificates"])
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
		specOf := map[string]string{}
		for _, r := range append(slices.Clone(specRoutes), estateSpecRoutes...) {
			specOf[r.pattern] = r.spec
			if isObjectRoute(r.pattern) {
				items[r.pattern] = []json.RawMessage{g.Object(r.spec)}
				continue
			}
			items[r.pattern] = g.Items(r.spec, "id_"+fmt.Sprint(len(items))+"_", 1+g.Intn(7))
		}
		src := simulator.Generate(simulator.GenerateOptions{Users: 5, Seed: seed})
		_, base := serve(t, src, simulator.Options{Items: items, MaxPageSize: 1 + g.Intn(3)})
		o := options(src, base)
		inv, err := collector.Collect(context.Background(), o)
		require.NoError(t, err)
		for name, s := range inv.Sources {
			reason := ""
			if s.Reason != nil {
				reason = *s.Reason
			}
			assert.Equal(t, inventory.StatusComplete, s.Status, "seed %d: %s: %s", seed, name, reason)
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

		// Every unknown member the generator added, at any depth, is in
		// its resource's extra, at its path, with its value.
		doc := func(raw json.RawMessage) map[string]any {
			var m map[string]any
			require.NoError(t, json.Unmarshal(raw, &m))
			return m
		}
		have := func(got inventory.Extra) map[string]string {
			out := map[string]string{}
			for k, v := range got {
				out[k] = string(v)
			}
			return out
		}
		// want is what extra must hold for the item of pattern whose id is
		// id ("" for a route answering one object): the members the
		// generator made up, but inside objects the spec leaves open.
		want := func(pattern, id string) map[string]string {
			var d any
			for _, raw := range items[pattern] {
				if m := doc(raw); id == "" || m["id"] == id {
					d = m
				}
			}
			return unknownPaths(d, "", spec.OpenPaths(specOf[pattern]))
		}
		extra := func(pattern string, id string, got inventory.Extra) {
			assert.Equal(t, want(pattern, id), have(got), "seed %d: %s %s", seed, pattern, id)
		}
		for _, k := range inv.AdminAPIKeys {
			extra("admin_api_keys", k.ID, k.Extra)
		}
		for _, u := range inv.Users {
			extra("users", u.ID, u.Extra)
		}
		for _, in := range inv.Invites {
			extra("invites", in.ID, in.Extra)
		}
		// The hosted tool permissions' members that are not tools go to
		// the project's extra.
		tools := doc(items["projects/{id}/hosted_tool_permissions"][0])
		for _, p := range inv.Projects {
			w := want("projects", p.ID)
			if p.Status != inventory.ProjectArchived {
				for k, v := range tools {
					if _, isTool := v.(map[string]any); !isTool && k != "object" {
						raw, _ := json.Marshal(v)
						w["hosted_tool_permissions."+k] = string(raw)
					}
				}
			}
			assert.Equal(t, w, have(p.Extra), "seed %d: project %s", seed, p.ID)
			for _, k := range p.APIKeys {
				extra("projects/{id}/api_keys", k.ID, k.Extra)
			}
			for _, sa := range p.ServiceAccounts {
				extra("projects/{id}/service_accounts", sa.ID, sa.Extra)
			}
			for _, u := range p.Users {
				extra("projects/{id}/users", u.ID, u.Extra)
			}
		}

		// The estate: every setting read, every item kept, with what it
		// did not know in extra.
		require.NotNil(t, inv.Organization.DataRetention)
		extra("data_retention", "", inv.Organization.DataRetention.Extra)
		require.NotNil(t, inv.Organization.SpendLimit)
		extra("spend_limit", "", inv.Organization.SpendLimit.Extra)
		require.Len(t, inv.Organization.SpendAlerts, len(items["spend_alerts"]))
		for _, a := range inv.Organization.SpendAlerts {
			extra("spend_alerts", a.ID, a.Extra)
		}
		require.Len(t, inv.Certificates, len(items["certificates"]))
		for _, c := range inv.Certificates {
			extra("certificates", c.ID, c.Extra)
		}
		require.Len(t, inv.Roles, len(items["roles"]))
		for _, r := range inv.Roles {
			extra("roles", r.ID, r.Extra)
		}
		require.Len(t, inv.Groups, len(items["groups"]))
		for _, gr := range inv.Groups {
			extra("groups", gr.ID, gr.Extra)
			require.Len(t, gr.Users, len(items["groups/{id}/users"]), "group %s", gr.ID)
			for _, u := range gr.Users {
				extra("groups/{id}/users", u.ID, u.Extra)
			}
			require.Len(t, gr.Roles, len(items["groups/{id}/roles"]), "group %s", gr.ID)
			for _, r := range gr.Roles {
				extra("groups/{id}/roles", r.ID, r.Extra)
			}
		}
		for _, u := range inv.Users {
			require.Len(t, u.Roles, len(items["users/{id}/roles"]), "user %s", u.ID)
			for _, r := range u.Roles {
				extra("users/{id}/roles", r.ID, r.Extra)
			}
		}
		for _, p := range inv.Projects {
			if p.Status == inventory.ProjectArchived {
				continue
			}
			require.NotNil(t, p.DataRetention, "project %s", p.ID)
			extra("projects/{id}/data_retention", "", p.DataRetention.Extra)
			require.NotNil(t, p.ModelPermissions, "project %s", p.ID)
			extra("projects/{id}/model_permissions", "", p.ModelPermissions.Extra)
			require.NotNil(t, p.SpendLimit, "project %s", p.ID)
			extra("projects/{id}/spend_limit", "", p.SpendLimit.Extra)
			for name, v := range tools {
				if _, isTool := v.(map[string]any); isTool {
					require.Contains(t, p.HostedToolPermissions, name, "project %s", p.ID)
					assert.Equal(t, unknownPaths(v, "", nil), have(p.HostedToolPermissions[name].Extra), "seed %d: project %s tool %s", seed, p.ID, name)
				}
			}
			require.Len(t, p.SpendAlerts, len(items["projects/{id}/spend_alerts"]), "project %s", p.ID)
			require.Len(t, p.Certificates, len(items["projects/{id}/certificates"]), "project %s", p.ID)
		}

		raw, err := inventory.Marshal(inv)
		require.NoError(t, err)
		_, err = inventory.Decode(raw, "generated.json")
		require.NoError(t, err, "seed %d: the inventory is valid", seed)
	})
}

// unknownPaths lists the members of doc the generator made up
// (x_unknown_N), by the path extra keeps them at, with their JSON values.
// Objects the spec leaves open (open, by path with "[]" for list indexes)
// are not looked into: every member there is documented.
func unknownPaths(doc any, path string, open map[string]bool) map[string]string {
	out := map[string]string{}
	if open[listIndex.ReplaceAllString(path, "[]")] {
		return out
	}
	switch v := doc.(type) {
	case map[string]any:
		for k, e := range v {
			p := k
			if path != "" {
				p = path + "." + k
			}
			if strings.HasPrefix(k, "x_unknown_") {
				raw, _ := json.Marshal(e)
				out[p] = string(raw)
				continue
			}
			maps.Copy(out, unknownPaths(e, p, open))
		}
	case []any:
		for i, e := range v {
			maps.Copy(out, unknownPaths(e, fmt.Sprintf("%s[%d]", path, i), open))
		}
	}
	return out
}

var listIndex = regexp.MustCompile(`\[\d+\]`)

// isObjectRoute says whether the simulator's pattern answers one object.
func isObjectRoute(pattern string) bool {
	switch strings.TrimPrefix(pattern, "projects/{id}/") {
	case "data_retention", "spend_limit", "model_permissions", "hosted_tool_permissions":
		return true
	}
	return false
}
