package collector

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"math"
	"net/url"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/openai-casb/openai-casb/inventory"
)

// Each active project's settings (data retention, model and hosted-tool
// permissions, spend limit and alerts, certificates) are one request per
// project and route, and the Admin API offers no "changed since" on any of
// them: read again on every rescan, they are most of a large organization's
// rescan. A rescan with a state file reuses them, within two bounds:
//
//  1. The audit log since the state's mark is read for the events the spec
//     lists that change what these routes answer (settingsEvents): a
//     project's project.created, .updated, .archived or .deleted event
//     re-reads that project's settings; any certificate event
//     (certificate.created, .updated, .deleted, certificates.activated,
//     .deactivated, whose payloads name certificates but not the project)
//     re-reads every project's certificates; an organization.updated event
//     that requests a change the spec does not list re-reads everything.
//     A project the state does not hold (new, unarchived, or not read
//     completely last time) is read whole.
//  2. The spec lists no event for data retention, model or hosted-tool
//     permissions, spend limits or spend alerts, so a change of those may
//     leave no trace: each project's settings are read again at least every
//     Options.SettingsMaxAge. Each rescan re-reads the projects whose
//     settings are oldest, a share of them in proportion to the time since
//     the previous collection (a daily rescan with a 7-day age re-reads a
//     seventh), and every project whose settings reached the age.
//
// What is reused is the API's answer as it was read, normalized again, so
// a reused setting is what reading it again would give had it not changed;
// the project carries settings_reused (each reused member and when it was
// read), and the routes' sources entries say how many were reused. When the
// audit log cannot be read completely, nothing is reused.

// DefaultSettingsMaxAge is the CLI's --settings-max-age: a week.
const DefaultSettingsMaxAge = 7 * 24 * time.Hour

// SettingsMark is what a rescan can reuse of each active project's settings.
type SettingsMark struct {
	// Through is the collection time of the state: the audit log's
	// setting events up to it were taken into account.
	Through int64 `json:"through"`
	// Projects are, by project id and then by source (project_data_retention,
	// …), the answers of the project's setting routes that were read
	// completely.
	Projects map[string]map[string]SettingRead `json:"projects"`
}

// SettingRead is one route's answer for one project: the object, or the
// list's items, as the API sent them (scrubbed), and when it was read.
type SettingRead struct {
	ReadAt int64             `json:"read_at"`
	Items  []json.RawMessage `json:"items"`
}

// settingsEventTypes are the audit-log events that change what a project's
// setting routes answer, as the spec describes their payloads.
var settingsEventTypes = []string{
	"project.created", "project.updated", "project.archived", "project.deleted",
	"certificate.created", "certificate.updated", "certificate.deleted", "certificates.activated", "certificates.deactivated",
	"organization.updated",
}

// orgUpdateKnown are the changes an organization.updated event may request
// per the spec; none of them is a project's setting.
var orgUpdateKnown = []string{"title", "description", "name", "threads_ui_visibility", "usage_dashboard_visibility", "api_call_logging", "api_call_logging_project_ids"}

// settingsReuse decides, per project and route, whether the previous
// answer is reused, and gathers the answers for the next state.
type settingsReuse struct {
	c    *collection
	prev *SettingsMark // nil: nothing is reused
	// ready is closed once the decision inputs are known (the events).
	ready chan struct{}
	// Set before ready is closed:
	why       string           // why nothing is reused, when prev was dropped
	refresh   map[string]bool  // projects whose settings are all read again
	refreshRt map[string]bool  // routes read again for every project
	all       bool             // everything is read again
	cutoff    int64            // a read at or before it is too old
	reused    map[string]int   // by source, projects whose answer was reused
	oldest    map[string]int64 // by source, the oldest reused read
	mu        sync.Mutex
	next      map[string]map[string]SettingRead
}

// newSettingsReuse starts the events' reading when the previous state has
// settings to reuse.
func (c *collection) newSettingsReuse(ctx context.Context) *settingsReuse {
	s := &settingsReuse{c: c, ready: make(chan struct{}), next: map[string]map[string]SettingRead{}, reused: map[string]int{}, oldest: map[string]int64{}}
	p := c.o.Previous
	switch {
	case p == nil || p.Settings == nil:
		close(s.ready)
		return s
	case c.o.SettingsMaxAge <= 0:
		close(s.ready)
		return s
	case c.o.OrganizationID != "" && p.OrganizationID != c.o.OrganizationID:
		s.drop(fmt.Sprintf("the state file is of organization %s, not %s", p.OrganizationID, c.o.OrganizationID))
		return s
	}
	s.prev = p.Settings
	go s.decide(ctx)
	return s
}

// drop reuses nothing, saying why once.
func (s *settingsReuse) drop(why string) {
	s.prev, s.why = nil, why
	s.c.notes.add("state-settings", "projects' settings were all read again: "+why)
	close(s.ready)
}

