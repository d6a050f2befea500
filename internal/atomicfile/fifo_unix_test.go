//go:build unix

package atomicfile_test

import (
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/openai-casb/openai-casb/internal/atomicfile"
)

// Row 1 of the hardening issue: a FIFO (like a character device) is
// written in place, never replaced by a regular file.
func TestFIFOIsWrittenInPlace(t *testing.T) {
	fifo := filepath.Join(t.TempDir(), "pipe")
	require.NoError(t, syscall.Mkfifo(fifo, 0o600))
	got := make(chan string, 1)
	go func() {
		r, err := os.Open(fifo)
		if err != nil {
			got <- "open: " + err.Error()
			return
		}
		defer r.Close()
		b, _ := io.ReadAll(r)
		got <- string(b)
	}()
	require.NoError(t, atomicfile.WriteFile(fifo, []byte("through the pipe"), 0o600))
	assert.Equal(t, "through the pipe", <-got)
	st, err := os.Lstat(fifo)
	require.NoError(t, err)
	assert.NotZero(t, st.Mode()&fs.ModeNamedPipe, "still a FIFO")
}
