// Package simulator makes synthetic OpenAI organizations: Generate builds an
// inventory with realistic proportions, and Handler serves it as both OpenAI
// APIs would, for the demo, collector tests, fault tests and benchmarks.
package simulator

import (
	"fmt"
	"math/rand/v2"

	"github.com/samber/lo"

	"github.com/openai-casb/openai-casb/inventory"
)

// Day is a day in unix seconds.
const Day = 86400

// DefaultCollectedAt is the clock of generated organizations
// (2026-11-26T00:00:00Z), fixed so the same seed gives the same document.
const DefaultCollectedAt = 1795651200

// GenerateOptions size a synthetic organization.
type GenerateOptions struct {
	// Users is the number of organization members; everything else scales
	// with it (see Generate).
	Users int
	// Seed makes the organization reproducible.
	Seed uint64
	// CollectedAt is the instant ages are measured from; zero means
	// DefaultCollectedAt.
	CollectedAt int64
	// OrganizationID defaults to a name derived from the seed.
	OrganizationID string
	// WorkspaceID is the ChatGPT workspace of the GPTs; empty gives one
	// derived from the seed.
	WorkspaceID string
	// Projects, KeysPerProject, Invites, GPTs, AdminKeys and
	// WorkspaceUsers override the proportional sizes when positive.
	Projects, KeysPerProject, Invites, GPTs, AdminKeys, WorkspaceUsers int
	// Plant adds a fixed set of named resources that fire every posture
	// finding type, next to ones that must not, so that even a tiny
	// organization shows every kind of finding (the demo uses it).
	Plant bool
	// Shapes is ShapesSpec for an organization with the edge cases the
	// official spec allows (see specShapes); "" for none.
	Shapes string
}

// Sizes are the resource counts Generate makes for the options.
type Sizes struct {
	Users, Invites, GPTs, Projects, KeysPerProject, AdminKeys, WorkspaceUsers int
}

// SizesFor applies the proportions of a large ChatGPT Enterprise customer: one
// invite per 10 users, one GPT per 5 users, one project per 50 users with 20
// keys each, one admin key per 100 users, one ChatGPT workspace member
// record per 10 users (at least one of each).
func SizesFor(o GenerateOptions) Sizes {
	atLeast1 := func(override, n int) int {
		if override > 0 {
			return override
		}
		return max(1, n)
	}
	return Sizes{
		Users:          o.Users,
		Invites:        atLeast1(o.Invites, o.Users/10),
		GPTs:           atLeast1(o.GPTs, o.Users/5),
		Projects:       atLeast1(o.Projects, o.Users/50),
		KeysPerProject: atLeast1(o.KeysPerProject, 20),
		AdminKeys:      atLeast1(o.AdminKeys, o.Users/100),
		WorkspaceUsers: atLeast1(o.WorkspaceUsers, o.Users/10),
	}
}

// Generate builds a synthetic organization. The mix of ages, roles,
// visibilities and tools makes every posture finding type fire at a
// realistic rate (roughly: a third of keys past rotation, a tenth of users
// inactive, a few percent of GPTs public) next to many resources that must
// not fire. The same options always give the same inventory.
func Generate(o GenerateOptions) *inventory.Inventory {
	g := &gen{r: rand.New(rand.NewPCG(o.Seed, 0x6f70656e6169)), now: o.CollectedAt}
	if g.now == 0 {
		g.now = DefaultCollectedAt
	}
	sz := SizesFor(o)
	orgID := o.OrganizationID
	if orgID == "" {
		orgID = fmt.Sprintf("org-sim%017x", o.Seed)
	}
	wsID := o.WorkspaceID
	if wsID == "" {
		wsID = fmt.Sprintf("00000000-0000-4000-8000-%012x", o.Seed)
	}
	orgName := "Simulated Org"
	inv := &inventory.Inventory{
		SchemaVersion: inventory.SchemaVersion,
		CollectedAt:   g.now,
		Tool:          inventory.Tool{Name: "openai-casb", Version: "simulator"},
		Organization:  inventory.Organization{ID: orgID, Name: &orgName},
		Workspace:     &inventory.Workspace{ID: wsID},
		Sources:       map[string]inventory.Source{},
	}
	g.users(inv, sz.Users)
	g.projects(inv, sz.Projects, sz.KeysPerProject)
	g.adminKeys(inv, sz.AdminKeys)
	g.invites(inv, sz.Invites)
	g.gpts(inv, sz.GPTs)
	g.workspaceUsers(inv, sz.WorkspaceUsers)
	g.estate(inv)
	if o.Plant {
		plant(inv, g.now)
	}
	g.settings(inv)
	if o.Plant {
		plantSettings(inv)
	}
	g.sharing(inv)
	g.agents(inv)
	g.chatgptProjects(inv)
	if o.Shapes == ShapesSpec {
		specShapes(inv, o.Plant)
	}
	deriveActivity(inv)
	fillSources(inv)
	estateSources(inv)
	return inv
}

