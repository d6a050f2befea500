package main

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// hook is a loopback webhook that records what it receives.
type hook struct {
	*httptest.Server
	mu     sync.Mutex
	bodies []string
	status []int // answers to give, in order; 200 after them
}

func newHook(t *testing.T, status ...int) *hook {
	h := &hook{status: status}
	h.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		h.mu.Lock()
		defer h.mu.Unlock()
		h.bodies = append(h.bodies, string(b))
		if len(h.status) > 0 {
			w.WriteHeader(h.status[0])
			h.status = h.status[1:]
		}
	}))
	t.Cleanup(h.Close)
	return h
}

// secretURL is the hook's URL with a path that must never be printed.
func (h *hook) secretURL() string { return h.URL + "/services/T000/B000/SECRETTOKEN" }

// The acceptance: a baseline run posts one message listing exactly the
// new findings.
func TestNotifyListsExactlyTheNewFindings(t *testing.T) {
	changed := changedAcme(t)
	previous := filepath.Join(t.TempDir(), "previous.json")
	require.Equal(t, exitOK, runCLI(t, "", "evaluate", acme, "--format", "json", "--output", previous).code)
	h := newHook(t)
	r := runEnv(t, map[string]string{"HOOK": h.secretURL()}, "", "evaluate", changed, "--baseline", previous, "--notify", "env:HOOK")
	require.Equal(t, exitOK, r.code, r.stderr)
	require.Len(t, h.bodies, 1, "one message")
	var m struct {
		Text     string
		Count    int
		Findings []struct {
			BaselineState string `json:"baseline_state"`
			Resource      struct{ ID string }
		}
	}
	require.NoError(t, json.Unmarshal([]byte(h.bodies[0]), &m))
	assert.Equal(t, 1, m.Count)
	require.Len(t, m.Findings, 1)
	assert.Equal(t, "g-policy-helper", m.Findings[0].Resource.ID)
	assert.Equal(t, "new", m.Findings[0].BaselineState)
	assert.Contains(t, m.Text, "1 new or changed finding in Acme Corp")
	assert.Contains(t, r.stderr, "notified env HOOK (generic): 1 finding(s)")
	assert.NotContains(t, r.stderr+r.stdout, "SECRETTOKEN")

	// Nothing new: no message.
	again := runEnv(t, map[string]string{"HOOK": h.secretURL()}, "", "evaluate", acme, "--baseline", previous, "--notify", "env:HOOK")
	require.Equal(t, exitOK, again.code, again.stderr)
	assert.Len(t, h.bodies, 1)
	assert.Contains(t, again.stderr, "notify: no new or changed finding: no message sent")
}

// Without a baseline: the findings at or above --fail-on, whose exit code
// stays; presets by name, and URLs from OPENAI_CASB_NOTIFY and a file.
func TestNotifyWithoutBaselinePresetsAndSources(t *testing.T) {
	slack, teams, generic := newHook(t), newHook(t), newHook(t)
	file := writeTemp(t, "hook.url", generic.secretURL()+"\n")
	r := runEnv(t, map[string]string{
		"SLACK":              slack.secretURL(),
		"OPENAI_CASB_NOTIFY": "teams=" + teams.secretURL(),
	}, "", "evaluate", acme, "--fail-on", "high", "--notify", "slack=env:SLACK", "--notify", "file:"+file, "--format", "json")
	assert.Equal(t, exitFindings, r.code, "notifying leaves the exit code to --fail-on")
	assert.True(t, json.Valid([]byte(r.stdout)))
	for name, h := range map[string]*hook{"slack": slack, "teams": teams, "generic": generic} {
		require.Len(t, h.bodies, 1, name)
	}
	assert.Contains(t, slack.bodies[0], `"blocks":[`)
	assert.Contains(t, slack.bodies[0], "openai-casb: 20 findings in Acme Corp")
	assert.Contains(t, teams.bodies[0], `"contentType":"application/vnd.microsoft.card.adaptive"`)
	var m struct{ Count int }
	require.NoError(t, json.Unmarshal([]byte(generic.bodies[0]), &m))
	assert.Equal(t, 20, m.Count, "the high and critical findings of acme")
	assert.NotContains(t, r.stderr, "SECRETTOKEN")
}

// A webhook that keeps failing is a warning: the report is written, the
// exit code is the findings', and the URL is never printed.
func TestNotifyFailureIsAWarning(t *testing.T) {
	h := newHook(t, 500, 500, 500, 500)
	out := filepath.Join(t.TempDir(), "r.json")
	r := runEnv(t, map[string]string{"HOOK": h.secretURL()}, "", "evaluate", acme, "--notify", "env:HOOK", "--output", out, "--format", "json")
	assert.Equal(t, exitOK, r.code, r.stderr)
	assert.Len(t, h.bodies, 4, "tried four times")
	assert.Contains(t, r.stderr, "warning: notify (generic, env HOOK): HTTP 500 after 4 attempts; the reports are written all the same")
	assert.True(t, json.Valid([]byte(readFile(t, out))))
	assert.NotContains(t, r.stderr, "SECRETTOKEN")
	assert.NotContains(t, r.stderr, strings.TrimPrefix(h.URL, "http://"))
}

func TestNotifyRefusesAURLOnTheCommandLine(t *testing.T) {
	h := newHook(t)
	r := runCLI(t, "", "evaluate", acme, "--notify", h.secretURL())
	assert.Equal(t, exitError, r.code)
	assert.Contains(t, r.stderr, "--notify: a webhook URL is a secret: put it in an environment variable or a file")
	assert.NotContains(t, r.stderr, "SECRETTOKEN")
	assert.Empty(t, h.bodies)

	r = runCLI(t, "", "evaluate", acme, "--notify", "env:NOPE")
	assert.Equal(t, exitError, r.code)
	assert.Contains(t, r.stderr, "--notify: the environment variable NOPE is empty or unset")
}

func TestNotifyFromDemo(t *testing.T) {
	h := newHook(t)
	// The demo's only critical findings are the secrets planted in two GPTs.
	r := runEnv(t, map[string]string{"HOOK": h.secretURL()}, "", "demo", "--skip", "dde6eb03-a01e-4aac-8cde-d9999d90a03e",
		"--fail-on", "critical", "--severity", "high", "--notify", "env:HOOK")
	require.Equal(t, exitOK, r.code, r.stderr)
	assert.Empty(t, h.bodies, "no other critical finding in the demo: nothing to say")
	assert.Contains(t, r.stderr, "notify: no open finding at or above critical: no message sent")

	r = runEnv(t, map[string]string{"HOOK": h.secretURL()}, "", "demo", "--fail-on", "high", "--notify", "teams=env:HOOK")
	require.Equal(t, exitFindings, r.code, r.stderr)
	require.Len(t, h.bodies, 1)
	assert.Contains(t, h.bodies[0], "AdaptiveCard")
}
