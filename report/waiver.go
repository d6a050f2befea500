package report

import "github.com/openai-casb/openai-casb/evaluator"

// Waiver is one entry of a waivers file as reports show it: what it
// selects, why, and until when.
type Waiver struct {
	// File and Line are where the waiver is written.
	File string
	Line int
	// FindingTypeID or Category (one of them) selects the finding types.
	FindingTypeID string
	Category      string
	// Resource is an id or a glob over a resource's id or name.
	Resource string
	// Type, when set, is the resource type the waiver is limited to.
	Type string
	// OrganizationID, when set, limits the waiver to one organization.
	OrganizationID string
	Reason         string
	Owner          string
	// Expires is the date (YYYY-MM-DD, UTC) from which the waiver no
	// longer applies.
	Expires string
	// Matched counts the findings of this evaluation the waiver selects
	// (for an expired waiver: those it would have waived).
	Matched int
}

// WaiverSummary is how a waivers file applied to one evaluation.
type WaiverSummary struct {
	// File is the waivers file.
	File string
	// Applied counts the findings an active waiver waived.
	Applied int
	// Expired are the waivers past their date: they waive nothing.
	Expired []Waiver
	// Unused are the active waivers that matched no finding.
	Unused []Waiver
}

// Waived reports whether an active waiver accepts the entry: it is left
// out of --fail-on, of the open findings' counts and of the table's main
// list.
func (e Entry) Waived() bool { return e.Waiver != nil }

// open keeps the current findings no waiver accepts.
func open(entries []Entry) []Entry {
	out := make([]Entry, 0, len(entries))
	for _, e := range entries {
		if e.State != StateAbsent && e.Waiver == nil {
			out = append(out, e)
		}
	}
	return out
}

// waived keeps the current findings a waiver accepts.
func waived(entries []Entry) []Entry {
	var out []Entry
	for _, e := range entries {
		if e.State != StateAbsent && e.Waiver != nil {
			out = append(out, e)
		}
	}
	return out
}

// Open is the open findings of the report: current, and not waived.
func Open(r *Report) []evaluator.Finding { return findingsOf(open(r.Entries)) }
