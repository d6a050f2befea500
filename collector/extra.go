package collector

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strings"

	"github.com/openai-casb/openai-casb/inventory"
)

// Members the APIs send that this version does not know are kept: each
// resource of the inventory has an optional extra object holding them, by
// their path inside the item as the API sent it ("x_new" at the top level,
// "owner.x_new" inside the owner, "latest_config.data[0].tools[1].x_new"
// inside a list), each with its raw JSON value. Every string in them is
// scrubbed with the rest of the inventory. Each distinct path (list indexes
// left out) warns once.
//
// What "known" means is a shape per resource: the members the official
// spec (Admin API) or the evidence file (Compliance API) gives an item,
// whether the normalizer reads them or not. A documented member the
// inventory has no field for is known and not kept (the inventory stays
// the size it was). Among those, a GPT's instructions and its actions' OpenAPI text
// may hold secrets and are never written down (DLP scans them instead).

// shape is what this version knows of a JSON value. For an object, members
// maps each known member to the shape of its value; a nil shape is a member
// known and not looked into. open, when set, is the shape of every member
// whose name is not in members (objects keyed by name). For an array,
// elems is the shape of each element (nil: this shape itself, so a member
// holding a list of objects is described by the objects' members).
type shape struct {
	members map[string]*shape
	open    *shape
	elems   *shape
}

// known is an object shape whose members are all known leaves.
func known(names ...string) *shape {
	s := &shape{members: make(map[string]*shape, len(names))}
	for _, n := range names {
		s.members[n] = nil
	}
	return s
}

// with adds a known member with its own shape.
func (s *shape) with(name string, sub *shape) *shape {
	s.members[name] = sub
	return s
}

// listOf is a list as the APIs write it in one place or another: a bare
// array of items, or an object whose data holds them.
func listOf(item *shape) *shape {
	return known("object", "first_id", "last_id", "has_more", "next").with("data", item).elemsOf(item)
}

func (s *shape) elemsOf(item *shape) *shape {
	s.elems = item
	return s
}

// extras walks raw against s and returns the members s does not know, by
// path, or nil when there are none. Each distinct path is noted once, as a
// member of kind (its first resource named by id).
func extras(n *notes, kind, id string, raw json.RawMessage, s *shape) inventory.Extra {
	w := walker{n: n, kind: kind, id: id}
	w.walk(raw, s, "")
	return w.out
}

// keepMember keeps one unknown member of a resource whose extra is into
// (created when needed), at path.
func keepMember(into *inventory.Extra, n *notes, kind, id, path string, v json.RawMessage) {
	w := walker{n: n, kind: kind, id: id, out: *into}
	w.keep(path, v)
	*into = w.out
}

type walker struct {
	n        *notes
	kind, id string
	out      inventory.Extra
}

func (w *walker) walk(raw json.RawMessage, s *shape, path string) {
	if s == nil || len(raw) == 0 {
		return
	}
	switch raw[0] {
	case '{':
		var m map[string]json.RawMessage
		if json.Unmarshal(raw, &m) != nil {
			return
		}
		for k, v := range m {
			p := k
			if path != "" {
				p = path + "." + k
			}
			sub, ok := s.members[k]
			if !ok && s.open != nil {
				sub, ok = s.open, true
			}
			switch {
			case !ok:
				w.keep(p, v)
			case s.open != nil && sub == s.open && (len(v) == 0 || v[0] != '{'):
				w.keep(p, v) // a member of an object keyed by name that is not one of them
			case sub != nil:
				w.walk(v, sub, p)
			}
		}
	case '[':
		e := s.elems
		if e == nil {
			e = s
		}
		var a []json.RawMessage
		if json.Unmarshal(raw, &a) != nil {
			return
		}
		for i, v := range a {
			w.walk(v, e, fmt.Sprintf("%s[%d]", path, i))
		}
	}
}

var listIndex = regexp.MustCompile(`\[\d+\]`)

