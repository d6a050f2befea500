package inventory

import (
	"io"

	"github.com/openai-casb/openai-casb/internal/jsonstream"
)

// resourcePaths says where each resource type of the findings lives in the
// document, as a JSON pointer with * for array indexes.
var resourcePaths = map[string]string{
	"admin_api_key":   "/admin_api_keys/*",
	"project":         "/projects/*",
	"project_api_key": "/projects/*/api_keys/*",
	"service_account": "/projects/*/service_accounts/*",
	"project_user":    "/projects/*/users/*",
	"user":            "/users/*",
	"invite":          "/invites/*",
	"gpt":             "/gpts/*",
	"workspace_user":  "/workspace_users/*",
	"chatgpt_project": "/chatgpt_projects/*",
	"file":            "/files/*",
	"certificate":     "/certificates/*",
	"role":            "/roles/*",
	"group":           "/groups/*",
	"agent":           "/agents/*",
	"plugin":          "/plugins/*",
	"organization":    "/organization",
}

// IndexLines reads an inventory document and records the line where each
// resource starts, for reports that point at lines of the file.
func IndexLines(r io.Reader) (*jsonstream.LineIndex, error) {
	return jsonstream.IndexLines(r, resourcePaths)
}
