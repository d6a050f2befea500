// Package schemacheck lets tests validate the reports they produce against
// the report-format schemas kept beside this repository, in
// ../shared/schemas (OCSF, GitLab). It is for tests only: a test whose
// schema is absent is skipped with a message saying where to put it.
package schemacheck

import (
	"bytes"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// Schema files of ../shared/schemas.
const (
	OCSFDetectionFinding = "ocsf-1.8.0-detection_finding.schema.json"
	GitLabSAST           = "gitlab-sast-report-format-15.2.1.json"
)

var (
	mu       sync.Mutex
	compiled = map[string]*jsonschema.Schema{}
)

// Dir is where the schemas are looked for: shared/schemas in the nearest
// ancestor of the repository that has it (../shared/schemas for a worktree
// beside shared).
func Dir() string {
	_, self, _, _ := runtime.Caller(0)
	repo := filepath.Join(filepath.Dir(self), "..", "..")
	for dir := filepath.Dir(repo); ; dir = filepath.Dir(dir) {
		if st, err := os.Stat(filepath.Join(dir, "shared", "schemas")); err == nil && st.IsDir() {
			return filepath.Join(dir, "shared", "schemas")
		}
		if filepath.Dir(dir) == dir {
			return filepath.Join(repo, "..", "shared", "schemas")
		}
	}
}

// Load compiles one schema of the shared directory, once per test binary,
// or skips the test when the file is absent.
func Load(t testing.TB, name string) *jsonschema.Schema {
	t.Helper()
	mu.Lock()
	defer mu.Unlock()
	if s, ok := compiled[name]; ok {
		return s
	}
	path := filepath.Join(Dir(), name)
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Skipf("schema %s not found (%v): put the report schemas in ../shared/schemas beside the repository to run this test", name, err)
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
	if err != nil {
		t.Fatalf("read schema %s: %v", path, err)
	}
	c := jsonschema.NewCompiler()
	if err := c.AddResource(path, doc); err != nil {
		t.Fatalf("add schema %s: %v", path, err)
	}
	s, err := c.Compile(path)
	if err != nil {
		t.Fatalf("compile schema %s: %v", path, err)
	}
	compiled[name] = s
	return s
}

// Validate fails the test unless raw, one JSON document, is valid against s.
func Validate(t testing.TB, s *jsonschema.Schema, raw []byte) {
	t.Helper()
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
	if err != nil {
		t.Fatalf("not JSON: %v\n%s", err, raw)
	}
	if err := s.Validate(doc); err != nil {
		t.Fatalf("invalid against %s: %v\n%s", s.Location, err, raw)
	}
}
