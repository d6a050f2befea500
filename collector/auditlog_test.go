package collector_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sort"
	"strconv"
	"sync"
	"testing"

	"github.com/samber/lo"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/openai-casb/openai-casb/collector"
	"github.com/openai-casb/openai-casb/inventory"
	"github.com/openai-casb/openai-casb/simulator"
)

// auditRanges records the effective_at bounds of every audit log request.
type auditRanges struct {
	mu     sync.Mutex
	ranges map[[2]int64]int // [gte, lt) -> requests
}

func serveRecording(t *testing.T, inv *inventory.Inventory, opts simulator.Options) (*auditRanges, string) {
	t.Helper()
	rec := &auditRanges{ranges: map[[2]int64]int{}}
	sim := simulator.New(inv, opts)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/v1/organization/audit_logs" {
			gte, _ := strconv.ParseInt(r.URL.Query().Get("effective_at[gte]"), 10, 64)
			lt, _ := strconv.ParseInt(r.URL.Query().Get("effective_at[lt]"), 10, 64)
			rec.mu.Lock()
			rec.ranges[[2]int64{gte, lt}]++
			rec.mu.Unlock()
		}
		sim.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	return rec, srv.URL + "/v1"
}

// disjoint checks that the chains' ranges do not overlap and cover the
// window, and returns how many there were. A chain whose lower bound moved
// up when it split shows as two ranges with the same upper bound: the
// newest lower bound of each upper bound is its final extent.
func (a *auditRanges) slices(t *testing.T, lo, hi int64) int {
	t.Helper()
	final := map[int64]int64{} // lt -> largest gte seen
	for r := range a.ranges {
		if g, ok := final[r[1]]; !ok || r[0] > g {
			final[r[1]] = r[0]
		}
	}
	var spans [][2]int64
	for lt, gte := range final {
		spans = append(spans, [2]int64{gte, lt})
	}
	sort.Slice(spans, func(i, j int) bool { return spans[i][0] < spans[j][0] })
	require.NotEmpty(t, spans)
	// Split halves hand their older part on as [lo, mid): the spans, taken
	// at their final extents, tile the window.
	assert.Equal(t, lo, spans[0][0])
	assert.Equal(t, hi, spans[len(spans)-1][1])
	for i := 1; i < len(spans); i++ {
		assert.Equal(t, spans[i-1][1], spans[i][0], "slices %v and %v", spans[i-1], spans[i])
	}
	return len(spans)
}

// The sliced reading of the audit log gives the inventory a sequential
// one gives, over a history of tens of thousands of logins.
func TestSlicedAuditLogEqualsSequential(t *testing.T) {
	src := simulator.Generate(simulator.GenerateOptions{Users: 150, Seed: 21, Plant: true})
	opts := simulator.Options{LoginsPerUserDay: 2}

	seqRec, seqBase := serveRecording(t, src, opts)
	o := options(src, seqBase)
	o.AuditLogSlices = 1
	seq, err := collector.Collect(context.Background(), o)
	require.NoError(t, err)
	require.Len(t, seqRec.ranges, 1, "one chain")

	rec, base := serveRecording(t, src, opts)
	o = options(src, base)
	o.Concurrency = 4
	sliced, err := collector.Collect(context.Background(), o)
	require.NoError(t, err)

	hi, lo := src.CollectedAt+1, src.CollectedAt-180*86400
	assert.Greater(t, rec.slices(t, lo, hi), 4, "read in slices")
	assert.Equal(t, comparable(seq), comparable(sliced))
	s, q := seq.Sources[inventory.SourceAuditLogs], sliced.Sources[inventory.SourceAuditLogs]
	assert.Equal(t, inventory.StatusComplete, q.Status)
	assert.Equal(t, s.Items, q.Items, "every event once")
	assert.Greater(t, s.Items, 15000)
	// And both equal the organization served.
	assert.Equal(t, comparable(src), comparable(sliced))
}

// A log whose recent past is sparse misleads the first page's estimate: the
// slice that proves long is split again, and nothing is lost.
func TestLongSliceIsSplitAgain(t *testing.T) {
	src := simulator.Generate(simulator.GenerateOptions{Users: 200, Seed: 22})
	for i := range src.Users {
		// Everyone's newest login is over 100 days old: the last 100 days
		// are empty, the 80 before them dense.
		at := src.CollectedAt - 100*86400 - int64(i)*60
		src.Users[i].ActivitySignals.AuditLogLoginAt = &at
		if *src.Users[i].AddedAt > at-200*86400 {
			src.Users[i].AddedAt = lo.ToPtr(at - 200*86400)
		}
	}
	opts := simulator.Options{LoginsPerUserDay: 3}
	_, seqBase := serveRecording(t, src, opts)
	o := options(src, seqBase)
	o.AuditLogSlices = 1
	seq, err := collector.Collect(context.Background(), o)
	require.NoError(t, err)

	rec, base := serveRecording(t, src, opts)
	sliced, err := collector.Collect(context.Background(), options(src, base))
	require.NoError(t, err)
	assert.Greater(t, rec.slices(t, src.CollectedAt-180*86400, src.CollectedAt+1), 2, "split after the first estimate")
	assert.Equal(t, seq.Sources[inventory.SourceAuditLogs].Items, sliced.Sources[inventory.SourceAuditLogs].Items)
	assert.Equal(t, comparable(seq), comparable(sliced))
}
