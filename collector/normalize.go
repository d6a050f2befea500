package collector

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/openai-casb/openai-casb/inventory"
)

// The API reference says: parse defensively. Unknown fields are ignored,
// unknown enum values are kept where the inventory can hold them, missing
// optional fields are null. The types below decode what the reference
// documents; normalize* functions turn them into inventory types, or say
// exactly why an item cannot be used.

// flexTime is a timestamp as either API may write it: unix seconds (integer
// or not), a numeric string, or an RFC 3339 string. present tells an absent
// field from an explicit null.
type flexTime struct {
	present bool
	v       *int64
}

func (t *flexTime) UnmarshalJSON(b []byte) error {
	t.present = true
	b = bytes.TrimSpace(b)
	if string(b) == "null" {
		return nil
	}
	if len(b) > 0 && b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		if s == "" {
			return nil
		}
		if n, err := strconv.ParseFloat(s, 64); err == nil {
			return t.setFloat(n)
		}
		ts, err := time.Parse(time.RFC3339Nano, s)
		if err != nil {
			return fmt.Errorf("timestamp %q is neither unix seconds nor RFC 3339", s)
		}
		u := ts.Unix()
		t.v = &u
		return nil
	}
	var n float64
	if err := json.Unmarshal(b, &n); err != nil {
		return fmt.Errorf("timestamp %s is not a number or a string", b)
	}
	return t.setFloat(n)
}

func (t *flexTime) setFloat(n float64) error {
	if math.IsNaN(n) || n < 0 || n > 253402300799 {
		return fmt.Errorf("timestamp %v is out of range", n)
	}
	u := int64(n)
	t.v = &u
	return nil
}

// flexString is a field the reference says to parse as a free string: any
// scalar is kept as its text; objects and arrays become null.
type flexString struct{ v *string }

func (s *flexString) UnmarshalJSON(b []byte) error {
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	switch x := v.(type) {
	case string:
		s.v = &x
	case float64, bool:
		str := fmt.Sprint(x)
		s.v = &str
	}
	return nil
}

// itemError names the item a normalization problem is about.
func itemError(kind, id string, err error) error {
	if id == "" {
		id = "(no id)"
	}
	return fmt.Errorf("%s %s %w", kind, id, err)
}

// --- Admin API ---------------------------------------------------------
//
// Every value the API owns (roles, statuses, owner types) is read as a free
// string (flexString: any scalar kept as its text) and kept as sent; a value
// outside the documented ones, null included, is noted once and never drops
// the item. An item without an id gets a synthetic one (itemID), an item
// without its timestamp (created_at, added_at) keeps null there; each is
// noted once. Only an item that is not a JSON object is unusable, and is
// counted against its list's source.

type apiAdminKey struct {
	ID            string    `json:"id"`
	Name          *string   `json:"name"`
	RedactedValue *string   `json:"redacted_value"`
	CreatedAt     flexTime  `json:"created_at"`
	ExpiresAt     flexTime  `json:"expires_at"`
	LastUsedAt    flexTime  `json:"last_used_at"`
	Owner         *apiOwner `json:"owner"`
}

type apiOwner struct {
	Type flexString `json:"type"`
	ID   flexString `json:"id"`
	Name flexString `json:"name"`
	Role flexString `json:"role"`
}

func normalizeAdminKey(raw json.RawMessage, n *notes) (inventory.AdminAPIKey, error) {
	var k apiAdminKey
	if err := json.Unmarshal(raw, &k); err != nil {
		return inventory.AdminAPIKey{}, itemError("admin key", idOf(raw), fmt.Errorf("cannot be read: %w", err))
	}
	k.ID = n.itemID("admin key", k.ID, raw)
	out := inventory.AdminAPIKey{
		ID: k.ID, Name: k.Name, RedactedValue: k.RedactedValue, CreatedAt: n.stamp("admin key", k.ID, "created_at", k.CreatedAt),
		ExpiresAt: k.ExpiresAt.v, LastUsedAt: k.LastUsedAt.v, Extra: extras(n, "admin key", k.ID, raw, adminKeyShape),
	}
	if k.Owner != nil {
		// The spec's text says type is always user; its own example says
		// service_account. Both are kept as sent, without a note.
		out.Owner = &inventory.Owner{Type: k.Owner.Type.v, ID: k.Owner.ID.v, Name: k.Owner.Name.v, Role: k.Owner.Role.v}
	}
	return out, nil
}

