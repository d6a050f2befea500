// Package atomicfile writes output files so that a reader never sees half
// of one: a regular file is written as a temporary file beside it, synced,
// and renamed over it only when complete. A character device or a FIFO
// (-o /dev/null, -o /dev/stdout, a named pipe) is written in place, since
// renaming over it would replace the device with a regular file; any other
// kind of file (a directory, a socket, a block device) is refused.
package atomicfile

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
)

// File is an output file being written: call Commit when it is complete,
// and Abort (deferred) in every case.
type File struct {
	*os.File
	path    string // the path the caller named, for messages
	target  string // the file the rename replaces; "" when in place
	inPlace bool
	done    bool
}

// kind is how path is written.
type kind int

const (
	replace kind = iota // a regular file, or none yet: atomically
	inPlace             // a character device or a FIFO
)

// classify says how path is written, and for a regular file reached
// through symbolic links, which file the rename replaces (the link stays a
// link). It refuses what cannot be written.
func classify(path string) (kind, string, error) {
	st, err := os.Stat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist), errors.Is(err, syscall.ENOTDIR):
		if _, lerr := os.Lstat(path); lerr == nil {
			return 0, "", fmt.Errorf("write %s: it is a symbolic link to a file that does not exist; remove the link or name another file", path)
		}
		return replace, path, dirOK(path)
	case err != nil:
		return 0, "", fmt.Errorf("write %s: %w", path, err)
	}
	m := st.Mode()
	switch {
	case m.IsRegular():
		target := path
		if lst, err := os.Lstat(path); err == nil && lst.Mode()&fs.ModeSymlink != 0 {
			if target, err = filepath.EvalSymlinks(path); err != nil {
				return 0, "", fmt.Errorf("write %s: %w", path, err)
			}
		}
		return replace, target, nil
	case m&fs.ModeCharDevice != 0, m&fs.ModeNamedPipe != 0:
		return inPlace, "", nil
	}
	what := "not a regular file, a character device or a FIFO"
	switch {
	case m.IsDir():
		what = "a directory"
	case m&fs.ModeSocket != 0:
		what = "a socket"
	case m&fs.ModeDevice != 0:
		what = "a block device"
	}
	return 0, "", fmt.Errorf("write %s: it is %s; name a file to write", path, what)
}

// dirOK checks that the directory a new file goes into exists.
func dirOK(path string) error {
	dir := filepath.Dir(path)
	st, err := os.Stat(dir)
	if errors.Is(err, syscall.ENOTDIR) {
		return fmt.Errorf("write %s: %s is not a directory", path, filepath.Dir(dir))
	}
	if errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("write %s: the directory %s does not exist; create it first", path, dir)
	}
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if !st.IsDir() {
		return fmt.Errorf("write %s: %s is not a directory", path, dir)
	}
	return nil
}

// Check reports, before any long work, whether path could be written:
// its directory exists and takes a new file, and it is not something
// Create refuses. It creates nothing that stays.
func Check(path string) error {
	k, target, err := classify(path)
	if err != nil || k == inPlace {
		return err
	}
	f, err := os.CreateTemp(filepath.Dir(target), "."+filepath.Base(target)+".*.check")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	f.Close()
	return os.Remove(f.Name())
}

// Create starts writing path with mode perm (for a new or replaced file).
func Create(path string, perm os.FileMode) (*File, error) {
	k, target, err := classify(path)
	if err != nil {
		return nil, err
	}
	if k == inPlace {
		f, err := os.OpenFile(path, os.O_WRONLY, 0)
		if err != nil {
			return nil, fmt.Errorf("write %s: %w", path, err)
		}
		return &File{File: f, path: path, inPlace: true}, nil
	}
	f, err := os.CreateTemp(filepath.Dir(target), "."+filepath.Base(target)+".*.tmp")
	if err != nil {
		return nil, fmt.Errorf("write %s: %w", path, err)
	}
	if err := f.Chmod(perm); err != nil {
		f.Close()
		os.Remove(f.Name())
		return nil, fmt.Errorf("write %s: %w", path, err)
	}
	return &File{File: f, path: path, target: target}, nil
}

// InPlace reports whether the file is written in place (a device or a
// FIFO): it cannot be read back or seeked.
func (f *File) InPlace() bool { return f.inPlace }

// Commit completes the file: a replaced file is synced and renamed over
// its path; a device or FIFO is closed.
func (f *File) Commit() error {
	if f.done {
		return nil
	}
	f.done = true
	if f.inPlace {
		if err := f.Close(); err != nil {
			return fmt.Errorf("write %s: %w", f.path, err)
		}
		return nil
	}
	err := f.Sync()
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(f.Name(), f.target)
	}
	if err != nil {
		os.Remove(f.Name())
		return fmt.Errorf("write %s: %w", f.path, err)
	}
	return nil
}

// Abort drops an uncommitted file: the temporary file is removed and the
// old file, if any, stays as it was. (What went to a device or a FIFO
// cannot be taken back.)
func (f *File) Abort() {
	if f.done {
		return
	}
	f.done = true
	f.Close()
	if !f.inPlace {
		os.Remove(f.Name())
	}
}

// WriteFile writes data to path as Create and Commit do.
func WriteFile(path string, data []byte, perm os.FileMode) error {
	f, err := Create(path, perm)
	if err != nil {
		return err
	}
	defer f.Abort()
	if _, err := f.Write(data); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return f.Commit()
}