func (w *walker) keep(path string, v json.RawMessage) {
	if w.out == nil {
		w.out = inventory.Extra{}
	}
	w.out[path] = v
	generic := listIndex.ReplaceAllString(path, "[]")
	what := "a field"
	if strings.ContainsAny(generic, ".[") {
		what = "a nested field"
	}
	w.n.add(w.kind+"\x00field\x00"+generic, fmt.Sprintf("%s %s has %s %q that this version does not read: kept in its extra", w.kind, orNoID(w.id), what, path))
}

// The shapes of what each list's items carry, from the official OpenAPI
// document's schemas (Admin API) and compliance-api-evidence.md
// (Compliance API), plus the members older responses or the reference
// notes name.
var (
	// value is the whole key, in the answer that creates one: should a
	// list ever carry it, it is known and never kept.
	adminKeyShape = known("object", "id", "name", "redacted_value", "value", "created_at", "expires_at", "last_used_at").
			with("owner", known("type", "object", "id", "name", "created_at", "role"))
	projectShape    = known("object", "id", "name", "created_at", "archived_at", "status", "external_key_id", "residency")
	keyOwnerUser    = known("object", "id", "name", "email", "created_at", "role")
	projectKeyShape = known("object", "id", "name", "redacted_value", "created_at", "last_used_at", "owner_project_access").
			with("owner", known("type").with("user", keyOwnerUser).with("service_account", known("object", "id", "name", "created_at", "role")))
	serviceAccountShape = known("object", "id", "name", "role", "created_at")
	projectUserShape    = known("object", "id", "name", "email", "role", "added_at")
	userShape           = known("object", "id", "name", "email", "role", "added_at", "is_default", "created",
		"api_key_last_used_at", "is_service_account", "is_scale_tier_authorized_purchaser", "is_scim_managed",
		"technical_level", "developer_persona").
		with("user", known("object", "id", "email", "name", "picture", "enabled", "banned", "banned_at")).
		with("projects", listOf(known("id", "name", "role")))
	inviteShape = known("object", "id", "email", "role", "status", "created_at", "invited_at", "expires_at", "accepted_at").
			with("projects", known("id", "role"))

	// Compliance API (evidence: GCI, PSOXY). instructions and
	// action_openapi_raw are withheld on purpose; sharing's permissions and
	// recipients and a configuration's version_author are documented and
	// have no field in the inventory yet.
	gptShape = known("object", "id", "created_at", "owner_id", "owner_email", "builder_name").
			with("sharing", known("visibility", "permissions", "recipients")).
			with("latest_config", listOf(known("object", "id", "name", "description", "instructions", "created_at", "updated_at", "version_author").
				with("files", listOf(known("object", "id", "file_id", "name", "filename", "file_name", "created_at", "mime_type", "content_type", "size", "bytes", "sha256"))).
				with("tools", listOf(known("type", "action_domain", "action_openapi_raw", "action_privacy_policy_url", "auth_type")))))
	workspaceUserShape = known("object", "id", "email", "name", "created_at", "role", "status", "is_scim_managed")

	// The estate's routes (official spec).
	retentionShape  = known("object", "type")
	spendLimitShape = known("object", "threshold_amount", "currency", "interval").with("enforcement", known("status"))
	spendAlertShape = known("object", "id", "threshold_amount", "currency", "interval").
			with("notification_channel", known("type", "recipients", "subject_prefix"))
	certificateShape = known("object", "id", "name", "created_at", "active").
				with("certificate_details", known("valid_at", "expires_at", "content"))
	modelPermissionsShape = known("object", "mode", "model_ids")
	// Every member of the hosted tool permissions is a tool, the five the
	// spec lists and any it adds later, each {enabled}.
	hostedToolsShape = &shape{members: map[string]*shape{"object": nil}, open: known("enabled")}
	roleShape        = known("object", "id", "name", "description", "permissions", "resource_type", "predefined_role",
		"created_at", "updated_at", "created_by", "created_by_user_obj", "metadata").
		with("assignment_sources", known("principal_id", "principal_type"))
	groupShape     = known("object", "id", "name", "created_at", "is_scim_managed", "group_type")
	groupUserShape = known("object", "id", "name", "email")
)
