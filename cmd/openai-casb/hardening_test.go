package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/openai-casb/openai-casb/inventory"
	"github.com/openai-casb/openai-casb/report"
	"github.com/openai-casb/openai-casb/simulator"
)

// A server that knows the key (it was sent it) echoes it back in a header,
// a role, a name and an error body; no form of it reaches standard output,
// standard error, the saved inventory or a report of any format.
func TestEchoedKeyReachesNoReportOrLog(t *testing.T) {
	src := simulator.Generate(simulator.GenerateOptions{Users: 20, Seed: 4, Plant: true})
	sim := simulator.New(src, simulator.Options{AdminKey: testKey})
	bare := strings.TrimPrefix(testKey, "sk-admin-")
	b64 := base64.StdEncoding.EncodeToString([]byte(testKey))
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Openai-Organization", strings.ToUpper(testKey))
		switch r.URL.Path {
		case "/v1/organization/invites":
			fmt.Fprintf(w, `{"object":"list","data":[{"object":"organization.invite","id":%q,"email":"%s@x.example","role":%q,"status":"pending","created_at":1600000000,"expires_at":null}],"has_more":false}`,
				b64, bare, testKey)
		case "/v1/organization/audit_logs":
			w.WriteHeader(400)
			fmt.Fprintf(w, `{"error":{"message":"bad cursor %s"}}`, bare)
		default:
			sim.ServeHTTP(w, r)
		}
	}))
	t.Cleanup(srv.Close)
	base := srv.URL + "/v1"
	dir := t.TempDir()
	for _, format := range report.Formats {
		t.Run(format, func(t *testing.T) {
			saved := filepath.Join(dir, format+".inventory.json")
			out := filepath.Join(dir, format+".report")
			r := runEnv(t, simEnv(src), "", "scan", "--format", format, "-o", out, "--save-inventory", saved, "--allow-partial", "--debug",
				"--api-base-url", base, "--compliance-base-url", base, "--max-attempts", "1")
			require.Equal(t, exitOK, r.code, r.stderr)
			rep, err := os.ReadFile(out)
			require.NoError(t, err)
			inv, err := os.ReadFile(saved)
			require.NoError(t, err)
			for where, text := range map[string]string{"stdout": r.stdout, "stderr": r.stderr, "report": string(rep), "inventory": string(inv)} {
				low := strings.ToLower(text)
				assert.NotContains(t, low, strings.ToLower(bare), where)
				assert.NotContains(t, text, b64[:16], where)
			}
			assert.Contains(t, r.stderr, "bad cursor [REDACTED]", "the error was reached")
		})
	}
}

// countingSimulator serves src and counts the requests it gets.
func countingSimulator(t *testing.T, src *inventory.Inventory) (string, *atomic.Int64) {
	t.Helper()
	sim := simulator.New(src, simulator.Options{AdminKey: testKey})
	var n atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		sim.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	return srv.URL + "/v1", &n
}

// Rows 1 and 13: output files are checked before the collection starts; a
// device is written in place; other non-regular files are refused.
func TestOutputFilesAreCheckedFirst(t *testing.T) {
	src := simulator.Generate(simulator.GenerateOptions{Users: 10, Seed: 2})
	base, requests := countingSimulator(t, src)
	dir := t.TempDir()
	missing := filepath.Join(dir, "no-such-dir", "inv.json")
	urls := []string{"--api-base-url", base, "--compliance-base-url", base}
	cases := []struct {
		name string
		args []string
		want string
	}{
		{"collect into a missing directory", []string{"collect", "-o", missing}, "--output: write " + missing + ": the directory"},
		{"collect onto a directory", []string{"collect", "-o", dir}, "it is a directory"},
		{"scan saving into a missing directory", []string{"scan", "--save-inventory", missing}, "--save-inventory: write " + missing},
		{"scan reporting into a missing directory", []string{"scan", "-o", missing}, "--output: write " + missing},
		{"sarif's default inventory in a missing directory", []string{"scan", "--format", "sarif", "--sarif-root", dir, "-o", filepath.Join(dir, "r.sarif"), "--save-inventory", missing}, "does not exist"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			before := requests.Load()
			r := runEnv(t, simEnv(src), "", append(c.args, urls...)...)
			assert.Equal(t, exitError, r.code)
			assert.Contains(t, r.stderr, c.want)
			assert.Equal(t, before, requests.Load(), "nothing was collected")
		})
	}
	r := runCLI(t, "", "simulate", "--generate-inventory", missing)
	assert.Equal(t, exitError, r.code)
	assert.Contains(t, r.stderr, "--generate-inventory: write "+missing+": the directory")
	r = runCLI(t, "", "evaluate", acme, "-o", missing)
	assert.Equal(t, exitError, r.code)
	assert.Contains(t, r.stderr, "create it first")

	// A device is written in place and stays a device.
	r = runEnv(t, simEnv(src), "", append([]string{"collect", "-o", os.DevNull}, urls...)...)
	require.Equal(t, exitOK, r.code, r.stderr)
	st, err := os.Lstat(os.DevNull)
	require.NoError(t, err)
	assert.NotZero(t, st.Mode()&fs.ModeCharDevice)
	r = runEnv(t, simEnv(src), "", append([]string{"scan", "--save-inventory", os.DevNull, "-o", os.DevNull}, urls...)...)
	require.Equal(t, exitOK, r.code, r.stderr)
}

