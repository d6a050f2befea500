package report_test

import (
	"bytes"
	"encoding/xml"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/openai-casb/openai-casb/evaluator"
	"github.com/openai-casb/openai-casb/report"
)

type junitDoc struct {
	Tests    int `xml:"tests,attr"`
	Failures int `xml:"failures,attr"`
	Skipped  int `xml:"skipped,attr"`
	Suites   []struct {
		Name       string `xml:"name,attr"`
		Tests      int    `xml:"tests,attr"`
		Failures   int    `xml:"failures,attr"`
		Properties []struct {
			Name  string `xml:"name,attr"`
			Value string `xml:"value,attr"`
		} `xml:"properties>property"`
		Cases []struct {
			Name      string `xml:"name,attr"`
			Classname string `xml:"classname,attr"`
			Failure   *struct {
				Message string `xml:"message,attr"`
				Type    string `xml:"type,attr"`
				Text    string `xml:",chardata"`
			} `xml:"failure"`
			Skipped *struct {
				Message string `xml:"message,attr"`
			} `xml:"skipped"`
		} `xml:"testcase"`
	} `xml:"testsuite"`
}

func junit(t *testing.T, r *report.Report) (junitDoc, string) {
	t.Helper()
	var buf bytes.Buffer
	require.NoError(t, report.JUnit{}.Write(&buf, r))
	var doc junitDoc
	require.NoError(t, xml.Unmarshal(buf.Bytes(), &doc), buf.String())
	return doc, buf.String()
}

func TestJUnit(t *testing.T) {
	doc, raw := junit(t, sample())
	assert.True(t, strings.HasPrefix(raw, `<?xml version="1.0" encoding="UTF-8"?>`+"\n<testsuites"))
	assert.Equal(t, 3, doc.Tests, "one test case per finding type of the catalog")
	assert.Equal(t, 2, doc.Failures)
	require.Len(t, doc.Suites, 3, "one suite per category")
	assert.Equal(t, "API key hygiene", doc.Suites[0].Name)
	assert.Equal(t, "Access security", doc.Suites[1].Name)
	assert.Equal(t, "X", doc.Suites[2].Name)

	key := doc.Suites[0].Cases[0]
	assert.Equal(t, "Key not rotated [a]", key.Name)
	assert.Equal(t, "openai-casb.API key hygiene", key.Classname)
	require.NotNil(t, key.Failure)
	assert.Equal(t, "1 finding", key.Failure.Message)
	assert.Equal(t, "high", key.Failure.Type)
	assert.Equal(t, "[high] admin_api_key key_1 (ci): old\nRemediation: rotate\n", key.Failure.Text)

	invite := doc.Suites[1].Cases[0]
	assert.Equal(t, "[low] invite inv_1: line one line two [31m\nRemediation: revoke\n", invite.Failure.Text)

	never := doc.Suites[2].Cases[0]
	assert.Nil(t, never.Failure, "a finding type without findings passes")
	assert.Nil(t, never.Skipped)
	assert.Contains(t, doc.Suites[0].Properties, struct {
		Name  string `xml:"name,attr"`
		Value string `xml:"value,attr"`
	}{"organization_id", "org-1"})
}

func TestJUnitSeverityFilterSkips(t *testing.T) {
	r := sample()
	r.Severities = []evaluator.Severity{evaluator.SeverityHigh}
	r.Entries = report.FilterSeverities(r.Entries, r.Severities)
	doc, _ := junit(t, r)
	assert.Equal(t, 1, doc.Failures)
	assert.Equal(t, 2, doc.Skipped, "low and critical types are not passed: they were not looked at")
	assert.Equal(t, "severity low not selected by --severity", doc.Suites[1].Cases[0].Skipped.Message)
}

func TestJUnitAbsentFindingsPass(t *testing.T) {
	r := sample()
	r.Entries[0].State = report.StateAbsent
	r.Entries[1].State = report.StateNew
	doc, _ := junit(t, r)
	assert.Nil(t, doc.Suites[0].Cases[0].Failure)
	assert.Equal(t, "[low] invite inv_1 {new}: line one line two [31m\nRemediation: revoke\n", doc.Suites[1].Cases[0].Failure.Text)
}

func TestJUnitEscapes(t *testing.T) {
	r := sample()
	r.Entries[0].Resource.Name = `]]></failure><script>alert(1)</script>&"'`
	doc, raw := junit(t, r)
	assert.Contains(t, doc.Suites[0].Cases[0].Failure.Text, `(]]></failure><script>alert(1)</script>&"')`, "the name round-trips as text")
	assert.NotContains(t, raw, "<script>")
}

func TestJUnitWaivedFindingsDoNotFail(t *testing.T) {
	doc, _ := junit(t, waivedSample())
	assert.Equal(t, 1, doc.Failures)
	require.NotNil(t, doc.Suites[0].Cases[0].Skipped)
	assert.Equal(t, "1 waived (see the waivers file)", doc.Suites[0].Cases[0].Skipped.Message)
}
