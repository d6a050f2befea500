package report

import (
	"encoding/json"
	"io"
	"time"

	"github.com/openai-casb/openai-casb/evaluator"
)

// JSON writes the machine-readable report. Its shape is a public contract,
// documented in README.md: fields may be added, never renamed or removed.
type JSON struct{}

type jsonReport struct {
	Tool      jsonTool      `json:"tool"`
	Inventory jsonInventory `json:"inventory"`
	Summary   jsonSummary   `json:"summary"`
	Findings  []jsonFinding `json:"findings"`
}

type jsonTool struct {
	Name    string `json:"name"`
	Version string `json:"version"`
}

type jsonInventory struct {
	OrganizationID    string             `json:"organization_id"`
	OrganizationName  *string            `json:"organization_name"`
	WorkspaceID       *string            `json:"workspace_id"`
	CollectedAt       string             `json:"collected_at"`
	EvaluatedAt       string             `json:"evaluated_at"`
	SourcesIncomplete []IncompleteSource `json:"sources_incomplete"`
}

type jsonSummary struct {
	Total      int            `json:"total"`
	BySeverity map[string]int `json:"by_severity"`
	Baseline   *jsonBaseline  `json:"baseline,omitempty"`
}

type jsonBaseline struct {
	File      string `json:"file"`
	New       int    `json:"new"`
	Unchanged int    `json:"unchanged"`
	Absent    int    `json:"absent"`
}

type jsonFinding struct {
	FindingTypeID string         `json:"finding_type_id"`
	Title         string         `json:"title"`
	Category      string         `json:"category"`
	Severity      string         `json:"severity"`
	Resource      jsonResource   `json:"resource"`
	Message       string         `json:"message"`
	Remediation   string         `json:"remediation"`
	Evidence      map[string]any `json:"evidence"`
	Fingerprint   string         `json:"fingerprint"`
	BaselineState string         `json:"baseline_state,omitempty"`
}

type jsonResource struct {
	Type string  `json:"type"`
	ID   string  `json:"id"`
	Name *string `json:"name"`
}

func (JSON) Write(w io.Writer, r *Report) error {
	current := findingsOf(present(r.Entries))
	out := jsonReport{
		Tool: jsonTool{Name: r.Tool.Name, Version: r.Tool.Version},
		Inventory: jsonInventory{
			OrganizationID:    r.Inventory.Organization.ID,
			OrganizationName:  r.Inventory.Organization.Name,
			CollectedAt:       timestamp(r.Inventory.CollectedAt),
			EvaluatedAt:       timestamp(r.EvaluatedAt),
			SourcesIncomplete: IncompleteSources(r.Inventory),
		},
		Summary:  jsonSummary{Total: len(current), BySeverity: map[string]int{}},
		Findings: make([]jsonFinding, 0, len(r.Entries)),
	}
	if r.Inventory.Workspace != nil {
		out.Inventory.WorkspaceID = &r.Inventory.Workspace.ID
	}
	for s, n := range Counts(current) {
		out.Summary.BySeverity[s.String()] = n
	}
	if b := r.Baseline; b != nil {
		out.Summary.Baseline = &jsonBaseline{File: b.File, New: b.New, Unchanged: b.Unchanged, Absent: b.Absent}
	}
	for _, e := range r.Entries {
		out.Findings = append(out.Findings, jsonFindingOf(e))
	}
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}

func jsonFindingOf(e Entry) jsonFinding {
	jf := jsonFinding{
		FindingTypeID: e.FindingTypeID,
		Title:         e.Title,
		Category:      e.Category,
		Severity:      e.Severity.String(),
		Resource:      jsonResource{Type: e.Resource.Type, ID: e.Resource.ID, Name: nameOrNull(e.Resource)},
		Message:       e.Message,
		Remediation:   e.Remediation,
		Evidence:      e.Evidence,
		Fingerprint:   e.Fingerprint,
		BaselineState: string(e.State),
	}
	if jf.Evidence == nil {
		jf.Evidence = map[string]any{}
	}
	return jf
}

func nameOrNull(r evaluator.Resource) *string {
	if r.Name == "" {
		return nil
	}
	name := r.Name
	return &name
}

// timestamp renders unix seconds as RFC 3339 in UTC.
func timestamp(unix int64) string {
	return time.Unix(unix, 0).UTC().Format(time.RFC3339)
}
