package jsonstream

import (
	"fmt"
	"slices"

	"strings"
)

// The fast path validates elements of the resource arrays while parsing
// them, from nodes compiled out of the same schema the library validates
// against. It understands only the keywords the inventory schema uses; a
// node with any other keyword is marked unsupported and its elements always
// go to the library. It never decides that a document is invalid: whatever
// it is not sure of (including every violation) is handed to the library,
// which gives the verdict and the messages.

// jsonType is a set of JSON types, as a bit mask.
type jsonType uint8

const (
	typeNull jsonType = 1 << iota
	typeBoolean
	typeInteger
	typeNumber // number includes integer
	typeString
	typeArray
	typeObject
	typeAny jsonType = 0xff
)

var typeNames = map[string]jsonType{
	"null": typeNull, "boolean": typeBoolean, "integer": typeInteger, "number": typeNumber | typeInteger,
	"string": typeString, "array": typeArray, "object": typeObject,
}

// fastNode is one compiled schema.
type fastNode struct {
	types jsonType
	// enum, when set, lists the allowed strings; hasNullEnum allows null.
	enum        []string
	hasNullEnum bool
	enumOnly    bool // enum given: the value must be one of it
	// Objects.
	props     map[string]*fastNode
	propNames []string
	propNodes []*fastNode // props by index into propNames
	// byLen lists the indexes of propNames by the names' length (see prop).
	byLen      [][]uint8
	required   []int // indexes into propNames
	closed     bool  // additionalProperties: false
	additional *fastNode
	// Arrays.
	items  *fastNode
	unique bool
	// Numbers and strings.
	minimum, maximum *int64
	minLength        int
	// unsupported: some keyword the fast path does not know.
	unsupported bool
	// ref is resolved into the node it points at.
	ref string
}

// prop finds a property by its name. The schema's objects have a few
// dozen names at most, rarely two of a length, so comparing the names of
// the length is faster than a map lookup: 53 ns against 121 ns for a
// user's 14 names (BenchmarkPropLookup), where the map took 0.44 s of the
// parse at a million users. object gives up on more than 64 names.
func (n *fastNode) prop(name []byte) (int, bool) {
	if len(name) < len(n.byLen) {
		for _, i := range n.byLen[len(name)] {
			if string(name) == n.propNames[i] {
				return int(i), true
			}
		}
	}
	return 0, false
}

// ignoredKeywords annotate and do not constrain.
var ignoredKeywords = map[string]bool{"description": true, "title": true, "$comment": true, "examples": true, "default": true, "$schema": true, "$id": true, "$defs": true}

