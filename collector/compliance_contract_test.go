package collector_test

import (
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/openai-casb/openai-casb/collector"
	"github.com/openai-casb/openai-casb/inventory"
	"github.com/openai-casb/openai-casb/simulator"
)

// No official document of the Compliance API is public. Its contract here is
// ../shared/reference/compliance-api-evidence.md: what independent clients
// show, each line with its source. The tests below hold the simulator and
// the collector to the shapes that file documents; the shapes are written
// out as Go data (members as a tree, values per field) and every name in
// them is checked to appear in its section of the file, so the tests and
// the evidence cannot drift apart silently.

// evidence is the evidence file's sections (by the start of their title),
// each the set of words inside its backticked spans.
func evidence(t *testing.T) map[string]map[string]bool {
	t.Helper()
	path := filepath.Join("..", "..", "shared", "reference", "compliance-api-evidence.md")
	raw, err := os.ReadFile(path)
	if os.IsNotExist(err) {
		abs, _ := filepath.Abs(path)
		t.Skipf("the Compliance API evidence is not at %s: put compliance-api-evidence.md in ../shared/reference/ beside the repository to run this test", abs)
	}
	require.NoError(t, err)
	spans := regexp.MustCompile("`([^`]+)`")
	words := regexp.MustCompile(`[A-Za-z_][A-Za-z0-9_\-]*`)
	out := map[string]map[string]bool{}
	for _, sec := range strings.Split(string(raw), "\n## ")[1:] {
		title, _, _ := strings.Cut(sec, "\n")
		set := map[string]bool{}
		for _, m := range spans.FindAllStringSubmatch(sec, -1) {
			for _, w := range words.FindAllString(m[1], -1) {
				set[w] = true
			}
		}
		out[title] = set
	}
	return out
}

// section is the words of the section whose title starts with prefix.
func section(t *testing.T, ev map[string]map[string]bool, prefix string) map[string]bool {
	t.Helper()
	for title, set := range ev {
		if strings.HasPrefix(title, prefix) {
			return set
		}
	}
	t.Fatalf("the evidence file has no section %q: update this test with the file", prefix)
	return nil
}

// doc is a documented object: each member, with the members of its value
// when it is an object (or a list of objects, or {"data": [...]}).
type doc map[string]doc

func (d doc) names() []string {
	var out []string
	for k, sub := range d {
		out = append(out, k)
		out = append(out, sub.names()...)
	}
	return out
}

// The documented shapes, section by section of the evidence file.
var (
	evidenceFile = doc{"id": nil, "name": nil, "created_at": nil}
	evidenceGPT  = doc{
		"id": nil, "created_at": nil, "owner_id": nil, "owner_email": nil, "builder_name": nil,
		"sharing": {
			"visibility":  nil,
			"permissions": {"can_read": nil, "can_view_config": nil, "can_write": nil},
			"recipients":  {"id": nil, "email": nil, "permissions": nil},
		},
		"latest_config": {
			"name": nil, "description": nil, "instructions": nil, "version_author": {"id": nil, "email": nil},
			"files": evidenceFile,
			"tools": {"type": nil, "action_domain": nil, "action_openapi_raw": nil, "action_privacy_policy_url": nil, "auth_type": nil},
		},
	}
	evidenceUser    = doc{"id": nil, "email": nil, "name": nil, "created_at": nil, "role": nil, "status": nil, "is_scim_managed": nil}
	evidenceProject = doc{
		"owner_id": nil, "owner_email": nil,
		"sharing":       {"visibility": nil, "permissions": nil, "recipients": nil},
		"latest_config": {"files": nil, "tools": nil},
	}
	evidenceLogEntry = doc{"id": nil, "event_type": nil, "end_time": nil, "file_name": nil, "file_size": nil, "file_sha256": nil}
	evidenceLine     = doc{
		"event_id": nil, "type": nil, "timestamp": nil, "principal": {"id": nil, "type": nil},
		"actor":        {"type": nil, "user_id": nil, "user_email": nil},
		"conversation": {"id": nil, "gpt_id": nil, "project_id": nil, "mode": nil},
		"message":      {"id": nil, "author": {"type": nil, "client_type": nil}},
	}
	evidenceList = []string{"object", "list", "data", "has_more", "last_id", "after", "limit"}

	evidenceVisibilities = []string{"invite-only", "workspace-with-link", "anyone-with-link", "gpt-store"}
	evidenceToolTypes    = []string{"custom_action", "code_interpreter", "browser", "dall-e", "memory", "canvas"}
	evidenceAuthTypes    = []string{"none", "api_key", "oauth"}
	evidenceRoles        = []string{"admin", "member", "account-owner", "account-admin", "analytics-viewer", "standard-user"}
	evidenceStatuses     = []string{"active", "inactive"}
)