type gen struct {
	r   *rand.Rand
	now int64
}

// ago is a timestamp between lo and hi days before now, to the second.
func (g *gen) ago(lo, hi int) int64 {
	span := int64(hi-lo) * Day
	if span <= 0 {
		return g.now - int64(lo)*Day
	}
	return g.now - int64(lo)*Day - g.r.Int64N(span)
}

func (g *gen) pct(p int) bool { return g.r.IntN(100) < p }

var (
	firstNames = []string{"ada", "alan", "grace", "linus", "margaret", "dennis", "barbara", "ken", "frances", "edsger", "radia", "tim", "hedy", "john", "katherine", "donald"}
	lastNames  = []string{"lovelace", "turing", "hopper", "torvalds", "hamilton", "ritchie", "liskov", "thompson", "allen", "dijkstra", "perlman", "lee", "lamarr", "backus", "johnson", "knuth"}
	gptNames   = []string{"Contract Reviewer", "Sales Coach", "SQL Helper", "Brand Voice", "Onboarding Buddy", "Release Notes", "Support Triage", "Market Research", "Policy Helper", "Data Analyst", "Recruiting Screener", "Legal Drafts"}
	domains    = []string{"crm.partner.example", "api.tickets.example", "hooks.internal.example", "data.vendor.example", "search.example"}
)

func (g *gen) users(inv *inventory.Inventory, n int) {
	inv.Users = make([]inventory.User, n)
	for i := range inv.Users {
		first, last := firstNames[g.r.IntN(len(firstNames))], lastNames[g.r.IntN(len(lastNames))]
		email := fmt.Sprintf("%s.%s.%d@sim.example", first, last, i)
		name := fmt.Sprintf("%s %s", first, last)
		role := "reader"
		if g.pct(2) {
			role = "owner"
		}
		u := inventory.User{
			ID:               fmt.Sprintf("user-%08x%06d", g.r.Uint32(), i),
			Name:             &name,
			Email:            &email,
			Role:             &role,
			IsServiceAccount: lo.ToPtr(false),
			IsSCIMManaged:    lo.ToPtr(g.pct(80)),
			Enabled:          lo.ToPtr(true),
			Banned:           lo.ToPtr(false),
		}
		// Membership: most joined long ago; some are new.
		if g.pct(15) {
			u.AddedAt = lo.ToPtr(g.ago(0, 60))
		} else {
			u.AddedAt = lo.ToPtr(g.ago(60, 1000))
		}
		sinceAdded := int((g.now - *u.AddedAt) / Day)
		// Logins: 70% recent, 12% within 30-90 days, 10% long ago, 8% never
		// (within the audit log's reach).
		switch p := g.r.IntN(100); {
		case p < 70:
			u.ActivitySignals.AuditLogLoginAt = lo.ToPtr(g.ago(0, min(30, sinceAdded)))
		case p < 82:
			u.ActivitySignals.AuditLogLoginAt = lo.ToPtr(g.ago(min(30, sinceAdded), min(90, sinceAdded)))
		case p < 92:
			if sinceAdded > 91 {
				u.ActivitySignals.AuditLogLoginAt = lo.ToPtr(g.ago(91, min(180, sinceAdded)))
			}
		}
		if g.pct(20) {
			u.APIKeyLastUsedAt = lo.ToPtr(g.ago(0, min(200, sinceAdded)))
		}
		u.ActivitySignals.APIKeyLastUsedAt = u.APIKeyLastUsedAt
		inv.Users[i] = u
	}
}

