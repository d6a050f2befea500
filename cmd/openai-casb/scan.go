package main

import (
	"bytes"
	"context"
	"fmt"

	"github.com/urfave/cli/v2"

	"github.com/openai-casb/openai-casb/collector"
	"github.com/openai-casb/openai-casb/evaluator"
	"github.com/openai-casb/openai-casb/inventory"
)

func scanCommand(e *env) *cli.Command {
	flags := append(reportFlags(), collectFlags()...)
	flags = append(flags, &cli.StringFlag{Name: "save-inventory", Usage: "also write the collected inventory to `FILE` (mode 0600)"})
	return &cli.Command{
		Name:  "scan",
		Usage: "collect, then evaluate, in one step",
		Description: "Collects as `collect` does (same credentials and flags) and evaluates as `evaluate` does\n" +
			"(same report flags). An incomplete collection is listed on standard error and in the report,\n" +
			"and exits 2 unless --allow-partial.\n\n" + exitCodesHelp,
		Flags: flags,
		Action: func(c *cli.Context) error {
			if c.NArg() != 0 {
				return usageError("scan takes no arguments")
			}
			p, err := parseReportFlags(c)
			if err != nil {
				return err
			}
			opts, err := collectOptions(c, e)
			if err != nil {
				return err
			}
			return runScan(c.Context, scanParams{
				report: p, collect: opts, quiet: c.Bool("quiet"),
				saveInventory: c.String("save-inventory"), allowPartial: c.Bool("allow-partial"),
			}, e)
		},
	}
}

type scanParams struct {
	report        evaluateParams
	collect       collector.Options
	quiet         bool
	saveInventory string
	allowPartial  bool
}

func runScan(ctx context.Context, p scanParams, e *env) error {
	// Load the policies first: a broken policy tree should fail before a
	// long collection, not after.
	engine, err := evaluator.New(ctx, evaluator.Options{PolicyDir: p.report.policyDir, PrintOutput: e.stderr})
	if err != nil {
		return withExit(exitError, err)
	}
	inv, err := runCollect(ctx, p.collect, p.quiet, e)
	if err != nil {
		return err
	}
	raw, err := inventory.Marshal(inv)
	if err != nil {
		return withExit(exitError, err)
	}
	name := "collected inventory"
	if p.saveInventory != "" {
		if err := inventory.WriteFileAtomic(p.saveInventory, raw, 0o600); err != nil {
			return withExit(exitError, err)
		}
		name = p.saveInventory
		if !p.quiet {
			fmt.Fprintf(e.stderr, "wrote %s: %s\n", p.saveInventory, describe(inv))
		}
	}
	in, err := evaluator.ReadInput(bytes.NewReader(raw), name)
	if err != nil {
		return withExit(exitError, fmt.Errorf("the collected inventory is not valid (a bug: please report it): %w", err))
	}
	gateErr := finish(ctx, engine, in, p.report, e)
	if err := partialExit(inv, p.allowPartial); err != nil {
		return err
	}
	return gateErr
}
