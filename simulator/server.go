package simulator

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/openai-casb/openai-casb/inventory"
)

// Fake keys the simulator accepts by default. They are not secrets: they
// only open the simulator.
const (
	DefaultAdminKey      = "sk-admin-SIMULATOR-0000-not-a-real-key"
	DefaultComplianceKey = DefaultAdminKey
	// DefaultProjectKey is the project key `simulate --as project-key`
	// hands out, to show what a scan with the wrong kind of key meets.
	DefaultProjectKey = "sk-proj-SIMULATOR-0000-not-a-real-key"
)

// Options shape how the simulator behaves.
type Options struct {
	// AdminKey is the bearer token the Admin API routes accept;
	// DefaultAdminKey when empty.
	AdminKey string
	// ComplianceKey is the bearer token the Compliance API routes accept;
	// the admin key when empty.
	ComplianceKey string
	// MaxPageSize caps every page below the client's limit (the APIs allow
	// up to 100); 0 means 100.
	MaxPageSize int
	// Latency delays every response.
	Latency time.Duration
	// Faults are injected in order: a request takes the first fault that
	// matches it and has answers left.
	Faults []Fault
	// FaultRate answers this fraction of requests (0 to 1) with a random
	// transient fault (429 with Retry-After: 0, 500, 502 or 503), drawn
	// from FaultSeed.
	FaultRate float64
	FaultSeed uint64
	// ComplianceForbidden answers every Compliance API request with 403, as
	// for a key without the compliance scopes.
	ComplianceForbidden bool
	// ProjectKey, when set, is a key the simulator knows as a project key
	// (sk-proj-…), as a user may pass by mistake: the Admin API answers it
	// 403 for missing permissions, the Compliance API 401.
	ProjectKey string
	// LatencyJitter moves each response's Latency by a uniform amount of
	// up to plus or minus this much.
	LatencyJitter time.Duration
	// RateLimit answers 429 with Retry-After past this many requests per
	// minute on each route (counted per route pattern, as the APIs
	// count); 0 means no limit.
	RateLimit int
	// ComplianceRateLimit is the same for the Compliance API's routes;
	// RateLimit when zero, no limit when negative. The CLI defaults it to
	// DefaultComplianceRateLimit, as the real API does.
	ComplianceRateLimit int
	// Now is the rate limits' clock; the wall clock when nil.
	Now func() time.Time
	// LoginsPerUserDay adds a history of earlier logins to each user's
	// newest one, about this many a day (DefaultLoginsPerUserDay is
	// realistic); zero serves the newest login of each user only. The
	// history never changes a user's newest login.
	LoginsPerUserDay float64
	// AuditLogDisabled answers the audit log with the error of an
	// organization that never switched audit logging on.
	AuditLogDisabled bool
	// LegacyInviteTimestamps writes invites' send time as invited_at, as
	// older API responses did, instead of created_at.
	LegacyInviteTimestamps bool
	// Content is the workspace's files, projects and conversations, for
	// DLP; GPT knowledge files of the inventory are served either way.
	Content *Content
	// Forbidden names routes (as Stats.ByRoute names them, e.g.
	// "compliance logs" or "admin audit_logs") that answer 403, as for a
	// key without that route's read scope: the other routes answer.
	Forbidden []string
	// Items replaces what an Admin API list route serves (named by its
	// pattern: "projects", "projects/{id}/api_keys", "users", ...) with
	// these items, each an object (with a string id, or served without one),
	// paged like any list (the roles and groups lists with next); a route
	// that answers one object (data_retention, spend_limit, a project's
	// settings) answers the first item.
	// On per-project routes every project answers them, except projects
	// whose item says status "archived", which answer 400 on the routes the
	// API refuses for them. Contract tests drive the collector with
	// generated spec-valid answers this way.
	Items map[string][]json.RawMessage
	// Shapes selects how answers are shaped: "" serves each object the way
	// the inventory holds it; ShapesSpec serves the edge cases the official
	// spec and the Compliance API evidence allow (see shapes.go).
	Shapes string
	// OmitNewUserFields leaves out the users list's newer fields
	// (api_key_last_used_at, is_service_account, is_scim_managed, user), as
	// older API versions did.
	OmitNewUserFields bool
	// AuditEvents are audit-log events beyond the logins, served with them
	// (see Changes): the events of changes made since an earlier
	// collection.
	AuditEvents []AuditEvent
}

