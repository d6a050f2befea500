package notify_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/openai-casb/openai-casb/evaluator"
	"github.com/openai-casb/openai-casb/inventory"
	"github.com/openai-casb/openai-casb/notify"
	"github.com/openai-casb/openai-casb/report"
)

func env(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func TestParseTarget(t *testing.T) {
	file := filepath.Join(t.TempDir(), "hook.url")
	require.NoError(t, os.WriteFile(file, []byte("https://example.test/hook/FILE-SECRET\n"), 0o600))
	getenv := env(map[string]string{
		"SLACK": "https://hooks.slack.com/services/T0/B0/SECRET", "TEAMS": "https://acme.webhook.office.com/webhookb2/SECRET",
		"PLAIN": "http://127.0.0.1:9/hook", "BAD": "ftp://x/y",
	})
	cases := []struct {
		spec, preset, from, err string
	}{
		{"env:SLACK", "slack", "env SLACK", ""},
		{"env:TEAMS", "teams", "env TEAMS", ""},
		{"env:PLAIN", "generic", "env PLAIN", ""},
		{"slack=env:PLAIN", "slack", "env PLAIN", ""},
		{"file:" + file, "generic", "file " + file, ""},
		{"env:MISSING", "", "", "MISSING is empty or unset"},
		{"env:BAD", "", "", "env BAD does not hold an http or https URL"},
		{"https://hooks.slack.com/services/T0/B0/SECRET", "", "", "a webhook URL is a secret"},
		{"discord=env:SLACK", "", "", `unknown preset "discord"`},
		{"SLACK", "", "", "want env:NAME or file:PATH"},
		{"file:" + filepath.Join(t.TempDir(), "none"), "", "", "read webhook URL"},
	}
	for _, c := range cases {
		got, err := notify.ParseTarget(c.spec, getenv)
		if c.err != "" {
			assert.ErrorContains(t, err, c.err, c.spec)
			assert.NotContains(t, err.Error(), "SECRET", "an error never holds the URL")
			continue
		}
		require.NoError(t, err, c.spec)
		assert.Equal(t, notify.Preset(c.preset), got.Preset, c.spec)
		assert.Equal(t, c.from, got.From, c.spec)
	}
}

func TestFromEnvironment(t *testing.T) {
	ts, err := notify.FromEnvironment("HOOKS", env(map[string]string{"HOOKS": "https://hooks.slack.com/a/b\n\nteams=https://example.test/x\n"}))
	require.NoError(t, err)
	require.Len(t, ts, 2)
	assert.Equal(t, notify.Slack, ts[0].Preset)
	assert.Equal(t, notify.Teams, ts[1].Preset)
	assert.Equal(t, "env HOOKS line 3", ts[1].From)
	_, err = notify.FromEnvironment("HOOKS", env(map[string]string{"HOOKS": "not a url"}))
	assert.ErrorContains(t, err, "env HOOKS line 1 does not hold an http or https URL")
	none, err := notify.FromEnvironment("HOOKS", env(nil))
	require.NoError(t, err)
	assert.Empty(t, none)
}

func sample() *report.Report {
	name := "Acme"
	entries := report.Entries("org-1", []evaluator.Finding{
		{FindingTypeID: "a", Title: "Key not rotated", Severity: evaluator.SeverityHigh,
			Resource: evaluator.Resource{Type: "admin_api_key", ID: "key_1", Name: "ci"}, Message: "old <!channel> *bold*", Remediation: "rotate"},
		{FindingTypeID: "b", Title: "Stale invite", Severity: evaluator.SeverityLow,
			Resource: evaluator.Resource{Type: "invite", ID: "inv_1"}, Message: "stale", Remediation: "revoke"},
		{FindingTypeID: "c", Title: "Inactive user", Severity: evaluator.SeverityMedium,
			Resource: evaluator.Resource{Type: "user", ID: "u_1"}, Message: "idle", Remediation: "remove"},
	})
	return &report.Report{
		Tool:      report.Tool{Name: "openai-casb", Version: "1.2.3"},
		Inventory: evaluator.Header{CollectedAt: 1795651200, Organization: inventory.Organization{ID: "org-1", Name: &name}},
		Entries:   entries,
	}
}

func ids(es []report.Entry) []string {
	var out []string
	for _, e := range es {
		out = append(out, e.Resource.ID)
	}
	return out
}

func TestSelect(t *testing.T) {
	r := sample()
	assert.Equal(t, []string{"key_1", "inv_1", "u_1"}, ids(notify.Selection{}.Select(r)), "no --fail-on: every open finding")
	assert.Equal(t, []string{"key_1", "u_1"}, ids(notify.Selection{Threshold: evaluator.SeverityMedium}.Select(r)))

	r.Entries[0].Waiver = &report.Waiver{Reason: "ok"}
	assert.Equal(t, []string{"u_1"}, ids(notify.Selection{Threshold: evaluator.SeverityMedium}.Select(r)), "waived findings are not news")

	r = sample()
	r.Baseline = &report.BaselineSummary{File: "b.json", New: 1, Changed: 1, Unchanged: 1}
	r.Entries[0].State, r.Entries[1].State, r.Entries[2].State = report.StateUnchanged, report.StateNew, report.StateChanged
	gone := r.Entries[0]
	gone.State, gone.Fingerprint = report.StateAbsent, "x"
	r.Entries = append(r.Entries, gone)
	assert.Equal(t, []string{"inv_1", "u_1"}, ids(notify.Selection{Threshold: evaluator.SeverityHigh}.Select(r)), "with a baseline: new and changed, any severity")
}

func TestPayloads(t *testing.T) {
	r := sample()
	sel := notify.Selection{}.Select(r)

	raw, err := notify.Payload(notify.Generic, r, sel, 2)
	require.NoError(t, err)
	var m map[string]any
	require.NoError(t, json.Unmarshal(raw, &m))
	assert.Equal(t, "openai-casb: 3 findings in Acme (org-1)", m["text"])
	assert.Equal(t, 3.0, m["count"])
	assert.Equal(t, 1.0, m["more"], "two listed, one more")
	assert.Len(t, m["findings"], 2)
	assert.Equal(t, map[string]any{"type": "admin_api_key", "id": "key_1", "name": "ci"}, m["findings"].([]any)[0].(map[string]any)["resource"])

	raw, err = notify.Payload(notify.Slack, r, sel, 20)
	require.NoError(t, err)
	var s struct {
		Text   string
		Blocks []struct {
			Type string
			Text struct{ Type, Text string }
		}
	}
	require.NoError(t, json.Unmarshal(raw, &s))
	assert.Equal(t, "openai-casb: 3 findings in Acme (org-1)", s.Text)
	require.Len(t, s.Blocks, 2)
	assert.Equal(t, "header", s.Blocks[0].Type)
	assert.Equal(t, "plain_text", s.Blocks[1].Text.Type, "plain text: no markup, no mention")
	assert.Contains(t, s.Blocks[1].Text.Text, "• [high] Key not rotated: old <!channel> *bold*\n")

	name := "Acme <!channel>"
	r.Inventory.Organization.Name = &name
	raw, err = notify.Payload(notify.Slack, r, sel, 20)
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(raw, &s))
	assert.Equal(t, "openai-casb: 3 findings in Acme &lt;!channel&gt; (org-1)", s.Text, "the fallback text mentions no one")

	r = sample()
	raw, err = notify.Payload(notify.Teams, r, sel, 20)
	require.NoError(t, err)
	var tm struct {
		Type        string
		Attachments []struct {
			ContentType string
			Content     struct {
				Type, Version string
				Body          []struct{ Type, Text string }
			}
		}
	}
	require.NoError(t, json.Unmarshal(raw, &tm))
	assert.Equal(t, "message", tm.Type)
	require.Len(t, tm.Attachments, 1)
	assert.Equal(t, "application/vnd.microsoft.card.adaptive", tm.Attachments[0].ContentType)
	assert.Equal(t, "AdaptiveCard", tm.Attachments[0].Content.Type)
	require.Len(t, tm.Attachments[0].Content.Body, 4)
	assert.Equal(t, `- \[high\] Key not rotated: old <!channel> \*bold\*`, tm.Attachments[0].Content.Body[1].Text)
}

