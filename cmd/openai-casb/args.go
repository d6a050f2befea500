package main

import (
	"slices"
	"strings"

	"github.com/urfave/cli/v2"
)

// interspersed moves a command's flags in front of its positional
// arguments. urfave/cli v2 stops reading flags at the first positional
// argument, but users write `evaluate inv.json --fail-on high` as the README
// does. A flag that takes a value keeps the token after it; "--" ends flags.
func interspersed(app *cli.App, args []string) []string {
	if len(args) < 2 {
		return args
	}
	out := []string{args[0]}
	rest := args[1:]
	// Global flags stand before the command; copy them unchanged.
	for len(rest) > 0 && strings.HasPrefix(rest[0], "-") && rest[0] != "-" {
		out = append(out, rest[0])
		takes := !strings.Contains(rest[0], "=") && flagTakesValue(app.Flags, strings.TrimLeft(rest[0], "-"))
		rest = rest[1:]
		if takes && len(rest) > 0 {
			out = append(out, rest[0])
			rest = rest[1:]
		}
	}
	cmds := app.Commands
	var cmd *cli.Command
	for len(rest) > 0 {
		next := findCommand(cmds, rest[0])
		if next == nil {
			break
		}
		cmd = next
		out = append(out, rest[0])
		rest = rest[1:]
		cmds = cmd.Subcommands
	}
	if cmd == nil {
		return args
	}
	var global, flags, positional []string
	for i := 0; i < len(rest); i++ {
		a := rest[i]
		if a == "--" {
			positional = append(positional, rest[i:]...)
			break
		}
		if !strings.HasPrefix(a, "-") || a == "-" {
			positional = append(positional, a)
			continue
		}
		name := strings.TrimLeft(a, "-")
		if i := strings.IndexByte(name, '='); i >= 0 {
			name = name[:i]
		}
		// A global flag after the command (scan --no-color) moves in
		// front of it, where urfave/cli looks for it.
		to := &flags
		if !hasFlag(cmd.Flags, name) && hasFlag(app.Flags, name) {
			to = &global
		}
		*to = append(*to, a)
		if !strings.Contains(a, "=") && flagTakesValue(slices.Concat(cmd.Flags, app.Flags), name) && i+1 < len(rest) {
			*to = append(*to, rest[i+1])
			i++
		}
	}
	if len(global) > 0 {
		head := append([]string{out[0]}, global...)
		out = append(head, out[1:]...)
	}
	out = append(out, flags...)
	return append(out, positional...)
}

func hasFlag(flags []cli.Flag, name string) bool {
	for _, f := range flags {
		if slices.Contains(f.Names(), name) {
			return true
		}
	}
	return false
}

func findCommand(cmds []*cli.Command, name string) *cli.Command {
	for _, c := range cmds {
		if c.HasName(name) {
			return c
		}
	}
	return nil
}

// flagTakesValue reports whether the named flag needs a value token.
func flagTakesValue(flags []cli.Flag, name string) bool {
	for _, f := range flags {
		for _, n := range f.Names() {
			if n != name {
				continue
			}
			if _, isBool := f.(*cli.BoolFlag); isBool {
				return false
			}
			return true
		}
	}
	return false
}