// Fault is one injected misbehaviour.
type Fault struct {
	// Path selects requests whose URL path contains it; "" selects all.
	Path string
	// Times is how many matching requests get the fault; 0 means all.
	Times int
	// Status answers with this status and an API error body, e.g. 429 or
	// 503. Zero leaves the status alone (use with Truncate or Delay).
	Status int
	// RetryAfter, when set, is sent as the Retry-After header.
	RetryAfter string
	// Truncate answers 200 with the first half of the real body.
	Truncate bool
	// Delay holds the answer back this long (or until the client gives up).
	Delay time.Duration

	used atomic.Int64
}

// Server serves the Admin API and the Compliance API of one organization
// under /v1. It is safe for concurrent use.
type Server struct {
	estate  *estateData
	inv     *inventory.Inventory
	opts    Options
	data    *apiData
	audit   *auditLog
	limits  *rateLimits
	content *contentData
	mux     *http.ServeMux

	mu       sync.Mutex
	rng      *rand.Rand
	byRoute  map[string]int64
	requests atomic.Int64
	inFlight atomic.Int64
	maxIn    atomic.Int64
}

// Stats counts what the simulator has served.
type Stats struct {
	Requests    int64
	ByRoute     map[string]int64
	MaxInFlight int64
}

// New makes a simulator serving inv.
func New(inv *inventory.Inventory, opts Options) *Server {
	if opts.AdminKey == "" {
		opts.AdminKey = DefaultAdminKey
	}
	if opts.ComplianceKey == "" {
		opts.ComplianceKey = opts.AdminKey
	}
	if opts.MaxPageSize <= 0 || opts.MaxPageSize > 100 {
		opts.MaxPageSize = 100
	}
	s := &Server{
		inv: inv, opts: opts, data: encodeAPI(inv, opts), estate: encodeEstate(inv), audit: newAuditLog(inv, opts.LoginsPerUserDay, opts.FaultSeed),
		limits: newRateLimits(opts), content: prepareContent(inv, opts.Content, opts.Shapes == ShapesSpec), mux: http.NewServeMux(),
		rng:     rand.New(rand.NewPCG(opts.FaultSeed, 7)),
		byRoute: map[string]int64{},
	}
	if len(opts.AuditEvents) > 0 {
		s.audit.other = newOtherEvents(opts.AuditEvents)
	}
	s.routes()
	return s
}

// Inventory is the organization being served.
func (s *Server) Inventory() *inventory.Inventory { return s.inv }

// Stats returns the counts so far.
func (s *Server) Stats() Stats {
	s.mu.Lock()
	defer s.mu.Unlock()
	by := make(map[string]int64, len(s.byRoute))
	for k, v := range s.byRoute {
		by[k] = v
	}
	return Stats{Requests: s.requests.Load(), ByRoute: by, MaxInFlight: s.maxIn.Load()}
}

// The estate's routes that answer one object (Options.Items serves its
// first item as the answer), and those whose lists page with next.
var (
	objectRoutes = map[string]bool{"data_retention": true, "spend_limit": true, "projects/{id}/data_retention": true,
		"projects/{id}/model_permissions": true, "projects/{id}/hosted_tool_permissions": true, "projects/{id}/spend_limit": true}
	cursorRoutes = map[string]bool{"roles": true, "groups": true, "groups/{id}/users": true, "groups/{id}/roles": true, "users/{id}/roles": true}
)

const (
	adminAPI      = "admin"
	complianceAPI = "compliance"
)

