package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/openai-casb/openai-casb/report"
)

// TestBashCompletion sources the script in a real bash and asks it to
// complete, as the shell does on TAB.
func TestBashCompletion(t *testing.T) {
	bash, err := exec.LookPath("bash")
	if err != nil {
		t.Skip("bash is not installed")
	}
	for _, shell := range []string{"bash", "zsh"} {
		r := runCLI(t, "", "completion", shell)
		require.Equal(t, exitOK, r.code, r.stderr)
		require.Contains(t, r.stdout, "complete -o default -F _openai_casb openai-casb")
	}
	r := runCLI(t, "", "completion", "bash")
	script := filepath.Join(t.TempDir(), "openai-casb.bash")
	require.NoError(t, os.WriteFile(script, []byte(r.stdout), 0o600))
	cases := []struct {
		words []string
		want  string
	}{
		{[]string{"sc"}, "scan schema"},
		{[]string{"scan", "--fail"}, "--fail-on --fail-on-new"},
		{[]string{"evaluate", "inv.json", "--format", ""}, strings.Join(report.Formats, " ")},
		{[]string{"evaluate", "inv.json", "--fail-on", "h"}, "high"},
		{[]string{"policies", "l"}, "list"},
		{[]string{"policies", "list", "--fo"}, "--format"},
		{[]string{"--no-color", "ev"}, "evaluate"},
		{[]string{"completion", ""}, "bash zsh fish"},
		{[]string{"evaluate", "--output", ""}, ""}, // file names, from -o default
	}
	complete := func(t *testing.T, typed []string) string {
		t.Helper()
		words := append([]string{"openai-casb"}, typed...)
		quoted := make([]string, len(words))
		for i, w := range words {
			quoted[i] = shq(w)
		}
		prog := "set -eu\nsource " + shq(script) + "\nCOMP_WORDS=(" + strings.Join(quoted, " ") + ")\n" +
			"COMP_CWORD=$(( ${#COMP_WORDS[@]} - 1 ))\n_openai_casb\necho \"${COMPREPLY[*]}\"\n"
		out, err := exec.Command(bash, "--norc", "--noprofile", "-c", prog).CombinedOutput()
		require.NoError(t, err, string(out))
		return strings.TrimSpace(string(out))
	}
	t.Run("every command", func(t *testing.T) {
		// Other commands come and go; these must be there.
		got := strings.Fields(complete(t, []string{""}))
		assert.Subset(t, got, []string{"evaluate", "scan", "collect", "demo", "policies", "completion", "man", "version", "help"})
		assert.NotContains(t, got, "bash", "the shells are completion's arguments")
	})
	for _, c := range cases {
		t.Run(strings.Join(c.words, " "), func(t *testing.T) {
			assert.Equal(t, c.want, complete(t, c.words))
		})
	}
}

func TestFishCompletion(t *testing.T) {
	r := runCLI(t, "", "completion", "fish")
	require.Equal(t, exitOK, r.code, r.stderr)
	assert.Contains(t, r.stdout, "complete -c openai-casb")
	assert.Contains(t, r.stdout, "-a 'scan'")

	bad := runCLI(t, "", "completion", "tcsh")
	assert.Equal(t, exitError, bad.code)
	assert.Contains(t, bad.stderr, `unknown shell "tcsh"`)
}

// TestManPage renders the page with man when it is installed.
func TestManPage(t *testing.T) {
	r := runCLI(t, "", "man")
	require.Equal(t, exitOK, r.code, r.stderr)
	assert.Contains(t, r.stdout, ".TH openai-casb 1")
	for _, cmd := range []string{"evaluate", "scan", "collect", "completion"} {
		assert.Contains(t, r.stdout, cmd)
	}
	man, err := exec.LookPath("man")
	if err != nil {
		t.Skip("man is not installed: the roff is checked, not its rendering")
	}
	cmd := exec.Command(man, "-l", "-")
	cmd.Stdin = strings.NewReader(r.stdout)
	cmd.Env = append(os.Environ(), "MANPAGER=cat", "PAGER=cat", "MANWIDTH=100")
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	require.NoError(t, err, stderr.String())
	assert.Contains(t, string(out), "SYNOPSIS")
	assert.Empty(t, stderr.String(), "man or groff complained about the roff")
}
