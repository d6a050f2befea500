package inventory

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"reflect"
	"strconv"
	"strings"
	"sync"

	"github.com/openai-casb/openai-casb/internal/jsonstream"
)

// Load reads, validates and decodes the inventory file at path; "-" reads
// standard input. Errors name the file: *SyntaxError with line and column,
// or *ValidationError with every violation's JSON pointer. Evaluation does
// not use it (it streams the file, see evaluator); tests and tools do.
func Load(path string) (*Inventory, error) {
	var (
		raw []byte
		err error
	)
	if path == "-" {
		raw, err = io.ReadAll(os.Stdin)
	} else {
		raw, err = os.ReadFile(path)
	}
	if err != nil {
		return nil, fmt.Errorf("read inventory: %w", err)
	}
	return Decode(raw, path)
}

// Decode validates raw as an inventory document and decodes it into the Go
// types, in one pass: the stream that validates the document hands each
// top-level member and each element of a resource array, once validated,
// to encoding/json, which decodes it from the bytes the stream cut. name
// labels errors.
func Decode(raw []byte, name string) (*Inventory, error) {
	s, err := Schema()
	if err != nil {
		return nil, err
	}
	var inv Inventory
	d := &decoder{inv: reflect.ValueOf(&inv).Elem(), name: name}
	err = jsonstream.Stream(context.Background(), bytes.NewReader(raw), name, s,
		func() jsonstream.Builder[struct{}] { return jsonstream.Discard{} },
		jsonstream.Handler[struct{}]{Header: d.header, Array: d.array, Raw: d.element},
		jsonstream.StreamOptions{Workers: 1})
	if err != nil {
		return nil, jsonstream.LocateReader(err, bytes.NewReader(raw))
	}
	return &inv, nil
}

// decoder fills an Inventory from the parts of a document the stream hands
// it. With one worker every call comes from the caller's goroutine; the
// lock keeps that an optimisation, not a requirement.
type decoder struct {
	mu   sync.Mutex
	inv  reflect.Value
	name string
}

// fieldsByName maps each member name of the document to its field of
// Inventory (the json tags).
var fieldsByName = sync.OnceValue(func() map[string]int {
	t := reflect.TypeFor[Inventory]()
	out := map[string]int{}
	for i := range t.NumField() {
		if tag, _, _ := strings.Cut(t.Field(i).Tag.Get("json"), ","); tag != "" && tag != "-" {
			out[tag] = i
		}
	}
	return out
})

func (d *decoder) field(key string) (reflect.Value, bool) {
	i, ok := fieldsByName()[key]
	if !ok {
		return reflect.Value{}, false // the schema refuses it: a violation already
	}
	return d.inv.Field(i), true
}

func (d *decoder) header(members []jsonstream.Member) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	for _, m := range members {
		if f, ok := d.field(m.Key); ok {
			if err := d.unmarshal(m.Raw, f.Addr().Interface(), "/"+jsonstream.EscapeToken(m.Key)); err != nil {
				return err
			}
		}
	}
	return nil
}

// array makes a resource array the document holds non-nil, so that an
// empty one decodes to an empty slice, as encoding/json decodes [].
func (d *decoder) array(key string) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if f, ok := d.field(key); ok && f.Kind() == reflect.Slice && f.IsNil() {
		f.Set(reflect.MakeSlice(f.Type(), 0, 0))
	}
	return nil
}

func (d *decoder) element(key string, index int, raw []byte) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	f, ok := d.field(key)
	if !ok || f.Kind() != reflect.Slice {
		return nil
	}
	if index >= f.Len() {
		if index >= f.Cap() {
			grown := reflect.MakeSlice(f.Type(), f.Len(), max(2*f.Cap(), index+1))
			reflect.Copy(grown, f)
			f.Set(grown)
		}
		f.SetLen(index + 1)
	}
	return d.unmarshal(raw, f.Index(index).Addr().Interface(), "/"+jsonstream.EscapeToken(key)+"/"+strconv.Itoa(index))
}

// unmarshal decodes one validated part at pointer at. The schema admits
// what the Go types cannot hold only at the edges (an integer written as
// 1.0): that is a violation at the part's pointer, with the path inside it
// as encoding/json gives it (field names, without array indexes).
func (d *decoder) unmarshal(raw []byte, into any, at string) error {
	err := json.Unmarshal(raw, into)
	if err == nil {
		return nil
	}
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		msg := fmt.Sprintf("cannot hold %s as %s", te.Value, te.Type)
		if te.Field != "" {
			msg = te.Field + ": " + msg
		}
		return &ValidationError{File: d.name, Total: 1, Violations: []Violation{{Pointer: at, Message: msg}}}
	}
	return fmt.Errorf("decode %s: %s: %w", d.name, at, err)
}
