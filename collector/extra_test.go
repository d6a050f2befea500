package collector_test

import (
	"context"
	"encoding/json"
	"net/http"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/openai-casb/openai-casb/collector"
	"github.com/openai-casb/openai-casb/inventory"
)

func one(body string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) { w.Write([]byte(body)) }
}

// raws renders an extra's values as text, for comparing.
func raws(e inventory.Extra) map[string]string {
	out := map[string]string{}
	for k, v := range e {
		out[k] = string(v)
	}
	return out
}

// Spec-shaped answers with members the spec does not document, at the top
// level and nested (inside owner, user, projects, latest_config, tools,
// notification_channel, a hosted tool): every resource is kept with each
// new member's raw value in its extra, each distinct path warns once (not
// once per item), every list is complete, and the inventory is valid.
// What may hold secrets is withheld (a GPT's instructions, an action's
// OpenAPI text) or scrubbed (a key-shaped string in a new member).
func TestUnknownMembersAreKeptInExtra(t *testing.T) {
	s, base := newScripted(t)
	s.on("/v1/organization/admin_api_keys", list(
		`{"object":"organization.admin_api_key","id":"key_a","name":"A","redacted_value":"sk-admin...abc","created_at":1700000000,"expires_at":null,"last_used_at":null,
		  "x_scope":["read"],"owner":{"type":"user","object":"organization.user","id":"user_a","name":"A","created_at":1700000000,"role":"owner","x_mfa":true}}`,
		`{"object":"organization.admin_api_key","id":"key_b","name":"B","redacted_value":"sk-admin...def","created_at":1700000000,"expires_at":null,"last_used_at":null,
		  "x_scope":{"leaked":"sk-admin-ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"},"owner":{"type":"user","id":"user_b","x_mfa":false}}`))
	s.on("/v1/organization/projects", list(
		`{"id":"proj_a","object":"organization.project","name":"A","created_at":1700000000,"archived_at":null,"status":"active","x_region":"eu"}`))
	s.on("/v1/organization/projects/proj_a/api_keys", list(
		`{"object":"organization.project.api_key","redacted_value":"sk-abc...def","name":"k","created_at":1700000000,"last_used_at":null,"id":"key_p","owner_project_access":"active",
		  "owner":{"type":"user","user":{"id":"user_a","name":"A","email":"a@x.example","role":"owner","created_at":1700000000,"x_title":"cto"}}}`))
	s.on("/v1/organization/projects/proj_a/hosted_tool_permissions", one(
		`{"file_search":{"enabled":true,"x_quota":3},"web_search":{"enabled":false},"x_updated_at":1700000001}`))
	s.on("/v1/organization/users", list(
		`{"object":"organization.user","id":"user_a","name":"A","email":"a@x.example","role":"owner","added_at":1700000000,
		  "user":{"object":"user","id":"user_a","enabled":true,"x_locale":"fr"},"projects":{"object":"list","data":[{"id":"proj_a","name":"A","role":"owner","x_pinned":true}]}}`))
	s.on("/v1/organization/invites", list(
		`{"object":"organization.invite","id":"inv_a","email":"c@x.example","role":"reader","status":"pending","created_at":1700000000,"expires_at":null,
		  "projects":[{"id":"proj_a","role":"member","x_note":"n"}]}`))
	s.on("/v1/organization/spend_alerts", list(
		`{"id":"alert_a","object":"organization.spend_alert","threshold_amount":100,"currency":"USD","interval":"month",
		  "notification_channel":{"type":"email","recipients":["f@x.example"],"x_webhook_id":"wh_1"}}`))
	s.on("/v1/compliance/workspaces/ws-1/gpts", list(
		`{"id":"g-a","created_at":1700000000,"owner_id":"user_a","x_category":"hr","sharing":{"visibility":"invite-only","recipients":{"data":[{"id":"user_b","email":"b@x.example"}]}},
		  "latest_config":{"data":[{"name":"G","instructions":"the secret prompt","version_author":{"id":"user_a","email":"a@x.example"},"x_model":"gpt-5",
		    "tools":{"data":[{"type":"custom_action","action_domain":"api.x.example","action_openapi_raw":"openapi: 3.1.0","x_auth_scope":"read"}]}}]}}`))
	s.on("/v1/compliance/workspaces/ws-1/users", list(
		`{"id":"wu_a","email":"a@x.example","name":"A","role":"admin","status":"active","created_at":1700000000,"is_scim_managed":true,"x_seat":"plus"}`))
	o := scriptedOptions(base, newFakeClock(1712000000))
	inv, warnings := collectWarned(t, o)

	require.Len(t, inv.AdminAPIKeys, 2)
	assert.Equal(t, map[string]string{`x_scope`: `["read"]`, `owner.x_mfa`: `true`}, raws(inv.AdminAPIKeys[0].Extra))
	assert.Equal(t, map[string]string{`x_scope`: `{"leaked":"[REDACTED]"}`, `owner.x_mfa`: `false`}, raws(inv.AdminAPIKeys[1].Extra),
		"a key-shaped string in a new member is scrubbed")
	require.Len(t, inv.Projects, 1)
	p := inv.Projects[0]
	assert.Equal(t, map[string]string{`x_region`: `"eu"`, `hosted_tool_permissions.x_updated_at`: `1700000001`}, raws(p.Extra))
	assert.Equal(t, map[string]string{`x_quota`: `3`}, raws(p.HostedToolPermissions["file_search"].Extra))
	assert.Nil(t, p.HostedToolPermissions["web_search"].Extra)
	require.Len(t, p.APIKeys, 1)
	assert.Equal(t, map[string]string{`owner.user.x_title`: `"cto"`}, raws(p.APIKeys[0].Extra))
	require.Len(t, inv.Users, 1)
	assert.Equal(t, map[string]string{`user.x_locale`: `"fr"`, `projects.data[0].x_pinned`: `true`}, raws(inv.Users[0].Extra))
	require.Len(t, inv.Invites, 1)
	assert.Equal(t, map[string]string{`projects[0].x_note`: `"n"`}, raws(inv.Invites[0].Extra))
	require.Len(t, inv.Organization.SpendAlerts, 1)
	assert.Equal(t, map[string]string{`notification_channel.x_webhook_id`: `"wh_1"`}, raws(inv.Organization.SpendAlerts[0].Extra))
	require.Len(t, inv.GPTs, 1)
	assert.Equal(t, map[string]string{
		`x_category`:                    `"hr"`,
		`latest_config.data[0].x_model`: `"gpt-5"`,
		`latest_config.data[0].tools.data[0].x_auth_scope`: `"read"`,
	}, raws(inv.GPTs[0].Extra))
	require.Len(t, inv.WorkspaceUsers, 1)
	assert.Equal(t, map[string]string{`x_seat`: `"plus"`}, raws(inv.WorkspaceUsers[0].Extra))

	sort.Strings(warnings)
	assert.Equal(t, []string{
		`GPT g-a has a field "x_category" that this version does not read: kept in its extra`,
		`GPT g-a has a nested field "latest_config.data[0].tools.data[0].x_auth_scope" that this version does not read: kept in its extra`,
		`GPT g-a has a nested field "latest_config.data[0].x_model" that this version does not read: kept in its extra`,
		`admin key key_a has a field "x_scope" that this version does not read: kept in its extra`,
		`admin key key_a has a nested field "owner.x_mfa" that this version does not read: kept in its extra`,
		`hosted tool file_search of project proj_a has a field "x_quota" that this version does not read: kept in its extra`,
		`invite inv_a has a nested field "projects[0].x_note" that this version does not read: kept in its extra`,
		`project key key_p has a nested field "owner.user.x_title" that this version does not read: kept in its extra`,
		`project proj_a has a field "x_region" that this version does not read: kept in its extra`,
		`project proj_a has a nested field "hosted_tool_permissions.x_updated_at" that this version does not read: kept in its extra`,
		`spend alert alert_a has a nested field "notification_channel.x_webhook_id" that this version does not read: kept in its extra`,
		`user user_a has a nested field "projects.data[0].x_pinned" that this version does not read: kept in its extra`,
		`user user_a has a nested field "user.x_locale" that this version does not read: kept in its extra`,
		`workspace user wu_a has a field "x_seat" that this version does not read: kept in its extra`,
	}, warnings, "one warning per distinct path")

	raw, err := inventory.Marshal(inv)
	require.NoError(t, err)
	text := string(raw)
	assert.NotContains(t, text, "the secret prompt", "instructions are withheld")
	assert.NotContains(t, text, "openapi: 3.1.0", "an action's OpenAPI text is withheld")
	assert.NotContains(t, text, "ABCDEFGHIJKLMNOPQRSTUVWXYZ")
	back, err := inventory.Decode(raw, "collected.json")
	require.NoError(t, err, "the inventory is valid")
	assert.Equal(t, inv.Users[0].Extra, back.Users[0].Extra, "extra survives a round trip")
	var doc map[string]any
	require.NoError(t, json.Unmarshal(raw, &doc))
	assert.True(t, strings.Contains(text, `"extra":{"owner.x_mfa":true,"x_scope":["read"]}`), "written compact, keys sorted")
}

