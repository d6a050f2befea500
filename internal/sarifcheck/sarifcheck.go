// Package sarifcheck lets tests check the SARIF files they produce the way a
// code-scanning service ingests them: against the OASIS SARIF 2.1.0 JSON
// schema (vendored in testdata/, see its NOTICE.md), then against GitHub code
// scanning's ingestion rules (limits, locations, rule ids, fingerprints,
// security-severity). It needs nothing outside this repository. It is for
// tests only.
package sarifcheck

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"sync"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// Code scanning's upload limits.
const (
	maxGzipBytes   = 10 << 20
	maxResultsRun  = 25000
	maxRulesRun    = 25000
	maxRunsPerFile = 20
	maxProblems    = 200
)

// SchemaPath is the vendored OASIS SARIF 2.1.0 schema.
func SchemaPath() string {
	_, self, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(self), "testdata", "sarif-schema-2.1.0.json")
}

var (
	once      sync.Once
	schema    *jsonschema.Schema
	schemaErr error
)

func compiled() (*jsonschema.Schema, error) {
	once.Do(func() {
		f, err := os.Open(SchemaPath())
		if err != nil {
			schemaErr = err
			return
		}
		defer f.Close()
		doc, err := jsonschema.UnmarshalJSON(f)
		if err != nil {
			schemaErr = err
			return
		}
		c := jsonschema.NewCompiler()
		const url = "https://example.invalid/sarif-schema-2.1.0.json"
		if schemaErr = c.AddResource(url, doc); schemaErr != nil {
			return
		}
		schema, schemaErr = c.Compile(url)
	})
	return schema, schemaErr
}

// Check fails the test unless raw is a SARIF file code scanning accepts.
func Check(t testing.TB, raw []byte) {
	t.Helper()
	if p := Problems(raw); len(p) > 0 {
		t.Fatalf("sarifcheck rejects the SARIF file (%d problem(s)):\n%s", len(p), joinLines(p))
	}
}

// CheckFile is Check for a file already on disk.
func CheckFile(t testing.TB, path string) {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if p := Problems(raw); len(p) > 0 {
		t.Fatalf("sarifcheck rejects %s (%d problem(s)):\n%s", path, len(p), joinLines(p))
	}
}

func joinLines(p []string) string {
	var b bytes.Buffer
	for _, s := range p {
		b.WriteString(s)
		b.WriteByte('\n')
	}
	return b.String()
}

// log is what the ingestion rules read of a SARIF file.
type log struct {
	Version string `json:"version"`
	Runs    []struct {
		Tool struct {
			Driver struct {
				Name  string `json:"name"`
				Rules []struct {
					ID         string         `json:"id"`
					ShortDesc  map[string]any `json:"shortDescription"`
					Properties map[string]any `json:"properties"`
				} `json:"rules"`
			} `json:"driver"`
		} `json:"tool"`
		AutomationDetails *struct {
			ID string `json:"id"`
		} `json:"automationDetails"`
		Results *[]struct {
			RuleID              string            `json:"ruleId"`
			PartialFingerprints map[string]string `json:"partialFingerprints"`
			Locations           []struct {
				PhysicalLocation *struct {
					ArtifactLocation *struct {
						URI string `json:"uri"`
					} `json:"artifactLocation"`
					Region *struct {
						StartLine *int `json:"startLine"`
					} `json:"region"`
				} `json:"physicalLocation"`
			} `json:"locations"`
		} `json:"results"`
	} `json:"runs"`
}

