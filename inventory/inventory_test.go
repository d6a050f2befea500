package inventory_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/samber/lo"
	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/openai-casb/openai-casb/inventory"
	"github.com/openai-casb/openai-casb/schemas"
	"github.com/openai-casb/openai-casb/simulator"
)

const fixtures = "../fixtures/inventory"

func TestLoadFixtures(t *testing.T) {
	acme, err := inventory.Load(filepath.Join(fixtures, "acme.json"))
	require.NoError(t, err)
	assert.Equal(t, "org-acme000000000000000000", acme.Organization.ID)
	assert.Equal(t, int64(1795651200), acme.CollectedAt)
	assert.Len(t, acme.AdminAPIKeys, 5)
	assert.Len(t, acme.Projects, 3)
	assert.Len(t, acme.Projects[0].APIKeys, 4)
	assert.Len(t, acme.Users, 7)
	assert.Len(t, acme.Invites, 6)
	assert.Len(t, acme.GPTs, 7)
	assert.Len(t, acme.Roles, 3)
	assert.Equal(t, "none", *acme.Projects[2].DataRetention.Type)
	assert.True(t, *acme.Projects[2].HostedToolPermissions["mcp"].Enabled)
	assert.Nil(t, acme.Plugins, "not collected: absent, not empty")
	assert.Nil(t, acme.Users[2].LastActivityAt, "carol has no activity: null, not zero")

	_, err = inventory.Load(filepath.Join(fixtures, "clean.json"))
	require.NoError(t, err)
}

func TestResourceArraysComeFromTheSchema(t *testing.T) {
	assert.Equal(t, []string{"admin_api_keys", "agents", "certificates", "chatgpt_projects", "files", "gpts", "groups", "invites", "plugins", "projects", "roles", "users", "workspace_users"}, inventory.ResourceArrays())
}

// Each file of invalid/ breaks the schema in exactly one place; the error
// names that place by JSON pointer.
func TestInvalidFixtures(t *testing.T) {
	want := map[string]inventory.Violation{
		"admin-key-secret-field":        {Pointer: "/admin_api_keys/0", Message: "additional properties 'value' not allowed"},
		"gpt-tool-unknown-type":         {Pointer: "/gpts/0/tools/0/type", Message: "value must be one of"},
		"gpt-unknown-visibility":        {Pointer: "/gpts/0/visibility", Message: "value must be one of"},
		"project-unknown-status":        {Pointer: "/projects/0/status", Message: "value must be one of 'active', 'archived'"},
		"missing-collected-at":          {Pointer: "", Message: "missing property 'collected_at'"},
		"negative-timestamp":            {Pointer: "/admin_api_keys/0/created_at", Message: "minimum: got -5, want 0"},
		"project-key-missing-last-used": {Pointer: "/projects/0/api_keys/0", Message: "missing property 'last_used_at'"},
		"schema-version-3":              {Pointer: "/schema_version", Message: "value must be one of 1, 2"},
		"source-unknown-status":         {Pointer: "/sources/gpts/status", Message: "value must be one of"},
		"unknown-top-level-key":         {Pointer: "", Message: "additional properties 'user' not allowed"},
		"user-added-at-string":          {Pointer: "/users/1/added_at", Message: "got string, want null or integer"},
		"user-missing-activity-signals": {Pointer: "/users/0", Message: "missing property 'activity_signals'"},
		"users-not-an-array":            {Pointer: "/users", Message: "got object, want array"},
	}
	files, err := filepath.Glob(filepath.Join(fixtures, "invalid", "*.json"))
	require.NoError(t, err)
	require.Len(t, files, len(want), "every invalid fixture needs an expectation here")
	for _, f := range files {
		name := strings.TrimSuffix(filepath.Base(f), ".json")
		t.Run(name, func(t *testing.T) {
			w, ok := want[name]
			require.True(t, ok, "no expectation for %s", name)
			_, err := inventory.Load(f)
			var ve *inventory.ValidationError
			require.ErrorAs(t, err, &ve)
			require.Equal(t, 1, ve.Total, "want exactly one violation, got:\n%v", err)
			assert.Equal(t, w.Pointer, ve.Violations[0].Pointer)
			assert.Contains(t, ve.Violations[0].Message, w.Message)
			assert.Equal(t, f+": "+ve.Violations[0].String(), err.Error())
		})
	}
}

