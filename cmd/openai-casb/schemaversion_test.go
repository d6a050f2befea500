package main

import (
	"os"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/openai-casb/openai-casb/inventory"
)

// evaluate reads inventories of schema version 1 (written before API-owned
// values were kept as sent) as well as version 2, with the same findings.
func TestEvaluateReadsSchemaVersion1(t *testing.T) {
	v1, err := os.ReadFile(acme)
	require.NoError(t, err)
	require.Contains(t, string(v1), `"schema_version": 1,`, "the acme fixture is a version 1 document")
	old := runCLI(t, string(v1), "evaluate", "-", "--format", "json")
	require.Equal(t, exitOK, old.code, old.stderr)

	inv, err := inventory.Load(acme)
	require.NoError(t, err)
	inv.SchemaVersion = 2
	for i := range inv.Projects {
		inv.Projects[i].StatusRaw = &inv.Projects[i].Status
	}
	v2, err := inventory.Marshal(inv)
	require.NoError(t, err)
	require.Contains(t, string(v2), `"schema_version": 2,`)
	now := runCLI(t, string(v2), "evaluate", "-", "--format", "json")
	require.Equal(t, exitOK, now.code, now.stderr)
	assert.JSONEq(t, old.stdout, now.stdout)
	assert.Contains(t, old.stdout, "finding_type_id")
}