// decide reads the setting events since the state's mark and picks the
// projects read again for their age.
func (s *settingsReuse) decide(ctx context.Context) {
	c := s.c
	now := c.now.Unix()
	from := s.prev.Through - int64(auditOverlap/time.Second)
	q := url.Values{}
	for _, t := range settingsEventTypes {
		q.Add("event_types[]", t)
	}
	q.Set("effective_at[gte]", strconv.FormatInt(from, 10))
	q.Set("effective_at[lt]", strconv.FormatInt(now+1, 10))
	s.refresh, s.refreshRt = map[string]bool{}, map[string]bool{}
	_, err := c.admin.list(ctx, priorityChain, auditRoute, auditPath, q, func(raw json.RawMessage) error {
		s.event(raw)
		return nil
	})
	if err != nil {
		s.drop(fmt.Sprintf("the audit log's setting changes since %s could not be read (%v)", time.Unix(from, 0).UTC().Format(time.RFC3339), listError(err, c.admin.keyFrom)))
		return
	}
	if org := c.organizationID(); org != c.o.Previous.OrganizationID {
		s.drop(fmt.Sprintf("the state file is of organization %s, this is %s", c.o.Previous.OrganizationID, org))
		return
	}
	// The age: every project whose settings reached it, and the oldest
	// share in proportion to the time since the state.
	maxAge := int64(c.o.SettingsMaxAge / time.Second)
	s.cutoff = now - maxAge
	type aged struct {
		id string
		at int64
	}
	byAge := make([]aged, 0, len(s.prev.Projects))
	for id, routes := range s.prev.Projects {
		at := int64(math.MaxInt64)
		for _, r := range routes {
			at = min(at, r.ReadAt)
		}
		byAge = append(byAge, aged{id, at})
	}
	slices.SortFunc(byAge, func(x, y aged) int { return cmp.Or(cmp.Compare(x.at, y.at), cmp.Compare(x.id, y.id)) })
	elapsed := max(0, now-s.prev.Through)
	share := int(math.Ceil(float64(len(byAge)) * float64(elapsed) / float64(maxAge)))
	for i, p := range byAge {
		if i < share || p.at <= s.cutoff {
			s.refresh[p.id] = true
		}
	}
	close(s.ready)
}

// event takes one audit-log event into the decision. An event whose
// payload does not say what it changed re-reads everything.
func (s *settingsReuse) event(raw json.RawMessage) {
	var e map[string]json.RawMessage
	if json.Unmarshal(raw, &e) != nil {
		s.all = true
		return
	}
	var typ string
	_ = json.Unmarshal(e["type"], &typ)
	var payload struct {
		ID               *string                    `json:"id"`
		ChangesRequested map[string]json.RawMessage `json:"changes_requested"`
	}
	_ = json.Unmarshal(e[typ], &payload)
	switch typ {
	case "project.created", "project.updated", "project.archived", "project.deleted":
		if payload.ID == nil || *payload.ID == "" {
			s.all = true
			return
		}
		s.refresh[*payload.ID] = true
	case "certificate.created", "certificate.updated", "certificate.deleted", "certificates.activated", "certificates.deactivated":
		s.refreshRt[inventory.SourceProjectCertificates] = true
	case "organization.updated":
		for k := range payload.ChangesRequested {
			if !slices.Contains(orgUpdateKnown, k) {
				s.all = true
			}
		}
	default:
		s.all = true // asked for none else: a server that sends more is not understood
	}
}

// reusable is the previous answer of route source for project id, when it
// may be used.
func (s *settingsReuse) reusable(id, source string) (SettingRead, bool) {
	<-s.ready
	if s.prev == nil || s.all || s.refresh[id] || s.refreshRt[source] {
		return SettingRead{}, false
	}
	r, ok := s.prev.Projects[id][source]
	if !ok || r.ReadAt <= s.cutoff {
		return SettingRead{}, false
	}
	s.mu.Lock()
	s.reused[source]++
	if o, ok := s.oldest[source]; !ok || r.ReadAt < o {
		s.oldest[source] = r.ReadAt
	}
	s.mu.Unlock()
	return r, true
}

// keep records an answer read completely (or reused) for the next state.
func (s *settingsReuse) keep(id, source string, r SettingRead) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.next[id] == nil {
		s.next[id] = map[string]SettingRead{}
	}
	s.next[id][source] = r
}

// note is what the sources entry of route source says of reuse.
func (s *settingsReuse) note(source string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := s.reused[source]
	if n == 0 {
		return ""
	}
	return fmt.Sprintf("incremental: %d project(s)' answers reused from the state file (no audit-log event changed them; read at %s at the oldest, within --settings-max-age %s; see settings_reused)",
		n, time.Unix(s.oldest[source], 0).UTC().Format(time.RFC3339), s.c.o.SettingsMaxAge)
}

// mark is the settings part of the next state.
func (s *settingsReuse) mark() *SettingsMark {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.next) == 0 {
		return nil
	}
	return &SettingsMark{Through: s.c.now.Unix(), Projects: s.next}
}
