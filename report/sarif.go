package report

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"unicode"

	"github.com/openai-casb/openai-casb/evaluator"
)

// SARIF writes one SARIF 2.1.0 run for code scanning (GitHub and any other
// SARIF consumer): a rule per finding type of the catalog, and a result per
// finding pointing at the line of its resource in the inventory file, with
// fingerprints that survive resources moving in the file.
type SARIF struct {
	// Warnings receives what had to be left out to fit code scanning's
	// limits.
	Warnings io.Writer
	// MaxResults and MaxGzipBytes are code scanning's limits per run and
	// per upload; zero means GitHub's (25,000 and 10 MiB).
	MaxResults, MaxGzipBytes int
}

// Code scanning's limits.
const (
	githubMaxResults   = 25_000
	githubMaxGzipBytes = 10 << 20
)

// InformationURI is where the tool's documentation lives.
const InformationURI = "https://github.com/openai-casb/openai-casb"

// securitySeverity places each severity inside GitHub's bands: critical
// above 9.0, high 7.0 to 8.9, medium 4.0 to 6.9, low 0.1 to 3.9.
var securitySeverity = map[evaluator.Severity]string{
	evaluator.SeverityCritical: "9.5",
	evaluator.SeverityHigh:     "8.0",
	evaluator.SeverityMedium:   "5.5",
	evaluator.SeverityLow:      "2.0",
}

// level maps severities onto SARIF levels.
func level(s evaluator.Severity) string {
	switch s {
	case evaluator.SeverityCritical, evaluator.SeverityHigh:
		return "error"
	case evaluator.SeverityMedium:
		return "warning"
	}
	return "note"
}

// The subset of SARIF 2.1.0 openai-casb writes, and reads back as a
// baseline.
type (
	sarifLog struct {
		Schema  string     `json:"$schema"`
		Version string     `json:"version"`
		Runs    []sarifRun `json:"runs"`
	}
	sarifRun struct {
		Tool              sarifTool         `json:"tool"`
		AutomationDetails *sarifAutomation  `json:"automationDetails,omitempty"`
		Invocations       []sarifInvocation `json:"invocations"`
		Artifacts         []sarifArtifact   `json:"artifacts,omitempty"`
		Results           []sarifResult     `json:"results"`
		Properties        map[string]any    `json:"properties,omitempty"`
	}
	sarifTool struct {
		Driver sarifDriver `json:"driver"`
	}
	sarifDriver struct {
		Name            string      `json:"name"`
		Version         string      `json:"version"`
		SemanticVersion string      `json:"semanticVersion"`
		InformationURI  string      `json:"informationUri"`
		Rules           []sarifRule `json:"rules"`
	}
	sarifRule struct {
		ID                   string            `json:"id"`
		Name                 string            `json:"name"`
		ShortDescription     sarifText         `json:"shortDescription"`
		FullDescription      sarifText         `json:"fullDescription"`
		Help                 *sarifHelp        `json:"help,omitempty"`
		DefaultConfiguration sarifRuleConfig   `json:"defaultConfiguration"`
		Properties           sarifRuleProperty `json:"properties"`
	}
	sarifText struct {
		Text string `json:"text"`
	}
	sarifHelp struct {
		Text     string `json:"text"`
		Markdown string `json:"markdown"`
	}
	sarifRuleConfig struct {
		Level string `json:"level"`
	}
	sarifRuleProperty struct {
		SecuritySeverity   string   `json:"security-severity"`
		Tags               []string `json:"tags"`
		Precision          string   `json:"precision"`
		Category           string   `json:"category"`
		Severity           string   `json:"severity"`
		EnterpriseRequired bool     `json:"enterprise_required"`
		Remediation        string   `json:"remediation"`
	}
	sarifAutomation struct {
		ID string `json:"id"`
	}
	sarifInvocation struct {
		ExecutionSuccessful        bool                `json:"executionSuccessful"`
		ToolExecutionNotifications []sarifNotification `json:"toolExecutionNotifications"`
	}
	sarifNotification struct {
		Level      string          `json:"level"`
		Message    sarifText       `json:"message"`
		Descriptor *sarifReference `json:"descriptor,omitempty"`
	}
	sarifReference struct {
		ID string `json:"id"`
	}
	sarifArtifact struct {
		Location sarifArtifactLocation `json:"location"`
	}
	sarifArtifactLocation struct {
		URI       string `json:"uri"`
		URIBaseID string `json:"uriBaseId,omitempty"`
		Index     *int   `json:"index,omitempty"`
	}
	sarifResult struct {
		RuleID              string             `json:"ruleId"`
		RuleIndex           int                `json:"ruleIndex"`
		Level               string             `json:"level"`
		Message             sarifText          `json:"message"`
		Locations           []sarifLocation    `json:"locations"`
		PartialFingerprints map[string]string  `json:"partialFingerprints"`
		Fingerprints        map[string]string  `json:"fingerprints"`
		BaselineState       string             `json:"baselineState,omitempty"`
		Suppressions        []sarifSuppression `json:"suppressions,omitempty"`
		Provenance          *sarifProvenance   `json:"provenance,omitempty"`
		Properties          *sarifResultProps  `json:"properties,omitempty"`
	}
	// sarifProvenance says when a finding was first (and, absent, last)
	// seen: only with a baseline, which is what tells.
	sarifProvenance struct {
		FirstDetectionTimeUTC string `json:"firstDetectionTimeUtc,omitempty"`
		LastDetectionTimeUTC  string `json:"lastDetectionTimeUtc,omitempty"`
	}
	// sarifSuppression is a waiver: an external suppression, accepted,
	// with the waiver's reason, owner and expiry as the justification.
	sarifSuppression struct {
		Kind          string `json:"kind"`
		Status        string `json:"status"`
		Justification string `json:"justification"`
	}
	sarifLocation struct {
		PhysicalLocation sarifPhysicalLocation  `json:"physicalLocation"`
		LogicalLocations []sarifLogicalLocation `json:"logicalLocations"`
	}
	sarifPhysicalLocation struct {
		ArtifactLocation sarifArtifactLocation `json:"artifactLocation"`
		Region           sarifRegion           `json:"region"`
	}
	sarifRegion struct {
		StartLine int `json:"startLine"`
	}
	sarifLogicalLocation struct {
		Name               string `json:"name"`
		FullyQualifiedName string `json:"fullyQualifiedName"`
		Kind               string `json:"kind"`
	}
	sarifResultProps struct {
		Severity string          `json:"severity"`
		Resource jsonResource    `json:"resource"`
		Key      string          `json:"key,omitempty"`
		Evidence json.RawMessage `json:"evidence,omitempty"`
	}
)

