package evaluator

import (
	"context"
	"fmt"
	"io"
	"regexp"
	"strings"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/tester"
)

// TestOptions configure RunTests.
type TestOptions struct {
	// PolicyDir replaces the built-in policies, as in Options.
	PolicyDir string
	// Dirs are a user's directories of policies and tests. When given,
	// only their tests run; the built-in policies (and their test
	// builders, data.openai.testdata_test) are there for them to import.
	// A directory that holds its own openai.lib is a whole exported tree:
	// it replaces the built-in policies (unless PolicyDir is given).
	Dirs []string
	// Run, when set, runs only the tests whose name (data.PACKAGE.test_NAME)
	// the regular expression matches, as opa test --run does.
	Run string
	// Verbose lists every test, passed or not, with print() output.
	Verbose bool
	// Output receives OPA's usual report; Notes what RunTests decided.
	Output, Notes io.Writer
}

// TestSummary counts the tests that ran.
type TestSummary struct {
	Pass, Fail, Error, Skip int
}

// libPackage marks a whole policy tree.
var libPackage = ast.MustParseRef("data.openai.lib")

// isRegoFile selects every Rego file, tests included.
func isRegoFile(name string) bool { return strings.HasSuffix(name, ".rego") }

// RunTests runs Rego tests with the embedded OPA, exactly as stock opa test
// would over the same files (no custom built-ins, no schema), and writes
// OPA's report. Problems loading or compiling the files are returned as
// errors naming file and line; failing tests are counted, not errors.
func RunTests(ctx context.Context, o TestOptions) (TestSummary, error) {
	var sum TestSummary
	if o.Run != "" {
		if _, err := regexp.Compile(o.Run); err != nil {
			return sum, fmt.Errorf("--run %q: not a regular expression: %w", o.Run, err)
		}
	}
	notes := o.Notes
	if notes == nil {
		notes = io.Discard
	}
	user := map[string]*ast.Module{}
	baseDir := o.PolicyDir
	for _, dir := range o.Dirs {
		fsys, prefix, err := policyTree(dir)
		if err != nil {
			return sum, err
		}
		mods, err := parseTree(fsys, prefix, isRegoFile)
		if err != nil {
			return sum, err
		}
		for name, m := range mods {
			if baseDir == "" && m.Package.Path.Equal(libPackage) {
				baseDir = "-" // the user's tree is the base
				fmt.Fprintf(notes, "%s holds its own openai.lib: testing it in place of the built-in policies\n", dir)
			}
			user[name] = m
		}
	}
	modules := map[string]*ast.Module{}
	if baseDir != "-" {
		fsys, prefix, err := policyTree(o.PolicyDir)
		if err != nil {
			return sum, err
		}
		base, err := parseTree(fsys, prefix, isRegoFile)
		if err != nil {
			return sum, err
		}
		for name, m := range base {
			if len(o.Dirs) > 0 {
				// The user's tests run, not the built-in ones: the
				// builders of the built-in tests stay importable.
				m.Rules = dropTests(m.Rules)
			}
			modules[name] = m
		}
	}
	for name, m := range user {
		modules[name] = m
	}
	runner := tester.NewRunner().
		SetModules(modules).
		CapturePrintOutput(true).
		EnableTracing(o.Verbose).
		SetDefaultRegoVersion(ast.RegoV1).
		Filter(o.Run)
	ch, err := runner.RunTests(ctx, nil)
	if err != nil {
		return sum, &PolicyError{Problems: astProblems(err)}
	}
	counted := make(chan *tester.Result)
	go func() {
		defer close(counted)
		for r := range ch {
			switch {
			case r.Skip:
				sum.Skip++
			case r.Error != nil:
				sum.Error++
			case r.Fail:
				sum.Fail++
			default:
				sum.Pass++
			}
			counted <- r
		}
	}()
	rep := tester.PrettyReporter{Output: o.Output, Verbose: o.Verbose, FailureLine: true}
	if err := rep.Report(counted); err != nil {
		return sum, err
	}
	return sum, nil
}

func dropTests(rules []*ast.Rule) []*ast.Rule {
	out := rules[:0]
	for _, r := range rules {
		if !strings.HasPrefix(r.Head.Name.String(), "test_") && !strings.HasPrefix(r.Head.Name.String(), "todo_test_") {
			out = append(out, r)
		}
	}
	return out
}
