package inventory

import (
	"context"
	"encoding/json"
	"io"
)

// Visitor receives an inventory document as Walk reads it. Values are what
// encoding/json decodes into any, with numbers as json.Number so that no
// timestamp loses precision. Either func may be nil.
type Visitor struct {
	// Field receives each top-level member that is not a resource array, in
	// document order, before the document as a whole has been validated
	// (and before any Element, once those the schema requires are in).
	Field func(key string, value any) error
	// Element receives each element of a resource array (see
	// ResourceArrays) once it has validated against its definition, in
	// document order. Elements near an invalid one may not be passed on.
	Element func(key string, index int, value any) error
}

// Walk reads one inventory document from r and validates it as it goes: each
// element of a resource array against its own definition as soon as it has
// been read, the rest of the document when the top-level object closes. So
// memory stays bounded by the largest element, whatever the document's size,
// and a caller can consume elements while the rest is still being read. It
// is Stream with one worker, in document order.
//
// name labels errors (a file name, or "-" for standard input). A document that
// is not JSON gives a *SyntaxError; one that breaks the schema gives a
// *ValidationError listing every violation (the visitor will have seen the
// valid elements; callers discard what they built). An error returned by the
// visitor stops the walk and is returned as is.
func Walk(r io.Reader, name string, vis Visitor) error {
	return Stream(context.Background(), r, name, func() Builder[any] { return AnyBuilder{} }, Handler[any]{
		Header: func(members []Member) error {
			if vis.Field == nil {
				return nil
			}
			for _, m := range members {
				if err := vis.Field(m.Key, m.Value); err != nil {
					return err
				}
			}
			return nil
		},
		Elements: func(key string, start int, vals []any) error {
			if vis.Element == nil {
				return nil
			}
			for i, v := range vals {
				if err := vis.Element(key, start+i, v); err != nil {
					return err
				}
			}
			return nil
		},
	}, StreamOptions{Workers: 1})
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
