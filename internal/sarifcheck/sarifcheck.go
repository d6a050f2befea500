// Package sarifcheck lets tests validate the SARIF files they produce with
// ../shared/tools/sarifcheck: the OASIS SARIF 2.1.0 schema and GitHub code
// scanning's ingestion rules. It is for tests only.
package sarifcheck

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
)

var (
	once sync.Once
	bin  string
	err  error
)

// Check fails the test unless raw is a SARIF file code scanning accepts.
func Check(t testing.TB, raw []byte) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "report.sarif")
	if err := os.WriteFile(path, raw, 0o600); err != nil {
		t.Fatal(err)
	}
	CheckFile(t, path)
}

// CheckFile is Check for a file already on disk.
func CheckFile(t testing.TB, path string) {
	t.Helper()
	out, err := exec.Command(build(t), path).CombinedOutput()
	if err != nil || !strings.HasPrefix(string(out), "OK") {
		t.Fatalf("sarifcheck rejects %s:\n%s", path, out)
	}
}

// build compiles the checker once per test binary. It lives beside this
// repository, in ../shared/tools/sarifcheck; a clone placed deeper finds it
// in the nearest ancestor that has shared/tools/sarifcheck.
func build(t testing.TB) string {
	t.Helper()
	once.Do(func() {
		_, self, _, _ := runtime.Caller(0)
		repo := filepath.Join(filepath.Dir(self), "..", "..")
		src := filepath.Join(repo, "..", "shared", "tools", "sarifcheck")
		for dir := filepath.Dir(repo); ; dir = filepath.Dir(dir) {
			if st, e := os.Stat(filepath.Join(dir, "shared", "tools", "sarifcheck")); e == nil && st.IsDir() {
				src = filepath.Join(dir, "shared", "tools", "sarifcheck")
				break
			}
			if filepath.Dir(dir) == dir {
				break
			}
		}
		var dir string
		if dir, err = os.MkdirTemp("", "sarifcheck"); err != nil {
			return
		}
		bin = filepath.Join(dir, "sarifcheck")
		cmd := exec.Command("go", "build", "-o", bin, ".")
		cmd.Dir = src
		if out, e := cmd.CombinedOutput(); e != nil {
			err = fmt.Errorf("build %s: %v\n%s", src, e, out)
		}
	})
	if err != nil {
		t.Fatalf("sarifcheck: %v", err)
	}
	return bin
}
