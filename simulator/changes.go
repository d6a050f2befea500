package simulator

import (
	"cmp"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strconv"

	"github.com/openai-casb/openai-casb/inventory"
)

// AuditEvent is one audit-log event other than a login: a change an
// administrator made (see Changes), served by GET /organization/audit_logs
// beside the logins, in the shape of the spec's AuditLog object: its
// payload under a member named after its type.
type AuditEvent struct {
	ID          string
	Type        string
	EffectiveAt int64
	// ProjectID is the event's top-level project (the spec: "the project
	// that the action was scoped to"), when there is one.
	ProjectID string
	Payload   map[string]any
}

// Changes makes changes to an organization between two collections, the
// way an administrator would, and records the audit-log event the
// official spec lists for each: project.created, project.updated,
// project.archived, certificates.activated, certificates.deactivated and
// certificate.updated. The spec lists no event for a change of a project's
// data retention, model or hosted-tool permissions, spend limit or spend
// alerts, so those changes record none: they are what a collector can only
// see by reading the setting again.
type Changes struct {
	inv    *inventory.Inventory
	events []AuditEvent
}

// Change starts changes to a copy of inv (its projects are copied; the
// rest is shared, unchanged).
func Change(inv *inventory.Inventory) *Changes {
	next := *inv
	next.Projects = make([]inventory.Project, len(inv.Projects))
	for i, p := range inv.Projects {
		p.Certificates = slices.Clone(p.Certificates)
		next.Projects[i] = p
	}
	return &Changes{inv: &next}
}

// Inventory is the organization after the changes.
func (c *Changes) Inventory() *inventory.Inventory { return c.inv }

// Events are the audit-log events of the changes, to serve with
// Options.AuditEvents.
func (c *Changes) Events() []AuditEvent { return slices.Clone(c.events) }

func (c *Changes) project(id string) *inventory.Project {
	for i := range c.inv.Projects {
		if c.inv.Projects[i].ID == id {
			return &c.inv.Projects[i]
		}
	}
	panic(fmt.Sprintf("simulator: no project %s to change", id))
}

func (c *Changes) record(typ string, at int64, project string, payload map[string]any) {
	c.events = append(c.events, AuditEvent{ID: fmt.Sprintf("audit_log-change-%d-%d", at, len(c.events)), Type: typ, EffectiveAt: at, ProjectID: project, Payload: payload})
}

// AddProject creates an active project at time at: project.created.
func (c *Changes) AddProject(p inventory.Project, at int64) {
	c.inv.Projects = append(c.inv.Projects, p)
	c.record("project.created", at, p.ID, map[string]any{"id": p.ID, "data": map[string]any{"name": p.Name, "title": p.Name}})
}

// RenameProject changes a project's title: project.updated.
func (c *Changes) RenameProject(id, name string, at int64) {
	p := c.project(id)
	p.Name = &name
	c.record("project.updated", at, id, map[string]any{"id": id, "changes_requested": map[string]any{"title": name}})
}

// ArchiveProject archives a project: project.archived.
func (c *Changes) ArchiveProject(id string, at int64) {
	p := c.project(id)
	p.Status, p.StatusRaw, p.ArchivedAt = inventory.ProjectArchived, ptr("archived"), &at
	c.record("project.archived", at, id, map[string]any{"id": id})
}

// SetCertificateActive activates (or deactivates) a certificate on a
// project, adding it to the project's list when it is not there:
// certificates.activated or certificates.deactivated, whose payload names
// the certificate but not the project.
func (c *Changes) SetCertificateActive(projectID string, cert inventory.Certificate, active bool, at int64) {
	p := c.project(projectID)
	cert.Active = &active
	i := slices.IndexFunc(p.Certificates, func(x inventory.Certificate) bool { return x.ID == cert.ID })
	if i < 0 {
		p.Certificates = append(p.Certificates, cert)
	} else {
		p.Certificates[i] = cert
	}
	typ := "certificates.activated"
	if !active {
		typ = "certificates.deactivated"
	}
	c.record(typ, at, projectID, map[string]any{"certificates": []any{map[string]any{"id": cert.ID, "name": cert.Name}}})
}

