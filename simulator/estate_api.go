package simulator

import (
	"net/http"
	"sort"

	"github.com/openai-casb/openai-casb/inventory"
)

// estateData is what the simulator serves of the estate beyond keys and
// members, in the shapes of ../shared/reference/openai-admin-openapi.json:
// data retention, spend limit and alerts, certificates, model and hosted
// tool permissions, roles, groups with their users and roles, and users'
// role assignments.
type estateData struct {
	orgRetention   map[string]any
	orgSpendLimit  map[string]any
	orgAlerts      *list
	orgCerts       *list
	projRetention  map[string]map[string]any
	projModels     map[string]map[string]any
	projTools      map[string]map[string]any
	projSpendLimit map[string]map[string]any
	projAlerts     map[string]*list
	projCerts      map[string]*list
	roles          *list
	groups         *list
	groupUsers     map[string]*list
	groupRoles     map[string]*list
	userRoles      map[string]*list
}

func encodeEstate(inv *inventory.Inventory) *estateData {
	d := &estateData{
		orgAlerts: newList(len(inv.Organization.SpendAlerts)), orgCerts: newList(len(inv.Certificates)),
		projRetention: map[string]map[string]any{}, projModels: map[string]map[string]any{}, projTools: map[string]map[string]any{},
		projSpendLimit: map[string]map[string]any{}, projAlerts: map[string]*list{}, projCerts: map[string]*list{},
		roles: newList(len(inv.Roles)), groups: newList(len(inv.Groups)),
		groupUsers: map[string]*list{}, groupRoles: map[string]*list{}, userRoles: map[string]*list{},
	}
	org := inv.Organization
	d.orgRetention = retention("organization.data_retention", org.DataRetention, "zero_data_retention")
	d.orgSpendLimit = spendLimit("organization.spend_limit", org.SpendLimit)
	for _, a := range org.SpendAlerts {
		d.orgAlerts.add(a.ID, alert("organization.spend_alert", a))
	}
	for _, c := range inv.Certificates {
		d.orgCerts.add(c.ID, certificate("organization.certificate", c))
	}
	for _, p := range inv.Projects {
		d.projRetention[p.ID] = retention("project.data_retention", p.DataRetention, "organization_default")
		mode, ids := "deny_list", []string{}
		if mp := p.ModelPermissions; mp != nil {
			if mp.Mode != nil {
				mode = *mp.Mode
			}
			ids = append(ids, mp.ModelIDs...)
		}
		d.projModels[p.ID] = map[string]any{"object": "project.model_permissions", "mode": mode, "model_ids": ids}
		tools := map[string]any{}
		for _, name := range []string{"file_search", "web_search", "image_generation", "mcp", "code_interpreter"} {
			tools[name] = map[string]any{"enabled": false}
		}
		for name, t := range p.HostedToolPermissions {
			tools[name] = map[string]any{"enabled": t.Enabled}
		}
		d.projTools[p.ID] = tools
		d.projSpendLimit[p.ID] = spendLimit("project.spend_limit", p.SpendLimit)
		alerts := newList(len(p.SpendAlerts))
		for _, a := range p.SpendAlerts {
			alerts.add(a.ID, alert("project.spend_alert", a))
		}
		d.projAlerts[p.ID] = alerts
		certs := newList(len(p.Certificates))
		for _, c := range p.Certificates {
			certs.add(c.ID, certificate("organization.project.certificate", c))
		}
		d.projCerts[p.ID] = certs
	}
	for _, r := range inv.Roles {
		d.roles.add(r.ID, map[string]any{"object": "role", "id": r.ID, "name": r.Name, "description": r.Description,
			"permissions": orEmptyStrings(r.Permissions), "resource_type": r.ResourceType, "predefined_role": r.PredefinedRole})
	}
	for _, g := range inv.Groups {
		d.groups.add(g.ID, map[string]any{"id": g.ID, "name": g.Name, "created_at": g.CreatedAt, "is_scim_managed": g.IsSCIMManaged, "group_type": g.GroupType})
		users := newList(len(g.Users))
		for _, u := range g.Users {
			users.add(u.ID, map[string]any{"id": u.ID, "name": u.Name, "email": u.Email})
		}
		d.groupUsers[g.ID] = users
		d.groupRoles[g.ID] = assignments(g.Roles)
	}
	for _, u := range inv.Users {
		d.userRoles[u.ID] = assignments(u.Roles)
	}
	return d
}

func retention(object string, r *inventory.DataRetention, fallback string) map[string]any {
	t := fallback
	if r != nil && r.Type != nil {
		t = *r.Type
	}
	return map[string]any{"object": object, "type": t}
}

// spendLimit answers a limit the organization never set as an inactive
// one of zero: the spec gives the route no other answer.
func spendLimit(object string, l *inventory.SpendLimit) map[string]any {
	amount, currency, interval, status := int64(0), "USD", "month", "inactive"
	if l != nil {
		if l.ThresholdAmount != nil {
			amount = *l.ThresholdAmount
		}
		if l.Currency != nil {
			currency = *l.Currency
		}
		if l.Interval != nil {
			interval = *l.Interval
		}
		if l.EnforcementStatus != nil {
			status = *l.EnforcementStatus
		}
	}
	return map[string]any{"object": object, "threshold_amount": amount, "currency": currency, "interval": interval, "enforcement": map[string]any{"status": status}}
}

