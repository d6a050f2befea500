// Package action_test runs the GitHub Action's scripts as the runner
// would: install.sh against a loopback release server, run.sh with the
// real binary on the simulated organization.
package action_test

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v3"
)

func need(t *testing.T, tools ...string) {
	t.Helper()
	for _, tool := range tools {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s is not installed", tool)
		}
	}
}

// fakeArchive is a release archive holding an openai-casb that prints its name.
func fakeArchive(t *testing.T) []byte {
	t.Helper()
	var buf bytes.Buffer
	gz := gzip.NewWriter(&buf)
	tw := tar.NewWriter(gz)
	for _, f := range []struct {
		name string
		body string
		mode int64
	}{
		{"README.md", "readme\n", 0o644},
		{"openai-casb", "#!/bin/sh\necho fake openai-casb \"$@\"\n", 0o755},
	} {
		require.NoError(t, tw.WriteHeader(&tar.Header{Name: f.name, Mode: f.mode, Size: int64(len(f.body)), Typeflag: tar.TypeReg}))
		_, err := tw.Write([]byte(f.body))
		require.NoError(t, err)
	}
	require.NoError(t, tw.Close())
	require.NoError(t, gz.Close())
	return buf.Bytes()
}

func TestInstall(t *testing.T) {
	need(t, "bash", "curl", "tar", "sha256sum")
	archive := fakeArchive(t)
	sum := sha256.Sum256(archive)
	name := "openai-casb_1.2.3_linux_amd64.tar.gz"
	cases := []struct {
		name      string
		checksums string
		code      int
		stderr    string
	}{
		{"a good archive", hex.EncodeToString(sum[:]) + "  " + name + "\n" + strings.Repeat("0", 64) + "  other.zip\n", 0, ""},
		{"a tampered archive", strings.Repeat("ab", 32) + "  " + name + "\n", 1, "checksum mismatch for " + name},
		{"an archive not in checksums.txt", strings.Repeat("ab", 32) + "  other.tar.gz\n", 1, "is not in the release's checksums.txt"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			mux := http.NewServeMux()
			mux.HandleFunc("/v1.2.3/checksums.txt", func(w http.ResponseWriter, _ *http.Request) { fmt.Fprint(w, c.checksums) })
			mux.HandleFunc("/v1.2.3/"+name, func(w http.ResponseWriter, _ *http.Request) { w.Write(archive) })
			srv := httptest.NewServer(mux)
			defer srv.Close()
			dir := t.TempDir()
			cmd := exec.Command("bash", "install.sh")
			cmd.Env = append(os.Environ(), "VERSION=v1.2.3", "OS=Linux", "ARCH=X64", "RELEASE_BASE_URL="+srv.URL,
				"INSTALL_DIR="+dir, "GITHUB_PATH="+filepath.Join(dir, "path"))
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			err := cmd.Run()
			if c.code == 0 {
				require.NoError(t, err, stderr.String())
				out, err := exec.Command(filepath.Join(dir, "openai-casb"), "--version").Output()
				require.NoError(t, err)
				assert.Equal(t, "fake openai-casb --version\n", string(out))
				path, err := os.ReadFile(filepath.Join(dir, "path"))
				require.NoError(t, err)
				assert.Equal(t, dir+"\n", string(path), "the binary's directory goes on the job's PATH")
				return
			}
			var ee *exec.ExitError
			require.ErrorAs(t, err, &ee)
			assert.Equal(t, c.code, ee.ExitCode())
			assert.Contains(t, stderr.String(), c.stderr)
			assert.NoFileExists(t, filepath.Join(dir, "openai-casb"), "nothing is installed from an archive that failed its check")
		})
	}
}