// Every name the tests below rely on is in the evidence file, in the
// section about its route.
func TestComplianceEvidenceNamesTheShapes(t *testing.T) {
	ev := evidence(t)
	for _, c := range []struct {
		section string
		names   []string
	}{
		{"Lists and paging", evidenceList},
		{"GPTs", append(append(append(evidenceGPT.names(), evidenceVisibilities...), evidenceToolTypes...), evidenceAuthTypes...)},
		{"Users", append(append(evidenceUser.names(), evidenceRoles...), evidenceStatuses...)},
		{"ChatGPT projects", evidenceProject.names()},
		{"Logs", append(append(evidenceLogEntry.names(), evidenceLine.names()...), "last_end_time", "CONVERSATION_MESSAGE")},
	} {
		words := section(t, ev, c.section)
		for _, n := range c.names {
			assert.True(t, words[n], "the evidence's section %q does not name %q: the shapes of this test no longer follow the file", c.section, n)
		}
	}
}

// Members the simulator serves that no public source shows, each kept by
// the collector: an object type on items (every list has one) and the
// start of a log file's time range.
var simulatorOnly = map[string]bool{"object": true, "start_time": true}

// undocumented lists the members of v (an item) that d does not document,
// by path; a list or {"data": [...]} is looked into element by element.
func undocumented(v any, d doc, path string) []string {
	var out []string
	switch x := v.(type) {
	case map[string]any:
		if data, ok := x["data"].([]any); ok && d["data"] == nil && len(x) <= 5 {
			return undocumented(data, d, path) // {"data": [...]} around a list
		}
		for k, e := range x {
			sub, ok := d[k]
			p := strings.TrimPrefix(path+"."+k, ".")
			if !ok {
				if !simulatorOnly[k] {
					out = append(out, p)
				}
				continue
			}
			if sub != nil {
				out = append(out, undocumented(e, sub, p)...)
			}
		}
	case []any:
		for _, e := range x {
			out = append(out, undocumented(e, d, path+"[]")...)
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

func getJSON(t *testing.T, url string) map[string]any {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, url, nil)
	require.NoError(t, err)
	req.Header.Set("Authorization", "Bearer "+simulator.DefaultComplianceKey)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, resp.StatusCode, "%s: %s", url, body)
	var m map[string]any
	require.NoError(t, json.Unmarshal(body, &m), "%s", url)
	return m
}

// Everything the simulator serves on the Compliance API has the shapes the
// evidence documents, with the default and the spec shapes: the list
// envelope (object list, data, has_more, last_id; the logs list pages by
// last_end_time), no member the evidence does not show (but simulatorOnly),
// visibilities, tool types and auth types among the documented ones (or
// the workspace-directory value, whose spelling varies), and, with the spec
// shapes, the conversation line envelope of the evidence with the user at
// actor.user_id.
func TestSimulatorServesTheEvidenceShapes(t *testing.T) {
	evidence(t)
	for _, shapes := range []string{"", simulator.ShapesSpec} {
		src := simulator.Generate(simulator.GenerateOptions{Users: 20, Seed: 3, Plant: true, Shapes: shapes})
		content := simulator.GenerateContent(src, simulator.ContentOptions{Plant: true, Seed: 3})
		_, base := serve(t, src, simulator.Options{Shapes: shapes, Content: content, MaxPageSize: 3})
		ws := base + "/compliance/workspaces/" + src.Workspace.ID
		pages := func(route string, d doc) []map[string]any {
			var items []map[string]any
			after := ""
			for {
				url := ws + "/" + route + "?limit=3"
				if after != "" {
					url += "&after=" + after
				}
				l := getJSON(t, url)
				assert.Equal(t, "list", l["object"], "%s %s", shapes, route)
				assert.IsType(t, true, l["has_more"], "%s %s", shapes, route)
				assert.Contains(t, l, "last_id", "%s %s", shapes, route)
				data, ok := l["data"].([]any)
				require.True(t, ok, "%s %s: data is a list", shapes, route)
				for _, it := range data {
					m := it.(map[string]any)
					assert.Empty(t, undocumented(m, d, ""), "%s %s: %s serves members the evidence does not show", shapes, route, m["id"])
					assert.IsType(t, "", m["id"])
					items = append(items, m)
				}
				if l["has_more"] != true {
					return items
				}
				after = l["last_id"].(string)
			}
		}
		gpts := pages("gpts", evidenceGPT)
		require.NotEmpty(t, gpts)
		for _, g := range gpts {
			assert.True(t, strings.HasPrefix(g["id"].(string), "g-"), "GPT ids start g-: %s", g["id"])
			vis, _ := g["sharing"].(map[string]any)["visibility"].(string)
			if vis != "workspace" {
				assert.Contains(t, evidenceVisibilities, vis, "%s GPT %s", shapes, g["id"])
			}
			cfg := g["latest_config"]
			if m, ok := cfg.(map[string]any); ok {
				cfg = m["data"]
			}
			configs, ok := cfg.([]any)
			require.True(t, ok, "latest_config is a list or {data: [...]}")
			for _, c := range configs {
				tools := c.(map[string]any)["tools"]
				if m, ok := tools.(map[string]any); ok {
					tools = m["data"]
				}
				for _, tl := range tools.([]any) {
					tool := tl.(map[string]any)
					assert.IsType(t, "", tool["type"], "%s GPT %s: the tool types seen are documented, and \"others exist\"", shapes, g["id"])
					if a, ok := tool["auth_type"]; ok {
						assert.Contains(t, evidenceAuthTypes, a, "%s GPT %s", shapes, g["id"])
					}
				}
			}
		}
		for _, u := range pages("users", evidenceUser) {
			assert.IsType(t, "", u["role"], "roles are strings")
			assert.Contains(t, evidenceStatuses, u["status"])
		}
		// ChatGPT projects are like GPTs: the GPT's members, and the
		// project's own.
		project := doc{}
		for k, v := range evidenceGPT {
			project[k] = v
		}
		project["name"] = nil
		for k, v := range evidenceProject {
			if project[k] == nil {
				project[k] = v
			}
		}
		projectConfig := doc{"id": nil}
		for k, v := range evidenceGPT["latest_config"] {
			projectConfig[k] = v
		}
		project["latest_config"] = projectConfig
		projects := pages("projects", project)
		require.NotEmpty(t, projects)
		shared := 0
		for _, p := range projects {
			sharing, ok := p["sharing"].(map[string]any)
			if !ok {
				continue // a project of the DLP content only: no sharing, as in PSOXY's examples
			}
			shared++
			vis, _ := sharing["visibility"].(string)
			assert.Contains(t, evidenceVisibilities, vis, "%s project %s: no visibility is published for projects; the GPTs' are served", shapes, p["id"])
			_, isList := sharing["recipients"].([]any)
			assert.True(t, isList, "%s project %s: recipients[] as the evidence writes them", shapes, p["id"])
		}
		assert.Positive(t, shared, "%s: the inventory's projects are served with their sharing", shapes)

		l := getJSON(t, ws+"/logs?event_type=CONVERSATION_MESSAGE&after=1970-01-01T00:00:00Z&limit=100")
		assert.Equal(t, "list", l["object"])
		assert.Contains(t, l, "last_end_time", "the logs list pages by last_end_time")
		entries := l["data"].([]any)
		require.NotEmpty(t, entries)
		for _, e := range entries {
			m := e.(map[string]any)
			assert.Empty(t, undocumented(m, evidenceLogEntry, ""), "%s log entry %s", shapes, m["id"])
			assert.Equal(t, "CONVERSATION_MESSAGE", m["event_type"])
			if shapes == simulator.ShapesSpec {
				for k := range evidenceLogEntry {
					assert.Contains(t, m, k, "spec shapes serve the whole entry of the evidence")
				}
			}
		}
		if shapes != simulator.ShapesSpec {
			continue
		}
		// The lines of a log file carry the evidence's envelope.
		req, err := http.NewRequest(http.MethodGet, ws+"/logs/"+entries[0].(map[string]any)["id"].(string), nil)
		require.NoError(t, err)
		req.Header.Set("Authorization", "Bearer "+simulator.DefaultComplianceKey)
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		body, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		require.NoError(t, err)
		lines := strings.Split(strings.TrimSpace(string(body)), "\n")
		require.NotEmpty(t, lines)
		for _, line := range lines {
			var m map[string]any
			require.NoError(t, json.Unmarshal([]byte(line), &m), line)
			for _, k := range []string{"event_id", "type", "timestamp", "principal", "actor", "conversation", "message"} {
				assert.Contains(t, m, k, "a conversation line carries %s: %s", k, line)
			}
			actor, _ := m["actor"].(map[string]any)
			assert.Contains(t, actor, "user_id", line)
		}
	}
}

// The collector reads every shape the evidence documents, in each of its
// variants (latest_config as {"data": [...]} or a bare list, files with
// only id and created_at, permissions and recipients null, float
// timestamps, both clients' role names), keeps every item with its values
// as sent, maps every documented visibility and tool type onto a known
// kind, and warns of nothing: every documented member is known.
func TestCollectorReadsTheEvidenceShapes(t *testing.T) {
	evidence(t)
	for _, v := range evidenceVisibilities {
		assert.NotEqual(t, inventory.VisibilityUnknown, collector.NormalizeVisibility(v), v)
	}
	for _, tt := range evidenceToolTypes {
		assert.NotEqual(t, inventory.ToolOther, collector.NormalizeTool(tt), tt)
	}
	s, base := newScripted(t)
	var tools []string
	for i, tt := range evidenceToolTypes {
		tools = append(tools, `{"type":"`+tt+`","action_domain":"api.x.example","action_openapi_raw":"openapi: 3.1.0","action_privacy_policy_url":"https://x.example/p","auth_type":"`+evidenceAuthTypes[i%len(evidenceAuthTypes)]+`"}`)
	}
	var gpts []string
	for i, vis := range evidenceVisibilities {
		gpts = append(gpts, `{"id":"g-`+vis+`","created_at":1692158096.299021,"owner_id":"user-a","owner_email":"a@x.example","builder_name":null,`+
			`"sharing":{"visibility":"`+vis+`","permissions":{"can_read":true,"can_view_config":false,"can_write":false},"recipients":{"data":[{"id":"user-b","email":"b@x.example","permissions":{"can_read":true}}]}},`+
			`"latest_config":{"data":[{"name":"G`+vis+`","description":"d","instructions":"be brief","version_author":{"id":"user-a","email":"a@x.example"},`+
			`"files":{"data":[{"id":"file-`+vis+`","name":"f.pdf"}]},"tools":{"data":[`+tools[i%len(tools)]+`]}}]}}`)
	}
	// PSOXY's shape: latest_config and its lists bare, files with only an
	// id and created_at; GCI's nulls.
	gpts = append(gpts, `{"id":"g-bare","created_at":null,"owner_id":null,"owner_email":null,"builder_name":null,"sharing":{"visibility":"gpt-store","permissions":null,"recipients":null},`+
		`"latest_config":[{"name":"Bare","files":[{"id":"file-bare","created_at":1692158096.5}],"tools":[`+strings.Join(tools, ",")+`]}]}`)
	s.on("/v1/compliance/workspaces/ws-1/gpts", list(gpts...))
	var users []string
	for i, role := range evidenceRoles {
		users = append(users, `{"id":"wu-`+role+`","email":"`+role+`@x.example","name":"N","created_at":1692158096.299021,"role":"`+role+`","status":"`+evidenceStatuses[i%2]+`","is_scim_managed":true}`)
	}
	s.on("/v1/compliance/workspaces/ws-1/users", list(users...))
	// ChatGPT projects, "like GPTs": every visibility, recipients as a
	// list and as {data}, permissions and recipients null, latest_config
	// bare (PSOXY) and wrapped.
	var projects []string
	for i, vis := range evidenceVisibilities {
		recipients := `[{"id":"user-b","email":"b@x.example","permissions":{"can_read":true}}]`
		config := `[{"name":"P` + vis + `","files":[{"id":"file-p-` + vis + `","created_at":1692158096.5}],"tools":[` + tools[i%len(tools)] + `]}]`
		if i%2 == 1 {
			recipients = `{"data":` + recipients + `}`
			config = `{"data":` + config + `}`
		}
		projects = append(projects, `{"id":"g-p-`+vis+`","created_at":1692158096.299021,"owner_id":"user-a","owner_email":"a@x.example",`+
			`"sharing":{"visibility":"`+vis+`","permissions":{"can_read":true,"can_view_config":false,"can_write":false},"recipients":`+recipients+`},"latest_config":`+config+`}`)
	}
	projects = append(projects, `{"id":"g-p-nulls","owner_id":null,"owner_email":null,"sharing":{"visibility":"invite-only","permissions":null,"recipients":null},"latest_config":[]}`)
	s.on("/v1/compliance/workspaces/ws-1/projects", list(projects...))
	o := scriptedOptions(base, newFakeClock(1712000000))
	inv, warnings := collectWarnings(t, o)
	for _, name := range []string{inventory.SourceGPTs, inventory.SourceWorkspaceUsers, inventory.SourceChatGPTProjects} {
		assert.Equal(t, inventory.StatusComplete, inv.Sources[name].Status, "%s: %v", name, inv.Sources[name].Reason)
	}
	require.Len(t, inv.ChatGPTProjects, len(projects))
	for _, p := range inv.ChatGPTProjects {
		assert.NotEqual(t, inventory.VisibilityUnknown, p.Visibility, p.ID)
		assert.Nil(t, p.Extra, "%s: every documented member is known", p.ID)
		if p.ID != "g-p-nulls" {
			assert.Len(t, p.Recipients, 1, p.ID)
			assert.Equal(t, "P"+strings.TrimPrefix(p.ID, "g-p-"), *p.Name, "%s: the live configuration's name", p.ID)
		}
	}
	require.Len(t, inv.GPTs, len(gpts))
	for _, g := range inv.GPTs {
		assert.NotEqual(t, inventory.VisibilityUnknown, g.Visibility, g.ID)
		assert.Len(t, g.Files, 1, g.ID)
		assert.Nil(t, g.Extra, "%s: every documented member is known", g.ID)
		for _, tl := range g.Tools {
			assert.NotEqual(t, inventory.ToolOther, tl.Type, "%s: %s", g.ID, tl.RawType)
			require.NotNil(t, tl.AuthType)
			assert.Contains(t, evidenceAuthTypes, *tl.AuthType)
		}
	}
	i := slices.IndexFunc(inv.GPTs, func(g inventory.GPT) bool { return g.ID == "g-bare" })
	require.GreaterOrEqual(t, i, 0)
	bare := inv.GPTs[i]
	assert.Len(t, bare.Tools, len(evidenceToolTypes), "the bare list's tools")
	assert.Equal(t, "Bare", *bare.Name)
	require.Len(t, inv.WorkspaceUsers, len(evidenceRoles))
	for _, u := range inv.WorkspaceUsers {
		assert.Equal(t, "wu-"+*u.Role, u.ID, "roles kept as sent")
		assert.Equal(t, int64(1692158096), *u.CreatedAt, "float timestamps read")
	}
	assert.Empty(t, warnings, "nothing documented warns")
	raw, err := inventory.Marshal(inv)
	require.NoError(t, err)
	assert.NotContains(t, string(raw), "be brief", "instructions are never written down")
	_, err = inventory.Decode(raw, "evidence.json")
	require.NoError(t, err)
}
