package evaluator_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"testing"

	"github.com/open-policy-agent/opa/v1/rego"
	"github.com/samber/lo"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/openai-casb/openai-casb/evaluator"
	"github.com/openai-casb/openai-casb/inventory"
	"github.com/openai-casb/openai-casb/simulator"
)

// wholeDocumentRule is a user's finding rule that counts over a whole
// array: it cannot be evaluated chunk by chunk, so an engine with it
// evaluates the whole document at once.
const wholeDocumentRule = `package acme

# METADATA
# title: More than one owner
# description: Counts the owners of the whole organization.
# custom:
#   finding_type_id: acme-owners
#   severity: low
#   category: Access security
#   enterprise_required: false
#   remediation: Keep the owners few.
deny contains finding if {
	owners := [u.id | some u in input.users; u.role == "owner"]
	count(owners) > 1
	finding := {
		"finding_type_id": "acme-owners",
		"resource": {"type": "organization", "id": input.organization.id},
		"message": sprintf("%d owners", [count(owners)]),
		"evidence": {"owners": count(owners), "first": min(owners)},
	}
}
`

// agreementInventory is a generated organization of several thousand users
// with every posture finding type planted, plus the DLP collection of
// fixtures/inventory/dlp.json repeated so that its files fill several
// chunks.
func agreementInventory(t *testing.T) []byte {
	t.Helper()
	inv := simulator.Generate(simulator.GenerateOptions{Users: 3000, Seed: 11, Plant: true})
	dlp, err := inventory.Load(filepath.Join(fixtures, "dlp.json"))
	require.NoError(t, err)
	inv.DLP = dlp.DLP
	// The estate's surfaces, from acme.json, so that every finding type
	// has something to fire on; audit logging off for its finding.
	acme, err := inventory.Load(filepath.Join(fixtures, "acme.json"))
	require.NoError(t, err)
	org := acme.Organization
	org.ID, org.Name, org.AuditLoggingEnabled = inv.Organization.ID, inv.Organization.Name, lo.ToPtr(false)
	inv.Organization = org
	inv.Projects = append(inv.Projects, acme.Projects...)
	inv.Users = append(inv.Users, acme.Users...)
	inv.GPTs = append(inv.GPTs, acme.GPTs...)
	inv.WorkspaceUsers = append(inv.WorkspaceUsers, acme.WorkspaceUsers...)
	inv.Certificates, inv.Roles, inv.Groups, inv.Agents = acme.Certificates, acme.Roles, acme.Groups, acme.Agents
	for name, src := range acme.Sources {
		if _, ok := inv.Sources[name]; !ok {
			inv.Sources[name] = src
		}
	}
	for i := range 150 {
		for _, f := range dlp.Files {
			f.ID = fmt.Sprintf("%s-%03d", f.ID, i)
			inv.Files = append(inv.Files, f)
		}
	}
	raw, err := inventory.Marshal(inv)
	require.NoError(t, err)
	return raw
}

// stockFindings evaluates the policies in dir with OPA's own rego package,
// the way `opa eval -d DIR -i FILE` does: the inventory decoded by
// encoding/json, every package's deny set queried through data.
func stockFindings(t *testing.T, dir string, raw []byte) []map[string]any {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var input any
	require.NoError(t, dec.Decode(&input))
	rs, err := rego.New(
		rego.Load([]string{dir}, nil),
		rego.Query(`some p; f := data.openai[p].deny[_]`),
		rego.Input(input),
	).Eval(context.Background())
	require.NoError(t, err)
	var out []map[string]any
	for _, r := range rs {
		f, ok := r.Bindings["f"].(map[string]any)
		require.True(t, ok, "a finding is an object: %v", r.Bindings["f"])
		out = append(out, f)
	}
	rs, err = rego.New(
		rego.Load([]string{dir}, nil),
		rego.Query(`f := data.acme.deny[_]`),
		rego.Input(input),
	).Eval(context.Background())
	require.NoError(t, err)
	for _, r := range rs {
		out = append(out, r.Bindings["f"].(map[string]any))
	}
	return out
}

// canonical renders a finding as compact JSON of what both sides must
// agree on: finding type, severity, resource, key, message and evidence.
func canonical(t *testing.T, typ string, sev string, res map[string]any, key, msg string, evidence any) string {
	t.Helper()
	b, err := json.Marshal(map[string]any{
		"finding_type_id": typ, "severity": sev, "resource": res, "key": key, "message": msg, "evidence": evidence,
	})
	require.NoError(t, err)
	return string(b)
}

func canonicalStock(t *testing.T, fs []map[string]any, severity map[string]string) []string {
	t.Helper()
	seen := map[string]bool{}
	var out []string
	for _, f := range fs {
		typ, _ := f["finding_type_id"].(string)
		sev, ok := f["severity"].(string)
		if !ok {
			sev = severity[typ]
		}
		r, _ := f["resource"].(map[string]any)
		name, _ := r["name"].(string)
		res := map[string]any{"type": r["type"], "id": r["id"], "name": name}
		key, _ := f["key"].(string)
		msg, _ := f["message"].(string)
		var ev any
		if m, ok := f["evidence"].(map[string]any); ok && len(m) > 0 {
			ev = m
		}
		c := canonical(t, typ, sev, res, key, msg, ev)
		if !seen[c] { // one query result per package: a set across them
			seen[c] = true
			out = append(out, c)
		}
	}
	sort.Strings(out)
	return out
}