func (s *Server) routes() {
	overrides, archived := s.overrides()
	admin := func(pattern string, h func(http.ResponseWriter, *http.Request) (any, error)) {
		if l, ok := overrides[pattern]; ok {
			refuses := pattern == "projects/{id}/users" || pattern == "projects/{id}/service_accounts"
			h = func(w http.ResponseWriter, r *http.Request) (any, error) {
				if id := r.PathValue("id"); refuses && archived[id] {
					return nil, apiErr(http.StatusBadRequest, "Project "+id+" is archived", "project_archived")
				}
				switch {
				case objectRoutes[pattern] && len(l.items) > 0:
					return json.RawMessage(l.items[0]), nil
				case cursorRoutes[pattern]:
					return cursorPage(r, l, s.opts.MaxPageSize)
				}
				return page(r, l, s.opts.MaxPageSize, true)
			}
		}
		s.mux.Handle("GET /v1/organization/"+pattern, s.wrap(adminAPI, pattern, h))
	}
	comp := func(pattern string, h func(http.ResponseWriter, *http.Request) (any, error)) {
		s.mux.Handle("GET /v1/compliance/workspaces/{ws}/"+pattern, s.wrap(complianceAPI, pattern, h))
	}
	d := s.data
	admin("admin_api_keys", func(w http.ResponseWriter, r *http.Request) (any, error) {
		if r.URL.Query().Get("order") == "desc" {
			return page(r, reversed(d.adminKeys), s.opts.MaxPageSize, true)
		}
		return page(r, d.adminKeys, s.opts.MaxPageSize, true)
	})
	admin("projects", func(w http.ResponseWriter, r *http.Request) (any, error) {
		if r.URL.Query().Get("include_archived") == "true" {
			return page(r, d.projects, s.opts.MaxPageSize, true)
		}
		return page(r, d.active, s.opts.MaxPageSize, true)
	})
	admin("projects/{id}/api_keys", func(w http.ResponseWriter, r *http.Request) (any, error) {
		id := r.PathValue("id")
		keys, ok := d.keys[id]
		if !ok {
			return nil, apiErr(http.StatusNotFound, "No such project: "+id, "not_found")
		}
		if r.URL.Query().Get("owner_project_access") != "any" {
			keys = d.activeKeys[id]
		}
		return page(r, keys, s.opts.MaxPageSize, true)
	})
	admin("projects/{id}/service_accounts", func(w http.ResponseWriter, r *http.Request) (any, error) {
		id := r.PathValue("id")
		if d.archived[id] {
			return nil, apiErr(http.StatusBadRequest, "Project "+id+" is archived", "project_archived")
		}
		l, ok := d.accounts[id]
		if !ok {
			return nil, apiErr(http.StatusNotFound, "No such project: "+id, "not_found")
		}
		return page(r, l, s.opts.MaxPageSize, true)
	})
	admin("projects/{id}/users", func(w http.ResponseWriter, r *http.Request) (any, error) {
		// As the official spec documents since 2024-12: "Error response
		// when project is archived".
		if id := r.PathValue("id"); d.archived[id] {
			return nil, apiErr(http.StatusBadRequest, "Project "+id+" is archived", "project_archived")
		}
		l, ok := d.members[r.PathValue("id")]
		if !ok {
			return nil, apiErr(http.StatusNotFound, "No such project: "+r.PathValue("id"), "not_found")
		}
		return page(r, l, s.opts.MaxPageSize, true)
	})
	admin("users", func(w http.ResponseWriter, r *http.Request) (any, error) {
		return page(r, d.users, s.opts.MaxPageSize, true)
	})
	admin("invites", func(w http.ResponseWriter, r *http.Request) (any, error) {
		return page(r, d.invites, s.opts.MaxPageSize, true)
	})
	admin("audit_logs", s.auditLogs)
	comp("gpts", func(w http.ResponseWriter, r *http.Request) (any, error) {
		return page(r, d.gpts, s.opts.MaxPageSize, false)
	})
	comp("users", func(w http.ResponseWriter, r *http.Request) (any, error) {
		return page(r, d.wsUsers, s.opts.MaxPageSize, false)
	})
	s.estateRoutes(admin)
	s.opaqueRoutes(comp)
	s.contentRoutes(comp)
	s.mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeErr(w, apiErr(http.StatusNotFound, fmt.Sprintf("Unknown request URL: %s %s", r.Method, r.URL.Path), "unknown_url"))
	})
}

func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.mux.ServeHTTP(w, r) }

// overrides turns Options.Items into lists, and notes the projects whose
// item says they are archived.
func (s *Server) overrides() (map[string]*list, map[string]bool) {
	lists := map[string]*list{}
	archived := map[string]bool{}
	for pattern, items := range s.opts.Items {
		l := newList(len(items))
		for i, raw := range items {
			var head struct {
				ID     string  `json:"id"`
				Status *string `json:"status"`
			}
			if err := json.Unmarshal(raw, &head); err != nil {
				panic(fmt.Sprintf("simulator: an item of %s is not an object: %s", pattern, raw))
			}
			if head.ID == "" {
				// Served as it is, without an id; the list pages by position.
				head.ID = fmt.Sprintf("(item %d without id)", i)
			}
			l.index[head.ID] = len(l.items)
			l.items = append(l.items, raw)
			l.ids = append(l.ids, head.ID)
			if pattern == "projects" && head.Status != nil && *head.Status == "archived" {
				archived[head.ID] = true
			}
		}
		lists[pattern] = l
	}
	return lists, archived
}

