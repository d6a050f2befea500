package jsonstream

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/openai-casb/openai-casb/schemas"
)

var (
	testSchema     *Schema
	testSchemaErr  error
	testSchemaOnce sync.Once
)

// schemaValidator is the inventory schema, compiled once.
func schemaValidator() (*Schema, error) {
	testSchemaOnce.Do(func() { testSchema, testSchemaErr = Compile(schemas.Inventory, schemas.InventoryURL) })
	return testSchema, testSchemaErr
}

// fastParse runs the fast path alone on one element.
func fastParse(t testing.TB, key string, raw []byte) (any, bool) {
	v, err := schemaValidator()
	require.NoError(t, err)
	p := parser[any]{b: AnyBuilder{}}
	return p.parse(v.fast[key], raw)
}

// library is the reference: encoding/json with json.Number, then the
// schema library.
func library(t testing.TB, key string, raw []byte) (any, bool) {
	v, err := schemaValidator()
	require.NoError(t, err)
	doc, err := decodeAny(raw)
	if err != nil {
		return nil, false
	}
	// decodeAny reads one value; trailing bytes make the element invalid.
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var first any
	if dec.Decode(&first) != nil || dec.More() {
		return nil, false
	}
	if _, err := dec.Token(); err == nil {
		return nil, false
	}
	return doc, v.items[key].Validate(doc) == nil
}

// agree checks the fast path's promise: whatever it accepts, the library
// accepts, as the same value.
func agree(t testing.TB, key string, raw []byte) (fastOK bool) {
	got, ok := fastParse(t, key, raw)
	if !ok {
		return false
	}
	want, valid := library(t, key, raw)
	if !valid {
		t.Fatalf("%s: the fast path accepts what the library rejects:\n%s", key, raw)
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("%s: the fast path reads another value:\n%s\nfast:    %#v\nlibrary: %#v", key, raw, got, want)
	}
	return true
}

// elements returns every element of the resource arrays of a document.
func elements(t testing.TB, raw []byte) map[string][][]byte {
	var doc map[string]json.RawMessage
	require.NoError(t, json.Unmarshal(raw, &doc))
	out := map[string][][]byte{}
	v, err := schemaValidator()
	require.NoError(t, err)
	for _, key := range v.ResourceArrays() {
		var items []json.RawMessage
		if doc[key] != nil {
			require.NoError(t, json.Unmarshal(doc[key], &items))
		}
		for _, it := range items {
			out[key] = append(out[key], it)
		}
	}
	return out
}

func TestFastPathReadsEveryValidFixtureElement(t *testing.T) {
	for _, name := range []string{"acme.json", "clean.json"} {
		raw, err := os.ReadFile(filepath.Join("..", "..", "fixtures", "inventory", name))
		require.NoError(t, err)
		for key, items := range elements(t, raw) {
			for i, it := range items {
				if !agree(t, key, it) {
					t.Errorf("%s %s/%d: the fast path is unsure of a plain valid element:\n%s", name, key, i, it)
				}
			}
		}
	}
}

// mutate changes one random spot of a JSON element: a value's type, a
// missing or extra member, an out-of-range or fractional number, an enum
// value, escapes and non-ASCII text.
func mutate(r *rand.Rand, v any) any {
	switch x := v.(type) {
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		out := map[string]any{}
		for k, vv := range x {
			out[k] = vv
		}
		switch r.IntN(4) {
		case 0:
			if len(keys) > 0 {
				delete(out, keys[r.IntN(len(keys))])
			}
		case 1:
			out[[]string{"extra", "id2", "value"}[r.IntN(3)]] = "x"
		default:
			if len(keys) > 0 {
				k := keys[r.IntN(len(keys))]
				out[k] = mutate(r, x[k])
			}
		}
		return out
	case []any:
		out := append([]any{}, x...)
		switch {
		case len(out) > 0 && r.IntN(2) == 0:
			i := r.IntN(len(out))
			out[i] = mutate(r, out[i])
		case len(out) > 0 && r.IntN(2) == 0:
			out = append(out, out[0])
		default:
			out = append(out, "other")
		}
		return out
	}
	alternatives := []any{
		nil, true, false, json.Number("0"), json.Number("-1"), json.Number("1.0"), json.Number("1e3"),
		json.Number("253402300800"), json.Number("99999999999999999999"), json.Number("1795651200"),
		"", "owner", "reader", "pending", "gpt-store", "custom_action", "other", "é\u00e9 text", "tab\there", "quote\"d",
		"\U0001F600", "bad\xffutf8", map[string]any{}, []any{},
	}
	return alternatives[r.IntN(len(alternatives))]
}

