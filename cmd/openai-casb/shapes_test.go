package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/openai-casb/openai-casb/inventory"
	"github.com/openai-casb/openai-casb/simulator"
)

// Finding types the spec shapes must (or must not) raise.
const (
	findingAdminNotRotated   = "b72e971d-f5b9-4cf3-96f4-ef82bdf38453"
	findingAdminUnused       = "49c75a36-1e64-437b-98a1-e54ec35d0a64"
	findingProjectNotRotated = "2c079fe8-6188-43e1-a2e5-d0e2dd8c7686"
	findingProjectUnused     = "c8fd231b-de51-43cc-8c3f-e1e57114c5f5"
	findingInactiveUser      = "20ab9ddb-fd48-46a8-9fdf-9bb9b9061f21"
	findingConversationDLP   = "9aca654d-b331-4052-a5b4-2ceecced8676"
)

// Issue 9's acceptance, as a new user would try it: against a simulator
// serving the shapes the official spec allows (null statuses and roles,
// role none, archived projects refusing their members, the conversation
// log envelope, expired admin keys, service-account users), scan --dlp
// exits 0 or 1, every source is complete, every served resource is in the
// inventory, the status-less project's key and the null-role user raise
// their findings, the expired admin key and the bot raise none, and the
// conversation DLP finding fires.
func TestScanOnSpecShapes(t *testing.T) {
	src := simulator.Generate(simulator.GenerateOptions{Users: 60, Seed: 3, Plant: true, Shapes: simulator.ShapesSpec})
	content := simulator.GenerateContent(src, simulator.ContentOptions{Plant: true, Seed: 3})
	base := startSimulator(t, src, simulator.Options{Content: content, Shapes: simulator.ShapesSpec})
	saved := filepath.Join(t.TempDir(), "inventory.json")
	// --collect-all: the projects' members (which archived projects refuse)
	// are read though no built-in rule reads them.
	r := runEnv(t, simEnv(src), "", "scan", "--dlp", "--collect-all", "--format", "json", "--save-inventory", saved,
		"--api-base-url", base, "--compliance-base-url", base)
	require.Contains(t, []int{exitOK, exitFindings}, r.code, r.stderr)

	inv, err := inventory.Load(saved)
	require.NoError(t, err)
	for name, s := range inv.Sources {
		// Lists no enabled policy reads are skipped on purpose; none is
		// partial or failed.
		assert.Contains(t, []string{inventory.StatusComplete, inventory.StatusSkipped}, s.Status, "%s: %v", name, s.Reason)
	}
	assert.Equal(t, inventory.StatusComplete, inv.Sources[inventory.SourceProjectUsers].Status)
	assert.Equal(t, inventory.StatusComplete, inv.Sources[inventory.SourceConversationFiles].Status)
	assert.Len(t, inv.Users, len(src.Users))
	assert.Len(t, inv.Projects, len(src.Projects))
	assert.Len(t, inv.AdminAPIKeys, len(src.AdminAPIKeys))
	keys := 0
	for _, p := range src.Projects {
		keys += len(p.APIKeys)
	}
	assert.Equal(t, keys, inv.Sources[inventory.SourceProjectAPIKeys].Items)

	var rep jsonReport
	require.NoError(t, json.Unmarshal([]byte(r.stdout), &rep))
	got := map[string]bool{}
	for _, f := range rep.Findings {
		got[f.FindingTypeID+"/"+f.Resource.ID] = true
	}
	assert.True(t, got[findingProjectNotRotated+"/"+simulator.PlantedStatuslessKey], "the status-less project's key is not rotated")
	assert.True(t, got[findingProjectUnused+"/"+simulator.PlantedStatuslessKey], "and unused")
	assert.True(t, got[findingInactiveUser+"/"+simulator.PlantedNullRoleUser], "the null-role user is inactive")
	assert.False(t, got[findingAdminNotRotated+"/"+simulator.PlantedExpiredAdminKey], "an expired admin key is not to rotate")
	assert.False(t, got[findingAdminUnused+"/"+simulator.PlantedExpiredAdminKey], "nor unused")
	assert.False(t, got[findingInactiveUser+"/"+simulator.PlantedBotUser], "a service-account user is not inactive")
	conversation := 0
	for _, f := range rep.Findings {
		if f.FindingTypeID == findingConversationDLP {
			conversation++
		}
	}
	assert.Positive(t, conversation, "the conversation DLP finding fires")
	_, err = os.Stat(saved)
	require.NoError(t, err)
}

