package main

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/openai-casb/openai-casb/simulator"
)

// A file the user did not name (collect's --output, the inventory a SARIF
// scan saves) is not written through a symbolic link of the checkout that
// leads out of the working directory: a repository can carry a link named
// openai-inventory.json. A link staying inside is followed, and the same
// link named with the flag is the user's choice and is written through.
func TestDefaultFilesAreNotWrittenOutsideTheWorkingDirectory(t *testing.T) {
	src := simulator.Generate(simulator.GenerateOptions{Users: 5, Seed: 3})
	base := startSimulator(t, src, simulator.Options{})
	urls := []string{"--api-base-url", base, "--compliance-base-url", base}
	const precious = "precious, not openai-casb's\n"
	for _, c := range []struct {
		name, flag string
		args       []string
	}{
		{"collect --output", "output", append([]string{"collect"}, urls...)},
		{"scan --save-inventory", "save-inventory", append([]string{"scan", "-f", "sarif", "-o", os.DevNull}, urls...)},
		{"scan --save-inventory for an --output-format", "save-inventory", append([]string{"scan", "-f", "json", "-o", os.DevNull, "--output-format", "sarif=r.sarif"}, urls...)},
	} {
		t.Run(c.name, func(t *testing.T) {
			b := t.TempDir()
			work, target := filepath.Join(b, "work"), filepath.Join(b, "outside")
			require.NoError(t, os.MkdirAll(filepath.Join(work, "sub"), 0o755))
			require.NoError(t, os.WriteFile(target, []byte(precious), 0o600))
			link := filepath.Join(work, defaultInventoryFile)
			require.NoError(t, os.Symlink(target, link))
			t.Chdir(work)

			r := runEnv(t, simEnv(src), "", c.args...)
			assert.Equal(t, exitError, r.code, r.stderr)
			assert.Contains(t, r.stderr, "--"+c.flag+": the default file would be written outside the working directory ("+defaultInventoryFile+": ")
			assert.Contains(t, r.stderr, "name the file with --"+c.flag+" FILE")
			got, err := os.ReadFile(target)
			require.NoError(t, err)
			assert.Equal(t, precious, string(got), "the file outside is untouched")

			// Named with the flag, the link is written through.
			r = runEnv(t, simEnv(src), "", append(c.args, "--"+c.flag, defaultInventoryFile)...)
			require.Contains(t, []int{exitOK, exitFindings}, r.code, r.stderr)
			got, err = os.ReadFile(target)
			require.NoError(t, err)
			assert.NotEqual(t, precious, string(got))

			// A default link staying inside is followed.
			inside := filepath.Join(work, "sub", "inv.json")
			require.NoError(t, os.WriteFile(inside, []byte(precious), 0o600))
			require.NoError(t, os.Remove(link))
			require.NoError(t, os.Symlink(filepath.Join("sub", "inv.json"), link))
			r = runEnv(t, simEnv(src), "", c.args...)
			require.Contains(t, []int{exitOK, exitFindings}, r.code, r.stderr)
			got, err = os.ReadFile(inside)
			require.NoError(t, err)
			assert.NotEqual(t, precious, string(got))
		})
	}
}
