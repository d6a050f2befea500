package evaluator

import (
	"encoding/binary"
	"hash/maphash"
	"slices"
	"strconv"
	"strings"

	"github.com/open-policy-agent/opa/v1/ast"
)

// Packages that do not stream are evaluated once, over whole resource
// arrays kept from the stream. Their rules usually read a few members of
// each element (a user's id, email and role), so the engine keeps only
// those: projection decides, from the compiled rules, which top-level
// members of each array's elements such a package can observe, and the
// kept elements hold just those (plus a fingerprint of the rest, below).
//
// The analysis follows where elements go: a variable bound to
// input.ARRAY[i] (or to a value of a rule or comprehension made of such
// elements, or to a function argument that is one) may only be read as
// elem.member or object.get(elem, "member", default) with a constant
// member name, passed to a user function (which is analysed in turn),
// collected into an array or used as the value of an object (whose
// values are then elements), or compared by its members. Anything else,
// anything it does not understand (an element passed to a built-in,
// compared, put into a set or into an object literal, iterated, input read
// as a whole or indexed with a variable, `with`), keeps the whole elements
// of the arrays involved: the results never depend on the projection.
//
// The fingerprint keeps equality exact: two kept elements are equal
// exactly when the elements they come from are (up to a 64-bit hash of the
// members left out), so an object built from elements conflicts, or not,
// as it would have. No rule can read it: a policy that names it keeps the
// whole elements.

// droppedKey holds the fingerprint of the members a projected element
// leaves out.
const droppedKey = "\x00casb:dropped"

// projection lists, for each resource array a package that does not
// stream reads, the members its elements keep; an array absent from it
// keeps whole elements.
type projection map[string]map[string]bool

// kinds are sets of resource arrays, one bit each (by index in the
// analysis): elem, values that may be an element of the array; coll,
// values that may be a collection (array or object values) of them.
type kinds struct{ elem, coll uint64 }

func (k kinds) any() bool { return k.elem|k.coll != 0 }

func (k kinds) or(o kinds) kinds { return kinds{k.elem | o.elem, k.coll | o.coll} }

type projector struct {
	c      *ast.Compiler
	index  map[string]int // resource array -> bit
	names  []string
	fields []map[string]bool
	whole  uint64 // arrays whose elements are kept whole
	memo   map[memoKey]kinds
	active map[memoKey]bool
}

type memoKey struct {
	r    *ast.Rule
	args string
}

// projectionFor analyses the deny rules of the packages pkgs (e.g.
// openai.identity) and everything they depend on.
func projectionFor(c *ast.Compiler, arrays []string, pkgs []string) projection {
	p := &projector{c: c, index: map[string]int{}, memo: map[memoKey]kinds{}, active: map[memoKey]bool{}}
	if len(arrays) > 64 {
		return nil // more arrays than bits: nothing is projected
	}
	for _, a := range arrays {
		p.index[a] = len(p.names)
		p.names = append(p.names, a)
		p.fields = append(p.fields, map[string]bool{})
	}
	for _, name := range sortedModuleNames(c.Modules) {
		mod := c.Modules[name]
		if !slices.Contains(pkgs, strings.TrimPrefix(mod.Package.Path.String(), "data.")) {
			continue
		}
		for _, rule := range mod.Rules {
			if rule.Head.Name.String() == FindingRule && len(rule.Head.Ref()) == 1 {
				p.rule(rule, nil)
			}
		}
	}
	out := projection{}
	for i, a := range p.names {
		if p.whole&(1<<i) != 0 {
			continue
		}
		if p.fields[i][droppedKey] {
			continue
		}
		out[a] = p.fields[i]
	}
	return out
}

// keepWhole gives up on the arrays of k.
func (p *projector) keepWhole(k kinds) { p.whole |= k.elem | k.coll }

func (p *projector) all() { p.keepWhole(kinds{elem: ^uint64(0)}) }

// read records that member m of the elements of the arrays in bits is read.
func (p *projector) read(bits uint64, m *ast.Term) {
	s, ok := m.Value.(ast.String)
	if !ok {
		p.keepWhole(kinds{elem: bits})
		return
	}
	for i := range p.names {
		if bits&(1<<i) != 0 {
			p.fields[i][string(s)] = true
		}
	}
}

