package report

import (
	"crypto/sha256"
	"fmt"
	"io"
	"strings"

	"github.com/openai-casb/openai-casb/evaluator"
)

// GitLab writes a GitLab security report (schema 15.2.1) of the SAST type,
// for `artifacts:reports:sast`: GitLab's vulnerability report and merge
// request widget then list the findings, with severities, the remediation
// as the solution, and each pointing at the line of its resource in the
// inventory file, as SARIF results do.
//
// Why SAST rather than secret detection: a secret-detection report
// requires every location to name a commit (location.commit.sha), and
// GitLab presents those entries as secrets leaked in the repository's
// history, to be revoked. openai-casb's findings are configuration risks
// of an organization, found in an inventory file: SAST's location (file
// and lines, no commit) says exactly that, and SAST reports are the ones
// GitLab shows for any analyzer.
//
// Findings a baseline marks absent are left out: GitLab resolves a
// vulnerability itself when a later pipeline no longer reports it. Waived
// findings are left out too, as GitHub annotations leave them out: GitLab's
// schema has no way to mark one accepted (only as a likely false positive).
type GitLab struct{}

// GitLabSchemaVersion is the security report schema version written.
const GitLabSchemaVersion = "15.2.1"

const gitlabSchemaURI = "https://gitlab.com/gitlab-org/security-products/security-report-schemas/-/raw/v15.2.1/dist/sast-report-format.json"

var gitlabSeverity = map[evaluator.Severity]string{
	evaluator.SeverityCritical: "Critical", evaluator.SeverityHigh: "High",
	evaluator.SeverityMedium: "Medium", evaluator.SeverityLow: "Low",
}

type (
	gitlabReport struct {
		Version         string       `json:"version"`
		Schema          string       `json:"schema"`
		Scan            gitlabScan   `json:"scan"`
		Vulnerabilities []gitlabVuln `json:"vulnerabilities"`
		Remediations    []struct{}   `json:"remediations"`
	}
	gitlabScan struct {
		Analyzer  gitlabScanner   `json:"analyzer"`
		Scanner   gitlabScanner   `json:"scanner"`
		Type      string          `json:"type"`
		StartTime string          `json:"start_time"`
		EndTime   string          `json:"end_time"`
		Status    string          `json:"status"`
		Messages  []gitlabMessage `json:"messages,omitempty"`
	}
	gitlabScanner struct {
		ID      string       `json:"id"`
		Name    string       `json:"name"`
		Version string       `json:"version"`
		URL     string       `json:"url"`
		Vendor  gitlabVendor `json:"vendor"`
	}
	gitlabVendor struct {
		Name string `json:"name"`
	}
	gitlabMessage struct {
		Level string `json:"level"`
		Value string `json:"value"`
	}
	gitlabVuln struct {
		ID          string             `json:"id"`
		Name        string             `json:"name"`
		Description string             `json:"description"`
		Severity    string             `json:"severity"`
		Solution    string             `json:"solution,omitempty"`
		Identifiers []gitlabIdentifier `json:"identifiers"`
		Location    gitlabLocation     `json:"location"`
		Tracking    gitlabTracking     `json:"tracking"`
	}
	gitlabIdentifier struct {
		Type  string `json:"type"`
		Name  string `json:"name"`
		Value string `json:"value"`
		URL   string `json:"url,omitempty"`
	}
	gitlabLocation struct {
		File      string `json:"file"`
		StartLine int    `json:"start_line"`
		EndLine   int    `json:"end_line"`
		Class     string `json:"class"`
		Method    string `json:"method"`
	}
	gitlabTracking struct {
		Type  string               `json:"type"`
		Items []gitlabTrackingItem `json:"items"`
	}
	gitlabTrackingItem struct {
		File       string            `json:"file"`
		StartLine  int               `json:"start_line"`
		EndLine    int               `json:"end_line"`
		Signatures []gitlabSignature `json:"signatures"`
	}
	gitlabSignature struct {
		Algorithm string `json:"algorithm"`
		Value     string `json:"value"`
	}
)

