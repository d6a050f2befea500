package simulator

import (
	"encoding/json"
	"fmt"

	"github.com/samber/lo"

	"github.com/openai-casb/openai-casb/inventory"
)

// The workspace's ChatGPT projects (inventory.ChatGPTProjects), served on
// the Compliance API's projects route in the shape of PSOXY's example
// responses (compliance-api-evidence.md): owner_id, owner_email, sharing,
// and latest_config as a bare array whose configuration has the name and
// the files. No visibility values are published for projects: the GPTs'
// are used. The files of a project come from Content (DLP), matched by the
// project's id; a project of Content the inventory does not hold is served
// as before, without sharing.

// ProjectSharing is the sharing object the simulator serves for a project
// with this visibility and recipients, as the inventory then keeps it
// (ChatGPTProject.Sharing): visibility, the GPTs' permissions, and
// recipients as a bare list of {id, email, permissions}.
func ProjectSharing(visibility string, recipients []inventory.GPTRecipient) json.RawMessage {
	rs := make([]any, 0, len(recipients))
	for _, r := range recipients {
		rs = append(rs, map[string]any{"id": r.ID, "email": r.Email,
			"permissions": map[string]any{"can_read": r.CanRead, "can_view_config": r.CanViewConfig, "can_write": r.CanWrite}})
	}
	raw, _ := json.Marshal(map[string]any{
		"visibility":  visibility,
		"permissions": map[string]any{"can_read": true, "can_view_config": false, "can_write": false},
		"recipients":  rs,
	})
	return raw
}

// chatgptProject builds a project of the inventory as a collection of the
// simulator reads it back.
func chatgptProject(id, name, ownerID string, ownerEmail *string, created int64, visibility string, recipients []inventory.GPTRecipient) inventory.ChatGPTProject {
	rs := append([]inventory.GPTRecipient{}, recipients...)
	return inventory.ChatGPTProject{ID: id, Name: lo.ToPtr(name), CreatedAt: lo.ToPtr(created), OwnerID: lo.ToPtr(ownerID), OwnerEmail: ownerEmail,
		Visibility: visibility, VisibilityRaw: lo.ToPtr(visibility), Recipients: rs, Sharing: ProjectSharing(visibility, rs)}
}

// encodeChatGPTProject is a project as the projects route writes it.
func encodeChatGPTProject(p inventory.ChatGPTProject, files []map[string]any) map[string]any {
	if files == nil {
		files = []map[string]any{}
	}
	obj := map[string]any{
		"object": "compliance.workspace.project", "id": p.ID, "owner_id": p.OwnerID, "owner_email": p.OwnerEmail,
		"latest_config": []any{map[string]any{
			"object": "compliance.workspace.project.configuration", "id": "pr_cnf_" + p.ID,
			"name": p.Name, "instructions": "Answer from the project's files.", "files": files,
		}},
	}
	if p.CreatedAt != nil {
		obj["created_at"] = float64(*p.CreatedAt) + 0.5
	}
	if p.Sharing != nil {
		obj["sharing"] = p.Sharing
	} else if p.VisibilityRaw != nil {
		obj["sharing"] = ProjectSharing(*p.VisibilityRaw, p.Recipients)
	}
	return obj
}

// chatgptProjects gives the workspace one ChatGPT project per 25 users (at
// least one), owned by workspace members, in the mix of a large workspace:
// most private to their owner (invite-only, no one invited), some shared
// with a few colleagues by name, some shared by link with the workspace,
// a few shared by link with anyone. Drawn after everything else, so the
// rest of the organization stays as it was.
func (g *gen) chatgptProjects(inv *inventory.Inventory) {
	members := inv.WorkspaceUsers
	if len(members) == 0 {
		return
	}
	inv.ChatGPTProjects = orEmpty(inv.ChatGPTProjects)
	for i := range max(1, len(inv.Users)/25) {
		m := members[g.r.IntN(len(members))]
		vis := inventory.VisibilityInviteOnly
		var rs []inventory.GPTRecipient
		switch p := g.r.IntN(100); {
		case p < 60: // private: its owner alone
		case p < 80: // shared with named colleagues
			for range 1 + g.r.IntN(4) {
				r := members[g.r.IntN(len(members))]
				if r.ID != m.ID && !lo.ContainsBy(rs, func(x inventory.GPTRecipient) bool { return x.ID == r.ID }) {
					rs = append(rs, inventory.GPTRecipient{ID: r.ID, Email: r.Email, CanRead: lo.ToPtr(true), CanViewConfig: lo.ToPtr(false), CanWrite: lo.ToPtr(false)})
				}
			}
		case p < 95:
			vis = inventory.VisibilityWorkspaceWithLink
		default:
			vis = inventory.VisibilityAnyoneWithLink
		}
		inv.ChatGPTProjects = append(inv.ChatGPTProjects, chatgptProject(fmt.Sprintf("g-p-sim%05d", i), fmt.Sprintf("Team project %d", i),
			m.ID, m.Email, g.ago(1, 400), vis, rs))
	}
}

// Ids of the planted ChatGPT projects shared by link: with anyone, and
// with the workspace.
const (
	PlantedProjectPublicLink    = "g-p-planted-board"
	PlantedProjectWorkspaceLink = "g-p-planted-launch"
)

// plantChatGPTProjects adds two projects shared by link beside two that
// must not fire: the Finance Ops and Engineering projects of the planted
// content (their files come from there), one shared with a colleague by
// name, the other private.
func plantChatGPTProjects(inv *inventory.Inventory, now int64) {
	alice, erin := lo.ToPtr("alice@demo.example"), lo.ToPtr("erin@demo.example")
	colleague := inventory.GPTRecipient{ID: "user-planted-erin", Email: erin, CanRead: lo.ToPtr(true), CanViewConfig: lo.ToPtr(false), CanWrite: lo.ToPtr(false)}
	inv.ChatGPTProjects = append(inv.ChatGPTProjects,
		chatgptProject(PlantedProjectPublicLink, "Board Deck Drafts", "user-planted-alice", alice, now-20*Day, inventory.VisibilityAnyoneWithLink, nil),
		chatgptProject(PlantedProjectWorkspaceLink, "Launch Plan", "user-planted-erin", erin, now-15*Day, inventory.VisibilityWorkspaceWithLink, nil),
		chatgptProject("g-p-planted-finance", "Finance Ops", "user-planted-alice", alice, now-90*Day, inventory.VisibilityInviteOnly, []inventory.GPTRecipient{colleague}),
		chatgptProject("g-p-planted-eng", "Engineering", "user-planted-erin", erin, now-60*Day, inventory.VisibilityInviteOnly, nil),
	)
}
