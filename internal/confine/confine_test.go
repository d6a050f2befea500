package confine_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/openai-casb/openai-casb/internal/confine"
)

func TestCheck(t *testing.T) {
	// base/dir is the directory checked; base/outside is beside it.
	base := t.TempDir()
	dir := filepath.Join(base, "dir")
	outside := filepath.Join(base, "outside")
	for _, d := range []string{dir, outside, filepath.Join(dir, "sub", "deep"), filepath.Join(outside, "deep")} {
		require.NoError(t, os.MkdirAll(d, 0o755))
	}
	require.NoError(t, os.WriteFile(filepath.Join(dir, "report.json"), nil, 0o600))
	require.NoError(t, os.WriteFile(filepath.Join(outside, "target"), nil, 0o600))
	links := map[string]string{
		"out":         outside,                                // a directory out of it
		"out-rel":     "../outside",                           // the same, relative
		"target-link": filepath.Join(outside, "target"),       // a file out of it
		"in":          "sub/deep",                             // a directory inside
		"in-file":     "report.json",                          // a file inside
		"dangling":    filepath.Join(outside, "no-such-file"), // nothing yet, out of it
		"sub/up":      "..",                                   // dir itself
		"sub/deep-up": "../../outside/deep",                   // out, from below
		"back":        filepath.Join(outside, "deep"),         // for back/../..: out, then up
		"self":        ".",                                    // dir itself: self/.. is its parent
	}
	for link, to := range links {
		require.NoError(t, os.Symlink(to, filepath.Join(dir, link)))
	}

	cases := []struct {
		path   string
		reason string // "" when inside
	}{
		{"report.json", ""},
		{"new.json", ""},
		{"./new.json", ""},
		{".", ""},
		{"sub/deep/new.json", ""},
		{"sub/../new.json", ""},
		{"sub/new-dir/new.json", ""}, // created as written
		{"new-dir/../new.json", ""},  // created, then left, still inside
		{"in/new.json", ""},          // a link that stays inside
		{"in-file", ""},              // a link to a file inside
		{"sub/up/new.json", ""},      // a link back to dir
		{"", "it is empty"},
		{"/etc/passwd", "it is an absolute path"},
		{filepath.Join(outside, "target"), "it is an absolute path"},
		{"../outside/target", "it leads out of the directory with .."},
		{"sub/../../outside/target", "it leads out of the directory with .."},
		{"out", "out leads to " + outside + ", out of the directory through a symbolic link"},
		{"out/new.json", "out leads to " + outside + ", out of the directory through a symbolic link"},
		{"out-rel/target", "out-rel leads to " + outside + ", out of the directory through a symbolic link"},
		{"target-link", "target-link leads to " + filepath.Join(outside, "target") + ", out of the directory through a symbolic link"},
		{"dangling", "dangling is a symbolic link that leads nowhere"},
		{"sub/deep-up/x", "sub/deep-up leads to " + filepath.Join(outside, "deep") + ", out of the directory through a symbolic link"},
		// The kernel resolves in/.. as the parent of in's target
		// (dir/sub), not dir: still inside.
		{"in/../new.json", ""},
		// back/.. is outside, though "back/../x" cleans to "x".
		{"back/../x", "back leads to " + filepath.Join(outside, "deep") + ", out of the directory through a symbolic link"},
		// self is inside, but self/.. is dir's parent.
		{"self/../outside/target", "self/.. leads to " + base + ", out of the directory through a symbolic link"},
		// A new directory then .. past the existing prefix.
		{"sub/new-dir/../../../x", "it leads out of the directory with .."},
	}
	for _, c := range cases {
		t.Run(c.path, func(t *testing.T) {
			err := confine.Check(dir, c.path)
			if c.reason == "" {
				assert.NoError(t, err)
				return
			}
			var ce *confine.Error
			require.ErrorAs(t, err, &ce)
			assert.Equal(t, c.path, ce.Path)
			assert.Equal(t, c.reason, ce.Reason)
			assert.Equal(t, c.path+": "+c.reason, err.Error())
		})
	}
}

// The directory may itself be reached through a link (macOS's /tmp, a
// checkout under a linked home): paths below it are still inside.
func TestCheckThroughALinkedDirectory(t *testing.T) {
	base := t.TempDir()
	real := filepath.Join(base, "real")
	require.NoError(t, os.MkdirAll(filepath.Join(real, "sub"), 0o755))
	linked := filepath.Join(base, "linked")
	require.NoError(t, os.Symlink(real, linked))
	require.NoError(t, os.Symlink("sub", filepath.Join(real, "in")))
	assert.NoError(t, confine.Check(linked, "in/x.json"))
	assert.NoError(t, confine.Check(linked, "sub/x.json"))

	t.Chdir(linked)
	assert.NoError(t, confine.Check(".", "in/x.json"))
	var ce *confine.Error
	assert.ErrorAs(t, confine.Check(".", "../real/x"), &ce)
}

func TestCheckAMissingDirectory(t *testing.T) {
	err := confine.Check(filepath.Join(t.TempDir(), "nope"), "x")
	require.Error(t, err)
	var ce *confine.Error
	assert.NotErrorAs(t, err, &ce, "not the path's fault")
}
