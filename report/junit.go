package report

import (
	"encoding/xml"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/openai-casb/openai-casb/evaluator"
)

// JUnit writes JUnit XML, which every CI system shows (GitLab's test
// report, Jenkins, Azure Pipelines, CircleCI, GitHub through a reporter
// action): one test suite per category, one test case per finding type of
// the policies that ran, failed when the type has findings, with one line
// per finding in the failure. Finding types of severities that --severity
// left out are skipped rather than passed, as are those whose findings are
// all waived. Waived findings and a baseline's absent ones fail nothing.
type JUnit struct{}

type (
	junitSuites struct {
		XMLName  xml.Name     `xml:"testsuites"`
		Name     string       `xml:"name,attr"`
		Tests    int          `xml:"tests,attr"`
		Failures int          `xml:"failures,attr"`
		Errors   int          `xml:"errors,attr"`
		Skipped  int          `xml:"skipped,attr"`
		Time     string       `xml:"time,attr"`
		Suites   []junitSuite `xml:"testsuite"`
	}
	junitSuite struct {
		Name       string          `xml:"name,attr"`
		Tests      int             `xml:"tests,attr"`
		Failures   int             `xml:"failures,attr"`
		Errors     int             `xml:"errors,attr"`
		Skipped    int             `xml:"skipped,attr"`
		Time       string          `xml:"time,attr"`
		Timestamp  string          `xml:"timestamp,attr"`
		Properties []junitProperty `xml:"properties>property,omitempty"`
		Cases      []junitCase     `xml:"testcase"`
	}
	junitProperty struct {
		Name  string `xml:"name,attr"`
		Value string `xml:"value,attr"`
	}
	junitCase struct {
		Name      string        `xml:"name,attr"`
		Classname string        `xml:"classname,attr"`
		Time      string        `xml:"time,attr"`
		Failure   *junitFailure `xml:"failure,omitempty"`
		Skipped   *junitSkipped `xml:"skipped,omitempty"`
	}
	junitFailure struct {
		Message string `xml:"message,attr"`
		Type    string `xml:"type,attr"`
		Text    string `xml:",chardata"`
	}
	junitSkipped struct {
		Message string `xml:"message,attr"`
	}
)

func (JUnit) Write(w io.Writer, r *Report) error {
	byType := map[string][]Entry{}
	for _, e := range open(r.Entries) {
		byType[e.FindingTypeID] = append(byType[e.FindingTypeID], e)
	}
	waivedByType := map[string]int{}
	for _, e := range waived(r.Entries) {
		waivedByType[e.FindingTypeID]++
	}
	types := slices.Clone(r.Catalog)
	known := map[string]bool{}
	for _, ft := range types {
		known[ft.ID] = true
	}
	// Findings of a type the catalog lacks still fail a test case.
	for _, e := range present(r.Entries) {
		if !known[e.FindingTypeID] {
			known[e.FindingTypeID] = true
			types = append(types, evaluator.FindingType{ID: e.FindingTypeID, Title: e.Title, Category: e.Category, Severity: e.Severity})
		}
	}
	selected := func(s evaluator.Severity) bool {
		return len(r.Severities) == 0 || slices.Contains(r.Severities, s)
	}
	var props []junitProperty
	props = append(props, junitProperty{"organization_id", r.Inventory.Organization.ID})
	if n := r.Inventory.Organization.Name; n != nil {
		props = append(props, junitProperty{"organization_name", *n})
	}
	props = append(props, junitProperty{"collected_at", timestamp(r.Inventory.CollectedAt)}, junitProperty{"tool_version", r.Tool.Version})
	for _, s := range IncompleteSources(r.Inventory) {
		props = append(props, junitProperty{"source_incomplete", s.Source + " " + s.Status})
	}

	doc := junitSuites{Name: r.Tool.Name, Time: "0"}
	suites := map[string]*junitSuite{}
	var order []string
	for _, ft := range types {
		s, ok := suites[ft.Category]
		if !ok {
			s = &junitSuite{Name: ft.Category, Time: "0", Timestamp: isoSeconds(r.EvaluatedAt), Properties: props}
			suites[ft.Category] = s
			order = append(order, ft.Category)
		}
		c := junitCase{Name: fmt.Sprintf("%s [%s]", ft.Title, ft.ID), Classname: r.Tool.Name + "." + ft.Category, Time: "0"}
		found := byType[ft.ID]
		switch {
		case len(found) > 0:
			worst := found[0].Severity
			var text strings.Builder
			for _, e := range found {
				worst = max(worst, e.Severity)
				fmt.Fprintf(&text, "[%s] %s", e.Severity, resourceLabel(e.Resource))
				if e.Resource.Name != "" {
					fmt.Fprintf(&text, " (%s)", oneLine(e.Resource.Name))
				}
				if e.State != "" {
					fmt.Fprintf(&text, " {%s}", e.State)
				}
				fmt.Fprintf(&text, ": %s\n", oneLine(e.Message))
			}
			fmt.Fprintf(&text, "Remediation: %s\n", oneLine(found[0].Remediation))
			noun := "findings"
			if len(found) == 1 {
				noun = "finding"
			}
			c.Failure = &junitFailure{Message: fmt.Sprintf("%d %s", len(found), noun), Type: worst.String(), Text: text.String()}
			s.Failures++
		case waivedByType[ft.ID] > 0:
			c.Skipped = &junitSkipped{Message: fmt.Sprintf("%d waived (see the waivers file)", waivedByType[ft.ID])}
			s.Skipped++
		case !selected(ft.Severity):
			c.Skipped = &junitSkipped{Message: "severity " + ft.Severity.String() + " not selected by --severity"}
			s.Skipped++
		}
		s.Tests++
		s.Cases = append(s.Cases, c)
	}
	slices.Sort(order)
	for _, name := range order {
		s := suites[name]
		doc.Tests += s.Tests
		doc.Failures += s.Failures
		doc.Skipped += s.Skipped
		doc.Suites = append(doc.Suites, *s)
	}
	ew := &errWriter{w: w}
	io.WriteString(ew, xml.Header)
	enc := xml.NewEncoder(ew)
	enc.Indent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return fmt.Errorf("encode JUnit XML: %w", err)
	}
	io.WriteString(ew, "\n")
	return ew.err
}

// isoSeconds is a time as JUnit's timestamp attribute wants it: ISO 8601
// without a zone (UTC).
func isoSeconds(unix int64) string {
	return strings.TrimSuffix(timestamp(unix), "Z")
}