type apiProject struct {
	ID         string     `json:"id"`
	Name       *string    `json:"name"`
	Status     flexString `json:"status"`
	CreatedAt  flexTime   `json:"created_at"`
	ArchivedAt flexTime   `json:"archived_at"`
	Residency  *string    `json:"residency"`
}

// normalizeProject reads a project. status is anyOf [string, null] in the
// spec (documented: active, archived): it is kept as sent in status_raw, and
// the normalized status is archived when the API says so, or sends no status
// but an archived_at; active otherwise (a key looked at too many beats a key
// never looked at).
func normalizeProject(raw json.RawMessage, n *notes) (inventory.Project, error) {
	var p apiProject
	if err := json.Unmarshal(raw, &p); err != nil {
		return inventory.Project{}, itemError("project", idOf(raw), fmt.Errorf("cannot be read: %w", err))
	}
	p.ID = n.itemID("project", p.ID, raw)
	return inventory.Project{
		Extra: extras(n, "project", p.ID, raw, projectShape),
		ID:    p.ID, Name: p.Name, Status: projectStatus(p.Status.v, p.ArchivedAt.v),
		StatusRaw: n.value("project", p.ID, "status", p.Status.v, inventory.ProjectActive, inventory.ProjectArchived),
		CreatedAt: n.stamp("project", p.ID, "created_at", p.CreatedAt), ArchivedAt: p.ArchivedAt.v, Residency: p.Residency,
		APIKeys: []inventory.ProjectAPIKey{}, ServiceAccounts: []inventory.ServiceAccount{}, Users: []inventory.ProjectUser{},
	}, nil
}

// projectStatus is the normalized status of a project whose API status is
// raw (nil for null or absent) and whose archived_at is archivedAt.
func projectStatus(raw *string, archivedAt *int64) string {
	switch {
	case raw != nil && strings.EqualFold(strings.TrimSpace(*raw), inventory.ProjectArchived):
		return inventory.ProjectArchived
	case raw == nil && archivedAt != nil:
		return inventory.ProjectArchived
	}
	return inventory.ProjectActive
}

type apiProjectKey struct {
	ID                 string     `json:"id"`
	Name               *string    `json:"name"`
	RedactedValue      *string    `json:"redacted_value"`
	CreatedAt          flexTime   `json:"created_at"`
	LastUsedAt         flexTime   `json:"last_used_at"`
	OwnerProjectAccess flexString `json:"owner_project_access"`
	Owner              *struct {
		Type flexString `json:"type"`
		User *struct {
			ID    *string    `json:"id"`
			Name  *string    `json:"name"`
			Email *string    `json:"email"`
			Role  flexString `json:"role"`
		} `json:"user"`
		ServiceAccount *struct {
			ID   *string    `json:"id"`
			Name *string    `json:"name"`
			Role flexString `json:"role"`
		} `json:"service_account"`
	} `json:"owner"`
}

