package collector_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/openai-casb/openai-casb/collector"
	"github.com/openai-casb/openai-casb/inventory"
)

// endless answers every page of invites with one item and a new cursor.
func endless(s *scripted) {
	s.on(invitesPath, func(w http.ResponseWriter, r *http.Request) {
		n, _ := strconv.Atoi(r.URL.Query().Get("after"))
		next := strconv.Itoa(n + 1)
		fmt.Fprintf(w, `{"object":"list","data":[%s],"has_more":true,"last_id":%q}`, inviteJSON("inv-"+next), next)
	})
}

// Row 6: a cursor that always advances stops at --max-pages: the list is
// failed (it was stopped, not read to its end) with the reason naming the
// flag and the cap, and what was read is kept.
func TestEndlessCursorStopsAtMaxPages(t *testing.T) {
	s, base := newScripted(t)
	endless(s)
	o := scriptedOptions(base, newFakeClock(1700000000))
	o.MaxPages = 7
	inv, err := collector.Collect(context.Background(), o)
	require.NoError(t, err)
	assert.Equal(t, 7, s.count(invitesPath))
	src := inv.Sources[inventory.SourceInvites]
	assert.Equal(t, inventory.StatusFailed, src.Status)
	assert.Equal(t, 7, src.Pages)
	assert.Equal(t, 7, src.Items, "the items read are counted")
	assert.Len(t, inv.Invites, 7, "what was read is kept")
	require.NotNil(t, src.Reason)
	assert.Contains(t, *src.Reason, "stopped after 7 pages, the most one list may have (--max-pages)")
	assert.Equal(t, inventory.StatusComplete, inv.Sources[inventory.SourceUsers].Status, "the other lists are read")
}

// Row 6: --deadline ends a collection that would not end: a server that
// never answers one list, with retries that would take minutes.
func TestDeadlineEndsTheCollection(t *testing.T) {
	s, base := newScripted(t)
	s.on(invitesPath, func(w http.ResponseWriter, r *http.Request) {
		<-r.Context().Done() // never answers
	})
	o := scriptedOptions(base, newFakeClock(1700000000))
	o.Clock = nil // the wall clock: the deadline is real time
	o.Retry.Timeout = time.Hour
	o.Deadline = 300 * time.Millisecond
	inv, err := collector.Collect(context.Background(), o)
	require.NoError(t, err)
	src := inv.Sources[inventory.SourceInvites]
	assert.Equal(t, inventory.StatusFailed, src.Status)
	require.NotNil(t, src.Reason)
	assert.Contains(t, *src.Reason, "the collection's deadline (--deadline 300ms) passed before this was read to its end")
	assert.Equal(t, inventory.StatusComplete, inv.Sources[inventory.SourceUsers].Status, "what finished in time is complete")
}

// Row 6: a list the deadline stops after some pages is failed, and keeps
// what it read. When every list was stopped so, something was still read:
// the collection is not "nothing could be read".
func TestDeadlineKeepsWhatWasRead(t *testing.T) {
	for _, all := range []bool{false, true} {
		t.Run(fmt.Sprintf("every list stopped=%v", all), func(t *testing.T) {
			var mu sync.Mutex
			served := 0
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.URL.Path == invitesPath {
					mu.Lock()
					served++
					n := served
					mu.Unlock()
					if n <= 3 {
						fmt.Fprintf(w, `{"object":"list","data":[%s],"has_more":true,"last_id":"c%d"}`, inviteJSON(fmt.Sprintf("inv-%d", n)), n)
						return
					}
				} else if !all {
					emptyList(w)
					return
				}
				<-r.Context().Done() // never answers
			}))
			t.Cleanup(srv.Close)
			o := scriptedOptions(srv.URL+"/v1", newFakeClock(1700000000))
			o.Clock = nil // the wall clock: the deadline is real time
			o.Retry.Timeout = time.Hour
			o.Deadline = 2 * time.Second // three pages on a loaded machine
			o.Concurrency = 100          // a slot for every list: the ones that never answer do not starve invites
			o.AuditLogSlices = 1
			inv, err := collector.Collect(context.Background(), o)
			require.NoError(t, err, "three invites were read")
			src := inv.Sources[inventory.SourceInvites]
			assert.Equal(t, inventory.StatusFailed, src.Status)
			assert.Equal(t, 3, src.Items)
			assert.Equal(t, 3, src.Pages)
			require.NotNil(t, src.Reason)
			assert.Contains(t, *src.Reason, "(--deadline 2s)")
			assert.Len(t, inv.Invites, 3, "what was read is kept")
			assert.Equal(t, []string{inventory.SourceInvites}, slices.DeleteFunc(inv.Sources.NotComplete(), func(n string) bool { return n != inventory.SourceInvites }))
		})
	}
}

