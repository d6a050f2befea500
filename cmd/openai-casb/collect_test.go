package main

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/openai-casb/openai-casb/inventory"
	"github.com/openai-casb/openai-casb/simulator"
)

// A fake key, distinctive enough that a grep finds any leak of it.
const testKey = "sk-admin-LEAKCHECK-fake-0123456789abcdef"

func startSimulator(t *testing.T, inv *inventory.Inventory, opts simulator.Options) string {
	t.Helper()
	if opts.AdminKey == "" {
		opts.AdminKey = testKey
	}
	srv := httptest.NewServer(simulator.New(inv, opts))
	t.Cleanup(srv.Close)
	return srv.URL + "/v1"
}

func simEnv(inv *inventory.Inventory) map[string]string {
	return map[string]string{envAdminKey: testKey, envWorkspaceID: inv.Workspace.ID}
}

type jsonReport struct {
	Inventory struct {
		CollectedAt       string `json:"collected_at"`
		SourcesIncomplete []struct {
			Source, Status, Reason string
		} `json:"sources_incomplete"`
	} `json:"inventory"`
	Findings []reportFinding `json:"findings"`
}

type reportFinding struct {
	FindingTypeID string `json:"finding_type_id"`
	Severity      string `json:"severity"`
	Resource      struct {
		Type, ID string
	} `json:"resource"`
	Key           string                     `json:"key"`
	Message       string                     `json:"message"`
	Evidence      map[string]json.RawMessage `json:"evidence"`
	Fingerprint   string                     `json:"fingerprint"`
	BaselineState string                     `json:"baseline_state"`
}

func parseReport(t *testing.T, out string) jsonReport {
	t.Helper()
	var r jsonReport
	require.NoError(t, json.Unmarshal([]byte(out), &r), out)
	return r
}

func (r jsonReport) keys() []string {
	var out []string
	for _, f := range r.Findings {
		out = append(out, f.FindingTypeID+" "+f.Resource.Type+" "+f.Resource.ID+" "+f.Message)
	}
	sort.Strings(out)
	return out
}

// The acceptance test of the collector issue: scan a server that follows
// the API reference, answers 429 once and 503 once, and pages three items
// at a time; the findings are exactly those of the organization it serves.
func TestScanReportsExactlyTheServedOrganizationsFindings(t *testing.T) {
	src := simulator.Generate(simulator.GenerateOptions{Users: 250, Seed: 11, Plant: true, CollectedAt: time.Now().Unix()})
	base := startSimulator(t, src, simulator.Options{
		MaxPageSize: 3,
		Faults: []simulator.Fault{
			{Times: 1, Status: 429, RetryAfter: "0"},
			{Path: "/invites", Times: 1, Status: 503},
		},
	})
	dir := t.TempDir()
	saved := filepath.Join(dir, "inv.json")
	scan := runEnv(t, simEnv(src), "", "scan", "--format", "json", "--api-base-url", base, "--compliance-base-url", base, "--save-inventory", saved)
	require.Equal(t, exitOK, scan.code, scan.stderr)

	// Evaluate the served organization directly, at the scan's clock.
	collected, err := inventory.Load(saved)
	require.NoError(t, err)
	direct := filepath.Join(dir, "direct.json")
	// The served organization holds the planted secrets in the texts of two
	// GPTs, which a scan finds; an inventory records them only as found.
	for i := range src.GPTs {
		switch g := &src.GPTs[i]; g.ID {
		case simulator.PlantedGPTSecretInstructions:
			g.InstructionsDetections = &inventory.Detections{"openai_api_key": {Count: 1}}
		case simulator.PlantedGPTSecretAction:
			g.Tools[0].OpenAPIDetections = &inventory.Detections{"github_token": {Count: 1}}
		}
	}
	require.NoError(t, inventory.Save(direct, src))
	now := time.Unix(collected.CollectedAt, 0).UTC().Format(time.RFC3339)
	eval := runCLI(t, "", "evaluate", direct, "--format", "json", "--now", now)
	require.Equal(t, exitOK, eval.code, eval.stderr)

	got, want := parseReport(t, scan.stdout), parseReport(t, eval.stdout)
	require.NotEmpty(t, want.Findings)
	assert.Equal(t, want.keys(), got.keys())
	assert.Empty(t, got.Inventory.SourcesIncomplete)

	ids := map[string]bool{}
	for _, f := range got.Findings {
		ids[f.FindingTypeID] = true
	}
	assert.Len(t, ids, 30, "every posture finding type the served lists can show")
}

