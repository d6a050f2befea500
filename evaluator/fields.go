package evaluator

import (
	"encoding/binary"
	"maps"
	"slices"
	"strings"

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
// It is one use of the analysis below (readsOf); the other is what the
// stream keeps of the elements joining packages read (projectionFor).
func (e *Engine) Paths() map[string][]string {
	out := map[string][]string{}
	for _, name := range sortedModuleNames(e.compiler.Modules) {
		for _, rule := range e.compiler.Modules[name].Rules {
			if !isFindingRule(rule) {
				continue
			}
			id := e.findingTypeOf(rule)
			if id == "" || (e.selected != nil && !e.selected[id]) {
				continue // --only and --skip leave it out
			}
			for _, p := range readsOf(e.compiler, rule).paths() {
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

// isFindingRule tells a package's finding rule (deny contains f if ...).
func isFindingRule(r *ast.Rule) bool {
	return r.Head.Name.String() == FindingRule && len(r.Head.Ref()) == 1
}

// wholeSuffix marks a path read as a whole value.
const wholeSuffix = ".*"

// inputPath is a place in the inventory: steps from the root, each a member by
// key or an element of a list (or a member by a key the analysis does not
// know). It is a string so that it can be a map key: an element is the
// byte elemStep, a member keyStep, the key's length (uvarint) and the key,
// so any key (one with dots, the empty one) reads back as it was.
type inputPath string

const (
	elemStep = '\x00'
	keyStep  = '\x01'
)

// rootPath is the inventory itself.
const rootPath inputPath = ""

func (p inputPath) member(key string) inputPath {
	var n [binary.MaxVarintLen64 + 1]byte
	n[0] = keyStep
	return p + inputPath(n[:1+binary.PutUvarint(n[1:], uint64(len(key)))]) + inputPath(key)
}

func (p inputPath) elem() inputPath { return p + inputPath(string(elemStep)) }

// isElem tells a path that ends with an element.
func (p inputPath) isElem() bool {
	elem := false
	p.walk(func(s pathStep) { elem = s.elem })
	return elem
}

// extends tells whether p lies below q.
func (p inputPath) extends(q inputPath) bool {
	return len(p) > len(q) && strings.HasPrefix(string(p), string(q))
}

// pathStep is one step of a path: an element, or a member by key.
type pathStep struct {
	elem bool
	key  string
}

func (p inputPath) steps() []pathStep {
	var out []pathStep
	p.walk(func(s pathStep) { out = append(out, s) })
	return out
}

// walk calls step with each step of p in turn.
func (p inputPath) walk(step func(pathStep)) {
	for s := string(p); s != ""; {
		if s[0] == elemStep {
			step(pathStep{elem: true})
			s = s[1:]
			continue
		}
		var n uint64
		w := 1
		for shift := 0; ; shift += 7 { // the key's length, a uvarint
			b := s[w]
			w++
			n |= uint64(b&0x7f) << shift
			if b < 0x80 {
				break
			}
		}
		step(pathStep{key: s[w : w+int(n)]})
		s = s[w+int(n):]
	}
}

// String is the path as Paths gives it: "projects[].api_keys[].owner.id".
func (p inputPath) String() string {
	var b strings.Builder
	for i, s := range p.steps() {
		switch {
		case s.elem || s.key == "": // as it always read: the empty key is a "[]"
			b.WriteString("[]")
		case i == 0:
			b.WriteString(s.key)
		default:
			b.WriteString("." + s.key)
		}
	}
	return b.String()
}

// reads is what the analysis found the rules it followed read of the
// inventory. Every path there is navigated (what is there: the list and
// its elements, the member) or read as a whole value (compared, passed to
// a built-in, put into a finding, a key looked up); seen are the values
// something sees as values (counted, typed, their members iterated, put
// into a set, matched as a collection), which a projection of list
// elements would change although nothing below them is read.
type reads struct {
	nav, whole, seen map[inputPath]bool
}

// paths is what Paths says of r.
func (r reads) paths() []string {
	if r.whole[rootPath] {
		return []string{AllInput}
	}
	var out []string
	for p := range r.whole {
		out = append(out, p.String()+wholeSuffix)
	}
	// A navigated path that another path extends, or that is read whole,
	// says nothing more.
	nav, whole := slices.Collect(maps.Keys(r.nav)), slices.Collect(maps.Keys(r.whole))
	for _, p := range nav {
		if !slices.ContainsFunc(nav, func(q inputPath) bool { return q.extends(p) }) &&
			!slices.ContainsFunc(whole, func(q inputPath) bool { return q == p || q.extends(p) }) {
			out = append(out, p.String())
		}
	}
	return slices.Compact(slices.Sorted(slices.Values(out)))
}

// readsOf follows the compiled rules from the finding rules roots through
// every rule and function they depend on (one fixpoint for all of them).
//
// The analysis follows values: a variable bound to an element of a list
// carries that list's path, rules and functions carry the paths of their
// values and arguments, comprehensions and partial sets the paths of their
// elements, two levels deep (an object of lists of elements), and
// array.concat those of its operands' elements. What
// it cannot follow is counted as read as a whole, so it can only over-state
// what a rule reads: a `with` modifier, a variable key into the
// inventory's root, a value unified with a pattern or put into a
// composite, a built-in's arguments (but count, type tests, which read only
// how many there are or what it is, object.get, which reads one member, and
// array.concat); and as seen where a value is observed as a value (see
// reads): among others, the members of a set that mixes elements of two
// arrays, or elements and other values (ofOneArray), and those of a set
// enumerated in an array comprehension (iterate).
func readsOf(c *ast.Compiler, roots ...*ast.Rule) reads {
	f := &readWalk{c: c, isIn: map[*ast.Rule]bool{}, isRoot: map[*ast.Rule]bool{}, values: map[*ast.Rule]*absVal{},
		params: map[*ast.Rule][]*absVal{},
		reads:  reads{nav: map[inputPath]bool{}, whole: map[inputPath]bool{}, seen: map[inputPath]bool{}}}
	for _, r := range roots {
		f.isRoot[r] = true
		f.reach(r)
	}
	for {
		f.changed = false
		// Only the marks of a pass made with the final values count: one
		// made earlier may say a set mixes values it does not (a definition
		// not analysed yet, ofOneArray).
		for _, set := range []map[inputPath]bool{f.reads.nav, f.reads.whole, f.reads.seen} {
			clear(set)
		}
		for i := 0; i < len(f.reached); i++ {
			f.analyse(f.reached[i])
		}
		if !f.changed {
			// The marks of the last pass, made with the final values, are
			// all there are.
			return f.reads
		}
	}
}

// absVal is what the analysis knows of a value: the inventory paths it may
// be (paths), the paths its elements or values may be when it is a
// collection built from the inventory (elems: a comprehension, a
// multi-value rule), and the paths the elements of those may be when they
// are collections built from the inventory in turn (inner: an object of
// lists of elements, {e: [u | ...] | ...}). Deeper collections are not
// followed: what they hold is seen.
//
// byValue says that the elems may be a set's members, and innerByValue the
// same of the inner collections: a set iterates its members in the order
// of their values, which a projection changes (see iterate).
type absVal struct {
	paths, elems, inner   map[inputPath]bool
	byValue, innerByValue bool
}

func addAll(dst *map[inputPath]bool, src map[inputPath]bool) bool {
	changed := false
	for p := range src {
		if *dst == nil {
			*dst = map[inputPath]bool{}
		}
		if !(*dst)[p] {
			(*dst)[p], changed = true, true
		}
	}
	return changed
}

func (v *absVal) add(o absVal) bool {
	changed := addAll(&v.paths, o.paths)
	changed = addAll(&v.elems, o.elems) || changed
	changed = addAll(&v.inner, o.inner) || changed
	if o.byValue && !v.byValue {
		v.byValue, changed = true, true
	}
	if o.innerByValue && !v.innerByValue {
		v.innerByValue, changed = true, true
	}
	return changed
}

// collected is the value of a collection whose elements may be x: what x
// is becomes its elems, what x holds its inner; what x's elements hold is
// deeper than the analysis follows, and counted as seen.
func (f *readWalk) collected(x absVal, byValue bool) absVal {
	f.markSeen(absVal{paths: x.inner})
	return absVal{elems: x.paths, inner: x.elems, byValue: byValue, innerByValue: x.byValue}
}

// oneArray tells a value that may only be elements of one resource array
// (users[]), or nothing from the inventory: elements that the projection
// keeps alike, so that two of them are equal exactly when the elements they
// come from are (see project.go). Elements of two arrays kept differently,
// or an element and some other value of the inventory, may be equal
// although their projections are not.
func oneArray(v absVal) bool {
	if len(v.elems) > 0 || len(v.inner) > 0 || len(v.paths) > 1 {
		return false
	}
	for p := range v.paths {
		s := p.steps()
		return len(s) == 2 && !s[0].elem && s[1].elem
	}
	return true
}

func (v *absVal) addPath(p inputPath) {
	if v.paths == nil {
		v.paths = map[inputPath]bool{}
	}
	v.paths[p] = true
}

func pathsOf(ps ...inputPath) absVal {
	v := absVal{paths: map[inputPath]bool{}}
	for _, p := range ps {
		v.paths[p] = true
	}
	return v
}

// collections is the part of v that may be a collection of elements: a
// collection built from the inventory, or a path that is not an element.
func (v absVal) collections() absVal {
	out := absVal{elems: v.elems}
	for p := range v.paths {
		if !p.isElem() {
			out.addPath(p)
		}
	}
	return out
}

// elements is the part of v that may be an element of a list.
func (v absVal) elements() absVal {
	out := absVal{}
	for p := range v.paths {
		if p.isElem() {
			out.addPath(p)
		}
	}
	return out
}

// readWalk is the fixpoint over the rules readsOf reaches.
type readWalk struct {
	c       *ast.Compiler
	reached []*ast.Rule
	isIn    map[*ast.Rule]bool
	isRoot  map[*ast.Rule]bool
	values  map[*ast.Rule]*absVal   // what each rule's value (or set element) may be
	params  map[*ast.Rule][]*absVal // what each function's arguments may be
	reads   reads
	changed bool // values, params or the rules reached grew in this pass
	// per rule, while it is analysed:
	env    map[ast.Var]*absVal
	met    map[ast.Var]bool // variables already bound before the expression at hand
	arrays int              // array comprehensions the expression at hand is in
}

func (f *readWalk) reach(r *ast.Rule) {
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

func mark(set map[inputPath]bool, v absVal) {
	for p := range v.paths {
		set[p] = true
	}
	for p := range v.elems {
		set[p] = true
	}
	for p := range v.inner {
		set[p] = true
	}
}

func (f *readWalk) markNav(v absVal)   { mark(f.reads.nav, v) }
func (f *readWalk) markWhole(v absVal) { mark(f.reads.whole, v) }
func (f *readWalk) markSeen(v absVal)  { mark(f.reads.seen, v) }

// giveUp is for what the analysis does not follow at all: the whole
// inventory is seen.
func (f *readWalk) giveUp() { f.markSeen(pathsOf(rootPath)) }

// analyse runs over one rule (an else branch is a rule of its own here),
// with what its arguments are known to be so far.
func (f *readWalk) analyse(r *ast.Rule) {
	f.env = map[ast.Var]*absVal{}
	f.met = map[ast.Var]bool{}
	for i, arg := range r.Head.Args {
		if v, ok := arg.Value.(ast.Var); ok {
			f.env[v] = &absVal{}
			f.env[v].add(*f.params[r][i])
			f.met[v] = true
		} else {
			f.markWhole(*f.params[r][i]) // a pattern matched against the argument
			f.term(arg)
		}
	}
	// The body's variables gain paths in order; a second pass covers
	// a variable used before the expression that binds it.
	for range 2 {
		clear(f.met)
		for _, arg := range r.Head.Args {
			if v, ok := arg.Value.(ast.Var); ok {
				f.met[v] = true
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
		if slices.ContainsFunc(r.Head.Ref()[1:], func(t *ast.Term) bool { return !t.IsGround() }) {
			// p[k] := v: an object whose values are v, looked up by
			// key.
			if !f.ofOneArray(r, head) {
				f.markSeen(head)
			}
		}
	case r.Head.Key != nil:
		head = f.term(r.Head.Key)
		if r.Head.RuleKind() == ast.MultiValue && !f.ofOneArray(r, head) {
			f.markSeen(head) // a set orders and deduplicates its members by value
		}
	}
	if f.isRoot[r] {
		f.markWhole(head) // the finding goes out as it is
	}
	if f.values[r].add(head) {
		f.changed = true
	}
}

// ofOneArray tells a partial set, or a partial object (p[k] := v), whose
// members or values, over all its definitions, may only be elements of one
// resource array, or lists or sets of them for an object (head is what r
// gives in this pass): compared by value (a set's members deduplicated, an
// object's values when a key repeats), those compare as the elements they
// come from (oneArray), so the rule is followed (iterating it, or a value
// of it, yields the elements) rather than seen. A definition that gives
// nothing from the inventory (a literal) mixes other values in.
func (f *readWalk) ofOneArray(r *ast.Rule, head absVal) bool {
	object := r.Head.Value != nil
	given := func(v absVal) bool { return len(v.paths) > 0 || (object && len(v.elems) > 0) }
	if !given(head) {
		return len(head.paths) == 0 && len(head.elems) == 0 && len(head.inner) == 0
	}
	all := absVal{}
	all.add(head)
	for _, x := range f.c.GetRules(r.Ref().GroundPrefix()) {
		if x == r {
			continue
		}
		if f.values[x] == nil || !given(*f.values[x]) {
			return false // values from elsewhere, or not known yet
		}
		all.add(*f.values[x])
	}
	if object {
		if len(all.inner) > 0 {
			return false
		}
		both := absVal{}
		both.add(absVal{paths: all.paths})
		both.add(absVal{paths: all.elems})
		return oneArray(both)
	}
	return oneArray(all)
}

func (f *readWalk) body(b ast.Body) {
	for _, e := range b {
		f.expr(e)
		ast.WalkVars(e, func(v ast.Var) bool {
			f.met[v] = true
			return false
		})
	}
}

func (f *readWalk) bind(v ast.Var, val absVal) {
	if f.env[v] == nil {
		f.env[v] = &absVal{}
	}
	f.env[v].add(val)
}

func (f *readWalk) expr(e *ast.Expr) {
	if len(e.With) > 0 {
		f.markWhole(pathsOf(rootPath)) // the document is replaced: give up
	}
	switch t := e.Terms.(type) {
	case *ast.Term:
		// Its value is tested for being false or undefined: what the list
		// or member it names is, not what other lists fill below it.
		f.markNav(f.term(t))
	case *ast.Every:
		dom := f.term(t.Domain)
		f.markNav(dom)
		f.markSeen(dom.elements()) // an element's members iterated
		if v, ok := t.Value.Value.(ast.Var); ok {
			f.bind(v, f.element(dom))
		} else {
			f.markSeen(dom)
		}
		if t.Key != nil {
			f.markSeen(f.term(t.Key))
		}
		f.body(t.Body)
	case *ast.SomeDecl:
		// Declarations only, once compiled.
		for _, s := range t.Symbols {
			f.markSeen(f.term(s))
		}
	case []*ast.Term:
		f.call(t)
	}
}

// element is what an element of val may be.
func (f *readWalk) element(val absVal) absVal {
	out := absVal{}
	for p := range val.paths {
		out.addPath(p.elem())
	}
	out.add(absVal{paths: val.elems, elems: val.inner, byValue: val.innerByValue})
	return out
}

func (f *readWalk) call(ts []*ast.Term) {
	op, args := ts[0], ts[1:]
	bound := func(t *ast.Term) (ast.Var, bool) {
		v, ok := t.Value.(ast.Var)
		return v, ok && !f.met[v]
	}
	ref, isRef := op.Value.(ast.Ref)
	if !isRef {
		f.giveUp()
	}
	switch op.String() {
	case ast.Equality.Name: // unification: binds a new variable, or compares
		if len(args) != 2 {
			f.giveUp()
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
			v := f.term(args[0])
			f.markNav(v)
			f.markSeen(v)
			for _, out := range args[1:] {
				f.markWhole(f.term(out))
			}
			return
		}
		f.giveUp()
	case ast.ArrayConcat.Name:
		// Its output holds the elements of both, in their order: a
		// collection of what they hold (a projection keeps both alike).
		if len(args) == 3 {
			if v, ok := bound(args[2]); ok {
				a, b := f.term(args[0]), f.term(args[1])
				f.markNav(a)
				f.markNav(b)
				out := f.element(a)
				out.add(f.element(b))
				f.bind(v, f.collected(out, false))
				return
			}
		}
	case ast.ObjectGet.Name:
		if len(args) >= 3 {
			f.objectGet(args, bound)
			return
		}
		f.giveUp()
	}
	if isRef && ref.HasPrefix(ast.DefaultRootRef) {
		if rules := f.c.GetRulesExact(ref); len(rules) > 0 {
			f.function(rules, args, bound)
			return
		}
		f.giveUp() // a function it cannot find
	}
	// A built-in (or what the analysis cannot follow): it reads its
	// arguments whole; its output, compared when already bound, is derived.
	for _, a := range args {
		f.markWhole(f.term(a))
	}
}

// objectGet is object.get(obj, key, default[, out]).
func (f *readWalk) objectGet(args []*ast.Term, bound func(*ast.Term) (ast.Var, bool)) {
	obj := f.term(args[0])
	f.markSeen(obj.collections()) // a member looked up in a collection
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
			p = p.member(k)
		}
		got.addPath(p)
	}
	for p := range obj.elems { // an element of a collection built from the inventory
		for _, k := range keys[min(1, len(keys)):] {
			p = p.member(k)
		}
		got.addPath(p)
	}
	if len(keys) == 1 { // a collection held by one: a list of elements
		got.add(absVal{elems: obj.inner, byValue: obj.innerByValue})
	} else {
		f.markSeen(absVal{paths: obj.inner})
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
}

func (f *readWalk) function(rules []*ast.Rule, args []*ast.Term, bound func(*ast.Term) (ast.Var, bool)) {
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
func (f *readWalk) term(t *ast.Term) absVal {
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
		f.giveUp()
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
		f.arrays++ // its body's order is the array's (iterate)
		f.body(v.Body)
		x := f.term(v.Term)
		f.arrays--
		return f.collected(x, false)
	case *ast.SetComprehension:
		f.body(v.Body)
		x := f.term(v.Term)
		if !oneArray(x) {
			f.markWhole(x) // set members are compared
			return absVal{}
		}
		return f.collected(x, true)
	case *ast.ObjectComprehension:
		f.body(v.Body)
		f.markWhole(f.term(v.Key))
		val := f.term(v.Value)
		// Values are compared when a key repeats: elements, or lists of
		// them, of more than one array are seen.
		if !oneArray(val.elements()) {
			f.markSeen(val.elements())
		}
		if !oneArray(absVal{paths: val.elems}) {
			f.markSeen(absVal{paths: val.elems})
		}
		return f.collected(val, false)
	}
	return absVal{}
}

// ref is what a reference may be.
func (f *readWalk) ref(r ast.Ref) absVal {
	var base absVal
	ops := r[1:]
	switch head := r[0].Value.(type) {
	case ast.Var:
		switch {
		case r[0].Equal(ast.InputRootDocument):
			if len(r) < 2 {
				f.markWhole(pathsOf(rootPath))
				return absVal{}
			}
			if _, ok := r[1].Value.(ast.String); !ok {
				f.markWhole(pathsOf(rootPath))
				return absVal{}
			}
			base = pathsOf(rootPath)
		case r[0].Equal(ast.DefaultRootDocument):
			return f.dataRef(r)
		default:
			if val := f.env[head]; val != nil {
				base = *val
			}
		}
	default:
		f.giveUp() // a reference into a value that is not a variable
		base = f.term(r[0])
	}
	return f.index(base, ops)
}

// index follows ops from val.
func (f *readWalk) index(val absVal, ops []*ast.Term) absVal {
	for _, op := range ops {
		s, isKey := op.Value.(ast.String)
		if !isKey {
			f.markWhole(f.term(op)) // a key looked up
		}
		next := absVal{}
		for p := range val.paths {
			if isKey {
				next.addPath(p.member(string(s)))
			} else {
				next.addPath(p.elem())
			}
		}
		if !isKey {
			f.iterate(val)
		}
		// An element of a collection built from the inventory.
		next.add(absVal{paths: val.elems, elems: val.inner, byValue: val.innerByValue})
		val = next
	}
	f.markNav(val)
	return val
}

// iterate notes that the elements of val are enumerated. A set of
// projected elements enumerates them in the order of the kept values, not
// of the elements they come from: inside an array comprehension that order
// becomes the array's, and anything may observe it (its first element, a
// position), so such elements are seen. Elsewhere the order of a body's
// solutions does not show: rules and comprehensions other than arrays
// collect them into sets and objects, and a complete rule's solutions must
// all agree.
func (f *readWalk) iterate(val absVal) {
	if f.arrays > 0 && val.byValue {
		f.markSeen(absVal{paths: val.elems})
	}
}

// dataRef is what a reference into the policies' own documents may be: the
// rules it names, and what follows them.
func (f *readWalk) dataRef(r ast.Ref) absVal {
	for _, t := range r[1:] {
		if _, ok := t.Value.(ast.String); !ok {
			f.markWhole(f.term(t)) // a key looked up, in base data too
		}
	}
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
			out.add(absVal{elems: val.paths, inner: val.elems, byValue: true, innerByValue: val.byValue})
		default:
			rest := r[len(doc):]
			if multi {
				rest = rest[1:] // a set member looked up (a key, above)
				f.iterate(absVal{elems: val.paths, byValue: true})
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