func TestEveryViolationIsReported(t *testing.T) {
	doc := readFixture(t, "clean.json")
	doc["users"].([]any)[0].(map[string]any)["added_at"] = "yesterday"
	doc["users"].([]any)[2].(map[string]any)["role"] = 7
	doc["invites"].([]any)[1].(map[string]any)["created_at"] = -5 // null is allowed: the API may send none
	doc["organization"] = map[string]any{}
	_, err := inventory.Decode(marshal(t, doc), "doc.json")
	var ve *inventory.ValidationError
	require.ErrorAs(t, err, &ve)
	assert.Equal(t, 4, ve.Total)
	assert.ElementsMatch(t, []string{"/users/0/added_at", "/users/2/role", "/invites/1/created_at", "/organization"}, pointers(ve.Violations))
	assert.Contains(t, err.Error(), "doc.json: /users/0/added_at: got string, want null or integer")
}

func TestManyViolationsAreCountedAndSummarized(t *testing.T) {
	doc := readFixture(t, "clean.json")
	user := doc["users"].([]any)[0].(map[string]any)
	var users []any
	for i := 0; i < 1500; i++ {
		u := map[string]any{}
		for k, v := range user {
			u[k] = v
		}
		u["added_at"] = "bad"
		users = append(users, u)
	}
	doc["users"] = users
	_, err := inventory.Decode(marshal(t, doc), "big.json")
	var ve *inventory.ValidationError
	require.ErrorAs(t, err, &ve)
	assert.Equal(t, 1500, ve.Total)
	assert.Len(t, ve.Violations, 1000, "kept violations are bounded")
	lines := strings.Split(err.Error(), "\n")
	assert.Len(t, lines, 51)
	assert.Equal(t, "big.json: and 1450 more violation(s) of the inventory schema", lines[50])
}

// Streaming validation splits the document into a skeleton and elements.
// It must find exactly what validating the whole document at once finds.
func TestStreamingValidationMatchesWholeDocument(t *testing.T) {
	root := compileRoot(t)
	files, err := filepath.Glob(filepath.Join(fixtures, "invalid", "*.json"))
	require.NoError(t, err)
	files = append(files, filepath.Join(fixtures, "acme.json"))
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			raw, err := os.ReadFile(f)
			require.NoError(t, err)
			doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
			require.NoError(t, err)
			var whole []string
			if verr := root.Validate(doc); verr != nil {
				whole = leafPointers(verr.(*jsonschema.ValidationError))
			}
			var streamed []string
			_, err = inventory.Decode(raw, f)
			var ve *inventory.ValidationError
			if errors.As(err, &ve) {
				streamed = pointers(ve.Violations)
			} else {
				require.NoError(t, err)
			}
			sort.Strings(whole)
			sort.Strings(streamed)
			assert.Equal(t, whole, streamed)
		})
	}
}

func TestSyntaxErrorsHaveLineAndColumn(t *testing.T) {
	cases := []struct {
		name, doc   string
		line, col   int
		msgContains string
	}{
		{"bad value", "{\n  \"users\": [1,,2]\n}", 2, 15, "invalid character ','"},
		{"truncated", "{\"users\": [{\"id\": 1", 1, 19, "unexpected end"},
		{"trailing data", "{}\n{}", 2, 1, "unexpected object after the inventory object"},
		{"empty", "", 0, 0, "empty input"},
		{"not an object", "[1]", 0, 0, "got array, want object"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := inventory.Decode([]byte(c.doc), "x.json")
			require.Error(t, err)
			assert.Contains(t, err.Error(), c.msgContains)
			var se *inventory.SyntaxError
			if c.line > 0 {
				require.ErrorAs(t, err, &se)
				assert.Equal(t, c.line, se.Line, err.Error())
				assert.Equal(t, c.col, se.Column, err.Error())
			}
		})
	}
}

func TestDuplicateKeysAreViolations(t *testing.T) {
	doc := strings.Replace(string(readRaw(t, "clean.json")), `"gpts": [`, `"gpts": [], "gpts": [`, 1)
	_, err := inventory.Decode([]byte(doc), "dup.json")
	var ve *inventory.ValidationError
	require.ErrorAs(t, err, &ve)
	assert.Equal(t, []string{"/gpts"}, pointers(ve.Violations))
	assert.Contains(t, err.Error(), "duplicate key")
}

