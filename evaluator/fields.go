package evaluator

import (
	"maps"
	"slices"
	"strings"

	"github.com/samber/lo"

	"github.com/open-policy-agent/opa/v1/ast"
)

// Paths tells, for every finding type of the compiled policies, which
// paths of the inventory its deny rule reads, itself or through the rules
// and functions it depends on (transitively, user policies included), below
// the top level: e.g. "projects[].status", "projects[].api_keys[].owner.id".
// A path names members by key and elements of a list (or values of an
// object read with a variable key) by "[]". A path ending in ".*" is read
// as a whole value (compared, passed to a built-in, put into a finding):
// everything below it counts as read; AllInput ("*") is the whole
// inventory. Other paths are navigated: what is there (the list and its
// elements, the member) is read, not what lies further below. Paths are
// sorted; finding types left out by Options.Only and Skip read nothing.
//
// The analysis follows the compiled rules: a variable bound to an element
// of a list carries that list's path, rules and functions carry the paths
// of their values and arguments, comprehensions the paths of their
// elements. What it cannot follow is counted as read as a whole, so it can
// only over-state what a rule reads: a `with` modifier, a variable key into
// the inventory's root, a value unified with a pattern or put into a
// composite, a built-in's arguments (but count, which reads only how many
// there are, and object.get, which reads one member).
func (e *Engine) Paths() map[string][]string {
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
			f := newFieldWalk(e.compiler)
			f.run(rule)
			for _, p := range f.result() {
				if !slices.Contains(out[id], p) {
					out[id] = append(out[id], p)
				}
			}
			slices.Sort(out[id])
		}
	}
	return out
}

// NeededPaths is every path of the inventory that some finding rule reads
// (see Paths), sorted and without repeats: what a collection must fill for
// the enabled policies (inventory.SourcesReading).
func (e *Engine) NeededPaths() []string {
	var out []string
	for _, ps := range e.Paths() {
		for _, p := range ps {
			if !slices.Contains(out, p) {
				out = append(out, p)
			}
		}
	}
	slices.Sort(out)
	return out
}

// wholeSuffix marks a path read as a whole value.
const wholeSuffix = ".*"

// absVal is what the analysis knows of a value: the inventory paths it may
// be (paths), and the paths its elements or values may be when it is a
// collection built from the inventory (elems: a comprehension, a
// multi-value rule).
type absVal struct {
	paths map[string]bool
	elems map[string]bool
}

func (v absVal) empty() bool { return len(v.paths) == 0 && len(v.elems) == 0 }

func (v *absVal) add(o absVal) bool {
	changed := false
	for p := range o.paths {
		if v.paths == nil {
			v.paths = map[string]bool{}
		}
		if !v.paths[p] {
			v.paths[p], changed = true, true
		}
	}
	for p := range o.elems {
		if v.elems == nil {
			v.elems = map[string]bool{}
		}
		if !v.elems[p] {
			v.elems[p], changed = true, true
		}
	}
	return changed
}

func pathsOf(ps ...string) absVal {
	v := absVal{paths: map[string]bool{}}
	for _, p := range ps {
		v.paths[p] = true
	}
	return v
}

// step is path p followed by a member key ("" for an element, "[]").
func step(p, key string) string {
	switch {
	case key == "":
		return p + "[]"
	case p == "":
		return key
	default:
		return p + "." + key
	}
}

// fieldWalk is the analysis of one finding rule: a fixpoint over the rules
// it reaches.
type fieldWalk struct {
	c       *ast.Compiler
	reached []*ast.Rule
	isIn    map[*ast.Rule]bool
	values  map[*ast.Rule]*absVal   // what each rule's value (or set element) may be
	params  map[*ast.Rule][]*absVal // what each function's arguments may be
	nav     map[string]bool         // paths navigated
	whole   map[string]bool         // paths read as a whole
	changed bool
	// per rule, while it is analysed:
	env  map[ast.Var]*absVal
	seen map[ast.Var]bool // variables already bound before the expression at hand
}

func newFieldWalk(c *ast.Compiler) *fieldWalk {
	return &fieldWalk{c: c, isIn: map[*ast.Rule]bool{}, values: map[*ast.Rule]*absVal{},
		params: map[*ast.Rule][]*absVal{}, nav: map[string]bool{}, whole: map[string]bool{}}
}