func normalizeProjectKey(raw json.RawMessage, n *notes) (inventory.ProjectAPIKey, error) {
	var k apiProjectKey
	if err := json.Unmarshal(raw, &k); err != nil {
		return inventory.ProjectAPIKey{}, itemError("project key", idOf(raw), fmt.Errorf("cannot be read: %w", err))
	}
	k.ID = n.itemID("project key", k.ID, raw)
	out := inventory.ProjectAPIKey{
		ID: k.ID, Name: k.Name, RedactedValue: k.RedactedValue, CreatedAt: n.stamp("project key", k.ID, "created_at", k.CreatedAt), LastUsedAt: k.LastUsedAt.v,
		Extra: extras(n, "project key", k.ID, raw, projectKeyShape),
	}
	if v := k.OwnerProjectAccess.v; v != nil {
		out.OwnerProjectAccess = n.value("project key", k.ID, "owner_project_access", v, "active", "inactive")
	}
	if o := k.Owner; o != nil {
		typ := ""
		if o.Type.v != nil {
			typ = *o.Type.v
		}
		// The type says which object holds the owner; an unknown or
		// missing type is kept as sent, and the owner read from whichever
		// object is there.
		switch {
		case typ == "service_account" || (typ != "user" && o.User == nil && o.ServiceAccount != nil):
			if typ == "" {
				typ = "service_account"
			}
			out.Owner = &inventory.KeyOwner{Type: typ}
			if sa := o.ServiceAccount; sa != nil {
				out.Owner.ID, out.Owner.Name, out.Owner.Role = sa.ID, sa.Name, sa.Role.v
			}
		case typ == "user" || o.User != nil:
			if typ == "" {
				typ = "user"
			}
			out.Owner = &inventory.KeyOwner{Type: typ}
			if u := o.User; u != nil {
				out.Owner.ID, out.Owner.Name, out.Owner.Email, out.Owner.Role = u.ID, u.Name, u.Email, u.Role.v
			}
		default:
			out.Owner = &inventory.KeyOwner{Type: typ}
		}
		if typ != "user" && typ != "service_account" {
			n.value("project key", k.ID, "owner type", o.Type.v, "user", "service_account")
		}
	}
	return out, nil
}

type apiServiceAccount struct {
	ID        string     `json:"id"`
	Name      *string    `json:"name"`
	Role      flexString `json:"role"`
	CreatedAt flexTime   `json:"created_at"`
}

func normalizeServiceAccount(raw json.RawMessage, n *notes) (inventory.ServiceAccount, error) {
	var s apiServiceAccount
	if err := json.Unmarshal(raw, &s); err != nil {
		return inventory.ServiceAccount{}, itemError("service account", idOf(raw), fmt.Errorf("cannot be read: %w", err))
	}
	s.ID = n.itemID("service account", s.ID, raw)
	return inventory.ServiceAccount{
		ID: s.ID, Name: s.Name, CreatedAt: n.stamp("service account", s.ID, "created_at", s.CreatedAt), Extra: extras(n, "service account", s.ID, raw, serviceAccountShape),
		Role: n.value("service account", s.ID, "role", s.Role.v, "owner", "member", "none"),
	}, nil
}

type apiProjectUser struct {
	ID      string     `json:"id"`
	Name    *string    `json:"name"`
	Email   *string    `json:"email"`
	Role    flexString `json:"role"`
	AddedAt flexTime   `json:"added_at"`
}

func normalizeProjectUser(raw json.RawMessage, n *notes) (inventory.ProjectUser, error) {
	var u apiProjectUser
	if err := json.Unmarshal(raw, &u); err != nil {
		return inventory.ProjectUser{}, itemError("project member", idOf(raw), fmt.Errorf("cannot be read: %w", err))
	}
	u.ID = n.itemID("project member", u.ID, raw)
	return inventory.ProjectUser{
		ID: u.ID, Email: u.Email, Name: u.Name, AddedAt: u.AddedAt.v, Extra: extras(n, "project member", u.ID, raw, projectUserShape),
		Role: n.value("project member", u.ID, "role", u.Role.v, "owner", "member"),
	}, nil
}

type apiUser struct {
	ID               string     `json:"id"`
	Name             *string    `json:"name"`
	Email            *string    `json:"email"`
	Role             flexString `json:"role"`
	AddedAt          flexTime   `json:"added_at"`
	APIKeyLastUsedAt flexTime   `json:"api_key_last_used_at"`
	IsServiceAccount *bool      `json:"is_service_account"`
	IsSCIMManaged    *bool      `json:"is_scim_managed"`
	User             *struct {
		Enabled *bool `json:"enabled"`
		Banned  *bool `json:"banned"`
	} `json:"user"`
}

