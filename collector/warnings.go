package collector

import (
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"
)

// notes gathers what the APIs sent that this version does not know: a value
// outside the documented ones (null included), or a field it does not read.
// The resource is always kept, with the value as sent; each distinct thing is
// noted once, naming the first resource it was seen on, so that a workspace
// of a hundred thousand users with a new role gives one warning, not a
// hundred thousand.
type notes struct {
	mu   sync.Mutex
	seen map[string]bool
	msgs []string
}

func (n *notes) add(key, msg string) {
	if n == nil {
		return
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.seen == nil {
		n.seen = map[string]bool{}
	}
	if n.seen[key] {
		return
	}
	n.seen[key] = true
	n.msgs = append(n.msgs, msg)
}

// list returns the notes sorted, so the same answers warn in the same order
// whatever order concurrent lists finished in.
func (n *notes) list() []string {
	if n == nil {
		return nil
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	out := slices.Clone(n.msgs)
	sort.Strings(out)
	return out
}

// value notes an API-owned value that is null or not one of known, and
// returns it as sent.
func (n *notes) value(kind, id, field string, v *string, known ...string) *string {
	switch {
	case v == nil:
		n.add(kind+"\x00"+field+"\x00null", fmt.Sprintf("%s %s has no %s (null or absent; documented: %s): kept as null", kind, orNoID(id), field, strings.Join(known, ", ")))
	case !slices.Contains(known, *v):
		n.add(kind+"\x00"+field+"\x00"+*v, fmt.Sprintf("%s %s has %s %q, which this version does not know (documented: %s): kept as sent", kind, orNoID(id), field, *v, strings.Join(known, ", ")))
	}
	return v
}

// fields notes the top-level fields of an item that this version does not
// read: the resource is kept, the field's value is not.
func (n *notes) fields(kind, id string, raw json.RawMessage, known map[string]bool) {
	if n == nil {
		return
	}
	var m map[string]json.RawMessage
	if json.Unmarshal(raw, &m) != nil {
		return
	}
	for k := range m {
		if !known[k] {
			n.add(kind+"\x00field\x00"+k, fmt.Sprintf("%s %s has a field %q that this version does not read: the %s is kept without it", kind, orNoID(id), k, kind))
		}
	}
}

func orNoID(id string) string {
	if id == "" {
		return "(no id)"
	}
	return id
}

// set is a set of field names.
func set(names ...string) map[string]bool {
	m := make(map[string]bool, len(names))
	for _, n := range names {
		m[n] = true
	}
	return m
}

// Fields each item of the Admin API may carry, from the official OpenAPI
// document's schemas (Project, ProjectApiKey, ProjectServiceAccount,
// ProjectUser, User, Invite, AdminApiKey), plus fields older responses or
// the reference notes name. Anything else is noted once.
var (
	adminKeyFields       = set("object", "id", "name", "redacted_value", "created_at", "expires_at", "last_used_at", "owner")
	projectFields        = set("object", "id", "name", "created_at", "archived_at", "status", "external_key_id", "residency")
	projectKeyFields     = set("object", "id", "name", "redacted_value", "created_at", "last_used_at", "owner_project_access", "owner")
	serviceAccountFields = set("object", "id", "name", "role", "created_at")
	projectUserFields    = set("object", "id", "name", "email", "role", "added_at")
	userFields           = set("object", "id", "name", "email", "role", "added_at", "is_default", "created", "user",
		"api_key_last_used_at", "is_service_account", "is_scale_tier_authorized_purchaser", "is_scim_managed", "projects",
		"technical_level", "developer_persona")
	inviteFields = set("object", "id", "email", "role", "status", "created_at", "invited_at", "expires_at", "accepted_at", "projects")
)
