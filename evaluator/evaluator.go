// Package evaluator loads and compiles the Rego policies once (the embedded
// tree or a user's directory), reads the finding catalog from their METADATA,
// and evaluates inventories against them.
package evaluator

import (
	"context"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/storage"
	"github.com/open-policy-agent/opa/v1/storage/inmem"
	"github.com/open-policy-agent/opa/v1/topdown/print"

	"github.com/openai-casb/openai-casb/inventory"
)

// Options configure an Engine.
type Options struct {
	// PolicyDir is a directory of Rego policies to use instead of the
	// built-in ones. Files ending in _test.rego are left to `opa test`.
	PolicyDir string
	// ExtraPolicyDirs are directories of Rego policies evaluated beside the
	// built-in ones (or PolicyDir's): a user's own packages, which may
	// import data.openai.lib and data.openai.config.
	ExtraPolicyDirs []string
	// Data, when set, is merged under data.openai.config: each top-level
	// key replaces the threshold of that name (objects are merged key by
	// key), or adds one. Read it with ReadData.
	Data map[string]any
	// DataFile names Data in errors.
	DataFile string
	// Only and Skip select the finding types evaluated and reported, by
	// finding type id or category name; empty Only selects all.
	Only, Skip []string
	// PrintOutput receives the output of print() calls in policies; nil
	// discards it.
	PrintOutput io.Writer
	// AllowNet lets policies call the built-ins that reach the network
	// (NetworkBuiltins); without it a policy calling one fails to compile.
	AllowNet bool
}

// Engine holds compiled policies and their prepared queries. It is safe for
// concurrent use.
type Engine struct {
	compiler *ast.Compiler
	store    storage.Store
	print    print.Hook
	catalog  []FindingType
	byID     map[string]FindingType
	queries  []query
	// streaming: every finding rule can be evaluated chunk by chunk.
	streaming       bool
	whyNotStreaming string
	// selected are the finding types --only/--skip keep; nil keeps all.
	selected map[string]bool
	// projection is what the packages that do not stream read of the
	// elements the stream keeps for them (see project.go).
	projection projection
}

type query struct {
	name string   // e.g. data.openai.access_security.deny
	body ast.Body // compiled: denyVar = <name>
	// stream: every deny rule of the package is a function of one element
	// of one resource array, so the package is evaluated chunk by chunk;
	// otherwise once, over the arrays it reads (or all of them).
	stream    bool
	whyNot    string
	arrays    []string
	allArrays bool
}

// denyVar is the variable a query binds a package's deny set to.
var denyVar = ast.Var("casb_deny")

// New loads, parses and compiles the policies, reads the finding catalog and
// prepares one query per policy package. Every problem with the policies is
// a *PolicyError naming file and line.
func New(ctx context.Context, opts Options) (*Engine, error) {
	fsys, prefix, err := policyTree(opts.PolicyDir)
	if err != nil {
		return nil, err
	}
	modules, err := parseModules(fsys, prefix)
	if err != nil {
		return nil, err
	}
	for _, dir := range opts.ExtraPolicyDirs {
		if err := addExtraPolicies(modules, dir); err != nil {
			return nil, err
		}
	}
	if opts.Data != nil {
		if err := mergeConfig(modules, opts.Data, opts.DataFile); err != nil {
			return nil, err
		}
	}
	compiler, err := compile(modules, opts.AllowNet)
	if err != nil {
		return nil, err
	}
	catalog, pkgs, err := catalogFrom(compiler)
	if err != nil {
		return nil, err
	}
	if len(pkgs) == 0 {
		return nil, fmt.Errorf("load policies: no %s rules in %s: a finding rule is `%s contains finding if { ... }` with METADATA", FindingRule, prefix, FindingRule)
	}
	selected, err := selectTypes(catalog, opts.Only, opts.Skip)
	if err != nil {
		return nil, err
	}
	out := opts.PrintOutput
	if out == nil {
		out = io.Discard
	}
	e := &Engine{compiler: compiler, store: inmem.New(), print: printer{out}, catalog: catalog, byID: map[string]FindingType{}, selected: selected}
	arrays := map[string]bool{}
	for _, k := range inventory.ResourceArrays() {
		arrays[k] = true
	}
	e.streaming = true
	for _, ft := range catalog {
		e.byID[ft.ID] = ft
	}
	if selected != nil {
		e.catalog = nil
		for _, ft := range catalog {
			if selected[ft.ID] {
				e.catalog = append(e.catalog, ft)
			}
		}
	}
	// --only and --skip leave out whole packages when none of their finding
	// types is selected: evaluating them only to drop their findings took
	// as long as the full scan (every category at 100,000 users: 20-23 s).
	if selected != nil {
		pkgs = slices.DeleteFunc(pkgs, func(pkg string) bool {
			return !slices.ContainsFunc(catalog, func(ft FindingType) bool { return ft.Package == pkg && selected[ft.ID] })
		})
	}
	qc := compiler.QueryCompiler()
	for _, pkg := range pkgs {
		name := "data." + pkg + "." + FindingRule
		body, err := qc.Compile(ast.NewBody(ast.Equality.Expr(ast.VarTerm(string(denyVar)), ast.MustParseTerm(name))))
		if err != nil {
			return nil, fmt.Errorf("prepare %s: %w", name, err)
		}
		q := query{name: name, body: body}
		q.stream, q.whyNot = chunkable(compiler, arrays, pkg)
		if !q.stream {
			q.arrays, q.allArrays = arraysRead(compiler, arrays, pkg)
			if e.streaming {
				e.streaming, e.whyNotStreaming = false, q.whyNot
			}
		}
		e.queries = append(e.queries, q)
	}
	var joins []string
	for _, q := range e.queries {
		if !q.stream {
			joins = append(joins, strings.TrimSuffix(strings.TrimPrefix(q.name, "data."), "."+FindingRule))
		}
	}
	e.projection = projectionFor(compiler, inventory.ResourceArrays(), joins)
	return e, nil
}

// Catalog returns the finding types, most severe first.
func (e *Engine) Catalog() []FindingType {
	return append([]FindingType(nil), e.catalog...)
}

// EvalOptions adjust one evaluation.
type EvalOptions struct {
	// Now, when set, replaces the inventory's collected_at as the clock the
	// policies measure ages from.
	Now *time.Time
	// Workers parse and evaluate in parallel; 0 means one per CPU.
	Workers int
	// ChunkBytes is about how much of the document one chunk holds; 1 MiB
	// when zero.
	ChunkBytes int
	// Timeout, when positive, bounds the whole evaluation; a policy still
	// running then fails with a *TimeoutError naming it.
	Timeout time.Duration
	// Materialize evaluates the whole inventory at once even when the
	// policies could be streamed: the reference mode.
	Materialize bool
}

// printer sends print() output of policies to a writer, one line each.
type printer struct{ w io.Writer }

func (p printer) Print(_ print.Context, msg string) error {
	_, err := fmt.Fprintln(p.w, msg)
	return err
}
