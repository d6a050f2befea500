package inventory_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"math/big"
	"os"
	"path/filepath"
	"reflect"
	"sync"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/openai-casb/openai-casb/inventory"
)

// FuzzDecode feeds arbitrary bytes to the decoder: it must return a value or
// one of its documented errors, never panic or hang. Seeds are the fixtures,
// valid and invalid.
func FuzzDecode(f *testing.F) {
	seeds, _ := filepath.Glob(filepath.Join(fixtures, "*.json"))
	more, _ := filepath.Glob(filepath.Join(fixtures, "invalid", "*.json"))
	for _, s := range append(seeds, more...) {
		raw, err := os.ReadFile(s)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(raw)
	}
	f.Add([]byte(`{"users": {"a": [1, {"b": [[[]]]}]}}`))
	f.Add([]byte(`{"users": [1, 2, {}], "users": null}`))
	f.Add([]byte("\xff\xfe{}"))
	f.Fuzz(func(t *testing.T, raw []byte) {
		inv, err := inventory.Decode(raw, "fuzz.json")
		if err == nil {
			if inv == nil {
				t.Fatal("nil inventory without an error")
			}
			// A document that decodes must survive a round trip.
			out, merr := inventory.Marshal(inv)
			if merr != nil {
				t.Fatalf("marshal a decoded inventory: %v", merr)
			}
			if _, err := inventory.Decode(out, "again.json"); err != nil {
				t.Fatalf("a decoded inventory does not decode again: %v", err)
			}
			return
		}
		var se *inventory.SyntaxError
		var ve *inventory.ValidationError
		if !errors.As(err, &se) && !errors.As(err, &ve) {
			t.Fatalf("undocumented error type %T: %v", err, err)
		}
		if ve != nil && (ve.Total == 0 || len(ve.Violations) == 0) {
			t.Fatalf("a validation error without violations: %v", err)
		}
		_ = bytes.MinRead
	})
}

// FuzzStream checks the streaming reader against the reference: whatever
// it accepts, encoding/json and the schema library accept too, with the
// same values. It reads with two workers and tiny chunks, so that chunk
// boundaries, the held-back chunks of a late header and their temporary
// file all meet arbitrary documents.
func FuzzStream(f *testing.F) {
	seeds, _ := filepath.Glob(filepath.Join(fixtures, "*.json"))
	for _, s := range seeds {
		raw, err := os.ReadFile(s)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(raw)
	}
	root := compileRoot(f)
	f.Fuzz(func(t *testing.T, raw []byte) {
		var mu sync.Mutex
		got := map[string]any{}
		arrays := map[string][]any{}
		err := inventory.Stream(context.Background(), bytes.NewReader(raw), "fuzz.json",
			func() inventory.Builder[any] { return inventory.AnyBuilder{} },
			inventory.Handler[any]{
				Header: func(ms []inventory.Member) error {
					for _, m := range ms {
						got[m.Key] = m.Value
					}
					return nil
				},
				Elements: func(key string, start int, vals []any) error {
					mu.Lock()
					defer mu.Unlock()
					for len(arrays[key]) < start+len(vals) {
						arrays[key] = append(arrays[key], nil)
					}
					copy(arrays[key][start:], vals)
					return nil
				},
			}, inventory.StreamOptions{Workers: 2, ChunkBytes: 16, PendingBytes: 64, TempDir: t.TempDir()})
		if err != nil {
			var se *inventory.SyntaxError
			var ve *inventory.ValidationError
			if !errors.As(err, &se) && !errors.As(err, &ve) {
				t.Fatalf("error of type %T: %v", err, err)
			}
			return
		}
		dec := json.NewDecoder(bytes.NewReader(raw))
		dec.UseNumber()
		var want map[string]any
		if err := dec.Decode(&want); err != nil {
			t.Fatalf("stream accepted what encoding/json rejects: %v", err)
		}
		doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
		if err != nil {
			t.Fatalf("stream accepted what the schema library cannot read: %v", err)
		}
		if err := root.Validate(doc); err != nil {
			t.Fatalf("stream accepted an invalid document: %v", err)
		}
		for k, vs := range arrays {
			got[k] = vs
		}
		for k, v := range want {
			if vs, ok := v.([]any); ok && len(vs) == 0 {
				if _, ok := got[k]; !ok {
					got[k] = []any{}
				}
			}
		}
		if !reflect.DeepEqual(normalize(want), normalize(got)) {
			t.Fatalf("values differ:\n stream %v\nlibrary %v", got, want)
		}
	})
}

// normalize makes json.Number comparable by value, as the schema does:
// 1 and 1.0 are the same integer.
func normalize(v any) any {
	switch v := v.(type) {
	case json.Number:
		r, ok := new(big.Rat).SetString(v.String())
		if !ok {
			return v.String()
		}
		return r.RatString()
	case map[string]any:
		out := make(map[string]any, len(v))
		for k, e := range v {
			out[k] = normalize(e)
		}
		return out
	case []any:
		out := make([]any, len(v))
		for i, e := range v {
			out[i] = normalize(e)
		}
		return out
	}
	return v
}
