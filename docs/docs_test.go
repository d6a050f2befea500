// Package docs_test checks the documentation as a reader follows it: every
// relative link in README.md, CHANGELOG.md, SECURITY.md, CONTRIBUTING.md
// and docs/ resolves to a file of this repository, and every #anchor to a
// heading of its page. Run it alone with make docs-check.
package docs_test

import (
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var (
	link    = regexp.MustCompile(`\]\(([^)\s]+)\)`)
	heading = regexp.MustCompile(`^#{1,6}\s+(.*?)\s*#*$`)
)

// pages are the Markdown files a reader of the repository sees.
func pages(t *testing.T) []string {
	t.Helper()
	var out []string
	for _, f := range []string{"README.md", "CHANGELOG.md", "SECURITY.md", "CONTRIBUTING.md"} {
		if _, err := os.Stat(filepath.Join("..", f)); err == nil {
			out = append(out, filepath.Join("..", f))
		}
	}
	docs, err := filepath.Glob("*.md")
	require.NoError(t, err)
	require.NotEmpty(t, docs)
	return append(out, docs...)
}

// slug is the anchor GitHub gives a heading: lower case, punctuation but
// hyphens and underscores dropped, spaces to hyphens.
func slug(h string) string {
	h = strings.ToLower(h)
	var b strings.Builder
	for _, r := range h {
		switch {
		case r == ' ':
			b.WriteByte('-')
		case r == '-' || r == '_' || r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r > 127:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// anchors lists the anchors of a page's headings (code blocks skipped),
// numbered as GitHub numbers repeated headings.
func anchors(text string) map[string]bool {
	out := map[string]bool{"top": true}
	seen := map[string]int{}
	inCode := false
	for _, line := range strings.Split(text, "\n") {
		if strings.HasPrefix(line, "```") {
			inCode = !inCode
			continue
		}
		if m := heading.FindStringSubmatch(line); m != nil && !inCode {
			s := slug(m[1])
			if n := seen[s]; n > 0 {
				out[s+"-"+strconv.Itoa(n)] = true
			} else {
				out[s] = true
			}
			seen[s]++
		}
	}
	return out
}

// links lists the link targets outside code.
func links(text string) []string {
	var out []string
	inCode := false
	for _, line := range strings.Split(text, "\n") {
		if strings.HasPrefix(strings.TrimSpace(line), "```") {
			inCode = !inCode
			continue
		}
		if inCode {
			continue
		}
		line = regexp.MustCompile("`[^`]*`").ReplaceAllString(line, "")
		for _, m := range link.FindAllStringSubmatch(line, -1) {
			out = append(out, m[1])
		}
	}
	return out
}

func TestLinksResolve(t *testing.T) {
	root, err := filepath.Abs("..")
	require.NoError(t, err)
	texts := map[string]string{}
	for _, p := range pages(t) {
		raw, err := os.ReadFile(p)
		require.NoError(t, err)
		texts[p] = string(raw)
	}
	checked := 0
	for page, text := range texts {
		for _, target := range links(text) {
			if strings.HasPrefix(target, "http://") || strings.HasPrefix(target, "https://") || strings.HasPrefix(target, "mailto:") {
				continue
			}
			checked++
			file, frag, _ := strings.Cut(target, "#")
			dest := page
			if file != "" {
				dest = filepath.Join(filepath.Dir(page), file)
			}
			abs, err := filepath.Abs(dest)
			require.NoError(t, err)
			if rel, err := filepath.Rel(root, abs); err != nil || strings.HasPrefix(rel, "..") {
				t.Errorf("%s: link %q leaves the repository", page, target)
				continue
			}
			st, err := os.Stat(dest)
			if err != nil {
				t.Errorf("%s: link %q: %s does not exist", page, target, dest)
				continue
			}
			if frag == "" || st.IsDir() || !strings.HasSuffix(dest, ".md") {
				continue
			}
			destText, ok := texts[dest]
			if !ok {
				raw, err := os.ReadFile(dest)
				require.NoError(t, err)
				destText = string(raw)
			}
			if !anchors(destText)[frag] {
				t.Errorf("%s: link %q: %s has no heading with the anchor #%s", page, target, dest, frag)
			}
		}
	}
	assert.Greater(t, checked, 50, "the pages link to each other")
}

// TestNoPageReachesOutside: the documentation describes this repository
// only; nothing points at files beside it.
func TestNoPageReachesOutside(t *testing.T) {
	for _, p := range pages(t) {
		raw, err := os.ReadFile(p)
		require.NoError(t, err)
		// Spelled in two parts so that a grep of docs/ for the path finds
		// the pages that use it, not this check.
		assert.NotContains(t, string(raw), "../"+"shared", "%s refers to a file outside the repository", p)
	}
}

func TestReadmeIsShort(t *testing.T) {
	raw, err := os.ReadFile("../README.md")
	require.NoError(t, err)
	n := strings.Count(string(raw), "\n")
	assert.LessOrEqual(t, n, 300, "README.md has %d lines: move detail to a page under docs/", n)
}

func TestSlug(t *testing.T) {
	for h, want := range map[string]string{
		"Collection flags (collect, scan)":                 "collection-flags-collect-scan",
		"json: the contract":                               "json-the-contract",
		"`openai-casb doctor`: check credentials":          "openai-casb-doctor-check-credentials",
		"Baselines and their four states":                  "baselines-and-their-four-states",
		"Compliance API shapes the DLP collection assumes": "compliance-api-shapes-the-dlp-collection-assumes",
	} {
		assert.Equal(t, want, slug(h), h)
	}
}
