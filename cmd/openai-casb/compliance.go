package main

import (
	"time"

	"github.com/urfave/cli/v2"

	"github.com/openai-casb/openai-casb/evaluator"
	"github.com/openai-casb/openai-casb/report"
)

func complianceCommand(e *env) *cli.Command {
	return &cli.Command{
		Name:      "compliance",
		Usage:     "map the findings of an inventory onto a compliance framework: pass, fail or not assessed per control",
		ArgsUsage: "FRAMEWORK [INVENTORY]",
		Description: "FRAMEWORK is one of cis-v8, nist-csf-2.0, iso-27001-2022, soc2-2017, owasp-llm-2025 (or a\n" +
			"framework your own policies map in custom.frameworks). Every control the catalog maps is\n" +
			"listed: fail when a finding of a mapped type fired, not-assessed when none did but a list a\n" +
			"mapped finding type reads was not collected completely, pass otherwise. Without INVENTORY\n" +
			"(\"-\" reads standard input) the controls and their finding types are listed. Waivers do not\n" +
			"apply here. See docs/compliance.md.",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "policies", Usage: "read the policies in `DIR` instead of the built-in ones"},
			&cli.StringFlag{Name: "format", Aliases: []string{"f"}, Value: "table", Usage: "output `FORMAT`: table or json"},
			&cli.StringFlag{Name: "now", Usage: "measure ages from `TIME` (RFC 3339) instead of the inventory's collected_at"},
		},
		Action: func(c *cli.Context) error {
			if c.NArg() < 1 || c.NArg() > 2 {
				return usageError("compliance: want FRAMEWORK [INVENTORY], got %d arguments", c.NArg())
			}
			format := c.String("format")
			if format != "table" && format != "json" {
				return usageError("--format: unknown format %q: want table or json", format)
			}
			p := evaluateParams{inventory: c.Args().Get(1), policyDir: c.String("policies")}
			if s := c.String("now"); s != "" {
				t, err := time.Parse(time.RFC3339, s)
				if err != nil {
					return usageError("--now %q: want an RFC 3339 time such as 2026-11-26T00:00:00Z", s)
				}
				p.now = &t
			}
			engine, err := evaluator.New(c.Context, evaluator.Options{PolicyDir: p.policyDir, PrintOutput: e.stderr})
			if err != nil {
				return err
			}
			fw, err := evaluator.LookupFramework(c.Args().First(), engine.Catalog())
			if err != nil {
				return usageError("compliance: %v", err)
			}
			out := &report.Compliance{Framework: fw}
			var res *evaluator.Result
			if p.inventory != "" {
				if res, err = evaluateFile(c.Context, engine, p, e); err != nil {
					return err // exit 2, with the file and line of a bad inventory
				}
				out.Header = &res.Header
			}
			out.Controls = evaluator.ComplianceOf(fw, engine.Catalog(), res)
			if format == "json" {
				return report.WriteComplianceJSON(e.stdout, out)
			}
			return report.WriteComplianceTable(e.stdout, out)
		},
	}
}
