package simulator

import (
	"fmt"

	"github.com/samber/lo"

	"github.com/openai-casb/openai-casb/inventory"
)

// ShapesSpec is the Shapes option that serves the edge cases real
// organizations send and the official OpenAPI document allows.
const ShapesSpec = "spec"

// ShapeNames are the values the Shapes option takes ("" is the default).
var ShapeNames = []string{"", ShapesSpec}

// CheckShapes says what is wrong with a Shapes value.
func CheckShapes(s string) error {
	for _, n := range ShapeNames {
		if s == n {
			return nil
		}
	}
	return fmt.Errorf("shapes %q: want %q or nothing", s, ShapesSpec)
}

// Names of the planted resources of the spec shapes, for tests and docs.
const (
	PlantedStatuslessProject = "proj_planted_nostatus"
	PlantedStatuslessKey     = "key_planted_nostatus_old"
	PlantedNullRoleUser      = "user-planted-norole"
	PlantedExpiredAdminKey   = "key_planted_expired"
	PlantedBotUser           = "user-planted-bot"
)

// specShapes turns a generated organization into one with the shapes the
// official spec allows and real organizations send (issue 9's table):
// projects whose status is null (one archived by its archived_at alone),
// users whose role is null, service accounts whose role is none, admin keys
// past their expires_at, and users the API flags as service accounts. It
// changes every n-th resource, so the random draws of Generate, and with
// them the rest of the organization, stay as they were. With plant, it adds
// named resources that must (or must not) raise findings.
func specShapes(inv *inventory.Inventory, plant bool) {
	archivedDone := false
	for i := range inv.Projects {
		p := &inv.Projects[i]
		switch {
		case p.Status == inventory.ProjectActive && i%5 == 1:
			p.StatusRaw = nil // null: counts as active
		case p.Status == inventory.ProjectArchived && !archivedDone:
			p.StatusRaw, archivedDone = nil, true // null, archived_at set: archived
		}
		if i%3 == 0 {
			for j := range p.ServiceAccounts {
				p.ServiceAccounts[j].Role = lo.ToPtr("none")
			}
		}
	}
	if !archivedDone && len(inv.Projects) > 1 {
		p := &inv.Projects[len(inv.Projects)-1]
		p.Status, p.StatusRaw, p.ArchivedAt = inventory.ProjectArchived, nil, lo.ToPtr(*p.CreatedAt+Day)
	}
	for i := range inv.Users {
		switch i % 7 {
		case 3:
			inv.Users[i].Role = nil
		case 5:
			if i%2 == 1 {
				inv.Users[i].IsServiceAccount = lo.ToPtr(true)
			}
		}
	}
	for i := range inv.AdminAPIKeys {
		if i%4 == 2 {
			inv.AdminAPIKeys[i].ExpiresAt = lo.ToPtr(*inv.AdminAPIKeys[i].CreatedAt + 30*Day)
			if *inv.AdminAPIKeys[i].ExpiresAt >= inv.CollectedAt {
				inv.AdminAPIKeys[i].ExpiresAt = lo.ToPtr(inv.CollectedAt - Day)
			}
		}
	}
	if !plant {
		return
	}
	now := inv.CollectedAt
	ago := func(days int64) int64 { return now - days*Day }
	inv.Users = append(inv.Users,
		inventory.User{ID: PlantedNullRoleUser, Name: lo.ToPtr("Nora Norole"), Email: lo.ToPtr("nora@demo.example"), Role: nil, AddedAt: lo.ToPtr(ago(300)),
			IsServiceAccount: lo.ToPtr(false), ActivitySignals: inventory.ActivitySignals{Unavailable: []string{}}},
		inventory.User{ID: PlantedBotUser, Name: lo.ToPtr("ci-bot"), Email: nil, Role: lo.ToPtr("reader"), AddedAt: lo.ToPtr(ago(400)),
			IsServiceAccount: lo.ToPtr(true), ActivitySignals: inventory.ActivitySignals{Unavailable: []string{}}},
	)
	owner := &inventory.KeyOwner{Type: "user", ID: lo.ToPtr(PlantedNullRoleUser), Name: lo.ToPtr("Nora Norole"), Email: lo.ToPtr("nora@demo.example"), Role: lo.ToPtr("owner")}
	inv.Projects = append(inv.Projects, inventory.Project{
		ID: PlantedStatuslessProject, Name: lo.ToPtr("No status"), Status: inventory.ProjectActive, StatusRaw: nil, CreatedAt: lo.ToPtr(ago(500)),
		APIKeys: []inventory.ProjectAPIKey{
			{ID: PlantedStatuslessKey, Name: lo.ToPtr("old-export"), RedactedValue: lo.ToPtr("sk-proj-...NULL"), CreatedAt: lo.ToPtr(ago(200)), LastUsedAt: lo.ToPtr(ago(150)), OwnerProjectAccess: lo.ToPtr("active"), Owner: owner},
		},
		ServiceAccounts: []inventory.ServiceAccount{{ID: "user-svc-planted-none", Name: lo.ToPtr("no-role-bot"), Role: lo.ToPtr("none"), CreatedAt: lo.ToPtr(ago(100))}},
		Users:           []inventory.ProjectUser{{ID: PlantedNullRoleUser, Email: lo.ToPtr("nora@demo.example"), Name: lo.ToPtr("Nora Norole"), Role: lo.ToPtr("owner"), AddedAt: lo.ToPtr(ago(300))}},
	})
	inv.AdminAPIKeys = append(inv.AdminAPIKeys, inventory.AdminAPIKey{
		ID: PlantedExpiredAdminKey, Name: lo.ToPtr("expired-admin"), RedactedValue: lo.ToPtr("sk-admin-...GONE"), CreatedAt: lo.ToPtr(ago(400)),
		ExpiresAt: lo.ToPtr(ago(10)), LastUsedAt: nil,
		Owner: &inventory.Owner{Type: lo.ToPtr("user"), ID: lo.ToPtr("user-planted-alice"), Name: lo.ToPtr("Alice Admin"), Role: lo.ToPtr("owner")},
	})
}
