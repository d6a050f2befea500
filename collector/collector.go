// Package collector reads an OpenAI organization through the Admin API and
// its ChatGPT Enterprise workspace through the Compliance API, and
// normalizes what it reads into an inventory. It pages every list to its
// end, retries transient faults, paces the Compliance API, reads independent
// lists concurrently, and records in the inventory's sources how completely
// each list was read. Keys are only ever sent in Authorization headers.
package collector

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/openai-casb/openai-casb/internal/scrub"
	"github.com/openai-casb/openai-casb/inventory"
)

// Default endpoints.
const (
	DefaultAdminBaseURL      = "https://api.openai.com/v1"
	DefaultComplianceBaseURL = "https://api.chatgpt.com/v1"
)

// Options configure a collection.
type Options struct {
	// AdminBaseURL and ComplianceBaseURL are the APIs' base URLs; see
	// ParseBaseURL for what is accepted.
	AdminBaseURL, ComplianceBaseURL string
	// AdminKey reads the Admin API. KeyFrom fields say where a key came
	// from (an environment variable or a file) for messages, which never
	// contain the key itself.
	AdminKey, AdminKeyFrom string
	// ComplianceKey reads the Compliance API; the admin key when empty.
	ComplianceKey, ComplianceKeyFrom string
	// OrganizationID, when set, is sent as OpenAI-Organization.
	OrganizationID string
	// WorkspaceID is the ChatGPT workspace; without it the Compliance API
	// lists are skipped.
	WorkspaceID string
	// Concurrency is the most requests in flight at once; 4 when zero.
	Concurrency int
	// AuditLogDays is how far back login events are read; 180 when zero.
	AuditLogDays int
	// Sources, when not nil, are the only lists read (the sources an
	// enabled policy reads, see inventory.SourcesReading); every other
	// list is recorded as skipped, with inventory.ReasonNotNeeded. The lists others
	// depend on are read for them: the projects for their keys, service
	// accounts and members, the GPTs for their files. DLP's lists follow
	// DLP. Nil reads everything.
	Sources []string
	// Previous is the state a previous collection of the organization left
	// (ReadState), for an incremental rescan: the audit log is then read
	// from its high-water mark on. Nil collects everything.
	Previous *State
	// SettingsMaxAge bounds how old a project's settings taken from
	// Previous may be (see settings.go): zero or less reads every
	// project's settings each time. The CLI's default is
	// DefaultSettingsMaxAge.
	SettingsMaxAge time.Duration
	// KeepState, when set, receives the state this collection leaves for
	// the next one, once, after it.
	KeepState func(*State)
	// AuditLogSlices is the most time slices of the audit log read at
	// once (see auditlog.go); 4 × Concurrency when zero, 1 for one
	// sequential chain.
	AuditLogSlices int
	// ComplianceRequestsPerMinute paces each Compliance API route: at most
	// this many requests in any minute, counted from their answers (see
	// pacer); 100 when zero, negative for no pacing.
	ComplianceRequestsPerMinute int
	// MaxPages is the most pages read of one list, a bound for a cursor
	// that always advances; DefaultMaxPages when zero.
	MaxPages int
	// MaxResponseBytes is the most read of one JSON answer (a page);
	// DefaultMaxResponseBytes when zero. A larger answer fails the list.
	MaxResponseBytes int64
	// Deadline, when positive, bounds the whole collection: lists not read
	// by then are recorded as partial or failed, with the reason, and
	// what was read is kept.
	Deadline time.Duration
	// Retry bounds retries; DefaultRetryPolicy when zero.
	Retry RetryPolicy
	// HTTPClient sends the requests; a client with sane transport timeouts
	// when nil.
	HTTPClient *http.Client
	// Clock is the time source; the wall clock when nil.
	Clock Clock
	// Progress, when set, is told the number of items read so far of a
	// list after every page. It is called from several goroutines.
	Progress func(source string, items int)
	// ListDone, when set, is told each time one list of source has been
	// read to its end or has stopped: once for a top-level list, once per
	// project for a project's keys, service accounts and members.
	ListDone func(source string)
	// Waiting, when set, is told each time a request waits d for the rate
	// limit: its route's turn under ComplianceRequestsPerMinute, or the
	// Retry-After of a 429. It is called from several goroutines.
	Waiting func(route string, d time.Duration)
	// Debug, when set, receives a line per request and retry, with the
	// Authorization header redacted.
	Debug func(format string, a ...any)
	// Warn, when set, is told once per distinct value or field the APIs
	// sent that this version does not know (the resource is kept, with the
	// value as sent), after the collection, in a stable order.
	Warn func(msg string)
	// Record, when set, is a new or empty directory that receives every
	// API answer (see recording.go); Replay, when set, is such a directory,
	// answered from instead of the network.
	Record, Replay string
	// Tool names the program in the inventory.
	Tool inventory.Tool
	// debugging: the caller set Debug (defaults fills in a no-op).
	debugging bool
	// DLP, when set, also fetches and scans the workspace's files.
	DLP *DLP
	// Secrets, when set, scans each GPT's instructions and its actions'
	// OpenAPI texts for credentials (no download needed: the GPTs list
	// holds them); only its redacted results are kept.
	Secrets TextScanner
}

