package inventory

import (
	"slices"
	"strings"
)

// ReasonNotNeeded is the reason of a list a collection left out because no
// enabled policy reads what it fills: such a list hides no finding.
const ReasonNotNeeded = "no enabled policy reads it (pass --collect-all to collect it anyway)"

// NotNeeded reports whether the list was left out because no enabled
// policy reads it.
func (s Source) NotNeeded() bool {
	return s.Status == StatusSkipped && s.Reason != nil && *s.Reason == ReasonNotNeeded
}

// sourceFills says which paths of the document each source fills (in the
// notation of evaluator.Engine.Paths: "projects[].users" is the users of
// every project), so that a collection can leave out the lists no enabled
// policy reads and a reader can tell which findings a list that could not
// be read may have hidden. The audit log and the project keys also feed
// the users' derived activity.
var sourceFills = map[string][]string{
	SourceAdminAPIKeys:           {"admin_api_keys"},
	SourceProjects:               {"projects"},
	SourceProjectAPIKeys:         {"projects[].api_keys", "users[].last_activity_at", "users[].activity_signals"},
	SourceProjectServiceAccounts: {"projects[].service_accounts"},
	SourceProjectUsers:           {"projects[].users"},
	SourceUsers:                  {"users"},
	SourceInvites:                {"invites"},
	SourceAuditLogs:              {"users[].last_activity_at", "users[].activity_signals", "organization.audit_logging_enabled"},
	SourceGPTs:                   {"gpts"},
	SourceWorkspaceUsers:         {"workspace_users"},
	SourceGPTFiles:               {"files"},
	SourceChatGPTProjects:        {"chatgpt_projects", "files"},
	SourceProjectFiles:           {"files"},
	SourceConversationLogs:       {"files"},
	SourceConversationFiles:      {"files"},

	SourceOrganizationDataRetention: {"organization.data_retention"},
	SourceOrganizationSpendLimit:    {"organization.spend_limit"},
	SourceOrganizationSpendAlerts:   {"organization.spend_alerts"},
	SourceOrganizationCertificates:  {"certificates"},
	SourceProjectDataRetention:      {"projects[].data_retention"},
	SourceProjectModelPermissions:   {"projects[].model_permissions"},
	SourceProjectHostedToolPerms:    {"projects[].hosted_tool_permissions"},
	SourceProjectSpendLimits:        {"projects[].spend_limit"},
	SourceProjectSpendAlerts:        {"projects[].spend_alerts"},
	SourceProjectCertificates:       {"projects[].certificates"},
	SourceRoles:                     {"roles"},
	SourceGroups:                    {"groups"},
	SourceGroupUsers:                {"groups[].users"},
	SourceGroupRoles:                {"groups[].roles"},
	SourceUserRoles:                 {"users[].roles"},
	SourceAgents:                    {"agents"},
	SourcePlugins:                   {"plugins"},
}

// MembersOf lists the top-level members of the document that the given
// sources fill, sorted and without repeats. A source it does not know fills
// nothing it can name.
func MembersOf(sources ...string) []string {
	var out []string
	for _, s := range sources {
		for _, p := range sourceFills[s] {
			if m := pathSteps(p)[0]; !slices.Contains(out, m) {
				out = append(out, m)
			}
		}
	}
	slices.Sort(out)
	return out
}

// SourcesFilling lists the sources that fill any of the given members, in
// sorted order: the lists a collection must read for policies that read
// those members.
func SourcesFilling(members []string) []string {
	var out []string
	for s, ps := range sourceFills {
		if slices.ContainsFunc(ps, func(p string) bool { return slices.Contains(members, pathSteps(p)[0]) }) {
			out = append(out, s)
		}
	}
	slices.Sort(out)
	return out
}

// SourcesReading lists the sources that fill any of the given paths
// (evaluator.Engine.NeededPaths), in sorted order: the lists a collection
// must read for policies that read those paths. A source fills a path when
// one of its own paths leads to it ("projects" fills "projects[].status",
// "projects[].users" fills "projects[].users[].role"), or, for a path read
// as a whole (ending in ".*", or "*" for the whole document), when it lies
// below it ("projects[].*" needs every per-project list). Reading only a
// list ("projects[]": its projects, not their members) needs no source that
// fills below it.
func SourcesReading(paths []string) []string {
	var out []string
	for s, fills := range sourceFills {
		if slices.ContainsFunc(fills, func(fill string) bool {
			return slices.ContainsFunc(paths, func(p string) bool { return fillsPath(fill, p) })
		}) {
			out = append(out, s)
		}
	}
	slices.Sort(out)
	return out
}

// fillsPath reports whether what a source fills at fill is read by a
// policy reading p.
func fillsPath(fill, p string) bool {
	f := pathSteps(fill)
	if p == "*" {
		return true
	}
	base, whole := strings.CutSuffix(p, ".*")
	r := pathSteps(base)
	return leads(f, r) || whole && leads(r, f)
}

// leads reports whether path a leads to path b (a is b or a prefix of it).
// "[]" (an element, or a member named by a variable) matches any step.
func leads(a, b []string) bool {
	if len(a) > len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] && a[i] != "[]" && b[i] != "[]" {
			return false
		}
	}
	return true
}

// pathSteps cuts a path into its steps: "projects[].users" is projects,
// [], users.
func pathSteps(p string) []string {
	var out []string
	for _, part := range strings.Split(p, ".") {
		n := 0
		for strings.HasSuffix(part, "[]") {
			part, n = strings.TrimSuffix(part, "[]"), n+1
		}
		if part != "" {
			out = append(out, part)
		}
		for range n {
			out = append(out, "[]")
		}
	}
	return out
}
