package report

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"runtime"
	"strconv"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/openai-casb/openai-casb/internal/jsonw"

	"github.com/openai-casb/openai-casb/evaluator"
)

// JSON writes the machine-readable report. Its shape is a public contract,
// documented in README.md: fields may be added, never renamed or removed.
type JSON struct{}

// jsonReport is the head of the report; the findings follow it.
type jsonReport struct {
	Tool      jsonTool      `json:"tool"`
	Inventory jsonInventory `json:"inventory"`
	Summary   jsonSummary   `json:"summary"`
	// Findings is only read back (baselines); Write streams them.
	Findings []jsonFinding `json:"findings"`
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
	// Total and BySeverity count the open findings: current, not waived.
	Total      int            `json:"total"`
	BySeverity map[string]int `json:"by_severity"`
	// Waived counts the waived findings; only with a waivers file.
	Waived   *int          `json:"waived,omitempty"`
	Baseline *jsonBaseline `json:"baseline,omitempty"`
}

// jsonWaivers is the top-level "waivers" member: only with a waivers file.
type jsonWaivers struct {
	File    string       `json:"file"`
	Applied int          `json:"applied"`
	Expired []jsonWaiver `json:"expired"`
	Unused  []jsonWaiver `json:"unused"`
}

// jsonWaiver is a waiver of the file as the report lists it.
type jsonWaiver struct {
	File           string `json:"file"`
	Line           int    `json:"line"`
	FindingTypeID  string `json:"finding_type_id,omitempty"`
	Category       string `json:"category,omitempty"`
	Resource       string `json:"resource"`
	Type           string `json:"type,omitempty"`
	OrganizationID string `json:"organization_id,omitempty"`
	Reason         string `json:"reason"`
	Owner          string `json:"owner,omitempty"`
	Expires        string `json:"expires"`
	Matched        int    `json:"matched"`
}

// jsonFindingWaiver is the waiver of a waived finding.
type jsonFindingWaiver struct {
	Reason  string `json:"reason"`
	Owner   string `json:"owner"`
	Expires string `json:"expires"`
	File    string `json:"file"`
	Line    int    `json:"line"`
}

func jsonWaiversOf(s *WaiverSummary) *jsonWaivers {
	out := &jsonWaivers{File: s.File, Applied: s.Applied, Expired: []jsonWaiver{}, Unused: []jsonWaiver{}}
	conv := func(w Waiver) jsonWaiver {
		return jsonWaiver{w.File, w.Line, w.FindingTypeID, w.Category, w.Resource, w.Type, w.OrganizationID, w.Reason, w.Owner, w.Expires, w.Matched}
	}
	for _, w := range s.Expired {
		out.Expired = append(out.Expired, conv(w))
	}
	for _, w := range s.Unused {
		out.Unused = append(out.Unused, conv(w))
	}
	return out
}

type jsonBaseline struct {
	File      string `json:"file"`
	New       int    `json:"new"`
	Changed   int    `json:"changed"`
	Unchanged int    `json:"unchanged"`
	Absent    int    `json:"absent"`
}

type jsonFinding struct {
	FindingTypeID string          `json:"finding_type_id"`
	Title         string          `json:"title"`
	Category      string          `json:"category"`
	Severity      string          `json:"severity"`
	Resource      jsonResource    `json:"resource"`
	Key           string          `json:"key,omitempty"`
	Message       string          `json:"message"`
	Remediation   string          `json:"remediation"`
	Evidence      json.RawMessage `json:"evidence"`
	Fingerprint   string          `json:"fingerprint"`
	BaselineState string          `json:"baseline_state,omitempty"`
	// FirstSeen (RFC 3339) is when the chain of baselines first saw the
	// finding; only with a baseline. LastSeen is when the baseline saw an
	// absent finding.
	FirstSeen string `json:"first_seen,omitempty"`
	LastSeen  string `json:"last_seen,omitempty"`
	// Waived and Waiver are written only with a waivers file: waived on
	// every finding, waiver on the waived ones.
	Waived *bool              `json:"waived,omitempty"`
	Waiver *jsonFindingWaiver `json:"waiver,omitempty"`
}

