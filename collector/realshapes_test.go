package collector_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/openai-casb/openai-casb/collector"
	"github.com/openai-casb/openai-casb/inventory"
)

// The rows of issue 9's table: what real organizations send (official spec,
// independent Compliance API clients), each a resource that used to be
// dropped or a list that used to fail.

func list(items ...string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, `{"object":"list","data":[%s],"first_id":null,"last_id":null,"has_more":false}`, strings.Join(items, ","))
	}
}

func archivedRefusal(w http.ResponseWriter, r *http.Request) {
	w.WriteHeader(http.StatusBadRequest)
	w.Write([]byte(`{"error":{"message":"Project is archived","type":"invalid_request_error","param":null,"code":null}}`))
}

// The members of an archived project answer 400 (spec: "Error response when
// project is archived"): they are not asked for, and sources say why.
func TestArchivedProjectsMembersAreNotAsked(t *testing.T) {
	s, base := newScripted(t)
	s.on("/v1/organization/projects", list(
		`{"id":"proj_live","object":"organization.project","name":"Live","created_at":1700000000,"archived_at":null,"status":"active"}`,
		`{"id":"proj_old","object":"organization.project","name":"Old","created_at":1600000000,"archived_at":1650000000,"status":"archived"}`))
	s.on("/v1/organization/projects/proj_old/users", archivedRefusal)
	s.on("/v1/organization/projects/proj_old/service_accounts", archivedRefusal)
	inv, err := collector.Collect(context.Background(), scriptedOptions(base, newFakeClock(1712000000)))
	require.NoError(t, err)
	for _, name := range []string{inventory.SourceProjectUsers, inventory.SourceProjectServiceAccounts} {
		src := inv.Sources[name]
		assert.Equal(t, inventory.StatusComplete, src.Status, "%s: %v", name, src.Reason)
		require.NotNil(t, src.Reason, name)
		assert.Contains(t, *src.Reason, "1 archived project(s) not asked", name)
	}
	assert.Zero(t, s.count("/v1/organization/projects/proj_old/users"))
	assert.Equal(t, 1, s.count("/v1/organization/projects/proj_live/users"))
	assert.Equal(t, 1, s.count("/v1/organization/projects/proj_old/api_keys"), "keys of archived projects are still read")
}

// Project.status and User.role are anyOf [string, null] in the spec; a
// service account's role may be none (added 2026-07). Each resource is kept,
// with the value as sent, and the status-less project's keys are read.
func TestNullAndNewValuesKeepTheResource(t *testing.T) {
	s, base := newScripted(t)
	s.on("/v1/organization/projects", list(
		`{"id":"proj_nostatus","object":"organization.project","name":"No status","created_at":1700000000,"archived_at":null,"status":null}`,
		`{"id":"proj_absent","object":"organization.project","name":null,"created_at":1700000000}`,
		`{"id":"proj_gone","object":"organization.project","name":"Gone","created_at":1600000000,"archived_at":1650000000,"status":null}`))
	s.on("/v1/organization/projects/proj_nostatus/api_keys", list(
		`{"object":"organization.project.api_key","redacted_value":"sk-abc...def","name":"k","created_at":1600000000,"last_used_at":1711000000,"id":"key_nostatus","owner_project_access":"active",
		  "owner":{"type":"user","user":{"id":"user_null","name":"N","email":"n@x.example","role":"owner","created_at":1600000000}}}`))
	s.on("/v1/organization/projects/proj_nostatus/service_accounts", list(
		`{"object":"organization.project.service_account","id":"svc_none","name":"bot","role":"none","created_at":1700000000}`))
	s.on("/v1/organization/users", list(
		`{"object":"organization.user","id":"user_null","name":"N","email":"n@x.example","role":null,"added_at":1600000000}`))
	o := scriptedOptions(base, newFakeClock(1712000000))
	inv, warnings := collectWarned(t, o)

	require.Len(t, inv.Projects, 3)
	p := inv.Projects[0]
	assert.Equal(t, inventory.ProjectActive, p.Status, "null status counts as active")
	assert.Nil(t, p.StatusRaw, "and is kept as null")
	require.Len(t, p.APIKeys, 1, "its keys are read")
	require.Len(t, p.ServiceAccounts, 1)
	assert.Equal(t, "none", *p.ServiceAccounts[0].Role)
	assert.Equal(t, inventory.ProjectActive, inv.Projects[1].Status, "absent status counts as active")
	assert.Equal(t, inventory.ProjectArchived, inv.Projects[2].Status, "no status but an archived_at: archived")
	assert.Zero(t, s.count("/v1/organization/projects/proj_gone/users"))

	require.Len(t, inv.Users, 1)
	assert.Nil(t, inv.Users[0].Role)
	assert.Equal(t, int64(1711000000), *inv.Users[0].LastActivityAt, "the owned key's use reaches the user")

	assert.Contains(t, warnings, "project proj_nostatus has no status (null or absent; documented: active, archived): kept as null")
	assert.Contains(t, warnings, "user user_null has no role (null or absent; documented: owner, reader): kept as null")
	assert.Len(t, warnings, 2, "none is documented; each distinct value warns once: %v", warnings)

	raw, err := inventory.Marshal(inv)
	require.NoError(t, err)
	_, err = inventory.Decode(raw, "collected.json")
	require.NoError(t, err, "the inventory is valid")
}

