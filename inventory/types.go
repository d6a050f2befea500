// Package inventory holds the Go types of the inventory document, decodes and
// validates it against schemas/inventory.schema.json, and saves it atomically.
package inventory

import (
	"bytes"
	"encoding/json"
	"slices"
)

// SchemaVersion is the version of the document shape this package writes.
// Version 2 keeps the values the APIs own as they were sent (roles, statuses,
// owner types as strings or null) and adds Project.StatusRaw; every version 1
// document is a valid version 2 document, so Load reads both.
const SchemaVersion = 2

// SchemaVersions are the versions Load accepts.
var SchemaVersions = []int{1, 2}

// Inventory is a point-in-time inventory of an OpenAI organization and its
// ChatGPT Enterprise workspace. Timestamps are unix seconds; a nil pointer is
// JSON null ("the API gave none").
type Inventory struct {
	SchemaVersion  int             `json:"schema_version"`
	CollectedAt    int64           `json:"collected_at"`
	Tool           Tool            `json:"tool"`
	Organization   Organization    `json:"organization"`
	Workspace      *Workspace      `json:"workspace"`
	Sources        Sources         `json:"sources"`
	AdminAPIKeys   []AdminAPIKey   `json:"admin_api_keys"`
	Projects       []Project       `json:"projects"`
	Users          []User          `json:"users"`
	Invites        []Invite        `json:"invites"`
	GPTs           []GPT           `json:"gpts"`
	WorkspaceUsers []WorkspaceUser `json:"workspace_users,omitempty"`
	// ChatGPTProjects are the workspace's ChatGPT projects (Compliance
	// API), who owns them and how they are shared; absent when not
	// collected.
	ChatGPTProjects []ChatGPTProject `json:"chatgpt_projects,omitempty"`
	// The estate beyond keys and members (estate.go); absent when not
	// collected.
	Certificates []Certificate `json:"certificates,omitempty"`
	Roles        []Role        `json:"roles,omitempty"`
	Groups       []Group       `json:"groups,omitempty"`
	Agents       []OpaqueItem  `json:"agents,omitempty"`
	Plugins      []OpaqueItem  `json:"plugins,omitempty"`
	// DLP and Files are present only when files were scanned.
	DLP   *DLP   `json:"dlp"`
	Files []File `json:"files,omitempty"`
}

// Extra holds the members of an API item that this version does not know,
// by their path inside the item (x_new, owner.x_new,
// latest_config.data[0].tools[1].x_new), each with its raw JSON value as
// sent (strings scrubbed). Nil when there were none; never read by a
// policy of this version.
type Extra map[string]json.RawMessage

// Tool names the program that wrote the document.
type Tool struct {
	Name    string `json:"name"`
	Version string `json:"version"`
}

// Organization is the OpenAI organization the Admin API answered for.
type Organization struct {
	ID            string         `json:"id"`
	Name          *string        `json:"name,omitempty"`
	DataRetention *DataRetention `json:"data_retention,omitempty"`
	SpendLimit    *SpendLimit    `json:"spend_limit,omitempty"`
	SpendAlerts   []SpendAlert   `json:"spend_alerts,omitempty"`
	// AuditLoggingEnabled is derived: false when the audit-log list was
	// refused because audit logging is off, true when it was read.
	AuditLoggingEnabled *bool `json:"audit_logging_enabled,omitempty"`
}

// Workspace is the ChatGPT Enterprise workspace read through the Compliance API.
type Workspace struct {
	ID string `json:"id"`
}

// Source status values.
const (
	StatusComplete = "complete"
	StatusPartial  = "partial"
	StatusSkipped  = "skipped"
	StatusFailed   = "failed"
)

