package main

import "io"

// terminal says whether w is a terminal.
func (e *env) terminal(w io.Writer) bool {
	if e.tty != nil {
		return e.tty(w)
	}
	return isTerminal(w)
}

// color says whether to colour what goes to w: on a terminal only, and
// never with --no-color, NO_COLOR set to anything (no-color.org) or
// TERM=dumb.
func (e *env) color(w io.Writer) bool {
	return !e.noColor && e.getenv("NO_COLOR") == "" && e.getenv("TERM") != "dumb" && e.terminal(w)
}
