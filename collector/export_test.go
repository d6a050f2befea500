package collector

// routeShapes are the shapes of the items of each spec route the collector
// reads (for the settings routes, of the whole answer).
var routeShapes = map[string]*shape{
	"/organization/admin_api_keys":                                adminKeyShape,
	"/organization/projects":                                      projectShape,
	"/organization/projects/{project_id}/api_keys":                projectKeyShape,
	"/organization/projects/{project_id}/service_accounts":        serviceAccountShape,
	"/organization/projects/{project_id}/users":                   projectUserShape,
	"/organization/users":                                         userShape,
	"/organization/invites":                                       inviteShape,
	"/organization/data_retention":                                retentionShape,
	"/organization/spend_limit":                                   spendLimitShape,
	"/organization/spend_alerts":                                  spendAlertShape,
	"/organization/certificates":                                  certificateShape,
	"/organization/roles":                                         roleShape,
	"/organization/groups":                                        groupShape,
	"/organization/projects/{project_id}/data_retention":          retentionShape,
	"/organization/projects/{project_id}/model_permissions":       modelPermissionsShape,
	"/organization/projects/{project_id}/hosted_tool_permissions": hostedToolsShape,
	"/organization/projects/{project_id}/spend_limit":             spendLimitShape,
	"/organization/projects/{project_id}/spend_alerts":            spendAlertShape,
	"/organization/projects/{project_id}/certificates":            certificateShape,
	"/organization/groups/{group_id}/users":                       groupUserShape,
	"/organization/groups/{group_id}/roles":                       roleShape,
	"/organization/users/{user_id}/roles":                         roleShape,
}

// Knows reports whether the collector knows the member at path (member
// names, "[]" for the elements of an array) of the items of the spec's
// route; checked is false for routes it checks nothing of.
func Knows(route string, path []string) (ok, checked bool) {
	s, checked := routeShapes[route]
	if !checked {
		return false, false
	}
	for _, k := range path {
		if s == nil {
			return true, true // known, not looked into
		}
		if k == "[]" {
			if s.elems != nil {
				s = s.elems
			}
			continue
		}
		sub, ok := s.members[k]
		if !ok && s.open != nil {
			sub, ok = s.open, true
		}
		if !ok {
			return false, true
		}
		s = sub
	}
	return true, true
}
