// Package confine tells whether a relative path, resolved as the operating
// system would resolve it, stays inside a directory: not absolute, no ".."
// leading out of it, and no symbolic link on the way (a parent directory or
// the file itself) leading out of it.
//
// It is a check made before writing, not a sandbox: it sees the directory
// as it is when called. It is meant for paths that come from files in a
// directory someone else may have written (a repository's checkout), which
// do not change while the command runs.
package confine

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"unicode/utf8"
)

// Error says why a path does not stay inside the directory.
type Error struct {
	Path   string // the path as given
	Reason string // what leads out, e.g. "it is an absolute path"
}

func (e *Error) Error() string { return e.Path + ": " + e.Reason }

// Check returns nil when path, relative to dir, names a place inside dir
// (dir itself included), and an *Error saying why not otherwise. The
// longest prefix of path that exists is resolved with its symbolic links
// (as the kernel walks it: "link/.." is the parent of the link's target,
// not dir); the rest, which does not exist yet, is taken as written. A
// link that leads nowhere is refused, since what it would create could be
// anywhere. Other errors (dir unreadable) are returned as they are.
func Check(dir, path string) error {
	if path == "" {
		return &Error{path, "it is empty"}
	}
	if filepath.IsAbs(path) || filepath.VolumeName(path) != "" || strings.HasPrefix(path, string(filepath.Separator)) {
		return &Error{path, "it is an absolute path"}
	}
	if !filepath.IsLocal(path) {
		return &Error{path, "it leads out of the directory with .."}
	}
	root, err := resolvedDir(dir)
	if err != nil {
		return err
	}
	parts := strings.FieldsFunc(path, func(r rune) bool { return r < utf8.RuneSelf && os.IsPathSeparator(uint8(r)) })
	// The longest prefix that exists, not cleaned: "a/.." must be walked
	// through a, which may be a link.
	n := 0
	for n < len(parts) {
		if _, err := os.Lstat(joinRaw(dir, parts[:n+1])); err != nil {
			break
		}
		n++
	}
	resolved := root
	if n > 0 {
		// Name the first link on the way that leads out, when one does.
		for i := 1; i <= n; i++ {
			prefix := joinRaw(dir, parts[:i])
			r, err := filepath.EvalSymlinks(prefix)
			if err != nil {
				if errors.Is(err, fs.ErrNotExist) {
					return &Error{path, fmt.Sprintf("%s is a symbolic link that leads nowhere", strings.Join(parts[:i], string(filepath.Separator)))}
				}
				return fmt.Errorf("resolve %s: %w", path, err)
			}
			if r, err = filepath.Abs(r); err != nil {
				return err
			}
			if !inside(root, r) {
				return &Error{path, fmt.Sprintf("%s leads to %s, out of the directory through a symbolic link", strings.Join(parts[:i], string(filepath.Separator)), r)}
			}
			resolved = r
		}
	}
	// What does not exist yet is created as written, ".." included.
	if full := filepath.Join(append([]string{resolved}, parts[n:]...)...); !inside(root, full) {
		return &Error{path, "it leads out of the directory with .."}
	}
	return nil
}

// resolvedDir is dir, absolute, with its own symbolic links resolved, so
// that paths resolved below it compare with it.
func resolvedDir(dir string) (string, error) {
	r, err := filepath.EvalSymlinks(dir)
	if err != nil {
		return "", fmt.Errorf("resolve the directory %s: %w", dir, err)
	}
	return filepath.Abs(r)
}

// joinRaw joins dir and parts without cleaning, so the system resolves
// each ".." after the link before it, as it would when writing.
func joinRaw(dir string, parts []string) string {
	return dir + string(filepath.Separator) + strings.Join(parts, string(filepath.Separator))
}

// inside reports whether p is root or below it; both are absolute and clean.
func inside(root, p string) bool {
	rel, err := filepath.Rel(root, p)
	return err == nil && (rel == "." || filepath.IsLocal(rel))
}
