package collector_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/openai-casb/openai-casb/collector"
	"github.com/openai-casb/openai-casb/dlp"
	"github.com/openai-casb/openai-casb/inventory"
	"github.com/openai-casb/openai-casb/simulator"
)

// A collection recorded from the simulator (retries, conversation logs and
// DLP files included) replays, with no network and no key, into the same
// inventory byte for byte, but for the DLP results and the secrets found
// in GPT texts: file contents, instructions and OpenAPI texts are not
// recorded. The recording is private (0700, files 0600) and holds no key,
// no Authorization header, no cookie and no file content.
func TestRecordThenReplayGivesTheSameInventory(t *testing.T) {
	src := simulator.Generate(simulator.GenerateOptions{Users: 60, Seed: 11, Plant: true, Shapes: simulator.ShapesSpec})
	content := simulator.GenerateContent(src, simulator.ContentOptions{Plant: true, Seed: 11})
	sim := simulator.New(src, simulator.Options{MaxPageSize: 5, Content: content, Shapes: simulator.ShapesSpec,
		Faults: []simulator.Fault{{Path: "/organization/users", Times: 1, Status: 503}}})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Set-Cookie", "session=SECRET-COOKIE; Path=/")
		sim.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	dir := filepath.Join(t.TempDir(), "recording")

	sc, err := dlp.NewScanner(nil)
	require.NoError(t, err)
	o := dlpOptions(t, src, srv.URL+"/v1")
	o.Record = dir
	o.Secrets = dlpSecrets{sc}
	recorded, err := collector.Collect(context.Background(), o)
	require.NoError(t, err)
	assert.NotEmpty(t, recorded.Files)
	recordedFiles := recorded.Files
	recorded.Files = nil
	assert.Equal(t, 2, gptSecretsFound(recorded), "the planted GPT secrets")
	want, err := inventory.Marshal(recorded)
	require.NoError(t, err)

	st, err := os.Stat(dir)
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o700), st.Mode().Perm())
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	assert.Greater(t, len(entries), 10)
	for _, e := range entries {
		info, err := e.Info()
		require.NoError(t, err)
		assert.Equal(t, os.FileMode(0o600), info.Mode().Perm(), e.Name())
		raw, err := os.ReadFile(filepath.Join(dir, e.Name()))
		require.NoError(t, err)
		for _, secret := range append([]string{simulator.DefaultAdminKey, "Authorization", "SECRET-COOKIE", "Set-Cookie", "AKIA", "BEGIN RSA"}, simulator.PlantedSensitiveValues()...) {
			assert.NotContains(t, string(raw), secret, e.Name())
		}
	}

	srv.Close() // no network from here on
	r := dlpOptions(t, src, "https://api.openai.com/v1")
	r.AdminBaseURL, r.ComplianceBaseURL = "", ""
	r.AdminKey, r.WorkspaceID, r.Clock = "", "", nil
	r.Replay = dir
	r.Secrets = dlpSecrets{sc}
	replayed, err := collector.Collect(context.Background(), r)
	require.NoError(t, err)
	assert.Zero(t, gptSecretsFound(replayed), "GPT instructions and OpenAPI texts are not recorded")
	require.Len(t, replayed.Files, len(recordedFiles), "every file is named again")
	for i, f := range replayed.Files {
		assert.Equal(t, recordedFiles[i].ID, f.ID)
		assert.Equal(t, recordedFiles[i].Size, f.Size, "%s: the size is recorded, not the content", f.ID)
	}
	replayed.Files = nil
	got, err := inventory.Marshal(replayed)
	require.NoError(t, err)
	assert.Equal(t, string(want), string(got))

	// Recording into a directory that holds something is refused.
	o.Record = dir
	_, err = collector.Collect(context.Background(), o)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "is not empty")
}