// Source names, the keys of Inventory.Sources.
const (
	SourceAdminAPIKeys           = "admin_api_keys"
	SourceProjects               = "projects"
	SourceProjectAPIKeys         = "project_api_keys"
	SourceProjectServiceAccounts = "project_service_accounts"
	SourceProjectUsers           = "project_users"
	SourceUsers                  = "users"
	SourceInvites                = "invites"
	SourceAuditLogs              = "audit_logs"
	SourceGPTs                   = "gpts"
	SourceWorkspaceUsers         = "workspace_users"
	SourceGPTFiles               = "gpt_files"
	SourceChatGPTProjects        = "chatgpt_projects"
	SourceProjectFiles           = "project_files"
	SourceConversationLogs       = "conversation_logs"
	SourceConversationFiles      = "conversation_files"

	SourceOrganizationDataRetention = "organization_data_retention"
	SourceProjectDataRetention      = "project_data_retention"
	SourceProjectModelPermissions   = "project_model_permissions"
	SourceProjectHostedToolPerms    = "project_hosted_tool_permissions"
	SourceOrganizationSpendLimit    = "organization_spend_limit"
	SourceProjectSpendLimits        = "project_spend_limits"
	SourceOrganizationSpendAlerts   = "organization_spend_alerts"
	SourceProjectSpendAlerts        = "project_spend_alerts"
	SourceOrganizationCertificates  = "organization_certificates"
	SourceProjectCertificates       = "project_certificates"
	SourceRoles                     = "roles"
	SourceGroups                    = "groups"
	SourceGroupUsers                = "group_users"
	SourceGroupRoles                = "group_roles"
	SourceUserRoles                 = "user_roles"
	SourceAgents                    = "agents"
	SourcePlugins                   = "plugins"
)

// Source records how completely one list was read, so that "none found" can be
// told from "not collected".
type Source struct {
	Status string  `json:"status"`
	Items  int     `json:"items"`
	Pages  int     `json:"pages"`
	Reason *string `json:"reason,omitempty"`
}

// Incomplete reports whether the list was not read to its end: partial or
// failed. A skipped list was left out on purpose and is not incomplete.
func (s Source) Incomplete() bool {
	return s.Status == StatusPartial || s.Status == StatusFailed
}

// Sources maps each list the collector reads (Source* names) to how
// completely it was read.
type Sources map[string]Source

// NotComplete lists, sorted by name, the sources that were not read
// completely: partial, failed and skipped ones, but for those no enabled
// policy reads (they hide no finding). Source.Incomplete tells a skipped
// one (left out on purpose) from the others.
func (s Sources) NotComplete() []string {
	var out []string
	for name, src := range s {
		if src.Status != StatusComplete && !src.NotNeeded() {
			out = append(out, name)
		}
	}
	slices.Sort(out)
	return out
}

// AdminAPIKey is an organization admin key (sk-admin-…), by its redacted value only.
type AdminAPIKey struct {
	ID            string  `json:"id"`
	Name          *string `json:"name"`
	RedactedValue *string `json:"redacted_value,omitempty"`
	CreatedAt     *int64  `json:"created_at"`
	ExpiresAt     *int64  `json:"expires_at"`
	LastUsedAt    *int64  `json:"last_used_at"`
	Owner         *Owner  `json:"owner,omitempty"`
	Extra         Extra   `json:"extra,omitempty"`
}

// Owner is who owns a key. Type and role are free strings.
type Owner struct {
	Type  *string `json:"type,omitempty"`
	ID    *string `json:"id,omitempty"`
	Name  *string `json:"name,omitempty"`
	Email *string `json:"email,omitempty"`
	Role  *string `json:"role,omitempty"`
}

// Project statuses, as the collector normalizes them.
const (
	ProjectActive   = "active"
	ProjectArchived = "archived"
)

