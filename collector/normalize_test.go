package collector_test

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/samber/lo"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/openai-casb/openai-casb/collector"
	"github.com/openai-casb/openai-casb/dlp"
	"github.com/openai-casb/openai-casb/inventory"
)

// collectFixtures serves the recorded-shape pages of fixtures/api, one page
// per list (every project answers with the same children), and collects.
func collectFixtures(t *testing.T) *inventory.Inventory {
	t.Helper()
	s, base := newScripted(t)
	page := func(name string) http.HandlerFunc {
		raw, err := os.ReadFile(filepath.Join("..", "fixtures", "api", name+".json"))
		require.NoError(t, err)
		return func(w http.ResponseWriter, r *http.Request) { w.Write(raw) }
	}
	for path, name := range map[string]string{
		"/v1/organization/admin_api_keys":                     "admin_api_keys",
		"/v1/organization/projects":                           "projects",
		"/v1/organization/projects/proj_abc/api_keys":         "project_api_keys",
		"/v1/organization/projects/proj_abc/service_accounts": "project_service_accounts",
		"/v1/organization/projects/proj_abc/users":            "project_users",
		"/v1/organization/users":                              "users",
		"/v1/organization/invites":                            "invites",
		"/v1/organization/audit_logs":                         "audit_logs",
		"/v1/compliance/workspaces/ws-1/gpts":                 "gpts",
		"/v1/compliance/workspaces/ws-1/users":                "workspace_users",
	} {
		s.on(path, page(name))
	}
	o := scriptedOptions(base, newFakeClock(1712000000))
	o.OrganizationID = "org-fixture"
	inv, err := collector.Collect(context.Background(), o)
	require.NoError(t, err)
	for name, src := range inv.Sources {
		require.Equal(t, "complete", src.Status, "%s: %v", name, src.Reason)
	}
	return inv
}

func TestNormalizeAdminAPI(t *testing.T) {
	inv := collectFixtures(t)
	assert.Equal(t, "org-fixture", inv.Organization.ID)
	assert.Equal(t, int64(1712000000), inv.CollectedAt)

	require.Len(t, inv.AdminAPIKeys, 2)
	k := inv.AdminAPIKeys[1]
	assert.Equal(t, "key_def", k.ID)
	assert.Nil(t, k.LastUsedAt)
	assert.Nil(t, k.ExpiresAt, "absent expires_at is null: never expires")
	assert.Equal(t, "7", *k.Owner.Role, "owner fields are free strings")
	assert.Equal(t, "service_account", *inv.AdminAPIKeys[0].Owner.Type)

	require.Len(t, inv.Projects, 2)
	active, archived := inv.Projects[0], inv.Projects[1]
	assert.Equal(t, "archived", archived.Status)
	assert.Equal(t, int64(1700000000), *archived.ArchivedAt)
	assert.Empty(t, archived.ServiceAccounts, "not asked: the API refuses archived projects")
	require.Len(t, active.APIKeys, 2)
	assert.Equal(t, &inventory.KeyOwner{Type: "user", ID: lo.ToPtr("user_abc"), Name: lo.ToPtr("First Last"), Email: lo.ToPtr("user@example.com"), Role: lo.ToPtr("owner")}, active.APIKeys[0].Owner)
	assert.Equal(t, &inventory.KeyOwner{Type: "service_account", ID: lo.ToPtr("svc_acct_abc"), Name: lo.ToPtr("Service Account"), Role: lo.ToPtr("member")}, active.APIKeys[1].Owner,
		"an owner without type is told by its shape")
	assert.Equal(t, "inactive", *active.APIKeys[1].OwnerProjectAccess)
	assert.Equal(t, "owner", *active.ServiceAccounts[0].Role)
	assert.Equal(t, "user@example.com", *active.Users[0].Email)

	require.Len(t, inv.Invites, 2)
	assert.Equal(t, []inventory.InviteProject{{ID: "proj_abc", Role: lo.ToPtr("member")}}, inv.Invites[0].Projects)
	assert.Equal(t, int64(1711000000), *inv.Invites[1].CreatedAt, "invited_at of older responses")
	assert.Equal(t, []inventory.InviteProject{}, inv.Invites[1].Projects, "null projects become none")
}

func TestDerivedActivity(t *testing.T) {
	inv := collectFixtures(t)
	require.Len(t, inv.Users, 2)
	abc, old := inv.Users[0], inv.Users[1]

	assert.Equal(t, int64(1711950000), *abc.ActivitySignals.AuditLogLoginAt, "the newest login")
	assert.Equal(t, int64(1711900000), *abc.ActivitySignals.APIKeyLastUsedAt)
	assert.Equal(t, int64(1711471534), *abc.ActivitySignals.OwnedProjectKeysLastUsedAt, "last use of key_abc, which user_abc owns")
	assert.Equal(t, int64(1711950000), *abc.LastActivityAt, "the newest signal")
	assert.Empty(t, abc.ActivitySignals.Unavailable)
	assert.True(t, *abc.Enabled)

	assert.Equal(t, int64(1711700000), *old.ActivitySignals.AuditLogLoginAt, "a login found by email, case-insensitively")
	assert.Equal(t, []string{"api_key_last_used"}, old.ActivitySignals.Unavailable, "the older API sent no api_key_last_used_at")
	assert.Nil(t, old.ActivitySignals.OwnedProjectKeysLastUsedAt)
	assert.Equal(t, int64(1711700000), *old.LastActivityAt, "an api_key.created event is not a login")
}