// compileFast compiles the schema's definitions for the fast path.
func compileFast(doc map[string]any) (map[string]*fastNode, error) {
	defs, _ := doc["$defs"].(map[string]any)
	nodes := map[string]*fastNode{}
	var compile func(s any) (*fastNode, error)
	compile = func(s any) (*fastNode, error) {
		m, ok := s.(map[string]any)
		if !ok {
			if b, ok := s.(bool); ok && b {
				return &fastNode{types: typeAny}, nil
			}
			return &fastNode{unsupported: true}, nil
		}
		n := &fastNode{types: typeAny}
		for kw, v := range m {
			switch {
			case ignoredKeywords[kw]:
			case kw == "$ref":
				ref, _ := v.(string)
				if len(m) > 1 && !onlyAnnotations(m, "$ref") {
					// $ref beside constraints: rare, and not in this schema.
					n.unsupported = true
				}
				n.ref = ref
			case kw == "type":
				n.types = 0
				switch t := v.(type) {
				case string:
					n.types = typeNames[t]
				case []any:
					for _, e := range t {
						s, _ := e.(string)
						n.types |= typeNames[s]
					}
				}
				if n.types == 0 {
					n.unsupported = true
				}
			case kw == "enum":
				n.enumOnly = true
				for _, e := range v.([]any) {
					switch e := e.(type) {
					case string:
						n.enum = append(n.enum, e)
					case nil:
						n.hasNullEnum = true
					default:
						n.unsupported = true
					}
				}
			case kw == "properties":
				n.props = map[string]*fastNode{}
				for name, ps := range v.(map[string]any) {
					c, err := compile(ps)
					if err != nil {
						return nil, err
					}
					n.props[name] = c
				}
			case kw == "required":
			case kw == "additionalProperties":
				if b, ok := v.(bool); ok {
					n.closed = !b
					continue
				}
				c, err := compile(v)
				if err != nil {
					return nil, err
				}
				n.additional = c
			case kw == "items":
				c, err := compile(v)
				if err != nil {
					return nil, err
				}
				n.items = c
			case kw == "uniqueItems":
				n.unique, _ = v.(bool)
			case kw == "minimum" || kw == "maximum":
				f, ok := number(v)
				if !ok || f != float64(int64(f)) {
					n.unsupported = true
					continue
				}
				i := int64(f)
				if kw == "minimum" {
					n.minimum = &i
				} else {
					n.maximum = &i
				}
			case kw == "minLength":
				f, _ := number(v)
				n.minLength = int(f)
			default:
				n.unsupported = true
			}
		}
		if n.props != nil || m["required"] != nil {
			for name := range n.props {
				n.propNames = append(n.propNames, name)
			}
			slices.Sort(n.propNames)
			for i, name := range n.propNames {
				n.propNodes = append(n.propNodes, n.props[name])
				if len(n.propNames) > 64 {
					continue // object gives up on these
				}
				if len(n.byLen) <= len(name) {
					n.byLen = append(n.byLen, make([][]uint8, len(name)+1-len(n.byLen))...)
				}
				n.byLen[len(name)] = append(n.byLen[len(name)], uint8(i))
			}
			if req, ok := m["required"].([]any); ok {
				for _, r := range req {
					name, _ := r.(string)
					i, ok := slices.BinarySearch(n.propNames, name)
					if !ok {
						// Required but not described: possible, not in this schema.
						n.unsupported = true
						continue
					}
					n.required = append(n.required, i)
				}
			}
		}
		return n, nil
	}
	for name, d := range defs {
		n, err := compile(d)
		if err != nil {
			return nil, err
		}
		nodes["#/$defs/"+name] = n
	}
	// Resolve references everywhere, now that every definition exists.
	seen := map[*fastNode]bool{}
	var resolve func(n *fastNode) error
	resolve = func(n *fastNode) error {
		if n == nil || seen[n] {
			return nil
		}
		seen[n] = true
		if n.ref != "" {
			target, ok := nodes[n.ref]
			if !ok {
				return fmt.Errorf("fast schema: unresolved $ref %q", n.ref)
			}
			n.ref = ""
			*n = *target // a $ref alone is its target
			seen[n] = false
			return resolve(n)
		}
		for _, c := range n.props {
			if err := resolve(c); err != nil {
				return err
			}
		}
		if err := resolve(n.items); err != nil {
			return err
		}
		return resolve(n.additional)
	}
	for _, n := range nodes {
		if err := resolve(n); err != nil {
			return nil, err
		}
	}
	return nodes, nil
}

func onlyAnnotations(m map[string]any, except string) bool {
	for k := range m {
		if k != except && !ignoredKeywords[k] {
			return false
		}
	}
	return true
}

func number(v any) (float64, bool) {
	switch n := v.(type) {
	case float64:
		return n, true
	case interface{ Float64() (float64, error) }:
		f, err := n.Float64()
		return f, err == nil
	}
	return 0, false
}

// enumValue returns the schema's own copy of s when s is one of the node's
// enum values, so that a builder can share one value for every occurrence.
func (n *fastNode) enumValue(s string) (string, bool) {
	for _, e := range n.enum {
		if e == s {
			return e, true
		}
	}
	return "", false
}

func (n *fastNode) String() string {
	var parts []string
	if n.unsupported {
		parts = append(parts, "unsupported")
	}
	if n.props != nil {
		parts = append(parts, "props="+strings.Join(n.propNames, ","))
	}
	return "fastNode{" + strings.Join(parts, " ") + "}"
}