func TestFastPathAgreesWithTheLibraryUnderMutation(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join("..", "..", "fixtures", "inventory", "acme.json"))
	require.NoError(t, err)
	r := rand.New(rand.NewPCG(1, 2))
	accepted, rejected := 0, 0
	for key, items := range elements(t, raw) {
		for _, it := range items {
			var v any
			dec := json.NewDecoder(bytes.NewReader(it))
			dec.UseNumber()
			require.NoError(t, dec.Decode(&v))
			for n := 0; n < 400; n++ {
				m := v
				for k := 0; k <= r.IntN(3); k++ {
					m = mutate(r, m)
				}
				mraw, err := json.Marshal(m)
				require.NoError(t, err)
				if agree(t, key, mraw) {
					accepted++
				} else {
					rejected++
				}
			}
		}
	}
	t.Logf("%d mutants accepted by the fast path (and by the library), %d handed to the library", accepted, rejected)
	require.Positive(t, accepted)
	require.Positive(t, rejected)
}

// Whitespace, key order and escapes that encoding/json writes differently
// still read the same.
func TestFastPathFormatting(t *testing.T) {
	cases := []string{
		"{ \"id\" : \"inv\" , \"email\":\"a@b\",\"role\":\"reader\",\"status\":\"pending\",\"created_at\": 1 ,\"expires_at\":null,\n\t\"projects\": [ ] }",
		`{"expires_at":null,"created_at":1,"status":"pending","role":"owner","email":"\u00e9\ud83d\ude00\n","id":"i\"d"}`,
		`{"id":"x","email":"a","role":"reader","status":"pending","created_at":0,"expires_at":253402300799,"projects":[{"role":"owner","id":"p"}]}`,
	}
	for _, c := range cases {
		require.True(t, agree(t, "invites", []byte(c)), c)
	}
	for _, c := range []string{
		`{"id":"x","email":"a","role":"reader","status":"pending","created_at":-1,"expires_at":null}`,
		`{"id":"x","email":"a","role":"reader","status":"pending","created_at":1.5,"expires_at":null}`,
		`{"id":"x","email":"a","role":"reader","status":"pending","created_at":1,"expires_at":null,"id":"y"}`,
		`{"id":"x","email":"a","role":"reader","status":"pending","created_at":1,"expires_at":null} x`,
		`{"id":"","email":"a","role":"reader","status":"pending","created_at":1,"expires_at":null}`,
	} {
		got, ok := fastParse(t, "invites", []byte(c))
		require.False(t, ok, "%s: %v", c, got)
	}
}

// The members of an API item this version does not know are kept in an
// extra object of any content: the fast path accepts them, nested objects,
// arrays and every JSON type included, as the library does; extra is still
// an object.
func TestFastPathAcceptsExtra(t *testing.T) {
	extra := `"extra":{"x_new":"v","owner.x_mfa":true,"projects[0].x":{"a":[1,2.5,null,{"b":"c"}],"d":{}},"n":null,"e":[]}`
	cases := map[string]string{
		"admin_api_keys": `{"id":"k","name":null,"created_at":1,"expires_at":null,"last_used_at":null,` + extra + `}`,
		"users":          `{"id":"u","email":null,"role":null,"added_at":1,"last_activity_at":null,"activity_signals":{"audit_log_login_at":null,"api_key_last_used_at":null,"owned_project_keys_last_used_at":null,"unavailable":[]},` + extra + `}`,
		"invites":        `{"id":"i","email":"a","role":"reader","status":"pending","created_at":1,"expires_at":null,"projects":[],` + extra + `}`,
		"gpts":           `{"id":"g","name":null,"visibility":"unknown","visibility_raw":null,"tools":[],"files":[],` + extra + `}`,
	}
	for key, c := range cases {
		require.True(t, agree(t, key, []byte(c)), "%s: %s", key, c)
		bad := strings.Replace(c, `"extra":{`, `"extra":["x",`, 1)
		bad = strings.Replace(bad, `"e":[]}`, `"e":[]]`, 1)
		got, ok := fastParse(t, key, []byte(bad))
		require.False(t, ok, "%s: extra must be an object: %v", key, got)
	}
}

