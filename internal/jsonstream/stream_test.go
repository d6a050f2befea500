package jsonstream_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"math/big"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/openai-casb/openai-casb/internal/jsonstream"
	"github.com/openai-casb/openai-casb/inventory"
	"github.com/openai-casb/openai-casb/schemas"
)

func schema(t testing.TB) *jsonstream.Schema {
	t.Helper()
	s, err := inventory.Schema()
	require.NoError(t, err)
	return s
}

func readRaw(t *testing.T, name string) []byte {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(fixtures, name))
	require.NoError(t, err)
	return raw
}

func compileRoot(t testing.TB) *jsonschema.Schema {
	t.Helper()
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(schemas.Inventory))
	require.NoError(t, err)
	c := jsonschema.NewCompiler()
	require.NoError(t, c.AddResource(schemas.InventoryURL, doc))
	s, err := c.Compile(schemas.InventoryURL)
	require.NoError(t, err)
	return s
}

// readAll streams raw with one worker, in document order.
func readAll(t *testing.T, raw []byte, name string, elements func(key string, start int, vals []any) error) ([]string, error) {
	var fields []string
	err := jsonstream.Stream(context.Background(), bytes.NewReader(raw), name, schema(t),
		func() jsonstream.Builder[any] { return jsonstream.AnyBuilder{} },
		jsonstream.Handler[any]{
			Header: func(ms []jsonstream.Member) error {
				for _, m := range ms {
					fields = append(fields, m.Key)
				}
				return nil
			},
			Elements: elements,
		}, jsonstream.StreamOptions{Workers: 1, ChunkBytes: 1})
	return fields, err
}

func TestStreamDeliversValidElementsInOrder(t *testing.T) {
	var elems []string
	fields, err := readAll(t, readRaw(t, "acme.json"), "acme.json", func(key string, _ int, vals []any) error {
		for _, v := range vals {
			elems = append(elems, key+"/"+v.(map[string]any)["id"].(string))
		}
		return nil
	})
	require.NoError(t, err)
	assert.Equal(t, []string{"schema_version", "collected_at", "tool", "organization", "workspace", "sources"}, fields)
	assert.Equal(t, "admin_api_keys/key_admin_old", elems[0])
	assert.Contains(t, elems, "users/user-carol")
	assert.Contains(t, elems, "workspace_users/wsu-erin")
}

func TestStreamStopsOnHandlerError(t *testing.T) {
	stop := errors.New("stop")
	n := 0
	_, err := readAll(t, readRaw(t, "acme.json"), "acme.json", func(string, int, []any) error { n++; return stop })
	assert.ErrorIs(t, err, stop)
	assert.Equal(t, 1, n)
}

// A UTF-8 byte order mark is skipped; UTF-16 and UTF-32 are refused with a
// message that says so, with or without a mark.
func TestByteOrderMarks(t *testing.T) {
	clean := readRaw(t, "clean.json")
	_, err := readAll(t, append([]byte("\xef\xbb\xbf"), clean...), "bom.json", nil)
	require.NoError(t, err, "a UTF-8 BOM is skipped")

	utf16 := func(bigEndian bool, bom bool) []byte {
		var out []byte
		if bom {
			if bigEndian {
				out = append(out, 0xFE, 0xFF)
			} else {
				out = append(out, 0xFF, 0xFE)
			}
		}
		for _, c := range clean {
			if bigEndian {
				out = append(out, 0, c)
			} else {
				out = append(out, c, 0)
			}
		}
		return out
	}
	for _, tc := range []struct {
		name string
		raw  []byte
		want string
	}{
		{"UTF-16LE with a BOM", utf16(false, true), "UTF-16LE"},
		{"UTF-16BE with a BOM", utf16(true, true), "UTF-16BE"},
		{"UTF-16LE without", utf16(false, false), "UTF-16LE"},
		{"UTF-16BE without", utf16(true, false), "UTF-16BE"},
		{"UTF-32LE", []byte{'{', 0, 0, 0, '}', 0, 0, 0}, "UTF-32LE"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := readAll(t, tc.raw, "wide.json", nil)
			var se *jsonstream.SyntaxError
			require.ErrorAs(t, err, &se)
			assert.Contains(t, err.Error(), "the file is "+tc.want+"; an inventory is UTF-8 JSON")
		})
	}
}