func (s SARIF) Write(w io.Writer, r *Report) error {
	maxResults, maxGzip := s.MaxResults, s.MaxGzipBytes
	if maxResults <= 0 {
		maxResults = githubMaxResults
	}
	if maxGzip <= 0 {
		maxGzip = githubMaxGzipBytes
	}
	warn := s.Warnings
	if warn == nil {
		warn = io.Discard
	}
	log, ruleIndex := s.skeleton(r)
	run := &log.Runs[0]
	entries := byPriority(r.Entries)
	kept := min(len(entries), maxResults)
	for {
		run.Results = run.Results[:0]
		for _, e := range entries[:kept] {
			run.Results = append(run.Results, sarifResultOf(e, ruleIndex[e.FindingTypeID], r))
		}
		// Results in the report's own order, whatever was kept.
		sortResults(run.Results, r.Entries)
		raw, err := marshalSARIF(log)
		if err != nil {
			return err
		}
		size := gzipSize(raw)
		if size <= maxGzip || kept == 0 {
			if kept < len(entries) {
				msg := fmt.Sprintf("kept the %d most severe of %d results: code scanning accepts at most %d results and %d MiB (gzipped) per run; the json format has them all",
					kept, len(entries), maxResults, maxGzip>>20)
				run.Invocations[0].ToolExecutionNotifications = append(run.Invocations[0].ToolExecutionNotifications,
					sarifNotification{Level: "warning", Message: sarifText{msg}, Descriptor: &sarifReference{ID: "results-truncated"}})
				if raw, err = marshalSARIF(log); err != nil {
					return err
				}
				fmt.Fprintf(warn, "%s: warning: SARIF: %s\n", toolName, msg)
			}
			_, err = w.Write(raw)
			return err
		}
		// Too large: shrink in proportion, with a margin for the
		// notification, and try again.
		kept = min(kept-1, int(float64(kept)*float64(maxGzip)/float64(size)*0.95))
		kept = max(kept, 0)
	}
}