// FuzzFastPath checks the fast path against the library on arbitrary bytes
// as elements of every resource array.
func FuzzFastPath(f *testing.F) {
	raw, err := os.ReadFile(filepath.Join("..", "..", "fixtures", "inventory", "acme.json"))
	if err != nil {
		f.Fatal(err)
	}
	var keys []string
	for key, items := range elements(f, raw) {
		keys = append(keys, key)
		for _, it := range items[:min(2, len(items))] {
			f.Add(it)
		}
	}
	sort.Strings(keys)
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, key := range keys {
			agree(t, key, data)
		}
	})
}

func ExampleAnyBuilder() {
	var got any
	s, _ := schemaValidator()
	err := Stream(context.Background(), strings.NewReader(`{"schema_version":1,"collected_at":1,"tool":{"name":"t","version":"1"},"organization":{"id":"o"},"workspace":null,"sources":{},"admin_api_keys":[],"projects":[],"users":[],"invites":[{"id":"i","email":"e","role":"owner","status":"pending","created_at":5,"expires_at":null}],"gpts":[]}`), "x.json",
		s, func() Builder[any] { return AnyBuilder{} }, Handler[any]{Elements: func(key string, i int, vs []any) error { got = vs[0]; return nil }}, StreamOptions{Workers: 1})
	fmt.Println(err, got.(map[string]any)["created_at"])
	// Output: <nil> 5
}

// The fast path checks names itself (jsontext's check is off for the
// elements): a duplicate anywhere in an element makes it give up, so that
// the slow path reports it, and the same element without the duplicate is
// read. Users are closed objects; their extra is open.
func TestFastPathGivesUpOnDuplicateNames(t *testing.T) {
	many := make([]string, 20)
	for i := range many {
		many[i] = fmt.Sprintf(`"x_%d":%d`, i, i)
	}
	user := func(member, extra string) string {
		return `{"id":"u",` + member + `"email":null,"role":null,"added_at":1,"last_activity_at":null,` +
			`"activity_signals":{"audit_log_login_at":null,"api_key_last_used_at":null,"owned_project_keys_last_used_at":null,"unavailable":[]},` +
			`"extra":{` + extra + `}}`
	}
	for name, tc := range map[string]struct{ clean, dup string }{
		"a schema name":                     {user(``, `"a":1`), user(`"id":"v",`, `"a":1`)},
		"a schema name, escaped":            {user(``, `"a":1`), user(`"\u0069d":"v",`, `"a":1`)},
		"an open object's name":             {user(``, `"a":1,"b":2`), user(``, `"a":1,"b":2,"a":3`)},
		"an open object's name, escaped":    {user(``, `"a":1,"b":2`), user(``, `"a":1,"b":2,"\u0061":3`)},
		"an open object's name, after many": {user(``, strings.Join(many, ",")), user(``, strings.Join(many, ",")+`,"x_3":0`)},
		"the last of many":                  {user(``, strings.Join(many, ",")), user(``, strings.Join(many, ",")+`,"x_19":0`)},
		"deeper in an open object":          {user(``, `"o":{"a":1,"b":{"c":1}}`), user(``, `"o":{"a":1,"b":{"c":1,"c":2}}`)},
	} {
		t.Run(name, func(t *testing.T) {
			_, ok := fastParse(t, "users", []byte(tc.clean))
			require.True(t, ok, "the element without the duplicate: %s", tc.clean)
			got, ok := fastParse(t, "users", []byte(tc.dup))
			require.False(t, ok, "read %v", got)
		})
	}
}

// prop against the map it stands in for, over the names of a user.
func BenchmarkPropLookup(b *testing.B) {
	v, err := schemaValidator()
	require.NoError(b, err)
	n := v.fast["users"]
	names := make([][]byte, len(n.propNames))
	for i, name := range n.propNames {
		names[i] = []byte(name)
	}
	b.Run("prop", func(b *testing.B) {
		for b.Loop() {
			for _, name := range names {
				if _, ok := n.prop(name); !ok {
					b.Fatal(string(name))
				}
			}
		}
	})
	index := map[string]int{}
	for i, name := range n.propNames {
		index[name] = i
	}
	b.Run("map", func(b *testing.B) {
		for b.Loop() {
			for _, name := range names {
				if _, ok := index[string(name)]; !ok {
					b.Fatal(string(name))
				}
			}
		}
	})
}
