package collector_test

import (
	"context"
	"maps"
	"path/filepath"
	"slices"
	"testing"

	"github.com/samber/lo"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/openai-casb/openai-casb/collector"
	"github.com/openai-casb/openai-casb/inventory"
	"github.com/openai-casb/openai-casb/simulator"
)

// The simulator's routes of file and log file downloads.
var downloadRoutes = []string{"compliance gpt_files/{id}", "compliance project_files/{id}", "compliance users/{user}/files/{id}", "compliance logs/{id}"}

func downloads(sim *simulator.Server) map[string]int64 {
	by := sim.Stats().ByRoute
	out := map[string]int64{}
	for _, r := range downloadRoutes {
		out[r] = by[r]
	}
	return out
}

// withoutReuse is comparable, less the reuse marker.
func withoutReuse(inv *inventory.Inventory) *inventory.Inventory {
	c := comparable(inv)
	c.Files = slices.Clone(inv.Files)
	for i := range c.Files {
		c.Files[i].Reused = false
	}
	c.Projects = slices.Clone(c.Projects)
	for i := range c.Projects {
		c.Projects[i].SettingsReused = nil
	}
	return c
}

// viaFile writes a state and reads it back, as --state does between runs.
func viaFile(t *testing.T, s *collector.State) *collector.State {
	t.Helper()
	path := filepath.Join(t.TempDir(), "state.json")
	require.NoError(t, collector.WriteState(path, s))
	back, err := collector.ReadState(path)
	require.NoError(t, err)
	return back
}

// dlpDayLater is the workspace a day after: a member left (dayLater), a
// GPT's knowledge file was replaced (new created_at, new content), and a
// new conversation attached a new file, in a new log file.
func dlpDayLater(src *inventory.Inventory, content *simulator.Content) (*inventory.Inventory, *simulator.Content) {
	next := dayLater(src)
	next.GPTs = slices.Clone(src.GPTs)
	for i, g := range next.GPTs {
		for j, f := range g.Files {
			if f.ID == simulator.PlantedGPTSecretsFile {
				g.Files = slices.Clone(g.Files)
				g.Files[j].CreatedAt = lo.ToPtr(next.CollectedAt - 3600)
				next.GPTs[i] = g
			}
		}
	}
	c := *content
	c.GPTFiles = maps.Clone(content.GPTFiles)
	c.GPTFiles[simulator.PlantedGPTSecretsFile] = simulator.Blob{Name: "deploy-notes.md", MIMEType: "text/markdown",
		Data: []byte("# Deploy notes\n\nSecrets now live in the vault; nothing to see here.\n")}
	c.Conversations = append(slices.Clone(content.Conversations), simulator.Conversation{
		ID: "conv-new-today", Title: "Today's question", UserID: src.Users[0].ID, UserEmail: *src.Users[0].Email, At: next.CollectedAt - 60,
		Files: []simulator.StoredFile{{ID: "file-new-today", Blob: simulator.Blob{Name: "keys.txt", MIMEType: "text/plain",
			Data: []byte("Launch plan for project bluebird, do not share.\n")}}},
	})
	return next, &c
}

