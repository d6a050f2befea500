package policies_test

import (
	"context"
	"io/fs"
	"strings"
	"testing"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/storage/inmem"
	"github.com/open-policy-agent/opa/v1/tester"
	"github.com/stretchr/testify/require"

	"github.com/openai-casb/openai-casb/policies"
)

// TestRego runs every Rego test of the embedded tree through OPA's tester,
// the same runner `opa test` uses, each as a Go subtest. It fails when a
// test fails, errors, or when no test ran at all (a tree that silently lost
// its tests must not pass).
func TestRego(t *testing.T) {
	modules := map[string]*ast.Module{}
	err := fs.WalkDir(policies.FS, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".rego") {
			return err
		}
		src, err := fs.ReadFile(policies.FS, p)
		if err != nil {
			return err
		}
		mod, err := ast.ParseModuleWithOpts(p, string(src), ast.ParserOptions{ProcessAnnotation: true, RegoVersion: ast.RegoV1})
		if err != nil {
			return err
		}
		modules[p] = mod
		return nil
	})
	require.NoError(t, err)

	ch, err := tester.NewRunner().
		SetStore(inmem.New()).
		SetModules(modules).
		RaiseBuiltinErrors(true).
		RunTests(context.Background(), nil)
	require.NoError(t, err)

	ran := 0
	for r := range ch {
		ran++
		r := r
		t.Run(strings.TrimPrefix(r.Package, "data.")+"."+r.Name, func(t *testing.T) {
			if r.Error != nil {
				t.Fatalf("%s: error: %v", r.Location, r.Error)
			}
			if r.Skip {
				t.Skipf("%s: skipped", r.Location)
			}
			if !r.Pass() {
				t.Fatalf("%s: FAIL", r.Location)
			}
		})
	}
	require.Positive(t, ran, "no Rego tests ran")
	t.Logf("%d Rego tests ran", ran)
}

// TestEveryFindingPackageHasTests keeps the rule "a _test.rego beside
// each" true as packages are added.
func TestEveryFindingPackageHasTests(t *testing.T) {
	entries, err := fs.ReadDir(policies.FS, ".")
	require.NoError(t, err)
	names := map[string]bool{}
	for _, e := range entries {
		names[e.Name()] = true
	}
	for n := range names {
		if !strings.HasSuffix(n, ".rego") || strings.HasSuffix(n, "_test.rego") || n == "config.rego" {
			continue
		}
		test := strings.TrimSuffix(n, ".rego") + "_test.rego"
		require.True(t, names[test], "%s has no %s", n, test)
	}
}
