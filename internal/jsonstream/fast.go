package jsonstream

import (
	"bytes"
	"encoding/json"
	"io"
	"slices"
	"strconv"
	"unicode/utf8"

	"github.com/go-json-experiment/json/jsontext"
)

// Builder makes the caller's values (OPA terms, generic Go values) out of
// JSON as the fast parser reads it, so that an element is parsed,
// validated and built in one pass. Slices passed to Object and Array are
// only valid during the call.
type Builder[V any] interface {
	Null() V
	Bool(b bool) V
	// Number gets a JSON number literal, already checked.
	Number(literal []byte) V
	String(s string) V
	// Enum gets a string that is one of the schema's enum values; s is the
	// schema's own copy, the same for every occurrence.
	Enum(s string) V
	Object(keys []string, vals []V) V
	Array(vals []V) V
	// FromAny converts a value encoding/json decoded (with json.Number):
	// the path of elements the fast parser was not sure of.
	FromAny(v any) (V, error)
}

// elementOptions read one element the splitter has cut out: its syntax is
// valid, but its names are checked here (the splitter leaves that to the
// workers, which run in parallel): object does it, and a duplicate makes
// the fast path give up so that the slow path reports it. jsontext's own
// check is off because it hashes every name into a namespace per object,
// which object's bit set of the schema's properties does for less (0.42 s
// of CPU at a million users). Invalid UTF-8 is refused here, so the fast
// path gives up and the slow path reads it as encoding/json does (see
// str); jsontext checks it while it scans a string anyway.
var elementOptions = []jsontext.Options{jsontext.AllowDuplicateNames(true)}

// parser parses one element under a fast schema node, token by token with
// jsontext. ok false means "not certain": the element may be invalid, or
// use something the fast path does not handle; the caller then asks the
// library.
type parser[V any] struct {
	b     Builder[V]
	dec   *jsontext.Decoder
	in    bytes.Reader
	keys  []string // scratch stacks, reused across objects
	vals  []V
	items []V
	lit   []byte // the raw literal of the last string read
}

// parse reads raw, all of it, as one value under node n.
func (p *parser[V]) parse(n *fastNode, raw []byte) (V, bool) {
	p.reset(raw)
	v, ok := p.value(n)
	if !ok {
		var zero V
		return zero, false
	}
	if _, err := p.dec.ReadToken(); err != io.EOF {
		var zero V
		return zero, false
	}
	return v, true
}

// reset points the parser at the next element. An element the fast path
// gave up on leaves partial values on the scratch stacks; they are dropped
// here (and their references cleared) so that they do not pile up, or keep
// the builder's values alive, for the rest of the stream.
func (p *parser[V]) reset(raw []byte) {
	p.in.Reset(raw)
	if p.dec == nil {
		p.dec = jsontext.NewDecoder(&p.in, elementOptions...)
	} else {
		p.dec.Reset(&p.in, elementOptions...)
	}
	if len(p.keys)+len(p.vals)+len(p.items) > 0 {
		clear(p.vals)
		clear(p.items)
		p.keys, p.vals, p.items = p.keys[:0], p.vals[:0], p.items[:0]
	}
}

// value parses the next value under node n.
func (p *parser[V]) value(n *fastNode) (V, bool) {
	var zero V
	if n.unsupported {
		return zero, false
	}
	switch p.dec.PeekKind() {
	case '{':
		if n.types&typeObject == 0 || n.enumOnly {
			return zero, false
		}
		return p.object(n)
	case '[':
		if n.types&typeArray == 0 || n.enumOnly {
			return zero, false
		}
		return p.array(n)
	case '"':
		if n.types&typeString == 0 {
			return zero, false
		}
		s, ok := p.str()
		if !ok {
			return zero, false
		}
		if n.enumOnly {
			e, ok := n.enumValue(s)
			if !ok {
				return zero, false
			}
			return p.b.Enum(e), true
		}
		if n.minLength > 0 && utf8.RuneCountInString(s) < n.minLength {
			return zero, false
		}
		return p.b.String(s), true
	case 't', 'f':
		if n.types&typeBoolean == 0 || n.enumOnly {
			return zero, false
		}
		tok, err := p.dec.ReadToken()
		if err != nil {
			return zero, false
		}
		return p.b.Bool(tok.Bool()), true
	case 'n':
		if n.enumOnly && !n.hasNullEnum || !n.enumOnly && n.types&typeNull == 0 {
			return zero, false
		}
		if _, err := p.dec.ReadToken(); err != nil {
			return zero, false
		}
		return p.b.Null(), true
	case '0':
		if n.types&(typeNumber|typeInteger) == 0 || n.enumOnly {
			return zero, false
		}
		return p.number(n)
	}
	return zero, false
}

