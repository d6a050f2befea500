package evaluator_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/openai-casb/openai-casb/evaluator"
)

// runawayDir holds a policy that never finishes, printing first (see the
// file).
const runawayDir = "../fixtures/policies/runaway"

// Row 4: --eval-timeout ends a runaway policy, with a message naming it.
func TestRunawayPolicyTimesOut(t *testing.T) {
	e := newEngine(t, runawayDir)
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
	e, err := evaluator.New(ctx, evaluator.Options{PolicyDir: runawayDir, PrintOutput: w})
	require.NoError(t, err)
	f, err := os.Open(filepath.Join(fixtures, "clean.json"))
	require.NoError(t, err)
	defer f.Close()
	_, err = e.EvaluateReader(ctx, f, "clean.json", evaluator.EvalOptions{})
	require.ErrorIs(t, err, context.Canceled)
	assert.ErrorContains(t, err, "data.acme.runaway.deny")
}

// A finding whose evidence is not an object is a policy error naming the
// rule, not a finding with the evidence silently dropped.
func TestEvidenceMustBeAnObject(t *testing.T) {
	const policy = `package acme.evidence

# METADATA
# title: Evidence
# description: A rule with evidence of the wrong type.
# custom:
#   finding_type_id: 0b8e5c1e-6a4f-4d0b-9f3a-5e2f7c1d9a02
#   severity: low
#   category: Test
#   enterprise_required: false
#   remediation: None.
deny contains finding if {
	finding := {"finding_type_id": "0b8e5c1e-6a4f-4d0b-9f3a-5e2f7c1d9a02", "resource": {"type": "organization", "id": "x", "name": "x"}, "message": "m", "evidence": EVIDENCE}
}
`
	for _, ev := range []string{`"a string"`, `["a", "list"]`, `42`, `null`, `true`} {
		t.Run(ev, func(t *testing.T) {
			dir := t.TempDir()
			require.NoError(t, os.WriteFile(filepath.Join(dir, "p.rego"), []byte(strings.Replace(policy, "EVIDENCE", ev, 1)), 0o600))
			_, err := evaluateErr(t, newEngine(t, dir), "clean.json", evaluator.EvalOptions{})
			require.Error(t, err)
			assert.ErrorContains(t, err, "data.acme.evidence.deny produced a finding whose evidence is")
			assert.ErrorContains(t, err, "not an object")
		})
	}
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "p.rego"), []byte(strings.Replace(policy, "EVIDENCE", `{"days": 3}`, 1)), 0o600))
	fs, err := evaluateErr(t, newEngine(t, dir), "clean.json", evaluator.EvalOptions{})
	require.NoError(t, err)
	require.Len(t, fs, 1)
	assert.JSONEq(t, `{"days": 3}`, string(fs[0].Evidence))
}

// http.send in a user policy is refused unless AllowNet (--allow-net):
// an evaluation must not send the inventory anywhere.
func TestNetworkBuiltinsNeedAllowNet(t *testing.T) {
	var hits atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		w.Write([]byte(`{}`))
	}))
	t.Cleanup(srv.Close)
	const policy = `package acme.exfil

# METADATA
# title: Exfiltration
# description: Sends the inventory away.
# custom:
#   finding_type_id: 0b8e5c1e-6a4f-4d0b-9f3a-5e2f7c1d9a03
#   severity: low
#   category: Test
#   enterprise_required: false
#   remediation: None.
deny contains finding if {
	resp := http.send({"method": "POST", "url": "URL", "body": input.users})
	resp.status_code == 999
	finding := {"finding_type_id": "0b8e5c1e-6a4f-4d0b-9f3a-5e2f7c1d9a03", "resource": {"type": "organization", "id": "x", "name": "x"}, "message": "m"}
}
`
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "exfil.rego"), []byte(strings.Replace(policy, "URL", srv.URL, 1)), 0o600))
	_, err := evaluator.New(context.Background(), evaluator.Options{PolicyDir: dir})
	var pe *evaluator.PolicyError
	require.ErrorAs(t, err, &pe)
	assert.ErrorContains(t, err, "exfil.rego:")
	assert.ErrorContains(t, err, "http.send reaches the network, which policies may not unless --allow-net is given")

	e, err := evaluator.New(context.Background(), evaluator.Options{PolicyDir: dir, AllowNet: true})
	require.NoError(t, err)
	_, err = evaluateErr(t, e, "clean.json", evaluator.EvalOptions{Materialize: true})
	require.NoError(t, err)
	assert.Positive(t, hits.Load(), "allowed, it does reach the network")
}

// --only and --skip leave out the packages none of whose finding types is
// selected: they are not evaluated at all, so a category skipped cannot
// slow the others down (here it would never finish), and the findings of
// the rest are those of a full evaluation.
func TestUnselectedPackagesAreNotEvaluated(t *testing.T) {
	full := evaluate(t, newEngine(t, ""), "acme.json", evaluator.EvalOptions{})
	byType := func(fs []evaluator.Finding, keep func(evaluator.Finding) bool) []evaluator.Finding {
		var out []evaluator.Finding
		for _, f := range fs {
			if keep(f) {
				out = append(out, f)
			}
		}
		return out
	}
	for name, sel := range map[string]evaluator.Options{
		"skip its category": {Skip: []string{"Test"}},
		"only a category":   {Only: []string{"API key hygiene"}},
		"only a type":       {Only: []string{full[0].FindingTypeID}},
	} {
		t.Run(name, func(t *testing.T) {
			sel.ExtraPolicyDirs = []string{runawayDir}
			e, err := evaluator.New(context.Background(), sel)
			require.NoError(t, err)
			got, err := evaluateErr(t, e, "acme.json", evaluator.EvalOptions{Timeout: 5 * time.Second})
			require.NoError(t, err, "the runaway package was evaluated")
			selected := map[string]bool{}
			for _, ft := range e.Catalog() {
				selected[ft.ID] = true
			}
			assert.NotEmpty(t, got)
			assert.Equal(t, byType(full, func(f evaluator.Finding) bool { return selected[f.FindingTypeID] }), got)
		})
	}
}
