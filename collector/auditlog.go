package collector

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"strconv"
	"sync"
	"time"

	"github.com/openai-casb/openai-casb/inventory"
)

// The audit log of a large organization holds millions of login events in
// the look-back window: read as one cursor chain it takes tens of thousands
// of pages one after the other, whatever the concurrency. So the window is
// cut into time slices, each its own chain bounded by effective_at[gte] and
// effective_at[lt] (both in the spec), read concurrently:
//
//  1. The first page is asked of the whole window, newest first. If it is
//     the only page, that is the whole log.
//  2. Otherwise its hundred events tell the log's density, so the number of
//     pages left; the rest of the window is cut into that many pages'
//     worth of slices (at least minSlicePages pages each, at most
//     AuditLogSlices of them) and the first chain goes on with the newest.
//  3. A slice that proves long (twice the pages it was expected to take,
//     with enough time left in it) is split again: it hands the older half
//     of what it has left to a new chain and goes on with the newer half.
//
// Slices do not overlap, so every event is read once; an event a server
// repeats on the next page of one chain (offset paging under new events) is
// skipped by id. What the collector keeps is each user's newest login, so
// memory does not grow with the number of events.

const (
	auditRoute    = "GET /organization/audit_logs"
	auditPath     = "/organization/audit_logs"
	minSlicePages = 4
	// minSliceSpan is the shortest slice worth splitting: below it a
	// chain's pages are too dense in time to cut usefully.
	minSliceSpan = 60 * 60
)

// logins is each user's newest login, by user id and by email.
type logins struct {
	mu      sync.Mutex
	byID    map[string]int64
	byEmail map[string]int64
}

func (l *logins) add(e auditLogin) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if e.userID != "" && e.at > l.byID[e.userID] {
		l.byID[e.userID] = e.at
	}
	if e.email != "" && e.at > l.byEmail[e.email] {
		l.byEmail[e.email] = e.at
	}
}

// events turns the newest logins into the events deriveActivity reads.
func (l *logins) events() []auditLogin {
	out := make([]auditLogin, 0, len(l.byID)+len(l.byEmail))
	for id, at := range l.byID {
		out = append(out, auditLogin{userID: id, at: at})
	}
	for email, at := range l.byEmail {
		out = append(out, auditLogin{email: email, at: at})
	}
	return out
}

// auditRead is one reading of the audit log: its slices, and what they
// read, under one lock.
type auditRead struct {
	c      *collection
	lg     *logins
	wg     sync.WaitGroup
	mu     sync.Mutex
	pages  int
	items  int
	bad    int
	first  error // the first item that could not be used
	err    error // the first chain that failed
	total  float64
	slices int
}

// auditSlice is one chain over [lo, hi).
type auditSlice struct {
	lo, hi int64
	after  string
	expect float64 // pages this slice was expected to take
	pages  int
	prev   map[string]bool // ids of the chain's previous page
}

// auditLog reads login.succeeded events of the look-back window into
// c.logins: each user's newest one. With a usable previous state it reads
// only the events since the state's high-water mark (less auditOverlap)
// and takes the earlier logins from the state.
func (c *collection) auditLog(ctx context.Context) {
	r := &result{}
	c.mu.Lock()
	c.results[inventory.SourceAuditLogs] = r
	c.mu.Unlock()
	hi := c.now.Unix() + 1
	lo := c.now.Add(-time.Duration(c.o.AuditLogDays) * 24 * time.Hour).Unix()
	prev := c.usableMark(c.o.OrganizationID, lo)
	start := lo
	if prev != nil {
		start = max(lo, prev.Through-int64(auditOverlap/time.Second))
	}
	a := c.readAudit(ctx, start, hi)
	if prev != nil {
		if org := c.organizationID(); org != c.o.Previous.OrganizationID {
			// The state is of another organization: read it all.
			c.notes.add("state-org", fmt.Sprintf("the state file is of organization %s, this is %s: the whole audit log was read", c.o.Previous.OrganizationID, org))
			prev = nil
			a = c.readAudit(ctx, lo, hi)
		}
	}
	if prev != nil {
		for id, at := range prev.NewestByUser {
			if at >= lo {
				a.lg.add(auditLogin{userID: id, at: at})
			}
		}
		for email, at := range prev.NewestByEmail {
			if at >= lo {
				a.lg.add(auditLogin{email: email, at: at})
			}
		}
		why := fmt.Sprintf("incremental: events since %s read (the state's high-water mark less %s); earlier logins from the state file",
			time.Unix(start, 0).UTC().Format(time.RFC3339), auditOverlap)
		r.note = why
	}
	c.logins = a.lg.events()
	c.o.Progress(inventory.SourceAuditLogs, a.items)
	r.stats = listStats{items: a.items, pages: a.pages}
	r.bad, r.firstBad = a.bad, a.first
	r.err = listError(a.err, c.admin.keyFrom)
	if a.err == nil && a.bad == 0 {
		c.mark = &AuditMark{From: lo, Through: hi - 1, NewestByUser: a.lg.byID, NewestByEmail: a.lg.byEmail}
	}
}

// readAudit reads the audit log's logins in [lo, hi), in slices.
func (c *collection) readAudit(ctx context.Context, lo, hi int64) *auditRead {
	a := &auditRead{c: c, lg: &logins{byID: map[string]int64{}, byEmail: map[string]int64{}}, slices: 1}
	a.wg.Add(1)
	a.chain(ctx, &auditSlice{lo: lo, hi: hi}, true)
	a.wg.Wait()
	return a
}

// maxSlices is how many slices one reading may make.
func (c *collection) maxSlices() int {
	if c.o.AuditLogSlices > 0 {
		return c.o.AuditLogSlices
	}
	return 4 * c.o.Concurrency
}

