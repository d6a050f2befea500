package evaluator

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"github.com/open-policy-agent/opa/v1/ast"

	"github.com/openai-casb/openai-casb/policies"
	"github.com/openai-casb/openai-casb/schemas"
)

// EmbeddedPolicies names the built-in policy tree in errors and file names.
const EmbeddedPolicies = "policies"

// isPolicyFile reports whether name is a policy to evaluate: Rego, and not a
// test (tests run under `opa test`; their packages produce no findings).
func isPolicyFile(name string) bool {
	return strings.HasSuffix(name, ".rego") && !strings.HasSuffix(name, "_test.rego")
}

// policyTree returns the tree to load and the prefix its file names get in
// messages: the embedded policies, or the user's directory.
func policyTree(dir string) (fs.FS, string, error) {
	if dir == "" {
		return policies.FS, EmbeddedPolicies, nil
	}
	st, err := os.Stat(dir)
	if err != nil {
		return nil, "", fmt.Errorf("load policies: %w", err)
	}
	if !st.IsDir() {
		return nil, "", fmt.Errorf("load policies: %s is not a directory", dir)
	}
	return os.DirFS(dir), filepath.Clean(dir), nil
}

// parseModules parses every policy file of the tree, all of them, so that a
// user sees every syntax error at once.
func parseModules(fsys fs.FS, prefix string) (map[string]*ast.Module, error) {
	return parseTree(fsys, prefix, isPolicyFile)
}

// parseTree parses every file of the tree that keep selects.
func parseTree(fsys fs.FS, prefix string, keep func(name string) bool) (map[string]*ast.Module, error) {
	modules := map[string]*ast.Module{}
	var problems []string
	err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			// Hidden directories (.git, editor state) hold no policies.
			if p != "." && strings.HasPrefix(d.Name(), ".") {
				return fs.SkipDir
			}
			return nil
		}
		if !keep(d.Name()) {
			return nil
		}
		src, err := fs.ReadFile(fsys, p)
		if err != nil {
			return err
		}
		name := path.Join(filepath.ToSlash(prefix), p)
		mod, err := ast.ParseModuleWithOpts(name, string(src), ast.ParserOptions{
			ProcessAnnotation: true,
			RegoVersion:       ast.RegoV1,
		})
		if err != nil {
			problems = append(problems, astProblems(err)...)
			return nil
		}
		modules[name] = mod
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("load policies from %s: %w", prefix, err)
	}
	if len(problems) > 0 {
		return nil, &PolicyError{Problems: problems}
	}
	if len(modules) == 0 {
		return nil, fmt.Errorf("load policies: no .rego files (other than tests) in %s", prefix)
	}
	return modules, nil
}

// compile compiles the modules with input typed by the inventory schema, so
// that a policy reading a field the inventory does not have is an error at
// load time, not a finding silently never raised.
// NetworkBuiltins are the built-in functions that reach the network. A
// policy may not call them unless Options.AllowNet: policies are shared
// and run beside API keys, and an evaluation must not send the inventory
// anywhere.
var NetworkBuiltins = []string{"http.send", "net.lookup_ip_addr"}

// capabilities are OPA's capabilities of this version, less the network
// built-ins unless allowNet.
func capabilities(allowNet bool) *ast.Capabilities {
	caps := ast.CapabilitiesForThisVersion()
	if allowNet {
		return caps
	}
	kept := caps.Builtins[:0]
	for _, b := range caps.Builtins {
		if !slices.Contains(NetworkBuiltins, b.Name) {
			kept = append(kept, b)
		}
	}
	caps.Builtins = kept
	caps.AllowNet = []string{} // and http.send, if ever let in, reaches no host
	return caps
}

func compile(modules map[string]*ast.Module, allowNet bool) (*ast.Compiler, error) {
	var schemaDoc any
	if err := json.Unmarshal(schemas.Inventory, &schemaDoc); err != nil {
		return nil, fmt.Errorf("read inventory schema: %w", err)
	}
	ss := ast.NewSchemaSet()
	ss.Put(ast.SchemaRootRef, schemaDoc)
	c := ast.NewCompiler().
		WithCapabilities(capabilities(allowNet)).
		WithSchemas(ss).
		WithEnablePrintStatements(true).
		WithUseTypeCheckAnnotations(true)
	c.Compile(modules)
	if c.Failed() {
		problems := astProblems(c.Errors)
		if !allowNet {
			for i, p := range problems {
				for _, b := range NetworkBuiltins {
					if strings.Contains(p, "undefined function "+b) {
						problems[i] = p + " (" + b + " reaches the network, which policies may not unless --allow-net is given)"
					}
				}
			}
		}
		return nil, &PolicyError{Problems: problems}
	}
	return c, nil
}

// astProblems renders OPA errors as "file:line: code: message" lines.
func astProblems(err error) []string {
	errs, ok := err.(ast.Errors)
	if !ok {
		return []string{err.Error()}
	}
	out := make([]string, 0, len(errs))
	for _, e := range errs {
		if e.Location != nil {
			out = append(out, fmt.Sprintf("%s:%d: %s: %s", e.Location.File, e.Location.Row, e.Code, e.Message))
		} else {
			out = append(out, fmt.Sprintf("%s: %s", e.Code, e.Message))
		}
	}
	sort.Strings(out)
	return out
}
