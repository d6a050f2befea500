package inventory

import "slices"

// ReasonNotNeeded is the reason of a list a collection left out because no
// enabled policy reads what it fills: such a list hides no finding.
const ReasonNotNeeded = "no enabled policy reads it (pass --collect-all to collect it anyway)"

// NotNeeded reports whether the list was left out because no enabled
// policy reads it.
func (s Source) NotNeeded() bool {
	return s.Status == StatusSkipped && s.Reason != nil && *s.Reason == ReasonNotNeeded
}

// sourceMembers says which top-level members of the document each source
// fills, so that a reader can tell which findings a list that could not be
// read may have hidden. The audit log and the project keys also feed the
// users' derived activity.
var sourceMembers = map[string][]string{
	SourceAdminAPIKeys:           {"admin_api_keys"},
	SourceProjects:               {"projects"},
	SourceProjectAPIKeys:         {"projects", "users"},
	SourceProjectServiceAccounts: {"projects"},
	SourceProjectUsers:           {"projects"},
	SourceUsers:                  {"users"},
	SourceInvites:                {"invites"},
	SourceAuditLogs:              {"users"},
	SourceGPTs:                   {"gpts"},
	SourceWorkspaceUsers:         {"workspace_users"},
	SourceGPTFiles:               {"files"},
	SourceChatGPTProjects:        {"files"},
	SourceProjectFiles:           {"files"},
	SourceConversationLogs:       {"files"},
	SourceConversationFiles:      {"files"},

	SourceOrganizationDataRetention: {"organization"},
	SourceOrganizationSpendLimit:    {"organization"},
	SourceOrganizationSpendAlerts:   {"organization"},
	SourceOrganizationCertificates:  {"certificates"},
	SourceProjectDataRetention:      {"projects"},
	SourceProjectModelPermissions:   {"projects"},
	SourceProjectHostedToolPerms:    {"projects"},
	SourceProjectSpendLimits:        {"projects"},
	SourceProjectSpendAlerts:        {"projects"},
	SourceProjectCertificates:       {"projects"},
	SourceRoles:                     {"roles"},
	SourceGroups:                    {"groups"},
	SourceGroupUsers:                {"groups"},
	SourceGroupRoles:                {"groups"},
	SourceUserRoles:                 {"users"},
	SourceAgents:                    {"agents"},
	SourcePlugins:                   {"plugins"},
}

// MembersOf lists the top-level members of the document that the given
// sources fill, sorted and without repeats. A source it does not know fills
// nothing it can name.
func MembersOf(sources ...string) []string {
	var out []string
	for _, s := range sources {
		for _, m := range sourceMembers[s] {
			if !slices.Contains(out, m) {
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
	for s, ms := range sourceMembers {
		if slices.ContainsFunc(ms, func(m string) bool { return slices.Contains(members, m) }) {
			out = append(out, s)
		}
	}
	slices.Sort(out)
	return out
}
