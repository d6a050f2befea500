package simulator

import (
	"encoding/json"
	"fmt"

	"github.com/openai-casb/openai-casb/inventory"
)

// The simulator serves an inventory back in the shapes of the two APIs (see
// ../shared/reference/openai-apis.md): the collector must turn them into the
// same inventory again. These encoders are written from the API reference,
// independently of the collector's decoders, so that a round trip tests both.

// list is one paged list: pre-encoded objects in API order, and where each
// id stands so `after` cursors resolve in constant time.
type list struct {
	items [][]byte
	ids   []string
	index map[string]int
}

func newList(n int) *list {
	return &list{items: make([][]byte, 0, n), ids: make([]string, 0, n), index: make(map[string]int, n)}
}

func (l *list) add(id string, v any) {
	raw, err := json.Marshal(v)
	if err != nil {
		panic(fmt.Sprintf("simulator: encode %s: %v", id, err))
	}
	l.index[id] = len(l.items)
	l.items = append(l.items, raw)
	l.ids = append(l.ids, id)
}

// apiData is every list the simulator serves.
type apiData struct {
	adminKeys  *list
	projects   *list // all projects; active ones are also in activeProjects
	active     *list
	archived   map[string]bool
	keys       map[string]*list // project id -> keys, owner_project_access=any
	activeKeys map[string]*list // project id -> keys without owner_project_access=any
	accounts   map[string]*list
	members    map[string]*list
	users      *list
	invites    *list
	gpts       *list
	wsUsers    *list
	agents     *list // nil: the workspace has none to list (404)
	plugins    *list
}