// A replay asked for what the recording does not hold says so in the
// sources, rather than going to the network.
func TestReplayMissIsAFailedList(t *testing.T) {
	src := simulator.Generate(simulator.GenerateOptions{Users: 10, Seed: 2})
	_, base := serve(t, src, simulator.Options{})
	dir := filepath.Join(t.TempDir(), "rec")
	o := options(src, base)
	o.WorkspaceID = ""
	o.Record = dir
	_, err := collector.Collect(context.Background(), o)
	require.NoError(t, err)

	r := options(src, "https://api.openai.com/v1")
	r.Replay, r.WorkspaceID = dir, src.Workspace.ID // the recording has no Compliance API answers
	inv, err := collector.Collect(context.Background(), r)
	require.NoError(t, err)
	gpts := inv.Sources[inventory.SourceGPTs]
	assert.Equal(t, inventory.StatusFailed, gpts.Status)
	assert.True(t, strings.Contains(*gpts.Reason, "the recording holds no answer"), *gpts.Reason)
	assert.Equal(t, inventory.StatusComplete, inv.Sources[inventory.SourceUsers].Status)
}

// A file download the API redirects to a signed URL is recorded without
// the file's content and without the signature.
func TestRecordingOfARedirectedFileKeepsNoContent(t *testing.T) {
	s, base := newScripted(t)
	s.on("/v1/compliance/workspaces/ws-1/projects", list(`{"id":"g-p-1","name":"P","latest_config":[{"name":"P","files":[{"id":"file-1","name":"a.txt"}]}]}`))
	s.on("/v1/compliance/workspaces/ws-1/project_files/file-1", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/blob/file-1?sig=SIGNATURE-SECRET", http.StatusTemporaryRedirect)
	})
	s.on("/blob/file-1", func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("CONTENT-SECRET")) })
	dir := filepath.Join(t.TempDir(), "rec")
	o := scriptedOptions(base, newFakeClock(1712000000))
	o.DLP = &collector.DLP{Scanner: quietScanner{}}
	o.Record = dir
	inv, err := collector.Collect(context.Background(), o)
	require.NoError(t, err)
	require.Len(t, inv.Files, 1)
	require.Equal(t, inventory.FileScanned, inv.Files[0].Status, "%v", inv.Files[0].Reason)
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	seen := false
	for _, e := range entries {
		raw, err := os.ReadFile(filepath.Join(dir, e.Name()))
		require.NoError(t, err)
		assert.NotContains(t, string(raw), "CONTENT-SECRET", e.Name())
		assert.NotContains(t, string(raw), "SIGNATURE-SECRET", e.Name())
		seen = seen || strings.Contains(string(raw), "/blob/file-1")
	}
	assert.True(t, seen, "the redirected hop is recorded")

	r := scriptedOptions("https://api.openai.com/v1", newFakeClock(1))
	r.AdminKey, r.Clock, r.Replay = "", nil, dir
	r.DLP = &collector.DLP{Scanner: quietScanner{}}
	replayed, err := collector.Collect(context.Background(), r)
	require.NoError(t, err)
	require.Len(t, replayed.Files, 1)
	assert.Equal(t, inventory.FileScanned, replayed.Files[0].Status, "the replay follows the redirect: %v", replayed.Files[0].Reason)
	assert.Equal(t, inv.Files[0].Size, replayed.Files[0].Size)
}

// gptSecretsFound counts the GPT texts the secret detectors matched in,
// and clears every GPT text's detections (which a replay cannot repeat).
func gptSecretsFound(inv *inventory.Inventory) int {
	n := 0
	for i := range inv.GPTs {
		g := &inv.GPTs[i]
		if g.InstructionsDetections != nil && len(*g.InstructionsDetections) > 0 {
			n++
		}
		g.InstructionsDetections = nil
		for k := range g.Tools {
			if d := g.Tools[k].OpenAPIDetections; d != nil && len(*d) > 0 {
				n++
			}
			g.Tools[k].OpenAPIDetections = nil
		}
	}
	return n
}
