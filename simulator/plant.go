package simulator

import (
	"github.com/samber/lo"

	"github.com/openai-casb/openai-casb/inventory"
)

// plant adds named resources that fire each posture finding type once,
// beside look-alikes that must not fire (a young key, an accepted owner
// invite, a workspace-only GPT, a recently active user). Ages are relative
// to now, so a demo shows the same findings on any day.
func plant(inv *inventory.Inventory, now int64) {
	ago := func(days int) *int64 { return lo.ToPtr(now - int64(days)*Day) }
	str := lo.ToPtr[string]
	owner := &inventory.Owner{Type: str("user"), ID: str("user-planted-alice"), Name: str("Alice Admin"), Role: str("owner")}

	inv.AdminAPIKeys = append(inv.AdminAPIKeys,
		inventory.AdminAPIKey{ID: "key_planted_terraform", Name: str("terraform-admin"), RedactedValue: str("sk-admin-...DEMO"),
			CreatedAt: ago(200), LastUsedAt: ago(2), Owner: owner},
		inventory.AdminAPIKey{ID: "key_planted_scim", Name: str("scim-sync"), RedactedValue: str("sk-admin-...NOPE"),
			CreatedAt: ago(45), Owner: owner},
		inventory.AdminAPIKey{ID: "key_planted_readonly", Name: str("openai-casb-readonly"), RedactedValue: str("sk-admin-...READ"),
			CreatedAt: ago(10), LastUsedAt: ago(0), ExpiresAt: lo.ToPtr(now + 80*Day), Owner: owner},
	)
	erin := &inventory.KeyOwner{Type: "user", ID: str("user-planted-erin"), Name: str("Erin Engineer"), Email: str("erin@demo.example"), Role: str("owner")}
	inv.Projects = append(inv.Projects, inventory.Project{
		ID: "proj_planted_payments", Name: str("Payments"), Status: "active", StatusRaw: str("active"), CreatedAt: ago(700),
		APIKeys: []inventory.ProjectAPIKey{
			{ID: "key_planted_payments_prod", Name: str("payments-prod"), RedactedValue: str("sk-proj-...AAAA"), CreatedAt: ago(120), LastUsedAt: ago(0), OwnerProjectAccess: str("active"), Owner: erin},
			{ID: "key_planted_payments_staging", Name: str("payments-staging"), RedactedValue: str("sk-proj-...BBBB"), CreatedAt: ago(40), OwnerProjectAccess: str("active"), Owner: erin},
			{ID: "key_planted_payments_canary", Name: str("payments-canary"), RedactedValue: str("sk-proj-...CCCC"), CreatedAt: ago(20), LastUsedAt: ago(0), OwnerProjectAccess: str("active"), Owner: erin},
		},
		ServiceAccounts: []inventory.ServiceAccount{},
		Users:           []inventory.ProjectUser{{ID: "user-planted-erin", Email: str("erin@demo.example"), Name: str("Erin Engineer"), Role: str("owner"), AddedAt: ago(500)}},
	})
	signals := func(login *int64) inventory.ActivitySignals {
		return inventory.ActivitySignals{AuditLogLoginAt: login, Unavailable: []string{}}
	}
	inv.Users = append(inv.Users,
		inventory.User{ID: "user-planted-alice", Name: str("Alice Admin"), Email: str("alice@demo.example"), Role: str("owner"), AddedAt: ago(400), ActivitySignals: signals(ago(0))},
		inventory.User{ID: "user-planted-erin", Name: str("Erin Engineer"), Email: str("erin@demo.example"), Role: str("reader"), AddedAt: ago(500), ActivitySignals: signals(ago(3))},
		inventory.User{ID: "user-planted-bob", Name: str("Bob Builder"), Email: str("bob@demo.example"), Role: str("reader"), AddedAt: ago(300), ActivitySignals: signals(ago(120))},
		inventory.User{ID: "user-planted-carol", Name: str("Carol Contractor"), Email: str("carol@demo.example"), Role: str("reader"), AddedAt: ago(200), ActivitySignals: signals(nil)},
	)
	inv.Invites = append(inv.Invites,
		inventory.Invite{ID: "invite-planted-owner", Email: "mallory@partner.example", Role: str("owner"), Status: str("pending"), CreatedAt: ago(3), ExpiresAt: lo.ToPtr(now + 4*Day), Projects: []inventory.InviteProject{}},
		inventory.Invite{ID: "invite-planted-stale", Email: "grace@demo.example", Role: str("reader"), Status: str("pending"), CreatedAt: ago(45), ExpiresAt: ago(38), Projects: []inventory.InviteProject{}},
		inventory.Invite{ID: "invite-planted-accepted", Email: "alice@demo.example", Role: str("owner"), Status: str("accepted"), CreatedAt: ago(400), ExpiresAt: ago(393), AcceptedAt: ago(399), Projects: []inventory.InviteProject{}},
	)
	gpt := func(id, name, vis string, tools ...inventory.GPTTool) inventory.GPT {
		return inventory.GPT{ID: id, Name: str(name), CreatedAt: ago(30), OwnerID: str("user-planted-erin"), OwnerEmail: str("erin@demo.example"),
			Visibility: vis, VisibilityRaw: str(vis), Tools: append([]inventory.GPTTool{}, tools...), Files: []inventory.GPTFile{}}
	}
	inv.GPTs = append(inv.GPTs,
		gpt("g-planted-crm", "CRM Assistant", "workspace", inventory.GPTTool{Type: "custom_action", RawType: "custom_action", ActionDomain: str("crm.partner.example"), AuthType: str("oauth")}),
		gpt("g-planted-analyst", "Data Analyst", "invite-only", inventory.GPTTool{Type: "code_interpreter", RawType: "python"}),
		gpt("g-planted-research", "Market Research", "workspace-with-link", inventory.GPTTool{Type: "web_browsing", RawType: "browser"}),
		gpt("g-planted-brand", "Brand Voice", "gpt-store", inventory.GPTTool{Type: "image_generation", RawType: "dall-e"}),
		gpt("g-planted-onboarding", "Onboarding Buddy", "anyone-with-link", inventory.GPTTool{Type: "canvas", RawType: "canvas"}),
		gpt("g-planted-policy", "Policy Helper", "workspace", inventory.GPTTool{Type: "memory", RawType: "memory"}),
	)
	plantGPTFiles(inv, now)
	plantRecipients(inv)
	plantAgents(inv, now)
	plantChatGPTProjects(inv, now)
	plantEstate(inv, now)
}
