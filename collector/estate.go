package collector

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/samber/lo"
	"golang.org/x/sync/errgroup"

	"github.com/openai-casb/openai-casb/inventory"
)

// The estate beyond keys and members: the organization's and each active
// project's settings, certificates, roles and groups. Each surface is its
// own sources entry. A plan or key without a surface answers 404 or 403:
// the entry is skipped with the reason, never failed, and once one project
// answers so, the other projects are not asked again (the answer is the
// organization's, and asking 20,000 projects would cost 20,000 requests).

// estateRoute is one per-project surface.
type estateRoute struct {
	// member is the project's member it fills (settings_reused names it).
	source, route, suffix, member string
	keep                          func(p *inventory.Project, raw json.RawMessage, n *notes) error
	list                          bool
}

var projectRoutes = []estateRoute{
	{inventory.SourceProjectDataRetention, "GET /organization/projects/{project_id}/data_retention", "/data_retention", "data_retention", func(p *inventory.Project, raw json.RawMessage, n *notes) (err error) {
		p.DataRetention, err = normalizeRetention(raw, n, "of project "+p.ID)
		return err
	}, false},
	{inventory.SourceProjectModelPermissions, "GET /organization/projects/{project_id}/model_permissions", "/model_permissions", "model_permissions", func(p *inventory.Project, raw json.RawMessage, n *notes) (err error) {
		p.ModelPermissions, err = normalizeModelPermissions(raw, n, "of project "+p.ID)
		return err
	}, false},
	{inventory.SourceProjectHostedToolPerms, "GET /organization/projects/{project_id}/hosted_tool_permissions", "/hosted_tool_permissions", "hosted_tool_permissions", func(p *inventory.Project, raw json.RawMessage, n *notes) (err error) {
		p.HostedToolPermissions, err = normalizeHostedTools(raw, n, p.ID, &p.Extra)
		return err
	}, false},
	{inventory.SourceProjectSpendLimits, "GET /organization/projects/{project_id}/spend_limit", "/spend_limit", "spend_limit", func(p *inventory.Project, raw json.RawMessage, n *notes) (err error) {
		p.SpendLimit, err = normalizeSpendLimit(raw, n, "of project "+p.ID)
		return err
	}, false},
	{inventory.SourceProjectSpendAlerts, "GET /organization/projects/{project_id}/spend_alerts", "/spend_alerts", "spend_alerts", func(p *inventory.Project, raw json.RawMessage, n *notes) error {
		a, err := normalizeSpendAlert(raw, n)
		if err == nil {
			p.SpendAlerts = append(p.SpendAlerts, a)
		}
		return err
	}, true},
	{inventory.SourceProjectCertificates, "GET /organization/projects/{project_id}/certificates", "/certificates", "certificates", func(p *inventory.Project, raw json.RawMessage, n *notes) error {
		cert, err := normalizeCertificate(raw, n)
		if err == nil {
			p.Certificates = append(p.Certificates, cert)
		}
		return err
	}, true},
}

// estate is what the collection keeps of the estate while it runs.
type estate struct {
	mu        sync.Mutex
	retention *inventory.DataRetention
	limit     *inventory.SpendLimit
	alerts    []inventory.SpendAlert
	certs     []inventory.Certificate
	roles     []inventory.Role
	groups    []*inventory.Group
	userRoles map[string][]inventory.RoleAssignment
	// absent: per-project route sources a 404 or 403 showed missing.
	absent  map[string]*atomic.Pointer[string]
	results map[string][]*result // per-project and per-group sources
	opaque  map[string][]inventory.OpaqueItem
}

func newEstate() *estate {
	e := &estate{userRoles: map[string][]inventory.RoleAssignment{}, absent: map[string]*atomic.Pointer[string]{}, results: map[string][]*result{},
		opaque: map[string][]inventory.OpaqueItem{}}
	for _, r := range projectRoutes {
		e.absent[r.source] = &atomic.Pointer[string]{}
	}
	e.absent[inventory.SourceGroupUsers] = &atomic.Pointer[string]{}
	e.absent[inventory.SourceGroupRoles] = &atomic.Pointer[string]{}
	e.absent[inventory.SourceUserRoles] = &atomic.Pointer[string]{}
	return e
}

// missingErr says whether err is the API saying the surface is not there
// for this plan or key: 404 or 403. The reason names the route.
func missingErr(err error, route string) (string, bool) {
	var he *HTTPError
	if !errors.As(err, &he) || (he.Status != http.StatusNotFound && he.Status != http.StatusForbidden) {
		return "", false
	}
	return fmt.Sprintf("%s answered %d %s: this organization's plan or key does not have it (%s)", route, he.Status, http.StatusText(he.Status), he.Message), true
}

