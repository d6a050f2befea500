package main

import (
	"fmt"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/openai-casb/openai-casb/report"
)

// globalFlags stand before or after the command: `openai-casb --no-color
// scan` and `openai-casb scan --no-color` are the same (see interspersed).
func globalFlags() []cli.Flag {
	return []cli.Flag{
		&cli.StringFlag{Name: "config", Usage: "read flags from the YAML `FILE` (default: " + defaultConfigFile + " in the working directory, when present)"},
		&cli.BoolFlag{Name: "no-color", Usage: "no colour in the table report, even on a terminal (as does the NO_COLOR environment variable)"},
	}
}

func init() {
	cli.VersionFlag = &cli.BoolFlag{Name: "version", Aliases: []string{"v"}, Usage: "print the version, commit and build date"}
	cli.VersionPrinter = func(c *cli.Context) { fmt.Fprintln(c.App.Writer, versionLine()) }
}

// applyGlobalFlags keeps what the global flags say for the commands.
func applyGlobalFlags(e *env) cli.BeforeFunc {
	return func(c *cli.Context) error {
		cfg, err := loadConfig(c)
		if err != nil {
			return err
		}
		e.config = cfg
		if cfg != nil {
			if err := cfg.apply(c, nil, c.App.Flags); err != nil {
				return err
			}
		}
		e.noColor = e.noColor || c.Bool("no-color")
		return nil
	}
}

// formatList names the report formats for help texts: "table, json, sarif
// or github".
func formatList() string {
	f := report.Formats
	if len(f) < 2 {
		return strings.Join(f, "")
	}
	return strings.Join(f[:len(f)-1], ", ") + " or " + f[len(f)-1]
}

// guideSubcommands gives every command that only groups others an action
// that names the subcommand meant, instead of urfave/cli's "No help topic".
func guideSubcommands(cmds []*cli.Command) {
	for _, c := range cmds {
		if len(c.Subcommands) > 0 && c.Action == nil {
			sub := c.Subcommands
			c.Action = func(ctx *cli.Context) error {
				if ctx.NArg() == 0 {
					return cli.ShowSubcommandHelp(ctx)
				}
				return usageError("%s: %s", c.Name, commandHint(sub, ctx.Args().First()))
			}
		}
		guideSubcommands(c.Subcommands)
	}
}