// collect --record writes a recording; collect --replay, with no key and no
// network, writes the same inventory from it.
func TestCollectRecordThenReplay(t *testing.T) {
	src := simulator.Generate(simulator.GenerateOptions{Users: 30, Seed: 5, Plant: true, Shapes: simulator.ShapesSpec})
	base := startSimulator(t, src, simulator.Options{Shapes: simulator.ShapesSpec})
	dir := t.TempDir()
	rec, first, second := filepath.Join(dir, "rec"), filepath.Join(dir, "first.json"), filepath.Join(dir, "second.json")
	r := runEnv(t, simEnv(src), "", "collect", "--record", rec, "-o", first, "--api-base-url", base, "--compliance-base-url", base)
	require.Equal(t, exitOK, r.code, r.stderr)
	r = runEnv(t, nil, "", "collect", "--replay", rec, "-o", second)
	require.Equal(t, exitOK, r.code, r.stderr)
	a, err := inventory.Load(first)
	require.NoError(t, err)
	b, err := inventory.Load(second)
	require.NoError(t, err)
	// A recording leaves out GPT instructions and OpenAPI texts: the
	// secrets planted there are found by the collection, not the replay.
	for _, g := range a.GPTs {
		if g.ID == simulator.PlantedGPTSecretInstructions {
			require.NotNil(t, g.InstructionsDetections)
			assert.Contains(t, *g.InstructionsDetections, "openai_api_key")
		}
	}
	for _, inv := range []*inventory.Inventory{a, b} {
		for i := range inv.GPTs {
			inv.GPTs[i].InstructionsDetections = nil
			for k := range inv.GPTs[i].Tools {
				inv.GPTs[i].Tools[k].OpenAPIDetections = nil
			}
		}
	}
	// collected_at is the recording's; the rest is what the APIs said.
	ra, err := inventory.Marshal(a)
	require.NoError(t, err)
	rb, err := inventory.Marshal(b)
	require.NoError(t, err)
	assert.Equal(t, string(ra), string(rb))

	r = runEnv(t, nil, "", "collect", "--record", rec, "--replay", rec, "-o", second)
	assert.Equal(t, exitError, r.code, r.stderr)
	assert.Contains(t, r.stderr, "give one, not both")
}

// Spec-shaped answers carrying members the spec does not document, at the
// top level and nested: scan still exits 0 or 1 with every source complete,
// the saved inventory keeps each new member's value in its resource's
// extra, policies run on it, and each distinct path warns once.
func TestScanKeepsUnknownMembers(t *testing.T) {
	src := simulator.Generate(simulator.GenerateOptions{Users: 5, Seed: 3})
	user := func(id string) json.RawMessage {
		return json.RawMessage(`{"object":"organization.user","id":"` + id + `","name":"N","email":"` + id + `@x.example","role":"reader","added_at":1600000000,
			"x_new":{"tier":"` + id + `"},"user":{"object":"user","id":"` + id + `","enabled":true,"x_locale":"fr"}}`)
	}
	key := json.RawMessage(`{"object":"organization.admin_api_key","id":"key_x","name":"K","redacted_value":"sk-admin...x","created_at":1600000000,"expires_at":null,"last_used_at":null,
		"owner":{"type":"user","object":"organization.user","id":"user-a","name":"A","created_at":1600000000,"role":"owner","x_mfa":[true]}}`)
	base := startSimulator(t, src, simulator.Options{Items: map[string][]json.RawMessage{
		"users":          {user("user-a"), user("user-b")},
		"admin_api_keys": {key},
	}})
	saved := filepath.Join(t.TempDir(), "inventory.json")
	r := runEnv(t, simEnv(src), "", "scan", "--format", "json", "--save-inventory", saved, "--api-base-url", base, "--compliance-base-url", base)
	require.Contains(t, []int{exitOK, exitFindings}, r.code, r.stderr)
	inv, err := inventory.Load(saved)
	require.NoError(t, err)
	for name, s := range inv.Sources {
		assert.Contains(t, []string{inventory.StatusComplete, inventory.StatusSkipped}, s.Status, "%s: %v", name, s.Reason)
	}
	require.Len(t, inv.Users, 2)
	for _, u := range inv.Users {
		assert.JSONEq(t, `{"tier":"`+u.ID+`"}`, string(u.Extra["x_new"]), u.ID)
		assert.JSONEq(t, `"fr"`, string(u.Extra["user.x_locale"]), u.ID)
	}
	require.Len(t, inv.AdminAPIKeys, 1)
	assert.JSONEq(t, `[true]`, string(inv.AdminAPIKeys[0].Extra["owner.x_mfa"]))
	var rep jsonReport
	require.NoError(t, json.Unmarshal([]byte(r.stdout), &rep))
	assert.NotEmpty(t, rep.Findings, "policies ran")
	for _, w := range []string{
		`openai-casb: warning: user user-a has a field "x_new" that this version does not read: kept in its extra`,
		`openai-casb: warning: user user-a has a nested field "user.x_locale" that this version does not read: kept in its extra`,
		`openai-casb: warning: admin key key_x has a nested field "owner.x_mfa" that this version does not read: kept in its extra`,
	} {
		assert.Equal(t, 1, strings.Count(r.stderr, w), "once: %s\n%s", w, r.stderr)
	}
	assert.NotContains(t, r.stderr, "user-b has a field", "the same path warns once")
}

