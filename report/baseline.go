package report

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"reflect"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/openai-casb/openai-casb/evaluator"
)

// Baseline is a previous JSON or SARIF report of openai-casb: the findings
// it had, by fingerprint.
type Baseline struct {
	File           string
	OrganizationID string
	// EvaluatedAt is when the baseline was evaluated (unix seconds): its
	// inventory.evaluated_at (JSON) or the run's evaluated_at property
	// (SARIF); zero when it says not.
	EvaluatedAt int64
	entries     map[string]Entry
}

// BaselineSummary counts the entries of a report against its baseline.
type BaselineSummary struct {
	File                            string
	New, Changed, Unchanged, Absent int
}

// String is the counts as reports print them.
func (s BaselineSummary) String() string {
	return fmt.Sprintf("%d new, %d changed, %d unchanged, %d absent", s.New, s.Changed, s.Unchanged, s.Absent)
}

// ReadBaseline reads a previous report, in either format. Findings the
// previous report itself marked absent were not there, and are left out.
// A finding without a fingerprint is an error: identity is never guessed
// from a partial key.
func ReadBaseline(path string) (*Baseline, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read baseline: %w", err)
	}
	var probe struct {
		Version  string          `json:"version"`
		Runs     json.RawMessage `json:"runs"`
		Findings json.RawMessage `json:"findings"`
	}
	if err := json.Unmarshal(raw, &probe); err != nil {
		return nil, fmt.Errorf("read baseline %s: not a JSON or SARIF report of openai-casb: %w", path, err)
	}
	b := &Baseline{File: path, entries: map[string]Entry{}}
	switch {
	case probe.Runs != nil:
		err = b.fromSARIF(raw)
	case probe.Findings != nil:
		err = b.fromJSON(raw)
	default:
		err = errors.New("it has neither runs (SARIF) nor findings (JSON)")
	}
	if err != nil {
		return nil, fmt.Errorf("read baseline %s: not a JSON or SARIF report of openai-casb: %w", path, err)
	}
	return b, nil
}

func (b *Baseline) add(e Entry, where string) error {
	if len(e.Fingerprint) != sha256HexLen {
		return fmt.Errorf("%s has no full fingerprint (reports of openai-casb 0.1.0 and later have one)", where)
	}
	// A baseline older than first_seen, or a finding it saw first, was
	// seen no later than when that baseline was evaluated.
	if e.FirstSeen == 0 {
		e.FirstSeen = b.EvaluatedAt
	}
	e.LastSeen = b.EvaluatedAt
	b.entries[e.Fingerprint] = e
	return nil
}

const sha256HexLen = 64

// parseTime reads an RFC 3339 time of a baseline; empty is zero (unknown).
func parseTime(s, where string) (int64, error) {
	if s == "" {
		return 0, nil
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return 0, fmt.Errorf("%s %q is not an RFC 3339 time such as 2026-11-26T00:00:00Z", where, s)
	}
	return t.Unix(), nil
}

func (b *Baseline) fromJSON(raw []byte) error {
	var doc jsonReport
	if err := json.Unmarshal(raw, &doc); err != nil {
		return err
	}
	b.OrganizationID = doc.Inventory.OrganizationID
	var err error
	if b.EvaluatedAt, err = parseTime(doc.Inventory.EvaluatedAt, "inventory.evaluated_at"); err != nil {
		return err
	}
	for i, f := range doc.Findings {
		if f.BaselineState == string(StateAbsent) {
			continue
		}
		sev, err := evaluator.ParseSeverity(f.Severity)
		if err != nil {
			return fmt.Errorf("findings[%d]: %w", i, err)
		}
		e := Entry{Fingerprint: f.Fingerprint, Finding: evaluator.Finding{
			FindingTypeID: f.FindingTypeID, Title: f.Title, Category: f.Category, Severity: sev,
			Resource: evaluator.Resource{Type: f.Resource.Type, ID: f.Resource.ID}, Key: f.Key, Message: f.Message,
			Remediation: f.Remediation, Evidence: compact(f.Evidence),
		}}
		if f.Resource.Name != nil {
			e.Resource.Name = *f.Resource.Name
		}
		if e.FirstSeen, err = parseTime(f.FirstSeen, fmt.Sprintf("findings[%d].first_seen", i)); err != nil {
			return err
		}
		if err := b.add(e, fmt.Sprintf("findings[%d]", i)); err != nil {
			return err
		}
	}
	return nil
}

