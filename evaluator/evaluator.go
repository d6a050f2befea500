// Package evaluator loads and compiles the Rego policies once (the embedded
// tree or a user's directory), reads the finding catalog from their METADATA,
// and evaluates inventories against them.
package evaluator

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/rego"
	"github.com/open-policy-agent/opa/v1/topdown/print"
)

// Options configure an Engine.
type Options struct {
	// PolicyDir is a directory of Rego policies to use instead of the
	// built-in ones. Files ending in _test.rego are left to `opa test`.
	PolicyDir string
	// PrintOutput receives the output of print() calls in policies; nil
	// discards it.
	PrintOutput io.Writer
}

// Engine holds compiled policies and their prepared queries. It is safe for
// concurrent use.
type Engine struct {
	catalog []FindingType
	byID    map[string]FindingType
	queries []query
}

type query struct {
	name     string // e.g. data.openai.access_security.deny
	prepared rego.PreparedEvalQuery
}

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
	compiler, err := compile(modules)
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
	e := &Engine{catalog: catalog, byID: map[string]FindingType{}}
	for _, ft := range catalog {
		e.byID[ft.ID] = ft
	}
	out := opts.PrintOutput
	if out == nil {
		out = io.Discard
	}
	for _, pkg := range pkgs {
		name := "data." + pkg + "." + FindingRule
		pq, err := rego.New(
			rego.Compiler(compiler),
			rego.Query(name),
			rego.EnablePrintStatements(true),
			rego.PrintHook(print.Hook(printer{out})),
		).PrepareForEval(ctx)
		if err != nil {
			return nil, fmt.Errorf("prepare %s: %w", name, err)
		}
		e.queries = append(e.queries, query{name: name, prepared: pq})
	}
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
}

// Evaluate runs every finding rule over the input and returns the findings,
// sorted.
func (e *Engine) Evaluate(ctx context.Context, in *Input, opts EvalOptions) ([]Finding, error) {
	value := in.value
	if opts.Now != nil {
		value = withField(in.value, "collected_at", ast.IntNumberTerm(int(opts.Now.Unix())))
	}
	var findings []Finding
	for _, q := range e.queries {
		rs, err := q.prepared.Eval(ctx, rego.EvalParsedInput(value))
		if err != nil {
			return nil, fmt.Errorf("evaluate %s: %w", q.name, err)
		}
		for _, r := range rs {
			set, ok := r.Expressions[0].Value.([]any)
			if !ok {
				return nil, fmt.Errorf("evaluate %s: got %T, want a set of findings", q.name, r.Expressions[0].Value)
			}
			for _, v := range set {
				f, err := findingFrom(v, e.byID, q.name)
				if err != nil {
					return nil, err
				}
				findings = append(findings, f)
			}
		}
	}
	SortFindings(findings)
	return findings, nil
}

// printer sends print() output of policies to a writer, one line each.
type printer struct{ w io.Writer }

func (p printer) Print(_ print.Context, msg string) error {
	_, err := fmt.Fprintln(p.w, msg)
	return err
}

// withField returns a shallow copy of obj with key set to t: the resource
// arrays are shared, not copied.
func withField(obj ast.Object, key string, t *ast.Term) ast.Object {
	out := ast.NewObject()
	obj.Foreach(func(k, v *ast.Term) {
		out.Insert(k, v)
	})
	out.Insert(ast.StringTerm(key), t)
	return out
}
