package simulator

import (
	"math"
	"net/http"
	"strconv"
	"sync"
	"time"
)

// DefaultComplianceRateLimit is the Compliance API's published limit that
// independent clients quote: 100 requests per minute per route.
const DefaultComplianceRateLimit = 100

// rateLimits keep each route of the simulator under N requests in any
// sliding minute, as a real API's per-route limits do: a request past it is
// answered 429 with the Retry-After that frees a place.
type rateLimits struct {
	admin, compliance int
	now               func() time.Time

	mu     sync.Mutex
	routes map[string]*window
}

// window is the times of the last N requests of one route, oldest first.
type window struct {
	times []time.Time
}

func newRateLimits(o Options) *rateLimits {
	now := o.Now
	if now == nil {
		now = time.Now
	}
	comp := o.ComplianceRateLimit
	if comp == 0 {
		comp = o.RateLimit
	}
	comp = max(comp, 0) // negative: no limit on the Compliance API
	return &rateLimits{admin: o.RateLimit, compliance: comp, now: now, routes: map[string]*window{}}
}

// take admits one request of route, or says how long to wait.
func (l *rateLimits) take(api, route string) (time.Duration, bool) {
	n := l.admin
	if api == complianceAPI {
		n = l.compliance
	}
	if n <= 0 {
		return 0, true
	}
	now := l.now()
	l.mu.Lock()
	defer l.mu.Unlock()
	w, ok := l.routes[route]
	if !ok {
		w = &window{}
		l.routes[route] = w
	}
	cut := 0
	for cut < len(w.times) && now.Sub(w.times[cut]) >= time.Minute {
		cut++
	}
	w.times = w.times[cut:]
	if len(w.times) >= n {
		return w.times[0].Add(time.Minute).Sub(now), false
	}
	w.times = append(w.times, now)
	return 0, true
}

// tooMany answers a request over its route's limit.
func tooMany(w http.ResponseWriter, wait time.Duration) {
	w.Header().Set("Retry-After", strconv.Itoa(int(math.Ceil(wait.Seconds()))))
	writeErr(w, apiErr(http.StatusTooManyRequests, "Rate limit reached for requests to this route. Please try again in "+wait.Round(time.Second).String()+".", "rate_limit_exceeded"))
}

// latency is one response's delay: Latency, moved by up to ±LatencyJitter.
func (s *Server) latency() time.Duration {
	d := s.opts.Latency
	if j := s.opts.LatencyJitter; j > 0 {
		s.mu.Lock()
		d += time.Duration(s.rng.Int64N(int64(2*j)+1)) - j
		s.mu.Unlock()
	}
	return max(d, 0)
}