func (g *gen) projects(inv *inventory.Inventory, n, keysPer int) {
	inv.Projects = make([]inventory.Project, n)
	for i := range inv.Projects {
		name := fmt.Sprintf("project-%d", i)
		p := inventory.Project{
			ID:        fmt.Sprintf("proj_%08x%06d", g.r.Uint32(), i),
			Name:      &name,
			Status:    "active",
			CreatedAt: lo.ToPtr(g.ago(30, 900)),
		}
		if g.pct(10) {
			p.Status = "archived"
			p.ArchivedAt = lo.ToPtr(g.ago(1, int((g.now-*p.CreatedAt)/Day)))
		}
		p.StatusRaw = lo.ToPtr(p.Status)
		age := int((g.now - *p.CreatedAt) / Day)
		// A handful of members and a service account per project.
		for m := 0; m < 3 && len(inv.Users) > 0; m++ {
			u := inv.Users[g.r.IntN(len(inv.Users))]
			role := "member"
			if m == 0 {
				role = "owner"
			}
			p.Users = append(p.Users, inventory.ProjectUser{ID: u.ID, Email: u.Email, Name: u.Name, Role: lo.ToPtr(role), AddedAt: lo.ToPtr(g.ago(0, age))})
		}
		saName := fmt.Sprintf("%s-bot", name)
		sa := inventory.ServiceAccount{ID: fmt.Sprintf("user-svc%08x%06d", g.r.Uint32(), i), Name: &saName, Role: lo.ToPtr("member"), CreatedAt: lo.ToPtr(g.ago(0, age))}
		p.ServiceAccounts = []inventory.ServiceAccount{sa}
		p.APIKeys = make([]inventory.ProjectAPIKey, keysPer)
		for k := range p.APIKeys {
			keyName := fmt.Sprintf("%s-key-%d", name, k)
			key := inventory.ProjectAPIKey{
				ID:                 fmt.Sprintf("key_%08x%06d%02d", g.r.Uint32(), i, k),
				Name:               &keyName,
				RedactedValue:      lo.ToPtr(fmt.Sprintf("sk-proj-...%04x", g.r.Uint32()&0xffff)),
				OwnerProjectAccess: lo.ToPtr("active"),
			}
			// A third of keys outlive a 90-day rotation period.
			if g.pct(35) {
				key.CreatedAt = lo.ToPtr(g.ago(91, max(92, age)))
			} else {
				key.CreatedAt = lo.ToPtr(g.ago(0, min(90, age)))
			}
			keyAge := int((g.now - *key.CreatedAt) / Day)
			switch p := g.r.IntN(100); {
			case p < 12: // never used
			case p < 22:
				if keyAge > 91 {
					key.LastUsedAt = lo.ToPtr(g.ago(91, keyAge))
				}
			default:
				key.LastUsedAt = lo.ToPtr(g.ago(0, min(30, keyAge)))
			}
			if g.pct(25) {
				key.Owner = &inventory.KeyOwner{Type: "service_account", ID: &sa.ID, Name: sa.Name, Role: lo.ToPtr("member")}
			} else if len(p.Users) > 0 {
				pu := p.Users[g.r.IntN(len(p.Users))]
				key.Owner = &inventory.KeyOwner{Type: "user", ID: &pu.ID, Name: pu.Name, Email: pu.Email, Role: pu.Role}
			}
			p.APIKeys[k] = key
		}
		inv.Projects[i] = p
	}
}

func (g *gen) adminKeys(inv *inventory.Inventory, n int) {
	inv.AdminAPIKeys = make([]inventory.AdminAPIKey, n)
	owners := ownersOf(inv)
	for i := range inv.AdminAPIKeys {
		name := fmt.Sprintf("admin-key-%d", i)
		k := inventory.AdminAPIKey{
			ID:            fmt.Sprintf("key_adm%08x%06d", g.r.Uint32(), i),
			Name:          &name,
			RedactedValue: lo.ToPtr(fmt.Sprintf("sk-admin-...%04x", g.r.Uint32()&0xffff)),
		}
		if g.pct(40) {
			k.CreatedAt = lo.ToPtr(g.ago(91, 700))
		} else {
			k.CreatedAt = lo.ToPtr(g.ago(0, 90))
		}
		age := int((g.now - *k.CreatedAt) / Day)
		switch p := g.r.IntN(100); {
		case p < 15:
		case p < 25:
			if age > 91 {
				k.LastUsedAt = lo.ToPtr(g.ago(91, age))
			}
		default:
			k.LastUsedAt = lo.ToPtr(g.ago(0, min(7, age)))
		}
		if g.pct(20) {
			k.ExpiresAt = lo.ToPtr(g.now + int64(g.r.IntN(365))*Day)
		}
		if len(owners) > 0 {
			o := owners[g.r.IntN(len(owners))]
			k.Owner = &inventory.Owner{Type: lo.ToPtr("user"), ID: &o.ID, Name: o.Name, Role: lo.ToPtr("owner")}
		}
		inv.AdminAPIKeys[i] = k
	}
}