// number reads a JSON number. Integers are checked against the bounds;
// anything with a fraction or exponent where an integer is wanted, or out
// of int64, goes to the library (JSON Schema counts 1.0 as an integer).
func (p *parser[V]) number(n *fastNode) (V, bool) {
	var zero V
	lit, err := p.dec.ReadValue()
	if err != nil {
		return zero, false
	}
	integer := bytes.IndexAny(lit, ".eE") < 0
	needInt := n.types&typeNumber == 0
	if (needInt || n.minimum != nil || n.maximum != nil) && !integer {
		return zero, false
	}
	if n.minimum != nil || n.maximum != nil {
		v, err := strconv.ParseInt(string(lit), 10, 64)
		if err != nil {
			return zero, false
		}
		if n.minimum != nil && v < *n.minimum || n.maximum != nil && v > *n.maximum {
			return zero, false
		}
	}
	return p.b.Number(lit), true
}

// str reads a string value. Plain strings (no escapes) are copied out of
// the element; others are unquoted by encoding/json itself so that every
// edge case (lone surrogates) reads exactly as it does there.
func (p *parser[V]) str() (string, bool) {
	raw, plain, ok := p.literal()
	if !ok {
		return "", false
	}
	if plain {
		return string(raw), true
	}
	return unquote(p.lit)
}

// literal reads a string and returns its bytes between the quotes, and
// whether they are the string itself (no escapes: jsontext has checked the
// UTF-8). The bytes are only valid until the next read.
func (p *parser[V]) literal() (raw []byte, plain, ok bool) {
	lit, err := p.dec.ReadValue()
	if err != nil || len(lit) < 2 || lit[0] != '"' {
		return nil, false, false
	}
	p.lit = lit
	raw = lit[1 : len(lit)-1]
	return raw, bytes.IndexByte(raw, '\\') < 0, true
}

func unquote(lit []byte) (string, bool) {
	var s string
	if err := json.Unmarshal(lit, &s); err != nil {
		return "", false
	}
	return s, true
}

// manyNames is how many names of an object without a schema are compared
// one by one for duplicates before a set is worth building.
const manyNames = 16

func (p *parser[V]) object(n *fastNode) (V, bool) {
	var zero V
	if len(n.propNames) > 64 {
		return zero, false
	}
	if _, err := p.dec.ReadToken(); err != nil { // {
		return zero, false
	}
	base := len(p.keys)
	var seen uint64            // properties seen, by index; the schema's objects have fewer than 64
	var others map[string]bool // names the schema does not describe, once there are many
	for p.dec.PeekKind() == '"' {
		raw, plain, ok := p.literal()
		if !ok {
			return zero, false
		}
		// A plain name is looked up without making it a string: most
		// names are the schema's, and the schema's copy is kept.
		var key string
		if !plain {
			if key, ok = unquote(p.lit); !ok {
				return zero, false
			}
			raw = []byte(key)
		}
		i, known := n.prop(raw)
		child := n.additional
		if known {
			if seen&(1<<i) != 0 {
				return zero, false // a duplicate name: let the library report it
			}
			seen |= 1 << i
			child, key = n.propNodes[i], n.propNames[i]
		} else {
			if n.closed {
				return zero, false
			}
			if plain {
				key = string(raw)
			}
			// Not one of the schema's names, so it can only repeat
			// another name the schema does not describe.
			if others != nil {
				if others[key] {
					return zero, false
				}
				others[key] = true
			} else if slices.Contains(p.keys[base:], key) {
				return zero, false
			} else if len(p.keys)-base >= manyNames {
				others = make(map[string]bool, 2*manyNames)
				for _, k := range p.keys[base:] {
					others[k] = true
				}
				others[key] = true
			}
		}
		if child == nil {
			child = &anyNode
		}
		v, ok := p.value(child)
		if !ok {
			return zero, false
		}
		p.keys = append(p.keys, key)
		p.vals = append(p.vals, v)
	}
	if tok, err := p.dec.ReadToken(); err != nil || tok.Kind() != '}' {
		return zero, false
	}
	for _, r := range n.required {
		if seen&(1<<r) == 0 {
			return zero, false
		}
	}
	out := p.b.Object(p.keys[base:], p.vals[base:])
	p.keys, p.vals = p.keys[:base], p.vals[:base]
	return out, true
}