// wrap adds what every route shares: counting, latency, authentication,
// faults, and writing the answer.
func (s *Server) wrap(api, pattern string, h func(http.ResponseWriter, *http.Request) (any, error)) http.Handler {
	route := api + " " + pattern
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.requests.Add(1)
		n := s.inFlight.Add(1)
		defer s.inFlight.Add(-1)
		for {
			m := s.maxIn.Load()
			if n <= m || s.maxIn.CompareAndSwap(m, n) {
				break
			}
		}
		s.mu.Lock()
		s.byRoute[route]++
		s.mu.Unlock()

		if !wait(r, s.latency()) {
			return
		}
		if d, ok := s.limits.take(api, route); !ok {
			tooMany(w, d)
			return
		}
		if api == adminAPI {
			// As the real API does: which organization answered.
			w.Header().Set("Openai-Organization", s.inv.Organization.ID)
		}
		if err := s.authorize(api, r); err != nil {
			writeErr(w, err)
			return
		}
		if slices.Contains(s.opts.Forbidden, route) {
			// The scopes' names are not public: the message names none.
			writeErr(w, apiErr(http.StatusForbidden, "You have insufficient permissions for this operation: the key may not read "+pattern+".", "insufficient_permissions"))
			return
		}
		if api == complianceAPI && r.PathValue("ws") != s.workspaceID() {
			writeErr(w, apiErr(http.StatusNotFound, "No such workspace: "+r.PathValue("ws"), "workspace_not_found"))
			return
		}
		f := s.fault(r)
		if f != nil {
			if !wait(r, f.Delay) {
				return
			}
			if f.RetryAfter != "" {
				w.Header().Set("Retry-After", f.RetryAfter)
			}
			if f.Status != 0 {
				writeErr(w, apiErr(f.Status, fmt.Sprintf("Simulated fault: %d %s", f.Status, http.StatusText(f.Status)), "simulated_fault"))
				return
			}
		}
		body, err := h(w, r)
		if err != nil {
			writeErr(w, err)
			return
		}
		if b, ok := body.(raw); ok {
			writeBlob(w, b.blob, f != nil && f.Truncate)
			return
		}
		raw, err := json.Marshal(body)
		if err != nil {
			writeErr(w, apiErr(http.StatusInternalServerError, err.Error(), "server_error"))
			return
		}
		w.Header().Set("Content-Type", "application/json")
		if f != nil && f.Truncate {
			raw = raw[:len(raw)/2]
		}
		w.Write(raw)
	})
}

func (s *Server) workspaceID() string {
	if s.inv.Workspace == nil {
		return ""
	}
	return s.inv.Workspace.ID
}

// wait sleeps d unless the client goes away first.
func wait(r *http.Request, d time.Duration) bool {
	if d <= 0 {
		return true
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-r.Context().Done():
		return false
	}
}

func (s *Server) authorize(api string, r *http.Request) error {
	want := s.opts.AdminKey
	if api == complianceAPI {
		want = s.opts.ComplianceKey
	}
	got, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if ok && got != "" && got == s.opts.ProjectKey && api == adminAPI {
		// What the Admin API answers a key that is not an admin key. The
		// exact message is not documented; this follows the shape of the
		// API's other permission errors.
		return apiErr(http.StatusForbidden, "You have insufficient permissions for this operation. Missing scopes: api.management.read. Check that you have the correct role in your organization, and if you're using a restricted API key, that it has the necessary scopes.", "insufficient_permissions")
	}
	if !ok || got != want {
		return apiErr(http.StatusUnauthorized, "Incorrect API key provided: "+mask(got)+". You can find your API key at https://platform.openai.com/account/api-keys.", "invalid_api_key")
	}
	if api == complianceAPI && s.opts.ComplianceForbidden {
		return apiErr(http.StatusForbidden, "You have insufficient permissions for this operation. Missing scopes: api.compliance.read.", "insufficient_permissions")
	}
	return nil
}

// mask shows a key the way the real API's error messages do: its first
// and last characters around stars.
func mask(key string) string {
	if len(key) < 12 {
		return strings.Repeat("*", len(key))
	}
	return key[:8] + strings.Repeat("*", len(key)-12) + key[len(key)-4:]
}

