package collector

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/openai-casb/openai-casb/internal/scrub"
)

// pageLimit is the largest page both APIs serve.
const pageLimit = 100

// api is a client of one of the two APIs: its base URL, its key, and the
// behaviour every request shares (retries, pacing, the concurrency limit).
type api struct {
	name    string // "Admin API" or "Compliance API", for messages
	base    *url.URL
	key     string // never printed; see redact
	scrub   *scrub.Scrubber
	keyFrom string // where the key came from, for messages: "OPENAI_ADMIN_KEY"
	header  http.Header
	http    *http.Client
	retry   RetryPolicy
	pacer   *pacer // nil: no client-side pacing
	// maxPages is the most pages read of one list.
	maxPages int
	// maxResponse is the most bytes read of one JSON answer.
	maxResponse int64
	slots       *slots
	debug       func(format string, a ...any)
	clock       Clock
	// waiting is told each wait for the rate limit (Options.Waiting).
	waiting func(route string, d time.Duration)

	// stopped holds the error that stopped this API (an invalid key, or
	// missing access): later requests fail at once with it.
	stopped atomic.Pointer[error]
	// orgHeader is the organization the API said it answered for.
	orgHeader atomic.Pointer[string]
}

// RetryPolicy bounds how requests are retried.
type RetryPolicy struct {
	// Attempts is the most tries per request, the first included.
	Attempts int
	// BaseDelay is the first backoff; each retry doubles it, with full
	// jitter, up to MaxDelay.
	BaseDelay, MaxDelay time.Duration
	// MaxRetryAfter is the longest Retry-After the client honours; a
	// server that asks for more fails the request.
	MaxRetryAfter time.Duration
	// Timeout bounds one attempt, from sending the request to reading the
	// whole body.
	Timeout time.Duration
}

// DefaultRetryPolicy is what the CLI uses.
var DefaultRetryPolicy = RetryPolicy{
	Attempts:      6,
	BaseDelay:     500 * time.Millisecond,
	MaxDelay:      30 * time.Second,
	MaxRetryAfter: 5 * time.Minute,
	Timeout:       60 * time.Second,
}

// Clock is the time source of retries and pacing; tests replace it so that
// nothing waits on the wall clock.
type Clock interface {
	Now() time.Time
	// Sleep waits d or until ctx is done.
	Sleep(ctx context.Context, d time.Duration) error
}

type realClock struct{}

func (realClock) Now() time.Time { return time.Now() }

func (realClock) Sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// pacer keeps each route of an API under N requests in any 60 seconds, the
// Compliance API's 100 requests per minute per route, by making requests wait
// their turn rather than collect 429s.
//
// A request holds a place in its route's window from the moment it is sent
// until a window after its answer came back; a route never has more than N
// places held. Whenever a server counts a request (on arrival, or at any
// moment before it answers), any N+1 requests it counts lie more than a
// window apart: when the last of them was sent, the other N still held their
// places (each was sent before and answered less than a window before the
// last arrived). So the limit holds for a server that counts "N in any 60 s"
// whatever the latency and its jitter, which a log of send times does not
// ensure (a late first arrival and an early N+1th fall inside one minute),
// nor a token bucket with a burst of N (N at once, then N more as it refills:
// 2N−1 in a minute). The first N requests of a route go at once.
//
// Unconfirmed: no public source gives how the Compliance API counts its
// limit (compliance-api-evidence.md has no rate limit at all; the 100 per
// minute per route is what independent clients quote). It could count fixed
// minutes or a bucket with a smaller burst. So a route that answers 429 is
// paced evenly — one request every window/N, on top of the window — for the
// rest of the collection, with one warning; the 429 itself is retried after
// its Retry-After as any 429 is.
type pacer struct {
	mu     sync.Mutex
	perMin int
	window time.Duration
	routes map[string]*pacedRoute
	clock  Clock
	notes  *notes
}

// pacedRoute is one route's places in the window.
type pacedRoute struct {
	// held are the places taken: in flight, or answered less than a window
	// ago.
	held []*place
	// even: the route answered 429, so its requests are also spaced
	// window/N apart from now on.
	even bool
	last time.Time // when the last request was sent
}

// place is one request's place in its route's window.
type place struct {
	answered bool
	until    time.Time // answered: when the place frees
}

// paceWindow is the window of the Compliance API's limit.
const paceWindow = time.Minute

