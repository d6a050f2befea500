package inventory

import (
	"bytes"
	"fmt"
	"sort"
	"strings"
	"sync"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"golang.org/x/text/language"
	"golang.org/x/text/message"

	"github.com/openai-casb/openai-casb/schemas"
)

// validator holds the compiled inventory schema: the whole document, and one
// schema per resource array's item definition so that elements can be
// validated one at a time as they stream past.
type validator struct {
	root *jsonschema.Schema
	// items maps a top-level resource array (e.g. "users") to the schema of
	// its elements (e.g. #/$defs/user).
	items map[string]*jsonschema.Schema
	// fast holds the same element schemas compiled for the fast parser.
	fast map[string]*fastNode
	// headerMembers lists every top-level member the schema defines that is
	// not a resource array: what evaluation needs before the first element.
	headerMembers []string
}

var (
	compiled     *validator
	compileErr   error
	compileOnce  sync.Once
	printer      = message.NewPrinter(language.English)
	itemRefStart = "#/$defs/"
)

// schemaValidator compiles the embedded schema once.
func schemaValidator() (*validator, error) {
	compileOnce.Do(func() { compiled, compileErr = compileSchema(schemas.Inventory) })
	return compiled, compileErr
}

// compileSchema reads the resource arrays off the schema itself (every
// top-level property that is an array of a $defs reference), so the schema
// stays the single source of truth for what streams.
func compileSchema(raw []byte) (*validator, error) {
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
	if err != nil {
		return nil, fmt.Errorf("parse inventory schema: %w", err)
	}
	c := jsonschema.NewCompiler()
	if err := c.AddResource(schemas.InventoryURL, doc); err != nil {
		return nil, fmt.Errorf("load inventory schema: %w", err)
	}
	root, err := c.Compile(schemas.InventoryURL)
	if err != nil {
		return nil, fmt.Errorf("compile inventory schema: %w", err)
	}
	v := &validator{root: root, items: map[string]*jsonschema.Schema{}}
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
		sch, err := c.Compile(schemas.InventoryURL + ref)
		if err != nil {
			return nil, fmt.Errorf("compile inventory schema %s: %w", ref, err)
		}
		v.items[key] = sch
		itemRefs[key] = ref
	}
	fast, err := compileFast(doc.(map[string]any))
	if err != nil {
		return nil, err
	}
	v.fast = map[string]*fastNode{}
	for key, ref := range itemRefs {
		v.fast[key] = fast[ref]
	}
	for k := range props {
		if _, isArray := v.items[k]; !isArray {
			v.headerMembers = append(v.headerMembers, k)
		}
	}
	sort.Strings(v.headerMembers)
	return v, nil
}

// ResourceArrays lists the top-level arrays whose elements stream one by one,
// sorted.
func ResourceArrays() []string {
	v, err := schemaValidator()
	if err != nil {
		return nil
	}
	keys := make([]string, 0, len(v.items))
	for k := range v.items {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
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
		sb.WriteString(escapeToken(t))
	}
	return sb.String()
}

func escapeToken(t string) string {
	if !strings.ContainsAny(t, "~/") {
		return t
	}
	return strings.ReplaceAll(strings.ReplaceAll(t, "~", "~0"), "/", "~1")
}

// ValidateValue validates a whole decoded document (numbers as
// json.Number) with the schema library alone: the reference the streaming
// validation is measured and tested against.
func ValidateValue(doc any) error {
	v, err := schemaValidator()
	if err != nil {
		return err
	}
	if err := v.root.Validate(doc); err != nil {
		ve := &ValidationError{File: "document"}
		ve.add(violations(err, "")...)
		return ve
	}
	return nil
}
