package main

import (
	"fmt"

	"github.com/urfave/cli/v2"

	"github.com/openai-casb/openai-casb/evaluator"
)

func policiesTestCommand(e *env) *cli.Command {
	return &cli.Command{
		Name:      "test",
		Usage:     "run Rego tests with the embedded OPA: the built-in ones, or those in DIR... (no Go, no opa binary needed)",
		ArgsUsage: "[DIR...]",
		Description: "Without DIR, runs the built-in policies' tests. With DIRs, runs the tests in them (files\n" +
			"ending in _test.rego), their policies loaded beside the built-in ones, which they may import\n" +
			"(data.openai.lib, data.openai.config, and the builders of data.openai.testdata_test). A DIR that\n" +
			"holds a whole exported tree (its own openai.lib) is tested in place of the built-ins.\n" +
			"Prints OPA's usual report. Exit codes: 0 every test passed, 1 a test failed, 2 an error\n" +
			"(a file that does not parse or compile, a test that errs, no test found).",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "policies", Usage: "use the policies in `DIR` instead of the built-in ones"},
			&cli.BoolFlag{Name: "verbose", Aliases: []string{"v"}, Usage: "list every test and its print() output, not only failures"},
			&cli.StringFlag{Name: "run", Aliases: []string{"r"}, Usage: "run only the tests whose name (data.PACKAGE.test_NAME) matches `REGEX`"},
		},
		Action: func(c *cli.Context) error {
			sum, err := evaluator.RunTests(c.Context, evaluator.TestOptions{
				PolicyDir: c.String("policies"),
				Dirs:      c.Args().Slice(),
				Run:       c.String("run"),
				Verbose:   c.Bool("verbose"),
				Output:    e.stdout,
				Notes:     e.stderr,
			})
			if err != nil {
				return err
			}
			switch {
			case sum.Error > 0:
				return fmt.Errorf("policies test: %d test(s) ended in an error", sum.Error)
			case sum.Fail > 0:
				return withExit(exitFindings, fmt.Errorf("policies test: %d test(s) failed", sum.Fail))
			case sum.Pass == 0:
				return fmt.Errorf("policies test: no test ran: a test is a rule named test_... in a _test.rego file (or --run matched none)")
			}
			return nil
		},
	}
}