// Project is an API project with its keys, service accounts and members.
// Status is computed by the collector (active or archived); StatusRaw is
// what the API sent, null included.
type Project struct {
	ID              string           `json:"id"`
	Name            *string          `json:"name"`
	Status          string           `json:"status"`
	StatusRaw       *string          `json:"status_raw"`
	CreatedAt       *int64           `json:"created_at"`
	ArchivedAt      *int64           `json:"archived_at,omitempty"`
	APIKeys         []ProjectAPIKey  `json:"api_keys"`
	ServiceAccounts []ServiceAccount `json:"service_accounts"`
	Users           []ProjectUser    `json:"users"`
	// Settings of the project (estate.go); absent when not collected.
	Residency             *string                         `json:"residency,omitempty"`
	DataRetention         *DataRetention                  `json:"data_retention,omitempty"`
	ModelPermissions      *ModelPermissions               `json:"model_permissions,omitempty"`
	HostedToolPermissions map[string]HostedToolPermission `json:"hosted_tool_permissions,omitempty"`
	SpendLimit            *SpendLimit                     `json:"spend_limit,omitempty"`
	SpendAlerts           []SpendAlert                    `json:"spend_alerts,omitempty"`
	Certificates          []Certificate                   `json:"certificates,omitempty"`
	// SettingsReused names the settings an incremental rescan took from
	// its state file instead of reading them, each with when it was read
	// (unix seconds); absent when every setting was read in this
	// collection.
	SettingsReused map[string]int64 `json:"settings_reused,omitempty"`
	Extra          Extra            `json:"extra,omitempty"`
}

// ProjectAPIKey is a project key, by its redacted value only.
type ProjectAPIKey struct {
	ID                 string    `json:"id"`
	Name               *string   `json:"name"`
	RedactedValue      *string   `json:"redacted_value,omitempty"`
	CreatedAt          *int64    `json:"created_at"`
	LastUsedAt         *int64    `json:"last_used_at"`
	OwnerProjectAccess *string   `json:"owner_project_access,omitempty"`
	Owner              *KeyOwner `json:"owner,omitempty"`
	Extra              Extra     `json:"extra,omitempty"`
}

// KeyOwner is the user or service account that owns a project key. Type is
// the API's string as sent (user or service_account documented).
type KeyOwner struct {
	Type  string  `json:"type"`
	ID    *string `json:"id,omitempty"`
	Name  *string `json:"name,omitempty"`
	Email *string `json:"email,omitempty"`
	Role  *string `json:"role,omitempty"`
}

// ServiceAccount is a project service account.
type ServiceAccount struct {
	ID        string  `json:"id"`
	Name      *string `json:"name"`
	Role      *string `json:"role"`
	CreatedAt *int64  `json:"created_at"`
	Extra     Extra   `json:"extra,omitempty"`
}

// ProjectUser is a member of a project.
type ProjectUser struct {
	ID      string  `json:"id"`
	Email   *string `json:"email,omitempty"`
	Name    *string `json:"name,omitempty"`
	Role    *string `json:"role"`
	AddedAt *int64  `json:"added_at,omitempty"`
	Extra   Extra   `json:"extra,omitempty"`
}

// User is a member of the organization, with the collector's derived activity.
type User struct {
	ID               string          `json:"id"`
	Name             *string         `json:"name,omitempty"`
	Email            *string         `json:"email"`
	Role             *string         `json:"role"`
	AddedAt          *int64          `json:"added_at"`
	APIKeyLastUsedAt *int64          `json:"api_key_last_used_at,omitempty"`
	IsServiceAccount *bool           `json:"is_service_account,omitempty"`
	IsSCIMManaged    *bool           `json:"is_scim_managed,omitempty"`
	Enabled          *bool           `json:"enabled,omitempty"`
	Banned           *bool           `json:"banned,omitempty"`
	LastActivityAt   *int64          `json:"last_activity_at"`
	ActivitySignals  ActivitySignals `json:"activity_signals"`
	// Roles are the user's role assignments, when collected.
	Roles []RoleAssignment `json:"roles,omitempty"`
	Extra Extra            `json:"extra,omitempty"`
}

// Activity signal names, as listed in ActivitySignals.Unavailable.
const (
	SignalAuditLogLogin    = "audit_log_login"
	SignalAPIKeyLastUsed   = "api_key_last_used"
	SignalOwnedProjectKeys = "owned_project_keys"
)