// normalizeUser reads an organization member. Activity is derived later,
// from every signal; here the user's own api_key_last_used_at is noted,
// and whether the API sent that field at all. role is anyOf [string, null]
// in the spec (documented: owner, reader) and is kept as sent.
func normalizeUser(raw json.RawMessage, n *notes) (inventory.User, bool, error) {
	var u apiUser
	if err := json.Unmarshal(raw, &u); err != nil {
		return inventory.User{}, false, itemError("user", idOf(raw), fmt.Errorf("cannot be read: %w", err))
	}
	u.ID = n.itemID("user", u.ID, raw)
	out := inventory.User{
		ID: u.ID, Name: u.Name, Email: u.Email, AddedAt: n.stamp("user", u.ID, "added_at", u.AddedAt), Extra: extras(n, "user", u.ID, raw, userShape),
		Role:             n.value("user", u.ID, "role", u.Role.v, "owner", "reader"),
		APIKeyLastUsedAt: u.APIKeyLastUsedAt.v, IsServiceAccount: u.IsServiceAccount, IsSCIMManaged: u.IsSCIMManaged,
		ActivitySignals: inventory.ActivitySignals{Unavailable: []string{}},
	}
	if u.User != nil {
		out.Enabled, out.Banned = u.User.Enabled, u.User.Banned
	}
	return out, u.APIKeyLastUsedAt.present, nil
}

type apiInvite struct {
	ID         string     `json:"id"`
	Email      *string    `json:"email"`
	Role       flexString `json:"role"`
	Status     flexString `json:"status"`
	CreatedAt  flexTime   `json:"created_at"`
	InvitedAt  flexTime   `json:"invited_at"`
	ExpiresAt  flexTime   `json:"expires_at"`
	AcceptedAt flexTime   `json:"accepted_at"`
	Projects   []struct {
		ID   string     `json:"id"`
		Role flexString `json:"role"`
	} `json:"projects"`
}

// normalizeInvite reads an invite. projects is required in the spec but
// left out of its own example: absent is no projects.
func normalizeInvite(raw json.RawMessage, n *notes) (inventory.Invite, error) {
	var in apiInvite
	if err := json.Unmarshal(raw, &in); err != nil {
		return inventory.Invite{}, itemError("invite", idOf(raw), fmt.Errorf("cannot be read: %w", err))
	}
	in.ID = n.itemID("invite", in.ID, raw)
	// Older responses call the send time invited_at.
	sent := in.CreatedAt
	if sent.v == nil {
		sent = in.InvitedAt
	}
	email := ""
	if in.Email != nil {
		email = *in.Email
	}
	out := inventory.Invite{
		ID: in.ID, Email: email, CreatedAt: n.stamp("invite", in.ID, "created_at (or invited_at)", sent), Extra: extras(n, "invite", in.ID, raw, inviteShape),
		Role:      n.value("invite", in.ID, "role", in.Role.v, "owner", "reader"),
		Status:    n.value("invite", in.ID, "status", in.Status.v, "pending", "accepted", "expired"),
		ExpiresAt: in.ExpiresAt.v, AcceptedAt: in.AcceptedAt.v, Projects: []inventory.InviteProject{},
	}
	for _, p := range in.Projects {
		if p.ID == "" {
			n.add("invite\x00project without id", fmt.Sprintf("invite %s grants a project role without a project id: that grant is left out", in.ID))
			continue
		}
		out.Projects = append(out.Projects, inventory.InviteProject{
			ID: p.ID, Role: n.value("invite", in.ID, "project role", p.Role.v, "member", "owner"),
		})
	}
	return out, nil
}

// auditLogin is a login.succeeded event reduced to whose and when.
type auditLogin struct {
	userID, email string
	at            int64
}