func (s *Server) fault(r *http.Request) *Fault {
	for i := range s.opts.Faults {
		f := &s.opts.Faults[i]
		if f.Path != "" && !strings.Contains(r.URL.Path, f.Path) {
			continue
		}
		if f.Times > 0 && f.used.Add(1) > int64(f.Times) {
			continue
		}
		return f
	}
	if s.opts.FaultRate > 0 {
		s.mu.Lock()
		hit := s.rng.Float64() < s.opts.FaultRate
		kind := s.rng.IntN(4)
		s.mu.Unlock()
		if hit {
			return [...]*Fault{
				{Status: http.StatusTooManyRequests, RetryAfter: "0"},
				{Status: http.StatusInternalServerError},
				{Status: http.StatusBadGateway},
				{Status: http.StatusServiceUnavailable},
			}[kind]
		}
	}
	return nil
}

func (s *Server) auditLogs(w http.ResponseWriter, r *http.Request) (any, error) {
	if s.opts.AuditLogDisabled {
		return nil, apiErr(http.StatusBadRequest, "Audit logging is not enabled for this organization. Enable it in your organization settings.", "audit_logging_disabled")
	}
	return s.audit.serve(r, s.opts.MaxPageSize)
}

// pageLimit reads a list's limit: 1 to 100, 20 when absent.
func pageLimit(v string) (int, error) {
	if v == "" {
		return 20, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || n > 100 {
		return 0, apiErr(http.StatusBadRequest, "Invalid 'limit': "+v+". Expected an integer between 1 and 100.", "invalid_value")
	}
	return n, nil
}

// pageCursor reads a list request's limit (at most maxPage) and its after
// cursor: next is the position just past the item after names (found by
// position), 0 without a cursor.
func pageCursor(q url.Values, maxPage int, position func(id string) (int, bool)) (limit, next int, err error) {
	limit, err = pageLimit(q.Get("limit"))
	if err != nil {
		return 0, 0, err
	}
	if after := q.Get("after"); after != "" {
		i, ok := position(after)
		if !ok {
			return 0, 0, apiErr(http.StatusBadRequest, "Invalid 'after': no object with id "+after, "invalid_value")
		}
		next = i + 1
	}
	return min(limit, maxPage), next, nil
}

// page answers one page of l for the request's limit and after.
func page(r *http.Request, l *list, maxPage int, firstID bool) (any, error) {
	limit, start, err := pageCursor(r.URL.Query(), maxPage, func(id string) (int, bool) {
		i, ok := l.index[id]
		return i, ok
	})
	if err != nil {
		return nil, err
	}
	end := min(start+limit, len(l.items))
	items := l.items[start:end]
	data := make([]json.RawMessage, len(items))
	for i, it := range items {
		data[i] = it
	}
	resp := map[string]any{"object": "list", "data": data, "has_more": end < len(l.items), "last_id": nil}
	if firstID {
		resp["first_id"] = nil
	}
	if len(items) > 0 {
		resp["last_id"] = l.ids[end-1]
		if firstID {
			resp["first_id"] = l.ids[start]
		}
	}
	return resp, nil
}

func reversed(l *list) *list {
	r := newList(len(l.items))
	for i := len(l.items) - 1; i >= 0; i-- {
		r.items = append(r.items, l.items[i])
		r.ids = append(r.ids, l.ids[i])
	}
	for i, id := range r.ids {
		r.index[id] = i
	}
	return r
}

// apiError is an error answer in the APIs' envelope.
type apiError struct {
	status  int
	message string
	code    string
}

func (e *apiError) Error() string { return e.message }

func apiErr(status int, message, code string) error {
	return &apiError{status: status, message: message, code: code}
}

func writeErr(w http.ResponseWriter, err error) {
	e, ok := err.(*apiError)
	if !ok {
		e = &apiError{status: http.StatusInternalServerError, message: err.Error(), code: "server_error"}
	}
	typ := "invalid_request_error"
	if e.status >= 500 {
		typ = "server_error"
	}
	var buf bytes.Buffer
	json.NewEncoder(&buf).Encode(map[string]any{"error": map[string]any{"message": e.message, "type": typ, "param": nil, "code": e.code}})
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(e.status)
	w.Write(buf.Bytes())
}