// An incremental rescan a day later gives the inventory a full collection
// of that day gives, downloading only the changed file, the new log file
// and the file it names; every other file's result is the state's,
// marked reused.
func TestIncrementalDLPRescanDownloadsOnlyWhatChanged(t *testing.T) {
	src := simulator.Generate(simulator.GenerateOptions{Users: 60, Seed: 41, Plant: true})
	content := simulator.GenerateContent(src, simulator.ContentOptions{Files: 30, Seed: 3, Plant: true})
	load := simulator.Options{LoginsPerUserDay: 1, MaxPageSize: 7}
	_, base := serve(t, src, simulator.Options{LoginsPerUserDay: 1, MaxPageSize: 7, Content: content})
	o := dlpOptions(t, src, base)
	var state *collector.State
	o.KeepState = func(s *collector.State) { state = s }
	first, err := collector.Collect(context.Background(), o)
	require.NoError(t, err)
	require.NotNil(t, state)
	require.NotNil(t, state.DLP)
	assert.NotEmpty(t, state.DLP.Files)
	assert.NotEmpty(t, state.DLP.LogFiles)
	for _, f := range first.Files {
		assert.False(t, f.Reused, "nothing to reuse on the first run: %s", f.ID)
	}
	prev := viaFile(t, state)

	next, nextContent := dlpDayLater(src, content)
	load.Content = nextContent
	simFull, fullBase := serve(t, next, load)
	full, err := collector.Collect(context.Background(), dlpOptions(t, next, fullBase))
	require.NoError(t, err)
	fullDownloads := downloads(simFull)

	simIncr, incrBase := serve(t, next, load)
	o = dlpOptions(t, next, incrBase)
	o.Previous = prev
	var after *collector.State
	o.KeepState = func(s *collector.State) { after = s }
	incr, err := collector.Collect(context.Background(), o)
	require.NoError(t, err)

	assert.Equal(t, withoutReuse(full), withoutReuse(incr))
	assert.NotEqual(t, withoutReuse(first), withoutReuse(incr), "the day's changes are in")
	assert.Equal(t, map[string]int64{
		"compliance gpt_files/{id}":          1, // the replaced knowledge file
		"compliance project_files/{id}":      0,
		"compliance users/{user}/files/{id}": 1, // the file of the new conversation
		"compliance logs/{id}":               1, // the new log file
	}, downloads(simIncr), "the full collection downloaded %v", fullDownloads)
	assert.Greater(t, fullDownloads["compliance project_files/{id}"], int64(5))

	files := byID(incr.Files)
	changed := files[simulator.PlantedGPTSecretsFile]
	assert.False(t, changed.Reused, "a file listed with a new created_at is downloaded again")
	assert.Empty(t, changed.Detections, "and scanned again: its secrets are gone")
	assert.NotEmpty(t, byID(first.Files)[simulator.PlantedGPTSecretsFile].Detections)
	assert.False(t, files["file-new-today"].Reused)
	assert.NotEmpty(t, files["file-new-today"].Detections)
	reused := 0
	for _, f := range incr.Files {
		if f.Reused {
			reused++
		}
	}
	assert.Equal(t, len(incr.Files)-2, reused, "every other file's result is the state's")
	for _, name := range []string{inventory.SourceGPTFiles, inventory.SourceProjectFiles, inventory.SourceConversationFiles, inventory.SourceConversationLogs} {
		s := incr.Sources[name]
		assert.Equal(t, inventory.StatusComplete, s.Status, name)
		require.NotNil(t, s.Reason, name)
		assert.Contains(t, *s.Reason, "incremental", name)
	}

	raw, err := inventory.Marshal(incr)
	require.NoError(t, err)
	_, err = inventory.Decode(raw, "incremental.json")
	require.NoError(t, err, "the reuse marker is in the schema")

	// The next state holds the day's results: a rescan of the same day
	// downloads nothing.
	simAgain, againBase := serve(t, next, load)
	o = dlpOptions(t, next, againBase)
	o.Previous = viaFile(t, after)
	again, err := collector.Collect(context.Background(), o)
	require.NoError(t, err)
	assert.Equal(t, withoutReuse(full), withoutReuse(again))
	for route, n := range downloads(simAgain) {
		assert.Zero(t, n, route)
	}
}

// Results of another DLP configuration are not reused: every file is
// downloaded and scanned again, and the inventory is a full collection's.
func TestDLPStateOfAnotherConfigurationReusesNothing(t *testing.T) {
	src := simulator.Generate(simulator.GenerateOptions{Users: 40, Seed: 42, Plant: true})
	content := simulator.GenerateContent(src, simulator.ContentOptions{Files: 20, Seed: 4, Plant: true})
	load := simulator.Options{Content: content}
	_, base := serve(t, src, load)
	o := dlpOptions(t, src, base)
	var state *collector.State
	o.KeepState = func(s *collector.State) { state = s }
	_, err := collector.Collect(context.Background(), o)
	require.NoError(t, err)
	prev := viaFile(t, state)

	simFull, fullBase := serve(t, src, load)
	full, err := collector.Collect(context.Background(), dlpOptions(t, src, fullBase))
	require.NoError(t, err)

	for name, change := range map[string]func(*collector.DLP){
		"profiles":       func(d *collector.DLP) { d.Profiles = []string{"credentials_and_secrets", "financial"} },
		"max file bytes": func(d *collector.DLP) { d.MaxFileBytes = 1 << 20 },
		"config id":      func(d *collector.DLP) { d.ConfigID = `{"custom":"changed"}` },
	} {
		sim, b := serve(t, src, load)
		o := dlpOptions(t, src, b)
		change(o.DLP)
		o.Previous = prev
		got, warnings := collectWarnings(t, o)
		assert.Equal(t, downloads(simFull), downloads(sim), name)
		for _, f := range got.Files {
			assert.False(t, f.Reused, "%s: %s", name, f.ID)
		}
		assert.Contains(t, warnings, "the state file's DLP results were obtained under another DLP configuration (detectors, profiles, size limit, workspace or version): every file was fetched and scanned again", name)
		if name == "config id" {
			assert.Equal(t, withoutReuse(full), withoutReuse(got), name)
		}
	}

	// The same configuration reuses every file.
	sim, b := serve(t, src, load)
	o = dlpOptions(t, src, b)
	o.Previous = prev
	got, err := collector.Collect(context.Background(), o)
	require.NoError(t, err)
	assert.Equal(t, withoutReuse(full), withoutReuse(got))
	for route, n := range downloads(sim) {
		assert.Zero(t, n, route)
	}
}