// Names are unique at every depth: a duplicate is a violation at its JSON
// pointer, wherever it is.
func TestDuplicateNamesAtAnyDepth(t *testing.T) {
	clean := string(readRaw(t, "clean.json"))
	for _, tc := range []struct{ name, from, to, pointer string }{
		{"top level", `"gpts": [`, `"gpts": [], "gpts": [`, "/gpts"},
		{"in an element", `"id": "user-dave",`, `"id": "user-dave", "id": "user-dave2",`, "/users/1/id"},
		{"deeper", `"owned_project_keys_last_used_at": 1795392000,`, `"owned_project_keys_last_used_at": 1795392000, "owned_project_keys_last_used_at": 1,`, "/users/0/activity_signals/owned_project_keys_last_used_at"},
		{"in a header member", `"id": "org-clean`, `"id": "org-x", "id": "org-clean`, "/organization/id"},
		{"a member the schema does not name", `"id": "user-dave",`, `"id": "user-dave", "x_new": 1, "x_new": 2,`, "/users/1/x_new"},
		{"acme.json: in a map the fast path reads", `"file_search": {`, `"file_search": {"enabled": false}, "file_search": {`, "/projects/0/hosted_tool_permissions/file_search"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			clean := clean
			if strings.HasPrefix(tc.name, "acme.json") {
				clean = string(readRaw(t, "acme.json"))
			}
			require.Contains(t, clean, tc.from)
			doc := strings.Replace(clean, tc.from, tc.to, 1)
			_, err := readAll(t, []byte(doc), "dup.json", nil)
			var ve *jsonstream.ValidationError
			require.ErrorAs(t, err, &ve)
			require.NotEmpty(t, ve.Violations)
			last := ve.Violations[len(ve.Violations)-1]
			assert.Equal(t, "duplicate key", last.Message)
			assert.Equal(t, tc.pointer, last.Pointer)
			assert.Contains(t, err.Error(), "dup.json: "+tc.pointer+": duplicate key")
		})
	}
}

// The workers check the elements' names, so a duplicate in one element
// does not stop the stream: every element with one is reported.
func TestDuplicateNamesInSeveralElements(t *testing.T) {
	clean := string(readRaw(t, "clean.json"))
	users := strings.Index(clean, "\n  \"users\": [")
	require.Positive(t, users)
	doc := clean[:users] + strings.ReplaceAll(clean[users:], `"id": "user-`, `"id": "x", "id": "user-`)
	for _, workers := range []int{1, 2} {
		err := jsonstream.Stream(context.Background(), strings.NewReader(doc), "dup.json", schema(t),
			func() jsonstream.Builder[any] { return jsonstream.AnyBuilder{} }, jsonstream.Handler[any]{},
			jsonstream.StreamOptions{Workers: workers, ChunkBytes: 1})
		var ve *jsonstream.ValidationError
		require.ErrorAs(t, err, &ve)
		var got []string
		for _, v := range ve.Violations {
			assert.Equal(t, "duplicate key", v.Message)
			got = append(got, v.Pointer)
		}
		assert.ElementsMatch(t, []string{"/users/0/id", "/users/1/id", "/users/2/id"}, got)
	}
}

// Input that is not JSON at all is a syntax error at line 1, column 1.
func TestNotJSON(t *testing.T) {
	raw := []byte("hello world\n")
	_, err := readAll(t, raw, "notes.txt", nil)
	err = jsonstream.LocateReader(err, bytes.NewReader(raw))
	var se *jsonstream.SyntaxError
	require.ErrorAs(t, err, &se)
	assert.True(t, strings.HasPrefix(err.Error(), "notes.txt:1:1: invalid JSON: "), err.Error())
}

