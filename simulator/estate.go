package simulator

import (
	"fmt"

	"github.com/openai-casb/openai-casb/inventory"
)

// estate makes the access model of the two planes agree the way a real
// estate does, with its usual flaws: a few platform accounts disabled or
// banned while their keys live on, keys whose owner left the project, admin
// keys whose owner was demoted, and a ChatGPT workspace whose members include
// the GPTs' owners, a few of them deactivated. It draws from the generator's
// random stream only after everything else, so the rest of the organization
// is the one earlier versions generated.
func (g *gen) estate(inv *inventory.Inventory) {
	for i := range inv.Users {
		u := &inv.Users[i]
		switch p := g.r.IntN(1000); {
		case p < 10:
			u.Banned = ptr(true)
		case p < 20:
			u.Enabled = ptr(false)
		}
	}
	for i := range inv.Projects {
		p := &inv.Projects[i]
		for k := range p.APIKeys {
			if key := &p.APIKeys[k]; key.Owner != nil && key.Owner.Type == "user" && g.pct(2) {
				key.OwnerProjectAccess = ptr("inactive")
			}
		}
	}
	readers := []inventory.User{}
	for _, u := range inv.Users {
		if u.Role != nil && *u.Role == "reader" {
			readers = append(readers, u)
		}
	}
	for i := range inv.AdminAPIKeys {
		if k := &inv.AdminAPIKeys[i]; len(readers) > 0 && g.pct(10) {
			o := readers[g.r.IntN(len(readers))]
			k.Owner = &inventory.Owner{Type: ptr("user"), ID: &o.ID, Name: o.Name, Role: ptr("owner")}
		}
	}
	// The GPTs' owners are workspace members too, by email; 3% of them
	// have been deactivated.
	byID := map[string]inventory.User{}
	for _, u := range inv.Users {
		byID[u.ID] = u
	}
	seen := map[string]bool{}
	for _, gp := range inv.GPTs {
		if gp.OwnerID == nil || seen[*gp.OwnerID] {
			continue
		}
		seen[*gp.OwnerID] = true
		u, ok := byID[*gp.OwnerID]
		if !ok {
			continue
		}
		status := "active"
		if g.pct(3) {
			status = "deactivated"
		}
		inv.WorkspaceUsers = append(inv.WorkspaceUsers, inventory.WorkspaceUser{
			ID: fmt.Sprintf("user-wsg%s", u.ID[len("user-"):]), Email: u.Email, Name: u.Name,
			Role: ptr("standard-user"), Status: &status, CreatedAt: ptr(u.AddedAt),
		})
	}
}