// chain reads one slice to its end. The first slice of a reading, after
// its first page, cuts the rest of the window into slices.
func (a *auditRead) chain(ctx context.Context, s *auditSlice, first bool) {
	defer a.wg.Done()
	c := a.c
	for {
		a.mu.Lock()
		pages := a.pages
		a.mu.Unlock()
		if pages >= c.o.MaxPages {
			// All slices together: one list, one cap.
			a.fail(&PageLimitError{API: c.admin.name, Path: auditPath, Pages: c.o.MaxPages})
			return
		}
		q := url.Values{}
		q.Add("event_types[]", "login.succeeded")
		q.Set("effective_at[gte]", strconv.FormatInt(s.lo, 10))
		q.Set("effective_at[lt]", strconv.FormatInt(s.hi, 10))
		q.Set("limit", strconv.Itoa(pageLimit))
		if s.after != "" {
			q.Set("after", s.after)
		}
		body, err := c.admin.get(ctx, priorityChain, auditRoute, auditPath, q)
		if err != nil {
			a.fail(err)
			return
		}
		var p page
		if err := json.Unmarshal(body, &p); err != nil {
			a.fail(fmt.Errorf("%s %s: read page: %w", c.admin.name, auditPath, err))
			return
		}
		s.pages++
		oldest, items, bad := a.keep(s, p.Data)
		a.mu.Lock()
		a.pages++
		a.items += items
		a.bad += bad
		n := a.items
		a.mu.Unlock()
		c.o.Progress(inventory.SourceAuditLogs, n)
		if !p.HasMore {
			return
		}
		next := lastID(p)
		if next == "" || next == s.after {
			a.fail(fmt.Errorf("%s %s: the server says there are more events after page %d of [%d, %d) but its cursor did not advance (after=%q)", c.admin.name, auditPath, s.pages, s.lo, s.hi, next))
			return
		}
		s.after = next
		if oldest == 0 {
			continue // no timestamp to measure the density by
		}
		if first {
			a.cut(ctx, s, oldest, len(p.Data))
			first = false
			continue
		}
		a.split(ctx, s, oldest)
	}
}

// keep records a page's logins, skipping ids the chain's previous page had,
// and returns the oldest effective_at on it.
func (a *auditRead) keep(s *auditSlice, data []json.RawMessage) (oldest int64, items, bad int) {
	seen := make(map[string]bool, len(data))
	for _, raw := range data {
		id := idOf(raw)
		if id != "" && s.prev[id] {
			continue
		}
		seen[id] = true
		items++
		l, ok, err := normalizeLogin(raw)
		if err != nil {
			bad++
			a.mu.Lock()
			if a.first == nil {
				a.first = err
			}
			a.mu.Unlock()
			continue
		}
		at := l.at
		if !ok { // not a login: its time still measures the page
			var e struct {
				EffectiveAt flexTime `json:"effective_at"`
			}
			if json.Unmarshal(raw, &e) == nil && e.EffectiveAt.v != nil {
				at = *e.EffectiveAt.v
			}
		}
		if at != 0 && (oldest == 0 || at < oldest) {
			oldest = at
		}
		if ok {
			a.lg.add(l)
		}
	}
	s.prev = seen
	return oldest, items, bad
}

// cut divides what the first page left unread, [lo, oldest], into slices
// of about equal time, as many as the density of the first page says
// pages are left (minSlicePages each), and hands all but the newest to new
// chains. The first chain goes on with the newest, from its cursor.
func (a *auditRead) cut(ctx context.Context, s *auditSlice, oldest int64, n int) {
	span := float64(s.hi - oldest)
	left := float64(oldest - s.lo + 1)
	if n == 0 || span <= 0 || left <= 0 {
		return
	}
	pages := left / span // each page covered span seconds
	k := int(pages / minSlicePages)
	k = min(max(k, 1), a.c.maxSlices())
	a.mu.Lock()
	a.total = pages + 1
	a.slices = k
	a.mu.Unlock()
	if k == 1 {
		s.expect = pages
		return
	}
	width := (oldest + 1 - s.lo) / int64(k)
	if width < 1 {
		return
	}
	// The newest slice keeps the cursor: [bound, hi).
	bound := oldest + 1 - width
	s.expect = pages / float64(k)
	for i := 1; i < k; i++ {
		lo := bound - width
		if i == k-1 {
			lo = s.lo
		}
		a.spawn(ctx, &auditSlice{lo: lo, hi: bound, expect: pages / float64(k)})
		bound = lo
	}
	s.lo = oldest + 1 - width
}

// split hands the older half of what a long slice has left to a new chain.
func (a *auditRead) split(ctx context.Context, s *auditSlice, oldest int64) {
	if a.c.maxSlices() == 1 || float64(s.pages) < 2*max(s.expect, minSlicePages) || oldest-s.lo < 2*minSliceSpan {
		return
	}
	a.mu.Lock()
	if a.slices >= 2*a.c.maxSlices() {
		a.mu.Unlock()
		return
	}
	a.slices++
	a.mu.Unlock()
	mid := s.lo + (oldest-s.lo)/2
	// The rest of this slice is expected to take as long again as it has.
	a.spawn(ctx, &auditSlice{lo: s.lo, hi: mid, expect: float64(s.pages) / 2})
	s.lo, s.expect = mid, float64(s.pages)*1.5
}

func (a *auditRead) spawn(ctx context.Context, s *auditSlice) {
	a.wg.Add(1)
	go a.chain(ctx, s, false)
}

func (a *auditRead) fail(err error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.err == nil {
		a.err = err
	}
}
