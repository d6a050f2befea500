package evaluator_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/openai-casb/openai-casb/evaluator"
)

// runaway is a policy that would run for days: three nested iterations of
// 100,000 each, none of which ever yields a finding. It prints first, so a
// test knows the evaluation has started.
const runaway = `package acme.runaway

# METADATA
# title: Runaway
# description: A rule that never finishes.
# custom:
#   finding_type_id: 0b8e5c1e-6a4f-4d0b-9f3a-5e2f7c1d9a01
#   severity: low
#   category: Test
#   enterprise_required: false
#   remediation: None.
deny contains finding if {
	print("runaway started")
	some a in numbers.range(1, 100000)
	some b in numbers.range(1, 100000)
	some c in numbers.range(1, 100000)
	a + b + c < 0
	finding := {"finding_type_id": "0b8e5c1e-6a4f-4d0b-9f3a-5e2f7c1d9a01", "severity": "low", "resource": {"type": "organization", "id": "x", "name": "x"}, "message": "never"}
}
`

func runawayDir(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "runaway.rego"), []byte(runaway), 0o600))
	return dir
}

// Row 4: --eval-timeout ends a runaway policy, with a message naming it.
func TestRunawayPolicyTimesOut(t *testing.T) {
	e := newEngine(t, runawayDir(t))
	for _, materialize := range []bool{false, true} {
		_, err := evaluateErr(t, e, "clean.json", evaluator.EvalOptions{Timeout: 200 * time.Millisecond, Materialize: materialize})
		te, ok := errors.AsType[*evaluator.TimeoutError](err)
		require.True(t, ok, "got %v", err)
		assert.Equal(t, "data.acme.runaway.deny", te.Policy)
		assert.ErrorContains(t, err, "evaluate data.acme.runaway.deny: the policy did not finish within 200ms")
	}
}

// cancelOnWrite cancels a context at the first print() of a policy.
type cancelOnWrite struct {
	once   sync.Once
	cancel context.CancelFunc
}

func (c *cancelOnWrite) Write(p []byte) (int, error) {
	c.once.Do(c.cancel)
	return len(p), nil
}

// Row 4: evaluation runs under the caller's context: cancelling it (what
// SIGINT and SIGTERM do) stops a policy that would never end.
func TestCancellationStopsARunningPolicy(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	w := &cancelOnWrite{cancel: cancel}
	e, err := evaluator.New(ctx, evaluator.Options{PolicyDir: runawayDir(t), PrintOutput: w})
	require.NoError(t, err)
	f, err := os.Open(filepath.Join(fixtures, "clean.json"))
	require.NoError(t, err)
	defer f.Close()
	_, err = e.EvaluateReader(ctx, f, "clean.json", evaluator.EvalOptions{})
	require.ErrorIs(t, err, context.Canceled)
	assert.ErrorContains(t, err, "data.acme.runaway.deny")
}
