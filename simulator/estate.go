package simulator

import (
	"fmt"

	"github.com/samber/lo"

	"github.com/openai-casb/openai-casb/inventory"
)

// estate makes the access model of the two planes agree the way a real
// estate does, with its usual flaws: a few platform accounts disabled or
// banned while their keys live on, keys whose owner left the project, admin
// keys whose owner was demoted, and a ChatGPT workspace whose members include
// the GPTs' owners, a few of them inactive. It draws from the generator's
// random stream only after everything else, so the rest of the organization
// is the one earlier versions generated.
func (g *gen) estate(inv *inventory.Inventory) {
	for i := range inv.Users {
		u := &inv.Users[i]
		switch p := g.r.IntN(1000); {
		case p < 10:
			u.Banned = lo.ToPtr(true)
		case p < 20:
			u.Enabled = lo.ToPtr(false)
		}
	}
	for i := range inv.Projects {
		p := &inv.Projects[i]
		for k := range p.APIKeys {
			if key := &p.APIKeys[k]; key.Owner != nil && key.Owner.Type == "user" && g.pct(2) {
				key.OwnerProjectAccess = lo.ToPtr("inactive")
			}
		}
	}
	readers := []inventory.User{}
	for _, u := range inv.Users {
		if u.Role != nil && *u.Role == "reader" {
			readers = append(readers, u)
		}
	}
	for i := range inv.AdminAPIKeys {
		if k := &inv.AdminAPIKeys[i]; len(readers) > 0 && g.pct(10) {
			o := readers[g.r.IntN(len(readers))]
			k.Owner = &inventory.Owner{Type: lo.ToPtr("user"), ID: &o.ID, Name: o.Name, Role: lo.ToPtr("owner")}
		}
	}
	// The GPTs' owners are workspace members too, by email; 3% of them
	// are inactive (the evidence's status for members who left).
	byID := map[string]inventory.User{}
	for _, u := range inv.Users {
		byID[u.ID] = u
	}
	seen := map[string]bool{}
	for _, gp := range inv.GPTs {
		if gp.OwnerID == nil || seen[*gp.OwnerID] {
			continue
		}
		seen[*gp.OwnerID] = true
		u, ok := byID[*gp.OwnerID]
		if !ok {
			continue
		}
		status := "active"
		if g.pct(3) {
			status = "inactive"
		}
		inv.WorkspaceUsers = append(inv.WorkspaceUsers, inventory.WorkspaceUser{
			ID: fmt.Sprintf("user-wsg%s", u.ID[len("user-"):]), Email: u.Email, Name: u.Name,
			Role: lo.ToPtr("standard-user"), Status: &status, CreatedAt: u.AddedAt,
		})
	}
}

