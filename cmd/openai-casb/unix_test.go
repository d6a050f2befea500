//go:build unix

package main

import (
	"bufio"
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// runMainEnv makes the test binary run main() instead of the tests, so a
// test can send a real process real signals.
const runMainEnv = "OPENAI_CASB_TEST_RUN_MAIN"

func TestMain(m *testing.M) {
	if os.Getenv(runMainEnv) == "1" {
		os.Args = append([]string{toolName}, os.Args[1:]...)
		main()
		return
	}
	os.Exit(m.Run())
}

// runawayPolicies holds a policy that never finishes, printing first (see
// the file).
const runawayPolicies = "../../fixtures/policies/runaway"

// Row 4: SIGINT and SIGTERM during a policy that never ends stop the
// process at once, with exit 2 and "interrupted".
func TestSignalsStopARunawayEvaluation(t *testing.T) {
	dir := runawayPolicies
	for _, sig := range []syscall.Signal{syscall.SIGINT, syscall.SIGTERM} {
		t.Run(sig.String(), func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute) // a guard, not a timing
			defer cancel()
			cmd := exec.CommandContext(ctx, os.Args[0], "evaluate", clean, "--policies", dir, "--eval-timeout", "0")
			cmd.Env = append(os.Environ(), runMainEnv+"=1")
			stderr, err := cmd.StderrPipe()
			require.NoError(t, err)
			require.NoError(t, cmd.Start())
			var rest bytes.Buffer
			var wg sync.WaitGroup
			started := make(chan struct{})
			wg.Add(1)
			go func() {
				defer wg.Done()
				sc := bufio.NewScanner(stderr)
				once := sync.Once{}
				for sc.Scan() {
					if strings.Contains(sc.Text(), "runaway started") {
						once.Do(func() { close(started) })
					}
					rest.WriteString(sc.Text() + "\n")
				}
			}()
			select {
			case <-started:
			case <-ctx.Done():
				t.Fatal("the policy never started")
			}
			require.NoError(t, cmd.Process.Signal(sig))
			// Read standard error to its end before Wait, which closes it.
			wg.Wait()
			err = cmd.Wait()
			require.NoError(t, ctx.Err(), "the process ignored %s", sig)
			var ee *exec.ExitError
			require.ErrorAs(t, err, &ee)
			assert.Equal(t, exitError, ee.ExitCode())
			assert.Contains(t, rest.String(), "openai-casb: interrupted\n")
		})
	}
}

// Row 4: --eval-timeout ends a runaway policy with a message naming it;
// the in-process twin of the signal test cancels the command's context.
func TestEvalTimeoutAndCancellation(t *testing.T) {
	dir := runawayPolicies
	r := runCLI(t, "", "evaluate", clean, "--policies", dir, "--eval-timeout", "300ms")
	assert.Equal(t, exitError, r.code)
	assert.Contains(t, r.stderr, "evaluate data.acme.runaway.deny: the policy did not finish within 300ms")
	assert.Contains(t, r.stderr, "(--eval-timeout;")

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var out bytes.Buffer
	e := &env{stdin: strings.NewReader(""), stdout: &out, stderr: cancelingWriter{cancel}, getenv: func(string) string { return "" }}
	code := run(ctx, []string{toolName, "evaluate", clean, "--policies", dir}, e)
	assert.Equal(t, exitError, code)
}

// cancelingWriter cancels the command at its first line of output (the
// policy's print).
type cancelingWriter struct{ cancel context.CancelFunc }

func (c cancelingWriter) Write(p []byte) (int, error) {
	c.cancel()
	return len(p), nil
}

func mkfifo(path string) error { return syscall.Mkfifo(path, 0o600) }

// Row 5: a key file must be a regular file (or a link to one), and only
// its first 4 KiB are ever read: a FIFO or /dev/zero fails at once.
func TestKeyFileMustBeASmallRegularFile(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "key")
	require.NoError(t, os.WriteFile(good, []byte(testKey+"\n"), 0o600))
	link := filepath.Join(dir, "link")
	require.NoError(t, os.Symlink(good, link))
	big := filepath.Join(dir, "big")
	require.NoError(t, os.WriteFile(big, bytes.Repeat([]byte("k"), 5000), 0o600))
	fifo := filepath.Join(dir, "fifo")
	require.NoError(t, mkfifo(fifo))
	e := &env{stderr: &bytes.Buffer{}, getenv: func(string) string { return "" }}
	for file, want := range map[string]string{
		os.DevNull:  "it is not a regular file",
		"/dev/zero": "it is not a regular file",
		fifo:        "it is not a regular file",
		dir:         "it is not a regular file",
		big:         "larger than 4 KiB",
	} {
		_, _, err := readKey(file, envAdminKey, e)
		assert.ErrorContains(t, err, want, file)
	}
	for _, file := range []string{good, link} {
		key, from, err := readKey(file, envAdminKey, e)
		require.NoError(t, err)
		assert.Equal(t, testKey, key)
		assert.Equal(t, "key file "+file, from)
	}
	r := runCLI(t, "", "collect", "--admin-key-file", "/dev/zero", "-o", filepath.Join(dir, "inv.json"))
	assert.Equal(t, exitError, r.code)
	assert.Contains(t, r.stderr, "/dev/zero: it is not a regular file")
}

// A user policy calling http.send fails to load (exit 2, naming the file
// and --allow-net) unless --allow-net.
func TestAllowNetFlag(t *testing.T) {
	dir := t.TempDir()
	runaway, err := os.ReadFile(filepath.Join(runawayPolicies, "runaway.rego"))
	require.NoError(t, err)
	policy := strings.ReplaceAll(string(runaway), "print(\"runaway started\")", `http.send({"method": "GET", "url": "http://127.0.0.1:1/"})`)
	require.NotEqual(t, string(runaway), policy)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "net.rego"), []byte(policy), 0o600))
	r := runCLI(t, "", "evaluate", acme, "--policies", dir)
	assert.Equal(t, exitError, r.code)
	assert.Contains(t, r.stderr, "net.rego:")
	assert.Contains(t, r.stderr, "unless --allow-net is given")
	r = runCLI(t, "", "evaluate", acme, "--policies", dir, "--allow-net", "--eval-timeout", "100ms")
	assert.NotContains(t, r.stderr, "--allow-net is given", "loaded")
}
