package simulator

import (
	"cmp"
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/openai-casb/openai-casb/inventory"
)

// DefaultLoginsPerUserDay is how often a simulated member logs in, on
// average: 0.5 a day, about three or four times a week. It is the rate that
// gives an organization of 100,000 people the "millions of login events in
// 180 days" a real one of that size has (9 million), and what makes the audit
// log the longest list to read. `simulate`, the demo and the benchmarks say
// which rate they use; the Go zero value of Options means one login per user
// (the newest one, which is all the inventory records).
const DefaultLoginsPerUserDay = 0.5

// loginHistoryDays is how far back the history of each user's logins goes:
// past the 180 days the collector reads by default, so that a window's lower
// bound cuts a history rather than falls at its start.
const loginHistoryDays = 200

// login is one login.succeeded event, kept small: a million-user
// organization at the default rate has some 90 million of them.
type login struct {
	at   int64
	user int32 // index in inv.Users
}

// auditLog is every login of the organization, newest first, ties by user.
type auditLog struct {
	events []login
	users  []inventory.User
	byID   map[string]int32
	// actors are each user's "actor" object, encoded once: a page is
	// then written by appending, which keeps the simulator from being
	// what a collection benchmark measures.
	actors [][]byte
	// other are the events beyond logins (Options.AuditEvents).
	other *otherEvents
}

// newAuditLog holds each user's newest login as the inventory records it
// and, with perDay > 0, a history of earlier ones at about perDay a day,
// never after the newest one nor before the user was added: the newest
// login of every user, and so the inventory collected, stays the same
// whatever the rate.
func newAuditLog(inv *inventory.Inventory, perDay float64, seed uint64) *auditLog {
	a := &auditLog{users: inv.Users, byID: make(map[string]int32, len(inv.Users)), actors: make([][]byte, len(inv.Users))}
	r := rand.New(rand.NewPCG(seed, 0x6c6f67696e73))
	for i, u := range inv.Users {
		a.byID[u.ID] = int32(i)
		actor, err := json.Marshal(map[string]any{"type": "session", "session": map[string]any{
			"user":       map[string]any{"id": u.ID, "email": u.Email},
			"ip_address": "192.0.2.10", "user_agent": "Mozilla/5.0 (simulator)",
		}})
		if err != nil {
			panic(fmt.Sprintf("simulator: encode the login actor of %s: %v", u.ID, err))
		}
		a.actors[i] = actor
		newest := u.ActivitySignals.AuditLogLoginAt
		if newest == nil {
			continue
		}
		a.events = append(a.events, login{at: *newest, user: int32(i)})
		if perDay <= 0 {
			continue
		}
		// Gaps drawn around 1/perDay days, so the count over the history
		// averages perDay a day.
		mean := 86400 / perDay
		t := float64(*newest)
		floor := float64(*newest - loginHistoryDays*86400)
		if u.AddedAt != nil {
			floor = max(float64(*u.AddedAt), floor)
		}
		for {
			t -= 1 + r.ExpFloat64()*mean
			if t < floor {
				break
			}
			a.events = append(a.events, login{at: int64(t), user: int32(i)})
		}
	}
	slices.SortFunc(a.events, compareLogins)
	// Two logins of one user in the same second would share an id.
	a.events = slices.CompactFunc(a.events, func(x, y login) bool { return x == y })
	return a
}

// compareLogins orders the log: newest first, then by user.
func compareLogins(x, y login) int {
	return cmp.Or(cmp.Compare(y.at, x.at), cmp.Compare(x.user, y.user))
}

// Len is the number of events.
func (a *auditLog) Len() int { return len(a.events) }

func (a *auditLog) id(e login) string {
	return fmt.Sprintf("audit_log-%s-%d", a.users[e.user].ID, e.at)
}

