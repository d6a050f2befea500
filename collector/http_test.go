package collector_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/samber/lo"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/openai-casb/openai-casb/collector"
	"github.com/openai-casb/openai-casb/inventory"
	"github.com/openai-casb/openai-casb/simulator"
)

// scripted is a server whose answers a test writes per path, everything
// else answering an empty list.
type scripted struct {
	mu       sync.Mutex
	handlers map[string]http.HandlerFunc
	hits     map[string]int
}

func newScripted(t *testing.T) (*scripted, string) {
	s := &scripted{handlers: map[string]http.HandlerFunc{}, hits: map[string]int{}}
	srv := httptest.NewServer(s)
	t.Cleanup(srv.Close)
	return s, srv.URL + "/v1"
}

func (s *scripted) on(path string, h http.HandlerFunc) { s.handlers[path] = h }

func (s *scripted) count(path string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.hits[path]
}

func (s *scripted) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.hits[r.URL.Path]++
	h := s.handlers[r.URL.Path]
	s.mu.Unlock()
	if h != nil {
		h(w, r)
		return
	}
	// The settings routes answer an object, the others an empty list.
	for _, suffix := range []string{"/data_retention", "/spend_limit", "/model_permissions", "/hosted_tool_permissions"} {
		if strings.HasSuffix(r.URL.Path, suffix) {
			w.Write([]byte(`{}`))
			return
		}
	}
	emptyList(w)
}

func emptyList(w http.ResponseWriter) {
	w.Write([]byte(`{"object":"list","data":[],"has_more":false,"first_id":null,"last_id":null}`))
}

func scriptedOptions(base string, clock *fakeClock) collector.Options {
	return collector.Options{
		AdminBaseURL: base, ComplianceBaseURL: base,
		AdminKey: "sk-admin-TEST-fake-key-0000", WorkspaceID: "ws-1",
		Clock: clock,
		Retry: collector.RetryPolicy{Attempts: 4, BaseDelay: 400 * time.Millisecond, MaxDelay: 5 * time.Second, MaxRetryAfter: time.Minute, Timeout: 5 * time.Second},
	}
}

const invitesPath = "/v1/organization/invites"

func inviteJSON(id string) string {
	return fmt.Sprintf(`{"object":"organization.invite","id":%q,"email":"%s@x.example","role":"reader","status":"pending","created_at":1700000000,"expires_at":null}`, id, id)
}

func TestPagingFollowsCursorsToTheEnd(t *testing.T) {
	s, base := newScripted(t)
	var afters []string
	s.on(invitesPath, func(w http.ResponseWriter, r *http.Request) {
		assert.Equal(t, "100", r.URL.Query().Get("limit"))
		after := r.URL.Query().Get("after")
		afters = append(afters, after)
		switch after {
		case "":
			fmt.Fprintf(w, `{"object":"list","data":[%s,%s],"has_more":true,"first_id":"a","last_id":"b"}`, inviteJSON("a"), inviteJSON("b"))
		case "b":
			// last_id left out: the client falls back to the last item's id.
			fmt.Fprintf(w, `{"object":"list","data":[%s],"has_more":true}`, inviteJSON("c"))
		case "c":
			fmt.Fprintf(w, `{"object":"list","data":[%s],"has_more":false,"last_id":"d"}`, inviteJSON("d"))
		}
	})
	inv, err := collector.Collect(context.Background(), scriptedOptions(base, newFakeClock(1700000000)))
	require.NoError(t, err)
	assert.Equal(t, []string{"", "b", "c"}, afters)
	assert.Len(t, inv.Invites, 4)
	assert.Equal(t, inventory.Source{Status: "complete", Items: 4, Pages: 3}, inv.Sources["invites"])
}

func TestCursorThatDoesNotAdvanceIsAnError(t *testing.T) {
	s, base := newScripted(t)
	s.on(invitesPath, func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, `{"object":"list","data":[%s],"has_more":true,"last_id":"a"}`, inviteJSON("a"))
	})
	inv, err := collector.Collect(context.Background(), scriptedOptions(base, newFakeClock(1700000000)))
	require.NoError(t, err)
	src := inv.Sources["invites"]
	assert.Equal(t, "partial", src.Status, "what was read is kept")
	assert.Contains(t, *src.Reason, "cursor did not advance")
	assert.Equal(t, 2, s.count(invitesPath), "the second page repeated the cursor: stop, do not loop")

	s.on(invitesPath, func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte(`{"object":"list","data":[],"has_more":true}`))
	})
	inv, err = collector.Collect(context.Background(), scriptedOptions(base, newFakeClock(1700000000)))
	require.NoError(t, err)
	assert.Equal(t, "failed", inv.Sources["invites"].Status)
	assert.Contains(t, *inv.Sources["invites"].Reason, "cursor did not advance")
}