// rule analyses one rule (and its else chain) with its arguments' kinds,
// returning the kinds of the document it defines.
func (p *projector) rule(r *ast.Rule, args []kinds) kinds {
	key := memoKey{r, argsKey(args)}
	if k, ok := p.memo[key]; ok {
		return k
	}
	if p.active[key] {
		return kinds{} // Rego refuses recursion; this is only a guard
	}
	p.active[key] = true
	defer delete(p.active, key)
	var out kinds
	params := r.Head.Args // else branches use the first head's names
	for ; r != nil; r = r.Else {
		vars := map[ast.Var]kinds{}
		for _, as := range []ast.Args{params, r.Head.Args} {
			for i, a := range as {
				var k kinds
				if i < len(args) {
					k = args[i]
				}
				if v, ok := a.Value.(ast.Var); ok {
					vars[v] = k
				} else if k.any() {
					p.keepWhole(k)
				}
			}
		}
		p.body(r.Body, vars)
		for _, part := range r.Head.Ref()[1:] {
			if k := p.term(part, vars); k.any() {
				p.keepWhole(k)
			}
		}
		switch {
		case r.Head.RuleKind() == ast.MultiValue:
			// A set of elements would order and deduplicate them by
			// value: keep them whole.
			p.keepWhole(p.term(r.Head.Key, vars))
		case !r.Head.Ref()[1:].IsGround():
			// p[k] := v: an object whose values may be elements.
			v := p.term(r.Head.Value, vars)
			p.keepWhole(kinds{coll: v.coll})
			out = out.or(kinds{coll: v.elem})
		default:
			out = out.or(p.term(r.Head.Value, vars))
		}
	}
	p.memo[key] = out
	return out
}

func argsKey(args []kinds) string {
	var b strings.Builder
	for _, a := range args {
		b.WriteString(strconv.FormatUint(a.elem, 16) + "/" + strconv.FormatUint(a.coll, 16) + ",")
	}
	return b.String()
}

// body analyses a body in order: the compiler has ordered it so that an
// expression binds a variable where it first occurs, and compares it after.
func (p *projector) body(b ast.Body, vars map[ast.Var]kinds) {
	for _, e := range b {
		p.expr(e, vars)
	}
}

// bind binds a variable met for the first time to a value of kinds k; a
// variable already bound is compared with the value instead, which
// compares elements whole.
func (p *projector) bind(vars map[ast.Var]kinds, v ast.Var, k kinds) {
	if old, bound := vars[v]; bound {
		if old.any() || k.any() {
			p.keepWhole(old.or(k))
		}
		return
	}
	vars[v] = k
}

func (p *projector) expr(e *ast.Expr, vars map[ast.Var]kinds) {
	if len(e.With) > 0 {
		p.all()
		return
	}
	switch t := e.Terms.(type) {
	case *ast.Term:
		// A value used as a condition: only false fails it, and a kept
		// element is an object as its original was.
		p.term(t, vars)
	case *ast.SomeDecl:
		for _, s := range t.Symbols {
			p.keepWhole(p.term(s, vars))
		}
	case *ast.Every:
		dom := p.term(t.Domain, vars)
		p.keepWhole(kinds{elem: dom.elem}) // iterating an element's members
		if v, ok := t.Value.Value.(ast.Var); ok {
			p.bind(vars, v, kinds{elem: dom.coll})
		} else {
			p.keepWhole(dom)
		}
		if t.Key != nil {
			p.keepWhole(p.term(t.Key, vars))
		}
		p.body(t.Body, vars)
	case []*ast.Term:
		p.call(t, vars)
	}
}