// object reads one settings object into a top-level source.
func (c *collection) object(ctx context.Context, source, route, path string, keep func(json.RawMessage) error) {
	if !c.wants(source) {
		return
	}
	r := &result{}
	c.mu.Lock()
	c.results[source] = r
	c.mu.Unlock()
	body, err := c.admin.get(ctx, priorityChain, route, path, nil)
	if reason, ok := missingErr(err, route); ok {
		r.skipped = reason
		return
	}
	if err != nil {
		r.err = listError(err, c.admin.keyFrom)
		return
	}
	r.stats = listStats{items: 1, pages: 1}
	if err := keep(body); err != nil {
		r.bad, r.firstBad = 1, err
	}
}

// simpleOrSkip is simple for a list a plan or key may lack.
func (c *collection) simpleOrSkip(ctx context.Context, source, route, path string, keep func(json.RawMessage) error) {
	if !c.wants(source) {
		return
	}
	c.simple(ctx, c.admin, source, route, path, nil, keep)
	c.mu.Lock()
	defer c.mu.Unlock()
	if r := c.results[source]; r.stats.items == 0 {
		if reason, ok := missingErr(r.err, route); ok {
			*r = result{skipped: reason}
		}
	}
}

// organizationEstate reads the organization-level surfaces, each its own
// goroutine of top, and the groups with their users and roles.
func (c *collection) organizationEstate(ctx context.Context, top func(func())) {
	e := c.estate
	top(func() {
		c.object(ctx, inventory.SourceOrganizationDataRetention, "GET /organization/data_retention", "/organization/data_retention", func(raw json.RawMessage) (err error) {
			e.retention, err = normalizeRetention(raw, c.notes, "of the organization")
			return err
		})
	})
	top(func() {
		c.object(ctx, inventory.SourceOrganizationSpendLimit, "GET /organization/spend_limit", "/organization/spend_limit", func(raw json.RawMessage) (err error) {
			e.limit, err = normalizeSpendLimit(raw, c.notes, "of the organization")
			return err
		})
	})
	top(func() {
		c.simpleOrSkip(ctx, inventory.SourceOrganizationSpendAlerts, "GET /organization/spend_alerts", "/organization/spend_alerts", func(raw json.RawMessage) error {
			a, err := normalizeSpendAlert(raw, c.notes)
			if err == nil {
				e.alerts = append(e.alerts, a)
			}
			return err
		})
	})
	top(func() {
		c.simpleOrSkip(ctx, inventory.SourceOrganizationCertificates, "GET /organization/certificates", "/organization/certificates", func(raw json.RawMessage) error {
			cert, err := normalizeCertificate(raw, c.notes)
			if err == nil {
				e.certs = append(e.certs, cert)
			}
			return err
		})
	})
	top(func() {
		c.simpleOrSkip(ctx, inventory.SourceRoles, "GET /organization/roles", "/organization/roles", func(raw json.RawMessage) error {
			r, err := normalizeRole(raw, c.notes)
			if err == nil {
				e.roles = append(e.roles, r)
			}
			return err
		})
	})
	top(func() { c.groupsAndMembers(ctx) })
}

// groupsAndMembers reads the groups, and each group's users and roles as
// its page arrives.
func (c *collection) groupsAndMembers(ctx context.Context) {
	e := c.estate
	var g errgroup.Group
	g.SetLimit(c.o.Concurrency)
	c.simpleOrSkip(ctx, inventory.SourceGroups, "GET /organization/groups", "/organization/groups", func(raw json.RawMessage) error {
		grp, err := normalizeGroup(raw, c.notes)
		if err != nil {
			return err
		}
		gp := &grp
		e.mu.Lock()
		e.groups = append(e.groups, gp)
		e.mu.Unlock()
		if IsSynthetic(grp.ID) {
			return nil // no path to ask for its users and roles
		}
		base := "/organization/groups/" + url.PathEscape(grp.ID)
		c.fanOut(ctx, &g, inventory.SourceGroupUsers, "GET /organization/groups/{group_id}/users", base+"/users", func(raw json.RawMessage) error {
			u, err := normalizeGroupUser(raw, c.notes)
			if err == nil {
				gp.Users = append(gp.Users, u)
			}
			return err
		}, nil)
		c.fanOut(ctx, &g, inventory.SourceGroupRoles, "GET /organization/groups/{group_id}/roles", base+"/roles", func(raw json.RawMessage) error {
			r, err := normalizeRoleAssignment(raw, c.notes)
			if err == nil {
				gp.Roles = append(gp.Roles, r)
			}
			return err
		}, nil)
		return nil
	})
	_ = g.Wait()
}