func newPacer(perMinute int, clock Clock, n *notes) *pacer {
	if perMinute <= 0 {
		return nil
	}
	return &pacer{perMin: perMinute, window: paceWindow, routes: map[string]*pacedRoute{}, clock: clock, notes: n}
}

// wait takes a place for one request of route, waiting until one frees; the
// caller gives it back with answered.
func (p *pacer) wait(ctx context.Context, route string, waiting func(string, time.Duration)) (*place, error) {
	for {
		p.mu.Lock()
		r, ok := p.routes[route]
		if !ok {
			r = &pacedRoute{}
			p.routes[route] = r
		}
		now := p.clock.Now()
		d := r.delay(now, p.perMin, p.window)
		if d <= 0 {
			pl := &place{}
			r.held = append(r.held, pl)
			r.last = now
			p.mu.Unlock()
			return pl, nil
		}
		p.mu.Unlock()
		if waiting != nil {
			waiting(route, d)
		}
		if err := p.clock.Sleep(ctx, d); err != nil {
			return nil, err
		}
	}
}

// delay is how long a request of the route must wait at now; it frees the
// places whose time is over.
func (r *pacedRoute) delay(now time.Time, n int, window time.Duration) time.Duration {
	kept := r.held[:0]
	for _, pl := range r.held {
		if !pl.answered || now.Before(pl.until) {
			kept = append(kept, pl)
		}
	}
	clear(r.held[len(kept):])
	r.held = kept
	var d time.Duration
	if len(r.held) >= n {
		// The first answered place to free; with every place in flight,
		// none frees before a window from now.
		d = window
		for _, pl := range r.held {
			if pl.answered {
				d = min(d, pl.until.Sub(now))
			}
		}
	}
	if r.even && !r.last.IsZero() {
		d = max(d, r.last.Add(window/time.Duration(n)).Sub(now))
	}
	return d
}

// answered gives back pl, the place of a request of route whose answer (or
// failure) came back; tooMany says the answer was a 429.
func (p *pacer) answered(route string, pl *place, tooMany bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	pl.answered = true
	pl.until = p.clock.Now().Add(p.window)
	r := p.routes[route]
	if !tooMany || r.even {
		return
	}
	r.even = true
	p.notes.add("pace "+route, fmt.Sprintf("the Compliance API answered 429 (too many requests) on %s though it was sent at most %d requests in any %s: its limit counts differently from what this version assumes, so this route is paced evenly (one request every %s) for the rest of the collection (see docs/collection.md, \"Pacing\")",
		route, p.perMin, p.window, p.window/time.Duration(p.perMin)))
}

// HTTPError is an error answer that retries did not cure.
type HTTPError struct {
	API     string
	Path    string
	Status  int
	Code    string
	Message string // redacted
}

func (e *HTTPError) Error() string {
	msg := fmt.Sprintf("%s %s: %d %s", e.API, e.Path, e.Status, http.StatusText(e.Status))
	if e.Message != "" {
		msg += ": " + e.Message
	}
	return msg
}

// page is one page of a list, in either API's envelope.
type page struct {
	Data       []json.RawMessage `json:"data"`
	HasMore    bool              `json:"has_more"`
	LastID     *string           `json:"last_id"`
	NextCursor *string           `json:"next_cursor"`
}

// listStats say how much of a list was read.
type listStats struct {
	items, pages int
}

// list reads a list to its end: limit=100, then after=<last id> (or the
// opaque cursor of newer routes) while has_more. each receives every item;
// an error from each stops the list. A cursor that does not advance is an
// error, never a loop.
func (a *api) list(ctx context.Context, prio int, route, path string, q url.Values, each func(json.RawMessage) error) (listStats, error) {
	var st listStats
	if q == nil {
		q = url.Values{}
	}
	q.Set("limit", strconv.Itoa(pageLimit))
	seen := map[string]bool{}
	for {
		if st.pages >= a.maxPages {
			return st, &PageLimitError{API: a.name, Path: path, Pages: a.maxPages}
		}
		body, err := a.get(ctx, prio, route, path, q)
		if err != nil {
			return st, err
		}
		var p page
		if err := json.Unmarshal(body, &p); err != nil {
			return st, fmt.Errorf("%s %s: read page %d: %w", a.name, path, st.pages+1, err)
		}
		st.pages++
		for _, item := range p.Data {
			if err := each(item); err != nil {
				return st, err
			}
			st.items++
		}
		if !p.HasMore {
			return st, nil
		}
		key, next := "after", lastID(p)
		if p.NextCursor != nil && *p.NextCursor != "" {
			key, next = "cursor", *p.NextCursor
		}
		if next == "" || seen[key+"="+next] {
			return st, fmt.Errorf("%s %s: the server says there are more items after page %d but its cursor did not advance (%s=%q)", a.name, path, st.pages, key, next)
		}
		seen[key+"="+next] = true
		q.Del("after")
		q.Del("cursor")
		q.Set(key, next)
	}
}

