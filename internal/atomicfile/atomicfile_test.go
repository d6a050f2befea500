package atomicfile_test

import (
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/openai-casb/openai-casb/internal/atomicfile"
)

func TestNewAndReplacedRegularFiles(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "out.json")
	require.NoError(t, atomicfile.WriteFile(path, []byte("one"), 0o600))
	st, err := os.Stat(path)
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o600), st.Mode().Perm())

	// An aborted write leaves the old file as it was, and no temporary.
	f, err := atomicfile.Create(path, 0o600)
	require.NoError(t, err)
	_, err = f.WriteString("half")
	require.NoError(t, err)
	f.Abort()
	assertContent(t, path, "one")
	entries, _ := os.ReadDir(dir)
	assert.Len(t, entries, 1, "no temporary file left")

	require.NoError(t, atomicfile.WriteFile(path, []byte("two"), 0o600))
	assertContent(t, path, "two")
}

// A symbolic link to a regular file stays a link; the file it names is
// replaced.
func TestSymlinkToARegularFileStaysALink(t *testing.T) {
	dir := t.TempDir()
	target := filepath.Join(dir, "real.json")
	require.NoError(t, os.WriteFile(target, []byte("old"), 0o600))
	link := filepath.Join(dir, "link.json")
	require.NoError(t, os.Symlink(target, link))
	require.NoError(t, atomicfile.WriteFile(link, []byte("new"), 0o600))
	lst, err := os.Lstat(link)
	require.NoError(t, err)
	assert.NotZero(t, lst.Mode()&fs.ModeSymlink)
	assertContent(t, target, "new")

	dangling := filepath.Join(dir, "dangling")
	require.NoError(t, os.Symlink(filepath.Join(dir, "nowhere"), dangling))
	assert.ErrorContains(t, atomicfile.WriteFile(dangling, nil, 0o600), "symbolic link to a file that does not exist")
}

func TestDevNullIsWrittenInPlace(t *testing.T) {
	require.NoError(t, atomicfile.Check(os.DevNull))
	require.NoError(t, atomicfile.WriteFile(os.DevNull, []byte("discarded"), 0o600))
	st, err := os.Lstat(os.DevNull)
	require.NoError(t, err)
	assert.NotZero(t, st.Mode()&fs.ModeCharDevice, "still the device")
}

func TestOtherKindsOfFileAreRefused(t *testing.T) {
	dir := t.TempDir()
	sock := filepath.Join(dir, "s.sock")
	ln, err := net.Listen("unix", sock)
	require.NoError(t, err)
	t.Cleanup(func() { ln.Close() })
	for path, want := range map[string]string{
		dir:  "it is a directory",
		sock: "it is a socket",
	} {
		_, err := atomicfile.Create(path, 0o600)
		assert.ErrorContains(t, err, want)
		assert.ErrorContains(t, atomicfile.Check(path), want)
	}
	st, err := os.Lstat(sock)
	require.NoError(t, err)
	assert.NotZero(t, st.Mode()&fs.ModeSocket, "left alone")
}

// Row 13: a missing directory is found by Check, before any work.
func TestCheckFindsAMissingDirectory(t *testing.T) {
	dir := t.TempDir()
	err := atomicfile.Check(filepath.Join(dir, "missing", "out.json"))
	assert.ErrorContains(t, err, "missing does not exist; create it first")
	file := filepath.Join(dir, "file")
	require.NoError(t, os.WriteFile(file, nil, 0o600))
	assert.ErrorContains(t, atomicfile.Check(filepath.Join(file, "out.json")), "is not a directory")
	require.NoError(t, atomicfile.Check(filepath.Join(dir, "new.json")))
	entries, _ := os.ReadDir(dir)
	assert.Len(t, entries, 1, "Check leaves nothing behind")
}

func assertContent(t *testing.T, path, want string) {
	t.Helper()
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.Equal(t, want, string(b))
}