func TestDemoShowsEveryPostureFindingType(t *testing.T) {
	r := runCLI(t, "", "demo", "--format", "json")
	require.Equal(t, exitOK, r.code, r.stderr)
	ids := map[string]bool{}
	for _, f := range parseReport(t, r.stdout).Findings {
		ids[f.FindingTypeID] = true
	}
	assert.Len(t, ids, 31, "every posture finding type but residency and action domains (checked only when configured) and audit logging off (TestMakeDemoFiresEveryFindingType)")
	assert.True(t, ids["dde6eb03-a01e-4aac-8cde-d9999d90a03e"], "a secret in a GPT's instructions or action, without --dlp")
	assert.True(t, ids["6bb079ae-f60a-4c5b-b581-9f7adb4325e4"], "a GPT editable by too many people")
	assert.True(t, ids["5e3d9115-9eae-40db-9596-18378d47738a"], "a workspace agent whose owner left")

	table := runCLI(t, "", "demo")
	require.Equal(t, exitOK, table.code, table.stderr)
	assert.Contains(t, table.stdout, "HIGH (")
	assert.Regexp(t, `\n\d+ findings: \d+ critical, \d+ high, \d+ medium, \d+ low\n$`, table.stdout)
}

// makeDemoRuns reads the demo command lines of the Makefile's demo target,
// $(VARIABLES) expanded and --data paths made relative to this package.
func makeDemoRuns(t *testing.T) [][]string {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(repoRoot, "Makefile"))
	require.NoError(t, err)
	vars := map[string]string{}
	var runs [][]string
	inDemo := false
	for _, line := range strings.Split(string(raw), "\n") {
		if name, value, ok := strings.Cut(line, ":="); ok && !strings.HasPrefix(line, "\t") {
			vars["$("+strings.TrimSpace(name)+")"] = strings.TrimSpace(value)
		}
		switch {
		case strings.HasPrefix(line, "demo:"):
			inDemo = true
		case inDemo && !strings.HasPrefix(line, "\t"):
			inDemo = false
		case inDemo:
			_, cmd, ok := strings.Cut(line, "./cmd/openai-casb ")
			if !ok {
				continue
			}
			args := strings.Fields(cmd)
			for i, a := range args {
				if v, ok := vars[a]; ok {
					args[i] = v
				}
				if i > 0 && args[i-1] == "--data" {
					args[i] = filepath.Join(repoRoot, a)
				}
			}
			runs = append(runs, args)
		}
	}
	return runs
}

// The acceptance: every finding type of the catalog fires in make
// demo, across the runs its demo target performs.
func TestMakeDemoFiresEveryFindingType(t *testing.T) {
	runs := makeDemoRuns(t)
	require.Len(t, runs, 2, "the main demo and the one without audit logging")
	fired := map[string]bool{}
	for _, args := range runs {
		require.Equal(t, "demo", args[0], args)
		r := runCLI(t, "", append(args, "--format", "json")...)
		require.Equal(t, exitOK, r.code, "%v: %s", args, r.stderr)
		for id := range findingTypes(t, r.stdout) {
			fired[id] = true
		}
	}
	var catalog []struct {
		ID    string `json:"finding_type_id"`
		Title string `json:"title"`
	}
	require.NoError(t, json.Unmarshal([]byte(runOK(t, "policies", "list", "--format", "json")), &catalog))
	require.GreaterOrEqual(t, len(catalog), 30)
	for _, ft := range catalog {
		assert.True(t, fired[ft.ID], "%s (%s) fires in make demo", ft.Title, ft.ID)
	}
	for _, id := range []string{"468386e1-6bae-4906-8fbb-e5d55fbf0e28", "a9f5823f-42e6-4bf2-a37e-58256438c77c", "ec0de752-7dd6-4483-bd5d-35b3899963c3"} {
		assert.True(t, fired[id], id)
	}
}

func TestCollectWritesAPrivateValidInventory(t *testing.T) {
	src := simulator.Generate(simulator.GenerateOptions{Users: 60, Seed: 2})
	base := startSimulator(t, src, simulator.Options{})
	out := filepath.Join(t.TempDir(), "inv.json")
	r := runEnv(t, simEnv(src), "", "collect", "--output", out, "--api-base-url", base, "--compliance-base-url", base)
	require.Equal(t, exitOK, r.code, r.stderr)
	st, err := os.Stat(out)
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o600), st.Mode().Perm())
	inv, err := inventory.Load(out)
	require.NoError(t, err)
	assert.Len(t, inv.Users, 60)
	assert.Regexp(t, `^wrote .*inv.json: \d+ admin keys, \d+ projects \(\d+ project keys\), 60 users, \d+ invites, \d+ GPTs\n$`, r.stderr)

	q := runEnv(t, simEnv(src), "", "collect", "-q", "-o", "-", "--api-base-url", base, "--compliance-base-url", base)
	require.Equal(t, exitOK, q.code, q.stderr)
	assert.Empty(t, q.stderr, "--quiet")
	_, err = inventory.Decode([]byte(q.stdout), "stdout")
	assert.NoError(t, err, "- writes the inventory to standard output")
}

