package report

import (
	"crypto/sha256"
	"encoding/hex"
	"slices"

	"github.com/samber/lo"

	"github.com/openai-casb/openai-casb/evaluator"
)

// BaselineState says how a finding compares with a baseline report.
type BaselineState string

// Baseline states. The empty state means no baseline was given. SARIF
// names them alike, except changed, which it calls "updated".
const (
	// StateNew: the baseline has no finding of this identity.
	StateNew BaselineState = "new"
	// StateChanged: the baseline has a finding of this identity with other
	// evidence, or another message once the numbers in both are set aside
	// (ages grow every day without anything changing).
	StateChanged BaselineState = "changed"
	// StateUnchanged: the baseline has this finding as it is now.
	StateUnchanged BaselineState = "unchanged"
	// StateAbsent: a finding of the baseline that this evaluation has not.
	StateAbsent BaselineState = "absent"
)

// Fails reports whether --fail-on-new counts an entry in this state: new
// and changed findings are what a reviewer has not seen yet.
func (s BaselineState) Fails() bool { return s == StateNew || s == StateChanged }

// FingerprintVersion names the fingerprint scheme in SARIF fingerprints.
const FingerprintVersion = "openai-casb/v1"

// Entry is one reported finding: a finding of this evaluation, or, with a
// baseline, a finding of the baseline that is now absent.
type Entry struct {
	evaluator.Finding
	// Fingerprint identifies the finding across evaluations: its finding
	// type, organization, resource type and resource id (and key). Messages,
	// line numbers and ages are left out, so the identity survives a key
	// growing a day older or resources moving in the file.
	Fingerprint string
	State       BaselineState
	// Waiver is the active waiver that accepts this finding; nil when the
	// finding is open (or no waivers file was given).
	Waiver *Waiver
	// FirstSeen is when a finding of this fingerprint was first seen, in
	// unix seconds, as the chain of baselines tells: this evaluation for a
	// new finding, the baseline's first_seen (or, from a baseline that has
	// none, the time that baseline was evaluated) for the others. Zero
	// without a baseline: then nothing is known of earlier runs.
	FirstSeen int64
	// LastSeen is, for an absent finding, when the baseline saw it (its
	// evaluation time); zero otherwise.
	LastSeen int64
}

// Fingerprint is the identity of a finding in an organization: its
// finding type, the organization, the resource's type and id, and the key
// of finding types that can hold more than once per resource (a DLP
// profile). Findings without a key keep the fingerprint they always had.
func Fingerprint(orgID string, f evaluator.Finding) string {
	h := sha256.New()
	parts := []string{FingerprintVersion, f.FindingTypeID, orgID, f.Resource.Type, f.Resource.ID}
	if f.Key != "" {
		parts = append(parts, f.Key)
	}
	for _, part := range parts {
		h.Write([]byte(part))
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil))
}

// Entries fingerprints the findings of one evaluation.
func Entries(orgID string, findings []evaluator.Finding) []Entry {
	return lo.Map(findings, func(f evaluator.Finding, _ int) Entry {
		return Entry{Finding: f, Fingerprint: Fingerprint(orgID, f)}
	})
}

// FilterSeverities keeps the entries of the given severities; none given
// keeps all.
func FilterSeverities(entries []Entry, keep []evaluator.Severity) []Entry {
	if len(keep) == 0 {
		return entries
	}
	return lo.Filter(entries, func(e Entry, _ int) bool { return slices.Contains(keep, e.Severity) })
}

// present drops the entries the baseline had and this evaluation has not.
func present(entries []Entry) []Entry {
	return lo.Reject(entries, func(e Entry, _ int) bool { return e.State == StateAbsent })
}

func findingsOf(entries []Entry) []evaluator.Finding {
	return lo.Map(entries, func(e Entry, _ int) evaluator.Finding { return e.Finding })
}

// Current is the findings of the report's own evaluation: its entries less
// the baseline's absent ones, waived ones included (see Open).
func Current(r *Report) []evaluator.Finding { return findingsOf(present(r.Entries)) }
