package main

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// runTTY runs a command line as if standard output and error were a
// terminal.
func runTTY(t *testing.T, environ map[string]string, args ...string) result {
	t.Helper()
	var out, errOut bytes.Buffer
	e := &env{stdin: strings.NewReader(""), stdout: &out, stderr: &errOut, getenv: func(k string) string { return environ[k] },
		tty:       func(io.Writer) bool { return true },
		newTicker: func(time.Duration) (<-chan time.Time, func()) { return nil, func() {} }}
	code := run(context.Background(), append([]string{toolName}, args...), e)
	return result{code: code, stdout: out.String(), stderr: errOut.String()}
}

func TestColor(t *testing.T) {
	cases := []struct {
		name    string
		environ map[string]string
		args    []string
		tty     bool
		color   bool
	}{
		{"a terminal", nil, nil, true, true},
		{"a pipe", nil, nil, false, false},
		{"NO_COLOR", map[string]string{"NO_COLOR": "1"}, nil, true, false},
		{"TERM=dumb", map[string]string{"TERM": "dumb"}, nil, true, false},
		{"--no-color before the command", nil, []string{"--no-color"}, true, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			args := append(append([]string{}, c.args...), "evaluate", acme)
			var r result
			if c.tty {
				r = runTTY(t, c.environ, args...)
			} else {
				r = runEnv(t, c.environ, "", args...)
			}
			require.Equal(t, exitOK, r.code, r.stderr)
			assert.Equal(t, c.color, strings.Contains(r.stdout, "\033["), r.stdout)
			if c.color {
				assert.Contains(t, r.stdout, "\033[31mHIGH (")
			}
		})
	}
	t.Run("--no-color after the command", func(t *testing.T) {
		r := runTTY(t, nil, "evaluate", acme, "--no-color")
		require.Equal(t, exitOK, r.code, r.stderr)
		assert.NotContains(t, r.stdout, "\033[")
	})
	t.Run("a report written to a file is never coloured", func(t *testing.T) {
		out := t.TempDir() + "/report.txt"
		r := runTTY(t, nil, "evaluate", acme, "-o", out)
		require.Equal(t, exitOK, r.code, r.stderr)
		assert.NotContains(t, readFile(t, out), "\033[")
	})
}

func TestFilteredCountsAreSaid(t *testing.T) {
	all := runCLI(t, "", "evaluate", acme, "--format", "json")
	require.Equal(t, exitOK, all.code)
	sev := severitiesOf(t, all.stdout)
	total := 0
	for _, n := range sev {
		total += n
	}
	require.Equal(t, 2, sev["critical"], "acme has two critical findings: the case below relies on it")

	r := runCLI(t, "", "evaluate", acme, "--severity", "critical")
	require.Equal(t, exitOK, r.code, r.stderr)
	assert.Contains(t, r.stdout, itoa(total-2)+" findings hidden by --severity critical")

	assert.NotContains(t, r.stdout, "No findings.\n")
	// audit-off.json has one high finding and no critical one.
	hidden := runCLI(t, "", "evaluate", filepath.Join(fixtures, "audit-off.json"), "--severity", "critical")
	require.Equal(t, exitOK, hidden.code, hidden.stderr)
	assert.Contains(t, hidden.stdout, "No findings shown.")
	assert.Contains(t, hidden.stdout, "hidden by --severity critical")

	r = runCLI(t, "", "evaluate", acme, "--severity", "high,medium")
	require.Equal(t, exitOK, r.code, r.stderr)
	assert.Contains(t, r.stdout, itoa(total-sev["high"]-sev["medium"])+" findings hidden by --severity high,medium")

	j := runCLI(t, "", "evaluate", acme, "--severity", "critical", "-f", "json")
	require.Equal(t, exitOK, j.code, j.stderr)
	assert.Contains(t, j.stderr, "openai-casb: note: "+itoa(total-2)+" findings hidden by --severity critical")

	none := runCLI(t, "", "evaluate", acme)
	assert.NotContains(t, none.stdout, "hidden")
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	return string(b)
}

func itoa(n int) string { return strconv.Itoa(n) }