func TestNormalizeComplianceAPI(t *testing.T) {
	inv := collectFixtures(t)
	require.Len(t, inv.GPTs, 5)
	bare := inv.GPTs[4]
	assert.Equal(t, "Bare Arrays", *bare.Name, "latest_config, tools and files as bare arrays, as some clients record them")
	assert.Equal(t, "code_interpreter", bare.Tools[0].Type)
	assert.Equal(t, "file-2", bare.Files[0].ID)
	g := inv.GPTs[0]
	assert.Equal(t, "CRM Assistant", *g.Name, "the live configuration is the first of latest_config")
	assert.Equal(t, int64(1711471533), *g.CreatedAt, "ISO timestamps become unix seconds")
	assert.Equal(t, "anyone-with-link", g.Visibility)
	var types, raws []string
	for _, tool := range g.Tools {
		types = append(types, tool.Type)
		raws = append(raws, tool.RawType)
	}
	assert.Equal(t, []string{"custom_action", "code_interpreter", "web_browsing", "image_generation", "canvas", "memory", "other"}, types)
	assert.Equal(t, []string{"Custom-Action", "python", "browser", "dall-e", "canmore", "bio", "retrieval_plus"}, raws, "raw types are kept")
	assert.Equal(t, "crm.example", *g.Tools[0].ActionDomain)
	assert.Equal(t, "oauth", *g.Tools[0].AuthType)
	assert.Equal(t, "https://crm.example/privacy", *g.Tools[0].PrivacyPolicyURL)
	assert.Equal(t, []inventory.GPTFile{{ID: "file-1", Name: lo.ToPtr("pricing.pdf"), CreatedAt: lo.ToPtr(int64(1711471533))}}, g.Files)

	assert.Equal(t, "invite-only", inv.GPTs[1].Visibility)
	assert.Equal(t, "just-me", *inv.GPTs[1].VisibilityRaw)
	assert.Equal(t, int64(1711471533), *inv.GPTs[1].CreatedAt, "fractional seconds are dropped")
	assert.Equal(t, "workspace", inv.GPTs[2].Visibility)
	assert.Equal(t, "unknown", inv.GPTs[3].Visibility, "an unknown visibility is kept, not dropped")
	assert.Equal(t, "partner-only", *inv.GPTs[3].VisibilityRaw)
	assert.Nil(t, inv.GPTs[3].Name)

	require.Len(t, inv.WorkspaceUsers, 2)
	assert.Equal(t, "deactivated", *inv.WorkspaceUsers[1].Status)
	assert.Equal(t, int64(1704067200), *inv.WorkspaceUsers[1].CreatedAt)
}

func TestFixturesHoldNoKeys(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join("..", "fixtures", "api", "*.json"))
	require.NotEmpty(t, files)
	for _, f := range files {
		raw, _ := os.ReadFile(f)
		for _, line := range strings.Split(string(raw), "\n") {
			if i := strings.Index(line, `"sk-`); i >= 0 {
				assert.Contains(t, line[i:], "...", "%s: only redacted key values: %s", f, line)
			}
		}
	}
}

func TestNormalizeNames(t *testing.T) {
	for raw, want := range map[string]string{
		"invite-only": "invite-only", "just-me": "invite-only", "workspace-with-link": "workspace-with-link",
		"workspace": "workspace", "everyone-in-workspace": "workspace", "anyone-with-link": "anyone-with-link",
		"GPT-Store": "gpt-store", "public": "unknown", "": "unknown",
	} {
		assert.Equal(t, want, collector.NormalizeVisibility(raw), raw)
	}
	for raw, want := range map[string]string{
		"custom_action": "custom_action", "custom-action": "custom_action", "ACTION": "custom_action",
		"code_interpreter": "code_interpreter", "python": "code_interpreter", "browser": "web_browsing",
		"web-browsing": "web_browsing", "dall-e": "image_generation", "canvas": "canvas", "memory": "memory",
		"plugins_v2": "other", "": "other",
	} {
		assert.Equal(t, want, collector.NormalizeTool(raw), raw)
	}
}

