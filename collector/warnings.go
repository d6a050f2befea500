package collector

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
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

func orNoID(id string) string {
	if id == "" {
		return "(no id)"
	}
	return id
}

// isObject says whether a list item is a JSON object: anything else (null,
// a string, a list) is no resource, and the only item a list cannot keep.
func isObject(raw json.RawMessage) error {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || raw[0] != '{' {
		return fmt.Errorf("an item is %s, not an object", kindOfJSON(raw))
	}
	return nil
}

// stamp is a timestamp the inventory places a resource by (created_at,
// users' added_at) as sent: null when the API sent none, noted once per
// kind. The policies that measure its age do not fire on null.
func (n *notes) stamp(kind, id, field string, t flexTime) *int64 {
	if t.v == nil {
		n.add(kind+"\x00"+field+"\x00null", fmt.Sprintf("%s %s has no %s (null or absent): kept as null; findings that measure its age cannot fire for it", kind, orNoID(id), field))
	}
	return t.v
}

// SyntheticIDPrefix starts the id the collector gives an item the API sent
// without one.
const SyntheticIDPrefix = "synthetic:"

// volatile are the members left out of a synthetic id: they change as the
// resource is used or managed (last use, status, role, expiry), while the
// resource stays the same one.
var volatile = []string{"last_used_at", "api_key_last_used_at", "status", "role", "archived_at", "accepted_at", "expires_at",
	"enabled", "banned", "banned_at", "updated_at", "owner_project_access", "is_default"}

// itemID is id, or, when the API sent none, a synthetic one, noted once per
// kind. The item is kept rather than dropped: it is a resource the API
// says exists, and a policy can still judge it. The synthetic id says it is
// one (synthetic:sha256:<16 hex digits>) so that nobody mistakes it for the
// API's, and it is stable: the hash of the item's members but the volatile
// ones, so the same item gets the same id in every collection (baselines
// and waivers keep matching) and a changed name or email gives a new one.
// Two identical id-less items get the same id: nothing tells them apart.
// A synthetic id is never put in a request path.
func (n *notes) itemID(kind, id string, raw json.RawMessage) string {
	if id != "" {
		return id
	}
	var m map[string]any
	_ = json.Unmarshal(raw, &m)
	for _, k := range volatile {
		delete(m, k)
	}
	delete(m, "id")
	canon, _ := json.Marshal(m) // map keys sorted: the same members hash the same in any order
	sum := sha256.Sum256(canon)
	syn := SyntheticIDPrefix + "sha256:" + hex.EncodeToString(sum[:8])
	n.add(kind+"\x00id\x00null", fmt.Sprintf("%s has no id (null or absent): kept with the synthetic id %s", kind, syn))
	return syn
}

// IsSynthetic says whether id is one the collector made up (itemID).
func IsSynthetic(id string) bool { return strings.HasPrefix(id, SyntheticIDPrefix) }
