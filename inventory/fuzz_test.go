package inventory_test

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"testing"

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
