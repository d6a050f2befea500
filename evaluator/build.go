package evaluator

import (
	"encoding/json"

	"github.com/open-policy-agent/opa/v1/ast"

	"github.com/openai-casb/openai-casb/internal/jsonstream"
)

// termBuilder builds OPA terms for the inventory's fast parser, so that an
// element becomes a term in the same pass that parses and validates it,
// without a generic Go value in between. One builder serves one worker: it
// keeps the terms of object keys and enum values, which every element
// shares, and a slab it allocates terms from.
type termBuilder struct {
	shared map[string]*ast.Term
	pairs  [][2]*ast.Term
	slab   []ast.Term
}

func newTermBuilder() *termBuilder { return &termBuilder{shared: map[string]*ast.Term{}} }

var nullTerm = ast.NullTerm()

// term hands out a term from the slab: one allocation per 512 terms rather
// than one per value.
func (b *termBuilder) term(v ast.Value) *ast.Term {
	if len(b.slab) == 0 {
		b.slab = make([]ast.Term, 512)
	}
	t := &b.slab[0]
	b.slab = b.slab[1:]
	t.Value = v
	return t
}

func (b *termBuilder) Null() *ast.Term       { return nullTerm }
func (b *termBuilder) Bool(v bool) *ast.Term { return ast.InternedTerm(v) }

func (b *termBuilder) Number(lit []byte) *ast.Term {
	if len(lit) < 4 {
		if t := ast.InternedIntNumberTermFromString(string(lit)); t != nil {
			return t
		}
	}
	return b.term(ast.Number(lit))
}

func (b *termBuilder) String(s string) *ast.Term { return b.term(ast.String(s)) }

// Enum shares one term for every occurrence of a schema enum value.
func (b *termBuilder) Enum(s string) *ast.Term { return b.intern(s) }

func (b *termBuilder) intern(s string) *ast.Term {
	t, ok := b.shared[s]
	if !ok {
		t = ast.StringTerm(s)
		b.shared[s] = t
	}
	return t
}

func (b *termBuilder) Object(keys []string, vals []*ast.Term) *ast.Term {
	b.pairs = b.pairs[:0]
	for i, k := range keys {
		b.pairs = append(b.pairs, [2]*ast.Term{b.intern(k), vals[i]})
	}
	return b.term(ast.NewObject(b.pairs...))
}

func (b *termBuilder) Array(vals []*ast.Term) *ast.Term {
	return b.term(ast.NewArray(append([]*ast.Term(nil), vals...)...))
}

func (b *termBuilder) FromAny(v any) (*ast.Term, error) {
	val, err := ast.InterfaceToValue(v)
	if err != nil {
		return nil, err
	}
	return ast.NewTerm(val), nil
}

// toTerm converts a small top-level member.
func toTerm(v any) (*ast.Term, error) {
	if n, ok := v.(json.Number); ok {
		return ast.NumberTerm(n), nil
	}
	val, err := ast.InterfaceToValue(v)
	if err != nil {
		return nil, err
	}
	return ast.NewTerm(val), nil
}

// NewTermBuilder returns the builder the engine parses inventories with,
// for benchmarks of the parsing stage alone.
func NewTermBuilder() jsonstream.Builder[*ast.Term] { return newTermBuilder() }