// DefaultMaxPages is the page cap of one list: 10 million items at 100 a
// page, beyond any real organization.
const DefaultMaxPages = 100_000

// DefaultMaxResponseBytes is the size cap of one JSON answer: a page of
// 100 items is some kilobytes, so 64 MiB leaves room for any real one.
const DefaultMaxResponseBytes = 64 << 20

// ParseBaseURL checks an API base URL: https, or plain http for a loopback
// host only (a simulator on this machine), since keys travel in its headers.
// Messages show the URL without its password, if it has one.
func ParseBaseURL(flag, raw string) (*url.URL, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return nil, fmt.Errorf("%s %q: not a URL; want one such as %s", flag, redactUserinfo(raw), DefaultAdminBaseURL)
	}
	raw = u.Redacted()
	switch u.Scheme {
	case "https":
	case "http":
		if !isLoopback(u.Hostname()) {
			return nil, fmt.Errorf("%s %q: plain http is only allowed for loopback hosts (127.0.0.1, ::1, localhost); API keys would cross the network unencrypted. Use https", flag, raw)
		}
	default:
		return nil, fmt.Errorf("%s %q: want an http(s) URL such as %s", flag, raw, DefaultAdminBaseURL)
	}
	if u.Host == "" {
		return nil, fmt.Errorf("%s %q: the URL has no host", flag, raw)
	}
	if u.RawQuery != "" || u.Fragment != "" {
		return nil, fmt.Errorf("%s %q: a base URL takes no query or fragment", flag, raw)
	}
	return u, nil
}

// redactUserinfo hides the password of a URL that does not parse: what
// stands between "://" and the last "@" before the path.
func redactUserinfo(raw string) string {
	i := strings.Index(raw, "://")
	if i < 0 {
		return raw
	}
	rest := raw[i+3:]
	end := strings.IndexAny(rest, "/?#")
	if end < 0 {
		end = len(rest)
	}
	if at := strings.LastIndex(rest[:end], "@"); at >= 0 {
		return raw[:i+3] + "xxxxx" + rest[at:]
	}
	return raw
}

func (o *Options) defaults() error {
	if o.AdminKey == "" {
		return errors.New("no admin key: set OPENAI_ADMIN_KEY or use --admin-key-file")
	}
	if o.AdminKeyFrom == "" {
		o.AdminKeyFrom = "OPENAI_ADMIN_KEY"
	}
	if o.ComplianceKey == "" {
		o.ComplianceKey, o.ComplianceKeyFrom = o.AdminKey, o.AdminKeyFrom+" (CHATGPT_COMPLIANCE_KEY is not set)"
	}
	if o.ComplianceKeyFrom == "" {
		o.ComplianceKeyFrom = "CHATGPT_COMPLIANCE_KEY"
	}
	if o.AdminBaseURL == "" {
		o.AdminBaseURL = DefaultAdminBaseURL
	}
	if o.ComplianceBaseURL == "" {
		o.ComplianceBaseURL = DefaultComplianceBaseURL
	}
	if o.Concurrency <= 0 {
		o.Concurrency = 4
	}
	if o.AuditLogDays <= 0 {
		o.AuditLogDays = 180
	}
	if o.ComplianceRequestsPerMinute == 0 {
		o.ComplianceRequestsPerMinute = 100
	}
	if o.MaxPages <= 0 {
		o.MaxPages = DefaultMaxPages
	}
	if o.MaxResponseBytes <= 0 {
		o.MaxResponseBytes = DefaultMaxResponseBytes
	}
	if o.Retry.Attempts <= 0 {
		o.Retry = DefaultRetryPolicy
	}
	if o.HTTPClient == nil {
		o.HTTPClient = &http.Client{Transport: &http.Transport{
			Proxy:               http.ProxyFromEnvironment,
			MaxIdleConnsPerHost: 64,
			TLSHandshakeTimeout: 15 * time.Second,
			IdleConnTimeout:     90 * time.Second,
		}}
	}
	if o.Clock == nil {
		o.Clock = realClock{}
	}
	o.debugging = o.Debug != nil
	if o.Debug == nil {
		o.Debug = func(string, ...any) {}
	}
	if o.Progress == nil {
		o.Progress = func(string, int) {}
	}
	if o.ListDone == nil {
		o.ListDone = func(string) {}
	}
	if o.Tool.Name == "" {
		o.Tool = inventory.Tool{Name: "openai-casb", Version: "dev"}
	}
	return nil
}