func TestSaveIsAtomicPrivateAndValid(t *testing.T) {
	inv, err := inventory.Load(filepath.Join(fixtures, "acme.json"))
	require.NoError(t, err)
	dir := t.TempDir()
	path := filepath.Join(dir, "inv.json")
	require.NoError(t, inventory.Save(path, inv))
	st, err := os.Stat(path)
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o600), st.Mode().Perm())
	again, err := inventory.Load(path)
	require.NoError(t, err)
	assert.Equal(t, inv, again)

	// Writing what was read gives the same bytes again: a fixed point.
	path2 := filepath.Join(dir, "inv2.json")
	require.NoError(t, inventory.Save(path2, again))
	assert.Equal(t, string(mustRead(t, path)), string(mustRead(t, path2)))
	written := string(mustRead(t, path))

	// An invalid inventory is refused and the old file stays as it was.
	bad := *inv
	bad.Projects = append([]inventory.Project(nil), inv.Projects...)
	bad.Projects[0].Status = "open"
	err = inventory.Save(path, &bad)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "/projects/0/status")
	assert.Equal(t, written, string(mustRead(t, path)))
	leftovers, _ := filepath.Glob(filepath.Join(dir, ".*"))
	assert.Empty(t, leftovers, "no temporary files are left behind")
}

func TestMarshalWritesEmptyListsNotNull(t *testing.T) {
	inv := &inventory.Inventory{
		SchemaVersion: inventory.SchemaVersion,
		CollectedAt:   1,
		Tool:          inventory.Tool{Name: "t", Version: "1"},
		Organization:  inventory.Organization{ID: "org-x"},
		Projects:      []inventory.Project{{ID: "p", Status: "active"}},
		Users:         []inventory.User{{ID: "u", Role: lo.ToPtr("reader")}},
		GPTs:          []inventory.GPT{{ID: "g", Visibility: "workspace"}},
	}
	raw, err := inventory.Marshal(inv)
	require.NoError(t, err)
	for _, key := range []string{"admin_api_keys", "invites", "api_keys", "service_accounts", "unavailable", "tools"} {
		assert.NotContains(t, string(raw), `"`+key+`":null`, key)
		assert.NotContains(t, string(raw), `"`+key+`": null`, key)
	}
	assert.Contains(t, string(raw), `"api_keys": []`)
	assert.Contains(t, string(raw), `"unavailable":[]`)
	assert.Contains(t, string(raw), `"tools":[]`)
	_, err = inventory.Decode(raw, "x")
	require.NoError(t, err)
	assert.Nil(t, inv.Projects[0].APIKeys, "the caller's value is not modified")
}

func compileRoot(t testing.TB) *jsonschema.Schema {
	t.Helper()
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(schemas.Inventory))
	require.NoError(t, err)
	c := jsonschema.NewCompiler()
	require.NoError(t, c.AddResource(schemas.InventoryURL, doc))
	s, err := c.Compile(schemas.InventoryURL)
	require.NoError(t, err)
	return s
}

func leafPointers(e *jsonschema.ValidationError) []string {
	if len(e.Causes) == 0 {
		p := ""
		for _, tok := range e.InstanceLocation {
			p += "/" + tok
		}
		return []string{p}
	}
	var out []string
	for _, c := range e.Causes {
		out = append(out, leafPointers(c)...)
	}
	return out
}

func pointers(vs []inventory.Violation) []string {
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = v.Pointer
	}
	return out
}

func readRaw(t *testing.T, name string) []byte {
	t.Helper()
	return mustRead(t, filepath.Join(fixtures, name))
}

func mustRead(t *testing.T, path string) []byte {
	t.Helper()
	raw, err := os.ReadFile(path)
	require.NoError(t, err)
	return raw
}

func readFixture(t *testing.T, name string) map[string]any {
	t.Helper()
	var doc map[string]any
	require.NoError(t, json.Unmarshal(readRaw(t, name), &doc))
	return doc
}

func marshal(t *testing.T, v any) []byte {
	t.Helper()
	raw, err := json.Marshal(v)
	require.NoError(t, err)
	return raw
}

// The writer's output is the same document encoding/json makes of the
// value, laid out with every resource on a line of its own.
func TestWriteIsOneResourcePerLine(t *testing.T) {
	inv, err := inventory.Load(filepath.Join(fixtures, "acme.json"))
	require.NoError(t, err)
	inv.GPTs[0].Description = lo.ToPtr("<b>&</b> markup stays as written")
	inv.Projects[0].SettingsReused = map[string]int64{"data_retention": inv.CollectedAt - 86400}
	written, err := inventory.Marshal(inv)
	require.NoError(t, err)

	plain, err := json.Marshal(inv)
	require.NoError(t, err)
	var a, b any
	require.NoError(t, json.Unmarshal(written, &a))
	require.NoError(t, json.Unmarshal(plain, &b))
	assert.Equal(t, b, a)
	assert.Contains(t, string(written), "<b>&</b>", "no HTML escaping")

	lines := strings.Split(string(written), "\n")
	starts := map[string]bool{}
	for _, l := range lines {
		if i := strings.Index(l, `{"id":"`); i >= 0 && strings.TrimSpace(l[:i]) == "" {
			id := l[i+7:]
			starts[id[:strings.IndexByte(id, '"')]] = true
		}
	}
	for _, id := range []string{"key_admin_old", "proj_payments", "key_pay_old", "user-svc-payments", "user-bob", "invite-stale", "g-acme-crm", "wsu-erin"} {
		assert.True(t, starts[id], "%s starts a line of its own", id)
	}
	assert.Less(t, len(written), len(readRaw(t, "acme.json"))*3/4, "smaller than the indented fixture")
}

