package inventory

import (
	"bytes"
	"strconv"
	"unicode/utf8"
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

// parser parses one element under a fast schema node. ok false means "not
// certain": the element may be invalid, or use something the fast path does
// not handle; the caller then asks the library.
type parser[V any] struct {
	b     Builder[V]
	data  []byte
	pos   int
	keys  []string // scratch stacks, reused across objects
	vals  []V
	items []V
}

// reset points the parser at the next element. An element the fast path
// gave up on leaves partial values on the scratch stacks; they are dropped
// here (and their references cleared) so that they do not pile up, or keep
// the builder's values alive, for the rest of the stream.
func (p *parser[V]) reset(data []byte) {
	p.data, p.pos = data, 0
	if len(p.keys)+len(p.vals)+len(p.items) > 0 {
		clear(p.vals)
		clear(p.items)
		p.keys, p.vals, p.items = p.keys[:0], p.vals[:0], p.items[:0]
	}
}

func (p *parser[V]) ws() {
	for p.pos < len(p.data) {
		switch p.data[p.pos] {
		case ' ', '\t', '\n', '\r':
			p.pos++
		default:
			return
		}
	}
}

// value parses the value at pos under node n.
func (p *parser[V]) value(n *fastNode) (V, bool) {
	var zero V
	if n.unsupported {
		return zero, false
	}
	p.ws()
	if p.pos >= len(p.data) {
		return zero, false
	}
	switch c := p.data[p.pos]; {
	case c == '{':
		if n.types&typeObject == 0 || n.enumOnly {
			return zero, false
		}
		return p.object(n)
	case c == '[':
		if n.types&typeArray == 0 || n.enumOnly {
			return zero, false
		}
		return p.array(n)
	case c == '"':
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
	case c == 't' || c == 'f':
		if n.types&typeBoolean == 0 || n.enumOnly {
			return zero, false
		}
		if bytes.HasPrefix(p.data[p.pos:], []byte("true")) {
			p.pos += 4
			return p.b.Bool(true), true
		}
		if bytes.HasPrefix(p.data[p.pos:], []byte("false")) {
			p.pos += 5
			return p.b.Bool(false), true
		}
		return zero, false
	case c == 'n':
		if !bytes.HasPrefix(p.data[p.pos:], []byte("null")) {
			return zero, false
		}
		if n.enumOnly && !n.hasNullEnum || !n.enumOnly && n.types&typeNull == 0 {
			return zero, false
		}
		p.pos += 4
		return p.b.Null(), true
	case c == '-' || (c >= '0' && c <= '9'):
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
	start := p.pos
	d := p.data
	i := p.pos
	if i < len(d) && d[i] == '-' {
		i++
	}
	switch {
	case i < len(d) && d[i] == '0':
		i++
	case i < len(d) && d[i] >= '1' && d[i] <= '9':
		for i < len(d) && d[i] >= '0' && d[i] <= '9' {
			i++
		}
	default:
		return zero, false
	}
	integer := true
	if i < len(d) && d[i] == '.' {
		integer = false
		i++
		if i >= len(d) || d[i] < '0' || d[i] > '9' {
			return zero, false
		}
		for i < len(d) && d[i] >= '0' && d[i] <= '9' {
			i++
		}
	}
	if i < len(d) && (d[i] == 'e' || d[i] == 'E') {
		integer = false
		i++
		if i < len(d) && (d[i] == '+' || d[i] == '-') {
			i++
		}
		if i >= len(d) || d[i] < '0' || d[i] > '9' {
			return zero, false
		}
		for i < len(d) && d[i] >= '0' && d[i] <= '9' {
			i++
		}
	}
	lit := d[start:i]
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
	p.pos = i
	return p.b.Number(lit), true
}

// str reads a string. Plain strings (no escapes, valid UTF-8, no control
// characters) are read here; others are unquoted by encoding/json itself so
// that every edge case reads exactly as it does there.
func (p *parser[V]) str() (string, bool) {
	d := p.data
	start := p.pos + 1
	i := start
	plain := true
	for i < len(d) {
		c := d[i]
		if c == '"' {
			break
		}
		if c == '\\' {
			plain = false
			i += 2
			continue
		}
		if c < 0x20 {
			return "", false
		}
		if c >= 0x80 {
			plain = false
		}
		i++
	}
	if i >= len(d) {
		return "", false
	}
	raw := d[start:i]
	p.pos = i + 1
	if plain {
		return string(raw), true
	}
	if bytes.IndexByte(raw, '\\') < 0 && utf8.Valid(raw) {
		return string(raw), true
	}
	s, ok := unquote(d[start-1 : i+1])
	return s, ok
}

func (p *parser[V]) object(n *fastNode) (V, bool) {
	var zero V
	p.pos++ // {
	base := len(p.keys)
	var seen uint64 // properties seen, by index; the schema's objects have fewer than 64
	if len(n.propNames) > 64 {
		return zero, false
	}
	p.ws()
	if p.pos < len(p.data) && p.data[p.pos] == '}' {
		p.pos++
	} else {
		for {
			p.ws()
			if p.pos >= len(p.data) || p.data[p.pos] != '"' {
				return zero, false
			}
			key, ok := p.str()
			if !ok {
				return zero, false
			}
			p.ws()
			if p.pos >= len(p.data) || p.data[p.pos] != ':' {
				return zero, false
			}
			p.pos++
			child := n.additional
			if i, known := n.propIndex[key]; known {
				if seen&(1<<i) != 0 {
					return zero, false // a duplicate key: let the library decide
				}
				seen |= 1 << i
				child, key = n.props[key], n.propNames[i]
			} else if n.closed {
				return zero, false
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
			p.ws()
			if p.pos >= len(p.data) {
				return zero, false
			}
			if p.data[p.pos] == ',' {
				p.pos++
				continue
			}
			if p.data[p.pos] == '}' {
				p.pos++
				break
			}
			return zero, false
		}
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
	p.pos++ // [
	base := len(p.items)
	item := n.items
	if item == nil {
		item = &anyNode
	}
	// uniqueItems, for arrays of plain strings (the only kind the schema
	// asks it of); other items are left to the library.
	var lits [][]byte
	p.ws()
	if p.pos < len(p.data) && p.data[p.pos] == ']' {
		p.pos++
	} else {
		for {
			p.ws()
			start := p.pos
			v, ok := p.value(item)
			if !ok {
				return zero, false
			}
			if n.unique {
				lit := p.data[start:p.pos]
				if lit[0] != '"' || bytes.IndexByte(lit, '\\') >= 0 {
					return zero, false
				}
				for _, prev := range lits {
					if bytes.Equal(prev, lit) {
						return zero, false
					}
				}
				lits = append(lits, lit)
			}
			p.items = append(p.items, v)
			p.ws()
			if p.pos >= len(p.data) {
				return zero, false
			}
			if p.data[p.pos] == ',' {
				p.pos++
				p.ws()
				continue
			}
			if p.data[p.pos] == ']' {
				p.pos++
				break
			}
			return zero, false
		}
	}
	out := p.b.Array(p.items[base:])
	p.items = p.items[:base]
	return out, true
}