// replay points the options at a recording: its answers, its collection
// time and workspace, and no key or pacing needed.
func (o *Options) replay() error {
	m, err := readManifest(o.Replay)
	if err != nil {
		return err
	}
	if o.AdminKey == "" {
		o.AdminKey, o.AdminKeyFrom = "replay-no-key", "the recording"
	}
	o.Clock = fixedClock{t: time.Unix(m.CollectedAt, 0)}
	if o.WorkspaceID == "" {
		o.WorkspaceID = m.WorkspaceID
	}
	if o.OrganizationID == "" {
		o.OrganizationID = m.OrganizationID
	}
	if m.AuditLogDays > 0 {
		o.AuditLogDays = m.AuditLogDays
	}
	o.ComplianceRequestsPerMinute = -1
	o.HTTPClient = &http.Client{Transport: &replayer{dir: o.Replay, count: map[string]int{}}}
	return nil
}

// Collect reads both APIs into an inventory. A list that fails after
// retries is recorded in the inventory's sources as partial or failed, with
// the reason, and the others go on; Collect returns an error only when the
// context is cancelled, the options are unusable, or nothing at all could
// be read (*NothingReadError, with the inventory still returned).
func Collect(ctx context.Context, o Options) (*inventory.Inventory, error) {
	if o.Replay != "" {
		if err := o.replay(); err != nil {
			return nil, err
		}
	}
	if err := o.defaults(); err != nil {
		return nil, err
	}
	adminURL, err := ParseBaseURL("--api-base-url", o.AdminBaseURL)
	if err != nil {
		return nil, err
	}
	compURL, err := ParseBaseURL("--compliance-base-url", o.ComplianceBaseURL)
	if err != nil {
		return nil, err
	}
	sc := o.scrubber()
	now := o.Clock.Now()
	var rec *recorder
	if o.Record != "" {
		if err := createRecording(o.Record, manifest{Version: RecordingVersion, CollectedAt: now.Unix(), WorkspaceID: o.WorkspaceID,
			OrganizationID: o.OrganizationID, AuditLogDays: o.AuditLogDays, Tool: o.Tool.Name + " " + o.Tool.Version}); err != nil {
			return nil, err
		}
		next := o.HTTPClient.Transport
		if next == nil {
			next = http.DefaultTransport
		}
		rec = &recorder{next: next, dir: o.Record, scrub: sc, count: map[string]int{}}
		hc := *o.HTTPClient
		hc.Transport = rec
		o.HTTPClient = &hc
	}
	slots := newSlots(o.Concurrency)
	header := http.Header{}
	header.Set("User-Agent", o.Tool.Name+"/"+o.Tool.Version)
	if o.OrganizationID != "" {
		header.Set("OpenAI-Organization", o.OrganizationID)
	}
	c := &collection{
		o:   o,
		now: now,
		admin: &api{name: adminAPIName, base: adminURL, key: o.AdminKey, keyFrom: o.AdminKeyFrom, header: header, scrub: sc,
			http: o.HTTPClient, retry: o.Retry, slots: slots, debug: o.Debug, clock: o.Clock, waiting: o.Waiting},
		comp: &api{name: complianceAPIName, base: compURL, key: o.ComplianceKey, keyFrom: o.ComplianceKeyFrom, header: header, scrub: sc,
			http: o.HTTPClient, retry: o.Retry, slots: slots, debug: o.Debug, clock: o.Clock, waiting: o.Waiting,
		},
		results: map[string]*result{},
		notes:   &notes{},
		estate:  newEstate(),
	}
	c.comp.pacer = newPacer(o.ComplianceRequestsPerMinute, o.Clock, c.notes)
	c.admin.harden(o, sc)
	c.comp.harden(o, sc)
	cctx := ctx
	if o.Deadline > 0 {
		var cancel context.CancelFunc
		cctx, cancel = context.WithTimeoutCause(ctx, o.Deadline, &DeadlineError{After: o.Deadline})
		defer cancel()
	}
	c.settings = c.newSettingsReuse(cctx)
	c.run(cctx)
	<-c.settings.ready
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if o.Warn != nil {
		// Warnings quote values the servers sent: scrubbed like the rest.
		for _, m := range c.notes.list() {
			o.Warn(sc.String(m))
		}
	}
	inv := c.inventory()
	sc.Value(inv)
	if o.KeepState != nil {
		st := c.newState(inv)
		sc.Value(st.Settings) // the answers kept, as the inventory is
		o.KeepState(st)
	}
	if rec != nil && rec.err != nil {
		return inv, rec.err
	}
	if nothing := c.nothingRead(inv); nothing != nil {
		return inv, nothing
	}
	return inv, nil
}