type apiAuditEvent struct {
	ID          string   `json:"id"`
	Type        string   `json:"type"`
	EffectiveAt flexTime `json:"effective_at"`
	Actor       *struct {
		Type    string `json:"type"`
		Session *struct {
			User *struct {
				ID    string `json:"id"`
				Email string `json:"email"`
			} `json:"user"`
		} `json:"session"`
	} `json:"actor"`
}

// normalizeLogin reads a login event; ok is false for events that are not
// a user's successful login (nothing to learn, not an error).
func normalizeLogin(raw json.RawMessage) (auditLogin, bool, error) {
	var e apiAuditEvent
	if err := json.Unmarshal(raw, &e); err != nil {
		return auditLogin{}, false, itemError("audit log event", idOf(raw), fmt.Errorf("cannot be read: %w", err))
	}
	if e.Type != "login.succeeded" || e.Actor == nil || e.Actor.Session == nil || e.Actor.Session.User == nil || e.EffectiveAt.v == nil {
		return auditLogin{}, false, nil
	}
	u := e.Actor.Session.User
	return auditLogin{userID: u.ID, email: strings.ToLower(u.Email), at: *e.EffectiveAt.v}, true, nil
}

// --- Compliance API ----------------------------------------------------

type apiGPT struct {
	ID          string     `json:"id"`
	CreatedAt   flexTime   `json:"created_at"`
	OwnerID     flexString `json:"owner_id"`
	OwnerEmail  *string    `json:"owner_email"`
	BuilderName *string    `json:"builder_name"`
	Sharing     *struct {
		Visibility flexString `json:"visibility"`
	} `json:"sharing"`
	// latest_config, files and tools are {"data": [...]} in the
	// reference, bare arrays in some clients' records: both are read.
	LatestConfig wrapped[struct {
		Name        *string `json:"name"`
		Description *string `json:"description"`
		Files       wrapped[struct {
			ID        string   `json:"id"`
			Name      *string  `json:"name"`
			CreatedAt flexTime `json:"created_at"`
		}] `json:"files"`
		Tools wrapped[struct {
			Type             flexString `json:"type"`
			ActionDomain     flexString `json:"action_domain"`
			AuthType         flexString `json:"auth_type"`
			PrivacyPolicyURL flexString `json:"action_privacy_policy_url"`
		}] `json:"tools"`
	}] `json:"latest_config"`
}

// normalizeGPT reads a GPT. Its live configuration is the first item of
// latest_config; tools and visibility are normalized with the raw strings
// kept, and unknown kinds are kept as "other" or "unknown", never dropped.
func normalizeGPT(raw json.RawMessage, n *notes) (inventory.GPT, error) {
	var g apiGPT
	if err := json.Unmarshal(raw, &g); err != nil {
		return inventory.GPT{}, itemError("GPT", idOf(raw), fmt.Errorf("cannot be read: %w", err))
	}
	g.ID = n.itemID("GPT", g.ID, raw)
	out := inventory.GPT{
		Extra: extras(n, "GPT", g.ID, raw, gptShape),
		ID:    g.ID, CreatedAt: g.CreatedAt.v, OwnerID: g.OwnerID.v, OwnerEmail: g.OwnerEmail, BuilderName: g.BuilderName,
		Visibility: inventory.VisibilityUnknown, Tools: []inventory.GPTTool{}, Files: []inventory.GPTFile{},
	}
	if g.Sharing != nil && g.Sharing.Visibility.v != nil {
		out.VisibilityRaw = g.Sharing.Visibility.v
		out.Visibility = NormalizeVisibility(*g.Sharing.Visibility.v)
		if out.Visibility == inventory.VisibilityUnknown {
			n.add("GPT\x00visibility\x00"+*out.VisibilityRaw, fmt.Sprintf("GPT %s has sharing visibility %q, which this version does not know: kept in visibility_raw, normalized to unknown", g.ID, *out.VisibilityRaw))
		}
	}
	if len(g.LatestConfig.Data) > 0 {
		live := g.LatestConfig.Data[0]
		out.Name, out.Description = live.Name, live.Description
		for _, t := range live.Tools.Data {
			rawType := ""
			if t.Type.v != nil {
				rawType = *t.Type.v
			}
			kind := NormalizeTool(rawType)
			if kind == inventory.ToolOther {
				n.add("GPT\x00tool\x00"+rawType, fmt.Sprintf("GPT %s has a tool of type %q, which this version does not know: kept in raw_type, normalized to other", g.ID, rawType))
			}
			out.Tools = append(out.Tools, inventory.GPTTool{
				Type: kind, RawType: rawType,
				ActionDomain: t.ActionDomain.v, AuthType: t.AuthType.v, PrivacyPolicyURL: t.PrivacyPolicyURL.v,
			})
		}
		for _, f := range live.Files.Data {
			if f.ID == "" {
				continue
			}
			out.Files = append(out.Files, inventory.GPTFile{ID: f.ID, Name: f.Name, CreatedAt: f.CreatedAt.v})
		}
	}
	return out, nil
}