func ownersOf(inv *inventory.Inventory) []inventory.User {
	var out []inventory.User
	for _, u := range inv.Users {
		if u.Role != nil && *u.Role == "owner" {
			out = append(out, u)
		}
	}
	if len(out) == 0 && len(inv.Users) > 0 {
		out = inv.Users[:1]
	}
	return out
}

func (g *gen) invites(inv *inventory.Inventory, n int) {
	inv.Invites = make([]inventory.Invite, n)
	for i := range inv.Invites {
		in := inventory.Invite{
			ID:       fmt.Sprintf("invite-%08x%06d", g.r.Uint32(), i),
			Email:    fmt.Sprintf("invitee.%d@guest.example", i),
			Role:     lo.ToPtr("reader"),
			Projects: []inventory.InviteProject{},
		}
		switch p := g.r.IntN(100); {
		case p < 60:
			in.Status = lo.ToPtr("accepted")
			in.CreatedAt = lo.ToPtr(g.ago(1, 700))
			in.AcceptedAt = lo.ToPtr(*in.CreatedAt + int64(g.r.IntN(3*Day)))
		case p < 70:
			in.Status = lo.ToPtr("expired")
			in.CreatedAt = lo.ToPtr(g.ago(8, 700))
		default:
			in.Status = lo.ToPtr("pending")
			// Half of pending invites have been forgotten.
			if g.pct(50) {
				in.CreatedAt = lo.ToPtr(g.ago(31, 400))
			} else {
				in.CreatedAt = lo.ToPtr(g.ago(0, 30))
			}
		}
		in.ExpiresAt = lo.ToPtr(*in.CreatedAt + 7*Day)
		if g.pct(4) {
			in.Role = lo.ToPtr("owner")
		}
		if len(inv.Projects) > 0 && g.pct(30) {
			proj := inv.Projects[g.r.IntN(len(inv.Projects))]
			role := "member"
			if g.pct(10) {
				role = "owner"
			}
			in.Projects = append(in.Projects, inventory.InviteProject{ID: proj.ID, Role: lo.ToPtr(role)})
		}
		inv.Invites[i] = in
	}
}

// Raw API strings for each normalized GPT visibility and tool, as the
// Compliance API writes them; the collector must map them back.
var (
	rawVisibilities = []struct {
		normalized, raw string
		weight          int
	}{
		{"invite-only", "invite-only", 40},
		{"invite-only", "just-me", 8},
		{"workspace", "workspace", 20},
		{"workspace", "everyone-in-workspace", 5},
		{"workspace-with-link", "workspace-with-link", 12},
		{"anyone-with-link", "anyone-with-link", 8},
		{"gpt-store", "gpt-store", 6},
		{"unknown", "partner-only", 1},
	}
	rawTools = []struct {
		normalized, raw string
		pct             int
	}{
		{"custom_action", "custom_action", 10},
		{"custom_action", "action", 5},
		{"code_interpreter", "code_interpreter", 20},
		{"code_interpreter", "python", 10},
		{"web_browsing", "browser", 30},
		{"web_browsing", "web_browsing", 8},
		{"image_generation", "dall-e", 25},
		{"canvas", "canvas", 15},
		{"memory", "memory", 10},
		{"other", "retrieval_plus", 2},
	}
)