// lastID is the page's last_id, or the id of its last item when the
// server leaves last_id out.
func lastID(p page) string {
	if p.LastID != nil {
		return *p.LastID
	}
	if len(p.Data) == 0 {
		return ""
	}
	var item struct {
		ID string `json:"id"`
	}
	_ = json.Unmarshal(p.Data[len(p.Data)-1], &item)
	return item.ID
}

// get fetches one JSON document; see fetch.
func (a *api) get(ctx context.Context, prio int, route, path string, q url.Values) ([]byte, error) {
	d, err := a.fetch(ctx, prio, route, path, q, 0, true)
	if err != nil {
		return nil, err
	}
	return d.body, nil
}

// download is a response body read under a size limit.
type download struct {
	body        []byte // nil when tooLarge
	contentType string
	// size is the body's length, or the Content-Length the server
	// announced for a body too large to read.
	size     int64
	tooLarge bool
	// redirected: the answer came from where a redirect led, not from
	// the API itself.
	redirected bool
}

// fetch sends one GET, retrying what is worth retrying: 408, 409, 429 and
// 5xx answers, connection errors, bodies cut short, and (when wantJSON)
// bodies that are not JSON. It waits as Retry-After-Ms or Retry-After
// (seconds or an HTTP date) asks, otherwise an exponential backoff with full
// jitter. With limit > 0 a body longer than limit bytes is not kept: the
// download says tooLarge, and nothing beyond the limit is read.
func (a *api) fetch(ctx context.Context, prio int, route, path string, q url.Values, limit int64, wantJSON bool) (*download, error) {
	d, err := a.fetchAttempts(ctx, prio, route, path, q, limit, wantJSON)
	if err != nil && ctx.Err() != nil {
		// Why the context ended: the collection's deadline says so.
		return nil, context.Cause(ctx)
	}
	return d, err
}

func (a *api) fetchAttempts(ctx context.Context, prio int, route, path string, q url.Values, limit int64, wantJSON bool) (*download, error) {
	if err := a.stoppedErr(); err != nil {
		return nil, err
	}
	u := *a.base
	u.Path = strings.TrimSuffix(u.Path, "/") + path
	u.RawQuery = q.Encode()
	var lastErr error
	for attempt := 1; attempt <= a.retry.Attempts; attempt++ {
		var pl *place
		if a.pacer != nil {
			var err error
			if pl, err = a.pacer.wait(ctx, route, a.waiting); err != nil {
				return nil, err
			}
		}
		lim := limit
		if wantJSON {
			lim = a.maxResponse
		}
		d, status, hdr, err := a.do(ctx, prio, &u, attempt, lim, wantJSON)
		if pl != nil {
			// A 429 from where a download was redirected to is not this
			// API's limit.
			a.pacer.answered(route, pl, status == http.StatusTooManyRequests && d != nil && !d.redirected)
		}
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		if _, ok := errors.AsType[*RedirectError](err); ok {
			return nil, err // the same answer every time: not worth a retry
		}
		if err == nil && status == http.StatusOK && wantJSON && d.tooLarge {
			// Neither kept nor read past the limit; the same next time.
			return nil, &ResponseTooLargeError{API: a.name, Path: path, Limit: a.maxResponse, Announced: d.size}
		}
		if err == nil && status == http.StatusOK {
			if !wantJSON || json.Valid(d.body) {
				return d, nil
			}
			err = fmt.Errorf("%s %s: the response body is not complete JSON (%d bytes)", a.name, path, len(d.body))
		}
		if err == nil {
			herr := a.httpError(path, status, d.body)
			// A 401 refuses the key itself: every request would get it.
			// A refusal from where a download was redirected to is about
			// that download, not the key. A 403 of the Compliance API is
			// about one route: keys get one read scope per kind of data and
			// per log event type (compliance-api-evidence.md, HTH 6.01), so
			// the other routes go on. A 403 on one file is about that file.
			if status == http.StatusUnauthorized && !d.redirected {
				return nil, a.stop(herr)
			}
			if status == http.StatusForbidden && a.name == complianceAPIName && wantJSON && !d.redirected {
				return nil, &ScopeError{HTTPError: herr, KeyFrom: a.keyFrom, Scope: scopeOf(herr.Message, route, q)}
			}
			if !retryable(status) {
				return nil, herr
			}
			err = herr
		}
		lastErr = err
		if attempt == a.retry.Attempts {
			break
		}
		wait, ok := retryAfter(hdr, a.clock.Now())
		if ok && wait > a.retry.MaxRetryAfter {
			return nil, fmt.Errorf("%w (the server asked to wait %s before retrying, more than the %s this client waits)", err, wait.Round(time.Second), a.retry.MaxRetryAfter)
		}
		if !ok {
			wait = backoff(a.retry, attempt)
		}
		a.debug("  retry %d/%d of %s in %s: %v", attempt, a.retry.Attempts-1, path, wait.Round(time.Millisecond), err)
		if status == http.StatusTooManyRequests && a.waiting != nil {
			a.waiting(route, wait)
		}
		if err := a.clock.Sleep(ctx, wait); err != nil {
			return nil, err
		}
	}
	return nil, fmt.Errorf("%w (gave up after %d attempts)", lastErr, a.retry.Attempts)
}