// A key gets one read scope per Compliance route (HTH 6.01): a 403 on one
// route fails that source alone, with the scope, and every other route is
// still read.
func TestForbiddenComplianceRouteFailsOnlyItsSource(t *testing.T) {
	s, base := newScripted(t)
	s.on("/v1/compliance/workspaces/ws-1/users", func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusForbidden)
		w.Write([]byte(`{"error":{"message":"Missing scopes: compliance.workspace_users.read","type":"invalid_request_error","param":null,"code":"insufficient_permissions"}}`))
	})
	s.on("/v1/compliance/workspaces/ws-1/gpts", list(`{"id":"g-1","sharing":{"visibility":"gpt-store"},"latest_config":{"data":[{"name":"G","tools":{"data":[]}}]}}`))
	inv, err := collector.Collect(context.Background(), scriptedOptions(base, newFakeClock(1712000000)))
	require.NoError(t, err)
	ws := inv.Sources[inventory.SourceWorkspaceUsers]
	assert.Equal(t, inventory.StatusFailed, ws.Status)
	assert.Contains(t, *ws.Reason, "scope this route needs: compliance.workspace_users.read")
	gpts := inv.Sources[inventory.SourceGPTs]
	assert.Equal(t, inventory.StatusComplete, gpts.Status, "%v", gpts.Reason)
	require.Len(t, inv.GPTs, 1)
}

// The route's name stands in for the scope when the server names none.
func TestForbiddenLogsNameTheEventType(t *testing.T) {
	s, base := newScripted(t)
	s.on("/v1/compliance/workspaces/ws-1/logs", func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusForbidden)
		w.Write([]byte(`{"error":{"message":"Forbidden"}}`))
	})
	s.on("/v1/compliance/workspaces/ws-1/projects", list(`{"id":"g-p-1","name":"P","latest_config":[{"name":"P","files":[]}]}`))
	o := scriptedOptions(base, newFakeClock(1712000000))
	o.DLP = &collector.DLP{Scanner: quietScanner{}}
	inv, err := collector.Collect(context.Background(), o)
	require.NoError(t, err)
	logs := inv.Sources[inventory.SourceConversationLogs]
	assert.Equal(t, inventory.StatusFailed, logs.Status)
	assert.Contains(t, *logs.Reason, "scope this route needs: read access to CONVERSATION_MESSAGE logs")
	for _, name := range []string{inventory.SourceChatGPTProjects, inventory.SourceGPTs, inventory.SourceWorkspaceUsers} {
		assert.Equal(t, inventory.StatusComplete, inv.Sources[name].Status, "%s: %v", name, inv.Sources[name].Reason)
	}
}

// The CONVERSATION_MESSAGE envelope two public clients agree on puts the
// user at actor.user_id / actor.user_email: its files are fetched from that
// user's files route.
func TestConversationActorIsRead(t *testing.T) {
	s, base := newScripted(t)
	s.on("/v1/compliance/workspaces/ws-1/logs", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, `{"object":"list","data":[{"id":"log-1","event_type":"CONVERSATION_MESSAGE","end_time":"2024-04-01T00:00:00Z"}],"has_more":false,"last_end_time":"2024-04-01T00:00:00Z"}`)
	})
	s.on("/v1/compliance/workspaces/ws-1/logs/log-1", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, `{"event_id":"e1","type":"CONVERSATION_MESSAGE","timestamp":"2024-03-30T10:00:00Z","principal":{"id":"user-b","type":"user"},`+
			`"actor":{"type":"user","user_id":"user-a","user_email":"a@x.example"},"conversation":{"id":"conv-1","gpt_id":null,"project_id":null,"mode":"default"},`+
			`"message":{"id":"m1","author":{"type":"user","client_type":"web"},"files":[{"id":"file-1","name":"notes.txt","mime_type":"text/plain"}]}}`+"\n")
	})
	s.on("/v1/compliance/workspaces/ws-1/users/user-a/files/file-1", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		w.Write([]byte("hello"))
	})
	o := scriptedOptions(base, newFakeClock(1712000000))
	o.DLP = &collector.DLP{Scanner: quietScanner{}}
	inv, err := collector.Collect(context.Background(), o)
	require.NoError(t, err)
	require.Len(t, inv.Files, 1)
	f := inv.Files[0]
	assert.Equal(t, inventory.FileScanned, f.Status, "%v", f.Reason)
	assert.Equal(t, "conv-1", f.Container.ID)
	assert.Equal(t, "user-a", *f.Owner.ID, "actor.user_id, not principal.id")
	assert.Equal(t, "a@x.example", *f.Owner.Email)
	assert.Equal(t, inventory.StatusComplete, inv.Sources[inventory.SourceConversationFiles].Status)
}

type quietScanner struct{}

func (quietScanner) Detectors() []string { return []string{} }

func (quietScanner) ScanFile(context.Context, string, string, []byte) (string, string, map[string]inventory.Detection) {
	return inventory.FileScanned, "", nil
}
