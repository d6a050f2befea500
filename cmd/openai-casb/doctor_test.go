package main

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/samber/lo"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/openai-casb/openai-casb/inventory"
	"github.com/openai-casb/openai-casb/simulator"
)

// doctorOrg is a small simulated organization whose first admin key is the
// key the tests use (by its redacted value), so that a support request can
// name it.
func doctorOrg(t *testing.T) *inventory.Inventory {
	t.Helper()
	inv := simulator.Generate(simulator.GenerateOptions{Users: 20, Seed: 5, Plant: true, CollectedAt: time.Now().Unix()})
	require.NotEmpty(t, inv.AdminAPIKeys)
	k := &inv.AdminAPIKeys[0]
	k.Name = lo.ToPtr("Security scanner")
	k.RedactedValue = lo.ToPtr("sk-admin-...cdef") // testKey ends in cdef
	k.Owner = &inventory.Owner{Type: lo.ToPtr("user"), ID: lo.ToPtr("user-ada"), Name: lo.ToPtr("Ada Admin"), Role: lo.ToPtr("owner")}
	return inv
}

func doctorArgs(base string, extra ...string) []string {
	return append([]string{"doctor", "--api-base-url", base, "--compliance-base-url", base}, extra...)
}

// assertNoKey checks that no part of the key but its last four characters
// is in the output.
func assertNoKey(t *testing.T, out string) {
	t.Helper()
	assert.NotContains(t, out, testKey)
	assert.NotContains(t, out, "LEAKCHECK")
	assert.NotContains(t, out, "0123456789ab")
}

func TestDoctorWithoutComplianceScopesWritesTheSupportRequest(t *testing.T) {
	inv := doctorOrg(t)
	base := startSimulator(t, inv, simulator.Options{ComplianceForbidden: true})
	r := runEnv(t, simEnv(inv), "", doctorArgs(base)...)
	require.Equal(t, exitFindings, r.code, r.stdout+r.stderr)
	assertNoKey(t, r.stdout+r.stderr)
	assert.Contains(t, r.stdout, "fail  GET /compliance/workspaces/{workspace_id}/gpts: 403: the key has not been granted the scope api.compliance.read")
	// The support request names the key without showing it.
	assert.Contains(t, r.stdout, "Key name:            Security scanner")
	assert.Contains(t, r.stdout, "Key last four chars: cdef")
	assert.Contains(t, r.stdout, "Key created by:      Ada Admin (user-ada)")
	assert.Contains(t, r.stdout, "Workspace ID:        "+inv.Workspace.ID)
	assert.Contains(t, r.stdout, "Organization ID:     "+inv.Organization.ID)
	// Which findings cannot fire without the GPTs.
	assert.Contains(t, r.stdout, "OpenAI: GPT with Custom Actions enabled (5a2995f5-0cc1-4af3-9045-cdf7e6601f7b)")
	assert.NotContains(t, r.stdout, "OpenAI: Inactive user (", "users were readable")
	// The Admin API still answered.
	assert.Contains(t, r.stdout, "ok    GET /organization/users: readable")
}

func TestDoctorWithAProjectKeySaysSoFirst(t *testing.T) {
	inv := doctorOrg(t)
	base := startSimulator(t, inv, simulator.Options{ProjectKey: simulator.DefaultProjectKey})
	environ := simEnv(inv)
	environ[envAdminKey] = simulator.DefaultProjectKey
	r := runEnv(t, environ, "", doctorArgs(base)...)
	lines := strings.Split(r.stdout, "\n")
	require.GreaterOrEqual(t, len(lines), 3, r.stdout)
	assert.Equal(t, "Credentials", lines[0])
	assert.Contains(t, lines[1], "fail  admin key: project key, from OPENAI_ADMIN_KEY")
	assert.Contains(t, lines[2], "create an admin key (sk-admin-…")
	assert.Contains(t, r.stdout, "fail  GET /organization/users: 403: not an admin key")
	// Nothing could be read: a scan could not run.
	assert.Equal(t, exitError, r.code, r.stdout+r.stderr)
	assert.NotContains(t, r.stdout+r.stderr, simulator.DefaultProjectKey)
}

