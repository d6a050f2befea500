package main

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/urfave/cli/v2"
	"github.com/xrash/smetrics"
)

// similarEnough is the Jaro-Winkler similarity above which a name is
// offered as what the user meant: "scna" is 0.93 from "scan", "frobnicate"
// under 0.7 from everything. urfave/cli's own Suggest always offers the
// closest name, however far; a wrong hint is worse than none.
const similarEnough = 0.85

// closest is the candidate most like got, or "" when none is similar enough.
func closest(got string, candidates []string) string {
	best, score := "", similarEnough
	for _, c := range candidates {
		// urfave/cli's own parameters: the same as its Suggest uses.
		if s := smetrics.JaroWinkler(strings.ToLower(got), c, 0.7, 4); s > score {
			best, score = c, s
		}
	}
	return best
}

// unknownCommand is the app's action: it runs only when the first argument
// names no command.
func unknownCommand(c *cli.Context) error {
	if c.NArg() == 0 {
		return cli.ShowAppHelp(c)
	}
	return usageError("%s", commandHint(c.App.Commands, c.Args().First()))
}

// commandHint says a command is unknown, and which one was meant.
func commandHint(cmds []*cli.Command, got string) string {
	var names []string
	for _, c := range cmds {
		if !c.Hidden {
			names = append(names, c.Names()...)
		}
	}
	msg := fmt.Sprintf("unknown command %q", got)
	if s := closest(got, names); s != "" {
		return msg + fmt.Sprintf(" (did you mean %s?)", s)
	}
	return msg + " (see --help for the commands)"
}

var undefinedFlag = regexp.MustCompile(`^flag provided but not defined: -+(.+)$`)

// flagHint adds "did you mean --x?" to an unknown-flag error, choosing
// among the flags of the command it was given to.
func flagHint(c *cli.Context, err error) string {
	m := undefinedFlag.FindStringSubmatch(err.Error())
	if m == nil || c == nil || c.Command == nil {
		return ""
	}
	var names []string
	for _, f := range c.Command.Flags {
		names = append(names, f.Names()...)
	}
	if c.Command.Name == "" || c.Command.Name == c.App.Name {
		for _, f := range c.App.Flags {
			names = append(names, f.Names()...)
		}
	}
	s := closest(m[1], names)
	if s == "" {
		return ""
	}
	if len(s) == 1 {
		return "did you mean -" + s + "?"
	}
	return "did you mean --" + s + "?"
}