func (f *fieldWalk) run(finding *ast.Rule) {
	f.reach(finding)
	for {
		f.changed = false
		for i := 0; i < len(f.reached); i++ {
			f.analyse(f.reached[i], f.reached[i] == finding)
		}
		if !f.changed {
			return
		}
	}
}

func (f *fieldWalk) result() []string {
	if f.whole[""] {
		return []string{AllInput}
	}
	out := slices.Collect(maps.Keys(f.nav))
	for p := range f.whole {
		out = append(out, p+wholeSuffix)
	}
	// A navigated path that another path extends says nothing more.
	return slices.Sorted(slices.Values(lo.Filter(out, func(p string, _ int) bool {
		return strings.HasSuffix(p, wholeSuffix) || !slices.ContainsFunc(out, func(q string) bool {
			return strings.HasPrefix(q, p+".") || strings.HasPrefix(q, p+"[")
		})
	})))
}

func (f *fieldWalk) reach(r *ast.Rule) {
	for ; r != nil; r = r.Else {
		if !f.isIn[r] {
			f.isIn[r] = true
			f.reached = append(f.reached, r)
			f.values[r] = &absVal{}
			f.params[r] = make([]*absVal, len(r.Head.Args))
			for i := range r.Head.Args {
				f.params[r][i] = &absVal{}
			}
			f.changed = true
		}
	}
}

func (f *fieldWalk) markNav(v absVal) {
	for p := range v.paths {
		if !f.nav[p] {
			f.nav[p], f.changed = true, true
		}
	}
	for p := range v.elems {
		if !f.nav[p] {
			f.nav[p], f.changed = true, true
		}
	}
}

func (f *fieldWalk) markWhole(v absVal) {
	for _, set := range []map[string]bool{v.paths, v.elems} {
		for p := range set {
			if !f.whole[p] {
				f.whole[p], f.changed = true, true
			}
		}
	}
}

// analyse runs over one rule (an else branch is a rule of its own here),
// with what its arguments are known to be so far.
func (f *fieldWalk) analyse(r *ast.Rule, finding bool) {
	f.env = map[ast.Var]*absVal{}
	f.seen = map[ast.Var]bool{}
	for i, arg := range r.Head.Args {
		if v, ok := arg.Value.(ast.Var); ok {
			f.env[v] = &absVal{}
			f.env[v].add(*f.params[r][i])
			f.seen[v] = true
		} else {
			f.markWhole(*f.params[r][i]) // a pattern matched against the argument
			f.term(arg)
		}
	}
	// The body's variables gain paths in order; a second pass covers
	// a variable used before the expression that binds it.
	for range 2 {
		clear(f.seen)
		for _, arg := range r.Head.Args {
			if v, ok := arg.Value.(ast.Var); ok {
				f.seen[v] = true
			}
		}
		f.body(r.Body)
	}
	// The head: variables in a ref head are keys of the document.
	for _, t := range r.Head.Ref()[1:] {
		if _, ok := t.Value.(ast.String); !ok {
			f.markWhole(f.term(t))
		}
	}
	var head absVal
	switch {
	case r.Head.Value != nil:
		head = f.term(r.Head.Value)
	case r.Head.Key != nil:
		head = f.term(r.Head.Key)
	}
	if finding {
		f.markWhole(head) // the finding goes out as it is
		return
	}
	if f.values[r].add(head) {
		f.changed = true
	}
}

func (f *fieldWalk) body(b ast.Body) {
	for _, e := range b {
		f.expr(e)
		ast.WalkVars(e, func(v ast.Var) bool {
			f.seen[v] = true
			return false
		})
	}
}

func (f *fieldWalk) bind(v ast.Var, val absVal) {
	if f.env[v] == nil {
		f.env[v] = &absVal{}
	}
	f.env[v].add(val)
}

