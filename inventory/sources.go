package inventory

import "slices"

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