// scrubber is the one scrubber of the keys, which everything the servers
// send passes before it reaches a debug line, an error, a warning or the
// inventory; o.Debug is wrapped in it.
func (o *Options) scrubber() *scrub.Scrubber {
	sc := scrub.New(o.AdminKey, o.ComplianceKey)
	if debug := o.Debug; o.debugging {
		o.Debug = func(format string, a ...any) { debug("%s", sc.String(fmt.Sprintf(format, a...))) }
	}
	return sc
}

// harden gives a the protections every client of the APIs has: the
// scrubber, the redirect policy, and the page and size caps of o (after
// defaults).
func (a *api) harden(o Options, sc *scrub.Scrubber) *api {
	a.scrub = sc
	a.http = a.withRedirectPolicy(o.HTTPClient)
	a.maxPages, a.maxResponse = o.MaxPages, o.MaxResponseBytes
	return a
}

// result is how one list went.
type result struct {
	stats    listStats
	err      error  // the list stopped here
	bad      int    // items that could not be used
	firstBad error  // the first of them
	skipped  string // reason it was not read at all
	note     string // how it was read, when that is worth saying
}

// collection is one run of Collect.
type collection struct {
	o     Options
	now   time.Time
	admin *api
	comp  *api

	mu      sync.Mutex
	results map[string]*result
	notes   *notes
	// idlessProjects counts the projects kept with a synthetic id, whose
	// children were not asked for.
	idlessProjects int
	adminKey       []inventory.AdminAPIKey
	users          []inventory.User
	userHas        map[string]bool // users whose record had api_key_last_used_at
	invites        []inventory.Invite
	logins         []auditLogin
	gpts           []inventory.GPT
	wsUsers        []inventory.WorkspaceUser
	// chatgptProjects stays nil unless the projects list was read.
	chatgptProjects []inventory.ChatGPTProject
	projects        []*projectResult
	counts          map[string]*atomic.Int64

	mark        *AuditMark // the audit log read completely, for the next state
	dlpReuse    *reuse     // the DLP results to reuse and to keep, for the next state
	files       []inventory.File
	fileResults map[string]*fileResult

	estate   *estate
	settings *settingsReuse
}

type projectResult struct {
	p                   inventory.Project
	keys, accounts, pus *result
}