func encodeAPI(inv *inventory.Inventory, opts Options) *apiData {
	d := &apiData{
		adminKeys:  newList(len(inv.AdminAPIKeys)),
		projects:   newList(len(inv.Projects)),
		active:     newList(len(inv.Projects)),
		archived:   map[string]bool{},
		keys:       map[string]*list{},
		activeKeys: map[string]*list{},
		accounts:   map[string]*list{},
		members:    map[string]*list{},
		users:      newList(len(inv.Users)),
		invites:    newList(len(inv.Invites)),
		gpts:       newList(len(inv.GPTs)),
		wsUsers:    newList(len(inv.WorkspaceUsers)),
		agents:     encodeOpaque(inv.Agents),
		plugins:    encodeOpaque(inv.Plugins),
	}
	for _, k := range inv.AdminAPIKeys {
		obj := map[string]any{
			"object": "organization.admin_api_key", "id": k.ID, "name": k.Name,
			"redacted_value": k.RedactedValue, "created_at": k.CreatedAt,
			"last_used_at": k.LastUsedAt, "expires_at": k.ExpiresAt,
		}
		if k.Owner != nil {
			obj["owner"] = map[string]any{"type": k.Owner.Type, "object": "organization.user", "id": k.Owner.ID, "name": k.Owner.Name, "role": k.Owner.Role}
		}
		d.adminKeys.add(k.ID, obj)
	}
	for _, p := range inv.Projects {
		// The API's status as sent: status_raw (null included) in version
		// 2 inventories; version 1 kept only the normalized status.
		var status any = p.StatusRaw
		if inv.SchemaVersion < 2 {
			status = p.Status
		}
		obj := map[string]any{"id": p.ID, "object": "organization.project", "name": p.Name, "created_at": p.CreatedAt, "archived_at": p.ArchivedAt, "status": status}
		if p.Residency != nil {
			obj["residency"] = *p.Residency
		}
		d.projects.add(p.ID, obj)
		if p.Status == "archived" {
			d.archived[p.ID] = true
		} else {
			d.active.add(p.ID, obj)
		}
		keys, activeKeys := newList(len(p.APIKeys)), newList(len(p.APIKeys))
		for _, k := range p.APIKeys {
			obj := map[string]any{
				"object": "organization.project.api_key", "id": k.ID, "name": k.Name,
				"redacted_value": k.RedactedValue, "created_at": k.CreatedAt, "last_used_at": k.LastUsedAt,
				"owner_project_access": k.OwnerProjectAccess,
			}
			if o := k.Owner; o != nil {
				switch o.Type {
				case "service_account":
					// The inventory does not keep the owner's created_at,
					// which the spec requires: the key's stands in.
					obj["owner"] = map[string]any{"type": "service_account", "service_account": map[string]any{
						"id": o.ID, "name": o.Name, "role": o.Role, "created_at": k.CreatedAt}}
				default:
					obj["owner"] = map[string]any{"type": o.Type, "user": map[string]any{
						"id": o.ID, "name": o.Name, "email": o.Email, "role": o.Role, "created_at": k.CreatedAt}}
				}
			}
			keys.add(k.ID, obj)
			// Without owner_project_access=any the API "may exclude some
			// enabled keys": the simulator leaves out keys whose owner has
			// lost access to the project, so a collector that forgets the
			// parameter misses them.
			if k.OwnerProjectAccess == nil || *k.OwnerProjectAccess != "inactive" {
				activeKeys.add(k.ID, obj)
			}
		}
		d.keys[p.ID], d.activeKeys[p.ID] = keys, activeKeys
		accounts := newList(len(p.ServiceAccounts))
		for _, sa := range p.ServiceAccounts {
			accounts.add(sa.ID, map[string]any{"object": "organization.project.service_account", "id": sa.ID, "name": sa.Name, "role": sa.Role, "created_at": sa.CreatedAt})
		}
		d.accounts[p.ID] = accounts
		members := newList(len(p.Users))
		for _, u := range p.Users {
			members.add(u.ID, map[string]any{"object": "organization.project.user", "id": u.ID, "name": u.Name, "email": u.Email, "role": u.Role, "added_at": u.AddedAt})
		}
		d.members[p.ID] = members
	}
	for _, u := range inv.Users {
		obj := map[string]any{
			"object": "organization.user", "id": u.ID, "name": u.Name, "email": u.Email,
			"role": u.Role, "added_at": u.AddedAt,
		}
		if !opts.OmitNewUserFields {
			obj["api_key_last_used_at"] = u.APIKeyLastUsedAt
			// Booleans in the spec, not nullable: left out when unknown.
			if u.IsServiceAccount != nil {
				obj["is_service_account"] = *u.IsServiceAccount
			}
			if u.IsSCIMManaged != nil {
				obj["is_scim_managed"] = *u.IsSCIMManaged
			}
			obj["user"] = map[string]any{"object": "user", "id": u.ID, "email": u.Email, "name": u.Name, "enabled": u.Enabled, "banned": u.Banned}
		}
		d.users.add(u.ID, obj)
	}
	for _, in := range inv.Invites {
		obj := map[string]any{
			"object": "organization.invite", "id": in.ID, "email": in.Email, "role": in.Role,
			"status": in.Status, "expires_at": in.ExpiresAt, "accepted_at": in.AcceptedAt, "projects": in.Projects,
		}
		if opts.LegacyInviteTimestamps {
			obj["invited_at"] = in.CreatedAt
		} else {
			obj["created_at"] = in.CreatedAt
		}
		d.invites.add(in.ID, obj)
	}
	for _, g := range inv.GPTs {
		tools := make([]map[string]any, 0, len(g.Tools))
		for _, t := range g.Tools {
			tool := map[string]any{"type": t.RawType}
			if t.ActionDomain != nil {
				tool["action_domain"] = t.ActionDomain
				tool["action_openapi_raw"] = actionOpenAPI(g, *t.ActionDomain)
			}
			if t.AuthType != nil {
				tool["auth_type"] = t.AuthType
			}
			if t.PrivacyPolicyURL != nil {
				tool["action_privacy_policy_url"] = t.PrivacyPolicyURL
			}
			tools = append(tools, tool)
		}
		files := make([]map[string]any, 0, len(g.Files))
		for _, f := range g.Files {
			files = append(files, map[string]any{"id": f.ID, "name": f.Name, "created_at": f.CreatedAt})
		}
		d.gpts.add(g.ID, map[string]any{
			"id": g.ID, "created_at": g.CreatedAt, "owner_id": g.OwnerID, "owner_email": g.OwnerEmail,
			"builder_name": g.BuilderName,
			"sharing": map[string]any{
				"visibility":  g.VisibilityRaw,
				"permissions": map[string]any{"can_read": true, "can_view_config": false, "can_write": false},
				"recipients":  encodeRecipients(g.Recipients),
			},
			"latest_config": map[string]any{"data": []any{map[string]any{
				"name": g.Name, "description": g.Description, "instructions": gptInstructions(g),
				"files": map[string]any{"data": files},
				"tools": map[string]any{"data": tools},
			}}},
		})
	}
	for _, u := range inv.WorkspaceUsers {
		d.wsUsers.add(u.ID, map[string]any{"id": u.ID, "email": u.Email, "name": u.Name, "created_at": u.CreatedAt, "role": u.Role, "status": u.Status})
	}
	return d
}