func (GitLab) Write(w io.Writer, r *Report) error {
	tool := gitlabScanner{ID: r.Tool.Name, Name: r.Tool.Name, Version: r.Tool.Version, URL: InformationURI, Vendor: gitlabVendor{Name: r.Tool.Name}}
	if tool.Version == "" {
		tool.Version = "unknown"
	}
	doc := gitlabReport{
		Version: GitLabSchemaVersion,
		Schema:  gitlabSchemaURI,
		Scan: gitlabScan{
			Analyzer: tool, Scanner: tool, Type: "sast",
			StartTime: isoSeconds(r.Inventory.CollectedAt), EndTime: isoSeconds(r.EvaluatedAt),
			Status: "success",
		},
		Vulnerabilities: []gitlabVuln{},
		Remediations:    []struct{}{},
	}
	if r.EvaluatedAt < r.Inventory.CollectedAt {
		doc.Scan.EndTime = doc.Scan.StartTime
	}
	if r.Failure != nil {
		doc.Scan.Status = "failure"
		doc.Scan.Messages = append(doc.Scan.Messages, gitlabMessage{"fatal", oneLine(r.Failure.Error())})
	}
	for _, s := range IncompleteSources(r.Inventory) {
		msg := fmt.Sprintf("source %s %s: findings that depend on it may be missing", s.Source, s.Status)
		if s.Reason != "" {
			msg += " (" + oneLine(s.Reason) + ")"
		}
		doc.Scan.Messages = append(doc.Scan.Messages, gitlabMessage{"warn", msg})
	}
	file := "inventory.json"
	if r.Artifact != nil {
		file = r.Artifact.URI
	}
	for _, e := range open(r.Entries) {
		line := r.Artifact.line(e.Resource)
		desc := e.Message
		if len(e.Evidence) > 0 {
			desc += "\n\nEvidence: `" + strings.ReplaceAll(string(compact(e.Evidence)), "`", "'") + "`"
		}
		doc.Vulnerabilities = append(doc.Vulnerabilities, gitlabVuln{
			ID:          uuidOf(e.Fingerprint),
			Name:        truncateRunes(e.Title, 255),
			Description: truncateRunes(desc, 1<<20),
			Severity:    gitlabSeverity[e.Severity],
			Solution:    truncateRunes(e.Remediation, 7000),
			Identifiers: []gitlabIdentifier{{
				Type: "openai_casb_finding_type", Name: truncateRunes("openai-casb "+e.Title, 255), Value: e.FindingTypeID, URL: InformationURI,
			}},
			Location: gitlabLocation{File: file, StartLine: line, EndLine: line, Class: e.Resource.Type, Method: e.Resource.ID},
			// The fingerprint tracks the finding when its resource
			// moves to another line of the inventory.
			Tracking: gitlabTracking{Type: "source", Items: []gitlabTrackingItem{{
				File: file, StartLine: line, EndLine: line,
				Signatures: []gitlabSignature{{Algorithm: "hash", Value: e.Fingerprint}},
			}}},
		})
	}
	raw, err := indented(doc, "")
	if err != nil {
		return fmt.Errorf("encode GitLab report: %w", err)
	}
	ew := &errWriter{w: w}
	ew.Write(raw)
	io.WriteString(ew, "\n")
	return ew.err
}

// uuidOf turns a fingerprint into the UUID GitLab recommends as a
// vulnerability id: 128 bits of its SHA-256, marked as an RFC 9562 version
// 8 (custom) UUID. The same finding keeps the same id.
func uuidOf(fp string) string {
	h := sha256.Sum256([]byte(fp))
	h[6] = h[6]&0x0f | 0x80
	h[8] = h[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", h[0:4], h[4:6], h[6:8], h[8:10], h[10:16])
}

func truncateRunes(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}