// userRoles reads each user's role assignments, once the users are read.
func (c *collection) userRoles(ctx context.Context) {
	e := c.estate
	if !c.wants(inventory.SourceUserRoles) {
		return
	}
	var g errgroup.Group
	g.SetLimit(c.o.Concurrency)
	c.mu.Lock()
	ids := make([]string, 0, len(c.users))
	for _, u := range c.users {
		if !IsSynthetic(u.ID) { // no path to ask
			ids = append(ids, u.ID)
		}
	}
	c.mu.Unlock()
	for _, id := range ids {
		var roles []inventory.RoleAssignment
		c.fanOut(ctx, &g, inventory.SourceUserRoles, "GET /organization/users/{user_id}/roles", "/organization/users/"+url.PathEscape(id)+"/roles", func(raw json.RawMessage) error {
			r, err := normalizeRoleAssignment(raw, c.notes)
			if err == nil {
				roles = append(roles, r)
			}
			return err
		}, func() {
			e.mu.Lock()
			e.userRoles[id] = orEmpty(roles)
			e.mu.Unlock()
		})
	}
	_ = g.Wait()
}

// fanOut reads one child list in g, unless the surface is known to be
// missing, then calls after (when not nil).
func (c *collection) fanOut(ctx context.Context, g *errgroup.Group, source, route, path string, keep func(json.RawMessage) error, after func()) {
	e := c.estate
	if e.absent[source].Load() != nil {
		return
	}
	r := &result{}
	e.mu.Lock()
	e.results[source] = append(e.results[source], r)
	e.mu.Unlock()
	g.Go(func() error {
		if e.absent[source].Load() != nil {
			return nil
		}
		c.read(ctx, c.admin, priorityFanOut, source, route, path, nil, r, keep)
		if reason, ok := missingErr(r.err, route); ok && r.stats.items == 0 {
			e.absent[source].CompareAndSwap(nil, &reason)
		} else if after != nil {
			after()
		}
		return nil
	})
}

// projectEstate reads the settings of one active project, in g, or takes
// them from the previous state where they may be reused (settings.go).
func (c *collection) projectEstate(ctx context.Context, g *errgroup.Group, pr *projectResult, base string) {
	e := c.estate
	id := pr.p.ID
	for _, rt := range projectRoutes {
		if e.absent[rt.source].Load() != nil || !c.wants(rt.source) {
			continue
		}
		r := &result{}
		e.mu.Lock()
		e.results[rt.source] = append(e.results[rt.source], r)
		e.mu.Unlock()
		if prev, ok := c.settings.reusable(id, rt.source); ok {
			c.mu.Lock()
			for _, raw := range prev.Items {
				if err := rt.keep(&pr.p, raw, c.notes); err != nil {
					r.bad++
					if r.firstBad == nil {
						r.firstBad = err
					}
				}
			}
			if pr.p.SettingsReused == nil {
				pr.p.SettingsReused = map[string]int64{}
			}
			pr.p.SettingsReused[rt.member] = prev.ReadAt
			c.mu.Unlock()
			r.stats = listStats{items: len(prev.Items)}
			c.settings.keep(id, rt.source, prev)
			if rt.list {
				c.o.ListDone(rt.source) // as a reading would
			}
			continue
		}
		g.Go(func() error {
			if e.absent[rt.source].Load() != nil {
				return nil
			}
			var items []json.RawMessage
			if rt.list {
				c.read(ctx, c.admin, priorityFanOut, rt.source, rt.route, base+rt.suffix, nil, r, func(raw json.RawMessage) error {
					c.mu.Lock()
					defer c.mu.Unlock()
					items = append(items, bytes.Clone(raw))
					return rt.keep(&pr.p, raw, c.notes)
				})
			} else {
				body, err := c.admin.get(ctx, priorityFanOut, rt.route, base+rt.suffix, nil)
				if err != nil {
					r.err = listError(err, c.admin.keyFrom)
				} else {
					r.stats = listStats{items: 1, pages: 1}
					items = []json.RawMessage{bytes.Clone(body)}
					c.mu.Lock()
					if err := rt.keep(&pr.p, body, c.notes); err != nil {
						r.bad, r.firstBad = 1, err
					}
					c.mu.Unlock()
				}
			}
			if reason, ok := missingErr(r.err, rt.route); ok && r.stats.items == 0 {
				e.absent[rt.source].CompareAndSwap(nil, &reason)
			} else if r.err == nil && r.bad == 0 {
				c.settings.keep(id, rt.source, SettingRead{ReadAt: c.now.Unix(), Items: orEmpty(items)})
			}
			return nil
		})
	}
}