func TestDoctorAllClearThenScanIsComplete(t *testing.T) {
	inv := doctorOrg(t)
	base := startSimulator(t, inv, simulator.Options{})
	r := runEnv(t, simEnv(inv), "", doctorArgs(base, "--dlp")...)
	require.Equal(t, exitOK, r.code, r.stdout+r.stderr)
	assert.NotContains(t, r.stdout, "fail ")
	assert.Contains(t, r.stdout, "Audit logging: enabled")
	assert.Contains(t, r.stdout, "ok    GET /compliance/workspaces/{workspace_id}/logs?event_type=CONVERSATION_MESSAGE: readable")
	assert.Contains(t, r.stdout, "ok    GET /organization/projects/{project_id}/api_keys: readable")
	// No built-in rule reads a project's service accounts (see evaluator.Engine.Paths).
	assert.Contains(t, r.stdout, "skip  GET /organization/projects/{project_id}/service_accounts: not read by a scan: "+inventory.ReasonNotNeeded)
	assert.NotContains(t, r.stdout, "Send this to OpenAI support")
	assert.Contains(t, r.stdout, "Result: a scan would be complete (exit 0).")

	s := runEnv(t, simEnv(inv), "", "scan", "--api-base-url", base, "--compliance-base-url", base, "--dlp", "--quiet", "--format", "json")
	require.Contains(t, []int{exitOK, exitFindings}, s.code, s.stderr)
	assert.Empty(t, parseReport(t, s.stdout).Inventory.SourcesIncomplete)
}

func TestDoctorWithoutAuditLoggingJSON(t *testing.T) {
	inv := doctorOrg(t)
	base := startSimulator(t, inv, simulator.Options{AuditLogDisabled: true})
	r := runEnv(t, simEnv(inv), "", doctorArgs(base, "--format", "json")...)
	require.Equal(t, exitFindings, r.code, r.stdout+r.stderr)
	var doc struct {
		AuditLogging string   `json:"audit_logging"`
		Complete     bool     `json:"complete"`
		Incomplete   []string `json:"incomplete_sources"`
		Missing      []struct {
			ID string `json:"finding_type_id"`
		} `json:"findings_that_may_be_missing"`
		Checks []struct {
			Name, Status, Detail, Action string
			HTTPStatus                   int `json:"http_status"`
		} `json:"checks"`
		SupportRequest string `json:"support_request"`
	}
	require.NoError(t, json.Unmarshal([]byte(r.stdout), &doc), r.stdout)
	assert.Equal(t, "disabled", doc.AuditLogging)
	assert.False(t, doc.Complete)
	assert.Equal(t, []string{"audit_logs"}, doc.Incomplete)
	var ids []string
	for _, m := range doc.Missing {
		ids = append(ids, m.ID)
	}
	assert.Contains(t, ids, "20ab9ddb-fd48-46a8-9fdf-9bb9b9061f21") // Inactive user
	assert.NotContains(t, ids, "776ceb93-fa9a-4ca0-83db-668a67c09936")
	assert.Empty(t, doc.SupportRequest)
	found := false
	for _, c := range doc.Checks {
		if c.Name == "GET /organization/audit_logs" {
			found = true
			assert.Equal(t, "fail", c.Status)
			assert.Equal(t, 400, c.HTTPStatus)
			assert.Contains(t, c.Detail, "audit logging is not enabled")
			assert.Contains(t, c.Action, "Audit logging")
		}
	}
	assert.True(t, found)
}

func TestDoctorWithoutAKeyOrWithABadWorkspace(t *testing.T) {
	r := runEnv(t, map[string]string{}, "", "doctor")
	assert.Equal(t, exitError, r.code)
	assert.Contains(t, r.stdout, "fail  admin key: no admin key found")
	assert.Contains(t, r.stdout, "set OPENAI_ADMIN_KEY")

	inv := doctorOrg(t)
	base := startSimulator(t, inv, simulator.Options{})
	environ := simEnv(inv)
	environ[envWorkspaceID] = "not-a-uuid"
	r = runEnv(t, environ, "", doctorArgs(base)...)
	assert.Equal(t, exitFindings, r.code, r.stdout)
	assert.Contains(t, r.stdout, "fail  workspace id: CHATGPT_WORKSPACE_ID is not a UUID")
}

func TestScanPointsAtDoctorWhenAccessIsRefused(t *testing.T) {
	inv := doctorOrg(t)
	base := startSimulator(t, inv, simulator.Options{ComplianceForbidden: true})
	r := runEnv(t, simEnv(inv), "", "scan", "--api-base-url", base, "--compliance-base-url", base, "--quiet", "--format", "json")
	assert.Equal(t, exitError, r.code)
	assert.Equal(t, 1, strings.Count(r.stderr, "openai-casb doctor"), r.stderr)

	ok := startSimulator(t, inv, simulator.Options{})
	r = runEnv(t, simEnv(inv), "", "scan", "--api-base-url", ok, "--compliance-base-url", ok, "--quiet", "--format", "json")
	assert.NotContains(t, r.stderr, "doctor")
}