// ActivitySignals is the evidence behind User.LastActivityAt.
type ActivitySignals struct {
	AuditLogLoginAt            *int64   `json:"audit_log_login_at"`
	APIKeyLastUsedAt           *int64   `json:"api_key_last_used_at"`
	OwnedProjectKeysLastUsedAt *int64   `json:"owned_project_keys_last_used_at"`
	Unavailable                []string `json:"unavailable"`
}

// Invite is an invitation to the organization.
type Invite struct {
	ID         string          `json:"id"`
	Email      string          `json:"email"`
	Role       *string         `json:"role"`
	Status     *string         `json:"status"`
	CreatedAt  *int64          `json:"created_at"`
	ExpiresAt  *int64          `json:"expires_at"`
	AcceptedAt *int64          `json:"accepted_at,omitempty"`
	Projects   []InviteProject `json:"projects"`
	Extra      Extra           `json:"extra,omitempty"`
}

// InviteProject is a project role an invite grants on acceptance.
type InviteProject struct {
	ID   string  `json:"id"`
	Role *string `json:"role"`
}

// Normalized GPT visibilities.
const (
	VisibilityInviteOnly        = "invite-only"
	VisibilityWorkspaceWithLink = "workspace-with-link"
	VisibilityWorkspace         = "workspace"
	VisibilityAnyoneWithLink    = "anyone-with-link"
	VisibilityGPTStore          = "gpt-store"
	VisibilityUnknown           = "unknown"
)

// Normalized GPT tool kinds.
const (
	ToolCustomAction    = "custom_action"
	ToolCodeInterpreter = "code_interpreter"
	ToolWebBrowsing     = "web_browsing"
	ToolImageGeneration = "image_generation"
	ToolCanvas          = "canvas"
	ToolMemory          = "memory"
	ToolOther           = "other"
)

// GPT is a custom GPT of the workspace, with its live configuration's tools.
type GPT struct {
	ID            string    `json:"id"`
	Name          *string   `json:"name"`
	Description   *string   `json:"description,omitempty"`
	CreatedAt     *int64    `json:"created_at,omitempty"`
	OwnerID       *string   `json:"owner_id,omitempty"`
	OwnerEmail    *string   `json:"owner_email,omitempty"`
	BuilderName   *string   `json:"builder_name,omitempty"`
	Visibility    string    `json:"visibility"`
	VisibilityRaw *string   `json:"visibility_raw"`
	Tools         []GPTTool `json:"tools"`
	Files         []GPTFile `json:"files"`
	// InstructionsDetections is what the secret detectors found in the
	// live configuration's instructions (never the instructions): nil when
	// they were not scanned, an empty map when nothing matched.
	InstructionsDetections *Detections    `json:"instructions_detections,omitempty"`
	Recipients             []GPTRecipient `json:"recipients,omitempty"`
	Extra                  Extra          `json:"extra,omitempty"`
}

// GPTTool is one tool of a GPT: the normalized kind and the API's raw type.
type GPTTool struct {
	Type             string  `json:"type"`
	RawType          string  `json:"raw_type"`
	ActionDomain     *string `json:"action_domain,omitempty"`
	AuthType         *string `json:"auth_type,omitempty"`
	PrivacyPolicyURL *string `json:"privacy_policy_url,omitempty"`
	// OpenAPIDetections is what the secret detectors found in the action's
	// raw OpenAPI text (never the text); nil when not scanned.
	OpenAPIDetections *Detections `json:"openapi_detections,omitempty"`
}

// GPTFile is a knowledge file of a GPT: its name, never its contents.
type GPTFile struct {
	ID        string  `json:"id"`
	Name      *string `json:"name,omitempty"`
	CreatedAt *int64  `json:"created_at,omitempty"`
}

// WorkspaceUser is a member of the ChatGPT workspace (Compliance API).
type WorkspaceUser struct {
	ID        string  `json:"id"`
	Email     *string `json:"email,omitempty"`
	Name      *string `json:"name,omitempty"`
	Role      *string `json:"role,omitempty"`
	Status    *string `json:"status,omitempty"`
	CreatedAt *int64  `json:"created_at,omitempty"`
	Extra     Extra   `json:"extra,omitempty"`
}