func (c *collection) run(ctx context.Context) {
	var wg sync.WaitGroup
	top := func(f func()) {
		wg.Add(1)
		go func() { defer wg.Done(); f() }()
	}
	top(func() {
		c.simple(ctx, c.admin, inventory.SourceAdminAPIKeys, "GET /organization/admin_api_keys", "/organization/admin_api_keys", nil, func(raw json.RawMessage) error {
			k, err := normalizeAdminKey(raw, c.notes)
			if err == nil {
				c.adminKey = append(c.adminKey, k)
			}
			return err
		})
	})
	top(func() { c.projectsAndChildren(ctx) })
	top(func() {
		c.userHas = map[string]bool{}
		c.simple(ctx, c.admin, inventory.SourceUsers, "GET /organization/users", "/organization/users", nil, func(raw json.RawMessage) error {
			u, has, err := normalizeUser(raw, c.notes)
			if err == nil {
				c.users = append(c.users, u)
				c.userHas[u.ID] = has
			}
			return err
		})
		c.userRoles(ctx)
	})
	top(func() {
		c.simple(ctx, c.admin, inventory.SourceInvites, "GET /organization/invites", "/organization/invites", nil, func(raw json.RawMessage) error {
			in, err := normalizeInvite(raw, c.notes)
			if err == nil {
				c.invites = append(c.invites, in)
			}
			return err
		})
	})
	top(func() {
		if c.wants(inventory.SourceAuditLogs) {
			c.auditLog(ctx)
		}
	})
	c.organizationEstate(ctx, top)
	if c.o.WorkspaceID == "" {
		reason := "CHATGPT_WORKSPACE_ID is not set: custom GPTs and workspace members were not read, and the Enterprise findings cannot fire"
		c.mu.Lock()
		c.results[inventory.SourceGPTs] = &result{skipped: reason}
		c.results[inventory.SourceWorkspaceUsers] = &result{skipped: reason}
		for _, rt := range opaqueRoutes {
			c.results[rt.source] = &result{skipped: reason}
		}
		if c.o.DLP == nil { // with DLP, fileSourcesOf says why files were not scanned
			c.results[inventory.SourceChatGPTProjects] = &result{skipped: reason}
		}
		c.mu.Unlock()
	} else {
		ws := "/compliance/workspaces/" + url.PathEscape(c.o.WorkspaceID)
		var files *scanner
		if c.o.DLP != nil {
			files = c.newScanner()
			defer files.wait()
			top(func() { files.conversations(ctx, ws) })
		}
		// One read of the projects serves the inventory and, with DLP,
		// names their files.
		top(func() { c.chatGPTProjects(ctx, ws, files) })
		top(func() {
			c.simple(ctx, c.comp, inventory.SourceGPTs, "GET /compliance/workspaces/{workspace_id}/gpts", ws+"/gpts", nil, func(raw json.RawMessage) error {
				g, err := normalizeGPT(raw, c.notes)
				if err == nil {
					gptEstate(&g, raw, c.o.Secrets, c.notes)
					c.gpts = append(c.gpts, g)
					if files != nil && !IsSynthetic(g.ID) { // no path to ask for its files
						files.gptFiles(ctx, ws, g)
					}
				}
				return err
			})
		})
		c.opaqueLists(ctx, ws, top)
		top(func() {
			c.simple(ctx, c.comp, inventory.SourceWorkspaceUsers, "GET /compliance/workspaces/{workspace_id}/users", ws+"/users", nil, func(raw json.RawMessage) error {
				u, err := normalizeWorkspaceUser(raw, c.notes)
				if err == nil {
					c.wsUsers = append(c.wsUsers, u)
				}
				return err
			})
		})
	}
	wg.Wait()
}

// simple reads one top-level list. keep stores an item or says why it
// cannot be used; one bad item does not stop the list. Each list's slice is
// only appended to by its own goroutine.
func (c *collection) simple(ctx context.Context, a *api, source, route, path string, q url.Values, keep func(json.RawMessage) error) {
	r := &result{}
	c.mu.Lock()
	c.results[source] = r
	c.mu.Unlock()
	c.read(ctx, a, priorityChain, source, route, path, q, r, keep)
}

// read pages through one list into r, telling Progress the running count
// of its source after every page.
func (c *collection) read(ctx context.Context, a *api, prio int, source, route, path string, q url.Values, r *result, keep func(json.RawMessage) error) {
	if !c.wants(source) {
		return // marked skipped in the inventory
	}
	counter := c.counter(source)
	n := 0
	st, err := a.list(ctx, prio, route, path, q, func(raw json.RawMessage) error {
		// Every item is kept but one that is not an object: no resource.
		err := isObject(raw)
		if err == nil {
			err = keep(raw)
		}
		if err != nil {
			r.bad++
			if r.firstBad == nil {
				r.firstBad = err
			}
			return nil
		}
		n++
		if n%pageLimit == 0 {
			c.o.Progress(source, int(counter.Add(pageLimit)))
		}
		return nil
	})
	c.o.Progress(source, int(counter.Add(int64(n%pageLimit))))
	r.stats, r.err = st, listError(err, a.keyFrom)
	c.o.ListDone(source)
}

func (c *collection) counter(source string) *atomic.Int64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.counts == nil {
		c.counts = map[string]*atomic.Int64{}
	}
	if _, ok := c.counts[source]; !ok {
		c.counts[source] = &atomic.Int64{}
	}
	return c.counts[source]
}