func TestSourcesNotComplete(t *testing.T) {
	s := inventory.Sources{
		"users":    {Status: inventory.StatusComplete},
		"invites":  {Status: inventory.StatusPartial},
		"gpts":     {Status: inventory.StatusSkipped},
		"projects": {Status: inventory.StatusFailed},
	}
	assert.Equal(t, []string{"gpts", "invites", "projects"}, s.NotComplete())
	assert.Empty(t, inventory.Sources{"users": {Status: inventory.StatusComplete}}.NotComplete())
	assert.False(t, s["gpts"].Incomplete(), "skipped on purpose")
}

func TestDecodeSkipsAUTF8ByteOrderMark(t *testing.T) {
	raw := readRaw(t, "clean.json")
	want, err := inventory.Decode(raw, "clean.json")
	require.NoError(t, err)
	got, err := inventory.Decode(append([]byte("\xef\xbb\xbf"), raw...), "bom.json")
	require.NoError(t, err)
	assert.Equal(t, want, got)
}

// Decode reads a document in one pass; what it gives is what encoding/json
// gives for the whole document, empty arrays and nulls included.
func TestDecodeEqualsEncodingJSON(t *testing.T) {
	docs := map[string][]byte{}
	names, err := filepath.Glob(filepath.Join(fixtures, "*.json"))
	require.NoError(t, err)
	for _, n := range names {
		docs[filepath.Base(n)] = readRaw(t, filepath.Base(n))
	}
	big := simulator.Generate(simulator.GenerateOptions{Users: 3000, Seed: 11, Plant: true})
	raw, err := inventory.Marshal(big)
	require.NoError(t, err)
	docs["generated (several chunks)"] = raw
	docs["optional arrays empty"] = []byte(strings.Replace(string(readRaw(t, "clean.json")), `"gpts": [`, `"files": [], "roles": [], "gpts": [`, 1))
	require.NotEqual(t, string(readRaw(t, "clean.json")), string(docs["optional arrays empty"]))
	for name, raw := range docs {
		t.Run(name, func(t *testing.T) {
			got, err := inventory.Decode(raw, name)
			require.NoError(t, err)
			var want inventory.Inventory
			require.NoError(t, json.Unmarshal(raw, &want))
			assert.Equal(t, &want, got)
		})
	}
	assert.NotNil(t, must(inventory.Decode(docs["optional arrays empty"], "x")).Files, "[] is an empty slice, not nil")
	assert.Nil(t, must(inventory.Decode(readRaw(t, "clean.json"), "x")).Files, "left out is nil")
}

// What the schema admits and the Go types cannot hold (an integer written
// 5.0) is a violation at its pointer, in the header or in an element.
func TestDecodeNamesWhatTheTypesCannotHold(t *testing.T) {
	clean := string(readRaw(t, "clean.json"))
	for _, tc := range []struct{ name, doc, want string }{
		{"header", regexpReplace(clean, `"collected_at": [0-9]+`, `"collected_at": 1795392000.0`), "x.json: /collected_at: cannot hold number 1795392000.0 as int64"},
		{"element", regexpReplace(clean, `"added_at": [0-9]+`, `"added_at": 1795392000.0`), "x.json: /projects/0: users.added_at: cannot hold number 1795392000.0 as int64"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			require.NotEqual(t, clean, tc.doc)
			_, err := inventory.Decode([]byte(tc.doc), "x.json")
			var ve *inventory.ValidationError
			require.ErrorAs(t, err, &ve)
			assert.Contains(t, err.Error(), tc.want)
		})
	}
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

func regexpReplace(s, re, with string) string {
	r := regexp.MustCompile(re)
	done := false
	return r.ReplaceAllStringFunc(s, func(m string) string {
		if done {
			return m
		}
		done = true
		return with
	})
}