// runCtx runs one command line under ctx.
func runCtx(ctx context.Context, args ...string) result {
	var out, errOut bytes.Buffer
	e := &env{stdin: strings.NewReader(""), stdout: &out, stderr: &errOut, getenv: func(string) string { return "" }}
	code := run(ctx, append([]string{toolName}, args...), e)
	return result{code: code, stdout: out.String(), stderr: errOut.String()}
}

// simulate --generate-inventory stopped by SIGINT (the command's context)
// leaves the file it would have replaced as it was.
func TestGenerateInventoryInterruptedLeavesTheFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "inv.json")
	require.NoError(t, os.WriteFile(path, []byte("old"), 0o600))
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	r := runCtx(ctx, "simulate", "--generate-inventory", path, "--users", "50")
	assert.Equal(t, exitError, r.code)
	assert.Contains(t, r.stderr, "interrupted: "+path+" was not written")
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.Equal(t, "old", string(b))
	entries, _ := os.ReadDir(filepath.Dir(path))
	assert.Len(t, entries, 1, "no temporary file left")

	// SaveContext stops mid-write too.
	inv := simulator.Generate(simulator.GenerateOptions{Users: 50, Seed: 1})
	assert.ErrorIs(t, inventory.SaveContext(ctx, path, inv), context.Canceled)
	b, _ = os.ReadFile(path)
	assert.Equal(t, "old", string(b))
}

// --now before 2000 or far in the future is refused unless
// --now-unchecked.
func TestNowIsRangeChecked(t *testing.T) {
	for _, now := range []string{"1999-12-31T23:59:59Z", "0001-01-01T00:00:00Z", time.Now().AddDate(6, 0, 0).UTC().Format(time.RFC3339)} {
		r := runCLI(t, "", "evaluate", acme, "--now", now)
		assert.Equal(t, exitError, r.code, now)
		assert.Contains(t, r.stderr, "pass --now-unchecked if it is meant", now)
		r = runCLI(t, "", "evaluate", acme, "--now", now, "--now-unchecked")
		assert.Equal(t, exitOK, r.code, r.stderr)
	}
	r := runCLI(t, "", "evaluate", acme, "--now", "2026-11-26T00:00:00Z")
	assert.Equal(t, exitOK, r.code, r.stderr)
}

// Row 6 through the command line: --max-pages ends an endless cursor.
func TestMaxPagesFlag(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		after := r.URL.Query().Get("after")
		fmt.Fprintf(w, `{"object":"list","data":[],"has_more":true,"last_id":"x%s"}`, after)
	}))
	t.Cleanup(srv.Close)
	base := srv.URL + "/v1"
	r := runEnv(t, map[string]string{envAdminKey: testKey}, "", "collect", "-o", os.DevNull, "--max-pages", "3",
		"--api-base-url", base, "--compliance-base-url", base)
	assert.Equal(t, exitError, r.code)
	assert.Contains(t, r.stderr, "stopped after 3 pages")
	r = runEnv(t, map[string]string{envAdminKey: testKey}, "", "collect", "--max-pages", "0")
	assert.Equal(t, exitError, r.code)
	assert.Contains(t, r.stderr, "--max-pages 0: want at least 1")
}