// Items the API sent without an id or without their timestamp: scan keeps
// them (synthetic id, null timestamp), every source is complete, it exits 0
// or 1, and the policies that measure ages raise nothing false on them:
// no rotation or never-used finding for a key of unknown age, no inactive
// user of unknown join date.
func TestScanKeepsItemsWithoutIDOrTimestamp(t *testing.T) {
	src := simulator.Generate(simulator.GenerateOptions{Users: 5, Seed: 3})
	base := startSimulator(t, src, simulator.Options{Items: map[string][]json.RawMessage{
		"users": {
			json.RawMessage(`{"object":"organization.user","name":"No id","email":"noid@x.example","role":"reader","added_at":1600000000}`),
			json.RawMessage(`{"object":"organization.user","id":"user-nostamp","name":"No stamp","email":"ns@x.example","role":"reader"}`),
		},
		"admin_api_keys": {
			json.RawMessage(`{"object":"organization.admin_api_key","id":"key_nostamp","name":"K","redacted_value":"sk-admin...x","expires_at":null,"last_used_at":null}`),
			json.RawMessage(`{"object":"organization.admin_api_key","name":"no id","redacted_value":"sk-admin...y","created_at":1600000000,"expires_at":null,"last_used_at":null}`),
		},
	}})
	saved := filepath.Join(t.TempDir(), "inventory.json")
	r := runEnv(t, simEnv(src), "", "scan", "--format", "json", "--save-inventory", saved, "--api-base-url", base, "--compliance-base-url", base)
	require.Contains(t, []int{exitOK, exitFindings}, r.code, r.stderr)
	inv, err := inventory.Load(saved)
	require.NoError(t, err)
	for name, s := range inv.Sources {
		assert.Contains(t, []string{inventory.StatusComplete, inventory.StatusSkipped}, s.Status, "%s: %v", name, s.Reason)
	}
	require.Len(t, inv.Users, 2)
	require.Len(t, inv.AdminAPIKeys, 2)
	synthetic := inv.AdminAPIKeys[1].ID
	assert.True(t, strings.HasPrefix(synthetic, "synthetic:sha256:"), synthetic)
	assert.Nil(t, inv.Users[1].AddedAt)
	var rep jsonReport
	require.NoError(t, json.Unmarshal([]byte(r.stdout), &rep))
	got := map[string]bool{}
	for _, f := range rep.Findings {
		got[f.FindingTypeID+"/"+f.Resource.ID] = true
	}
	assert.False(t, got[findingAdminNotRotated+"/key_nostamp"], "a key of unknown age is not to rotate")
	assert.False(t, got[findingAdminUnused+"/key_nostamp"], "nor never used since it was created")
	assert.False(t, got[findingInactiveUser+"/user-nostamp"], "a user of unknown join date and no activity may be new")
	assert.True(t, got[findingAdminNotRotated+"/"+synthetic], "the id-less key is judged like any other")
	assert.True(t, got[findingInactiveUser+"/"+inv.Users[0].ID], "and so is the id-less user")
	assert.Contains(t, r.stderr, "openai-casb: warning: user has no id (null or absent): kept with the synthetic id ")
	assert.Contains(t, r.stderr, "openai-casb: warning: admin key key_nostamp has no created_at (null or absent): kept as null")
}