// ChatGPTProject is a project of the ChatGPT workspace (Compliance API):
// who owns it and how it is shared. Visibility is normalized like a GPT's
// (unknown when the API sent a value this version does not know, or none:
// VisibilityRaw, the value as sent, is then null); Sharing is the sharing
// object exactly as sent (strings scrubbed), because its shape for
// projects is not public. Its files are read for DLP only (Files).
type ChatGPTProject struct {
	ID            string          `json:"id"`
	Name          *string         `json:"name"`
	CreatedAt     *int64          `json:"created_at,omitempty"`
	OwnerID       *string         `json:"owner_id,omitempty"`
	OwnerEmail    *string         `json:"owner_email,omitempty"`
	Visibility    string          `json:"visibility"`
	VisibilityRaw *string         `json:"visibility_raw"`
	Recipients    []GPTRecipient  `json:"recipients,omitempty"`
	Sharing       json.RawMessage `json:"sharing,omitempty"`
	Extra         Extra           `json:"extra,omitempty"`
}

// UnmarshalJSON reads a project as written, with Sharing compacted: a
// document read and written again is the same, whatever the indentation
// of the file it came from.
func (p *ChatGPTProject) UnmarshalJSON(b []byte) error {
	type plain ChatGPTProject
	if err := json.Unmarshal(b, (*plain)(p)); err != nil {
		return err
	}
	if len(p.Sharing) > 0 {
		var c bytes.Buffer
		if json.Compact(&c, p.Sharing) == nil {
			p.Sharing = c.Bytes()
		}
	}
	return nil
}

// DLP records how files were scanned.
type DLP struct {
	ProfilesEnabled []string `json:"profiles_enabled"`
	Detectors       []string `json:"detectors"`
	MaxFileBytes    int64    `json:"max_file_bytes"`
}

// File locations.
const (
	LocationGPT            = "gpt"
	LocationChatGPTProject = "chatgpt_project"
	LocationConversation   = "conversation"
)

// File scan statuses.
const (
	FileScanned     = "scanned"
	FileTooLarge    = "too_large"
	FileUnsupported = "unsupported"
	FileError       = "error"
)

// File is a scanned file: where it lives and what the detectors found,
// never its contents.
type File struct {
	ID         string               `json:"id"`
	Name       *string              `json:"name"`
	Location   string               `json:"location"`
	Container  FileContainer        `json:"container"`
	Owner      *FileOwner           `json:"owner,omitempty"`
	Size       *int64               `json:"size,omitempty"`
	MIMEType   *string              `json:"mime_type,omitempty"`
	Status     string               `json:"status"`
	Reason     *string              `json:"reason,omitempty"`
	Detections map[string]Detection `json:"detections"`
	// Reused says the result is the previous collection's (a state file):
	// the file was listed as unchanged and not downloaded again.
	Reused bool `json:"reused,omitempty"`
}

// FileContainer is the GPT, ChatGPT project or conversation of a file.
type FileContainer struct {
	ID   string  `json:"id"`
	Name *string `json:"name,omitempty"`
}

// FileOwner is who put the file there.
type FileOwner struct {
	ID    *string `json:"id,omitempty"`
	Email *string `json:"email,omitempty"`
}

// Detections are what each detector that matched found in one text, by
// detector name.
type Detections map[string]Detection

// Detection is what one detector found in a file. Confidence and
// ByConfidence are absent from inventories written before detectors had
// confidence; policies then count every match.
type Detection struct {
	Count  int    `json:"count"`
	Sample string `json:"sample"`
	// Confidence is the sample's: the highest of the matches (low,
	// medium or high).
	Confidence string `json:"confidence,omitempty"`
	// ByConfidence counts the matches per confidence.
	ByConfidence map[string]int `json:"by_confidence,omitempty"`
}
