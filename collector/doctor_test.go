package collector_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/openai-casb/openai-casb/collector"
	"github.com/openai-casb/openai-casb/simulator"
)

// Doctor asks exactly the lists a scan reads: the routes a full collection
// (with DLP and without) sends to the simulator, less the file downloads,
// are the routes Diagnose checks. A list added to the collection without a
// check (or the other way round) fails here.
func TestDoctorChecksEveryListAScanReads(t *testing.T) {
	for _, withDLP := range []bool{true, false} {
		t.Run(map[bool]string{true: "dlp", false: "no dlp"}[withDLP], func(t *testing.T) {
			src := simulator.Generate(simulator.GenerateOptions{Users: 30, Seed: 3, Plant: true})
			content := simulator.GenerateContent(src, simulator.ContentOptions{Plant: true, Files: 5})
			sim, base := serve(t, src, simulator.Options{Content: content})
			opts := func() collector.Options {
				if withDLP {
					return dlpOptions(t, src, base)
				}
				return options(src, base)
			}
			_, err := collector.Collect(context.Background(), opts())
			require.NoError(t, err)
			var collected []string
			for route := range sim.Stats().ByRoute {
				api, pattern, _ := strings.Cut(route, " ")
				if strings.Contains(pattern, "files/") || strings.HasPrefix(pattern, "logs/") {
					continue // file contents, not lists
				}
				if strings.HasPrefix(pattern, "groups/") || strings.HasPrefix(pattern, "users/") {
					continue // per group and per user: doctor asks about the lists they hang from
				}
				pattern = strings.ReplaceAll(pattern, "{id}", "{project_id}")
				if api == "admin" {
					collected = append(collected, "GET /organization/"+pattern)
				} else {
					collected = append(collected, "GET /compliance/workspaces/{workspace_id}/"+pattern)
				}
			}
			slices.Sort(collected)
			assert.Contains(t, collected, "GET /compliance/workspaces/{workspace_id}/projects", "ChatGPT projects are read with DLP and without")

			d, err := collector.Diagnose(context.Background(), collector.DiagnoseOptions{Options: opts()})
			require.NoError(t, err)
			var checked []string
			for _, c := range d.Checks {
				if c.Area == collector.AreaCredentials {
					continue
				}
				assert.Equal(t, collector.CheckOK, c.Status, "%s: %s", c.Name, c.Detail)
				name, _, _ := strings.Cut(c.Name, "?")
				checked = append(checked, name)
			}
			slices.Sort(checked)
			assert.Equal(t, collected, checked)
			assert.Equal(t, "enabled", d.AuditLogging)
			assert.Equal(t, src.Organization.ID, d.OrganizationID)
			assert.Empty(t, d.SupportRequest)
			assert.Empty(t, d.Failed())
		})
	}
}

// One small request per route: limit=1 on every list, and each route once
// (the per-project ones on a single project).
func TestDoctorSendsOneSmallRequestPerRoute(t *testing.T) {
	src := simulator.Generate(simulator.GenerateOptions{Users: 200, Seed: 3})
	sim, base := serve(t, src, simulator.Options{})
	d, err := collector.Diagnose(context.Background(), collector.DiagnoseOptions{Options: options(src, base)})
	require.NoError(t, err)
	st := sim.Stats()
	for route, n := range st.ByRoute {
		assert.Equal(t, int64(1), n, route)
	}
	routes := 0
	for _, c := range d.Checks {
		if c.Source != "" {
			routes++
		}
	}
	assert.Equal(t, int64(routes), st.Requests)
}

func TestDoctorAsksOfAnActiveProject(t *testing.T) {
	src := simulator.Generate(simulator.GenerateOptions{Users: 600, Seed: 8})
	// The first project the API lists is archived: its members and service
	// accounts would answer 400, which says nothing about the key.
	require.Greater(t, len(src.Projects), 1)
	src.Projects[0].Status = "archived"
	src.Projects[0].StatusRaw = &src.Projects[0].Status
	src.Projects[0].ArchivedAt = src.Projects[0].CreatedAt
	_, base := serve(t, src, simulator.Options{})
	d, err := collector.Diagnose(context.Background(), collector.DiagnoseOptions{Options: options(src, base)})
	require.NoError(t, err)
	n := 0
	for _, c := range d.Checks {
		if strings.Contains(c.Name, "{project_id}") {
			n++
			assert.Equal(t, collector.CheckOK, c.Status, "%s: %s", c.Name, c.Detail)
		}
	}
	assert.Equal(t, 9, n, "keys, service accounts, members and the six settings")
}

func TestKeyKind(t *testing.T) {
	for key, want := range map[string]string{
		"sk-admin-FAKE0000":   collector.KeyAdmin,
		"sk-proj-FAKE0000":    collector.KeyProject,
		"sk-svcacct-FAKE0000": collector.KeyServiceAccount,
		"sk-FAKE0000":         collector.KeyUser,
		"FAKE-workspace-key":  collector.KeyUnknown,
	} {
		assert.Equal(t, want, collector.KeyKind(key), key)
	}
}

func TestPermissionReason(t *testing.T) {
	assert.True(t, collector.PermissionReason("Compliance API /v1/x: 403 Forbidden: Missing scopes"))
	assert.True(t, collector.PermissionReason("the Admin API refused the key from OPENAI_ADMIN_KEY (401 Unauthorized: bad)"))
	assert.False(t, collector.PermissionReason("Admin API /v1/organization/users: 503 Service Unavailable (gave up after 6 attempts)"))
}
