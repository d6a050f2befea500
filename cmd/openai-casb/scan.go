package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"

	"github.com/urfave/cli/v2"

	"github.com/openai-casb/openai-casb/collector"
	"github.com/openai-casb/openai-casb/evaluator"
	"github.com/openai-casb/openai-casb/internal/atomicfile"
	"github.com/openai-casb/openai-casb/inventory"
	"github.com/openai-casb/openai-casb/report"
)

func scanCommand(e *env) *cli.Command {
	flags := append(reportFlags(), collectFlags()...)
	flags = append(flags, saveInventoryFlag())
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
			p, err := parseReportFlags(c, e)
			if err != nil {
				return err
			}
			p.quiet = c.Bool("quiet")
			opts, err := collectOptions(c, e)
			if err != nil {
				return err
			}
			return runScan(c.Context, scanParams{
				report: p, collect: opts, quiet: c.Bool("quiet"), dlp: c.Bool("dlp"),
				saveInventory: c.String("save-inventory"), allowPartial: c.Bool("allow-partial"), collectAll: c.Bool("collect-all"),
			}, e)
		},
	}
}

func saveInventoryFlag() cli.Flag {
	return &cli.StringFlag{Name: "save-inventory", Usage: "also write the collected inventory to `FILE` (mode 0600); sarif, github and gitlab reports need it and default it to " + defaultInventoryFile}
}

type scanParams struct {
	report        evaluateParams
	collect       collector.Options
	quiet         bool
	saveInventory string
	allowPartial  bool
	collectAll    bool // read every list, not only those the policies read
	dlp           bool // every DLP profile, not only the enabled ones
}

func runScan(ctx context.Context, p scanParams, e *env) error {
	// Load the policies first: a broken policy tree should fail before a
	// long collection, not after.
	engine, err := evaluator.New(ctx, p.report.engine)
	if err != nil {
		return failed(p.report, nil, err, e)
	}
	noteMaterialized(engine, p.report, e)
	if p.collect.DLP, err = dlpFromPolicies(ctx, engine, p.dlp); err != nil {
		return err
	}
	p.collect.Sources = neededSources(engine, p.collectAll)
	base, err := readBaseline(p.report)
	if err != nil {
		return err
	}
	// Where the inventory goes is settled, and checked, before a long
	// collection: SARIF, GitLab and annotations (any of the run's reports)
	// point at lines of a file that must exist, so they save it by default.
	save := p.saveInventory
	artifactFormat, needsArtifact := p.report.needsArtifact()
	if save == "" && needsArtifact {
		save = defaultInventoryFile
		if err := checkDefaultWrite("save-inventory", save); err != nil {
			return err
		}
	}
	if save != "" {
		if err := atomicfile.Check(save); err != nil {
			return fmt.Errorf("--save-inventory: %w", err)
		}
	}
	inv, err := runCollect(ctx, p.collect, p.quiet, e)
	if err != nil {
		return err
	}
	raw, err := inventory.Marshal(inv)
	if err != nil {
		return err
	}
	name := "collected inventory"
	if p.saveInventory == "" && needsArtifact {
		fmt.Fprintf(e.stderr, "%s: --format %s points results at lines of the inventory: saving it as %s (choose with --save-inventory)\n", toolName, artifactFormat, save)
	}
	var artifact *report.Artifact
	if save != "" {
		if err := atomicfile.WriteFile(save, raw, 0o600); err != nil {
			return err
		}
		name = save
		if !p.quiet {
			fmt.Fprintf(e.stderr, "wrote %s: %s\n", save, describe(inv))
		}
		if needsArtifact {
			if artifact, err = artifactOf(save, p.report.sarifRoot, raw, e); err != nil {
				return err
			}
		}
	}
	res, err := engine.EvaluateReader(ctx, bytes.NewReader(raw), name, p.report.evalOptions())
	if err != nil {
		err = explainTimeout(err)
		var ve *inventory.ValidationError
		if errors.As(err, &ve) {
			return fmt.Errorf("the collected inventory is not valid (a bug: please report it): %w", err)
		}
		return failed(p.report, nil, err, e)
	}
	gateErr := finish(ctx, engine, res, base, artifact, p.report, e)
	if err := partialExit(inv, p.allowPartial); err != nil {
		return err
	}
	return gateErr
}