// position finds the event an `after` cursor names.
func (a *auditLog) position(id string) (int, bool) {
	rest, ok := strings.CutPrefix(id, "audit_log-")
	cut := strings.LastIndexByte(rest, '-')
	if !ok || cut < 0 {
		return 0, false
	}
	at, err := strconv.ParseInt(rest[cut+1:], 10, 64)
	user, known := a.byID[rest[:cut]]
	if err != nil || !known {
		return 0, false
	}
	want := login{at: at, user: user}
	return slices.BinarySearchFunc(a.events, want, compareLogins)
}

// firstBelow is the index of the first event older than t (at < t).
func (a *auditLog) firstBelow(t int64) int {
	i, _ := slices.BinarySearchFunc(a.events, t, func(e login, t int64) int {
		if e.at >= t {
			return -1
		}
		return 1
	})
	return i
}

// serve answers GET /organization/audit_logs for login.succeeded events:
// effective_at[gt|gte|lt|lte] bound the window, after= pages through it,
// newest first.
func (a *auditLog) serve(r *http.Request, maxPage int) (any, error) {
	q := r.URL.Query()
	types := q["event_types[]"]
	wantLogins := len(types) == 0 || slices.Contains(types, "login.succeeded")
	lo, hi := int64(math.MinInt64), int64(math.MaxInt64)
	for _, b := range []struct {
		name  string
		apply func(int64)
	}{
		{"gte", func(t int64) { lo = max(lo, t) }},
		{"gt", func(t int64) { lo = max(lo, t+1) }},
		{"lt", func(t int64) { hi = min(hi, t) }},
		{"lte", func(t int64) { hi = min(hi, t+1) }},
	} {
		v := q.Get("effective_at[" + b.name + "]")
		if v == "" {
			continue
		}
		t, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return nil, apiErr(http.StatusBadRequest, "Invalid 'effective_at["+b.name+"]': "+v, "invalid_value")
		}
		b.apply(t)
	}
	if a.other != nil && slices.ContainsFunc(a.other.events, func(e AuditEvent) bool { return len(types) == 0 || slices.Contains(types, e.Type) }) {
		return a.serveMixed(r, maxPage, wantLogins, types, lo, hi)
	}
	start, end := 0, len(a.events)
	if hi != math.MaxInt64 {
		start = a.firstBelow(hi)
	}
	if lo != math.MinInt64 {
		end = a.firstBelow(lo)
	}
	limit, next, err := pageCursor(q, maxPage, a.position)
	if err != nil {
		return nil, err
	}
	start = max(start, next)
	if !wantLogins || start > end {
		start = end
	}
	stop := min(start+limit, end)
	b := make([]byte, 0, 64+(stop-start)*(220+len(a.idPrefix(start, stop))))
	b = append(b, `{"object":"list","data":[`...)
	for i, e := range a.events[start:stop] {
		if i > 0 {
			b = append(b, ',')
		}
		b = a.appendLogin(b, e)
	}
	b = append(b, `],"has_more":`...)
	b = strconv.AppendBool(b, stop < end)
	if stop > start {
		b = append(b, `,"first_id":`...)
		b = strconv.AppendQuote(b, a.id(a.events[start]))
		b = append(b, `,"last_id":`...)
		b = strconv.AppendQuote(b, a.id(a.events[stop-1]))
	} else {
		b = append(b, `,"first_id":null,"last_id":null`...)
	}
	b = append(b, '}')
	return raw{Blob{MIMEType: "application/json", Data: b}}, nil
}

// appendLogin appends the JSON of one login event to b.
func (a *auditLog) appendLogin(b []byte, e login) []byte {
	b = append(b, `{"object":"organization.audit_log","id":`...)
	b = strconv.AppendQuote(b, a.id(e))
	b = append(b, `,"type":"login.succeeded","effective_at":`...)
	b = strconv.AppendInt(b, e.at, 10)
	b = append(b, `,"actor":`...)
	b = append(b, a.actors[e.user]...)
	return append(b, '}')
}

func (a *auditLog) loginJSON(e login) []byte { return a.appendLogin(nil, e) }

// idPrefix is a typical id of the page, to size its buffer.
func (a *auditLog) idPrefix(start, stop int) string {
	if start >= stop {
		return ""
	}
	return a.id(a.events[start])
}
