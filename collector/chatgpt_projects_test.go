package collector_test

import (
	"context"
	"strings"
	"testing"

	"github.com/samber/lo"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/openai-casb/openai-casb/collector"
	"github.com/openai-casb/openai-casb/inventory"
	"github.com/openai-casb/openai-casb/simulator"
)

// ChatGPT projects are read without DLP too: owner, created_at, the
// configuration's name, the visibility normalized beside the raw value,
// recipients as a list or {data} (null left unknown), sharing kept as sent;
// unknown members go to extra, an unknown visibility is kept (unknown) and
// warned of once, and an item without an id counts against the source.
func TestChatGPTProjectsAreCollected(t *testing.T) {
	s, base := newScripted(t)
	s.on("/v1/compliance/workspaces/ws-1/projects", list(
		`{"object":"compliance.workspace.project","id":"g-p-private","created_at":1692158096.299021,"owner_id":"user-a","owner_email":"a@x.example",`+
			`"sharing":{"visibility":"invite-only","permissions":null,"recipients":[]},"latest_config":[{"name":"Private","files":[],"tools":[]}]}`,
		`{"id":"g-p-named","owner_id":"user-a","sharing":{"visibility":"invite-only","recipients":{"data":[{"id":"user-b","email":"b@x.example","permissions":{"can_read":true,"can_write":false}}]}},`+
			`"latest_config":{"data":[{"name":"Named"}]}}`,
		`{"id":"g-p-link","name":"Top-level name","owner_email":"c@x.example","created_at":"2024-01-02T03:04:05Z","sharing":{"visibility":"workspace-with-link","recipients":null,"x_mode":"beta"},"x_new":1}`,
		`{"id":"g-p-odd","sharing":{"visibility":"org-with-link"}}`,
		`{"id":"g-p-odd2","sharing":{"visibility":"org-with-link"}}`,
		`{"id":"g-p-nosharing","latest_config":[]}`,
		`{"name":"no id"}`,
	))
	o := scriptedOptions(base, newFakeClock(1712000000))
	inv, warnings := collectWarnings(t, o)

	require.Len(t, inv.ChatGPTProjects, 6)
	byID := lo.KeyBy(inv.ChatGPTProjects, func(p inventory.ChatGPTProject) string { return p.ID })
	private := byID["g-p-private"]
	assert.Equal(t, "Private", *private.Name)
	assert.Equal(t, int64(1692158096), *private.CreatedAt, "float timestamps read")
	assert.Equal(t, "user-a", *private.OwnerID)
	assert.Equal(t, "a@x.example", *private.OwnerEmail)
	assert.Equal(t, inventory.VisibilityInviteOnly, private.Visibility)
	assert.Equal(t, "invite-only", *private.VisibilityRaw)
	assert.Equal(t, []inventory.GPTRecipient{}, private.Recipients, "an empty list is known: shared with no one")
	assert.JSONEq(t, `{"visibility":"invite-only","permissions":null,"recipients":[]}`, string(private.Sharing), "sharing kept as sent")
	assert.Nil(t, private.Extra)

	named := byID["g-p-named"]
	assert.Equal(t, "Named", *named.Name, "latest_config wrapped in data")
	assert.Equal(t, []inventory.GPTRecipient{{ID: "user-b", Email: lo.ToPtr("b@x.example"), CanRead: lo.ToPtr(true), CanWrite: lo.ToPtr(false)}}, named.Recipients)

	link := byID["g-p-link"]
	assert.Equal(t, "Top-level name", *link.Name, "a top-level name when the configuration has none")
	assert.Equal(t, int64(1704164645), *link.CreatedAt, "RFC 3339 created_at")
	assert.Equal(t, inventory.VisibilityWorkspaceWithLink, link.Visibility)
	assert.Nil(t, link.Recipients, "null recipients stay unknown")
	assert.Contains(t, string(link.Sharing), `"x_mode":"beta"`, "sharing's unknown members are in sharing, as sent")
	assert.Equal(t, inventory.Extra{"x_new": []byte("1")}, link.Extra)

	odd := byID["g-p-odd"]
	assert.Equal(t, inventory.VisibilityUnknown, odd.Visibility, "an unknown value is kept, not dropped")
	assert.Equal(t, "org-with-link", *odd.VisibilityRaw)
	none := byID["g-p-nosharing"]
	assert.Equal(t, inventory.VisibilityUnknown, none.Visibility)
	assert.Nil(t, none.VisibilityRaw, "no sharing sent: raw null")
	assert.Nil(t, none.Sharing)

	src := inv.Sources[inventory.SourceChatGPTProjects]
	assert.Equal(t, inventory.StatusPartial, src.Status)
	assert.Equal(t, 6, src.Items)
	assert.Contains(t, *src.Reason, "ChatGPT project (no id)")
	n := 0
	for _, w := range warnings {
		if strings.Contains(w, "org-with-link") {
			n++
		}
	}
	assert.Equal(t, 1, n, "one warning per distinct unknown visibility: %q", warnings)

	raw, err := inventory.Marshal(inv)
	require.NoError(t, err)
	_, err = inventory.Decode(raw, "projects.json")
	require.NoError(t, err, "the collected projects are valid")
}