func (f *fieldWalk) expr(e *ast.Expr) {
	if len(e.With) > 0 {
		f.markWhole(pathsOf("")) // the document is replaced: give up
	}
	switch t := e.Terms.(type) {
	case *ast.Term:
		// Its value is tested for being false or undefined: what the list
		// or member it names is, not what other lists fill below it.
		f.markNav(f.term(t))
	case *ast.Every:
		dom := f.term(t.Domain)
		f.markNav(dom)
		if v, ok := t.Value.Value.(ast.Var); ok {
			f.bind(v, f.element(dom))
		}
		f.body(t.Body)
	case *ast.SomeDecl:
		// Declarations only, once compiled.
	case []*ast.Term:
		f.call(t)
	}
}

// element is what an element of val may be.
func (f *fieldWalk) element(val absVal) absVal {
	out := absVal{}
	for p := range val.paths {
		out.add(pathsOf(step(p, "")))
	}
	out.add(absVal{paths: val.elems})
	return out
}

func (f *fieldWalk) call(ts []*ast.Term) {
	op, args := ts[0], ts[1:]
	name := op.String()
	bound := func(t *ast.Term) (ast.Var, bool) {
		v, ok := t.Value.(ast.Var)
		return v, ok && !f.seen[v]
	}
	switch name {
	case ast.Equality.Name: // unification: binds a new variable, or compares
		if len(args) != 2 {
			break
		}
		a, b := args[0], args[1]
		if v, ok := bound(a); ok && !isComposite(b) {
			f.bind(v, f.term(b))
			return
		}
		if v, ok := bound(b); ok && !isComposite(a) {
			f.bind(v, f.term(a))
			return
		}
	case ast.Count.Name, ast.IsObject.Name, ast.IsString.Name, ast.IsArray.Name, ast.IsSet.Name, ast.IsNumber.Name,
		ast.IsBoolean.Name, ast.IsNull.Name, ast.TypeNameBuiltin.Name:
		// How many there are, or what type it is: the list or member
		// itself, not what lies below it.
		if len(args) >= 1 {
			f.markNav(f.term(args[0]))
			for _, out := range args[1:] {
				f.markWhole(f.term(out))
			}
			return
		}
	case ast.ObjectGet.Name:
		if len(args) >= 3 {
			obj := f.term(args[0])
			var keys []string
			switch k := args[1].Value.(type) {
			case ast.String:
				keys = []string{string(k)}
			case *ast.Array:
				for i := range k.Len() {
					s, ok := k.Elem(i).Value.(ast.String)
					if !ok {
						keys = nil
						break
					}
					keys = append(keys, string(s))
				}
			}
			if keys == nil {
				f.markWhole(obj)
				f.markWhole(f.term(args[1]))
			}
			got := absVal{}
			for p := range obj.paths {
				for _, k := range keys {
					p = step(p, k)
				}
				got.add(pathsOf(p))
			}
			for p := range obj.elems { // an element of a collection built from the inventory
				for _, k := range keys[min(1, len(keys)):] {
					p = step(p, k)
				}
				got.add(pathsOf(p))
			}
			f.markNav(got)
			f.markWhole(f.term(args[2]))
			if len(args) == 4 {
				if v, ok := bound(args[3]); ok {
					f.bind(v, got)
				} else {
					f.markWhole(got)
					f.markWhole(f.term(args[3]))
				}
			}
			return
		}
	}
	if ref, ok := op.Value.(ast.Ref); ok && ref.HasPrefix(ast.DefaultRootRef) {
		if rules := f.c.GetRulesExact(ref); len(rules) > 0 {
			f.function(rules, args, bound)
			return
		}
	}
	// A built-in (or what the analysis cannot follow): it reads its
	// arguments whole; its output, compared when already bound, is derived.
	for _, a := range args {
		f.markWhole(f.term(a))
	}
}

func (f *fieldWalk) function(rules []*ast.Rule, args []*ast.Term, bound func(*ast.Term) (ast.Var, bool)) {
	n := len(rules[0].Head.Args)
	vals := make([]absVal, len(args))
	for i, a := range args {
		vals[i] = f.term(a)
	}
	result := absVal{}
	for _, r := range rules {
		f.reach(r)
		for ; r != nil; r = r.Else {
			for i := range min(n, len(args), len(f.params[r])) {
				if f.params[r][i].add(vals[i]) {
					f.changed = true
				}
			}
			result.add(*f.values[r])
		}
	}
	if len(args) > n {
		if v, ok := bound(args[n]); ok {
			f.bind(v, result)
		} else {
			f.markWhole(result)
			f.markWhole(vals[n])
		}
	}
}