func TestRetries(t *testing.T) {
	cases := []struct {
		name   string
		fail   func(w http.ResponseWriter, r *http.Request)
		sleeps func(t *testing.T, d time.Duration)
	}{
		{"429 with Retry-After seconds", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Retry-After", "7")
			w.WriteHeader(429)
		}, func(t *testing.T, d time.Duration) { assert.Equal(t, 7*time.Second, d) }},
		{"429 with Retry-After as an HTTP date", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Retry-After", time.Unix(1700000000+12, 0).UTC().Format(http.TimeFormat))
			w.WriteHeader(429)
		}, func(t *testing.T, d time.Duration) { assert.Equal(t, 12*time.Second, d) }},
		{"Retry-After-Ms wins", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Retry-After-Ms", "250")
			w.Header().Set("Retry-After", "9")
			w.WriteHeader(503)
		}, func(t *testing.T, d time.Duration) { assert.Equal(t, 250*time.Millisecond, d) }},
		{"503 without Retry-After backs off with jitter", func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(503)
		}, func(t *testing.T, d time.Duration) { assert.LessOrEqual(t, d, 400*time.Millisecond) }},
		{"408", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(408) }, nil},
		{"409", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(409) }, nil},
		{"500", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(500) }, nil},
		{"502", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(502) }, nil},
		{"connection reset", func(w http.ResponseWriter, r *http.Request) {
			conn, _, _ := w.(http.Hijacker).Hijack()
			conn.Close()
		}, nil},
		{"body cut short", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Length", "500")
			w.Write([]byte(`{"object":"list","data":[`))
		}, nil},
		{"200 that is not JSON", func(w http.ResponseWriter, r *http.Request) {
			w.Write([]byte(`<html>gateway</html>`))
		}, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s, base := newScripted(t)
			var n atomic.Int32
			s.on(invitesPath, func(w http.ResponseWriter, r *http.Request) {
				if n.Add(1) == 1 {
					c.fail(w, r)
					return
				}
				fmt.Fprintf(w, `{"object":"list","data":[%s],"has_more":false}`, inviteJSON("a"))
			})
			clock := newFakeClock(1700000000)
			o := scriptedOptions(base, clock)
			// Without keep-alives the transport never retries a reset on
			// its own, so the collector's retry is what is tested.
			o.HTTPClient = &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
			inv, err := collector.Collect(context.Background(), o)
			require.NoError(t, err)
			assert.Equal(t, "complete", inv.Sources["invites"].Status, "%v", inv.Sources["invites"].Reason)
			assert.Len(t, inv.Invites, 1)
			assert.EqualValues(t, 2, n.Load())
			require.Len(t, clock.slept(), 1, "one wait, on the fake clock")
			if c.sleeps != nil {
				c.sleeps(t, clock.slept()[0])
			}
		})
	}
}

func TestBackoffGrowsAndAttemptsAreBounded(t *testing.T) {
	s, base := newScripted(t)
	s.on(invitesPath, func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(503)
		w.Write([]byte(`{"error":{"message":"overloaded","type":"server_error","code":null}}`))
	})
	clock := newFakeClock(1700000000)
	inv, err := collector.Collect(context.Background(), scriptedOptions(base, clock))
	require.NoError(t, err, "one failed list does not fail the collection")
	assert.Equal(t, 4, s.count(invitesPath), "Attempts is 4")
	src := inv.Sources["invites"]
	assert.Equal(t, "failed", src.Status)
	assert.Contains(t, *src.Reason, "503 Service Unavailable: overloaded (gave up after 4 attempts)")
	sleeps := clock.slept()
	require.Len(t, sleeps, 3)
	for i, d := range sleeps {
		ceiling := 400 * time.Millisecond << i
		assert.LessOrEqual(t, d, ceiling, "retry %d waits at most %s", i+1, ceiling)
	}
	assert.Equal(t, "complete", inv.Sources["users"].Status, "the other lists went on")
}

func TestNotRetried(t *testing.T) {
	for _, status := range []int{400, 404, 422} {
		s, base := newScripted(t)
		s.on(invitesPath, func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(status) })
		inv, err := collector.Collect(context.Background(), scriptedOptions(base, newFakeClock(1700000000)))
		require.NoError(t, err)
		assert.Equal(t, 1, s.count(invitesPath), "%d is not retried", status)
		assert.Equal(t, "failed", inv.Sources["invites"].Status)
	}
}

