package inventory

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
)

// Visitor receives an inventory document as Walk reads it. Values are what
// encoding/json decodes into any, with numbers as json.Number so that no
// timestamp loses precision. Either func may be nil.
type Visitor struct {
	// Field receives each top-level member that is not a resource array, in
	// document order, before the document as a whole has been validated.
	Field func(key string, value any) error
	// Element receives each element of a resource array (see
	// ResourceArrays) once it has validated against its definition. Invalid
	// elements are not passed on.
	Element func(key string, index int, value any) error
}

// Walk reads one inventory document from r and validates it as it goes: each
// element of a resource array against its own definition as soon as it has
// been read, the rest of the document when the top-level object closes. So
// memory stays bounded by the largest element, whatever the document's size,
// and a caller can consume elements while the rest is still being read.
//
// name labels errors (a file name, or "-" for standard input). A document that
// is not JSON gives a *SyntaxError; one that breaks the schema gives a
// *ValidationError listing every violation (the visitor will have seen the
// valid elements; callers discard what they built). An error returned by the
// visitor stops the walk and is returned as is.
func Walk(r io.Reader, name string, vis Visitor) error {
	v, err := schemaValidator()
	if err != nil {
		return err
	}
	dec := json.NewDecoder(r)
	dec.UseNumber()
	w := &walker{dec: dec, name: name, v: v, vis: vis, verr: &ValidationError{File: name}}
	if err := w.document(); err != nil {
		return err
	}
	if w.verr.Total > 0 {
		return w.verr
	}
	return nil
}

type walker struct {
	dec  *json.Decoder
	name string
	v    *validator
	vis  Visitor
	verr *ValidationError
}

func (w *walker) document() error {
	tok, err := w.dec.Token()
	if err == io.EOF {
		return &SyntaxError{File: w.name, Msg: "empty input, want an inventory JSON object"}
	}
	if err != nil {
		return w.syntax(err)
	}
	if tok != json.Delim('{') {
		w.verr.add(Violation{Pointer: "", Message: fmt.Sprintf("got %s, want object", tokenKind(tok))})
		return nil
	}
	skeleton := map[string]any{}
	for w.dec.More() {
		tok, err := w.dec.Token()
		if err != nil {
			return w.syntax(err)
		}
		key := tok.(string) // inside an object the decoder only yields string keys
		if _, dup := skeleton[key]; dup {
			w.verr.add(Violation{Pointer: "/" + escapeToken(key), Message: "duplicate key"})
		}
		if items, ok := w.v.items[key]; ok {
			value, err := w.resourceArray(key, items)
			if err != nil {
				return err
			}
			skeleton[key] = value
			continue
		}
		var value any
		if err := w.dec.Decode(&value); err != nil {
			return w.syntax(err)
		}
		skeleton[key] = value
		if w.vis.Field != nil {
			if err := w.vis.Field(key, value); err != nil {
				return err
			}
		}
	}
	if _, err := w.dec.Token(); err != nil { // the closing brace
		return w.syntax(err)
	}
	if tok, err := w.dec.Token(); err != io.EOF {
		if err != nil {
			return w.syntax(err)
		}
		return &SyntaxError{File: w.name, Offset: w.dec.InputOffset(), Msg: fmt.Sprintf("unexpected %s after the inventory object", tokenKind(tok))}
	}
	if err := w.v.root.Validate(skeleton); err != nil {
		w.verr.add(violations(err, "")...)
	}
	return nil
}

// resourceArray streams the elements of one resource array. It returns what
// stands in for the array in the skeleton the root schema validates: an
// empty array, or, when the value is not an array at all, a value of the
// same JSON type so the root schema reports the mismatch.
func (w *walker) resourceArray(key string, items interface{ Validate(any) error }) (any, error) {
	tok, err := w.dec.Token()
	if err != nil {
		return nil, w.syntax(err)
	}
	switch tok {
	case json.Delim('['):
	case json.Delim('{'):
		if err := w.skip(1); err != nil {
			return nil, err
		}
		return map[string]any{}, nil
	default:
		return tok, nil
	}
	prefix := "/" + escapeToken(key) + "/"
	for i := 0; w.dec.More(); i++ {
		var elem any
		if err := w.dec.Decode(&elem); err != nil {
			return nil, w.syntax(err)
		}
		if err := items.Validate(elem); err != nil {
			w.verr.add(violations(err, fmt.Sprintf("%s%d", prefix, i))...)
			continue
		}
		if w.vis.Element != nil {
			if err := w.vis.Element(key, i, elem); err != nil {
				return nil, err
			}
		}
	}
	if _, err := w.dec.Token(); err != nil { // the closing bracket
		return nil, w.syntax(err)
	}
	return []any{}, nil
}

// skip consumes tokens until depth open delimiters have closed.
func (w *walker) skip(depth int) error {
	for depth > 0 {
		tok, err := w.dec.Token()
		if err != nil {
			return w.syntax(err)
		}
		switch tok {
		case json.Delim('{'), json.Delim('['):
			depth++
		case json.Delim('}'), json.Delim(']'):
			depth--
		}
	}
	return nil
}

func (w *walker) syntax(err error) error {
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return &SyntaxError{File: w.name, Offset: se.Offset, Msg: se.Error()}
	}
	if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
		return &SyntaxError{File: w.name, Offset: w.dec.InputOffset(), Msg: "unexpected end of input"}
	}
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		return &SyntaxError{File: w.name, Offset: te.Offset, Msg: te.Error()}
	}
	// A read error of the underlying reader, not a property of the document.
	return fmt.Errorf("read %s: %w", w.name, err)
}

func tokenKind(tok json.Token) string {
	switch t := tok.(type) {
	case json.Delim:
		if t == '[' {
			return "array"
		}
		if t == '{' {
			return "object"
		}
		return fmt.Sprintf("%q", string(t))
	case string:
		return "string"
	case json.Number, float64:
		return "number"
	case bool:
		return "boolean"
	case nil:
		return "null"
	}
	return fmt.Sprintf("%T", tok)
}