// settings gives the organization and each active project the settings
// the Admin API reports, with the usual gaps: most projects without a model
// allow-list, some with risky hosted tools on, a few on standard retention,
// an inactive organization spend limit, certificates near expiry, a custom
// role with admin permissions. Drawn after everything else.
func (g *gen) settings(inv *inventory.Inventory) {
	org := &inv.Organization
	org.DataRetention = &inventory.DataRetention{Type: lo.ToPtr("zero_data_retention")}
	org.SpendLimit = &inventory.SpendLimit{ThresholdAmount: lo.ToPtr(int64(100000)), Currency: lo.ToPtr("USD"), Interval: lo.ToPtr("month"), EnforcementStatus: lo.ToPtr("inactive")}
	org.SpendAlerts = []inventory.SpendAlert{{ID: "alert_org_80", ThresholdAmount: lo.ToPtr(int64(80000)), Currency: lo.ToPtr("USD"), Interval: lo.ToPtr("month"), ChannelType: lo.ToPtr("email"), Recipients: []string{"finops@sim.example"}}}
	org.AuditLoggingEnabled = lo.ToPtr(true)
	inv.Certificates = []inventory.Certificate{
		{ID: "cert_sim_current", Name: lo.ToPtr("client-ca"), CreatedAt: lo.ToPtr(g.now - 300*Day), ValidAt: lo.ToPtr(g.now - 300*Day), ExpiresAt: lo.ToPtr(g.now + 200*Day), Active: lo.ToPtr(true)},
		{ID: "cert_sim_expiring", Name: lo.ToPtr("client-ca-old"), CreatedAt: lo.ToPtr(g.now - 700*Day), ValidAt: lo.ToPtr(g.now - 700*Day), ExpiresAt: lo.ToPtr(g.now + 12*Day), Active: lo.ToPtr(true)},
	}
	inv.Roles = []inventory.Role{
		{ID: "role_sim_owner", Name: lo.ToPtr("Owner"), Permissions: []string{"api.organization.admin"}, ResourceType: lo.ToPtr("api.organization"), PredefinedRole: lo.ToPtr(true)},
		{ID: "role_sim_groups", Name: lo.ToPtr("Group Manager"), Permissions: []string{"api.groups.read", "api.groups.write"}, ResourceType: lo.ToPtr("api.organization"), PredefinedRole: lo.ToPtr(false)},
		{ID: "role_sim_models", Name: lo.ToPtr("Model User"), Permissions: []string{"api.model.request"}, ResourceType: lo.ToPtr("api.project"), PredefinedRole: lo.ToPtr(false)},
	}
	models := inventory.RoleAssignment{ID: "role_sim_models", Name: lo.ToPtr("Model User"), Permissions: []string{"api.model.request"}, ResourceType: lo.ToPtr("api.project"), PredefinedRole: lo.ToPtr(false)}
	inv.Groups = []inventory.Group{}
	for i := range max(1, len(inv.Users)/200) {
		grp := inventory.Group{ID: fmt.Sprintf("group_sim%04d", i), Name: lo.ToPtr(fmt.Sprintf("team-%d", i)), CreatedAt: lo.ToPtr(g.now - 100*Day), IsSCIMManaged: lo.ToPtr(true), GroupType: lo.ToPtr("group"),
			Roles: []inventory.RoleAssignment{models}}
		for range 3 {
			if len(inv.Users) > 0 {
				u := inv.Users[g.r.IntN(len(inv.Users))]
				if !slicesContainsUser(grp.Users, u.ID) {
					grp.Users = append(grp.Users, inventory.GroupUser{ID: u.ID, Name: u.Name, Email: u.Email})
				}
			}
		}
		inv.Groups = append(inv.Groups, grp)
	}
	for i := range inv.Users {
		inv.Users[i].Roles = []inventory.RoleAssignment{}
		if g.pct(5) {
			inv.Users[i].Roles = []inventory.RoleAssignment{models}
		}
	}
	residencies := []string{"GLOBAL", "GLOBAL", "US_STORAGE_PROCESSING", "EU_STORAGE_PROCESSING"}
	for i := range inv.Projects {
		p := &inv.Projects[i]
		if p.Status == inventory.ProjectArchived {
			continue
		}
		p.Residency = lo.ToPtr(residencies[g.r.IntN(len(residencies))])
		retention := "organization_default"
		if g.pct(10) {
			retention = "none"
		}
		p.DataRetention = &inventory.DataRetention{Type: &retention}
		p.ModelPermissions = &inventory.ModelPermissions{Mode: lo.ToPtr("deny_list"), ModelIDs: []string{}}
		if g.pct(30) {
			p.ModelPermissions = &inventory.ModelPermissions{Mode: lo.ToPtr("allow_list"), ModelIDs: []string{"gpt-4.1", "gpt-4.1-mini"}}
		}
		p.HostedToolPermissions = map[string]inventory.HostedToolPermission{}
		for _, tool := range []struct {
			name string
			pct  int
		}{{"file_search", 60}, {"web_search", 20}, {"image_generation", 30}, {"mcp", 8}, {"code_interpreter", 15}} {
			p.HostedToolPermissions[tool.name] = inventory.HostedToolPermission{Enabled: lo.ToPtr(g.pct(tool.pct))}
		}
		status := "inactive"
		if g.pct(40) {
			status = "enforcing"
		}
		p.SpendLimit = &inventory.SpendLimit{ThresholdAmount: lo.ToPtr(int64(5000)), Currency: lo.ToPtr("USD"), Interval: lo.ToPtr("month"), EnforcementStatus: &status}
		if g.pct(20) {
			p.SpendAlerts = []inventory.SpendAlert{{ID: fmt.Sprintf("alert_%s", p.ID), ThresholdAmount: lo.ToPtr(int64(4000)), Currency: lo.ToPtr("USD"), Interval: lo.ToPtr("month"), ChannelType: lo.ToPtr("email"), Recipients: []string{"owner@sim.example"}}}
		}
		if g.pct(5) {
			p.Certificates = []inventory.Certificate{inv.Certificates[g.r.IntN(len(inv.Certificates))]}
		}
	}
}

func slicesContainsUser(us []inventory.GroupUser, id string) bool {
	for _, u := range us {
		if u.ID == id {
			return true
		}
	}
	return false
}

// estateSources fills the sources entries of the estate, as a collection
// that read them completely would.
func estateSources(inv *inventory.Inventory) {
	active, alerts, certs, groupUsers, groupRoles, userRoles := 0, 0, 0, 0, 0, 0
	for _, p := range inv.Projects {
		if p.Status != inventory.ProjectArchived {
			active++
			alerts += len(p.SpendAlerts)
			certs += len(p.Certificates)
		}
	}
	for _, g := range inv.Groups {
		groupUsers += len(g.Users)
		groupRoles += len(g.Roles)
	}
	for _, u := range inv.Users {
		userRoles += len(u.Roles)
	}
	set := func(name string, n, p int) {
		inv.Sources[name] = inventory.Source{Status: inventory.StatusComplete, Items: n, Pages: p}
	}
	set(inventory.SourceOrganizationDataRetention, 1, 1)
	set(inventory.SourceOrganizationSpendLimit, 1, 1)
	set(inventory.SourceOrganizationSpendAlerts, len(inv.Organization.SpendAlerts), 1)
	set(inventory.SourceOrganizationCertificates, len(inv.Certificates), 1)
	set(inventory.SourceRoles, len(inv.Roles), 1)
	set(inventory.SourceGroups, len(inv.Groups), max(1, (len(inv.Groups)+99)/100))
	for _, name := range []string{inventory.SourceProjectDataRetention, inventory.SourceProjectModelPermissions, inventory.SourceProjectHostedToolPerms, inventory.SourceProjectSpendLimits} {
		set(name, active, active)
	}
	set(inventory.SourceProjectSpendAlerts, alerts, active)
	set(inventory.SourceProjectCertificates, certs, active)
	set(inventory.SourceGroupUsers, groupUsers, len(inv.Groups))
	set(inventory.SourceGroupRoles, groupRoles, len(inv.Groups))
	set(inventory.SourceUserRoles, userRoles, len(inv.Users))
	set(inventory.SourceAgents, len(inv.Agents), max(1, (len(inv.Agents)+99)/100))
	set(inventory.SourcePlugins, len(inv.Plugins), max(1, (len(inv.Plugins)+99)/100))
}