func canonicalOurs(t *testing.T, fs []evaluator.Finding) []string {
	t.Helper()
	out := make([]string, 0, len(fs))
	for _, f := range fs {
		var ev any
		if f.Evidence != nil {
			dec := json.NewDecoder(bytes.NewReader(f.Evidence))
			dec.UseNumber()
			require.NoError(t, dec.Decode(&ev))
		}
		res := map[string]any{"type": f.Resource.Type, "id": f.Resource.ID, "name": f.Resource.Name}
		out = append(out, canonical(t, f.FindingTypeID, f.Severity.String(), res, f.Key, f.Message, ev))
	}
	sort.Strings(out)
	return out
}

// firstDifference says where two sorted lists of canonical findings part,
// or "" when they are equal.
func firstDifference(want, got []string) string {
	for i := 0; i < min(len(want), len(got)); i++ {
		if want[i] != got[i] {
			return fmt.Sprintf("finding %d: stock OPA has\n  %s\nopenai-casb has\n  %s", i, want[i], got[i])
		}
	}
	if len(want) != len(got) {
		return fmt.Sprintf("stock OPA has %d findings, openai-casb %d", len(want), len(got))
	}
	return ""
}

// The engine (topdown directly, its own term builder and chunking) gives
// exactly the findings stock OPA's rego package gives on the same policies
// and the encoding/json-decoded inventory: in streaming mode across worker
// counts and chunk sizes, and in whole-document mode, both asked for and
// forced by a user's rule.
// configured are the finding types that fire only when an allow-list of
// openai.config is set (residency, action domains).
var configured = map[string]bool{"468386e1-6bae-4906-8fbb-e5d55fbf0e28": true, "a9f5823f-42e6-4bf2-a37e-58256438c77c": true}

func TestAgreementWithStockOPA(t *testing.T) {
	if testing.Short() {
		t.Skip("evaluates a generated inventory many times; run without -short")
	}
	raw := agreementInventory(t)
	builtIn := exportTo(t)
	withUserRule := exportTo(t)
	require.NoError(t, os.WriteFile(filepath.Join(withUserRule, "acme.rego"), []byte(wholeDocumentRule), 0o644))

	for _, tc := range []struct {
		name      string
		dir       string
		streaming bool
		opts      []evaluator.EvalOptions
	}{
		{"streaming", builtIn, true, []evaluator.EvalOptions{
			{Workers: 1}, {Workers: 2}, {Workers: 4, ChunkBytes: 64 << 10}, {Workers: 3, ChunkBytes: 4096}, {Workers: 2, ChunkBytes: 1},
		}},
		{"whole document, asked for", builtIn, true, []evaluator.EvalOptions{
			{Materialize: true, Workers: 1}, {Materialize: true, Workers: 4, ChunkBytes: 4096},
		}},
		{"whole document, forced by a user rule", withUserRule, false, []evaluator.EvalOptions{
			{Workers: 1}, {Workers: 4, ChunkBytes: 4096}, {Workers: 2, ChunkBytes: 1},
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEngine(t, tc.dir)
			user, why := e.UserJoins()
			require.Equal(t, !tc.streaming, user, why)
			severity := map[string]string{}
			for _, ft := range e.Catalog() {
				severity[ft.ID] = ft.Severity.String()
			}
			want := canonicalStock(t, stockFindings(t, tc.dir, raw), severity)
			types := map[string]bool{}
			for _, f := range run(t, e, raw, evaluator.EvalOptions{Workers: 1}) {
				types[f.FindingTypeID] = true
			}
			for id := range severity {
				if configured[id] {
					continue
				}
				assert.True(t, types[id], "finding type %s is planted and found", id)
			}
			require.Greater(t, len(want), 1000)
			for _, o := range tc.opts {
				t.Run(fmt.Sprintf("workers=%d chunk=%d", o.Workers, o.ChunkBytes), func(t *testing.T) {
					if d := firstDifference(want, canonicalOurs(t, run(t, e, raw, o))); d != "" {
						t.Fatal(d)
					}
				})
			}
		})
	}
}

// The comparison notices a single changed, missing or extra finding.
func TestAgreementComparisonSeesDifferences(t *testing.T) {
	want := []string{`{"a":1}`, `{"b":2}`, `{"c":3}`}
	assert.Empty(t, firstDifference(want, append([]string(nil), want...)))
	assert.Contains(t, firstDifference(want, []string{`{"a":1}`, `{"b":20}`, `{"c":3}`}), "finding 1")
	assert.Contains(t, firstDifference(want, want[:2]), "stock OPA has 3 findings, openai-casb 2")
	assert.Contains(t, firstDifference(want, append(append([]string(nil), want...), `{"d":4}`)), "stock OPA has 3 findings, openai-casb 4")
}