func (p *projector) call(ts []*ast.Term, vars map[ast.Var]kinds) {
	op, ok := ts[0].Value.(ast.Ref)
	if !ok {
		p.all()
		return
	}
	args := ts[1:]
	switch op.String() {
	case ast.Equality.Ref().String():
		if len(args) != 2 {
			p.all()
			return
		}
		a, b := args[0], args[1]
		if v, ok := a.Value.(ast.Var); ok {
			if _, bound := vars[v]; !bound {
				p.bind(vars, v, p.term(b, vars))
				return
			}
		}
		if v, ok := b.Value.(ast.Var); ok {
			if _, bound := vars[v]; !bound {
				p.bind(vars, v, p.term(a, vars))
				return
			}
		}
		// Two values compared (or a pattern matched): elements whole.
		p.keepWhole(p.term(a, vars).or(p.term(b, vars)))
		return
	case ast.ObjectGet.Ref().String():
		if len(args) < 3 {
			p.all()
			return
		}
		obj := p.term(args[0], vars)
		p.keepWhole(kinds{coll: obj.coll})
		if obj.elem != 0 {
			switch k := args[1].Value.(type) {
			case ast.String:
				p.read(obj.elem, args[1])
			case *ast.Array:
				if k.Len() == 0 {
					p.keepWhole(obj)
				} else {
					p.read(obj.elem, k.Elem(0))
				}
			default:
				p.keepWhole(obj)
			}
		}
		p.keepWhole(p.term(args[1], vars))
		def := p.term(args[2], vars)
		p.output(args[3:], def, vars)
		return
	}
	if op.HasPrefix(ast.DefaultRootRef) {
		rules := p.c.GetRulesExact(op)
		if len(rules) == 0 {
			p.all() // a function we cannot find
			return
		}
		arity := len(rules[0].Head.Args)
		argKinds := make([]kinds, arity)
		for i := 0; i < arity && i < len(args); i++ {
			argKinds[i] = p.term(args[i], vars)
		}
		var out kinds
		for _, r := range rules {
			out = out.or(p.rule(r, argKinds))
		}
		p.output(args[min(arity, len(args)):], out, vars)
		return
	}
	// A built-in: elements may not reach one (count, sort, equality, print
	// and the rest would see the projection). Its output is plain data.
	for _, a := range args {
		if v, ok := a.Value.(ast.Var); ok {
			if _, bound := vars[v]; !bound {
				vars[v] = kinds{}
				continue
			}
		}
		p.keepWhole(p.term(a, vars))
	}
}

// output binds the output argument of a call, if there is one, to a value
// of kinds k (or compares it, when it is already bound).
func (p *projector) output(rest []*ast.Term, k kinds, vars map[ast.Var]kinds) {
	if len(rest) == 0 {
		return
	}
	if v, ok := rest[0].Value.(ast.Var); ok {
		p.bind(vars, v, k)
		return
	}
	p.keepWhole(k.or(p.term(rest[0], vars)))
}

func isScalar(t *ast.Term) bool {
	switch t.Value.(type) {
	case ast.String, ast.Number, ast.Boolean, ast.Null:
		return true
	}
	return false
}

// term returns the kinds of a term's value, recording the members its
// references read.
func (p *projector) term(t *ast.Term, vars map[ast.Var]kinds) kinds {
	if t == nil {
		return kinds{}
	}
	switch v := t.Value.(type) {
	case ast.Var:
		return vars[v]
	case ast.Ref:
		return p.ref(v, vars)
	case *ast.ArrayComprehension:
		p.body(v.Body, vars)
		h := p.term(v.Term, vars)
		p.keepWhole(kinds{coll: h.coll})
		return kinds{coll: h.elem}
	case *ast.SetComprehension:
		p.body(v.Body, vars)
		p.keepWhole(p.term(v.Term, vars))
		return kinds{}
	case *ast.ObjectComprehension:
		p.body(v.Body, vars)
		p.keepWhole(p.term(v.Key, vars))
		val := p.term(v.Value, vars)
		p.keepWhole(kinds{coll: val.coll})
		return kinds{coll: val.elem}
	case *ast.Array:
		for i := 0; i < v.Len(); i++ {
			p.keepWhole(p.term(v.Elem(i), vars))
		}
	case ast.Object:
		v.Foreach(func(k, val *ast.Term) {
			p.keepWhole(p.term(k, vars))
			p.keepWhole(p.term(val, vars))
		})
	case ast.Set:
		v.Foreach(func(x *ast.Term) { p.keepWhole(p.term(x, vars)) })
	case ast.Call:
		p.all()
	}
	return kinds{}
}

// ref returns the kinds of a reference's value.
func (p *projector) ref(r ast.Ref, vars map[ast.Var]kinds) kinds {
	// Every index must be plain data: an element used as a key is kept.
	// An index variable met for the first time is bound by the lookup.
	for _, part := range r[1:] {
		if v, ok := part.Value.(ast.Var); ok {
			if _, bound := vars[v]; !bound {
				vars[v] = kinds{}
				continue
			}
		}
		p.keepWhole(p.term(part, vars))
	}
	switch {
	case r[0].Equal(ast.InputRootDocument):
		return p.inputRef(r)
	case r[0].Equal(ast.DefaultRootDocument):
	default:
		head, ok := r[0].Value.(ast.Var)
		if !ok {
			p.all()
			return kinds{}
		}
		return p.path(vars[head], r[1:])
	}
	rules := p.c.GetRulesForVirtualDocument(r)
	if len(rules) == 0 {
		// Base data (the config), or a subtree of rules read as a whole.
		prefix := r.ConstantPrefix()
		for _, dep := range p.c.GetRulesWithPrefix(prefix) {
			if len(dep.Head.Args) == 0 {
				p.keepWhole(p.rule(dep, nil))
			}
		}
		return kinds{}
	}
	var doc kinds
	for _, dep := range rules {
		if len(dep.Head.Args) > 0 {
			continue // a function named without a call
		}
		doc = doc.or(p.rule(dep, nil))
	}
	depth := len(rules[0].Module.Package.Path) + groundLen(rules[0].Head.Ref())
	if depth > len(r) {
		p.keepWhole(doc)
		return kinds{}
	}
	return p.path(doc, r[depth:])
}

