package jsonstream

import (
	"bytes"
	"fmt"
	"slices"
	"strings"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"golang.org/x/text/language"
	"golang.org/x/text/message"
)

// Schema is a compiled document schema: the whole document, and one schema
// per resource array's item definition so that elements can be validated
// one at a time as they stream past.
type Schema struct {
	root *jsonschema.Schema
	// items maps a top-level resource array (e.g. "users") to the schema of
	// its elements (e.g. #/$defs/user).
	items map[string]*jsonschema.Schema
	// fast holds the same element schemas compiled for the fast parser.
	fast map[string]*fastNode
	// headerMembers lists every top-level member the schema defines that is
	// not a resource array: what a reader needs before the first element.
	headerMembers []string
}

var printer = message.NewPrinter(language.English)

const itemRefStart = "#/$defs/"

// Compile compiles a JSON Schema (2020-12) of a document that is one object.
// The resource arrays are read off the schema itself (every top-level
// property that is an array of a $defs reference), so the schema stays the
// single source of truth for what streams. url names the schema.
func Compile(raw []byte, url string) (*Schema, error) {
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
	if err != nil {
		return nil, fmt.Errorf("parse schema %s: %w", url, err)
	}
	c := jsonschema.NewCompiler()
	if err := c.AddResource(url, doc); err != nil {
		return nil, fmt.Errorf("load schema %s: %w", url, err)
	}
	root, err := c.Compile(url)
	if err != nil {
		return nil, fmt.Errorf("compile schema %s: %w", url, err)
	}
	s := &Schema{root: root, items: map[string]*jsonschema.Schema{}}
	itemRefs := map[string]string{}
	props, _ := doc.(map[string]any)["properties"].(map[string]any)
	for key, p := range props {
		prop, _ := p.(map[string]any)
		if prop["type"] != "array" {
			continue
		}
		items, _ := prop["items"].(map[string]any)
		ref, _ := items["$ref"].(string)
		if !strings.HasPrefix(ref, itemRefStart) {
			continue
		}
		sch, err := c.Compile(url + ref)
		if err != nil {
			return nil, fmt.Errorf("compile schema %s%s: %w", url, ref, err)
		}
		s.items[key] = sch
		itemRefs[key] = ref
	}
	fast, err := compileFast(doc.(map[string]any))
	if err != nil {
		return nil, err
	}
	s.fast = map[string]*fastNode{}
	for key, ref := range itemRefs {
		s.fast[key] = fast[ref]
	}
	for k := range props {
		if _, isArray := s.items[k]; !isArray {
			s.headerMembers = append(s.headerMembers, k)
		}
	}
	slices.Sort(s.headerMembers)
	return s, nil
}

// ResourceArrays lists the top-level arrays whose elements stream one by one,
// sorted.
func (s *Schema) ResourceArrays() []string {
	keys := make([]string, 0, len(s.items))
	for k := range s.items {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// Validate validates a whole decoded document (numbers as json.Number) with
// the schema library alone: the reference the streaming validation is
// measured and tested against.
func (s *Schema) Validate(doc any) error {
	if err := s.root.Validate(doc); err != nil {
		ve := &ValidationError{File: "document"}
		ve.add(violations(err, "")...)
		return ve
	}
	return nil
}

// violations flattens a schema error into one Violation per failed leaf
// keyword, each at its JSON pointer below prefix.
func violations(err error, prefix string) []Violation {
	ve, ok := err.(*jsonschema.ValidationError)
	if !ok {
		return []Violation{{Pointer: prefix, Message: err.Error()}}
	}
	var out []Violation
	var walk func(e *jsonschema.ValidationError)
	walk = func(e *jsonschema.ValidationError) {
		if len(e.Causes) == 0 {
			out = append(out, Violation{
				Pointer: prefix + pointer(e.InstanceLocation),
				Message: e.ErrorKind.LocalizedString(printer),
			})
			return
		}
		for _, c := range e.Causes {
			walk(c)
		}
	}
	walk(ve)
	return out
}

// pointer renders RFC 6901 reference tokens as a JSON pointer.
func pointer(tokens []string) string {
	var sb strings.Builder
	for _, t := range tokens {
		sb.WriteByte('/')
		sb.WriteString(EscapeToken(t))
	}
	return sb.String()
}

// EscapeToken escapes one RFC 6901 reference token.
func EscapeToken(t string) string {
	if !strings.ContainsAny(t, "~/") {
		return t
	}
	return strings.ReplaceAll(strings.ReplaceAll(t, "~", "~0"), "/", "~1")
}