// estateInto puts what was read into the inventory and fills the estate's
// sources entries.
func (c *collection) estateInto(inv *inventory.Inventory) {
	e := c.estate
	for _, name := range []string{inventory.SourceOrganizationDataRetention, inventory.SourceOrganizationSpendLimit,
		inventory.SourceOrganizationSpendAlerts, inventory.SourceOrganizationCertificates, inventory.SourceRoles, inventory.SourceGroups} {
		if r, ok := c.results[name]; ok {
			inv.Sources[name] = r.source()
		}
	}
	inv.Organization.DataRetention, inv.Organization.SpendLimit = e.retention, e.limit
	// Audit logging is on when the audit log could be read, off when the
	// API refused it for that reason (the refusal's code or message).
	if s, ok := inv.Sources[inventory.SourceAuditLogs]; ok {
		switch {
		case s.Status == inventory.StatusComplete || s.Status == inventory.StatusPartial || s.Pages > 0:
			inv.Organization.AuditLoggingEnabled = lo.ToPtr(true)
		case s.Status == inventory.StatusFailed && s.Reason != nil && auditLoggingOff(*s.Reason):
			inv.Organization.AuditLoggingEnabled = lo.ToPtr(false)
		}
	}
	if s := inv.Sources[inventory.SourceOrganizationSpendAlerts]; s.Status != "" && s.Status != inventory.StatusSkipped {
		inv.Organization.SpendAlerts = orEmpty(e.alerts)
	}
	if s := inv.Sources[inventory.SourceOrganizationCertificates]; s.Status != "" && s.Status != inventory.StatusSkipped {
		inv.Certificates = orEmpty(e.certs)
	}
	if s := inv.Sources[inventory.SourceRoles]; s.Status != "" && s.Status != inventory.StatusSkipped {
		inv.Roles = orEmpty(e.roles)
	}
	if s := inv.Sources[inventory.SourceGroups]; s.Status != "" && s.Status != inventory.StatusSkipped {
		inv.Groups = make([]inventory.Group, 0, len(e.groups))
		for _, g := range e.groups {
			inv.Groups = append(inv.Groups, *g)
		}
	}
	projects := inv.Sources[inventory.SourceProjects]
	for _, name := range []string{inventory.SourceProjectDataRetention, inventory.SourceProjectModelPermissions, inventory.SourceProjectHostedToolPerms,
		inventory.SourceProjectSpendLimits, inventory.SourceProjectSpendAlerts, inventory.SourceProjectCertificates,
		inventory.SourceGroupUsers, inventory.SourceGroupRoles, inventory.SourceUserRoles} {
		parent := projects
		switch name {
		case inventory.SourceGroupUsers, inventory.SourceGroupRoles:
			parent = inv.Sources[inventory.SourceGroups]
		case inventory.SourceUserRoles:
			parent = inv.Sources[inventory.SourceUsers]
		}
		if p := e.absent[name].Load(); p != nil {
			inv.Sources[name] = inventory.Source{Status: inventory.StatusSkipped, Reason: p}
			continue
		}
		if parent.Status == inventory.StatusSkipped {
			reason := "its parent list was not read"
			inv.Sources[name] = inventory.Source{Status: inventory.StatusSkipped, Reason: &reason}
			continue
		}
		idless := c.idlessProjects
		switch name {
		case inventory.SourceGroupUsers, inventory.SourceGroupRoles, inventory.SourceUserRoles:
			idless = 0 // id-less groups and users are left out of these without a note
		}
		src := children(e.results[name], parent, idless, 0, strings.ReplaceAll(strings.TrimPrefix(name, "project_"), "_", " "))
		if note := c.settings.note(name); note != "" {
			if src.Reason != nil {
				note = *src.Reason + "; " + note
			}
			src.Reason = &note
		}
		inv.Sources[name] = src
	}
	if inv.Sources[inventory.SourceUserRoles].Status != inventory.StatusSkipped {
		for i := range inv.Users {
			if roles, ok := e.userRoles[inv.Users[i].ID]; ok {
				inv.Users[i].Roles = roles
			}
		}
	}
}

// auditLoggingOff recognizes the Admin API's refusal of an organization
// that never switched audit logging on (code audit_logging_disabled; the
// message says it is not enabled). Its exact wording is not in the spec.
func auditLoggingOff(reason string) bool {
	r := strings.ToLower(reason)
	return strings.Contains(r, "audit_logging_disabled") || strings.Contains(r, "audit logging is not enabled")
}
