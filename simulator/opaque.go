package simulator

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/samber/lo"

	"github.com/openai-casb/openai-casb/inventory"
)

// The workspace's agents and plugins. Their shapes are not public (the
// evidence file lists the routes only): the simulator sends each item with
// exactly the fields the inventory names, the five the collector reads
// (id, name, owner_id, owner_email, created_at; owner as {id, email}) with
// their values, any other with a placeholder string.

func encodeOpaque(items []inventory.OpaqueItem) *list {
	if items == nil {
		return nil // the workspace does not have them: 404
	}
	l := newList(len(items))
	for _, it := range items {
		obj := map[string]any{}
		for _, f := range it.Fields {
			switch f {
			case "id":
				obj[f] = it.ID
			case "name":
				obj[f] = it.Name
			case "owner_id":
				obj[f] = it.OwnerID
			case "owner_email":
				obj[f] = it.OwnerEmail
			case "created_at":
				obj[f] = it.CreatedAt
			case "owner":
				obj[f] = map[string]any{"id": it.OwnerID, "email": it.OwnerEmail}
			default:
				obj[f] = "simulated " + f + ", not read by the collector"
			}
		}
		obj["id"] = it.ID
		l.add(it.ID, obj)
	}
	return l
}

// opaqueRoutes serves the agents and plugins; an inventory without them
// (nil) answers 404, as a workspace whose plan lacks them might.
func (s *Server) opaqueRoutes(comp func(string, func(http.ResponseWriter, *http.Request) (any, error))) {
	for _, x := range []struct {
		pattern string
		l       *list
	}{{"agents", s.data.agents}, {"plugins", s.data.plugins}} {
		comp(x.pattern, func(w http.ResponseWriter, r *http.Request) (any, error) {
			if x.l == nil {
				return nil, apiErr(http.StatusNotFound, "Unknown request URL: GET "+r.URL.Path, "unknown_url")
			}
			return page(r, x.l, s.opts.MaxPageSize, false)
		})
	}
}

// Fields of the generated agents and plugins (sorted, as the collector
// records them).
var (
	agentFields  = []string{"created_at", "description", "id", "instructions", "name", "owner", "tools"}
	pluginFields = []string{"created_at", "domain", "id", "name", "owner_email", "owner_id", "status"}
)

// agents gives the workspace one agent per 200 users and one plugin per
// 500 (at least one of each), owned by workspace members (one in twelve
// by someone who has left), beside any planted ones; drawn after
// everything else.
func (g *gen) agents(inv *inventory.Inventory) {
	members := inv.WorkspaceUsers
	owner := func() (*string, *string) {
		if len(members) == 0 {
			return nil, nil
		}
		m := members[g.r.IntN(len(members))]
		if g.pct(8) {
			// Its owner has left the workspace since.
			return lo.ToPtr("user-ws-left-" + m.ID), lo.ToPtr("left." + strings.TrimPrefix(*m.Email, "member."))
		}
		return &m.ID, m.Email
	}
	inv.Agents, inv.Plugins = orEmpty(inv.Agents), orEmpty(inv.Plugins)
	for i := range max(1, len(inv.Users)/200) {
		id, email := owner()
		inv.Agents = append(inv.Agents, inventory.OpaqueItem{ID: fmt.Sprintf("agent_sim%05d", i), Name: lo.ToPtr(fmt.Sprintf("Agent %d", i)),
			OwnerID: id, OwnerEmail: email, CreatedAt: lo.ToPtr(g.ago(1, 200)), Fields: agentFields})
	}
	for i := range max(1, len(inv.Users)/500) {
		id, email := owner()
		inv.Plugins = append(inv.Plugins, inventory.OpaqueItem{ID: fmt.Sprintf("plugin_sim%05d", i), Name: lo.ToPtr(fmt.Sprintf("Plugin %d", i)),
			OwnerID: id, OwnerEmail: email, CreatedAt: lo.ToPtr(g.ago(1, 400)), Fields: pluginFields})
	}
}

func orEmpty[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// plantAgents adds an agent whose owner has left the workspace.
func plantAgents(inv *inventory.Inventory, now int64) {
	inv.Agents = append(inv.Agents, inventory.OpaqueItem{ID: "agent-planted-legacy", Name: lo.ToPtr("Legacy Ticket Triage"),
		OwnerID: lo.ToPtr("user-ws-planted-gone"), OwnerEmail: lo.ToPtr("gone@demo.example"), CreatedAt: lo.ToPtr(now - 300*Day), Fields: agentFields})
}
