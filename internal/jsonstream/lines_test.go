package jsonstream_test

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/openai-casb/openai-casb/inventory"
)

// lineOf finds, by a plain text search, the line where the object with this
// id starts: the line holding `"id": "<id>"` in the indented fixture (whose
// objects open one line above), or `{"id":"<id>"` in the written format.
// The search starts at the top-level member section (e.g. `  "users": [`),
// since some ids appear in more than one list.
func lineOf(t *testing.T, raw []byte, section, id string) int {
	t.Helper()
	lines := strings.Split(string(raw), "\n")
	start := 0
	for i, l := range lines {
		if strings.HasPrefix(l, `  "`+section+`": [`) {
			start = i
		}
	}
	for i := start + 1; i < len(lines); i++ {
		l := lines[i]
		if strings.Contains(l, `{"id":"`+id+`"`) {
			return i + 1
		}
		if strings.TrimSpace(l) == `"id": "`+id+`",` && strings.TrimSpace(lines[i-1]) == "{" {
			return i
		}
	}
	t.Fatalf("no line for %s", id)
	return 0
}

func TestIndexLinesOfBothFormats(t *testing.T) {
	indented := readRaw(t, "acme.json")
	inv, err := inventory.Decode(indented, "acme.json")
	require.NoError(t, err)
	written, err := inventory.Marshal(inv)
	require.NoError(t, err)

	cases := []struct{ typ, section, id string }{
		{"admin_api_key", "admin_api_keys", "key_admin_old"}, {"project", "projects", "proj_payments"},
		{"project_api_key", "projects", "key_pay_idle"}, {"service_account", "projects", "user-svc-payments"},
		{"user", "users", "user-carol"}, {"invite", "invites", "invite-stale"},
		{"gpt", "gpts", "g-onboarding"}, {"workspace_user", "workspace_users", "wsu-erin"},
	}
	for name, raw := range map[string][]byte{"indented": indented, "written": written} {
		x, err := inventory.IndexLines(bytes.NewReader(raw))
		require.NoError(t, err)
		for _, c := range cases {
			assert.Equal(t, lineOf(t, raw, c.section, c.id), x.Line(c.typ, c.id), "%s: %s %s", name, c.typ, c.id)
		}
		// user-bob is both an organization member and a project member;
		// the resource type picks the right one.
		assert.NotEqual(t, x.Line("user", "user-bob"), x.Line("project_user", "user-bob"), name)
		assert.Equal(t, 1, x.Line("user", "nobody"), "unknown resources point at the first line")
		assert.Equal(t, x.Line("gpt", "g-onboarding"), x.Line("custom_type", "g-onboarding"), "unknown types are found by id")
	}
}

func TestIndexLinesTracksStringsAndEscapes(t *testing.T) {
	doc := "{\"a\": [\n  {\"name\": \"x}{[\\\"\\n\", \"id\": \"one\"},\n  {\"id\": \"t\\\"wo\"}\n]}"
	x, err := inventory.IndexLines(strings.NewReader(doc))
	require.NoError(t, err)
	assert.Equal(t, 2, x.Line("thing", "one"), "braces inside strings do not count")
	assert.Equal(t, 3, x.Line("thing", `t"wo`))
	_, err = inventory.IndexLines(strings.NewReader(`{"a": [`))
	assert.Error(t, err)
}

func TestIndexLinesLargeFile(t *testing.T) {
	var buf bytes.Buffer
	buf.WriteString("{\"users\": [\n")
	for i := 0; i < 20000; i++ {
		fmt.Fprintf(&buf, "{\"id\": \"u%d\"},\n", i)
	}
	buf.WriteString("{\"id\": \"last\"}\n]}\n")
	path := filepath.Join(t.TempDir(), "big.json")
	require.NoError(t, os.WriteFile(path, buf.Bytes(), 0o600))
	f, err := os.Open(path)
	require.NoError(t, err)
	defer f.Close()
	x, err := inventory.IndexLines(f)
	require.NoError(t, err)
	assert.Equal(t, 2, x.Line("user", "u0"))
	assert.Equal(t, 20002, x.Line("user", "last"))
}
