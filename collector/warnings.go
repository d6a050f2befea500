package collector

import (
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
