package evaluator

import (
	"fmt"
	"sort"

	"github.com/open-policy-agent/opa/v1/ast"
)

// Streaming evaluation runs every policy package over chunks of one
// resource array at a time (the other arrays empty), instead of over the
// whole inventory at once, so memory stays bounded and chunks are evaluated
// in parallel. That gives the same findings only when every finding rule is
// a function of one element of one array (plus the small members such as
// collected_at): the union over chunks of "for each element, the findings
// it causes" is then the whole set. chunkable decides that from the
// compiled rules, conservatively: anything it cannot prove safe is not.
//
// A deny rule is safe when:
//   - its body iterates at most one resource array, at its top level (not
//     inside a comprehension or every), as input.ARRAY[i] with i used
//     nowhere else (an index would differ between a chunk and the whole);
//   - no other reference to a resource array appears in it or in any rule
//     or function it depends on (those would aggregate or join over the
//     whole array);
//   - neither it nor its dependencies read input as a whole, index input
//     with a variable, or use `with`.
//
// A rule that reads no resource array at all is safe too: it gives the same
// findings over every chunk, and sets keep one of each.

// chunkable reports whether every deny rule of the package pkg (e.g.
// openai.identity) is safe, and if not, which rule is not and why. A
// package that is not is evaluated once over the resource arrays it reads
// (arraysRead), while the others stream.
func chunkable(c *ast.Compiler, arrays map[string]bool, pkg string) (bool, string) {
	for _, name := range sortedModuleNames(c.Modules) {
		if c.Modules[name].Package.Path.String() != "data."+pkg {
			continue
		}
		for _, rule := range c.Modules[name].Rules {
			if rule.Head.Name.String() != FindingRule || len(rule.Head.Ref()) != 1 {
				continue
			}
			a := &analysis{c: c, arrays: arrays, visited: map[*ast.Rule]bool{}}
			if why := a.rule(rule); why != "" {
				return false, fmt.Sprintf("%s: %s", location(rule.Location), why)
			}
		}
	}
	return true, ""
}

type analysis struct {
	c       *ast.Compiler
	arrays  map[string]bool
	visited map[*ast.Rule]bool
	drivers int
	uses    map[ast.Var]int // variable occurrences in the rule being checked
}

// rule checks a deny rule: its own body may drive the iteration.
func (a *analysis) rule(r *ast.Rule) string {
	a.visited[r] = true
	a.uses = map[ast.Var]int{}
	ast.WalkVars(r, func(v ast.Var) bool {
		a.uses[v]++
		return false
	})
	if why := a.terms(r.Head.Args, false, false); why != "" {
		return why
	}
	for _, t := range []*ast.Term{r.Head.Key, r.Head.Value} {
		if why := a.term(t, false, false); why != "" {
			return why
		}
	}
	if why := a.body(r.Body, true, false); why != "" {
		return why
	}
	for e := r.Else; e != nil; e = e.Else {
		if why := a.dependency(e); why != "" {
			return why
		}
	}
	return ""
}

// dependency checks a rule or function a deny rule depends on: no resource
// array at all.
func (a *analysis) dependency(r *ast.Rule) string {
	if a.visited[r] {
		return ""
	}
	a.visited[r] = true
	for _, t := range append([]*ast.Term{r.Head.Key, r.Head.Value}, r.Head.Args...) {
		if why := a.term(t, false, true); why != "" {
			return why
		}
	}
	if why := a.body(r.Body, false, true); why != "" {
		return why
	}
	if r.Else != nil {
		return a.dependency(r.Else)
	}
	return ""
}

func (a *analysis) body(b ast.Body, top, dep bool) string {
	for _, expr := range b {
		if len(expr.With) > 0 {
			return "uses `with`"
		}
		var why string
		switch t := expr.Terms.(type) {
		case *ast.Term:
			why = a.term(t, top, dep)
		case []*ast.Term:
			why = a.terms(t, top, dep)
		case *ast.SomeDecl:
			why = a.terms(t.Symbols, top, dep)
		case *ast.Every:
			why = a.every(t, dep)
		}
		if why != "" {
			return why
		}
	}
	return ""
}

func (a *analysis) every(e *ast.Every, dep bool) string {
	for _, t := range []*ast.Term{e.Key, e.Value, e.Domain} {
		if why := a.term(t, false, dep); why != "" {
			return why
		}
	}
	return a.body(e.Body, false, dep)
}

func (a *analysis) terms(ts []*ast.Term, top, dep bool) string {
	for _, t := range ts {
		if why := a.term(t, top, dep); why != "" {
			return why
		}
	}
	return ""
}

