// Package spectest lets tests hold the collector and the simulator to the
// official OpenAPI document of the Admin API: it compiles each route's
// response schema, hands out the spec's own example bodies, and generates
// random responses the schemas allow. The document is reference data beside
// the repository (../shared/reference/openai-admin-openapi.json, MIT, ©
// OpenAI); tests that need it skip, saying where to put it, when it is
// absent. It is for tests only.
package spectest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"sync"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// Path is where the spec is looked for: ../shared/reference beside the
// repository's root.
func Path() string {
	_, self, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(self), "..", "..", "..", "shared", "reference", "openai-admin-openapi.json")
}

// Spec is the loaded document.
type Spec struct {
	doc      map[string]any
	compiler *jsonschema.Compiler
	mu       sync.Mutex
	schemas  map[string]*jsonschema.Schema
}

const specURL = "https://spec.invalid/openai-admin-openapi.json"

var (
	loadOnce sync.Once
	loaded   *Spec
	loadErr  error
)

// Load reads the spec once per test binary, or skips the test with a
// message saying where to put it.
func Load(t testing.TB) *Spec {
	t.Helper()
	loadOnce.Do(func() { loaded, loadErr = load(Path()) })
	if os.IsNotExist(loadErr) {
		t.Skipf("the official OpenAPI document is not at %s: put openai-admin-openapi.json (from openai/openai-openapi, cut to /organization paths) in ../shared/reference/ beside the repository to run this test", Path())
	}
	if loadErr != nil {
		t.Fatalf("load the OpenAPI document: %v", loadErr)
	}
	return loaded
}

func load(path string) (*Spec, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft2020)
	if err := c.AddResource(specURL, doc); err != nil {
		return nil, err
	}
	var plain map[string]any
	if err := json.Unmarshal(raw, &plain); err != nil {
		return nil, err
	}
	return &Spec{doc: plain, compiler: c, schemas: map[string]*jsonschema.Schema{}}, nil
}

func escape(path string) string {
	return strings.ReplaceAll(strings.ReplaceAll(path, "~", "~0"), "/", "~1")
}

// responsePointer is the JSON pointer of a GET route's schema for status.
func responsePointer(path string, status int) string {
	return fmt.Sprintf("#/paths/%s/get/responses/%d/content/application~1json/schema", escape(path), status)
}

// Validate checks body against the 200 response schema of GET path (a spec
// path such as /organization/projects/{project_id}/users).
func (s *Spec) Validate(path string, body []byte) error { return s.ValidateStatus(path, 200, body) }

// ValidateStatus checks body against the response schema the spec gives GET
// path for status.
func (s *Spec) ValidateStatus(path string, status int, body []byte) error {
	key := fmt.Sprint(path, " ", status)
	s.mu.Lock()
	sch, ok := s.schemas[key]
	if !ok {
		var err error
		sch, err = s.compiler.Compile(specURL + responsePointer(path, status))
		if err != nil {
			s.mu.Unlock()
			return fmt.Errorf("compile the %d response schema of GET %s: %w", status, path, err)
		}
		s.schemas[key] = sch
	}
	s.mu.Unlock()
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("GET %s: the body is not JSON: %w", path, err)
	}
	return sch.Validate(v)
}

// trailingComma matches a comma before a closing brace or bracket, the one
// defect that keeps some of the spec's examples from being JSON.
var trailingComma = regexp.MustCompile(`,(\s*[}\]])`)

// Example is the x-oaiMeta response example of GET path. repaired says the
// example was not JSON as written and had its trailing commas removed; an
// example that is not JSON even then is an error.
func (s *Spec) Example(path string) (body []byte, repaired bool, err error) {
	get, _ := s.get(path)
	meta, _ := get["x-oaiMeta"].(map[string]any)
	examples, _ := meta["examples"].(map[string]any)
	text, ok := examples["response"].(string)
	if !ok {
		return nil, false, fmt.Errorf("GET %s has no x-oaiMeta response example", path)
	}
	if json.Valid([]byte(text)) {
		return []byte(text), false, nil
	}
	fixed := trailingComma.ReplaceAllString(text, "$1")
	if !json.Valid([]byte(fixed)) {
		return nil, false, fmt.Errorf("GET %s: the example is not JSON, even without trailing commas", path)
	}
	return []byte(fixed), true, nil
}

