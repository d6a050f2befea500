package inventory_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/openai-casb/openai-casb/internal/jsonstream"
	"github.com/openai-casb/openai-casb/inventory"
)

// duplicatePointers is the reference for the duplicate-name check: the JSON
// pointer of every member whose name (unescaped) was already used in the
// same object, found with encoding/json's tokenizer, which shares no code
// with jsontext. ok is false for input that is not one JSON document.
func duplicatePointers(raw []byte) (ptrs map[string]bool, ok bool) {
	if !json.Valid(raw) {
		return nil, false
	}
	type frame struct {
		object bool
		names  map[string]bool
		ptr    string // the container's pointer
		index  int    // next element of an array
		name   string // the member being read, in an object
		expect bool   // an object's next token is a name
	}
	escape := strings.NewReplacer("~", "~0", "/", "~1")
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	ptrs = map[string]bool{}
	var stack []*frame
	// child is the pointer of the value about to be read.
	child := func() string {
		if len(stack) == 0 {
			return ""
		}
		f := stack[len(stack)-1]
		if f.object {
			return f.ptr + "/" + escape.Replace(f.name)
		}
		return f.ptr + "/" + strconv.Itoa(f.index)
	}
	// done ends a value inside the current container.
	done := func() {
		if len(stack) == 0 {
			return
		}
		f := stack[len(stack)-1]
		if f.object {
			f.expect = true
		} else {
			f.index++
		}
	}
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			return ptrs, true
		}
		if err != nil {
			return nil, false
		}
		if len(stack) > 0 {
			if f := stack[len(stack)-1]; f.object && f.expect {
				if d, isDelim := tok.(json.Delim); isDelim && d == '}' {
					stack = stack[:len(stack)-1]
					done()
					continue
				}
				f.name, f.expect = tok.(string), false
				if f.names[f.name] {
					ptrs[f.ptr+"/"+escape.Replace(f.name)] = true
				}
				f.names[f.name] = true
				continue
			}
		}
		switch tok {
		case json.Delim('{'):
			stack = append(stack, &frame{object: true, names: map[string]bool{}, ptr: child(), expect: true})
		case json.Delim('['):
			stack = append(stack, &frame{ptr: child()})
		case json.Delim(']'):
			stack = stack[:len(stack)-1]
			done()
		default:
			done()
		}
	}
}

// duplicatesOf lists the duplicate-key violations of err.
func duplicatesOf(t *testing.T, err error) []string {
	t.Helper()
	var ve *jsonstream.ValidationError
	if !errors.As(err, &ve) {
		return nil
	}
	var out []string
	for _, v := range ve.Violations {
		if v.Message == "duplicate key" {
			out = append(out, v.Pointer)
		}
	}
	return out
}

// FuzzDuplicateNames checks the duplicate-name check at every depth
// (issue 10, row 12) against duplicatePointers, through the stream with
// several workers and tiny chunks and through Decode:
//   - a document with a duplicate name anywhere is never accepted, and is
//     refused with a "duplicate key" violation (when its top level is an
//     object, so that reading goes on to the duplicate);
//   - every "duplicate key" violation is at the pointer of a real
//     duplicate: never a false one, never a wrong pointer.
func FuzzDuplicateNames(f *testing.F) {
	clean, err := os.ReadFile(filepath.Join(fixtures, "clean.json"))
	if err != nil {
		f.Fatal(err)
	}
	doc := string(clean)
	for _, r := range []struct{ from, to string }{
		{`"gpts": [`, `"gpts": [], "gpts": [`},
		{`"id": "user-dave",`, `"id": "user-dave", "id": "user-dave2",`},
		{`"owned_project_keys_last_used_at": 1795392000,`, `"owned_project_keys_last_used_at": 1795392000, "owned_project_keys_last_used_at": 1,`},
		{`"id": "org-clean`, `"id": "org-x", "id": "org-clean`},
		{`"id": "user-dave",`, `"id": "user-dave", "i\u0064": "x",`},
		{`"id": "user-dave",`, `"id": "user-dave", "a/b~c": 1, "a/b~c": 2,`},
	} {
		f.Add([]byte(strings.Replace(doc, r.from, r.to, 1)))
	}
	f.Add(clean)
	f.Add([]byte(`{"users": [{"id": "a", "x": {"y": [{"z": 1, "z": 2}]}}]}`))
	f.Add([]byte(`{"a": 1, "b": {"c": {}, "c": {}}}`))
	f.Add([]byte(`[{"a": 1, "a": 2}]`))
	f.Add([]byte(`{"organization": {"id": "o", "name": "n", "name": "m"}}`))
	s, err := inventory.Schema()
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		want, ok := duplicatePointers(raw)
		if !ok || !utf8.Valid(raw) {
			// Not one JSON document (or not UTF-8, which encoding/json
			// reads with replacement characters that may make names
			// equal): no reference to compare with.
			return
		}
		objectTop := bytes.HasPrefix(bytes.TrimLeft(raw, " \t\r\n"), []byte("{"))
		streamErr := jsonstream.Stream(context.Background(), bytes.NewReader(raw), "fuzz.json", s,
			func() jsonstream.Builder[struct{}] { return jsonstream.Discard{} }, jsonstream.Handler[struct{}]{},
			jsonstream.StreamOptions{Workers: 3, ChunkBytes: 32})
		_, decodeErr := inventory.Decode(raw, "fuzz.json")
		for name, err := range map[string]error{"stream": streamErr, "decode": decodeErr} {
			got := duplicatesOf(t, err)
			for _, p := range got {
				if !want[p] {
					t.Fatalf("%s: duplicate key reported at %q, which is no duplicate (duplicates: %v)", name, p, want)
				}
			}
			if len(want) == 0 {
				continue
			}
			if err == nil {
				t.Fatalf("%s: accepted a document with duplicate names at %v", name, want)
			}
			if objectTop && len(got) == 0 {
				t.Fatalf("%s: duplicate names at %v not reported: %v", name, want, err)
			}
		}
	})
}

// The reference itself, on documents whose duplicates are known.
func TestDuplicatePointersReference(t *testing.T) {
	for _, tc := range []struct {
		doc  string
		want []string
	}{
		{`{"a": 1, "b": 2}`, nil},
		{`{"a": 1, "a": 2}`, []string{"/a"}},
		{`{"a": 1, "\u0061": 2}`, []string{"/a"}},
		{`{"x": [{"k": 1}, {"k": 1, "k": 2}]}`, []string{"/x/1/k"}},
		{`[[], {"a/b": {"~": 1, "~": 2}}]`, []string{"/1/a~1b/~0"}},
		{`{"a": {"b": 1}, "c": {"b": 1}, "d": [{"e": {"f": [], "f": {}}}]}`, []string{"/d/0/e/f"}},
		{`{"a": 1, "a": 2, "a": 3, "b": {"a": 1}}`, []string{"/a"}},
	} {
		got, ok := duplicatePointers([]byte(tc.doc))
		require.True(t, ok, tc.doc)
		var keys []string
		for p := range got {
			keys = append(keys, p)
		}
		assert.ElementsMatch(t, tc.want, keys, tc.doc)
	}
	_, ok := duplicatePointers([]byte(`{"a": 1} {}`))
	assert.False(t, ok, "two documents")
	_, ok = duplicatePointers([]byte(`{"a": }`))
	assert.False(t, ok, "not JSON")
}
