package collector

import (
	"encoding/json"
	"fmt"
	"sort"

	"github.com/openai-casb/openai-casb/inventory"
)

// Normalizers of the estate's routes (of, for a settings object, says whose
// it is in warnings: "of the organization", "of project proj_abc"), written from their schemas in
// ../shared/reference/openai-admin-openapi.json. Values the API owns
// (retention types, modes, statuses, currencies) are kept as sent; a
// "required" field may be missing (the spec's own examples leave some out).

func normalizeRetention(raw json.RawMessage, n *notes, of string) (*inventory.DataRetention, error) {
	var r struct {
		Type *string `json:"type"`
	}
	if err := json.Unmarshal(raw, &r); err != nil {
		return nil, fmt.Errorf("data retention cannot be read: %w", err)
	}
	return &inventory.DataRetention{Type: r.Type, Extra: extras(n, "data retention", of, raw, retentionShape)}, nil
}

func normalizeSpendLimit(raw json.RawMessage, n *notes, of string) (*inventory.SpendLimit, error) {
	var l struct {
		ThresholdAmount *int64  `json:"threshold_amount"`
		Currency        *string `json:"currency"`
		Interval        *string `json:"interval"`
		Enforcement     *struct {
			Status *string `json:"status"`
		} `json:"enforcement"`
	}
	if err := json.Unmarshal(raw, &l); err != nil {
		return nil, fmt.Errorf("spend limit cannot be read: %w", err)
	}
	out := &inventory.SpendLimit{ThresholdAmount: l.ThresholdAmount, Currency: l.Currency, Interval: l.Interval,
		Extra: extras(n, "spend limit", of, raw, spendLimitShape)}
	if l.Enforcement != nil {
		out.EnforcementStatus = l.Enforcement.Status
	}
	return out, nil
}

func normalizeSpendAlert(raw json.RawMessage, n *notes) (inventory.SpendAlert, error) {
	var a struct {
		ID              string  `json:"id"`
		ThresholdAmount *int64  `json:"threshold_amount"`
		Currency        *string `json:"currency"`
		Interval        *string `json:"interval"`
		Channel         *struct {
			Type       *string  `json:"type"`
			Recipients []string `json:"recipients"`
		} `json:"notification_channel"`
	}
	if err := json.Unmarshal(raw, &a); err != nil {
		return inventory.SpendAlert{}, itemError("spend alert", idOf(raw), fmt.Errorf("cannot be read: %w", err))
	}
	a.ID = n.itemID("spend alert", a.ID, raw)
	out := inventory.SpendAlert{ID: a.ID, ThresholdAmount: a.ThresholdAmount, Currency: a.Currency, Interval: a.Interval,
		Extra: extras(n, "spend alert", a.ID, raw, spendAlertShape)}
	if a.Channel != nil {
		out.ChannelType, out.Recipients = a.Channel.Type, a.Channel.Recipients
	}
	return out, nil
}

func normalizeCertificate(raw json.RawMessage, n *notes) (inventory.Certificate, error) {
	var c struct {
		ID        string   `json:"id"`
		Name      *string  `json:"name"`
		CreatedAt flexTime `json:"created_at"`
		Details   *struct {
			ValidAt   flexTime `json:"valid_at"`
			ExpiresAt flexTime `json:"expires_at"`
		} `json:"certificate_details"`
		Active *bool `json:"active"`
	}
	if err := json.Unmarshal(raw, &c); err != nil {
		return inventory.Certificate{}, itemError("certificate", idOf(raw), fmt.Errorf("cannot be read: %w", err))
	}
	c.ID = n.itemID("certificate", c.ID, raw)
	out := inventory.Certificate{ID: c.ID, Name: c.Name, CreatedAt: c.CreatedAt.v, Active: c.Active,
		Extra: extras(n, "certificate", c.ID, raw, certificateShape)}
	if c.Details != nil {
		out.ValidAt, out.ExpiresAt = c.Details.ValidAt.v, c.Details.ExpiresAt.v
	}
	return out, nil
}

func normalizeModelPermissions(raw json.RawMessage, n *notes, of string) (*inventory.ModelPermissions, error) {
	var m struct {
		Mode     *string  `json:"mode"`
		ModelIDs []string `json:"model_ids"`
	}
	if err := json.Unmarshal(raw, &m); err != nil {
		return nil, fmt.Errorf("model permissions cannot be read: %w", err)
	}
	if m.ModelIDs == nil {
		m.ModelIDs = []string{}
	}
	return &inventory.ModelPermissions{Mode: m.Mode, ModelIDs: m.ModelIDs, Extra: extras(n, "model permissions", of, raw, modelPermissionsShape)}, nil
}