// maxErrorBody bounds what is read of an error answer.
const maxErrorBody = 64 << 10

// do sends one request under the concurrency limit and the per-attempt
// timeout, and reads the body: all of it for JSON, up to limit bytes and one
// more for a file, a little of an error answer.
func (a *api) do(ctx context.Context, prio int, u *url.URL, attempt int, limit int64, wantJSON bool) (*download, int, http.Header, error) {
	if err := a.slots.acquire(ctx, prio); err != nil {
		return nil, 0, nil, err
	}
	defer a.slots.release()

	actx, cancel := context.WithTimeout(ctx, a.retry.Timeout)
	defer cancel()
	if !wantJSON {
		actx = context.WithValue(actx, downloadKey{}, true)
	}
	req, err := http.NewRequestWithContext(actx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, 0, nil, err
	}
	req.Header = a.header.Clone()
	req.Header.Set("Authorization", "Bearer "+a.key)
	if wantJSON {
		req.Header.Set("Accept", "application/json")
	} else {
		req.Header.Set("Accept", "*/*")
	}
	start := time.Now()
	a.debug("→ GET %s (attempt %d) %s", u.Redacted(), attempt, headerLine(req.Header))
	resp, err := a.http.Do(req)
	if err != nil {
		err = a.transportError(u.Path, err, actx, ctx)
		a.debug("← %s: %v", u.Path, err)
		return nil, 0, nil, err
	}
	defer resp.Body.Close()
	d := &download{contentType: resp.Header.Get("Content-Type"), size: resp.ContentLength, redirected: resp.Request != nil && resp.Request.URL.String() != u.String()}
	var body io.Reader = resp.Body
	switch {
	case resp.StatusCode != http.StatusOK:
		body = io.LimitReader(resp.Body, maxErrorBody)
	case limit > 0 && resp.ContentLength > limit:
		d.tooLarge = true
		a.debug("← %d %s in %s (%d bytes announced, more than the %d-byte limit: not read)", resp.StatusCode, u.Path, time.Since(start).Round(time.Millisecond), resp.ContentLength, limit)
		return d, resp.StatusCode, resp.Header, nil
	case limit > 0:
		body = io.LimitReader(resp.Body, limit+1)
	}
	d.body, err = io.ReadAll(body)
	a.debug("← %d %s in %s (%d bytes)", resp.StatusCode, u.Path, time.Since(start).Round(time.Millisecond), len(d.body))
	if err != nil {
		return nil, 0, nil, a.transportError(u.Path, fmt.Errorf("read body: %w", err), actx, ctx)
	}
	if resp.StatusCode == http.StatusOK && limit > 0 && int64(len(d.body)) > limit {
		d.body, d.tooLarge, d.size = nil, true, -1
	} else if resp.StatusCode == http.StatusOK {
		d.size = int64(len(d.body))
	}
	if org := resp.Header.Get("Openai-Organization"); org != "" {
		a.orgHeader.CompareAndSwap(nil, &org)
	}
	return d, resp.StatusCode, resp.Header, nil
}

