package main

import (
	"io"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/openai-casb/openai-casb/evaluator"
)

// policyFlags choose the policies: the built-in tree or --policies, plus
// --extra-policies, with --data over their thresholds.
func policyFlags(policiesUsage string) []cli.Flag {
	return []cli.Flag{
		&cli.StringFlag{Name: "policies", Usage: policiesUsage},
		&cli.StringSliceFlag{Name: "extra-policies", Usage: "also evaluate the Rego packages in `DIR` beside the built-in ones (repeatable; they may import data.openai.lib and data.openai.config)"},
		&cli.StringFlag{Name: "data", Usage: "merge the thresholds of `FILE` (JSON or YAML object) under data.openai.config, e.g. admin_key_rotation_days: 30"},
	}
}

// selectFlags choose the finding types evaluated.
func selectFlags() []cli.Flag {
	return []cli.Flag{
		&cli.StringFlag{Name: "only", Usage: "evaluate only these `TYPES`: finding type ids or category names, comma-separated"},
		&cli.StringFlag{Name: "skip", Usage: "do not evaluate these `TYPES`: finding type ids or category names, comma-separated"},
	}
}

// policyOptions reads the policy flags into engine options.
func policyOptions(c *cli.Context, stderr io.Writer) (evaluator.Options, error) {
	o := evaluator.Options{
		PolicyDir:       c.String("policies"),
		ExtraPolicyDirs: c.StringSlice("extra-policies"),
		PrintOutput:     stderr,
		// Only commands that evaluate have the flag; the others never
		// let policies reach the network.
		AllowNet: c.Bool("allow-net"),
	}
	if path := c.String("data"); path != "" {
		data, err := evaluator.ReadData(path)
		if err != nil {
			return o, err
		}
		o.Data, o.DataFile = data, path
	}
	split := func(s string) []string {
		var out []string
		for _, part := range strings.Split(s, ",") {
			if part = strings.TrimSpace(part); part != "" {
				out = append(out, part)
			}
		}
		return out
	}
	if c.IsSet("only") || c.IsSet("skip") {
		o.Only, o.Skip = split(c.String("only")), split(c.String("skip"))
	}
	return o, nil
}