// Row 6: a list --max-pages stopped after reading some items is failed on
// standard error, in the saved inventory and in the report's
// sources_incomplete; its items are kept, and --allow-partial accepts it.
func TestMaxPagesKeepsTheItemsRead(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/v1/organization/invites" {
			fmt.Fprint(w, `{"object":"list","data":[],"has_more":false}`)
			return
		}
		n := len(r.URL.Query().Get("after"))
		fmt.Fprintf(w, `{"object":"list","data":[{"object":"organization.invite","id":"inv-%d","email":"i%d@x.example","role":"owner","status":"pending","created_at":1600000000,"expires_at":null}],"has_more":true,"last_id":"%s"}`,
			n, n, strings.Repeat("x", n+1))
	}))
	t.Cleanup(srv.Close)
	base := srv.URL + "/v1"
	dir := t.TempDir()
	saved, out := filepath.Join(dir, "inv.json"), filepath.Join(dir, "report.json")
	args := []string{"scan", "--format", "json", "-o", out, "--save-inventory", saved, "--max-pages", "3", "--api-base-url", base, "--compliance-base-url", base}
	r := runEnv(t, map[string]string{envAdminKey: testKey}, "", args...)
	assert.Equal(t, exitError, r.code, r.stderr)
	assert.Contains(t, r.stderr, "warning: invites failed: Admin API /organization/invites: stopped after 3 pages, the most one list may have (--max-pages)")
	assert.Contains(t, r.stderr, "the collection is incomplete (invites")

	r = runEnv(t, map[string]string{envAdminKey: testKey}, "", append(args, "--allow-partial")...)
	require.Equal(t, exitOK, r.code, r.stderr)
	inv, err := inventory.Load(saved)
	require.NoError(t, err)
	assert.Len(t, inv.Invites, 3, "the invites read are kept")
	assert.Equal(t, inventory.StatusFailed, inv.Sources[inventory.SourceInvites].Status)
	assert.Equal(t, 3, inv.Sources[inventory.SourceInvites].Items)
	b, err := os.ReadFile(out)
	require.NoError(t, err)
	var doc struct {
		Inventory struct {
			SourcesIncomplete []report.IncompleteSource `json:"sources_incomplete"`
		} `json:"inventory"`
	}
	require.NoError(t, json.Unmarshal(b, &doc))
	i := slices.IndexFunc(doc.Inventory.SourcesIncomplete, func(s report.IncompleteSource) bool { return s.Source == "invites" })
	require.GreaterOrEqual(t, i, 0, "invites is in sources_incomplete")
	assert.Equal(t, "failed", doc.Inventory.SourcesIncomplete[i].Status)
}

// Row 9: policies export --force replaces symbolic links in DIR, never
// writes through them, and never writes outside DIR.
func TestExportReplacesLinksNeverFollowsThem(t *testing.T) {
	outside := t.TempDir()
	victim := filepath.Join(outside, "victim.rego")
	require.NoError(t, os.WriteFile(victim, []byte("precious"), 0o600))
	dir := t.TempDir()
	require.NoError(t, os.Symlink(victim, filepath.Join(dir, "config.rego")))
	require.NoError(t, os.Symlink("../"+filepath.Base(outside)+"/victim.rego", filepath.Join(dir, "lib.rego")))
	dangling := filepath.Join(outside, "created-through-a-link.rego")
	require.NoError(t, os.Symlink(dangling, filepath.Join(dir, "dlp.rego")))

	r := runCLI(t, "", "policies", "export", dir)
	assert.Equal(t, exitError, r.code, "links count as existing files")
	r = runCLI(t, "", "policies", "export", "--force", dir)
	require.Equal(t, exitOK, r.code, r.stderr)
	b, err := os.ReadFile(victim)
	require.NoError(t, err)
	assert.Equal(t, "precious", string(b), "written through a link")
	assert.NoFileExists(t, dangling, "created outside DIR")
	for _, name := range []string{"config.rego", "lib.rego", "dlp.rego"} {
		st, err := os.Lstat(filepath.Join(dir, name))
		require.NoError(t, err)
		assert.True(t, st.Mode().IsRegular(), "%s is a regular file now", name)
	}
	entries, err := os.ReadDir(outside)
	require.NoError(t, err)
	assert.Len(t, entries, 1, "nothing new outside DIR")
}

// Row 10: --debug and every error print a base URL's password redacted.
func TestBaseURLPasswordIsNeverPrinted(t *testing.T) {
	src := simulator.Generate(simulator.GenerateOptions{Users: 5, Seed: 2})
	base, _ := countingSimulator(t, src)
	withPass := strings.Replace(base, "http://", "http://user:s3cretpass@", 1)
	r := runEnv(t, simEnv(src), "", "collect", "-o", os.DevNull, "--debug", "--api-base-url", withPass, "--compliance-base-url", withPass)
	require.Equal(t, exitOK, r.code, r.stderr)
	assert.Contains(t, r.stderr, "debug: → GET http://user:xxxxx@")
	assert.NotContains(t, r.stderr, "s3cretpass")
	for _, bad := range []string{"http://user:s3cretpass@api.example.com/v1", "ftp://user:s3cretpass@host/v1", "http://user:s3cretpass@host:bad/v1"} {
		r = runEnv(t, simEnv(src), "", "collect", "--api-base-url", bad)
		assert.Equal(t, exitError, r.code)
		assert.NotContains(t, r.stderr, "s3cretpass", bad)
		assert.Contains(t, r.stderr, "--api-base-url", bad)
	}
}