func (b *Baseline) fromSARIF(raw []byte) error {
	var doc sarifLog
	if err := json.Unmarshal(raw, &doc); err != nil {
		return err
	}
	if len(doc.Runs) != 1 {
		return fmt.Errorf("it has %d runs, want the one run openai-casb writes", len(doc.Runs))
	}
	run := doc.Runs[0]
	if run.AutomationDetails != nil {
		b.OrganizationID = strings.TrimSuffix(strings.TrimPrefix(run.AutomationDetails.ID, toolName+"/"), "/")
	}
	if at, ok := run.Properties["evaluated_at"].(string); ok {
		var err error
		if b.EvaluatedAt, err = parseTime(at, "runs[0].properties.evaluated_at"); err != nil {
			return err
		}
	}
	for i, r := range run.Results {
		if r.BaselineState == string(StateAbsent) {
			continue
		}
		e := Entry{Fingerprint: r.Fingerprints[FingerprintVersion], Finding: evaluator.Finding{FindingTypeID: r.RuleID, Message: r.Message.Text}}
		if r.RuleIndex >= 0 && r.RuleIndex < len(run.Tool.Driver.Rules) {
			rule := run.Tool.Driver.Rules[r.RuleIndex]
			e.Title, e.Category = rule.ShortDescription.Text, rule.Properties.Category
			if rule.Help != nil {
				e.Remediation = rule.Properties.Remediation
			}
		}
		if p := r.Properties; p != nil {
			e.Severity, _ = evaluator.ParseSeverity(p.Severity)
			e.Resource = evaluator.Resource{Type: p.Resource.Type, ID: p.Resource.ID}
			e.Key = p.Key
			if p.Resource.Name != nil {
				e.Resource.Name = *p.Resource.Name
			}
			e.Evidence = compact(p.Evidence)
		}
		if pv := r.Provenance; pv != nil {
			var err error
			if e.FirstSeen, err = parseTime(pv.FirstDetectionTimeUTC, fmt.Sprintf("runs[0].results[%d].provenance.firstDetectionTimeUtc", i)); err != nil {
				return err
			}
		}
		if err := b.add(e, fmt.Sprintf("runs[0].results[%d]", i)); err != nil {
			return err
		}
	}
	return nil
}

// Compare marks each current entry new, changed or unchanged and adds the
// baseline's entries that are gone as absent, keeping the report's order.
// A new entry was first seen now (unix seconds); the others keep the
// baseline's first-seen time; an absent one was last seen when the baseline
// was evaluated.
func (b *Baseline) Compare(current []Entry, now int64) ([]Entry, BaselineSummary) {
	sum := BaselineSummary{File: b.File}
	seen := map[string]bool{}
	out := make([]Entry, 0, len(current))
	for _, e := range current {
		if prev, ok := b.entries[e.Fingerprint]; ok {
			e.FirstSeen = prev.FirstSeen
			if sameFinding(prev.Finding, e.Finding) {
				e.State = StateUnchanged
				sum.Unchanged++
			} else {
				e.State = StateChanged
				sum.Changed++
			}
		} else {
			e.State, e.FirstSeen = StateNew, now
			sum.New++
		}
		seen[e.Fingerprint] = true
		out = append(out, e)
	}
	for fp, e := range b.entries {
		if !seen[fp] {
			e.State = StateAbsent
			sum.Absent++
			out = append(out, e)
		}
	}
	sortEntries(out)
	return out, sum
}

// sameFinding tells whether a finding of the baseline says what the current
// one of the same identity says: the same evidence, and the same message
// once every run of digits is set aside, so that "last used 120 days ago"
// becoming "121 days ago" is not a change, while a GPT gaining an action
// domain (in its evidence) or a renamed resource (in its message) is.
func sameFinding(prev, cur evaluator.Finding) bool {
	return maskDigits(prev.Message) == maskDigits(cur.Message) && sameJSON(prev.Evidence, cur.Evidence)
}

var digitRuns = regexp.MustCompile(`[0-9]+`)

func maskDigits(s string) string { return digitRuns.ReplaceAllString(s, "#") }

// sameJSON compares two evidence objects as values: a baseline read back
// from SARIF or JSON may escape or space them otherwise than the evaluator.
func sameJSON(a, b json.RawMessage) bool {
	if bytes.Equal(a, b) {
		return true
	}
	var va, vb any
	if len(a) > 0 && json.Unmarshal(a, &va) != nil {
		return false
	}
	if len(b) > 0 && json.Unmarshal(b, &vb) != nil {
		return false
	}
	return reflect.DeepEqual(va, vb)
}

// sortEntries orders entries as findings are ordered, then by fingerprint
// so that two entries never tie.
func sortEntries(es []Entry) {
	sort.SliceStable(es, func(i, j int) bool {
		a, b := es[i], es[j]
		if a.Severity != b.Severity || a.Title != b.Title || a.FindingTypeID != b.FindingTypeID ||
			a.Resource.Type != b.Resource.Type || a.Resource.ID != b.Resource.ID {
			fa, fb := a.Finding, b.Finding
			return evaluator.LessFinding(&fa, &fb)
		}
		return a.Fingerprint < b.Fingerprint
	})
}

// compact is evidence as the evaluator keeps it: compact, and nil when empty.
func compact(raw json.RawMessage) json.RawMessage {
	var buf bytes.Buffer
	if len(raw) == 0 || json.Compact(&buf, raw) != nil || buf.String() == "{}" {
		return nil
	}
	return buf.Bytes()
}