// groundLen is how many terms of a rule's head reference are constant: its
// name (a variable term) and the constant parts after it.
func groundLen(r ast.Ref) int {
	for i, t := range r {
		if i > 0 && !t.IsGround() {
			return i
		}
	}
	return len(r)
}

// path follows the rest of a reference from a value of kinds k.
func (p *projector) path(k kinds, rest ast.Ref) kinds {
	if len(rest) == 0 {
		return k
	}
	if k.elem != 0 {
		p.read(k.elem, rest[0]) // elem.member...: a member's value, plain
	}
	if k.coll != 0 {
		// coll[i] is an element; coll[i].member... reads a member.
		if len(rest) == 1 {
			return kinds{elem: k.coll}
		}
		p.read(k.coll, rest[1])
	}
	return kinds{}
}

func (p *projector) inputRef(r ast.Ref) kinds {
	if len(r) < 2 {
		p.all() // input as a whole
		return kinds{}
	}
	key, ok := r[1].Value.(ast.String)
	if !ok {
		p.all()
		return kinds{}
	}
	i, ok := p.index[string(key)]
	if !ok {
		return kinds{} // a small member
	}
	return p.path(kinds{coll: 1 << i}, r[2:])
}

// projectAll projects the elements of array, in place.
func (proj projection) projectAll(array string, vals []*ast.Term) []*ast.Term {
	if _, ok := proj[array]; !ok {
		return vals
	}
	for i, t := range vals {
		vals[i] = proj.project(array, t)
	}
	return vals
}

// project keeps the members of an element that proj names for its array,
// with the fingerprint of the others. Elements of arrays it does not name,
// and values that are not objects, are kept as they are.
func (proj projection) project(array string, t *ast.Term) *ast.Term {
	keep, ok := proj[array]
	if !ok {
		return t
	}
	obj, ok := t.Value.(ast.Object)
	if !ok {
		return t
	}
	pairs := make([][2]*ast.Term, 0, len(keep)+1)
	var sum uint64
	var buf []byte
	obj.Foreach(func(k, v *ast.Term) {
		if s, ok := k.Value.(ast.String); ok && keep[string(s)] {
			// A copy: the parser allocates terms in slabs, and one term
			// kept from a slab keeps all of it, the element left out too.
			pairs = append(pairs, [2]*ast.Term{k, v.Copy()})
			return
		}
		var h uint64
		h, buf = memberHash(k, v, buf)
		sum += h
	})
	pairs = append(pairs, [2]*ast.Term{droppedTerm, ast.NewTerm(fingerprint(sum))})
	return ast.NewTerm(ast.NewObject(pairs...))
}

var droppedTerm = ast.StringTerm(droppedKey)

// fingerprintSeed is the seed of every fingerprint: they are compared only
// within one evaluation.
var fingerprintSeed = maphash.MakeSeed()

// memberHash hashes one member left out of an element, as JSON (object
// keys sorted); the fingerprint is the sum over the members, which does not
// depend on their order.
func memberHash(k, v *ast.Term, buf []byte) (uint64, []byte) {
	buf = buf[:0]
	var err error
	if buf, err = appendJSON(buf, k.Value); err != nil {
		buf = append(buf[:0], k.Value.String()...)
	}
	buf = append(buf, 0)
	n := len(buf)
	if buf, err = appendJSON(buf, v.Value); err != nil {
		buf = append(buf[:n], v.Value.String()...) // a set, or a key that is not a string
	}
	return maphash.Bytes(fingerprintSeed, buf), buf
}

func fingerprint(sum uint64) ast.Value {
	var h [8]byte
	binary.LittleEndian.PutUint64(h[:], sum)
	return ast.String(h[:])
}