// normalizeHostedTools keeps every tool the object names, the five the
// spec lists and any it adds later, except the envelope's own fields.
// Members of a tool other than enabled go to the tool's extra; members of
// the object that are not tools (not objects), but object, go to extra
// (the project's).
func normalizeHostedTools(raw json.RawMessage, n *notes, id string, extra *inventory.Extra) (map[string]inventory.HostedToolPermission, error) {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(raw, &m); err != nil {
		return nil, fmt.Errorf("hosted tool permissions cannot be read: %w", err)
	}
	out := map[string]inventory.HostedToolPermission{}
	for name, v := range m {
		var t struct {
			Enabled *bool `json:"enabled"`
		}
		if json.Unmarshal(v, &t) != nil || v[0] != '{' {
			if name != "object" {
				keepMember(extra, n, "project", id, "hosted_tool_permissions."+name, v)
			}
			continue
		}
		out[name] = inventory.HostedToolPermission{Enabled: t.Enabled, Extra: extras(n, "hosted tool "+name, "of project "+id, v, hostedToolsShape.open)}
	}
	return out, nil
}

func normalizeRole(raw json.RawMessage, n *notes) (inventory.Role, error) {
	var r struct {
		ID             string   `json:"id"`
		Name           *string  `json:"name"`
		Description    *string  `json:"description"`
		Permissions    []string `json:"permissions"`
		ResourceType   *string  `json:"resource_type"`
		PredefinedRole *bool    `json:"predefined_role"`
	}
	if err := json.Unmarshal(raw, &r); err != nil {
		return inventory.Role{}, itemError("role", idOf(raw), fmt.Errorf("cannot be read: %w", err))
	}
	r.ID = n.itemID("role", r.ID, raw)
	return inventory.Role{ID: r.ID, Name: r.Name, Description: r.Description, Permissions: sortedStrings(r.Permissions), ResourceType: r.ResourceType, PredefinedRole: r.PredefinedRole,
		Extra: extras(n, "role", r.ID, raw, roleShape)}, nil
}

func normalizeRoleAssignment(raw json.RawMessage, n *notes) (inventory.RoleAssignment, error) {
	r, err := normalizeRole(raw, n)
	if err != nil {
		return inventory.RoleAssignment{}, err
	}
	return inventory.RoleAssignment{ID: r.ID, Name: r.Name, Permissions: r.Permissions, ResourceType: r.ResourceType, PredefinedRole: r.PredefinedRole, Extra: r.Extra}, nil
}

func normalizeGroup(raw json.RawMessage, n *notes) (inventory.Group, error) {
	var g struct {
		ID            string   `json:"id"`
		Name          *string  `json:"name"`
		CreatedAt     flexTime `json:"created_at"`
		IsSCIMManaged *bool    `json:"is_scim_managed"`
		GroupType     *string  `json:"group_type"`
	}
	if err := json.Unmarshal(raw, &g); err != nil {
		return inventory.Group{}, itemError("group", idOf(raw), fmt.Errorf("cannot be read: %w", err))
	}
	g.ID = n.itemID("group", g.ID, raw)
	return inventory.Group{ID: g.ID, Name: g.Name, CreatedAt: g.CreatedAt.v, IsSCIMManaged: g.IsSCIMManaged, GroupType: g.GroupType,
		Extra: extras(n, "group", g.ID, raw, groupShape)}, nil
}

func normalizeGroupUser(raw json.RawMessage, n *notes) (inventory.GroupUser, error) {
	var u struct {
		ID    string  `json:"id"`
		Name  *string `json:"name"`
		Email *string `json:"email"`
	}
	if err := json.Unmarshal(raw, &u); err != nil {
		return inventory.GroupUser{}, itemError("group member", idOf(raw), fmt.Errorf("cannot be read: %w", err))
	}
	u.ID = n.itemID("group member", u.ID, raw)
	return inventory.GroupUser{ID: u.ID, Name: u.Name, Email: u.Email, Extra: extras(n, "group member", u.ID, raw, groupUserShape)}, nil
}

func sortedStrings(s []string) []string {
	out := append([]string{}, s...)
	sort.Strings(out)
	return out
}