// Problems lists every reason code scanning would reject raw, one a line; it
// is empty when raw passes.
func Problems(raw []byte) []string {
	var out []string
	add := func(format string, a ...any) { out = append(out, fmt.Sprintf(format, a...)) }

	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
	if err != nil {
		return []string{"not JSON: " + err.Error()}
	}
	sch, err := compiled()
	if err != nil {
		return []string{"schema: " + err.Error()}
	}
	if err := sch.Validate(doc); err != nil {
		if ve, ok := err.(*jsonschema.ValidationError); ok {
			for _, u := range ve.BasicOutput().Errors {
				if u.Error != nil {
					add("schema: at %q: %s", u.InstanceLocation, u.Error.String())
				}
			}
		} else {
			add("schema: %v", err)
		}
	}

	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	_, _ = zw.Write(raw)
	_ = zw.Close()
	if buf.Len() > maxGzipBytes {
		add("size: %d bytes gzipped, over the 10 MiB upload limit", buf.Len())
	}

	var l log
	if err := json.Unmarshal(raw, &l); err != nil {
		add("structure: %v", err)
		return out
	}
	if l.Version != "2.1.0" {
		add("version: %q, code scanning accepts only 2.1.0", l.Version)
	}
	if len(l.Runs) > maxRunsPerFile {
		add("runs: %d runs, over the limit of %d per file", len(l.Runs), maxRunsPerFile)
	}
	seenRun := map[string]bool{}
	for ri, run := range l.Runs {
		cat := ""
		if run.AutomationDetails != nil {
			cat = run.AutomationDetails.ID
		}
		key := run.Tool.Driver.Name + "\x00" + cat
		if seenRun[key] {
			add("run %d: another run has the same tool %q and category %q; code scanning rejects such files", ri, run.Tool.Driver.Name, cat)
		}
		seenRun[key] = true
		if run.Tool.Driver.Name == "" {
			add("run %d: tool.driver.name is empty", ri)
		}
		if run.Results == nil {
			add("run %d: results is missing (must be present, possibly empty, for a scan)", ri)
			continue
		}
		rules := map[string]bool{}
		if len(run.Tool.Driver.Rules) > maxRulesRun {
			add("run %d: %d rules, over the limit of %d", ri, len(run.Tool.Driver.Rules), maxRulesRun)
		}
		for i, r := range run.Tool.Driver.Rules {
			if rules[r.ID] {
				add("run %d rule %d: duplicate rule id %q", ri, i, r.ID)
			}
			rules[r.ID] = true
			if r.ShortDesc == nil {
				add("run %d rule %q: no shortDescription", ri, r.ID)
			}
			sev, ok := r.Properties["security-severity"]
			if !ok {
				add("run %d rule %q: no properties.security-severity", ri, r.ID)
			} else if s, ok := sev.(string); !ok {
				add("run %d rule %q: security-severity must be a string holding a number", ri, r.ID)
			} else if f, err := strconv.ParseFloat(s, 64); err != nil || f < 0 || f > 10 {
				add("run %d rule %q: security-severity %q is not a number from 0.0 to 10.0", ri, r.ID, s)
			}
		}
		res := *run.Results
		if len(res) > maxResultsRun {
			add("run %d: %d results, over the limit of %d per run", ri, len(res), maxResultsRun)
		}
		for i, r := range res {
			where := fmt.Sprintf("run %d result %d", ri, i)
			if r.RuleID == "" {
				add("%s: no ruleId", where)
			} else if !rules[r.RuleID] {
				add("%s: ruleId %q is not among tool.driver.rules", where, r.RuleID)
			}
			if len(r.Locations) == 0 {
				add("%s: no locations; code scanning rejects the whole file", where)
			} else {
				pl := r.Locations[0].PhysicalLocation
				switch {
				case pl == nil || pl.ArtifactLocation == nil || pl.ArtifactLocation.URI == "":
					add("%s: locations[0] has no physicalLocation.artifactLocation.uri", where)
				case pl.Region == nil || pl.Region.StartLine == nil || *pl.Region.StartLine < 1:
					add("%s: locations[0] has no region.startLine >= 1", where)
				}
			}
			if r.PartialFingerprints["primaryLocationLineHash"] == "" {
				add("%s: no partialFingerprints.primaryLocationLineHash", where)
			}
			if len(out) > maxProblems {
				add("... stopping after %d problems", maxProblems)
				return out
			}
		}
	}
	return out
}
