package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/openai-casb/openai-casb/evaluator"
	"github.com/openai-casb/openai-casb/inventory"
	"github.com/openai-casb/openai-casb/report"
)

// evaluateParams are the evaluate command's options, parsed and checked
// before any work starts.
type evaluateParams struct {
	inventory string
	policyDir string
	format    string
	output    string
	failOn    evaluator.Severity
	now       *time.Time
}

// reportFlags are shared by every command that writes a report.
func reportFlags() []cli.Flag {
	return []cli.Flag{
		&cli.StringFlag{Name: "policies", Usage: "evaluate the Rego policies in `DIR` instead of the built-in ones (start from `policies export`)"},
		&cli.StringFlag{Name: "format", Aliases: []string{"f"}, Value: "table", Usage: "output `FORMAT`: " + strings.Join(report.Formats, ", ")},
		&cli.StringFlag{Name: "output", Aliases: []string{"o"}, Usage: "write the report to `FILE` (mode 0600, replaced atomically) instead of standard output"},
		&cli.StringFlag{Name: "fail-on", Value: "none", Usage: "exit 1 when a finding is at or above `SEVERITY`: critical, high, medium, low, or none"},
		&cli.StringFlag{Name: "now", Usage: "measure ages from `TIME` (RFC 3339, e.g. 2026-11-26T00:00:00Z) instead of the inventory's collected_at"},
	}
}

func evaluateCommand(e *env) *cli.Command {
	return &cli.Command{
		Name:      "evaluate",
		Usage:     "evaluate a saved inventory against the policies",
		ArgsUsage: "INVENTORY",
		Description: "Reads INVENTORY (a file, or - for standard input), validates it against the inventory\n" +
			"schema, evaluates the policies and writes the findings.\n\n" + exitCodesHelp,
		Flags: reportFlags(),
		Action: func(c *cli.Context) error {
			if c.NArg() != 1 {
				return usageError("evaluate: want exactly one INVENTORY argument (a file, or - for standard input), got %d", c.NArg())
			}
			p, err := parseReportFlags(c)
			if err != nil {
				return err
			}
			p.inventory = c.Args().First()
			return runEvaluate(c.Context, p, e)
		},
	}
}

func parseReportFlags(c *cli.Context) (evaluateParams, error) {
	p := evaluateParams{
		policyDir: c.String("policies"),
		format:    c.String("format"),
		output:    c.String("output"),
	}
	if _, err := report.New(p.format); err != nil {
		return p, usageError("--format: %v", err)
	}
	if f := c.String("fail-on"); !strings.EqualFold(f, "none") {
		s, err := evaluator.ParseSeverity(f)
		if err != nil {
			return p, usageError("--fail-on: %v, or none", err)
		}
		p.failOn = s
	}
	if n := c.String("now"); n != "" {
		t, err := time.Parse(time.RFC3339, n)
		if err != nil {
			return p, usageError("--now %q: want an RFC 3339 time such as 2026-11-26T00:00:00Z", n)
		}
		p.now = &t
	}
	return p, nil
}

func runEvaluate(ctx context.Context, p evaluateParams, e *env) error {
	engine, err := evaluator.New(ctx, evaluator.Options{PolicyDir: p.policyDir, PrintOutput: e.stderr})
	if err != nil {
		return withExit(exitError, err)
	}
	in, err := readInventory(p.inventory, e)
	if err != nil {
		return withExit(exitError, err)
	}
	return finish(ctx, engine, in, p, e)
}

// finish evaluates a read inventory, writes the report and decides the exit
// code: the part evaluate and scan share.
func finish(ctx context.Context, engine *evaluator.Engine, in *evaluator.Input, p evaluateParams, e *env) error {
	findings, err := engine.Evaluate(ctx, in, evaluator.EvalOptions{Now: p.now})
	if err != nil {
		return withExit(exitError, err)
	}
	r := &report.Report{
		Tool:        report.Tool{Name: toolName, Version: version},
		Inventory:   in.Header,
		EvaluatedAt: in.Header.CollectedAt,
		Findings:    findings,
		Catalog:     engine.Catalog(),
	}
	if p.now != nil {
		r.EvaluatedAt = p.now.Unix()
	}
	if err := writeReport(p, r, e); err != nil {
		return withExit(exitError, err)
	}
	return gate(findings, p.failOn)
}

// gate turns findings into the exit code --fail-on asks for.
func gate(findings []evaluator.Finding, failOn evaluator.Severity) error {
	if failOn == evaluator.SeverityNone {
		return nil
	}
	n := 0
	for _, f := range findings {
		if f.Severity >= failOn {
			n++
		}
	}
	if n == 0 {
		return nil
	}
	return withExit(exitFindings, fmt.Errorf("%d finding(s) at or above %s (--fail-on %s)", n, failOn, failOn))
}

func writeReport(p evaluateParams, r *report.Report, e *env) error {
	w, err := report.New(p.format)
	if err != nil {
		return err
	}
	if p.output == "" || p.output == "-" {
		bw := bufio.NewWriter(e.stdout)
		if err := w.Write(bw, r); err != nil {
			return fmt.Errorf("write report: %w", err)
		}
		return bw.Flush()
	}
	var sb strings.Builder
	if err := w.Write(&sb, r); err != nil {
		return fmt.Errorf("write report: %w", err)
	}
	if err := inventory.WriteFileAtomic(p.output, []byte(sb.String()), 0o600); err != nil {
		return err
	}
	fmt.Fprintf(e.stderr, "wrote %s: %s\n", p.output, report.Summary(r.Findings))
	return nil
}

// readInventory streams and converts the inventory at path ("-" for
// standard input). A JSON syntax error in a file gets its line and column.
func readInventory(path string, e *env) (*evaluator.Input, error) {
	if path == "-" {
		return evaluator.ReadInput(bufio.NewReaderSize(e.stdin, 1<<20), "-")
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("read inventory: %w", err)
	}
	defer f.Close()
	in, err := evaluator.ReadInput(bufio.NewReaderSize(f, 1<<20), path)
	if err != nil {
		if _, serr := f.Seek(0, io.SeekStart); serr == nil {
			err = inventory.LocateReader(err, f)
		}
		return nil, err
	}
	return in, nil
}