// The DLP lists in the shapes fixtures/api records: projects with bare or
// wrapped lists and file aliases, a GPT whose configuration is a bare
// array, and conversation events with files where each client put them.
func TestNormalizeDLPShapes(t *testing.T) {
	s, base := newScripted(t)
	serveFile := func(name string) http.HandlerFunc {
		raw, err := os.ReadFile(filepath.Join("..", "fixtures", "api", name))
		require.NoError(t, err)
		return func(w http.ResponseWriter, r *http.Request) { w.Write(raw) }
	}
	var logsQuery url.Values
	ws := "/v1/compliance/workspaces/ws-1"
	s.on(ws+"/gpts", serveFile("gpts.json"))
	s.on(ws+"/projects", serveFile("chatgpt_projects.json"))
	s.on(ws+"/logs", func(w http.ResponseWriter, r *http.Request) {
		logsQuery = r.URL.Query()
		serveFile("logs.json")(w, r)
	})
	s.on(ws+"/logs/logfile-000001", serveFile("conversation_messages.jsonl"))
	for _, p := range []string{"gpt_files/file-1", "gpt_files/file-2", "project_files/file-p1", "project_files/file-p2",
		"project_files/file-p3", "users/user-abc/files/file-c1", "users/user-def/files/file-c2"} {
		s.on(ws+"/"+p, func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/plain; charset=utf-8")
			io.WriteString(w, "nothing sensitive in "+p+"\n")
		})
	}
	sc, err := dlp.NewScanner(nil)
	require.NoError(t, err)
	clock := newFakeClock(1712000000)
	o := scriptedOptions(base, clock)
	o.DLP = &collector.DLP{Scanner: dlpScanner{sc}, Profiles: []string{"credentials_and_secrets"}}
	inv, err := collector.Collect(context.Background(), o)
	require.NoError(t, err)

	assert.Equal(t, "CONVERSATION_MESSAGE", logsQuery.Get("event_type"))
	assert.Equal(t, "2024-03-02T19:33:20Z", logsQuery.Get("after"), "30 days before the collection")

	files := byID(inv.Files)
	assert.Len(t, inv.Files, 8, "file-c1 is attached twice and recorded once")
	assert.Equal(t, inventory.FileContainer{ID: "g-actions", Name: lo.ToPtr("CRM Assistant")}, files["file-1"].Container)
	assert.Equal(t, "Bare Arrays", *files["file-2"].Container.Name, "a configuration as a bare array")
	assert.Equal(t, "handbook.docx", *files["file-2"].Name)

	p1, p2, p3 := files["file-p1"], files["file-p2"], files["file-p3"]
	assert.Equal(t, inventory.LocationChatGPTProject, p1.Location)
	assert.Equal(t, inventory.FileContainer{ID: "g-p-finance", Name: lo.ToPtr("Finance Ops")}, p1.Container)
	assert.Equal(t, &inventory.FileOwner{ID: lo.ToPtr("user-abc"), Email: lo.ToPtr("owner@example.com")}, p1.Owner)
	assert.Equal(t, "text/plain", *p1.MIMEType, "from the answer's Content-Type")
	assert.Equal(t, "notes.txt", *p2.Name, "file_id and filename")
	assert.Equal(t, "Wrapped", *p3.Container.Name, "latest_config and files wrapped in data")
	assert.Equal(t, "application/vnd.openxmlformats-officedocument.presentationml.presentation", *p3.MIMEType)
	assert.Equal(t, inventory.FileScanned, p3.Status, "text named .pptx is read as the text it is")

	c1, c2, c3 := files["file-c1"], files["file-c2"], files["file-c3"]
	assert.Equal(t, inventory.FileContainer{ID: "conv-1", Name: lo.ToPtr("Deploy help")}, c1.Container)
	assert.Equal(t, "user-abc", *c1.Owner.ID)
	assert.Equal(t, inventory.FileScanned, c1.Status)
	assert.Equal(t, inventory.FileContainer{ID: "conv-2", Name: lo.ToPtr("Budget")}, c2.Container, "conversation object, actor, payload attachments")
	assert.Equal(t, "def@example.com", *c2.Owner.Email)
	assert.Equal(t, "budget.xlsx", *c2.Name)
	assert.Equal(t, inventory.FileError, c3.Status)
	assert.Contains(t, *c3.Reason, "names no user")

	projects := inv.Sources[inventory.SourceChatGPTProjects]
	assert.Equal(t, inventory.StatusPartial, projects.Status)
	assert.Equal(t, 3, projects.Items)
	assert.Contains(t, *projects.Reason, "ChatGPT project (no id)")
	logs := inv.Sources[inventory.SourceConversationLogs]
	assert.Equal(t, inventory.StatusPartial, logs.Status, "a line that is not JSON")
	assert.Contains(t, *logs.Reason, "log line 5")
	assert.Equal(t, 6, logs.Items, "events read, one of another type included; the broken line not")
	cf := inv.Sources[inventory.SourceConversationFiles]
	assert.Equal(t, inventory.StatusPartial, cf.Status)
	assert.Contains(t, *cf.Reason, "the conversation_logs list that names the files was not read completely")
	assert.Contains(t, *cf.Reason, "1 of 3 files could not be fetched")
	assert.Equal(t, inventory.StatusComplete, inv.Sources[inventory.SourceGPTFiles].Status)
}
