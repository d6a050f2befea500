package collector_test

import (
	"context"
	"fmt"
	"net/http"
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

// Row 6: a cursor that always advances stops at --max-pages; what was read
// is kept and the reason says why the list is incomplete.
func TestEndlessCursorStopsAtMaxPages(t *testing.T) {
	s, base := newScripted(t)
	endless(s)
	o := scriptedOptions(base, newFakeClock(1700000000))
	o.MaxPages = 7
	inv, err := collector.Collect(context.Background(), o)
	require.NoError(t, err)
	assert.Equal(t, 7, s.count(invitesPath))
	src := inv.Sources[inventory.SourceInvites]
	assert.Equal(t, inventory.StatusPartial, src.Status)
	assert.Equal(t, 7, src.Pages)
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
	assert.NotEqual(t, inventory.StatusComplete, src.Status)
	require.NotNil(t, src.Reason)
	assert.Contains(t, *src.Reason, "stopped after 9 pages")
	assert.LessOrEqual(t, s.count("/v1/organization/audit_logs"), 9+4*4, "at most one page more per slice running")
}
