package collector

// SourceInfo says where a sources entry of the inventory comes from: the
// API, the route, what the key needs and which plans have it. The finding
// catalog's documentation (docs/findings.md) is written from it.
type SourceInfo struct {
	API   string
	Route string
	Key   string
	Plan  string
}

const (
	adminKey      = "admin key (sk-admin-…; read-only suffices)"
	adminPlan     = "any API platform organization"
	complianceKey = "Compliance API key with read access to the workspace"
	workspacePlan = "ChatGPT Enterprise or Edu workspace"
)

func admin(route string) SourceInfo { return SourceInfo{"Admin API", route, adminKey, adminPlan} }

func compliance(route string) SourceInfo {
	return SourceInfo{"Compliance API", "/compliance/workspaces/{workspace_id}" + route, complianceKey, workspacePlan}
}

// Sources describes every sources entry the collector fills.
var Sources = map[string]SourceInfo{
	"admin_api_keys":                  admin("/organization/admin_api_keys"),
	"projects":                        admin("/organization/projects"),
	"project_api_keys":                admin("/organization/projects/{project_id}/api_keys"),
	"project_service_accounts":        admin("/organization/projects/{project_id}/service_accounts"),
	"project_users":                   admin("/organization/projects/{project_id}/users"),
	"users":                           admin("/organization/users"),
	"invites":                         admin("/organization/invites"),
	"audit_logs":                      {"Admin API", "/organization/audit_logs", adminKey, adminPlan + " with audit logging switched on"},
	"organization_data_retention":     admin("/organization/data_retention"),
	"project_data_retention":          admin("/organization/projects/{project_id}/data_retention"),
	"project_model_permissions":       admin("/organization/projects/{project_id}/model_permissions"),
	"project_hosted_tool_permissions": admin("/organization/projects/{project_id}/hosted_tool_permissions"),
	"organization_spend_limit":        admin("/organization/spend_limit"),
	"project_spend_limits":            admin("/organization/projects/{project_id}/spend_limit"),
	"organization_spend_alerts":       admin("/organization/spend_alerts"),
	"project_spend_alerts":            admin("/organization/projects/{project_id}/spend_alerts"),
	"organization_certificates":       admin("/organization/certificates"),
	"project_certificates":            admin("/organization/projects/{project_id}/certificates"),
	"roles":                           admin("/organization/roles"),
	"groups":                          admin("/organization/groups"),
	"group_users":                     admin("/organization/groups/{group_id}/users"),
	"group_roles":                     admin("/organization/groups/{group_id}/roles"),
	"user_roles":                      admin("/organization/users/{user_id}/roles"),
	"gpts":                            compliance("/gpts"),
	"workspace_users":                 compliance("/users"),
	"agents":                          compliance("/agents"),
	"plugins":                         compliance("/plugins"),
	"gpt_files":                       compliance("/gpt_files/{file_id} (with --dlp)"),
	"chatgpt_projects":                compliance("/projects"),
	"project_files":                   compliance("/project_files/{file_id} (with --dlp)"),
	"conversation_logs":               compliance("/logs?event_type=CONVERSATION_MESSAGE (with --dlp)"),
	"conversation_files":              compliance("/users/{user_id}/files/{file_id} (with --dlp)"),
}