func TestRetryAfterBeyondTheLimitFails(t *testing.T) {
	s, base := newScripted(t)
	s.on(invitesPath, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", "3600")
		w.WriteHeader(429)
	})
	inv, err := collector.Collect(context.Background(), scriptedOptions(base, newFakeClock(1700000000)))
	require.NoError(t, err)
	assert.Equal(t, 1, s.count(invitesPath))
	assert.Contains(t, *inv.Sources["invites"].Reason, "asked to wait 1h0m0s before retrying")
}

func TestPerRequestTimeout(t *testing.T) {
	s, base := newScripted(t)
	s.on(invitesPath, func(w http.ResponseWriter, r *http.Request) {
		<-r.Context().Done() // never answers; the client must give up
	})
	o := scriptedOptions(base, newFakeClock(1700000000))
	o.Retry.Timeout = 50 * time.Millisecond
	o.Retry.Attempts = 2
	inv, err := collector.Collect(context.Background(), o)
	require.NoError(t, err)
	assert.Equal(t, 2, s.count(invitesPath))
	assert.Contains(t, *inv.Sources["invites"].Reason, "no complete answer within 50ms")
}

func TestCancellationStopsPromptly(t *testing.T) {
	s, base := newScripted(t)
	started := make(chan struct{})
	var once sync.Once
	s.on(invitesPath, func(w http.ResponseWriter, r *http.Request) {
		once.Do(func() { close(started) })
		<-r.Context().Done()
	})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() {
		_, err := collector.Collect(ctx, scriptedOptions(base, newFakeClock(1700000000)))
		done <- err
	}()
	<-started
	cancel() // Ctrl-C
	err := <-done
	assert.ErrorIs(t, err, context.Canceled)
}

func TestConcurrencyIsBounded(t *testing.T) {
	src := simulator.Generate(simulator.GenerateOptions{Users: 3000, Seed: 5})
	sim, base := serve(t, src, simulator.Options{MaxPageSize: 20, Latency: 5 * time.Millisecond})
	o := options(src, base)
	o.Concurrency = 3
	_, err := collector.Collect(context.Background(), o)
	require.NoError(t, err)
	st := sim.Stats()
	assert.LessOrEqual(t, st.MaxInFlight, int64(3))
	assert.GreaterOrEqual(t, st.MaxInFlight, int64(2), "independent lists overlap")
}

func TestInvalidAdminKeyStopsTheAdminAPI(t *testing.T) {
	src := simulator.Generate(simulator.GenerateOptions{Users: 50, Seed: 1})
	sim, base := serve(t, src, simulator.Options{})
	o := options(src, base)
	o.AdminKey = "sk-admin-WRONG-fake-key-1234567890"
	o.AdminKeyFrom = "OPENAI_ADMIN_KEY"
	o.ComplianceKey = simulator.DefaultAdminKey
	inv, err := collector.Collect(context.Background(), o)
	require.NoError(t, err, "the Compliance API could still be read")
	for _, name := range []string{"admin_api_keys", "projects", "users", "invites", "audit_logs", "project_api_keys"} {
		src := inv.Sources[name]
		assert.Equal(t, "failed", src.Status, name)
		assert.Contains(t, *src.Reason, "the Admin API refused the key from OPENAI_ADMIN_KEY (401 Unauthorized", name)
		assert.Contains(t, *src.Reason, "admin key (sk-admin-…")
		assert.NotContains(t, *src.Reason, o.AdminKey)
	}
	assert.Equal(t, "complete", inv.Sources["gpts"].Status)
	assert.LessOrEqual(t, sim.Stats().ByRoute["admin users"], int64(1), "a stopped API is not asked again")
}

func TestNothingReadIsAnError(t *testing.T) {
	src := simulator.Generate(simulator.GenerateOptions{Users: 10, Seed: 1})
	_, base := serve(t, src, simulator.Options{})
	o := options(src, base)
	o.AdminKey = "sk-admin-WRONG-fake-key-1234567890"
	o.WorkspaceID = ""
	_, err := collector.Collect(context.Background(), o)
	var nr *collector.NothingReadError
	require.ErrorAs(t, err, &nr)
	assert.Contains(t, err.Error(), "the Admin API refused the key")
	assert.NotContains(t, err.Error(), o.AdminKey)
}

