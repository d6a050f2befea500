package collector_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/openai-casb/openai-casb/collector"
	"github.com/openai-casb/openai-casb/inventory"
	"github.com/openai-casb/openai-casb/simulator"
)

const gptsPath = "/v1/compliance/workspaces/ws-1/gpts"

// gptPages answers the GPT list as n pages of one GPT, noting when (on the
// fake clock) each request arrived; each answer takes took.
func gptPages(s *scripted, clock *fakeClock, n int, took time.Duration, answer func(i int, w http.ResponseWriter) bool) *[]time.Duration {
	var mu sync.Mutex
	var at []time.Duration
	start := clock.Now()
	s.on(gptsPath, func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		at = append(at, clock.Now().Sub(start))
		i := len(at) - 1
		mu.Unlock()
		clock.Sleep(context.Background(), took)
		if answer != nil && !answer(i, w) {
			return
		}
		k := 0
		fmt.Sscan(r.URL.Query().Get("after"), &k)
		fmt.Fprintf(w, `{"object":"list","data":[{"id":"%d"}],"has_more":%v,"last_id":"%d"}`, k+1, k+1 < n, k+1)
	})
	return &at
}

// The first N requests of a route go at once; the N+1th waits until the
// first has been answered a minute ago, and so on.
func TestPacingSendsAMinutesAllowanceAtOnce(t *testing.T) {
	s, base := newScripted(t)
	clock := newFakeClock(1700000000)
	at := gptPages(s, clock, 8, time.Second, nil)
	o := scriptedOptions(base, clock)
	o.ComplianceRequestsPerMinute = 3
	var warned []string
	o.Warn = func(m string) { warned = append(warned, m) }
	inv, err := collector.Collect(context.Background(), o)
	require.NoError(t, err)
	assert.Len(t, inv.GPTs, 8)
	sec := time.Second
	// Each answer takes a second: 3 at once, then the 4th a minute after
	// the 1st was answered (at 1 s), the 5th a minute after the 2nd...
	assert.Equal(t, []time.Duration{0, 1 * sec, 2 * sec, 61 * sec, 62 * sec, 63 * sec, 122 * sec, 123 * sec}, *at)
	assert.Empty(t, warned)
}

// countingLimits passes requests to the simulator with a latency of up to
// 200 ms on the fake clock before and after it counts them, and counts its
// 429 answers.
type countingLimits struct {
	sim   http.Handler
	clock *fakeClock
	mu    sync.Mutex
	rng   *rand.Rand
	n429  int
	gpts  int
}

func (c *countingLimits) delay() time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	return time.Duration(c.rng.Int64N(int64(200 * time.Millisecond)))
}

func (c *countingLimits) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	c.clock.Sleep(context.Background(), c.delay()) // on the way there
	rec := httptest.NewRecorder()
	c.sim.ServeHTTP(rec, r)
	c.clock.Sleep(context.Background(), c.delay()) // on the way back
	c.mu.Lock()
	if rec.Code == http.StatusTooManyRequests {
		c.n429++
	}
	if strings.HasSuffix(r.URL.Path, "/gpts") {
		c.gpts++
	}
	c.mu.Unlock()
	for k, v := range rec.Header() {
		w.Header()[k] = v
	}
	w.WriteHeader(rec.Code)
	w.Write(rec.Body.Bytes())
}

// A long run against the simulator's limit (N requests in any sliding
// minute, counted on arrival) is never answered 429, whatever the latency.
func TestPacingNeverMeetsTheSimulatorsLimit(t *testing.T) {
	src := simulator.Generate(simulator.GenerateOptions{Users: 30, GPTs: 1000, Seed: 3})
	clock := newFakeClock(src.CollectedAt)
	sim := simulator.New(src, simulator.Options{MaxPageSize: 1, ComplianceRateLimit: 100, Now: clock.Now})
	lim := &countingLimits{sim: sim, clock: clock, rng: rand.New(rand.NewPCG(1, 2))}
	srv := httptest.NewServer(lim)
	t.Cleanup(srv.Close)
	o := options(src, srv.URL+"/v1")
	o.Clock = clock
	o.ComplianceRequestsPerMinute = 100
	o.Sources = []string{inventory.SourceGPTs}
	var warned []string
	o.Warn = func(m string) { warned = append(warned, m) }
	start := clock.Now()
	inv, err := collector.Collect(context.Background(), o)
	require.NoError(t, err)
	assert.Len(t, inv.GPTs, 1000)
	assert.Equal(t, 1000, lim.gpts, "one request per page")
	assert.Zero(t, lim.n429, "429 answers")
	for _, m := range warned {
		assert.NotContains(t, m, "429")
	}
	// And it does not stall: ten minutes' allowance, and the latency.
	assert.Less(t, clock.Now().Sub(start), 11*time.Minute)
}

// A route that answers 429 although it was paced is paced evenly from then
// on, with one warning.
func TestPacingFallsBackToEvenSpacingAfterA429(t *testing.T) {
	s, base := newScripted(t)
	clock := newFakeClock(1700000000)
	at := gptPages(s, clock, 6, 0, func(i int, w http.ResponseWriter) bool {
		if i == 1 || i == 4 {
			w.Header().Set("Retry-After", "2")
			w.WriteHeader(http.StatusTooManyRequests)
			fmt.Fprint(w, `{"error":{"message":"Rate limit reached","type":"rate_limit_exceeded"}}`)
			return false
		}
		return true
	})
	o := scriptedOptions(base, clock)
	o.ComplianceRequestsPerMinute = 100
	var warned []string
	o.Warn = func(m string) { warned = append(warned, m) }
	inv, err := collector.Collect(context.Background(), o)
	require.NoError(t, err)
	assert.Len(t, inv.GPTs, 6)
	ms := time.Millisecond
	// 1st at once, 2nd at once and refused; its retry after Retry-After
	// (2 s), then one every 0.6 s; the second 429 (5th request) waits its
	// 2 s again; six pages in eight requests.
	assert.Equal(t, []time.Duration{0, 0, 2000 * ms, 2600 * ms, 3200 * ms, 5200 * ms, 5800 * ms, 6400 * ms}, *at)
	var pace []string
	for _, m := range warned {
		if strings.Contains(m, "paced evenly") {
			pace = append(pace, m)
		}
	}
	require.Len(t, pace, 1, "one warning: %q", warned)
	assert.Contains(t, pace[0], "GET /compliance/workspaces/{workspace_id}/gpts")
	assert.Contains(t, pace[0], "one request every 600ms")
}
