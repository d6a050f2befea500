package inventory

// The organization's settings and access model beyond keys and members:
// data retention, spend controls, certificates, roles and groups, and the
// workspace's agents and plugins. Values the API owns are kept as sent.

// DataRetention is an organization's or project's data retention control.
type DataRetention struct {
	// Type as the API sent it, e.g. zero_data_retention.
	Type  *string `json:"type"`
	Extra Extra   `json:"extra,omitempty"`
}

// SpendLimit is a hard spend limit of the organization or a project.
type SpendLimit struct {
	ThresholdAmount   *int64  `json:"threshold_amount"`
	Currency          *string `json:"currency"`
	Interval          *string `json:"interval"`
	EnforcementStatus *string `json:"enforcement_status"`
	Extra             Extra   `json:"extra,omitempty"`
}

// SpendAlert is a spend alert and who it notifies.
type SpendAlert struct {
	ID              string   `json:"id"`
	ThresholdAmount *int64   `json:"threshold_amount,omitempty"`
	Currency        *string  `json:"currency,omitempty"`
	Interval        *string  `json:"interval,omitempty"`
	ChannelType     *string  `json:"channel_type,omitempty"`
	Recipients      []string `json:"recipients,omitempty"`
	Extra           Extra    `json:"extra,omitempty"`
}

// ModelPermissions is a project's model allow- or deny-list.
type ModelPermissions struct {
	Mode     *string  `json:"mode"`
	ModelIDs []string `json:"model_ids"`
	Extra    Extra    `json:"extra,omitempty"`
}

// HostedToolPermission says whether one hosted tool is enabled in a project.
type HostedToolPermission struct {
	Enabled *bool `json:"enabled"`
	Extra   Extra `json:"extra,omitempty"`
}

// Certificate is an mTLS certificate of the organization or a project.
type Certificate struct {
	ID        string  `json:"id"`
	Name      *string `json:"name,omitempty"`
	CreatedAt *int64  `json:"created_at,omitempty"`
	ValidAt   *int64  `json:"valid_at,omitempty"`
	ExpiresAt *int64  `json:"expires_at,omitempty"`
	Active    *bool   `json:"active"`
	Extra     Extra   `json:"extra,omitempty"`
}

// Role is a predefined or custom role of the organization.
type Role struct {
	ID             string   `json:"id"`
	Name           *string  `json:"name,omitempty"`
	Description    *string  `json:"description,omitempty"`
	Permissions    []string `json:"permissions"`
	ResourceType   *string  `json:"resource_type,omitempty"`
	PredefinedRole *bool    `json:"predefined_role,omitempty"`
	Extra          Extra    `json:"extra,omitempty"`
}

// RoleAssignment is a role assigned to a user or a group.
type RoleAssignment struct {
	ID             string   `json:"id"`
	Name           *string  `json:"name,omitempty"`
	Permissions    []string `json:"permissions"`
	ResourceType   *string  `json:"resource_type,omitempty"`
	PredefinedRole *bool    `json:"predefined_role,omitempty"`
	Extra          Extra    `json:"extra,omitempty"`
}

// Group is a group of users with its role assignments.
type Group struct {
	ID            string           `json:"id"`
	Name          *string          `json:"name,omitempty"`
	CreatedAt     *int64           `json:"created_at,omitempty"`
	IsSCIMManaged *bool            `json:"is_scim_managed,omitempty"`
	GroupType     *string          `json:"group_type,omitempty"`
	Users         []GroupUser      `json:"users,omitempty"`
	Roles         []RoleAssignment `json:"roles,omitempty"`
	Extra         Extra            `json:"extra,omitempty"`
}

// GroupUser is a member of a group.
type GroupUser struct {
	ID    string  `json:"id"`
	Name  *string `json:"name,omitempty"`
	Email *string `json:"email,omitempty"`
	Extra Extra   `json:"extra,omitempty"`
}

// GPTRecipient is someone a GPT is shared with.
type GPTRecipient struct {
	ID            string  `json:"id"`
	Email         *string `json:"email,omitempty"`
	CanRead       *bool   `json:"can_read,omitempty"`
	CanViewConfig *bool   `json:"can_view_config,omitempty"`
	CanWrite      *bool   `json:"can_write,omitempty"`
}

// OpaqueItem is an item of a list whose shape is not public (workspace
// agents, plugins): what could be read of it, and the names of the fields
// it had, not their values.
type OpaqueItem struct {
	ID         string   `json:"id"`
	Name       *string  `json:"name,omitempty"`
	OwnerID    *string  `json:"owner_id,omitempty"`
	OwnerEmail *string  `json:"owner_email,omitempty"`
	CreatedAt  *int64   `json:"created_at,omitempty"`
	Fields     []string `json:"fields,omitempty"`
}