// NormalizeVisibility maps the Compliance API's sharing visibility onto the
// inventory's. The older names of one client (everyone-in-workspace,
// just-me) map onto their current equivalents; anything else is unknown,
// with the raw value kept beside it.
func NormalizeVisibility(raw string) string {
	switch strings.ToLower(strings.TrimSpace(raw)) {
	case "invite-only", "just-me":
		return inventory.VisibilityInviteOnly
	case "workspace-with-link":
		return inventory.VisibilityWorkspaceWithLink
	case "workspace", "everyone-in-workspace":
		return inventory.VisibilityWorkspace
	case "anyone-with-link":
		return inventory.VisibilityAnyoneWithLink
	case "gpt-store":
		return inventory.VisibilityGPTStore
	}
	return inventory.VisibilityUnknown
}

// NormalizeTool maps a GPT tool's type, matched case-insensitively, onto the
// inventory's tool kinds; unknown types become "other". canmore and bio are
// the internal names ChatGPT gives canvas and memory.
func NormalizeTool(raw string) string {
	switch strings.ToLower(strings.TrimSpace(raw)) {
	case "custom_action", "custom-action", "action":
		return inventory.ToolCustomAction
	case "code_interpreter", "code-interpreter", "python":
		return inventory.ToolCodeInterpreter
	case "browser", "web_browsing", "web-browsing":
		return inventory.ToolWebBrowsing
	case "dall-e", "dalle", "image_generation", "image-generation":
		return inventory.ToolImageGeneration
	case "canvas", "canmore":
		return inventory.ToolCanvas
	case "memory", "bio":
		return inventory.ToolMemory
	}
	return inventory.ToolOther
}

type apiWorkspaceUser struct {
	ID        string     `json:"id"`
	Email     *string    `json:"email"`
	Name      *string    `json:"name"`
	Role      flexString `json:"role"`
	Status    flexString `json:"status"`
	CreatedAt flexTime   `json:"created_at"`
}

func normalizeWorkspaceUser(raw json.RawMessage, n *notes) (inventory.WorkspaceUser, error) {
	var u apiWorkspaceUser
	if err := json.Unmarshal(raw, &u); err != nil {
		return inventory.WorkspaceUser{}, itemError("workspace user", idOf(raw), fmt.Errorf("cannot be read: %w", err))
	}
	u.ID = n.itemID("workspace user", u.ID, raw)
	return inventory.WorkspaceUser{ID: u.ID, Email: u.Email, Name: u.Name, Role: u.Role.v, Status: u.Status.v, CreatedAt: u.CreatedAt.v,
		Extra: extras(n, "workspace user", u.ID, raw, workspaceUserShape)}, nil
}

func orMissingID(err error) error {
	if err == nil {
		return fmt.Errorf("has no id")
	}
	return err
}

// idOf digs the id out of an item that does not otherwise decode, for the
// message.
func idOf(raw json.RawMessage) string {
	var v struct {
		ID any `json:"id"`
	}
	if json.Unmarshal(raw, &v) == nil {
		if s, ok := v.ID.(string); ok {
			return s
		}
	}
	return ""
}