func (s *Spec) get(path string) (map[string]any, bool) {
	paths, _ := s.doc["paths"].(map[string]any)
	item, _ := paths[path].(map[string]any)
	get, ok := item["get"].(map[string]any)
	return get, ok
}

// HasGet reports whether the spec documents GET path.
func (s *Spec) HasGet(path string) bool {
	_, ok := s.get(path)
	return ok
}

// ItemProperties lists the properties the spec gives the items of GET
// path's list (its data array).
func (s *Spec) ItemProperties(path string) []string {
	item := s.itemSchema(path)
	props, _ := item["properties"].(map[string]any)
	out := make([]string, 0, len(props))
	for k := range props {
		out = append(out, k)
	}
	return out
}

// ItemPropertyPaths lists the path of every property the spec gives the
// items of GET path's list, nested ones included: member names, "[]" for
// the elements of an array, through anyOf, oneOf and allOf branches. For a
// route that answers one object (no data array), the object is the item.
func (s *Spec) ItemPropertyPaths(path string) [][]string {
	var out [][]string
	var walk func(v any, at []string, depth int)
	walk = func(v any, at []string, depth int) {
		m := s.resolve(v)
		if m == nil || depth > 8 {
			return
		}
		for _, alt := range []string{"anyOf", "oneOf", "allOf"} {
			branches, _ := m[alt].([]any)
			for _, b := range branches {
				walk(b, at, depth+1)
			}
		}
		if items, ok := m["items"]; ok {
			walk(items, append(append([]string{}, at...), "[]"), depth+1)
		}
		props, _ := m["properties"].(map[string]any)
		for k, p := range props {
			here := append(append([]string{}, at...), k)
			out = append(out, here)
			walk(p, here, depth+1)
		}
	}
	walk(s.itemSchema(path), nil, 0)
	return out
}

// OpenPaths lists the paths (members joined by ".", "[]" for array
// elements: "created_by_user_obj", "metadata") of the objects the spec
// leaves open (additionalProperties) in the items of GET path: any member
// there is documented.
func (s *Spec) OpenPaths(path string) map[string]bool {
	out := map[string]bool{}
	var walk func(v any, at string, depth int)
	walk = func(v any, at string, depth int) {
		m := s.resolve(v)
		if m == nil || depth > 8 {
			return
		}
		if ap, ok := m["additionalProperties"]; ok && ap != false {
			out[at] = true
		}
		for _, alt := range []string{"anyOf", "oneOf", "allOf"} {
			branches, _ := m[alt].([]any)
			for _, b := range branches {
				walk(b, at, depth+1)
			}
		}
		if items, ok := m["items"]; ok {
			walk(items, at+"[]", depth+1)
		}
		props, _ := m["properties"].(map[string]any)
		for k, p := range props {
			here := k
			if at != "" {
				here = at + "." + k
			}
			walk(p, here, depth+1)
		}
	}
	walk(s.itemSchema(path), "", 0)
	return out
}

// itemSchema is the schema of the items of GET path's data array, or of
// the whole answer when it has none.
func (s *Spec) itemSchema(path string) map[string]any {
	get, _ := s.get(path)
	resp := s.resolve(dig(get, "responses", "200", "content", "application/json", "schema"))
	data := s.resolve(dig(resp, "properties", "data"))
	if data == nil {
		return resp
	}
	return s.resolve(data["items"])
}

func dig(v any, keys ...string) any {
	for _, k := range keys {
		m, _ := v.(map[string]any)
		v = m[k]
	}
	return v
}

// resolve follows a local $ref.
func (s *Spec) resolve(v any) map[string]any {
	m, _ := v.(map[string]any)
	for i := 0; i < 32; i++ {
		ref, ok := m["$ref"].(string)
		if !ok {
			return m
		}
		var cur any = s.doc
		for _, part := range strings.Split(strings.TrimPrefix(ref, "#/"), "/") {
			part = strings.ReplaceAll(strings.ReplaceAll(part, "~1", "/"), "~0", "~")
			cur = dig(cur, part)
		}
		m, _ = cur.(map[string]any)
	}
	return m
}