func TestIncompleteCollection(t *testing.T) {
	src := simulator.Generate(simulator.GenerateOptions{Users: 40, Seed: 3})
	base := startSimulator(t, src, simulator.Options{Faults: []simulator.Fault{{Path: "/invites", Status: 500}}})
	args := []string{"scan", "--format", "json", "--api-base-url", base, "--compliance-base-url", base, "--max-attempts", "1"}

	r := runEnv(t, simEnv(src), "", args...)
	assert.Equal(t, exitError, r.code)
	assert.Contains(t, r.stderr, "warning: invites failed: Admin API /organization/invites: 500")
	assert.Contains(t, r.stderr, "the collection is incomplete (invites)")
	assert.Contains(t, r.stderr, "--allow-partial")
	rep := parseReport(t, r.stdout)
	require.Len(t, rep.Inventory.SourcesIncomplete, 1, "the report says so too")
	assert.Equal(t, "invites", rep.Inventory.SourcesIncomplete[0].Source)
	assert.Equal(t, "failed", rep.Inventory.SourcesIncomplete[0].Status)

	allowed := runEnv(t, simEnv(src), "", append(args, "--allow-partial")...)
	assert.Equal(t, exitOK, allowed.code, allowed.stderr)
	failOn := runEnv(t, simEnv(src), "", append(args, "--allow-partial", "--fail-on", "medium")...)
	assert.Equal(t, exitFindings, failOn.code)

	table := runEnv(t, simEnv(src), "", "scan", "--api-base-url", base, "--compliance-base-url", base, "--max-attempts", "1", "--allow-partial")
	assert.Contains(t, table.stdout, "! invites failed: Admin API /organization/invites: 500")

	out := filepath.Join(t.TempDir(), "inv.json")
	c := runEnv(t, simEnv(src), "", "collect", "-o", out, "--api-base-url", base, "--compliance-base-url", base, "--max-attempts", "1")
	assert.Equal(t, exitError, c.code)
	assert.FileExists(t, out, "what was read is kept")
}

func TestNothingReadExits2(t *testing.T) {
	src := simulator.Generate(simulator.GenerateOptions{Users: 10, Seed: 3})
	base := startSimulator(t, src, simulator.Options{})
	env := map[string]string{envAdminKey: "sk-admin-WRONG-fake-0000000000"}
	out := filepath.Join(t.TempDir(), "inv.json")
	r := runEnv(t, env, "", "collect", "-o", out, "--api-base-url", base, "--compliance-base-url", base)
	assert.Equal(t, exitError, r.code)
	assert.Contains(t, r.stderr, "nothing could be read from either API")
	assert.Contains(t, r.stderr, "the Admin API refused the key from OPENAI_ADMIN_KEY (401 Unauthorized")
	assert.NoFileExists(t, out)
}

func TestCredentialErrors(t *testing.T) {
	r := runCLI(t, "", "collect")
	assert.Equal(t, exitError, r.code)
	assert.Contains(t, r.stderr, "no admin key: set OPENAI_ADMIN_KEY, or put the key in a file and pass --admin-key-file FILE")

	r = runEnv(t, map[string]string{envAdminKey: testKey}, "", "collect", "--api-base-url", "http://api.example.com/v1")
	assert.Equal(t, exitError, r.code)
	assert.Contains(t, r.stderr, "plain http is only allowed for loopback hosts")

	r = runCLI(t, "", "collect", "--admin-key-file", filepath.Join(t.TempDir(), "missing"))
	assert.Equal(t, exitError, r.code)
	assert.Contains(t, r.stderr, "read key file")

	empty := filepath.Join(t.TempDir(), "empty")
	require.NoError(t, os.WriteFile(empty, []byte("\n"), 0o600))
	r = runCLI(t, "", "collect", "--admin-key-file", empty)
	assert.Contains(t, r.stderr, "is empty")

	r = runCLI(t, "", "collect", "--admin-key", testKey)
	assert.Equal(t, exitError, r.code, "there is no flag that takes a key")
	assert.NotContains(t, r.stderr, testKey)
}