// RenameCertificate renames a certificate wherever it is listed:
// certificate.updated.
func (c *Changes) RenameCertificate(id, name string, at int64) {
	for i := range c.inv.Projects {
		for j := range c.inv.Projects[i].Certificates {
			if c.inv.Projects[i].Certificates[j].ID == id {
				c.inv.Projects[i].Certificates[j].Name = &name
			}
		}
	}
	c.record("certificate.updated", at, "", map[string]any{"id": id, "name": name})
}

// SetDataRetention changes a project's data retention. The spec lists no
// audit event for it: none is recorded.
func (c *Changes) SetDataRetention(projectID, typ string) {
	c.project(projectID).DataRetention = &inventory.DataRetention{Type: &typ}
}

// SetSpendLimit sets a project's hard spend limit. The spec lists no audit
// event for it: none is recorded.
func (c *Changes) SetSpendLimit(projectID string, l *inventory.SpendLimit) {
	c.project(projectID).SpendLimit = l
}

func ptr[T any](v T) *T { return &v }

// otherEvents are the AuditEvents, newest first, encoded once.
type otherEvents struct {
	events []AuditEvent
	raw    [][]byte
}

func newOtherEvents(events []AuditEvent) *otherEvents {
	o := &otherEvents{events: slices.Clone(events)}
	slices.SortStableFunc(o.events, func(x, y AuditEvent) int {
		return cmp.Or(cmp.Compare(y.EffectiveAt, x.EffectiveAt), cmp.Compare(x.ID, y.ID))
	})
	for _, e := range o.events {
		m := map[string]any{"object": "organization.audit_log", "id": e.ID, "type": e.Type, "effective_at": e.EffectiveAt, e.Type: e.Payload,
			"actor": map[string]any{"type": "session", "session": map[string]any{
				"user": map[string]any{"id": "user-simulated-admin", "email": "admin@example.com"}, "ip_address": "192.0.2.20", "user_agent": "Mozilla/5.0 (simulator)"}}}
		if e.ProjectID != "" {
			m["project"] = map[string]any{"id": e.ProjectID}
		}
		b, err := json.Marshal(m)
		if err != nil {
			panic(fmt.Sprintf("simulator: encode audit event %s: %v", e.ID, err))
		}
		o.raw = append(o.raw, b)
	}
	return o
}

// entry is one event of a page that mixes logins and other events.
type entry struct {
	id  string
	at  int64
	raw []byte
}

// serveMixed answers a request that asks for events other than logins
// (alone or with them): the matching events of the window, newest first,
// paged by after.
func (a *auditLog) serveMixed(r *http.Request, maxPage int, wantLogins bool, types []string, lo, hi int64) (any, error) {
	var all []entry
	for i, e := range a.other.events {
		if (len(types) == 0 || slices.Contains(types, e.Type)) && e.EffectiveAt >= lo && e.EffectiveAt < hi {
			all = append(all, entry{id: e.ID, at: e.EffectiveAt, raw: a.other.raw[i]})
		}
	}
	if wantLogins && lo < hi {
		for _, e := range a.events[a.firstBelow(hi):a.firstBelow(lo)] {
			all = append(all, entry{id: a.id(e), at: e.at, raw: a.loginJSON(e)})
		}
	}
	slices.SortStableFunc(all, func(x, y entry) int { return cmp.Compare(y.at, x.at) })
	limit, start, err := pageCursor(r.URL.Query(), maxPage, func(id string) (int, bool) {
		i := slices.IndexFunc(all, func(e entry) bool { return e.id == id })
		return i, i >= 0
	})
	if err != nil {
		return nil, err
	}
	stop := min(start+limit, len(all))
	b := []byte(`{"object":"list","data":[`)
	for i, e := range all[start:stop] {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, e.raw...)
	}
	b = append(b, `],"has_more":`...)
	b = strconv.AppendBool(b, stop < len(all))
	if stop > start {
		b = append(b, `,"first_id":`...)
		b = strconv.AppendQuote(b, all[start].id)
		b = append(b, `,"last_id":`...)
		b = strconv.AppendQuote(b, all[stop-1].id)
	} else {
		b = append(b, `,"first_id":null,"last_id":null`...)
	}
	b = append(b, '}')
	return raw{Blob{MIMEType: "application/json", Data: b}}, nil
}