func TestComplianceScopesMissing(t *testing.T) {
	src := simulator.Generate(simulator.GenerateOptions{Users: 50, Seed: 1})
	_, base := serve(t, src, simulator.Options{ComplianceForbidden: true})
	o := options(src, base)
	inv, err := collector.Collect(context.Background(), o)
	require.NoError(t, err)
	for _, name := range []string{"gpts", "workspace_users"} {
		s := inv.Sources[name]
		assert.Equal(t, "failed", s.Status)
		assert.Contains(t, *s.Reason, "not been granted the Compliance API scope this route needs: api.compliance.read;")
		assert.Contains(t, *s.Reason, collector.ReadmeComplianceSection)
		assert.Contains(t, *s.Reason, "OPENAI_ADMIN_KEY (CHATGPT_COMPLIANCE_KEY is not set)", "names the key that was used")
	}
	assert.Equal(t, "complete", inv.Sources["users"].Status)
}

func TestWithoutWorkspaceGPTsAreSkipped(t *testing.T) {
	src := simulator.Generate(simulator.GenerateOptions{Users: 20, Seed: 1})
	sim, base := serve(t, src, simulator.Options{})
	o := options(src, base)
	o.WorkspaceID = ""
	inv, err := collector.Collect(context.Background(), o)
	require.NoError(t, err)
	assert.Equal(t, "skipped", inv.Sources["gpts"].Status)
	assert.Contains(t, *inv.Sources["gpts"].Reason, "CHATGPT_WORKSPACE_ID is not set")
	assert.Nil(t, inv.Workspace)
	assert.Empty(t, inv.GPTs)
	assert.Zero(t, sim.Stats().ByRoute["compliance gpts"])
}

func TestAuditLogOffMarksTheSignalUnavailable(t *testing.T) {
	src := simulator.Generate(simulator.GenerateOptions{Users: 30, Seed: 1})
	_, base := serve(t, src, simulator.Options{AuditLogDisabled: true, OmitNewUserFields: true})
	inv, err := collector.Collect(context.Background(), options(src, base))
	require.NoError(t, err)
	assert.Equal(t, "failed", inv.Sources["audit_logs"].Status)
	assert.Contains(t, *inv.Sources["audit_logs"].Reason, "Audit logging is not enabled")
	for _, u := range inv.Users {
		assert.Equal(t, []string{"audit_log_login", "api_key_last_used"}, u.ActivitySignals.Unavailable)
		assert.Nil(t, u.ActivitySignals.AuditLogLoginAt)
	}
}

func TestAuditLogOffAloneIsSomethingRead(t *testing.T) {
	src := simulator.Generate(simulator.GenerateOptions{Users: 10, Seed: 1})
	for _, c := range []struct {
		name    string
		opts    simulator.Options
		nothing bool
	}{
		{"audit logging off: a fact read", simulator.Options{AuditLogDisabled: true}, false},
		{"audit log failing otherwise: nothing read", simulator.Options{Faults: []simulator.Fault{{Path: "/audit_logs", Status: 400}}}, true},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, base := serve(t, src, c.opts)
			o := options(src, base)
			o.Sources = []string{"audit_logs"}
			inv, err := collector.Collect(context.Background(), o)
			var nr *collector.NothingReadError
			if c.nothing {
				require.ErrorAs(t, err, &nr)
				return
			}
			require.NoError(t, err)
			require.NotNil(t, inv.Organization.AuditLoggingEnabled)
			assert.False(t, *inv.Organization.AuditLoggingEnabled)
		})
	}
}

func TestLegacyInviteTimestamps(t *testing.T) {
	src := simulator.Generate(simulator.GenerateOptions{Users: 100, Seed: 1})
	_, base := serve(t, src, simulator.Options{LegacyInviteTimestamps: true})
	inv, err := collector.Collect(context.Background(), options(src, base))
	require.NoError(t, err)
	assert.Equal(t, src.Invites, inv.Invites, "invited_at is read as created_at")
}

func TestOwnerProjectAccessAny(t *testing.T) {
	src := simulator.Generate(simulator.GenerateOptions{Users: 100, Seed: 1})
	src.Projects[0].APIKeys[0].OwnerProjectAccess = lo.ToPtr("inactive")
	_, base := serve(t, src, simulator.Options{})
	inv, err := collector.Collect(context.Background(), options(src, base))
	require.NoError(t, err)
	assert.Equal(t, src.Projects[0].APIKeys, inv.Projects[0].APIKeys, "keys whose owner lost access are listed too")
}