// anyNode accepts any value: properties an open object does not describe.
var anyNode = fastNode{types: typeAny}

func (p *parser[V]) array(n *fastNode) (V, bool) {
	var zero V
	if _, err := p.dec.ReadToken(); err != nil { // [
		return zero, false
	}
	base := len(p.items)
	item := n.items
	if item == nil {
		item = &anyNode
	}
	// uniqueItems, for arrays of plain strings (the only kind the schema
	// asks it of); other items are left to the library.
	var lits []string
	for k := p.dec.PeekKind(); k != ']'; k = p.dec.PeekKind() {
		if k == 0 {
			return zero, false
		}
		if n.unique && k != '"' {
			return zero, false
		}
		v, ok := p.value(item)
		if !ok {
			return zero, false
		}
		if n.unique {
			if bytes.IndexByte(p.lit, '\\') >= 0 {
				return zero, false
			}
			lit := string(p.lit)
			for _, prev := range lits {
				if prev == lit {
					return zero, false
				}
			}
			lits = append(lits, lit)
		}
		p.items = append(p.items, v)
	}
	if _, err := p.dec.ReadToken(); err != nil { // ]
		return zero, false
	}
	out := p.b.Array(p.items[base:])
	p.items = p.items[:base]
	return out, true
}

// decodeAny decodes one JSON value the splitter has checked, numbers as
// json.Number: the library's input.
func decodeAny(raw []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	return v, nil
}

// AnyBuilder builds what encoding/json decodes into any, with numbers as
// json.Number: the fast parser's output is then directly comparable with
// the library's.
type AnyBuilder struct{}

func (AnyBuilder) Null() any                  { return nil }
func (AnyBuilder) Bool(b bool) any            { return b }
func (AnyBuilder) Number(lit []byte) any      { return json.Number(lit) }
func (AnyBuilder) String(s string) any        { return s }
func (AnyBuilder) Enum(s string) any          { return s }
func (AnyBuilder) FromAny(v any) (any, error) { return v, nil }

func (AnyBuilder) Object(keys []string, vals []any) any {
	m := make(map[string]any, len(keys))
	for i, k := range keys {
		m[k] = vals[i]
	}
	return m
}

func (AnyBuilder) Array(vals []any) any { return append([]any{}, vals...) }

// Discard builds nothing: for validating a document without keeping it.
type Discard struct{}

func (Discard) Null() struct{}                       { return struct{}{} }
func (Discard) Bool(bool) struct{}                   { return struct{}{} }
func (Discard) Number([]byte) struct{}               { return struct{}{} }
func (Discard) String(string) struct{}               { return struct{}{} }
func (Discard) Enum(string) struct{}                 { return struct{}{} }
func (Discard) Object([]string, []struct{}) struct{} { return struct{}{} }
func (Discard) Array([]struct{}) struct{}            { return struct{}{} }
func (Discard) FromAny(any) (struct{}, error)        { return struct{}{}, nil }
