package evaluator_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/openai-casb/openai-casb/evaluator"
)

// acme.json fails CIS 5.3 (dormant accounts and keys), passes 8.2 (audit
// logging is on and the audit log was read), and cannot assess 3.13 (DLP
// lists were not collected). Every mapped control of every framework has
// a status, and controls sort as their frameworks number them.
func TestComplianceOfAcme(t *testing.T) {
	e := newEngine(t, "")
	res := evaluate2(t, e, "acme.json")
	for _, fw := range evaluator.Frameworks {
		controls := evaluator.ComplianceOf(fw, e.Catalog(), res)
		require.NotEmpty(t, controls, fw.ID)
		for _, c := range controls {
			assert.Contains(t, []string{evaluator.ControlPass, evaluator.ControlFail, evaluator.ControlNotAssessed}, c.Status, "%s %s", fw.ID, c.ID)
			assert.NotEmpty(t, c.Title, "%s %s has a title", fw.ID, c.ID)
			assert.Equal(t, c.Status == evaluator.ControlFail, len(c.Findings) > 0)
		}
	}
	cis, err := evaluator.LookupFramework("CIS", e.Catalog())
	require.NoError(t, err)
	byID := map[string]evaluator.Control{}
	var order []string
	for _, c := range evaluator.ComplianceOf(cis, e.Catalog(), res) {
		byID[c.ID] = c
		order = append(order, c.ID)
	}
	assert.Equal(t, evaluator.ControlFail, byID["5.3"].Status)
	assert.Equal(t, evaluator.ControlPass, byID["8.2"].Status)
	assert.Equal(t, evaluator.ControlNotAssessed, byID["3.13"].Status)
	assert.Equal(t, []string{"conversation_files", "gpt_files", "project_files"}, byID["3.13"].Missing)
	assert.Less(t, indexOf(order, "3.4"), indexOf(order, "3.10"), "3.4 before 3.10")

	// audit-off.json fails 8.2.
	off := evaluate2(t, e, "audit-off.json")
	for _, c := range evaluator.ComplianceOf(cis, e.Catalog(), off) {
		if c.ID == "8.2" {
			assert.Equal(t, evaluator.ControlFail, c.Status)
		}
	}

	// Without an inventory: the mapping only.
	for _, c := range evaluator.ComplianceOf(cis, e.Catalog(), nil) {
		assert.Empty(t, c.Status)
		assert.NotEmpty(t, c.FindingTypes)
	}
	_, err = evaluator.LookupFramework("pci-dss", e.Catalog())
	assert.ErrorContains(t, err, `unknown framework "pci-dss"`)
}

func indexOf(s []string, v string) int {
	for i, x := range s {
		if x == v {
			return i
		}
	}
	return -1
}

func evaluate2(t *testing.T, e *evaluator.Engine, name string) *evaluator.Result {
	t.Helper()
	f, err := os.Open(filepath.Join(fixtures, name))
	require.NoError(t, err)
	defer f.Close()
	res, err := e.EvaluateReader(context.Background(), f, name, evaluator.EvalOptions{})
	require.NoError(t, err)
	return res
}