// Items the API sent without an id or without the timestamp the inventory
// places them by (created_at, users' added_at, invites' send time) are kept,
// not dropped: null where the timestamp is missing, a stable synthetic id
// that says it is one where the id is. Each kind warns once, the lists stay
// complete, and nothing is asked of an id-less project, GPT, group or user.
func TestItemsWithoutIDOrTimestampAreKept(t *testing.T) {
	s, base := newScripted(t)
	s.on("/v1/organization/admin_api_keys", list(
		`{"object":"organization.admin_api_key","name":"no id","redacted_value":"sk-admin...a","created_at":1700000000,"expires_at":null,"last_used_at":1711000000}`,
		`{"object":"organization.admin_api_key","id":"key_nostamp","name":"no stamp","redacted_value":"sk-admin...b","expires_at":null,"last_used_at":null}`,
		`{"object":"organization.admin_api_key","id":"key_nostamp2","name":"no stamp either","created_at":null,"expires_at":null,"last_used_at":null}`))
	s.on("/v1/organization/projects", list(
		`{"object":"organization.project","name":"Nameless","created_at":1700000000,"status":"active"}`,
		`{"id":"proj_nostamp","object":"organization.project","name":"No stamp","status":"active"}`))
	s.on("/v1/organization/projects/proj_nostamp/api_keys", list(
		`{"object":"organization.project.api_key","name":"k","redacted_value":"sk-abc...def","last_used_at":null,"owner_project_access":"active"}`))
	s.on("/v1/organization/projects/proj_nostamp/service_accounts", list(
		`{"object":"organization.project.service_account","id":"svc_nostamp","name":"bot","role":"member"}`))
	s.on("/v1/organization/users", list(
		`{"object":"organization.user","name":"No id","email":"noid@x.example","role":"reader","added_at":1700000000}`,
		`{"object":"organization.user","id":"user_nostamp","name":"No stamp","email":"ns@x.example","role":"reader"}`))
	s.on(invitesPath, list(`{"object":"organization.invite","id":"inv_nostamp","email":"i@x.example","role":"reader","status":"pending","expires_at":null}`))
	s.on("/v1/compliance/workspaces/ws-1/gpts", list(`{"created_at":1700000000,"sharing":{"visibility":"gpt-store"}}`))
	o := scriptedOptions(base, newFakeClock(1712000000))
	inv, warnings := collectWarned(t, o)

	require.Len(t, inv.AdminAPIKeys, 3)
	syn := inv.AdminAPIKeys[0].ID
	assert.Regexp(t, `^synthetic:sha256:[0-9a-f]{16}$`, syn)
	assert.True(t, collector.IsSynthetic(syn))
	assert.Equal(t, "no id", *inv.AdminAPIKeys[0].Name)
	assert.Nil(t, inv.AdminAPIKeys[1].CreatedAt)
	assert.Nil(t, inv.AdminAPIKeys[2].CreatedAt)
	require.Len(t, inv.Projects, 2)
	assert.True(t, collector.IsSynthetic(inv.Projects[0].ID))
	assert.Nil(t, inv.Projects[1].CreatedAt)
	require.Len(t, inv.Projects[1].APIKeys, 1)
	assert.True(t, collector.IsSynthetic(inv.Projects[1].APIKeys[0].ID))
	assert.Nil(t, inv.Projects[1].APIKeys[0].CreatedAt)
	require.Len(t, inv.Projects[1].ServiceAccounts, 1)
	assert.Nil(t, inv.Projects[1].ServiceAccounts[0].CreatedAt)
	for _, name := range []string{inventory.SourceProjectAPIKeys, inventory.SourceProjectServiceAccounts, inventory.SourceProjectUsers} {
		require.NotNil(t, inv.Sources[name].Reason, name)
		assert.Contains(t, *inv.Sources[name].Reason, "1 project(s) the API sent without an id not asked", name)
	}
	require.Len(t, inv.Users, 2)
	assert.True(t, collector.IsSynthetic(inv.Users[0].ID))
	assert.Nil(t, inv.Users[1].AddedAt)
	require.Len(t, inv.Invites, 1)
	assert.Nil(t, inv.Invites[0].CreatedAt)
	require.Len(t, inv.GPTs, 1)
	assert.True(t, collector.IsSynthetic(inv.GPTs[0].ID))
	for path, n := range s.hits {
		assert.NotContains(t, path, "synthetic", "a synthetic id is never asked for (%d requests)", n)
	}

	sort.Strings(warnings)
	assert.Equal(t, []string{
		`GPT has no id (null or absent): kept with the synthetic id ` + inv.GPTs[0].ID,
		`admin key has no id (null or absent): kept with the synthetic id ` + syn,
		`admin key key_nostamp has no created_at (null or absent): kept as null; findings that measure its age cannot fire for it`,
		`invite inv_nostamp has no created_at (or invited_at) (null or absent): kept as null; findings that measure its age cannot fire for it`,
		`project has no id (null or absent): kept with the synthetic id ` + inv.Projects[0].ID,
		`project key has no id (null or absent): kept with the synthetic id ` + inv.Projects[1].APIKeys[0].ID,
		`project key ` + inv.Projects[1].APIKeys[0].ID + ` has no created_at (null or absent): kept as null; findings that measure its age cannot fire for it`,
		`project proj_nostamp has no created_at (null or absent): kept as null; findings that measure its age cannot fire for it`,
		`service account svc_nostamp has no created_at (null or absent): kept as null; findings that measure its age cannot fire for it`,
		`user has no id (null or absent): kept with the synthetic id ` + inv.Users[0].ID,
		`user user_nostamp has no added_at (null or absent): kept as null; findings that measure its age cannot fire for it`,
	}, warnings, "once per kind")

	// The same item gets the same synthetic id in the next collection,
	// even once it has been used.
	s.on("/v1/organization/admin_api_keys", list(
		`{"object":"organization.admin_api_key","name":"no id","redacted_value":"sk-admin...a","created_at":1700000000,"expires_at":null,"last_used_at":1711500000}`))
	again, err := collector.Collect(context.Background(), scriptedOptions(base, newFakeClock(1712000000)))
	require.NoError(t, err)
	assert.Equal(t, syn, again.AdminAPIKeys[0].ID, "a synthetic id is stable")

	raw, err := inventory.Marshal(inv)
	require.NoError(t, err)
	_, err = inventory.Decode(raw, "collected.json")
	require.NoError(t, err, "the inventory is valid")
}