type jsonResource struct {
	Type string  `json:"type"`
	ID   string  `json:"id"`
	Name *string `json:"name"`
}

// Write streams the report: the findings are encoded in blocks, several
// blocks at a time in parallel, and written in order as they are ready, so
// half a million findings neither wait on one core nor sit in memory as one
// buffer. The bytes are exactly those of encoding/json's indented encoding
// of the whole report.
func (JSON) Write(w io.Writer, r *Report) error {
	current := findingsOf(open(r.Entries))
	head := jsonReport{
		Tool: jsonTool{Name: r.Tool.Name, Version: r.Tool.Version},
		Inventory: jsonInventory{
			OrganizationID:    r.Inventory.Organization.ID,
			OrganizationName:  r.Inventory.Organization.Name,
			CollectedAt:       timestamp(r.Inventory.CollectedAt),
			EvaluatedAt:       timestamp(r.EvaluatedAt),
			SourcesIncomplete: IncompleteSources(r.Inventory),
		},
		Summary: jsonSummary{Total: len(current), BySeverity: map[string]int{}},
	}
	if r.Inventory.Workspace != nil {
		head.Inventory.WorkspaceID = &r.Inventory.Workspace.ID
	}
	for s, n := range Counts(current) {
		head.Summary.BySeverity[s.String()] = n
	}
	parts := []struct {
		key   string
		value any
	}{{"tool", head.Tool}, {"inventory", head.Inventory}, {"summary", &head.Summary}}
	if r.Waivers != nil {
		n := len(waived(r.Entries))
		head.Summary.Waived = &n
		parts = append(parts, struct {
			key   string
			value any
		}{"waivers", jsonWaiversOf(r.Waivers)})
	}
	if b := r.Baseline; b != nil {
		head.Summary.Baseline = &jsonBaseline{File: b.File, New: b.New, Changed: b.Changed, Unchanged: b.Unchanged, Absent: b.Absent}
	}
	bw := bufio.NewWriterSize(w, 1<<20)
	for i, part := range parts {
		raw, err := indented(part.value, "  ")
		if err != nil {
			return err
		}
		sep := ",\n"
		if i == 0 {
			sep = "{\n"
		}
		fmt.Fprintf(bw, "%s  %q: %s", sep, part.key, raw)
	}
	if len(r.Entries) == 0 {
		bw.WriteString(",\n  \"findings\": []\n}\n")
		return bw.Flush()
	}
	bw.WriteString(",\n  \"findings\": [\n")
	if err := writeEntries(bw, r.Entries, r.Waivers != nil); err != nil {
		return err
	}
	bw.WriteString("\n  ]\n}\n")
	return bw.Flush()
}

// writeEntries encodes the findings in blocks, one block per CPU at a time,
// and writes them in order.
func writeEntries(w io.Writer, entries []Entry, waivers bool) error {
	const block = 2048
	workers := runtime.GOMAXPROCS(0)
	bufs := make([][]byte, workers)
	for start := 0; start < len(entries); start += block * workers {
		var g errgroup.Group
		for i := range workers {
			lo := start + i*block
			if lo >= len(entries) {
				bufs[i] = bufs[i][:0]
				continue
			}
			hi := min(lo+block, len(entries))
			g.Go(func() error {
				out := bufs[i][:0]
				for j := lo; j < hi; j++ {
					if j > 0 {
						out = append(out, ",\n"...)
					}
					out = appendFinding(out, jsonFindingOf(entries[j], waivers))
				}
				bufs[i] = out
				return nil
			})
		}
		if err := g.Wait(); err != nil {
			return fmt.Errorf("encode findings: %w", err)
		}
		for i := range bufs {
			if _, err := w.Write(bufs[i]); err != nil {
				return err
			}
		}
	}
	return nil
}