func (a *api) transportError(path string, err error, attemptCtx, ctx context.Context) error {
	if ctx.Err() == nil && errors.Is(attemptCtx.Err(), context.DeadlineExceeded) {
		return fmt.Errorf("%s %s: no complete answer within %s", a.name, path, a.retry.Timeout)
	}
	var uerr *url.Error
	if errors.As(err, &uerr) {
		err = uerr.Err // the URL is already in the message
	}
	if re, ok := errors.AsType[*RedirectError](err); ok {
		return re
	}
	return fmt.Errorf("%s %s: %s", a.name, path, a.redact(err.Error()))
}

func headerLine(h http.Header) string {
	var parts []string
	for _, k := range []string{"Authorization", "Openai-Organization"} {
		if v := h.Get(k); v != "" {
			if k == "Authorization" {
				v = "Bearer [REDACTED]"
			}
			parts = append(parts, k+": "+v)
		}
	}
	return strings.Join(parts, ", ")
}

func (a *api) httpError(path string, status int, body []byte) *HTTPError {
	var env struct {
		Error struct {
			Message string `json:"message"`
			Code    any    `json:"code"`
		} `json:"error"`
	}
	e := &HTTPError{API: a.name, Path: path, Status: status}
	if json.Unmarshal(body, &env) == nil {
		e.Message = a.redact(env.Error.Message)
		if c, ok := env.Error.Code.(string); ok {
			e.Code = c
		}
	} else if len(body) > 0 {
		// Scrub the whole body, then shorten it: cut first, a key-shaped
		// string could lose the length that makes it recognisable.
		msg := a.redact(strings.TrimSpace(string(body)))
		if len(msg) > 200 {
			cut := 200
			for cut > 0 && !utf8.RuneStart(msg[cut]) {
				cut--
			}
			msg = msg[:cut] + "…"
		}
		e.Message = msg
	}
	return e
}

// stop records why this API cannot be read any more and returns that error.
func (a *api) stop(herr *HTTPError) error {
	err := error(&AccessError{API: a.name, KeyFrom: a.keyFrom, Status: herr.Status, Detail: herr.Message})
	a.stopped.CompareAndSwap(nil, &err)
	return *a.stopped.Load()
}

func (a *api) stoppedErr() error {
	if p := a.stopped.Load(); p != nil {
		return *p
	}
	return nil
}

// redact removes the keys, their encodings and anything key-shaped from
// text that came from the network (see internal/scrub).
func (a *api) redact(s string) string {
	return a.scrub.String(s)
}

func retryable(status int) bool {
	switch {
	case status == http.StatusRequestTimeout, status == http.StatusConflict, status == http.StatusTooManyRequests:
		return true
	case status >= 500:
		return true
	}
	return false
}

// retryAfter reads Retry-After-Ms, then Retry-After as seconds or as an HTTP
// date.
func retryAfter(h http.Header, now time.Time) (time.Duration, bool) {
	if h == nil {
		return 0, false
	}
	if v := h.Get("Retry-After-Ms"); v != "" {
		if ms, err := strconv.ParseFloat(v, 64); err == nil && ms >= 0 {
			return seconds(ms / 1000), true
		}
	}
	v := strings.TrimSpace(h.Get("Retry-After"))
	if v == "" {
		return 0, false
	}
	if s, err := strconv.ParseFloat(v, 64); err == nil && s >= 0 {
		return seconds(s), true
	}
	if t, err := http.ParseTime(v); err == nil {
		return max(t.Sub(now), 0), true
	}
	return 0, false
}

// seconds converts a server-given wait to a Duration. A wait too long to
// represent (or infinite) saturates rather than wrapping to a negative
// Duration, which would mean "retry at once": the caller then refuses it as
// longer than it is willing to wait.
func seconds(s float64) time.Duration {
	if math.IsNaN(s) || s*float64(time.Second) >= math.MaxInt64 {
		return math.MaxInt64
	}
	return time.Duration(s * float64(time.Second))
}

// backoff is the wait before retry number attempt: full jitter over an
// exponentially growing ceiling.
func backoff(p RetryPolicy, attempt int) time.Duration {
	ceiling := p.BaseDelay << (attempt - 1)
	if ceiling > p.MaxDelay || ceiling <= 0 {
		ceiling = p.MaxDelay
	}
	return time.Duration(rand.Int64N(int64(ceiling) + 1))
}

// PageLimitError is a list that still had more pages after the most a
// list may have (Options.MaxPages): a cursor that always advances would
// otherwise never end.
type PageLimitError struct {
	API, Path string
	Pages     int
}