// A webhook answering 503 twice, then 200: three attempts, waits of one
// and two backoffs, and success.
func TestSendRetriesWithBackoff(t *testing.T) {
	var mu sync.Mutex
	var bodies []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		defer mu.Unlock()
		bodies = append(bodies, string(b))
		assert.Equal(t, "application/json", r.Header.Get("Content-Type"))
		if len(bodies) < 3 {
			w.WriteHeader(http.StatusServiceUnavailable)
		}
	}))
	defer srv.Close()
	target, err := notify.ParseTarget("env:HOOK", env(map[string]string{"HOOK": srv.URL + "/hook/SECRET"}))
	require.NoError(t, err)
	var waits []time.Duration
	s := notify.Sender{Backoff: time.Second, Sleep: func(_ context.Context, d time.Duration) error { waits = append(waits, d); return nil }}
	require.NoError(t, s.Send(context.Background(), target, []byte(`{"a":1}`)))
	assert.Equal(t, []string{`{"a":1}`, `{"a":1}`, `{"a":1}`}, bodies)
	assert.Equal(t, []time.Duration{time.Second, 2 * time.Second}, waits)
}

func TestSendGivesUpWithoutNamingTheURL(t *testing.T) {
	calls := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls++
		if strings.HasSuffix(r.URL.Path, "/gone") {
			w.WriteHeader(http.StatusNotFound)
			return
		}
		w.WriteHeader(http.StatusInternalServerError)
	}))
	defer srv.Close()
	sleep := func(context.Context, time.Duration) error { return nil }
	for _, c := range []struct {
		path, want string
		calls      int
	}{
		{"/SECRET/down", "HTTP 500 after 4 attempts", 4},
		{"/SECRET/gone", "HTTP 404 after 1 attempt(s)", 1},
	} {
		calls = 0
		target, err := notify.ParseTarget("env:HOOK", env(map[string]string{"HOOK": srv.URL + c.path}))
		require.NoError(t, err)
		err = notify.Sender{Sleep: sleep}.Send(context.Background(), target, []byte(`{}`))
		assert.EqualError(t, err, c.want)
		assert.Equal(t, c.calls, calls)
	}

	// Nothing listens: a network error, with neither host, port nor path.
	srv.Close()
	target, err := notify.ParseTarget("env:HOOK", env(map[string]string{"HOOK": srv.URL + "/SECRET/x"}))
	require.NoError(t, err)
	err = notify.Sender{Sleep: sleep, Attempts: 2}.Send(context.Background(), target, []byte(`{}`))
	require.Error(t, err)
	assert.NotContains(t, err.Error(), "SECRET")
	assert.NotContains(t, err.Error(), strings.TrimPrefix(srv.URL, "http://"))
	assert.Contains(t, err.Error(), "after 2 attempts")
}