func alert(object string, a inventory.SpendAlert) map[string]any {
	channel := "email"
	if a.ChannelType != nil {
		channel = *a.ChannelType
	}
	return map[string]any{"id": a.ID, "object": object, "threshold_amount": a.ThresholdAmount, "currency": a.Currency, "interval": a.Interval,
		"notification_channel": map[string]any{"type": channel, "recipients": orEmptyStrings(a.Recipients)}}
}

func certificate(object string, c inventory.Certificate) map[string]any {
	details := map[string]any{}
	if c.ValidAt != nil {
		details["valid_at"] = *c.ValidAt
	}
	if c.ExpiresAt != nil {
		details["expires_at"] = *c.ExpiresAt
	}
	return map[string]any{"object": object, "id": c.ID, "name": c.Name, "created_at": c.CreatedAt, "certificate_details": details, "active": c.Active}
}

func assignments(rs []inventory.RoleAssignment) *list {
	l := newList(len(rs))
	for _, r := range rs {
		l.add(r.ID, map[string]any{"id": r.ID, "name": r.Name, "permissions": orEmptyStrings(r.Permissions), "resource_type": r.ResourceType,
			"predefined_role": r.PredefinedRole, "description": nil, "created_at": nil, "updated_at": nil, "created_by": nil,
			"created_by_user_obj": nil, "metadata": nil, "assignment_sources": nil})
	}
	return l
}

func orEmptyStrings(s []string) []string {
	if s == nil {
		return []string{}
	}
	out := append([]string(nil), s...)
	sort.Strings(out)
	return out
}

// estateRoutes serves the estate. Lists of roles and groups page with a
// next cursor, as their spec says; the others like every admin list.
func (s *Server) estateRoutes(admin func(string, func(http.ResponseWriter, *http.Request) (any, error))) {
	d := s.estate
	one := func(v map[string]any) func(http.ResponseWriter, *http.Request) (any, error) {
		return func(http.ResponseWriter, *http.Request) (any, error) { return v, nil }
	}
	// A project, group or user the inventory does not hold (one of
	// Options.Items) answers the defaults of a new one.
	perProject := func(m map[string]map[string]any, fallback map[string]any) func(http.ResponseWriter, *http.Request) (any, error) {
		return func(_ http.ResponseWriter, r *http.Request) (any, error) {
			if v, ok := m[r.PathValue("id")]; ok {
				return v, nil
			}
			return fallback, nil
		}
	}
	perKey := func(m map[string]*list, _ string, next bool) func(http.ResponseWriter, *http.Request) (any, error) {
		return func(_ http.ResponseWriter, r *http.Request) (any, error) {
			l, ok := m[r.PathValue("id")]
			if !ok {
				l = newList(0)
			}
			if next {
				return cursorPage(r, l, s.opts.MaxPageSize)
			}
			return page(r, l, s.opts.MaxPageSize, true)
		}
	}
	admin("data_retention", one(d.orgRetention))
	admin("spend_limit", one(d.orgSpendLimit))
	admin("spend_alerts", func(_ http.ResponseWriter, r *http.Request) (any, error) {
		return page(r, d.orgAlerts, s.opts.MaxPageSize, true)
	})
	admin("certificates", func(_ http.ResponseWriter, r *http.Request) (any, error) {
		return page(r, d.orgCerts, s.opts.MaxPageSize, true)
	})
	tools := map[string]any{}
	for _, name := range []string{"file_search", "web_search", "image_generation", "mcp", "code_interpreter"} {
		tools[name] = map[string]any{"enabled": false}
	}
	admin("projects/{id}/data_retention", perProject(d.projRetention, retention("project.data_retention", nil, "organization_default")))
	admin("projects/{id}/model_permissions", perProject(d.projModels, map[string]any{"object": "project.model_permissions", "mode": "deny_list", "model_ids": []string{}}))
	admin("projects/{id}/hosted_tool_permissions", perProject(d.projTools, tools))
	admin("projects/{id}/spend_limit", perProject(d.projSpendLimit, spendLimit("project.spend_limit", nil)))
	admin("projects/{id}/spend_alerts", perKey(d.projAlerts, "project", false))
	admin("projects/{id}/certificates", perKey(d.projCerts, "project", false))
	admin("roles", func(_ http.ResponseWriter, r *http.Request) (any, error) {
		return cursorPage(r, d.roles, s.opts.MaxPageSize)
	})
	admin("groups", func(_ http.ResponseWriter, r *http.Request) (any, error) {
		return cursorPage(r, d.groups, s.opts.MaxPageSize)
	})
	admin("groups/{id}/users", perKey(d.groupUsers, "group", true))
	admin("groups/{id}/roles", perKey(d.groupRoles, "group", true))
	admin("users/{id}/roles", perKey(d.userRoles, "user", true))
}

// cursorPage is page for the lists whose spec pages with has_more and
// next (the cursor to pass as after) instead of first_id and last_id.
func cursorPage(r *http.Request, l *list, maxPage int) (any, error) {
	resp, err := page(r, l, maxPage, false)
	if err != nil {
		return nil, err
	}
	m := resp.(map[string]any)
	next := m["last_id"]
	if m["has_more"] != true {
		next = nil
	}
	delete(m, "last_id")
	m["next"] = next
	return m, nil
}