// skeleton is the run without results: tool and rules, invocation,
// artifact, automation details.
func (s SARIF) skeleton(r *Report) (*sarifLog, map[string]int) {
	run := sarifRun{
		Tool: sarifTool{Driver: sarifDriver{
			Name: r.Tool.Name, Version: r.Tool.Version, SemanticVersion: r.Tool.Version,
			InformationURI: InformationURI, Rules: []sarifRule{},
		}},
		AutomationDetails: &sarifAutomation{ID: toolName + "/" + r.Inventory.Organization.ID + "/"},
		Invocations:       []sarifInvocation{{ExecutionSuccessful: true, ToolExecutionNotifications: []sarifNotification{}}},
		Results:           []sarifResult{},
		Properties: map[string]any{
			"organization_id": r.Inventory.Organization.ID,
			"collected_at":    timestamp(r.Inventory.CollectedAt),
			"evaluated_at":    timestamp(r.EvaluatedAt),
		},
	}
	if r.Artifact != nil {
		run.Artifacts = []sarifArtifact{{Location: sarifArtifactLocation{URI: r.Artifact.URI, URIBaseID: "%SRCROOT%"}}}
	}
	index := map[string]int{}
	for _, ft := range r.Catalog {
		index[ft.ID] = len(run.Tool.Driver.Rules)
		run.Tool.Driver.Rules = append(run.Tool.Driver.Rules, sarifRuleOf(ft))
	}
	// Absent findings of a baseline may belong to finding types this
	// catalog no longer has; they still need a rule.
	for _, e := range r.Entries {
		if _, ok := index[e.FindingTypeID]; !ok {
			index[e.FindingTypeID] = len(run.Tool.Driver.Rules)
			run.Tool.Driver.Rules = append(run.Tool.Driver.Rules, sarifRuleOf(evaluator.FindingType{
				ID: e.FindingTypeID, Title: e.Title, Severity: e.Severity, Category: e.Category, Remediation: e.Remediation,
			}))
		}
	}
	inv := &run.Invocations[0]
	for _, src := range IncompleteSources(r.Inventory) {
		lvl := "warning"
		if !r.Inventory.Sources[src.Source].Incomplete() { // skipped on purpose
			lvl = "note"
		} else {
			inv.ExecutionSuccessful = false
		}
		msg := fmt.Sprintf("source %s was %s", src.Source, src.Status)
		if src.Reason != "" {
			msg += ": " + src.Reason
		}
		inv.ToolExecutionNotifications = append(inv.ToolExecutionNotifications,
			sarifNotification{Level: lvl, Message: sarifText{msg + " (findings that depend on it may be missing)"}, Descriptor: &sarifReference{ID: "incomplete-source"}})
	}
	if r.Failure != nil {
		inv.ExecutionSuccessful = false
		inv.ToolExecutionNotifications = append(inv.ToolExecutionNotifications,
			sarifNotification{Level: "error", Message: sarifText{r.Failure.Error()}, Descriptor: &sarifReference{ID: "evaluation-failed"}})
	}
	return &sarifLog{Schema: "https://json.schemastore.org/sarif-2.1.0.json", Version: "2.1.0", Runs: []sarifRun{run}}, index
}

