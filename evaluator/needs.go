package evaluator

import (
	"slices"
	"sort"

	"github.com/open-policy-agent/opa/v1/ast"
)

// AllInput stands for "the whole inventory" in what a finding type reads:
// its rule (or a rule it depends on) reads input as a whole or indexes it
// with a variable, so no member can be ruled out.
const AllInput = "*"

// Inputs tells, for every finding type of the compiled policies, which
// top-level members of the inventory its deny rule reads, itself or
// through the rules and functions it depends on (transitively, user
// policies included): e.g. "users", "projects", "collected_at". A finding
// type whose rule reads input as a whole has AllInput. Members are sorted.
//
// It is read from the compiled rules, not from the built-in catalog, so a
// user's own policy answers for itself, and finding types left out by
// Options.Only and Skip read nothing: `doctor` uses it to say which
// findings cannot fire when a list is not readable.
func (e *Engine) Inputs() map[string][]string {
	out := map[string][]string{}
	for _, name := range sortedModuleNames(e.compiler.Modules) {
		for _, rule := range e.compiler.Modules[name].Rules {
			if rule.Head.Name.String() != FindingRule || len(rule.Head.Ref()) != 1 {
				continue
			}
			id := e.findingTypeOf(rule)
			if id == "" || (e.selected != nil && !e.selected[id]) {
				continue // --only and --skip leave it out
			}
			w := &inputWalk{c: e.compiler, seen: map[*ast.Rule]bool{}, keys: map[string]bool{}}
			w.rule(rule)
			for k := range w.keys {
				if !slices.Contains(out[id], k) {
					out[id] = append(out[id], k)
				}
			}
			sort.Strings(out[id])
		}
	}
	return out
}

// findingTypeOf is the finding_type_id of a deny rule's METADATA ("" when
// it has none, which New has already refused).
func (e *Engine) findingTypeOf(rule *ast.Rule) string {
	for _, a := range e.compiler.GetAnnotationSet().GetRuleScope(rule) {
		if id, ok := a.Custom["finding_type_id"].(string); ok {
			return id
		}
	}
	return ""
}

// inputWalk collects the input members a rule and its dependencies read.
type inputWalk struct {
	c    *ast.Compiler
	seen map[*ast.Rule]bool
	keys map[string]bool
}

func (w *inputWalk) rule(r *ast.Rule) {
	for ; r != nil; r = r.Else {
		if w.seen[r] {
			return
		}
		w.seen[r] = true
		ast.WalkRefs(r, func(ref ast.Ref) bool {
			w.ref(ref)
			return false
		})
	}
}

func (w *inputWalk) ref(r ast.Ref) {
	switch head := r[0].Value; {
	case head.Compare(ast.InputRootDocument.Value) == 0:
		if len(r) < 2 {
			w.keys[AllInput] = true
			return
		}
		if key, ok := r[1].Value.(ast.String); ok {
			w.keys[string(key)] = true
		} else {
			w.keys[AllInput] = true
		}
	case head.Compare(ast.DefaultRootDocument.Value) == 0:
		prefix := r.ConstantPrefix()
		for _, dep := range append(w.c.GetRules(prefix), w.c.GetRulesWithPrefix(prefix)...) {
			w.rule(dep)
		}
	}
}

// Reading lists the finding types, in catalog order, whose rules read any
// of the given top-level members of the inventory (or the whole of it):
// those a list that filled them, if not read, may have hidden.
func (e *Engine) Reading(members []string) []FindingType {
	in := e.Inputs()
	var out []FindingType
	for _, ft := range e.catalog {
		for _, k := range in[ft.ID] {
			if k == AllInput || slices.Contains(members, k) {
				out = append(out, ft)
				break
			}
		}
	}
	return out
}

// Members is every top-level member of the inventory that some finding
// rule reads, sorted; nil when a rule reads the inventory as a whole (so
// every member is needed).
func (e *Engine) Members() []string {
	var out []string
	for _, keys := range e.Inputs() {
		for _, k := range keys {
			if k == AllInput {
				return nil
			}
			if !slices.Contains(out, k) {
				out = append(out, k)
			}
		}
	}
	slices.Sort(out)
	return out
}
