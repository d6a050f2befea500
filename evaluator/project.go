package evaluator

import (
	"encoding/binary"
	"hash/maphash"
	"slices"
	"strings"

	"github.com/open-policy-agent/opa/v1/ast"
)

// Packages that do not stream are evaluated once, over whole resource
// arrays kept from the stream. Their rules usually read a few members of
// each element (a user's id, email, role, whether banned or disabled), so
// the engine keeps only those: projection decides, from what the compiled
// rules of such packages read (readsOf, the analysis Paths makes), which
// top-level members of each array's elements they can observe, and the
// kept elements hold just those (plus a fingerprint of the rest, below).
//
// An element keeps member m when a path below it reads m
// (users[].email, users[].owner.id), also when the element is reached
// through a list or a set of elements, or an object of such lists
// (identity's users_by_email, tools_agents' active_projects); it is kept
// whole when anything reads or sees it, or the array, as a value (passes it
// to a built-in, count included, compares it, puts it into a finding or a
// literal, iterates its members, enumerates a set of such elements in an
// array, whose order would be the kept values'), reads a member by a key it
// does not know, or reads the fingerprint's own member; and every array is
// kept whole when input is read as a whole, `with` is used, or the analysis
// meets something it does not follow: the results never depend on the
// projection.
//
// The fingerprint keeps equality exact: two kept elements of one array are
// equal exactly when the elements they come from are (up to a 64-bit hash
// of the members left out). Both keep the same members, so they are equal
// when those are equal and so are their fingerprints, the sums of the
// hashes of the members left out, which are equal when those members are.
// So an object built from elements conflicts, or not, as it would have, and
// a set of elements of one array holds as many members as it would have:
// iterating it yields the same elements, membership (x in s, with x kept
// alike) answers the same, and two such sets are equal when theirs would
// be. Only the order differs: a set iterates by value, and a kept value
// sorts otherwise (readsOf keeps such elements whole where that order could
// show). Elements of two arrays (kept differently), or an element and a
// value not kept (a literal), can be equal while their projections are
// not: readsOf follows a set only when its members may only be elements of
// one array. No rule can read the fingerprint: a policy that names it
// keeps the whole elements.

// droppedKey holds the fingerprint of the members a projected element
// leaves out.
const droppedKey = "\x00casb:dropped"

// projection lists, for each resource array a package that does not
// stream reads, the members its elements keep; an array absent from it
// keeps whole elements.
type projection map[string]map[string]bool

// projectionFor analyses the deny rules of the packages pkgs (e.g.
// openai.identity) and everything they depend on, together.
func projectionFor(c *ast.Compiler, arrays []string, pkgs []string) projection {
	var roots []*ast.Rule
	for _, name := range sortedModuleNames(c.Modules) {
		mod := c.Modules[name]
		if !slices.Contains(pkgs, strings.TrimPrefix(mod.Package.Path.String(), "data.")) {
			continue
		}
		for _, rule := range mod.Rules {
			if isFindingRule(rule) {
				roots = append(roots, rule)
			}
		}
	}
	return readsOf(c, roots...).projection(arrays)
}

// projection is what r says of the elements of arrays.
func (r reads) projection(arrays []string) projection {
	out := projection{}
	if r.whole[rootPath] || r.seen[rootPath] {
		return out
	}
	for _, a := range arrays {
		out[a] = map[string]bool{}
	}
	whole := map[string]bool{}
	for _, set := range []struct {
		paths   map[inputPath]bool
		asValue bool
	}{{r.nav, false}, {r.whole, true}, {r.seen, true}} {
		for p := range set.paths {
			s := p.steps()
			if len(s) == 0 || s[0].elem || out[s[0].key] == nil {
				continue // not a resource array
			}
			a := s[0].key
			switch {
			case len(s) <= 2: // the array, or an element (s[1]: any index)
				if set.asValue {
					whole[a] = true
				}
			case s[2].elem: // a member by a key it does not know
				whole[a] = true
			default:
				out[a][s[2].key] = true
			}
		}
	}
	for a, keep := range out {
		if whole[a] || keep[droppedKey] {
			delete(out, a)
		}
	}
	return out
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
