package main

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestDidYouMean(t *testing.T) {
	cases := []struct {
		name string
		args []string
		want string // in the one-line error; "" for no suggestion
	}{
		{"command typo", []string{"scna"}, `unknown command "scna" (did you mean scan?)`},
		{"another command typo", []string{"evalute", acme}, `(did you mean evaluate?)`},
		{"nothing close", []string{"frobnicate"}, `unknown command "frobnicate" (see --help for the commands)`},
		{"subcommand typo", []string{"policies", "lsit"}, `policies: unknown command "lsit" (did you mean list?)`},
		{"flag typo", []string{"evaluate", acme, "--sevrity", "high"}, `-sevrity (did you mean --severity?)`},
		{"flag of another command", []string{"collect", "--fail-onn", "high"}, `-fail-onn (see --help)`},
		{"flag nothing close", []string{"evaluate", acme, "--frobnicate"}, `-frobnicate (see --help)`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := runCLI(t, "", c.args...)
			assert.Equal(t, exitError, r.code)
			assert.Empty(t, r.stdout)
			assert.Contains(t, r.stderr, c.want)
			assert.Equal(t, 1, countLines(r.stderr), r.stderr)
		})
	}
}

func countLines(s string) int {
	n := 0
	for _, c := range s {
		if c == '\n' {
			n++
		}
	}
	return n
}
