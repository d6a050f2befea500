package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/openai-casb/openai-casb/internal/sarifcheck"
)

// One demo run writes several reports, each a private file, each valid, all
// of the same findings.
func TestOutputFormatWritesEveryReport(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	files := map[string]string{
		"json":  filepath.Join(dir, "report.json"),
		"ocsf":  filepath.Join(dir, "findings.ocsf.jsonl"),
		"sarif": filepath.Join(dir, "r.sarif"),
		"csv":   filepath.Join(dir, "f,1.csv"), // a comma in the name stays in it
		"html":  filepath.Join(dir, "report.html"),
	}
	args := []string{"demo", "--format", "markdown"}
	for format, file := range files {
		args = append(args, "--output-format", format+"="+file)
	}
	r := runCLI(t, "", args...)
	require.Equal(t, exitOK, r.code, r.stderr)
	assert.Contains(t, r.stdout, "## openai-casb: ", "--format still goes to standard output")

	read := func(format string) string {
		st, err := os.Stat(files[format])
		require.NoError(t, err)
		assert.Equal(t, os.FileMode(0o600), st.Mode().Perm(), format)
		raw, err := os.ReadFile(files[format])
		require.NoError(t, err)
		assert.Contains(t, r.stderr, "wrote "+files[format]+": ")
		return string(raw)
	}
	var doc struct{ Findings []json.RawMessage }
	require.NoError(t, json.Unmarshal([]byte(read("json")), &doc))
	total := len(doc.Findings)
	require.Positive(t, total)

	assert.Len(t, checkOCSF(t, read("ocsf")), total)
	assert.Len(t, checkCSV(t, read("csv")), total)
	assert.Len(t, checkHTML(t, read("html")), total)
	sarif := read("sarif")
	sarifcheck.Check(t, []byte(sarif))
	var s sarifDoc
	require.NoError(t, json.Unmarshal([]byte(sarif), &s))
	assert.Len(t, s.Runs[0].Results, total)
	_, err := os.Stat(filepath.Join(dir, defaultInventoryFile))
	assert.NoError(t, err, "sarif among the outputs saves the inventory it points at")
}

func TestOutputFormatErrors(t *testing.T) {
	dir := t.TempDir()
	same := filepath.Join(dir, "same")
	cases := []struct {
		name string
		args []string
		want string
	}{
		{"no equals", []string{"--output-format", "sarif"}, `--output-format "sarif": want FORMAT=FILE`},
		{"no file", []string{"--output-format", "sarif="}, `want FORMAT=FILE`},
		{"unknown format", []string{"--output-format", "xml=x.xml"}, `--output-format xml=x.xml: unknown format "xml"`},
		{"a file twice", []string{"--output", same, "--output-format", "csv=" + same}, "is named twice (as table and as csv)"},
		{"standard output twice", []string{"--output-format", "csv=-"}, "standard output already receives the --format table report"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := runCLI(t, "", append([]string{"evaluate", acme}, c.args...)...)
			assert.Equal(t, exitError, r.code)
			assert.Contains(t, r.stderr, c.want)
			assert.Empty(t, r.stdout)
		})
	}
	r := runCLI(t, "{}", "evaluate", "-", "--output-format", "gitlab="+filepath.Join(dir, "g.json"))
	assert.Equal(t, exitError, r.code)
	assert.Contains(t, r.stderr, "--format gitlab points every result at a line of the inventory file")
}

// A report that cannot be written fails the run (exit 2) without keeping
// the others from being written, and leaves no partial file behind.
func TestOutputFormatOneFailureKeepsTheOthers(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "good.csv")
	bad := filepath.Join(dir, "missing", "bad.ocsf")
	r := runCLI(t, "", "evaluate", acme, "--output-format", "ocsf="+bad, "--output-format", "csv="+good)
	assert.Equal(t, exitError, r.code)
	assert.Contains(t, r.stderr, "bad.ocsf")
	assert.Len(t, checkCSV(t, readFile(t, good)), 47)
	_, err := os.Stat(bad)
	assert.ErrorIs(t, err, os.ErrNotExist)
}