// projectsAndChildren reads the projects, archived ones included, and
// starts reading each project's keys, service accounts and members as soon
// as its page arrives, so the children of early projects are read while
// later pages of projects are still coming.
func (c *collection) projectsAndChildren(ctx context.Context) {
	r := &result{}
	c.mu.Lock()
	c.results[inventory.SourceProjects] = r
	c.mu.Unlock()
	var g errgroup.Group
	g.SetLimit(c.o.Concurrency)
	q := url.Values{}
	q.Set("include_archived", "true")
	c.read(ctx, c.admin, priorityChain, inventory.SourceProjects, "GET /organization/projects", "/organization/projects", q, r, func(raw json.RawMessage) error {
		p, err := normalizeProject(raw, c.notes)
		if err != nil {
			return err
		}
		pr := &projectResult{p: p, keys: &result{}, accounts: &result{}, pus: &result{}}
		c.mu.Lock()
		c.projects = append(c.projects, pr)
		c.mu.Unlock()
		// A project the API sent without an id has no path to ask for its
		// keys, members or settings: it is kept, and sources say so.
		if IsSynthetic(p.ID) {
			return nil
		}
		base := "/organization/projects/" + url.PathEscape(p.ID)
		g.Go(func() error {
			q := url.Values{}
			// Without it the list "may exclude some enabled keys".
			q.Set("owner_project_access", "any")
			c.read(ctx, c.admin, priorityFanOut, inventory.SourceProjectAPIKeys, "GET /organization/projects/{project_id}/api_keys", base+"/api_keys", q, pr.keys, func(raw json.RawMessage) error {
				k, err := normalizeProjectKey(raw, c.notes)
				if err == nil {
					pr.p.APIKeys = append(pr.p.APIKeys, k)
				}
				return err
			})
			return nil
		})
		// The API answers 400 for the service accounts and the members of
		// an archived project (official spec, "Error response when project
		// is archived"): neither is asked for; sources say so.
		if p.Status == inventory.ProjectArchived {
			return nil
		}
		c.projectEstate(ctx, &g, pr, base)
		g.Go(func() error {
			c.read(ctx, c.admin, priorityFanOut, inventory.SourceProjectServiceAccounts, "GET /organization/projects/{project_id}/service_accounts", base+"/service_accounts", nil, pr.accounts, func(raw json.RawMessage) error {
				s, err := normalizeServiceAccount(raw, c.notes)
				if err == nil {
					pr.p.ServiceAccounts = append(pr.p.ServiceAccounts, s)
				}
				return err
			})
			return nil
		})
		g.Go(func() error {
			c.read(ctx, c.admin, priorityFanOut, inventory.SourceProjectUsers, "GET /organization/projects/{project_id}/users", base+"/users", nil, pr.pus, func(raw json.RawMessage) error {
				u, err := normalizeProjectUser(raw, c.notes)
				if err == nil {
					pr.p.Users = append(pr.p.Users, u)
				}
				return err
			})
			return nil
		})
		return nil
	})
	_ = g.Wait()
}