// term checks one term; top is whether it stands at the top level of the
// deny rule's own body, dep whether it belongs to a dependency.
func (a *analysis) term(t *ast.Term, top, dep bool) string {
	if t == nil {
		return ""
	}
	switch v := t.Value.(type) {
	case ast.Ref:
		if why := a.ref(v, top, dep); why != "" {
			return why
		}
		for _, part := range v[1:] {
			if why := a.term(part, false, dep); why != "" {
				return why
			}
		}
	case ast.Call:
		if why := a.term(v[0], false, dep); why != "" {
			return why
		}
		return a.terms(v[1:], top, dep)
	case *ast.Array:
		for i := 0; i < v.Len(); i++ {
			if why := a.term(v.Elem(i), top, dep); why != "" {
				return why
			}
		}
	case ast.Object:
		var why string
		v.Foreach(func(k, val *ast.Term) {
			if why == "" {
				why = a.term(k, top, dep)
			}
			if why == "" {
				why = a.term(val, top, dep)
			}
		})
		return why
	case ast.Set:
		var why string
		v.Foreach(func(x *ast.Term) {
			if why == "" {
				why = a.term(x, top, dep)
			}
		})
		return why
	case *ast.ArrayComprehension:
		if why := a.term(v.Term, false, dep); why != "" {
			return why
		}
		return a.body(v.Body, false, dep)
	case *ast.SetComprehension:
		if why := a.term(v.Term, false, dep); why != "" {
			return why
		}
		return a.body(v.Body, false, dep)
	case *ast.ObjectComprehension:
		if why := a.term(v.Key, false, dep); why != "" {
			return why
		}
		if why := a.term(v.Value, false, dep); why != "" {
			return why
		}
		return a.body(v.Body, false, dep)
	}
	return ""
}

func (a *analysis) ref(r ast.Ref, top, dep bool) string {
	head := r[0].Value
	switch {
	case head.Compare(ast.InputRootDocument.Value) == 0:
		return a.inputRef(r, top, dep)
	case head.Compare(ast.DefaultRootDocument.Value) == 0:
		// Every rule under the constant part of the reference may be read:
		// data.x[k] may be any rule of data.x.
		prefix := r.ConstantPrefix()
		if len(prefix) < 2 {
			return fmt.Sprintf("refers to %v, which could be any rule", r)
		}
		rules := append(a.c.GetRules(prefix), a.c.GetRulesWithPrefix(prefix)...)
		for _, dep := range rules {
			if why := a.dependency(dep); why != "" {
				return fmt.Sprintf("depends on %s (%s), which %s", dep.Path(), location(dep.Location), why)
			}
		}
	}
	return ""
}

func (a *analysis) inputRef(r ast.Ref, top, dep bool) string {
	if len(r) < 2 {
		return "reads input as a whole"
	}
	key, ok := r[1].Value.(ast.String)
	if !ok {
		return fmt.Sprintf("indexes input with %v", r[1])
	}
	if !a.arrays[string(key)] {
		return "" // a small member, the same in every chunk
	}
	if dep {
		return fmt.Sprintf("reads input.%s", string(key))
	}
	if !top || len(r) < 3 {
		return fmt.Sprintf("reads input.%s other than by iterating its elements at the top of the rule", string(key))
	}
	idx, isVar := r[2].Value.(ast.Var)
	if !isVar || (!idx.IsWildcard() && a.uses[idx] != 1) {
		return fmt.Sprintf("uses the position of elements of input.%s", string(key))
	}
	a.drivers++
	if a.drivers > 1 {
		return "iterates more than one resource array, or one array twice"
	}
	return ""
}

// arraysRead lists the resource arrays the deny rules of pkg and every rule
// they depend on refer to; all is true when it cannot tell (input read as a
// whole, or indexed with a variable), and every array must be read.
func arraysRead(c *ast.Compiler, arrays map[string]bool, pkg string) (names []string, all bool) {
	seen := map[string]bool{}
	visited := map[*ast.Rule]bool{}
	var visit func(r *ast.Rule)
	visit = func(r *ast.Rule) {
		for ; r != nil && !visited[r]; r = r.Else {
			visited[r] = true
			ast.WalkRefs(r, func(ref ast.Ref) bool {
				switch {
				case ref[0].Value.Compare(ast.InputRootDocument.Value) == 0:
					if len(ref) < 2 {
						all = true
						return false
					}
					key, ok := ref[1].Value.(ast.String)
					if !ok {
						all = true
					} else if arrays[string(key)] {
						seen[string(key)] = true
					}
				case ref[0].Value.Compare(ast.DefaultRootDocument.Value) == 0:
					prefix := ref.ConstantPrefix()
					if len(prefix) < 2 {
						all = true
						return false
					}
					for _, dep := range append(c.GetRules(prefix), c.GetRulesWithPrefix(prefix)...) {
						visit(dep)
					}
				}
				return false
			})
		}
	}
	for _, name := range sortedModuleNames(c.Modules) {
		mod := c.Modules[name]
		if mod.Package.Path.String() != "data."+pkg {
			continue
		}
		for _, rule := range mod.Rules {
			if rule.Head.Name.String() == FindingRule && len(rule.Head.Ref()) == 1 {
				visit(rule)
			}
		}
	}
	for k := range seen {
		names = append(names, k)
	}
	sort.Strings(names)
	return names, all
}