func sarifRuleOf(ft evaluator.FindingType) sarifRule {
	desc := ft.Description
	if desc == "" {
		desc = ft.Title
	}
	help := fmt.Sprintf("%s\n\nSeverity: %s. Category: %s.\n\nRemediation: %s", desc, ft.Severity, ft.Category, ft.Remediation)
	md := fmt.Sprintf("**%s**\n\n%s\n\n| severity | category | Enterprise only |\n|---|---|---|\n| %s | %s | %s |\n\n**Remediation:** %s",
		ft.Title, desc, ft.Severity, ft.Category, yesNo(ft.EnterpriseRequired), ft.Remediation)
	return sarifRule{
		ID:                   ft.ID,
		Name:                 PascalCase(ft.Title),
		ShortDescription:     sarifText{ft.Title},
		FullDescription:      sarifText{desc},
		Help:                 &sarifHelp{Text: help, Markdown: md},
		DefaultConfiguration: sarifRuleConfig{Level: level(ft.Severity)},
		Properties: sarifRuleProperty{
			SecuritySeverity:   securitySeverity[ft.Severity],
			Tags:               append([]string{"security", ft.Category}, FrameworkTags(ft)...),
			Precision:          "very-high",
			Category:           ft.Category,
			Severity:           ft.Severity.String(),
			EnterpriseRequired: ft.EnterpriseRequired,
			Remediation:        ft.Remediation,
		},
	}
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

func sarifResultOf(e Entry, ruleIndex int, r *Report) sarifResult {
	uri := "inventory"
	if r.Artifact != nil {
		uri = r.Artifact.URI
	}
	idx := 0
	res := sarifResult{
		RuleID:    e.FindingTypeID,
		RuleIndex: ruleIndex,
		Level:     level(e.Severity),
		Message:   sarifText{e.Message},
		Locations: []sarifLocation{{
			PhysicalLocation: sarifPhysicalLocation{
				ArtifactLocation: sarifArtifactLocation{URI: uri, URIBaseID: "%SRCROOT%"},
				Region:           sarifRegion{StartLine: r.Artifact.line(e.Resource)},
			},
			LogicalLocations: []sarifLogicalLocation{{
				Name: e.Resource.ID, FullyQualifiedName: e.Resource.Type + "/" + e.Resource.ID, Kind: "resource",
			}},
		}},
		PartialFingerprints: map[string]string{"primaryLocationLineHash": e.Fingerprint},
		Fingerprints:        map[string]string{FingerprintVersion: e.Fingerprint},
		BaselineState:       sarifBaselineState(e.State),
		Properties: &sarifResultProps{
			Severity: e.Severity.String(),
			Resource: jsonResource{Type: e.Resource.Type, ID: e.Resource.ID, Name: nameOrNull(e.Resource)},
			Key:      e.Key,
			Evidence: e.Evidence,
		},
	}
	if r.Artifact != nil {
		res.Locations[0].PhysicalLocation.ArtifactLocation.Index = &idx
	}
	if e.FirstSeen != 0 || e.LastSeen != 0 {
		res.Provenance = &sarifProvenance{}
		if e.FirstSeen != 0 {
			res.Provenance.FirstDetectionTimeUTC = timestamp(e.FirstSeen)
		}
		if e.LastSeen != 0 {
			res.Provenance.LastDetectionTimeUTC = timestamp(e.LastSeen)
		}
	}
	if w := e.Waiver; w != nil {
		just := w.Reason
		if w.Owner != "" {
			just += "; owner " + w.Owner
		}
		just += fmt.Sprintf("; expires %s; waiver %s:%d", w.Expires, w.File, w.Line)
		res.Suppressions = []sarifSuppression{{Kind: "external", Status: "accepted", Justification: just}}
	}
	return res
}

// sarifBaselineState names a state as SARIF does: changed is "updated".
func sarifBaselineState(s BaselineState) string {
	if s == StateChanged {
		return "updated"
	}
	return string(s)
}

// byPriority orders entries for truncation: most severe first, current
// findings before absent ones.
func byPriority(es []Entry) []Entry {
	out := append([]Entry(nil), es...)
	rank := func(e Entry) int {
		r := int(e.Severity) * 2
		if e.State != StateAbsent {
			r++
		}
		return r
	}
	// A stable sort keeps the report's order within a rank.
	stableSortBy(out, func(a, b Entry) bool { return rank(a) > rank(b) })
	return out
}

// sortResults puts results back in the order of the report's entries.
func sortResults(rs []sarifResult, order []Entry) {
	pos := make(map[string]int, len(order))
	for i, e := range order {
		pos[e.Fingerprint] = i
	}
	stableSortBy(rs, func(a, b sarifResult) bool {
		return pos[a.Fingerprints[FingerprintVersion]] < pos[b.Fingerprints[FingerprintVersion]]
	})
}

func marshalSARIF(log *sarifLog) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(log); err != nil {
		return nil, fmt.Errorf("encode SARIF: %w", err)
	}
	return buf.Bytes(), nil
}

func gzipSize(raw []byte) int {
	var n countWriter
	zw, _ := gzip.NewWriterLevel(&n, gzip.DefaultCompression)
	zw.Write(raw)
	zw.Close()
	return int(n)
}

type countWriter int

func (c *countWriter) Write(p []byte) (int, error) {
	*c += countWriter(len(p))
	return len(p), nil
}

// PascalCase turns a title into a rule name: "OpenAI: Admin API key not
// rotated" becomes "OpenAIAdminAPIKeyNotRotated".
func PascalCase(title string) string {
	var sb strings.Builder
	for _, word := range strings.FieldsFunc(title, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }) {
		runes := []rune(word)
		runes[0] = unicode.ToUpper(runes[0])
		sb.WriteString(string(runes))
	}
	return sb.String()
}

// FrameworkTags are the compliance controls a finding type maps, as SARIF
// rule tags FRAMEWORK/CONTROL (cis-v8/5.3, owasp-llm-2025/LLM02:2025), in
// framework then control order.
func FrameworkTags(ft evaluator.FindingType) []string {
	var tags []string
	for _, fw := range sortedKeys(ft.Frameworks) {
		for _, id := range ft.Frameworks[fw] {
			tags = append(tags, fw+"/"+id)
		}
	}
	return tags
}