// inventory assembles what was read, derives activity and fills sources.
func (c *collection) inventory() *inventory.Inventory {
	inv := &inventory.Inventory{
		SchemaVersion:   inventory.SchemaVersion,
		CollectedAt:     c.now.Unix(),
		Tool:            c.o.Tool,
		Organization:    inventory.Organization{ID: c.organizationID()},
		Sources:         map[string]inventory.Source{},
		AdminAPIKeys:    orEmpty(c.adminKey),
		Users:           orEmpty(c.users),
		Invites:         orEmpty(c.invites),
		GPTs:            orEmpty(c.gpts),
		WorkspaceUsers:  c.wsUsers,
		ChatGPTProjects: c.chatgptProjects,
		Projects:        make([]inventory.Project, 0, len(c.projects)),
	}
	if c.o.WorkspaceID != "" {
		inv.Workspace = &inventory.Workspace{ID: c.o.WorkspaceID}
		inv.WorkspaceUsers = orEmpty(inv.WorkspaceUsers)
	}
	for _, name := range []string{inventory.SourceAdminAPIKeys, inventory.SourceProjects, inventory.SourceUsers,
		inventory.SourceInvites, inventory.SourceAuditLogs, inventory.SourceGPTs, inventory.SourceWorkspaceUsers, inventory.SourceChatGPTProjects} {
		if r, ok := c.results[name]; ok {
			inv.Sources[name] = r.source()
		}
	}
	var keys, accounts, members []*result
	archived, idless := 0, 0
	for _, pr := range c.projects {
		inv.Projects = append(inv.Projects, pr.p)
		if IsSynthetic(pr.p.ID) {
			idless++
			continue
		}
		keys = append(keys, pr.keys)
		if pr.p.Status == inventory.ProjectArchived {
			archived++
			continue
		}
		accounts, members = append(accounts, pr.accounts), append(members, pr.pus)
	}
	c.idlessProjects = idless
	projects := inv.Sources[inventory.SourceProjects]
	inv.Sources[inventory.SourceProjectAPIKeys] = children(keys, projects, idless, 0, "API keys")
	inv.Sources[inventory.SourceProjectServiceAccounts] = children(accounts, projects, idless, archived, "service accounts")
	inv.Sources[inventory.SourceProjectUsers] = children(members, projects, idless, archived, "members")
	c.estateInto(inv)
	c.opaqueInto(inv)
	c.skipUnwanted(inv)
	c.deriveActivity(inv)
	if c.o.DLP != nil {
		limit := c.o.DLP.MaxFileBytes
		if limit <= 0 {
			limit = DefaultMaxFileBytes
		}
		inv.DLP = &inventory.DLP{
			ProfilesEnabled: orEmpty(c.o.DLP.Profiles),
			Detectors:       c.o.DLP.Scanner.Detectors(),
			MaxFileBytes:    limit,
		}
		c.fileSourcesOf(inv)
		inv.Files = orEmpty(c.files)
		sortFiles(inv.Files)
	}
	return inv
}

