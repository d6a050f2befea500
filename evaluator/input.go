package evaluator

import (
	"encoding/json"
	"fmt"
	"io"

	"github.com/open-policy-agent/opa/v1/ast"

	"github.com/openai-casb/openai-casb/inventory"
)

// Input is an inventory converted once into OPA's value form, ready to be
// evaluated any number of times, plus the header facts reports need.
type Input struct {
	Header Header
	value  ast.Object
}

// Header is what reports say about the inventory itself.
type Header struct {
	// Name is the file the inventory was read from ("-" for standard input).
	Name         string
	CollectedAt  int64
	Tool         inventory.Tool
	Organization inventory.Organization
	Workspace    *inventory.Workspace
	Sources      map[string]inventory.Source
}

// ReadInput streams an inventory document from r, validates it and converts
// it for evaluation. Each element of a resource array becomes an OPA value as
// soon as it has been read and validated, so no second generic copy of the
// document is ever held. name labels errors.
func ReadInput(r io.Reader, name string) (*Input, error) {
	fields := map[string]*ast.Term{}
	arrays := map[string][]*ast.Term{}
	var header = map[string]any{}
	err := inventory.Walk(r, name, inventory.Visitor{
		Field: func(key string, v any) error {
			t, err := toTerm(v)
			if err != nil {
				return err
			}
			fields[key] = t
			header[key] = v
			return nil
		},
		Element: func(key string, _ int, v any) error {
			t, err := toTerm(v)
			if err != nil {
				return err
			}
			arrays[key] = append(arrays[key], t)
			return nil
		},
	})
	if err != nil {
		return nil, err
	}
	obj := ast.NewObject()
	for k, t := range fields {
		obj.Insert(ast.StringTerm(k), t)
	}
	for _, k := range inventory.ResourceArrays() {
		if terms, ok := arrays[k]; ok {
			obj.Insert(ast.StringTerm(k), ast.ArrayTerm(terms...))
		} else if _, present := fields[k]; !present {
			// Present but empty arrays produce no elements; the schema has
			// already said whether the key was required.
			obj.Insert(ast.StringTerm(k), ast.ArrayTerm())
		}
	}
	h, err := decodeHeader(header)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", name, err)
	}
	h.Name = name
	return &Input{Header: h, value: obj}, nil
}

func toTerm(v any) (*ast.Term, error) {
	val, err := ast.InterfaceToValue(v)
	if err != nil {
		return nil, fmt.Errorf("convert inventory value: %w", err)
	}
	return ast.NewTerm(val), nil
}

// decodeHeader reads the small top-level members into their Go types. They
// have been validated, so this cannot fail on a valid document.
func decodeHeader(fields map[string]any) (Header, error) {
	raw, err := json.Marshal(fields)
	if err != nil {
		return Header{}, err
	}
	var h struct {
		CollectedAt  int64                       `json:"collected_at"`
		Tool         inventory.Tool              `json:"tool"`
		Organization inventory.Organization      `json:"organization"`
		Workspace    *inventory.Workspace        `json:"workspace"`
		Sources      map[string]inventory.Source `json:"sources"`
	}
	if err := json.Unmarshal(raw, &h); err != nil {
		return Header{}, err
	}
	return Header{
		CollectedAt:  h.CollectedAt,
		Tool:         h.Tool,
		Organization: h.Organization,
		Workspace:    h.Workspace,
		Sources:      h.Sources,
	}, nil
}
