package collector

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"slices"

	"github.com/openai-casb/openai-casb/inventory"
)

// The workspace's agents and plugins: Compliance API lists seen in a public
// path inventory (PATHS in the evidence file) whose item shapes no public
// source shows. Each is read like any list, paged the same way; a 404 or
// 403 (a plan without agents, a key without their scope) makes its source
// skipped with the reason, never failed. Items are kept minimally: id,
// name, owner, created_at and the names of their fields, never the values
// of the others (an agent's instructions may hold anything).

// opaqueRoutes are the lists of items of unknown shape.
var opaqueRoutes = []struct{ source, route, suffix string }{
	{inventory.SourceAgents, "GET /compliance/workspaces/{workspace_id}/agents", "/agents"},
	{inventory.SourcePlugins, "GET /compliance/workspaces/{workspace_id}/plugins", "/plugins"},
}

// opaqueLists reads the agents and plugins, each its own goroutine of top.
func (c *collection) opaqueLists(ctx context.Context, ws string, top func(func())) {
	for _, rt := range opaqueRoutes {
		top(func() {
			var items []inventory.OpaqueItem
			c.simple(ctx, c.comp, rt.source, rt.route, ws+rt.suffix, nil, func(raw json.RawMessage) error {
				it, err := normalizeOpaque(raw, rt.source)
				if err == nil {
					items = append(items, it)
				}
				return err
			})
			if !c.wants(rt.source) {
				return // not asked for: simple read nothing, skipUnwanted says why in sources
			}
			c.mu.Lock()
			defer c.mu.Unlock()
			r := c.results[rt.source]
			if reason, ok := missingErr(r.err, rt.route); ok && r.stats.items == 0 {
				*r = result{skipped: reason}
				return
			}
			c.estate.mu.Lock()
			c.estate.opaque[rt.source] = orEmpty(items)
			c.estate.mu.Unlock()
		})
	}
}

// apiOpaque is what is read of an item of unknown shape. The owner may be
// owner_id / owner_email, or an owner that is an id or an object with id
// and email: none is confirmed, all are accepted.
type apiOpaque struct {
	ID         flexString `json:"id"`
	Name       flexString `json:"name"`
	OwnerID    flexString `json:"owner_id"`
	OwnerEmail flexString `json:"owner_email"`
	CreatedAt  flexTime   `json:"created_at"`
}

func normalizeOpaque(raw json.RawMessage, source string) (inventory.OpaqueItem, error) {
	kind := map[string]string{inventory.SourceAgents: "agent", inventory.SourcePlugins: "plugin"}[source]
	var fields map[string]json.RawMessage
	var a apiOpaque
	if err := json.Unmarshal(raw, &fields); err != nil {
		return inventory.OpaqueItem{}, itemError(kind, idOf(raw), fmt.Errorf("cannot be read: %w", err))
	}
	if err := json.Unmarshal(raw, &a); err != nil {
		// A field of another shape than assumed: keep what can be read.
		a = apiOpaque{}
		_ = json.Unmarshal(fields["id"], &a.ID)
		_ = json.Unmarshal(fields["name"], &a.Name)
	}
	if a.ID.v == nil || *a.ID.v == "" {
		return inventory.OpaqueItem{}, itemError(kind, "", orMissingID(nil))
	}
	out := inventory.OpaqueItem{ID: *a.ID.v, Name: a.Name.v, OwnerID: a.OwnerID.v, OwnerEmail: a.OwnerEmail.v, CreatedAt: a.CreatedAt.v,
		Fields: slices.Sorted(maps.Keys(fields))}
	if o := fields["owner"]; len(o) > 0 {
		var id flexString
		var obj struct {
			ID    flexString `json:"id"`
			Email flexString `json:"email"`
		}
		if json.Unmarshal(o, &obj) == nil && o[0] == '{' {
			out.OwnerID = orString(out.OwnerID, obj.ID.v)
			out.OwnerEmail = orString(out.OwnerEmail, obj.Email.v)
		} else if json.Unmarshal(o, &id) == nil {
			out.OwnerID = orString(out.OwnerID, id.v)
		}
	}
	return out, nil
}

func orString(a, b *string) *string {
	if a != nil {
		return a
	}
	return b
}

// opaqueInto puts the agents and plugins read into the inventory: absent
// when their list was not read.
func (c *collection) opaqueInto(inv *inventory.Inventory) {
	for _, rt := range opaqueRoutes {
		r, ok := c.results[rt.source]
		if !ok {
			continue
		}
		inv.Sources[rt.source] = r.source()
		if items, ok := c.estate.opaque[rt.source]; ok {
			switch rt.source {
			case inventory.SourceAgents:
				inv.Agents = items
			case inventory.SourcePlugins:
				inv.Plugins = items
			}
		}
	}
}

// opaqueProbes are doctor's probes of the agents and plugins.
func opaqueProbes(base string) []probe {
	out := make([]probe, 0, len(opaqueRoutes))
	for _, rt := range opaqueRoutes {
		out = append(out, probe{AreaCompliance, rt.source, rt.route, base + rt.suffix, nil})
	}
	return out
}

// mayBeAbsent reports whether a 404 or 403 on the source's route only
// means the workspace's plan or the key lacks it: a scan records the
// source skipped.
func mayBeAbsent(source string) bool {
	return source == inventory.SourceChatGPTProjects || slices.ContainsFunc(opaqueRoutes, func(r struct{ source, route, suffix string }) bool { return r.source == source })
}