// appendFinding writes one finding as encoding/json's indenting encoder
// writes it at the findings' depth (prefix four spaces, indent two), by
// hand: the shape is fixed, and going through reflection and a second
// indentation pass took longer than evaluating the policies.
func appendFinding(b []byte, f jsonFinding) []byte {
	str := func(key, v string) {
		b = append(b, "      \""...)
		b = append(b, key...)
		b = append(b, "\": "...)
		b = jsonw.String(b, v)
		b = append(b, ",\n"...)
	}
	b = append(b, "    {\n"...)
	str("finding_type_id", f.FindingTypeID)
	str("title", f.Title)
	str("category", f.Category)
	str("severity", f.Severity)
	b = append(b, "      \"resource\": {\n        \"type\": "...)
	b = jsonw.String(b, f.Resource.Type)
	b = append(b, ",\n        \"id\": "...)
	b = jsonw.String(b, f.Resource.ID)
	b = append(b, ",\n        \"name\": "...)
	if f.Resource.Name == nil {
		b = append(b, "null"...)
	} else {
		b = jsonw.String(b, *f.Resource.Name)
	}
	b = append(b, "\n      },\n"...)
	if f.Key != "" {
		str("key", f.Key)
	}
	str("message", f.Message)
	str("remediation", f.Remediation)
	b = append(b, "      \"evidence\": "...)
	b = jsonw.Indented(b, f.Evidence, "      ")
	b = append(b, ",\n      \"fingerprint\": "...)
	b = jsonw.String(b, f.Fingerprint)
	if f.BaselineState != "" {
		b = append(b, ",\n      \"baseline_state\": "...)
		b = jsonw.String(b, f.BaselineState)
	}
	if f.FirstSeen != "" {
		b = append(b, ",\n      \"first_seen\": "...)
		b = jsonw.String(b, f.FirstSeen)
	}
	if f.LastSeen != "" {
		b = append(b, ",\n      \"last_seen\": "...)
		b = jsonw.String(b, f.LastSeen)
	}
	if f.Waived != nil {
		b = append(b, ",\n      \"waived\": "...)
		b = strconv.AppendBool(b, *f.Waived)
	}
	if w := f.Waiver; w != nil {
		b = append(b, ",\n      \"waiver\": {\n        \"reason\": "...)
		b = jsonw.String(b, w.Reason)
		b = append(b, ",\n        \"owner\": "...)
		b = jsonw.String(b, w.Owner)
		b = append(b, ",\n        \"expires\": "...)
		b = jsonw.String(b, w.Expires)
		b = append(b, ",\n        \"file\": "...)
		b = jsonw.String(b, w.File)
		b = append(b, ",\n        \"line\": "...)
		b = strconv.AppendInt(b, int64(w.Line), 10)
		b = append(b, "\n      }"...)
	}
	return append(b, "\n    }"...)
}

// indented encodes v as it would stand at the given nesting in an indented
// document.
func indented(v any, prefix string) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent(prefix, "  ")
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n")), nil
}

func jsonFindingOf(e Entry, waivers bool) jsonFinding {
	jf := jsonFinding{
		FindingTypeID: e.FindingTypeID,
		Title:         e.Title,
		Category:      e.Category,
		Severity:      e.Severity.String(),
		Resource:      jsonResource{Type: e.Resource.Type, ID: e.Resource.ID, Name: nameOrNull(e.Resource)},
		Key:           e.Key,
		Message:       e.Message,
		Remediation:   e.Remediation,
		Evidence:      e.Evidence,
		Fingerprint:   e.Fingerprint,
		BaselineState: string(e.State),
	}
	if e.FirstSeen != 0 {
		jf.FirstSeen = timestamp(e.FirstSeen)
	}
	if e.LastSeen != 0 {
		jf.LastSeen = timestamp(e.LastSeen)
	}
	if len(jf.Evidence) == 0 {
		jf.Evidence = json.RawMessage("{}")
	}
	if waivers {
		w := e.Waiver != nil
		jf.Waived = &w
		if w {
			jf.Waiver = &jsonFindingWaiver{e.Waiver.Reason, e.Waiver.Owner, e.Waiver.Expires, e.Waiver.File, e.Waiver.Line}
		}
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