func TestKeyFile(t *testing.T) {
	src := simulator.Generate(simulator.GenerateOptions{Users: 10, Seed: 4})
	base := startSimulator(t, src, simulator.Options{})
	keyFile := filepath.Join(t.TempDir(), "admin.key")
	require.NoError(t, os.WriteFile(keyFile, []byte(testKey+"\n"), 0o644))
	r := runEnv(t, map[string]string{envWorkspaceID: src.Workspace.ID}, "", "collect", "-o", "-", "--admin-key-file", keyFile, "--api-base-url", base, "--compliance-base-url", base)
	require.Equal(t, exitOK, r.code, r.stderr)
	assert.Contains(t, r.stderr, "can be read by other users (mode 0644); chmod 600 it")

	// Saved by Notepad: a byte order mark and a CRLF line end.
	require.NoError(t, os.WriteFile(keyFile, []byte("\xef\xbb\xbf"+testKey+"\r\n"), 0o600))
	r = runEnv(t, map[string]string{envWorkspaceID: src.Workspace.ID}, "", "collect", "-o", "-", "--admin-key-file", keyFile, "--api-base-url", base, "--compliance-base-url", base)
	require.Equal(t, exitOK, r.code, r.stderr)
}

func TestKeyText(t *testing.T) {
	for in, want := range map[string]string{
		"sk-admin-FAKE\n":               "sk-admin-FAKE",
		"\xef\xbb\xbfsk-admin-FAKE\r\n": "sk-admin-FAKE",
		"  sk-admin-FAKE  ":             "sk-admin-FAKE",
		"\xef\xbb\xbf":                  "",
	} {
		assert.Equal(t, want, keyText([]byte(in)), "%q", in)
	}
}

// The key is never printed, logged or written: not in the report, the
// inventory, the debug log or any error, whatever the server echoes.
func TestTheKeyNeverLeaks(t *testing.T) {
	src := simulator.Generate(simulator.GenerateOptions{Users: 30, Seed: 5, Plant: true})
	base := startSimulator(t, src, simulator.Options{Faults: []simulator.Fault{{Path: "/users", Times: 1, Status: 429, RetryAfter: "0"}}})
	dir := t.TempDir()
	saved := filepath.Join(dir, "inv.json")
	var everything strings.Builder
	for _, format := range []string{"table", "json"} {
		r := runEnv(t, simEnv(src), "", "scan", "--debug", "--format", format, "--api-base-url", base, "--compliance-base-url", base, "--save-inventory", saved)
		require.Equal(t, exitOK, r.code, r.stderr)
		everything.WriteString(r.stdout + r.stderr)
		raw, err := os.ReadFile(saved)
		require.NoError(t, err)
		everything.Write(raw)
	}
	assert.Contains(t, everything.String(), "Authorization: Bearer [REDACTED]", "the debug log was on")

	// A wrong key: the server's 401 message echoes part of it.
	wrong := "sk-admin-LEAKCHECK-wrong-fedcba9876543210"
	r := runEnv(t, map[string]string{envAdminKey: wrong, envWorkspaceID: src.Workspace.ID}, "", "scan", "--debug", "--api-base-url", base, "--compliance-base-url", base)
	assert.Equal(t, exitError, r.code)
	everything.WriteString(r.stdout + r.stderr)

	for _, secret := range []string{testKey, wrong, "LEAKCHECK"} {
		assert.NotContains(t, everything.String(), secret)
	}
}

func TestSimulateServesTheCollector(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	pr, pw := io.Pipe()
	done := make(chan int)
	go func() {
		e := &env{stdin: strings.NewReader(""), stdout: io.Discard, stderr: pw, getenv: func(string) string { return "" }}
		done <- run(ctx, []string{toolName, "simulate", "--addr", "127.0.0.1:0", "--users", "40", "--page-size", "7"}, e)
		pw.Close()
	}()
	lines := bufio.NewScanner(pr)
	require.True(t, lines.Scan())
	first := lines.Text()
	require.Contains(t, first, "simulating an OpenAI organization at http://127.0.0.1:")
	base := strings.Fields(strings.TrimPrefix(first, "simulating an OpenAI organization at "))[0]
	require.True(t, lines.Scan())
	exports := strings.Fields(lines.Text())
	require.Len(t, exports, 3)
	environ := map[string]string{}
	for _, kv := range exports[1:] {
		k, v, _ := strings.Cut(kv, "=")
		environ[k] = v
	}
	go io.Copy(io.Discard, pr)

	r := runEnv(t, environ, "", "scan", "--format", "json", "--api-base-url", base, "--compliance-base-url", base)
	require.Equal(t, exitOK, r.code, r.stderr)
	assert.NotEmpty(t, parseReport(t, r.stdout).Findings)
	cancel()
	assert.Equal(t, exitOK, <-done, "Ctrl-C stops the simulator cleanly")
}