// A value this version does not know keeps the item, as sent, with one
// warning per distinct value; an item without its send time is kept with
// null there; only an item that is not an object is unusable, and that
// makes the list partial.
func TestUnknownValuesAreKeptUnusableItemsMakeAListPartial(t *testing.T) {
	s, base := newScripted(t)
	s.on(invitesPath, func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, `{"object":"list","data":[%s,`+
			`{"id":"inv-x","email":"x@x","role":"admin","status":"pending","created_at":1,"brand_new":true},`+
			`{"id":"inv-y","email":"y@x","role":"admin","status":"pending","created_at":2,"brand_new":false},`+
			`{"id":"inv-z","email":"z@x","role":"reader","status":"pending"}, null],"has_more":false}`, inviteJSON("a"))
	})
	o := scriptedOptions(base, newFakeClock(1700000000))
	inv, warnings := collectWarnings(t, o)
	src := inv.Sources["invites"]
	assert.Equal(t, "partial", src.Status)
	assert.Equal(t, 4, src.Items)
	assert.Contains(t, *src.Reason, `1 item(s) could not be used, e.g. an item is null, not an object`)
	require.Len(t, inv.Invites, 4)
	assert.Equal(t, "admin", *inv.Invites[1].Role, "kept as sent")
	assert.Equal(t, "admin", *inv.Invites[2].Role)
	assert.Equal(t, "true", string(inv.Invites[1].Extra["brand_new"]), "the new field's value is kept")
	assert.Equal(t, "false", string(inv.Invites[2].Extra["brand_new"]))
	assert.Nil(t, inv.Invites[3].CreatedAt, "kept without its send time")
	assert.Equal(t, []string{
		`invite inv-x has a field "brand_new" that this version does not read: kept in its extra`,
		`invite inv-x has role "admin", which this version does not know (documented: owner, reader): kept as sent`,
		`invite inv-z has no created_at (or invited_at) (null or absent): kept as null; findings that measure its age cannot fire for it`,
	}, warnings, "once per distinct value or field, naming the first resource")
}

func TestParseBaseURL(t *testing.T) {
	for _, ok := range []string{"https://api.openai.com/v1", "http://127.0.0.1:8080/v1", "http://localhost:9/v1", "http://[::1]:9/v1"} {
		_, err := collector.ParseBaseURL("--api-base-url", ok)
		assert.NoError(t, err, ok)
	}
	for _, bad := range []string{"http://api.openai.com/v1", "http://10.0.0.1/v1", "ftp://x", "api.openai.com", "https:///v1", "https://x/v1?a=b"} {
		_, err := collector.ParseBaseURL("--api-base-url", bad)
		assert.Error(t, err, bad)
	}
	_, err := collector.ParseBaseURL("--api-base-url", "http://example.com/v1")
	assert.ErrorContains(t, err, "plain http is only allowed for loopback hosts")
}

// No key ever leaves through an error, a reason, a debug line or the
// inventory, even when the server echoes it back.
func TestKeysNeverLeak(t *testing.T) {
	adminKey := "sk-admin-SECRET-fake-aaaaaaaaaaaaaaaaaaaa"
	compKey := "sk-SECRET-compliance-fake-bbbbbbbbbbbb"
	s, base := newScripted(t)
	echo := func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(400)
		json.NewEncoder(w).Encode(map[string]any{"error": map[string]any{
			"message": "bad request from " + r.Header.Get("Authorization") + " key " + strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer "),
		}})
	}
	s.on(invitesPath, echo)
	s.on("/v1/compliance/workspaces/ws-1/gpts", echo)
	var debug strings.Builder
	var mu sync.Mutex
	o := scriptedOptions(base, newFakeClock(1700000000))
	o.AdminKey, o.ComplianceKey = adminKey, compKey
	o.Debug = func(format string, a ...any) {
		mu.Lock()
		defer mu.Unlock()
		fmt.Fprintf(&debug, format+"\n", a...)
	}
	inv, err := collector.Collect(context.Background(), o)
	require.NoError(t, err)
	raw, err := inventory.Marshal(inv)
	require.NoError(t, err)
	everything := string(raw) + debug.String()
	for _, k := range []string{adminKey, compKey, "SECRET"} {
		assert.NotContains(t, everything, k)
	}
	assert.Contains(t, debug.String(), "Authorization: Bearer [REDACTED]")
	assert.Contains(t, *inv.Sources["invites"].Reason, "key [REDACTED]")
}

func TestMissingAdminKey(t *testing.T) {
	_, err := collector.Collect(context.Background(), collector.Options{})
	assert.ErrorContains(t, err, "set OPENAI_ADMIN_KEY or use --admin-key-file")
}
