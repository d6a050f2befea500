package simulator_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/openai-casb/openai-casb/internal/spectest"
	"github.com/openai-casb/openai-casb/simulator"
)

// Every answer the simulator gives on an /organization route validates
// against that route's response schema in the official OpenAPI document:
// every page of every list, of the default organization and of the spec
// shapes, and the 400 of an archived project's members.
func TestAnswersValidateAgainstTheSpec(t *testing.T) {
	spec := spectest.Load(t)
	for _, shapes := range simulator.ShapeNames {
		t.Run("shapes="+shapes, func(t *testing.T) {
			inv := simulator.Generate(simulator.GenerateOptions{Users: 600, Seed: 9, Plant: true, Shapes: shapes})
			srv := httptest.NewServer(simulator.New(inv, simulator.Options{MaxPageSize: 7, Shapes: shapes}))
			t.Cleanup(srv.Close)
			get := func(path string) (int, []byte) {
				req, err := http.NewRequest(http.MethodGet, srv.URL+"/v1"+path, nil)
				require.NoError(t, err)
				req.Header.Set("Authorization", "Bearer "+simulator.DefaultAdminKey)
				resp, err := http.DefaultClient.Do(req)
				require.NoError(t, err)
				defer resp.Body.Close()
				body, err := io.ReadAll(resp.Body)
				require.NoError(t, err)
				return resp.StatusCode, body
			}
			// pages validates every page of a list and returns its items.
			pages := func(specPath, path string) []json.RawMessage {
				var all []json.RawMessage
				after := ""
				for {
					q := "?limit=100"
					if strings.Contains(path, "?") {
						q = "&limit=100"
					}
					if after != "" {
						q += "&after=" + after
					}
					status, body := get(path + q)
					require.Equal(t, http.StatusOK, status, "%s: %s", path, body)
					require.NoError(t, spec.Validate(specPath, body), "GET %s: %s", path, body)
					var p struct {
						Data    []json.RawMessage `json:"data"`
						HasMore bool              `json:"has_more"`
						LastID  string            `json:"last_id"`
					}
					require.NoError(t, json.Unmarshal(body, &p))
					all = append(all, p.Data...)
					if !p.HasMore {
						return all
					}
					after = p.LastID
				}
			}
			assert.NotEmpty(t, pages("/organization/admin_api_keys", "/organization/admin_api_keys"))
			assert.NotEmpty(t, pages("/organization/users", "/organization/users"))
			assert.NotEmpty(t, pages("/organization/invites", "/organization/invites"))
			assert.NotEmpty(t, pages("/organization/audit_logs", "/organization/audit_logs?event_types[]=login.succeeded"))
			projects := pages("/organization/projects", "/organization/projects?include_archived=true")
			require.NotEmpty(t, projects)
			archivedSeen := 0
			for _, raw := range projects {
				var p struct {
					ID         string  `json:"id"`
					Status     *string `json:"status"`
					ArchivedAt *int64  `json:"archived_at"`
				}
				require.NoError(t, json.Unmarshal(raw, &p))
				base := "/organization/projects/" + p.ID
				pages("/organization/projects/{project_id}/api_keys", base+"/api_keys?owner_project_access=any")
				archived := p.Status != nil && *p.Status == "archived"
				for _, child := range []string{"users", "service_accounts"} {
					specPath := "/organization/projects/{project_id}/" + child
					if archived || (p.Status == nil && p.ArchivedAt != nil) {
						status, body := get(base + "/" + child)
						require.Equal(t, http.StatusBadRequest, status, "%s of archived %s", child, p.ID)
						require.NoError(t, spec.ValidateStatus(specPath, http.StatusBadRequest, body))
						archivedSeen++
						continue
					}
					pages(specPath, base+"/"+child)
				}
			}
			assert.Positive(t, archivedSeen, "an archived project was asked")
		})
	}
}

// The spec shapes hold every edge case of issue 9's table.
func TestSpecShapesHoldTheEdgeCases(t *testing.T) {
	inv := simulator.Generate(simulator.GenerateOptions{Users: 120, Seed: 9, Plant: true, Shapes: simulator.ShapesSpec})
	var nullStatus, nullStatusArchived, noneRole, nullRole, bots, expired int
	for _, p := range inv.Projects {
		if p.StatusRaw == nil && p.Status == "active" {
			nullStatus++
		}
		if p.StatusRaw == nil && p.Status == "archived" {
			nullStatusArchived++
		}
		for _, sa := range p.ServiceAccounts {
			if sa.Role != nil && *sa.Role == "none" {
				noneRole++
			}
		}
	}
	for _, u := range inv.Users {
		if u.Role == nil {
			nullRole++
		}
		if u.IsServiceAccount != nil && *u.IsServiceAccount {
			bots++
		}
	}
	for _, k := range inv.AdminAPIKeys {
		if k.ExpiresAt != nil && *k.ExpiresAt < inv.CollectedAt {
			expired++
		}
	}
	for name, n := range map[string]int{"null status": nullStatus, "null status, archived_at": nullStatusArchived, "role none": noneRole,
		"null user role": nullRole, "service account users": bots, "expired admin keys": expired} {
		assert.Positive(t, n, name)
	}
}
