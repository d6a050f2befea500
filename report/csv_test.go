package report_test

import (
	"bytes"
	"encoding/csv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/openai-casb/openai-casb/report"
)

func readCSV(t *testing.T, r *report.Report) [][]string {
	t.Helper()
	var buf bytes.Buffer
	require.NoError(t, report.CSV{}.Write(&buf, r))
	rows, err := csv.NewReader(bytes.NewReader(buf.Bytes())).ReadAll()
	require.NoError(t, err, "a stock CSV reader parses it")
	return rows
}

func TestCSV(t *testing.T) {
	rows := readCSV(t, sample())
	require.Len(t, rows, 3, "a header and one row per finding")
	assert.Equal(t, report.CSVHeader, rows[0])
	assert.Equal(t, []string{
		"high", "Key not rotated", "API key hygiene", "a", "admin_api_key", "key_1", "ci", "old", "rotate", `{"days":120}`,
		sample().Entries[0].Fingerprint, "", "org-1", "2026-11-26T00:00:00Z", "2026-11-26T00:00:00Z",
		"", "", "", "",
		"", "",
	}, rows[1], "no waivers file, no baseline: the waiver and seen columns are empty")
	assert.Equal(t, "line one\nline two\x1b[31m", rows[2][7], "a line break stays inside its quoted cell")
	assert.Equal(t, "{}", rows[2][9], "evidence is always an object")
}

func TestCSVIsRFC4180(t *testing.T) {
	var buf bytes.Buffer
	r := sample()
	r.Entries[0].Message = `say "hi", then go`
	require.NoError(t, report.CSV{}.Write(&buf, r))
	out := buf.String()
	assert.Contains(t, out, "severity,title,category,finding_type_id,resource_type,resource_id,resource_name,message,remediation,evidence,fingerprint,baseline_state,organization_id,collected_at,evaluated_at,waived,waiver_reason,waiver_owner,waiver_expires,first_seen,last_seen\r\n")
	assert.Contains(t, out, `,"say ""hi"", then go",`, "quotes doubled inside a quoted field")
	assert.Contains(t, out, `,"{""days"":120}",`)
	assert.Contains(t, out, "\"line one\r\nline two\x1b[31m\"", "a line break inside a field is CRLF too")
}

func TestCSVNeutralizesFormulas(t *testing.T) {
	cases := map[string]string{
		`=HYPERLINK("http://evil.example","x")`: `'=HYPERLINK("http://evil.example","x")`,
		"+1+1":                                  "'+1+1",
		"-2+3":                                  "'-2+3",
		"@SUM(A1)":                              "'@SUM(A1)",
		"\t=1":                                  "'\t=1",
		"\r=1":                                  "'=1", // encoding/csv drops a lone CR with CRLF line ends
		"plain = text":                          "plain = text",
		"":                                      "",
	}
	for name, want := range cases {
		r := sample()
		r.Entries[0].Resource.Name = name
		r.Entries[0].Message = name
		rows := readCSV(t, r)
		assert.Equal(t, want, rows[1][6], "name %q", name)
		assert.Equal(t, want, rows[1][7], "message %q", name)
	}
}

func TestCSVBaselineState(t *testing.T) {
	r := sample()
	r.Entries[0].State, r.Entries[0].FirstSeen = report.StateNew, 1795651200
	r.Entries[1].State, r.Entries[1].FirstSeen, r.Entries[1].LastSeen = report.StateAbsent, 1790000000, 1795564800
	rows := readCSV(t, r)
	assert.Equal(t, "new", rows[1][11])
	assert.Equal(t, "absent", rows[2][11])
	assert.Equal(t, []string{"2026-11-26T00:00:00Z", ""}, rows[1][19:21], "first_seen and last_seen, the last columns")
	assert.Equal(t, []string{"2026-09-21T14:13:20Z", "2026-11-25T00:00:00Z"}, rows[2][19:21])
}

func TestCSVWaiverColumns(t *testing.T) {
	rows := readCSV(t, waivedSample())
	assert.Equal(t, []string{"true", "accepted: CI key", "'=cmd|' /C calc'!A0", "2027-01-31"}, rows[1][15:19])
	assert.Equal(t, []string{"false", "", "", ""}, rows[2][15:19])
}