func orEmpty[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// organizationID is OPENAI_ORG_ID when given, else the organization the
// Admin API said it answered for (its OpenAI-Organization header).
func (c *collection) organizationID() string {
	if c.o.OrganizationID != "" {
		return c.o.OrganizationID
	}
	if p := c.admin.orgHeader.Load(); p != nil {
		return *p
	}
	return "unknown"
}

// source turns a list's outcome into its sources entry: complete, partial
// (something was read, then it failed or some items were unusable), failed
// (nothing was read, or --max-pages or --deadline stopped it: the items read
// before are kept and counted) or skipped.
func (r *result) source() inventory.Source {
	if r.skipped != "" {
		reason := r.skipped
		return inventory.Source{Status: inventory.StatusSkipped, Reason: &reason}
	}
	s := inventory.Source{Status: inventory.StatusComplete, Items: r.stats.items - r.bad, Pages: r.stats.pages}
	var reasons []string
	if r.note != "" {
		reasons = append(reasons, r.note)
	}
	if r.err != nil {
		reasons = append(reasons, r.err.Error())
	}
	if r.bad > 0 {
		reasons = append(reasons, fmt.Sprintf("%d item(s) could not be used, e.g. %v", r.bad, r.firstBad))
	}
	if len(reasons) > 0 {
		reason := strings.Join(reasons, "; ")
		s.Reason = &reason
	}
	if r.err != nil || r.bad > 0 {
		s.Status = inventory.StatusPartial
		if r.err != nil && (s.Items == 0 || stoppedByCap(r.err)) {
			s.Status = inventory.StatusFailed
		}
	}
	return s
}

// stoppedByCap reports whether err is --max-pages or --deadline ending a
// list: the list is failed (its end was never seen), whatever it read.
func stoppedByCap(err error) bool {
	var pages *PageLimitError
	var deadline *DeadlineError
	return errors.As(err, &pages) || errors.As(err, &deadline)
}

// children sums a per-project list over all projects. archived projects
// were not asked for their what (the API refuses them), nor idless ones
// (the API sent them without an id: there is no path to ask): a complete
// list says so in its reason.
func children(rs []*result, projects inventory.Source, idless, archived int, what string) inventory.Source {
	s := inventory.Source{Status: inventory.StatusComplete}
	var notes []string
	if idless > 0 {
		notes = append(notes, fmt.Sprintf("%d project(s) the API sent without an id not asked for their %s: there is no path to ask", idless, what))
	}
	if archived > 0 {
		notes = append(notes, fmt.Sprintf("%d archived project(s) not asked for their %s: the API answers 400 for archived projects", archived, what))
	}
	var failed []*result
	bad := 0
	var firstBad error
	capped := false
	for _, r := range rs {
		s.Items += r.stats.items - r.bad
		s.Pages += r.stats.pages
		if r.err != nil {
			failed = append(failed, r)
			capped = capped || stoppedByCap(r.err)
		}
		bad += r.bad
		if firstBad == nil {
			firstBad = r.firstBad
		}
	}
	var reasons []string
	if projects.Status != inventory.StatusComplete {
		why := "the projects list itself was not read completely"
		if projects.Reason != nil {
			why += ": " + *projects.Reason
		}
		reasons = append(reasons, why)
	}
	if len(failed) > 0 {
		reasons = append(reasons, fmt.Sprintf("%d of %d projects could not be read, e.g. %v", len(failed), len(rs), failed[0].err))
	}
	if bad > 0 {
		reasons = append(reasons, fmt.Sprintf("%d item(s) could not be used, e.g. %v", bad, firstBad))
	}
	if len(reasons) > 0 {
		s.Status = inventory.StatusPartial
		if capped || s.Items == 0 && ((len(rs) > 0 && len(failed) == len(rs)) || projects.Status == inventory.StatusFailed) {
			s.Status = inventory.StatusFailed
		}
	}
	if all := append(reasons, notes...); len(all) > 0 {
		reason := strings.Join(all, "; ")
		s.Reason = &reason
	}
	return s
}

// deriveActivity fills each user's last_activity_at from the newest of the
// signals the APIs give, and records which signals were not available: the
// audit log when it could not be read completely, the user's own
// api_key_last_used_at when the API does not send it, and the keys the user
// owns when project keys could not be read completely.
func (c *collection) deriveActivity(inv *inventory.Inventory) {
	auditOK := inv.Sources[inventory.SourceAuditLogs].Status == inventory.StatusComplete
	keysOK := inv.Sources[inventory.SourceProjectAPIKeys].Status == inventory.StatusComplete
	byID := map[string]int64{}
	byEmail := map[string]int64{}
	for _, l := range c.logins {
		if l.userID != "" && l.at > byID[l.userID] {
			byID[l.userID] = l.at
		}
		if l.email != "" && l.at > byEmail[l.email] {
			byEmail[l.email] = l.at
		}
	}
	owned := inventory.OwnedKeysLastUsed(inv.Projects)
	for i := range inv.Users {
		u := &inv.Users[i]
		s := &u.ActivitySignals
		s.Unavailable = []string{}
		if at, ok := byID[u.ID]; ok {
			s.AuditLogLoginAt = &at
		} else if u.Email != nil {
			if at, ok := byEmail[strings.ToLower(*u.Email)]; ok {
				s.AuditLogLoginAt = &at
			}
		}
		if !auditOK {
			s.Unavailable = append(s.Unavailable, inventory.SignalAuditLogLogin)
		}
		s.APIKeyLastUsedAt = u.APIKeyLastUsedAt
		if !c.userHas[u.ID] {
			s.Unavailable = append(s.Unavailable, inventory.SignalAPIKeyLastUsed)
		}
		if at, ok := owned[u.ID]; ok {
			s.OwnedProjectKeysLastUsedAt = &at
		}
		if !keysOK {
			s.Unavailable = append(s.Unavailable, inventory.SignalOwnedProjectKeys)
		}
		u.LastActivityAt = s.Newest()
	}
}

// nothingRead reports a collection in which every list that was attempted
// failed: there is nothing to evaluate. An audit-log list refused because
// audit logging is off is an answer (audit_logging_enabled false), so a
// collection of that list alone (--only the audit-logging finding type) is
// not empty.
func (c *collection) nothingRead(inv *inventory.Inventory) error {
	var reasons []string
	names := slices.Sorted(maps.Keys(inv.Sources))
	seen := map[string]bool{}
	for _, n := range names {
		s := inv.Sources[n]
		switch s.Status {
		case inventory.StatusSkipped:
			continue
		case inventory.StatusFailed:
			if s.Items > 0 {
				return nil // stopped by --max-pages or --deadline after reading some
			}
			if n == inventory.SourceAuditLogs && s.Reason != nil && auditLoggingOff(*s.Reason) {
				return nil // the refusal says the organization's audit logging is off: a fact read
			}
			if s.Reason != nil && !seen[*s.Reason] {
				seen[*s.Reason] = true
				reasons = append(reasons, n+": "+*s.Reason)
			}
		default:
			return nil
		}
	}
	if len(reasons) == 0 {
		return nil
	}
	return &NothingReadError{Reasons: reasons}
}
