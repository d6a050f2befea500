package simulator

import (
	"github.com/samber/lo"

	"github.com/openai-casb/openai-casb/inventory"
)

// plantEstate adds named resources that fire the estate's finding types a
// small generated organization may not draw: a key whose owner lost access
// to its project, a key of a disabled user, more owners than max_org_owners,
// a person deactivated in the workspace who still holds platform keys, and a
// GPT action without authentication. Called by plant.
func plantEstate(inv *inventory.Inventory, now int64) {
	ago := func(days int) *int64 { return lo.ToPtr(now - int64(days)*Day) }
	str := lo.ToPtr[string]
	signals := func(login *int64) inventory.ActivitySignals {
		return inventory.ActivitySignals{AuditLogLoginAt: login, Unavailable: []string{}}
	}
	for i := range inv.Projects {
		p := &inv.Projects[i]
		if p.ID != "proj_planted_payments" {
			continue
		}
		p.APIKeys = append(p.APIKeys,
			inventory.ProjectAPIKey{ID: "key_planted_payments_carol", Name: str("payments-reports"), RedactedValue: str("sk-proj-...DDDD"), CreatedAt: ago(30), LastUsedAt: ago(1),
				OwnerProjectAccess: str("inactive"), Owner: &inventory.KeyOwner{Type: "user", ID: str("user-planted-carol"), Name: str("Carol Contractor"), Email: str("carol@demo.example"), Role: str("member")}},
			inventory.ProjectAPIKey{ID: "key_planted_payments_frank", Name: str("payments-webhooks"), RedactedValue: str("sk-proj-...EEEE"), CreatedAt: ago(25), LastUsedAt: ago(0),
				OwnerProjectAccess: str("active"), Owner: &inventory.KeyOwner{Type: "user", ID: str("user-planted-frank"), Name: str("Frank Former"), Email: str("frank@demo.example"), Role: str("member")}},
		)
	}
	inv.Users = append(inv.Users,
		inventory.User{ID: "user-planted-frank", Name: str("Frank Former"), Email: str("frank@demo.example"), Role: str("reader"), AddedAt: ago(250), ActivitySignals: signals(ago(1)),
			Enabled: lo.ToPtr(false)},
		inventory.User{ID: "user-planted-grace", Name: str("Grace Owner"), Email: str("grace.owner@demo.example"), Role: str("owner"), AddedAt: ago(600), ActivitySignals: signals(ago(0))},
		inventory.User{ID: "user-planted-heidi", Name: str("Heidi Owner"), Email: str("heidi@demo.example"), Role: str("owner"), AddedAt: ago(600), ActivitySignals: signals(ago(2))},
		inventory.User{ID: "user-planted-ivan", Name: str("Ivan Owner"), Email: str("ivan@demo.example"), Role: str("owner"), AddedAt: ago(600), ActivitySignals: signals(ago(1))},
	)
	// Erin, who owns the Payments keys, is inactive in ChatGPT (the evidence's status).
	inv.WorkspaceUsers = append(inv.WorkspaceUsers,
		inventory.WorkspaceUser{ID: "user-ws-planted-erin", Email: str("erin@demo.example"), Name: str("Erin Engineer"), Role: str("standard-user"), Status: str("inactive"), CreatedAt: ago(500)},
	)
	inv.GPTs = append(inv.GPTs, inventory.GPT{ID: "g-planted-tickets", Name: str("Ticket Filer"), CreatedAt: ago(15), OwnerID: str("user-planted-alice"), OwnerEmail: str("alice@demo.example"),
		Visibility: "invite-only", VisibilityRaw: str("invite-only"), Files: []inventory.GPTFile{},
		Tools: []inventory.GPTTool{{Type: "custom_action", RawType: "custom_action", ActionDomain: str("tickets.partner.example"), AuthType: str("none")}}})
}

// plantSettings gives the planted Payments project standard data
// retention (none) and US residency (outside the EU-only allow-list of
// examples/demo-data.yaml): drawn settings would overwrite them, so it
// runs after them.
func plantSettings(inv *inventory.Inventory) {
	for i := range inv.Projects {
		if p := &inv.Projects[i]; p.ID == "proj_planted_payments" {
			p.DataRetention = &inventory.DataRetention{Type: lo.ToPtr("none")}
			p.Residency = lo.ToPtr("US_STORAGE_PROCESSING")
		}
	}
}
