package collector

import (
	"encoding/json"
	"fmt"
	"sort"

	"github.com/openai-casb/openai-casb/inventory"
)

// Normalizers of the estate's routes, written from their schemas in
// ../shared/reference/openai-admin-openapi.json. Values the API owns
// (retention types, modes, statuses, currencies) are kept as sent; a
// "required" field may be missing (the spec's own examples leave some out).

func normalizeRetention(raw json.RawMessage) (*inventory.DataRetention, error) {
	var r struct {
		Type *string `json:"type"`
	}
	if err := json.Unmarshal(raw, &r); err != nil {
		return nil, fmt.Errorf("data retention cannot be read: %w", err)
	}
	return &inventory.DataRetention{Type: r.Type}, nil
}

func normalizeSpendLimit(raw json.RawMessage) (*inventory.SpendLimit, error) {
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
	out := &inventory.SpendLimit{ThresholdAmount: l.ThresholdAmount, Currency: l.Currency, Interval: l.Interval}
	if l.Enforcement != nil {
		out.EnforcementStatus = l.Enforcement.Status
	}
	return out, nil
}

func normalizeSpendAlert(raw json.RawMessage) (inventory.SpendAlert, error) {
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
	if a.ID == "" {
		return inventory.SpendAlert{}, itemError("spend alert", "", orMissingID(nil))
	}
	out := inventory.SpendAlert{ID: a.ID, ThresholdAmount: a.ThresholdAmount, Currency: a.Currency, Interval: a.Interval}
	if a.Channel != nil {
		out.ChannelType, out.Recipients = a.Channel.Type, a.Channel.Recipients
	}
	return out, nil
}

func normalizeCertificate(raw json.RawMessage) (inventory.Certificate, error) {
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
	if c.ID == "" {
		return inventory.Certificate{}, itemError("certificate", "", orMissingID(nil))
	}
	out := inventory.Certificate{ID: c.ID, Name: c.Name, CreatedAt: c.CreatedAt.v, Active: c.Active}
	if c.Details != nil {
		out.ValidAt, out.ExpiresAt = c.Details.ValidAt.v, c.Details.ExpiresAt.v
	}
	return out, nil
}

func normalizeModelPermissions(raw json.RawMessage) (*inventory.ModelPermissions, error) {
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
	return &inventory.ModelPermissions{Mode: m.Mode, ModelIDs: m.ModelIDs}, nil
}

// normalizeHostedTools keeps every tool the object names, the five the
// spec lists and any it adds later, except the envelope's own fields.
func normalizeHostedTools(raw json.RawMessage) (map[string]inventory.HostedToolPermission, error) {
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
			continue // "object" and other non-tool members
		}
		out[name] = inventory.HostedToolPermission{Enabled: t.Enabled}
	}
	return out, nil
}

func normalizeRole(raw json.RawMessage) (inventory.Role, error) {
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
	if r.ID == "" {
		return inventory.Role{}, itemError("role", "", orMissingID(nil))
	}
	return inventory.Role{ID: r.ID, Name: r.Name, Description: r.Description, Permissions: sortedStrings(r.Permissions), ResourceType: r.ResourceType, PredefinedRole: r.PredefinedRole}, nil
}

func normalizeRoleAssignment(raw json.RawMessage) (inventory.RoleAssignment, error) {
	r, err := normalizeRole(raw)
	if err != nil {
		return inventory.RoleAssignment{}, err
	}
	return inventory.RoleAssignment{ID: r.ID, Name: r.Name, Permissions: r.Permissions, ResourceType: r.ResourceType, PredefinedRole: r.PredefinedRole}, nil
}

func normalizeGroup(raw json.RawMessage) (inventory.Group, error) {
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
	if g.ID == "" {
		return inventory.Group{}, itemError("group", "", orMissingID(nil))
	}
	return inventory.Group{ID: g.ID, Name: g.Name, CreatedAt: g.CreatedAt.v, IsSCIMManaged: g.IsSCIMManaged, GroupType: g.GroupType}, nil
}

func normalizeGroupUser(raw json.RawMessage) (inventory.GroupUser, error) {
	var u struct {
		ID    string  `json:"id"`
		Name  *string `json:"name"`
		Email *string `json:"email"`
	}
	if err := json.Unmarshal(raw, &u); err != nil {
		return inventory.GroupUser{}, itemError("group member", idOf(raw), fmt.Errorf("cannot be read: %w", err))
	}
	if u.ID == "" {
		return inventory.GroupUser{}, itemError("group member", "", orMissingID(nil))
	}
	return inventory.GroupUser{ID: u.ID, Name: u.Name, Email: u.Email}, nil
}

func sortedStrings(s []string) []string {
	out := append([]string{}, s...)
	sort.Strings(out)
	return out
}