func (g *gen) gpts(inv *inventory.Inventory, n int) {
	inv.GPTs = make([]inventory.GPT, n)
	total := 0
	for _, v := range rawVisibilities {
		total += v.weight
	}
	for i := range inv.GPTs {
		name := fmt.Sprintf("%s %d", gptNames[g.r.IntN(len(gptNames))], i)
		gp := inventory.GPT{
			ID:        fmt.Sprintf("g-%08x%06d", g.r.Uint32(), i),
			Name:      &name,
			CreatedAt: lo.ToPtr(g.ago(0, 500)),
			Files:     []inventory.GPTFile{},
		}
		if len(inv.Users) > 0 {
			owner := inv.Users[g.r.IntN(len(inv.Users))]
			gp.OwnerID, gp.OwnerEmail = &owner.ID, owner.Email
		}
		w := g.r.IntN(total)
		for _, v := range rawVisibilities {
			if w < v.weight {
				gp.Visibility, gp.VisibilityRaw = v.normalized, lo.ToPtr(v.raw)
				break
			}
			w -= v.weight
		}
		gp.Tools = []inventory.GPTTool{}
		seen := map[string]bool{}
		for _, t := range rawTools {
			if !g.pct(t.pct) || seen[t.normalized] {
				continue
			}
			seen[t.normalized] = true
			tool := inventory.GPTTool{Type: t.normalized, RawType: t.raw}
			if t.normalized == "custom_action" {
				tool.ActionDomain = lo.ToPtr(domains[g.r.IntN(len(domains))])
				tool.AuthType = lo.ToPtr([]string{"none", "api_key", "oauth"}[g.r.IntN(3)])
			}
			gp.Tools = append(gp.Tools, tool)
		}
		if g.pct(30) {
			gp.Files = append(gp.Files, inventory.GPTFile{ID: fmt.Sprintf("file-%08x%06d", g.r.Uint32(), i), Name: lo.ToPtr("knowledge.pdf"), CreatedAt: gp.CreatedAt})
		}
		inv.GPTs[i] = gp
	}
}

func (g *gen) workspaceUsers(inv *inventory.Inventory, n int) {
	inv.WorkspaceUsers = make([]inventory.WorkspaceUser, n)
	roles := []string{"standard-user", "standard-user", "standard-user", "account-admin"}
	for i := range inv.WorkspaceUsers {
		email := fmt.Sprintf("member.%d@sim.example", i)
		status := "active"
		if g.pct(5) {
			status = "inactive"
		}
		inv.WorkspaceUsers[i] = inventory.WorkspaceUser{
			ID:        fmt.Sprintf("user-ws%08x%06d", g.r.Uint32(), i),
			Email:     &email,
			Name:      lo.ToPtr(fmt.Sprintf("Member %d", i)),
			Role:      lo.ToPtr(roles[g.r.IntN(len(roles))]),
			Status:    &status,
			CreatedAt: lo.ToPtr(g.ago(0, 700)),
		}
	}
}

// deriveActivity fills the owned-key signal and last_activity_at from the
// other signals, with the collector's own derivation (package inventory).
func deriveActivity(inv *inventory.Inventory) {
	owned := inventory.OwnedKeysLastUsed(inv.Projects)
	for i := range inv.Users {
		u := &inv.Users[i]
		if t, ok := owned[u.ID]; ok {
			u.ActivitySignals.OwnedProjectKeysLastUsedAt = lo.ToPtr(t)
		}
		u.ActivitySignals.Unavailable = []string{}
		u.LastActivityAt = u.ActivitySignals.Newest()
	}
}

func fillSources(inv *inventory.Inventory) {
	keys, sas, pus := 0, 0, 0
	for _, p := range inv.Projects {
		keys += len(p.APIKeys)
		sas += len(p.ServiceAccounts)
		pus += len(p.Users)
	}
	pages := func(n int) int { return max(1, (n+99)/100) }
	set := func(name string, n, p int) {
		inv.Sources[name] = inventory.Source{Status: inventory.StatusComplete, Items: n, Pages: p}
	}
	set(inventory.SourceAdminAPIKeys, len(inv.AdminAPIKeys), pages(len(inv.AdminAPIKeys)))
	set(inventory.SourceProjects, len(inv.Projects), pages(len(inv.Projects)))
	set(inventory.SourceProjectAPIKeys, keys, len(inv.Projects))
	set(inventory.SourceProjectServiceAccounts, sas, len(inv.Projects))
	set(inventory.SourceProjectUsers, pus, len(inv.Projects))
	set(inventory.SourceUsers, len(inv.Users), pages(len(inv.Users)))
	set(inventory.SourceInvites, len(inv.Invites), pages(len(inv.Invites)))
	logins := 0
	for _, u := range inv.Users {
		if u.ActivitySignals.AuditLogLoginAt != nil {
			logins++
		}
	}
	set(inventory.SourceAuditLogs, logins, pages(logins))
	set(inventory.SourceGPTs, len(inv.GPTs), pages(len(inv.GPTs)))
	set(inventory.SourceWorkspaceUsers, len(inv.WorkspaceUsers), pages(len(inv.WorkspaceUsers)))
	if inv.ChatGPTProjects != nil {
		set(inventory.SourceChatGPTProjects, len(inv.ChatGPTProjects), pages(len(inv.ChatGPTProjects)))
	}
}