func (e *PageLimitError) Error() string {
	return fmt.Sprintf("%s %s: stopped after %d pages, the most one list may have (--max-pages), while the server still said there were more; raise --max-pages if the list is really that long", e.API, e.Path, e.Pages)
}

// ResponseTooLargeError is a JSON answer larger than the collection reads
// (Options.MaxResponseBytes): a hostile or broken server could otherwise
// send a page of any size into memory.
type ResponseTooLargeError struct {
	API, Path string
	Limit     int64
	Announced int64 // the Content-Length, or -1 when the body ran past the limit
}

func (e *ResponseTooLargeError) Error() string {
	size := "ran past it"
	if e.Announced >= 0 {
		size = fmt.Sprintf("announced %d bytes", e.Announced)
	}
	return fmt.Sprintf("%s %s: the answer is larger than the %d-byte limit (%s) and was not read; raise --max-response-size if the page is genuine", e.API, e.Path, e.Limit, size)
}

// DeadlineError is the end of the collection's time (Options.Deadline):
// what was being read then is recorded as incomplete.
type DeadlineError struct {
	After time.Duration
}

func (e *DeadlineError) Error() string {
	return fmt.Sprintf("the collection's deadline (--deadline %s) passed before this was read to its end", e.After)
}

// maxRedirects bounds the redirects one request follows.
const maxRedirects = 10

// downloadKey marks the context of a file download, whose redirects are
// followed without the key.
type downloadKey struct{}

// RedirectError is a redirect the client refused to follow, before sending
// anything to its target.
type RedirectError struct {
	API      string
	From, To string // redacted: no user info, no query
	Why      string
}

func (e *RedirectError) Error() string {
	return fmt.Sprintf("%s: refused the redirect from %s to %s: %s; the key was not sent there. Check --api-base-url and --compliance-base-url, or report the redirect to the server's owner", e.API, e.From, e.To, e.Why)
}

// withRedirectPolicy is hc with the redirect rules of this API. Go's own
// rules forward Authorization to the same host name whatever the scheme or
// port, so an https base URL answering a redirect to http on the same host
// would send the key in clear text:
//   - a list (JSON) request follows a redirect only within its origin (same
//     scheme, host and port), where the key already goes;
//   - a file download (the Compliance API answers log files with a 307 to a
//     signed URL) follows redirects anywhere over https (http for loopback
//     hosts only), and never sends the key past the first request.
func (a *api) withRedirectPolicy(hc *http.Client) *http.Client {
	c := *hc
	c.CheckRedirect = a.checkRedirect
	return &c
}

func (a *api) checkRedirect(req *http.Request, via []*http.Request) error {
	prev := via[len(via)-1]
	refuse := func(why string) error {
		return &RedirectError{API: a.name, From: a.scrubURL(prev.URL), To: a.scrubURL(req.URL), Why: why}
	}
	if len(via) >= maxRedirects {
		return refuse(fmt.Sprintf("more than %d redirects", maxRedirects))
	}
	if dl, _ := via[0].Context().Value(downloadKey{}).(bool); dl {
		if req.URL.Scheme != "https" && !(req.URL.Scheme == "http" && isLoopback(req.URL.Hostname())) {
			return refuse("a download is only followed over https")
		}
		req.Header.Del("Authorization")
		a.debug("  redirect of a download to %s (without the key)", a.scrubURL(req.URL))
		return nil
	}
	orig := via[0].URL
	switch {
	case req.URL.Scheme != orig.Scheme:
		return refuse("it changes the scheme")
	case !strings.EqualFold(req.URL.Hostname(), orig.Hostname()):
		return refuse("it changes the host")
	case port(req.URL) != port(orig):
		return refuse("it changes the port")
	}
	a.debug("  redirect to %s", a.scrubURL(req.URL))
	return nil
}

// port is u's port, the scheme's default when it names none.
func port(u *url.URL) string {
	if p := u.Port(); p != "" {
		return p
	}
	if u.Scheme == "http" {
		return "80"
	}
	return "443"
}

// scrubURL is u fit for a message: no user info, no query (a signed URL's
// signature, a cursor the server chose), scrubbed of keys.
func (a *api) scrubURL(u *url.URL) string {
	c := *u
	c.User, c.RawQuery, c.Fragment = nil, "", ""
	return a.redact(c.String())
}

// isLoopback reports whether host names this machine.
func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