// A header member after the arrays (allowed, if unusual) holds the chunks
// back until it is read: no element is ever handed on before the whole
// header.
func TestLateHeaderMembersHoldChunksBack(t *testing.T) {
	inv, err := inventory.Load(filepath.Join(fixtures, "clean.json"))
	require.NoError(t, err)
	inv.DLP = &inventory.DLP{ProfilesEnabled: []string{"p"}, Detectors: []string{"d"}, MaxFileBytes: 1}
	written, err := inventory.Marshal(inv)
	require.NoError(t, err)
	// Move the optional dlp member from before the arrays to the very end,
	// after every required member and every array.
	line := regexp.MustCompile(`\n  "dlp": \{[^\n]*\},`)
	dlpLine := line.Find(written)
	require.NotNil(t, dlpLine)
	raw := line.ReplaceAll(written, nil)
	raw = append(bytes.TrimSuffix(raw, []byte("\n}\n")), []byte(",\n  "+strings.TrimSuffix(strings.TrimPrefix(string(dlpLine), "\n  "), ",")+"\n}\n")...)
	require.Greater(t, bytes.Index(raw, []byte(`"dlp"`)), bytes.LastIndex(raw, []byte(`"users": [`)))

	var heldInFiles int
	read := func(t *testing.T, o jsonstream.StreamOptions) (events []string, elements map[string][]any) {
		var mu sync.Mutex
		header := map[string]bool{}
		elements = map[string][]any{}
		err := jsonstream.Stream(context.Background(), bytes.NewReader(raw), "late.json", schema(t),
			func() jsonstream.Builder[any] { return jsonstream.AnyBuilder{} },
			jsonstream.Handler[any]{
				Header: func(ms []jsonstream.Member) error {
					for _, m := range ms {
						header[m.Key] = true
					}
					events = append(events, "header")
					if o.TempDir != "" {
						files, err := os.ReadDir(o.TempDir)
						require.NoError(t, err)
						heldInFiles = len(files)
					}
					return nil
				},
				Elements: func(key string, start int, vals []any) error {
					mu.Lock()
					defer mu.Unlock()
					events = append(events, key)
					for len(elements[key]) < start+len(vals) {
						elements[key] = append(elements[key], nil)
					}
					copy(elements[key][start:], vals)
					return nil
				},
			}, o)
		require.NoError(t, err)
		for _, k := range []string{"schema_version", "collected_at", "tool", "organization", "workspace", "sources", "dlp"} {
			assert.True(t, header[k], k)
		}
		return events, elements
	}

	events, inMemory := read(t, jsonstream.StreamOptions{Workers: 2, ChunkBytes: 64})
	assert.Equal(t, "header", events[0])
	assert.Greater(t, len(events), 3)

	// With a budget of a few bytes nearly every chunk waits in a temporary
	// file; the elements that come back are the same, and the file is gone.
	dir := t.TempDir()
	events, spilled := read(t, jsonstream.StreamOptions{Workers: 2, ChunkBytes: 64, PendingBytes: 100, TempDir: dir})
	assert.Equal(t, "header", events[0])
	assert.Equal(t, 1, heldInFiles, "the chunks beyond the budget wait in a file")
	assert.Equal(t, inMemory, spilled)
	left, err := os.ReadDir(dir)
	require.NoError(t, err)
	assert.Empty(t, left, "the temporary file is removed")
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
		err := jsonstream.Stream(context.Background(), bytes.NewReader(raw), "fuzz.json", schema(t),
			func() jsonstream.Builder[any] { return jsonstream.AnyBuilder{} },
			jsonstream.Handler[any]{
				Header: func(ms []jsonstream.Member) error {
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
			}, jsonstream.StreamOptions{Workers: 2, ChunkBytes: 16, PendingBytes: 64, TempDir: t.TempDir()})
		if err != nil {
			var se *jsonstream.SyntaxError
			var ve *jsonstream.ValidationError
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

// Raw gets each element of a valid chunk as written, with its index, and
// Array each resource array the document holds (empty ones too), whatever
// the workers and chunk sizes.
func TestRawElementsAndArrays(t *testing.T) {
	raw := readRaw(t, "acme.json")
	var want map[string]json.RawMessage
	require.NoError(t, json.Unmarshal(raw, &want))
	for _, o := range []jsonstream.StreamOptions{{Workers: 1}, {Workers: 3, ChunkBytes: 64}} {
		var mu sync.Mutex
		got := map[string]map[int]string{}
		var arrays []string
		err := jsonstream.Stream(context.Background(), bytes.NewReader(raw), "acme.json", schema(t),
			func() jsonstream.Builder[struct{}] { return jsonstream.Discard{} },
			jsonstream.Handler[struct{}]{
				Array: func(key string) error { arrays = append(arrays, key); return nil },
				Raw: func(key string, i int, b []byte) error {
					mu.Lock()
					defer mu.Unlock()
					if got[key] == nil {
						got[key] = map[int]string{}
					}
					got[key][i] = string(b)
					return nil
				},
			}, o)
		require.NoError(t, err)
		for _, key := range arrays {
			var elems []json.RawMessage
			require.NoError(t, json.Unmarshal(want[key], &elems))
			require.Len(t, got[key], len(elems), key)
			for i, e := range elems {
				assert.JSONEq(t, string(e), got[key][i], "%s/%d", key, i)
			}
		}
		assert.Contains(t, arrays, "users")
		assert.Contains(t, arrays, "projects")
	}
	// A chunk with an invalid element gives Raw nothing of it: the first
	// added_at is in a project, and every project is in one chunk.
	bad := strings.Replace(string(raw), `"added_at": `, `"added_at": "x", "y": `, 1)
	keys := map[string]int{}
	err := jsonstream.Stream(context.Background(), strings.NewReader(bad), "bad.json", schema(t),
		func() jsonstream.Builder[struct{}] { return jsonstream.Discard{} },
		jsonstream.Handler[struct{}]{Raw: func(key string, _ int, _ []byte) error { keys[key]++; return nil }},
		jsonstream.StreamOptions{Workers: 1, ChunkBytes: 1 << 20})
	require.Error(t, err)
	assert.Zero(t, keys["projects"], "the invalid element's chunk is not handed on")
	assert.Positive(t, keys["users"], "the valid arrays are")
}
