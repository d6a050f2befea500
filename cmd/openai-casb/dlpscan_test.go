package main

import (
	"bufio"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/openai-casb/openai-casb/dlp"
	"github.com/openai-casb/openai-casb/simulator"
)

// dlpScanTree writes files with planted values (fake ones), a clean file,
// an image and a Word document.
func dlpScanTree(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	files := map[string][]byte{
		"notes.md":           []byte("Card: 4111 1111 1111 1111\nSSN: 536-22-1234\n"),
		"sub/clean.txt":      []byte("nothing to see: version 1.4111111111111111, ids 1234567890123456789\n"),
		"sub/logo.png":       []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"),
		"sub/deep/memo.docx": simulator.DOCX("Memo", "Refund to IBAN GB82 WEST 1234 5698 7654 32"),
	}
	for name, b := range files {
		p := filepath.Join(dir, name)
		require.NoError(t, os.MkdirAll(filepath.Dir(p), 0o755))
		require.NoError(t, os.WriteFile(p, b, 0o600))
	}
	return dir
}

func TestDLPScanJSONLinesPerFile(t *testing.T) {
	dir := dlpScanTree(t)
	r := runCLI(t, "", "dlp", "scan", "--all-detectors", "--format", "json", dir)
	require.Equal(t, exitFindings, r.code, r.stderr)
	assert.Contains(t, r.stderr, "dlp scan: 2 of 4 files matched")
	var got []dlp.FileReport
	sc := bufio.NewScanner(strings.NewReader(r.stdout))
	for sc.Scan() {
		var line map[string]json.RawMessage
		require.NoError(t, json.Unmarshal(sc.Bytes(), &line), sc.Text())
		keys := make([]string, 0, len(line))
		for k := range line {
			keys = append(keys, k)
		}
		assert.ElementsMatch(t, []string{"path", "bytes", "status", "reason", "detections"}, keys, "the documented members, one object per line")
		var rep dlp.FileReport
		require.NoError(t, json.Unmarshal(sc.Bytes(), &rep))
		got = append(got, rep)
	}
	require.Len(t, got, 4)
	byName := map[string]dlp.FileReport{}
	for _, g := range got {
		byName[filepath.ToSlash(strings.TrimPrefix(g.Path, dir+string(filepath.Separator)))] = g
	}
	notes := byName["notes.md"]
	assert.Equal(t, dlp.StatusScanned, notes.Status)
	assert.Equal(t, int64(43), notes.Bytes)
	assert.Equal(t, map[string]dlp.FileDetection{
		dlp.PaymentCard: {Count: 1, Samples: []string{"4111 **** **** 1111 (high)"}},
		dlp.USSSN:       {Count: 1, Samples: []string{"***-**-1234 (high)"}},
	}, notes.Detections)
	assert.Equal(t, dlp.StatusScanned, byName["sub/clean.txt"].Status)
	assert.Empty(t, byName["sub/clean.txt"].Detections, "a decimal and an id are not cards")
	assert.Equal(t, dlp.StatusUnsupported, byName["sub/logo.png"].Status)
	assert.NotEmpty(t, byName["sub/logo.png"].Reason)
	memo := byName["sub/deep/memo.docx"]
	assert.Equal(t, dlp.StatusScanned, memo.Status, memo.Reason)
	assert.Equal(t, []string{"GB82…5432 (high)"}, memo.Detections[dlp.IBAN].Samples)
	for _, secret := range []string{"4111 1111 1111 1111", "536-22-1234", "5698 7654"} {
		assert.NotContains(t, r.stdout+r.stderr, secret, "never the content")
	}
}

func TestDLPScanExitCodesAndTable(t *testing.T) {
	dir := dlpScanTree(t)
	clean := filepath.Join(dir, "sub", "clean.txt")
	profiles := exportedPolicies(t, [2]string{`"title": "Financial Information",
		"enabled": false,`, `"title": "Financial Information",
		"enabled": true,`})
	cases := []struct {
		name   string
		args   []string
		code   int
		stdout []string
		stderr string
	}{
		{"a match", []string{"--all-detectors", filepath.Join(dir, "notes.md")}, exitFindings,
			[]string{"PATH", "notes.md", "payment_card 1: 4111 **** **** 1111 (high)", "us_ssn 1: ***-**-1234 (high)"}, "1 of 1 files matched"},
		{"no match", []string{"--all-detectors", clean}, exitOK, []string{"clean.txt", "scanned"}, "1 files, no match"},
		{"a missing path", []string{"--all-detectors", clean, filepath.Join(dir, "gone.txt")}, exitError, []string{"gone.txt", "error"}, "1 of 2 files could not be read"},
		{"the enabled profile only", []string{"--policies", profiles, filepath.Join(dir, "notes.md")}, exitFindings, []string{"payment_card 1"}, "1 of 1 files matched"},
		{"a named profile", []string{"--profile", "national_identifiers", filepath.Join(dir, "notes.md")}, exitFindings, []string{"us_ssn 1"}, "matched"},
		{"no profile enabled", []string{filepath.Join(dir, "notes.md")}, exitError, nil, "the policies enable no DLP profile"},
		{"an unknown profile", []string{"--profile", "nope", clean}, exitError, nil, `unknown DLP profile "nope"`},
		{"no path", []string{"--all-detectors"}, exitError, nil, "name at least one file or directory"},
		{"a bad format", []string{"--all-detectors", "--format", "xml", clean}, exitError, nil, "unknown format"},
		{"both selections", []string{"--all-detectors", "--profile", "x", clean}, exitError, nil, "give one of the two"},
		{"a bad confidence", []string{"--all-detectors", "--min-confidence", "sure", clean}, exitError, nil, "--min-confidence"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := runCLI(t, "", append([]string{"dlp", "scan"}, tc.args...)...)
			require.Equal(t, tc.code, r.code, r.stderr)
			for _, s := range tc.stdout {
				assert.Contains(t, r.stdout, s)
			}
			assert.Contains(t, r.stderr, tc.stderr)
			if tc.name == "a named profile" {
				assert.NotContains(t, r.stdout, "payment_card", "only the profile's detectors")
			}
		})
	}
}

func TestDLPScanHonoursTheSizeLimit(t *testing.T) {
	dir := dlpScanTree(t)
	small := exportedPolicies(t, [2]string{"dlp_max_file_bytes := 20971520", "dlp_max_file_bytes := 20"})
	r := runCLI(t, "", "dlp", "scan", "--policies", small, "--all-detectors", "--format", "json", filepath.Join(dir, "notes.md"))
	require.Equal(t, exitOK, r.code, r.stderr)
	var rep dlp.FileReport
	require.NoError(t, json.Unmarshal([]byte(r.stdout), &rep))
	assert.Equal(t, dlp.StatusTooLarge, rep.Status)
	assert.Contains(t, rep.Reason, "larger than 20 bytes")
}
