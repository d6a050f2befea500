package collector

// KnownFields is the set of top-level fields the collector knows on the
// items of the spec's list route path, nil for routes it checks none of.
func KnownFields(path string) map[string]bool {
	return map[string]map[string]bool{
		"/organization/admin_api_keys":                         adminKeyFields,
		"/organization/projects":                               projectFields,
		"/organization/projects/{project_id}/api_keys":         projectKeyFields,
		"/organization/projects/{project_id}/service_accounts": serviceAccountFields,
		"/organization/projects/{project_id}/users":            projectUserFields,
		"/organization/users":                                  userFields,
		"/organization/invites":                                inviteFields,
	}[path]
}