// Row 6: one project's endless key list makes project_api_keys failed
// (stopped by the cap), with the other projects' keys kept.
func TestEndlessProjectListStopsAtMaxPages(t *testing.T) {
	s, base := newScripted(t)
	s.on("/v1/organization/projects", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, `{"object":"list","data":[`+
			`{"object":"organization.project","id":"proj_a","name":"A","created_at":1700000000,"archived_at":null,"status":"active"},`+
			`{"object":"organization.project","id":"proj_b","name":"B","created_at":1700000000,"archived_at":null,"status":"active"}],"has_more":false}`)
	})
	key := func(id string) string {
		return fmt.Sprintf(`{"object":"organization.project.api_key","id":%q,"name":"k","redacted_value":"sk-...abcd","created_at":1700000000,"last_used_at":null,"owner":{"type":"user","user":{"id":"u1","email":"a@x.example","name":"A","role":"owner","created_at":1700000000}}}`, id)
	}
	s.on("/v1/organization/projects/proj_a/api_keys", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, `{"object":"list","data":[%s],"has_more":false}`, key("key_a"))
	})
	s.on("/v1/organization/projects/proj_b/api_keys", func(w http.ResponseWriter, r *http.Request) {
		n, _ := strconv.Atoi(strings.TrimPrefix(r.URL.Query().Get("after"), "key_b"))
		fmt.Fprintf(w, `{"object":"list","data":[%s],"has_more":true,"last_id":"key_b%d"}`, key(fmt.Sprintf("key_b%d", n+1)), n+1)
	})
	o := scriptedOptions(base, newFakeClock(1700000000))
	o.MaxPages = 4
	inv, err := collector.Collect(context.Background(), o)
	require.NoError(t, err)
	src := inv.Sources[inventory.SourceProjectAPIKeys]
	assert.Equal(t, inventory.StatusFailed, src.Status)
	assert.Equal(t, 5, src.Items, "proj_a's key and proj_b's four are kept")
	require.NotNil(t, src.Reason)
	assert.Contains(t, *src.Reason, "stopped after 4 pages, the most one list may have (--max-pages)")
	n := 0
	for _, p := range inv.Projects {
		n += len(p.APIKeys)
	}
	assert.Equal(t, 5, n)
}

// Row 7: a page larger than the response cap is rejected without being
// read into memory, announced or not, and not retried.
func TestOversizedPageIsRejected(t *testing.T) {
	big := fmt.Sprintf(`{"object":"list","data":[%s],"has_more":false,"pad":"%s"}`, inviteJSON("a"), strings.Repeat("x", 4096))
	for _, chunked := range []bool{false, true} {
		t.Run(fmt.Sprintf("chunked=%v", chunked), func(t *testing.T) {
			s, base := newScripted(t)
			s.on(invitesPath, func(w http.ResponseWriter, r *http.Request) {
				if !chunked {
					w.Header().Set("Content-Length", strconv.Itoa(len(big)))
				}
				w.Write([]byte(big[:100]))
				w.(http.Flusher).Flush() // no Content-Length: chunked
				w.Write([]byte(big[100:]))
			})
			o := scriptedOptions(base, newFakeClock(1700000000))
			o.MaxResponseBytes = 1024
			inv, err := collector.Collect(context.Background(), o)
			require.NoError(t, err)
			src := inv.Sources[inventory.SourceInvites]
			assert.Equal(t, inventory.StatusFailed, src.Status)
			require.NotNil(t, src.Reason)
			assert.Contains(t, *src.Reason, "the answer is larger than the 1024-byte limit")
			assert.Equal(t, 1, s.count(invitesPath), "not retried")
			assert.Equal(t, inventory.StatusComplete, inv.Sources[inventory.SourceUsers].Status, "pages under the cap are read")
		})
	}
}

// The audit log, read in concurrent time slices, has one cap for all of
// them.
func TestEndlessAuditLogStopsAtMaxPages(t *testing.T) {
	s, base := newScripted(t)
	var mu sync.Mutex
	n := 0
	s.on("/v1/organization/audit_logs", func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		n++
		id := fmt.Sprintf("ev-%d", n)
		mu.Unlock()
		fmt.Fprintf(w, `{"object":"list","data":[{"id":%q,"type":"login.succeeded","effective_at":1699999000,"actor":{"type":"session","session":{"user":{"id":"u1","email":"a@x.example"}}}}],"has_more":true,"last_id":%q}`, id, id)
	})
	o := scriptedOptions(base, newFakeClock(1700000000))
	o.MaxPages = 9
	inv, err := collector.Collect(context.Background(), o)
	require.NoError(t, err)
	src := inv.Sources[inventory.SourceAuditLogs]
	assert.Equal(t, inventory.StatusFailed, src.Status)
	assert.Positive(t, src.Items, "the logins read are counted")
	require.NotNil(t, src.Reason)
	assert.Contains(t, *src.Reason, "stopped after 9 pages")
	require.NotNil(t, inv.Organization.AuditLoggingEnabled, "pages were read: audit logging is on")
	assert.True(t, *inv.Organization.AuditLoggingEnabled)
	assert.LessOrEqual(t, s.count("/v1/organization/audit_logs"), 9+4*4, "at most one page more per slice running")
}
