package collector_test

import (
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/openai-casb/openai-casb/internal/spectest"
	"github.com/openai-casb/openai-casb/simulator"
)

// Every estate route the simulator serves answers what the official spec's
// 200 response schema allows, for a project, group and user it holds and
// for one it does not.
func TestEstateRoutesAreSpecValid(t *testing.T) {
	spec := spectest.Load(t)
	src := simulator.Generate(simulator.GenerateOptions{Users: 300, Seed: 5, Plant: true})
	_, base := serve(t, src, simulator.Options{MaxPageSize: 2})
	var project, group, user string
	for _, p := range src.Projects {
		if p.Status != "archived" {
			project = p.ID
			break
		}
	}
	group, user = src.Groups[0].ID, src.Users[0].ID
	routes := []string{
		"/organization/data_retention", "/organization/spend_limit", "/organization/spend_alerts", "/organization/certificates",
		"/organization/roles", "/organization/groups",
		"/organization/projects/{project_id}/data_retention", "/organization/projects/{project_id}/model_permissions",
		"/organization/projects/{project_id}/hosted_tool_permissions", "/organization/projects/{project_id}/spend_limit",
		"/organization/projects/{project_id}/spend_alerts", "/organization/projects/{project_id}/certificates",
		"/organization/groups/{group_id}/users", "/organization/groups/{group_id}/roles", "/organization/users/{user_id}/roles",
	}
	for _, route := range routes {
		require.True(t, spec.HasGet(route), route)
		for _, ids := range [][3]string{{project, group, user}, {"proj_unknown", "group_unknown", "user-unknown"}} {
			path := strings.NewReplacer("{project_id}", ids[0], "{group_id}", ids[1], "{user_id}", ids[2]).Replace(route)
			req, err := http.NewRequest(http.MethodGet, base+path+"?limit=2", nil)
			require.NoError(t, err)
			req.Header.Set("Authorization", "Bearer "+simulator.DefaultAdminKey)
			resp, err := http.DefaultClient.Do(req)
			require.NoError(t, err)
			body, err := io.ReadAll(resp.Body)
			resp.Body.Close()
			require.NoError(t, err)
			require.Equal(t, http.StatusOK, resp.StatusCode, "%s: %s", path, body)
			assert.NoError(t, spec.Validate(route, body), "%s", path)
		}
	}
}