// A workspace or key without ChatGPT projects (404, 403) leaves them
// skipped with the reason: nothing fails, and doctor warns.
func TestChatGPTProjectsMissingAreSkipped(t *testing.T) {
	src := simulator.Generate(simulator.GenerateOptions{Users: 40, Seed: 4})
	_, base := serve(t, src, simulator.Options{Forbidden: []string{"compliance projects"}})
	inv, err := collector.Collect(context.Background(), options(src, base))
	require.NoError(t, err)
	s := inv.Sources[inventory.SourceChatGPTProjects]
	assert.Equal(t, inventory.StatusSkipped, s.Status)
	require.NotNil(t, s.Reason)
	assert.Contains(t, *s.Reason, "403 Forbidden")
	assert.Contains(t, *s.Reason, "plan or key does not have it")
	assert.Nil(t, inv.ChatGPTProjects, "not read: absent, not empty")

	d, err := collector.Diagnose(context.Background(), collector.DiagnoseOptions{Options: options(src, base)})
	require.NoError(t, err)
	c, ok := lo.Find(d.Checks, func(c collector.Check) bool { return c.Source == inventory.SourceChatGPTProjects })
	require.True(t, ok, "doctor probes the projects")
	assert.Equal(t, collector.CheckWarn, c.Status, c.Detail)
	assert.Empty(t, d.Failed())
}

// One pass over the projects route serves the inventory and DLP: with
// DLP on, the route is asked once per page, the projects are in the
// inventory, and their files are scanned under them.
func TestChatGPTProjectsOneReadServesDLP(t *testing.T) {
	src := simulator.Generate(simulator.GenerateOptions{Users: 100, Seed: 5, Plant: true})
	content := simulator.GenerateContent(src, simulator.ContentOptions{Plant: true, Files: 20, Seed: 5})
	sim, base := serve(t, src, simulator.Options{Content: content, MaxPageSize: 3})
	inv, err := collector.Collect(context.Background(), dlpOptions(t, src, base))
	require.NoError(t, err)
	served := len(src.ChatGPTProjects)
	for _, p := range content.Projects {
		if !lo.ContainsBy(src.ChatGPTProjects, func(q inventory.ChatGPTProject) bool { return q.ID == p.ID }) {
			served++
		}
	}
	assert.Len(t, inv.ChatGPTProjects, served, "the inventory's projects and those only the content holds")
	assert.Equal(t, int64((served+2)/3), sim.Stats().ByRoute["compliance projects"], "one request per page, once")
	assert.Equal(t, inventory.StatusComplete, inv.Sources[inventory.SourceChatGPTProjects].Status)
	files := byID(inv.Files)
	f, ok := lo.Find(inv.Files, func(f inventory.File) bool { return f.Container.ID == "g-p-planted-finance" })
	require.True(t, ok, "the planted Finance Ops project's files are scanned")
	assert.Equal(t, inventory.LocationChatGPTProject, files[f.ID].Location)
	board := lo.Filter(inv.ChatGPTProjects, func(p inventory.ChatGPTProject, _ int) bool { return p.ID == simulator.PlantedProjectPublicLink })
	require.Len(t, board, 1)
	assert.Equal(t, inventory.VisibilityAnyoneWithLink, board[0].Visibility)
}