func isComposite(t *ast.Term) bool {
	switch t.Value.(type) {
	case *ast.Array, ast.Object, ast.Set:
		return true
	}
	return false
}

// term is what a term's value may be, marking what evaluating it reads.
func (f *fieldWalk) term(t *ast.Term) absVal {
	switch v := t.Value.(type) {
	case ast.Var:
		if val := f.env[v]; val != nil {
			return *val
		}
		return absVal{}
	case ast.Ref:
		return f.ref(v)
	case ast.Call:
		f.call(v)
		return absVal{}
	case *ast.Array:
		for i := range v.Len() {
			f.markWhole(f.term(v.Elem(i)))
		}
	case ast.Object:
		v.Foreach(func(k, x *ast.Term) {
			f.markWhole(f.term(k))
			f.markWhole(f.term(x))
		})
	case ast.Set:
		v.Foreach(func(x *ast.Term) { f.markWhole(f.term(x)) })
	case *ast.ArrayComprehension:
		f.body(v.Body)
		return absVal{elems: f.term(v.Term).paths}
	case *ast.SetComprehension:
		f.body(v.Body)
		f.markWhole(f.term(v.Term)) // set members are compared
		return absVal{}
	case *ast.ObjectComprehension:
		f.body(v.Body)
		f.markWhole(f.term(v.Key))
		val := f.term(v.Value)
		return absVal{elems: val.paths}
	}
	return absVal{}
}

// ref is what a reference may be.
func (f *fieldWalk) ref(r ast.Ref) absVal {
	var base absVal
	ops := r[1:]
	switch head := r[0].Value.(type) {
	case ast.Var:
		switch {
		case r[0].Equal(ast.InputRootDocument):
			if len(r) < 2 {
				f.markWhole(pathsOf(""))
				return absVal{}
			}
			if _, ok := r[1].Value.(ast.String); !ok {
				f.markWhole(pathsOf(""))
				return absVal{}
			}
			base = pathsOf("")
		case r[0].Equal(ast.DefaultRootDocument):
			return f.dataRef(r)
		default:
			if val := f.env[head]; val != nil {
				base = *val
			}
		}
	default:
		base = f.term(r[0])
	}
	return f.index(base, ops)
}

// index follows ops from val.
func (f *fieldWalk) index(val absVal, ops []*ast.Term) absVal {
	for _, op := range ops {
		key := ""
		if s, ok := op.Value.(ast.String); ok {
			key = string(s)
		} else {
			f.markWhole(f.term(op)) // a key looked up
		}
		next := absVal{}
		for p := range val.paths {
			next.add(pathsOf(step(p, key)))
		}
		next.add(absVal{paths: val.elems}) // an element of a collection built from the inventory
		val = next
	}
	f.markNav(val)
	return val
}

// dataRef is what a reference into the policies' own documents may be: the
// rules it names, and what follows them.
func (f *fieldWalk) dataRef(r ast.Ref) absVal {
	rules := f.c.GetRules(r.ConstantPrefix())
	out := absVal{}
	for _, rule := range rules {
		if len(rule.Head.Args) > 0 {
			continue // a function, called elsewhere
		}
		f.reach(rule)
		doc := rule.Ref()
		multi := rule.Head.RuleKind() == ast.MultiValue
		val := absVal{}
		for x := rule; x != nil; x = x.Else {
			val.add(*f.values[x])
		}
		switch {
		case len(r) < len(doc):
			f.markWhole(val) // a whole package or part of one
		case len(r) == len(doc) && multi:
			out.add(absVal{elems: val.paths})
		default:
			rest := r[len(doc):]
			for _, t := range r[:len(doc)] {
				if _, ok := t.Value.(ast.String); !ok && !t.IsGround() {
					f.markWhole(f.term(t))
				}
			}
			if multi {
				f.markWhole(f.term(rest[0])) // a set member looked up
				rest = rest[1:]
			}
			if len(rest) == 0 {
				out.add(val)
			} else {
				out.add(f.index(val, rest))
			}
		}
	}
	return out
}