func TestRunWritesEveryFormat(t *testing.T) {
	need(t, "bash")
	dir := t.TempDir()
	bin := filepath.Join(dir, "openai-casb")
	build := exec.Command("go", "build", "-o", bin, "../cmd/openai-casb")
	out, err := build.CombinedOutput()
	require.NoError(t, err, string(out))

	results := filepath.Join(dir, "results")
	outputs := filepath.Join(dir, "outputs")
	cmd := exec.Command("bash", "run.sh")
	cmd.Dir = "."
	cmd.Env = append(os.Environ(), "OPENAI_CASB="+bin, "COMMAND=demo", "FORMATS=sarif, json,table", "OUTPUT_DIR="+results,
		"FAIL_ON=high", "BASELINE="+filepath.Join(dir, "no-such-baseline.json"), "FAIL_ON_NEW=true", "GITHUB_OUTPUT="+outputs,
		"ARGS=--now 2026-12-01T00:00:00Z")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	err = cmd.Run()
	var ee *exec.ExitError
	require.ErrorAs(t, err, &ee, stderr.String())
	assert.Equal(t, 1, ee.ExitCode(), "the demo has high findings: --fail-on high exits 1\n%s", stderr.String())
	assert.Contains(t, stderr.String(), "no baseline at")
	for _, f := range []string{"openai-casb.sarif", "openai-casb.json", "openai-casb.txt", "openai-inventory.json"} {
		st, err := os.Stat(filepath.Join(results, f))
		require.NoError(t, err, f)
		assert.Positive(t, st.Size(), f)
	}
	got, err := os.ReadFile(outputs)
	require.NoError(t, err)
	for _, line := range []string{"exit-code=1", "results-dir=" + results, "sarif=" + results + "/openai-casb.sarif", "json=" + results + "/openai-casb.json"} {
		assert.Contains(t, string(got), line+"\n")
	}

	// The second run compares with the first: the simulated organization
	// is generated anew, so most findings are unchanged.
	second := exec.Command("bash", "run.sh")
	second.Env = append(os.Environ(), "OPENAI_CASB="+bin, "COMMAND=demo", "FORMATS=json", "OUTPUT_DIR="+filepath.Join(dir, "second"),
		"BASELINE="+filepath.Join(results, "openai-casb.json"), "ARGS=--now 2026-12-01T00:00:00Z")
	out, err = second.CombinedOutput()
	require.NoError(t, err, string(out))
	var doc struct {
		Findings []struct {
			State string `json:"baseline_state"`
		} `json:"findings"`
	}
	raw, err := os.ReadFile(filepath.Join(dir, "second", "openai-casb.json"))
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(raw, &doc))
	states := map[string]int{}
	for _, f := range doc.Findings {
		states[f.State]++
	}
	assert.Greater(t, states["unchanged"], len(doc.Findings)/2, "the baseline was applied: %v", states)

	bad := exec.Command("bash", "run.sh")
	bad.Env = append(os.Environ(), "OPENAI_CASB="+bin, "COMMAND=collect")
	require.Error(t, bad.Run())
	assert.Equal(t, 2, bad.ProcessState.ExitCode())
}

// TestActionYAML checks that action.yml is a composite action whose steps
// run scripts that exist, with every input passed on.
func TestActionYAML(t *testing.T) {
	raw, err := os.ReadFile("../action.yml")
	require.NoError(t, err)
	var a struct {
		Inputs map[string]struct {
			Required bool `yaml:"required"`
		} `yaml:"inputs"`
		Runs struct {
			Using string `yaml:"using"`
			Steps []struct {
				Run string            `yaml:"run"`
				Env map[string]string `yaml:"env"`
			} `yaml:"steps"`
		} `yaml:"runs"`
	}
	require.NoError(t, yaml.Unmarshal(raw, &a))
	assert.Equal(t, "composite", a.Runs.Using)
	assert.True(t, a.Inputs["version"].Required)
	used := map[string]bool{}
	for _, s := range a.Runs.Steps {
		script := strings.TrimSuffix(strings.TrimPrefix(s.Run, `bash "$GITHUB_ACTION_PATH/`), `"`)
		assert.FileExists(t, filepath.Join("..", script))
		for _, v := range s.Env {
			used[strings.TrimSuffix(strings.TrimPrefix(v, "${{ inputs."), " }}")] = true
		}
	}
	for name := range a.Inputs {
		assert.True(t, used[name], "input %s reaches no script", name)
	}
}
