package waiver

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/openai-casb/openai-casb/evaluator"
	"github.com/openai-casb/openai-casb/report"
)

// The finding types of the waivers themselves. They are the tool's, not a
// policy's: they join the catalog of a report only when a waivers file is
// in use (Unused only with --strict-waivers).
var (
	ExpiredType = evaluator.FindingType{
		ID:    "0c6f7d52-2f0e-4a8e-9a55-3b7f2d8c41e1",
		Title: "openai-casb: Expired waiver",
		Description: "A waiver of the waivers file is past its expires date: it waives nothing any more, " +
			"and the findings it selected are open again.",
		Severity: evaluator.SeverityLow,
		Category: "Waivers",
		Remediation: "Fix what the waived findings point at and remove the waiver, or review the risk again " +
			"and give the waiver a new expires date and reason.",
		Package:  "openai-casb",
		Location: "waivers file",
	}
	UnusedType = evaluator.FindingType{
		ID:          "5e0b9a3c-8d41-4f6b-b0d2-7a1c9e6f2b84",
		Title:       "openai-casb: Unused waiver",
		Description: "A waiver of the waivers file selects no finding: the risk it accepted is gone, or the waiver has a typo.",
		Severity:    evaluator.SeverityLow,
		Category:    "Waivers",
		Remediation: "Remove the waiver if its finding is fixed; otherwise correct its finding_type_id, category, resource or type (see `openai-casb policies list`).",
		Package:     "openai-casb",
		Location:    "waivers file",
	}
)

// WaiverResourceType is the resource type of the findings about waivers.
const WaiverResourceType = "waiver"

// Apply waives the current entries of r that an active waiver selects,
// adds a finding per expired waiver (and with strict, per unused one), and
// sets r.Waivers. The clock is the evaluation's (r.EvaluatedAt), the
// organization the inventory's. Call it before comparing with a baseline,
// so that the waivers' own findings get a baseline state too.
func (f *File) Apply(r *report.Report, strict bool) error {
	now := time.Unix(r.EvaluatedAt, 0).UTC()
	if err := f.Check(now); err != nil {
		return err
	}
	org := r.Inventory.Organization.ID
	sum := &report.WaiverSummary{File: f.Path, Expired: []report.Waiver{}, Unused: []report.Waiver{}}
	// The first active waiver that selects a finding waives it; every
	// waiver that selects it counts it.
	matched := make([]int, len(f.Waivers))
	waivedBy := map[int]int{}
	for i := range r.Entries {
		e := &r.Entries[i]
		if e.State == report.StateAbsent {
			continue
		}
		for j := range f.Waivers {
			w := &f.Waivers[j]
			if !w.Matches(org, e) {
				continue
			}
			matched[j]++
			if _, done := waivedBy[i]; !done && !w.Expired(now) {
				waivedBy[i] = j
			}
		}
	}
	for i, j := range waivedBy {
		w := f.Waivers[j].Waiver
		w.Matched = matched[j]
		r.Entries[i].Waiver = &w
		sum.Applied++
	}
	var extra []evaluator.Finding
	ids := map[string]int{}
	for j := range f.Waivers {
		w := f.Waivers[j].Waiver
		w.Matched = matched[j]
		switch {
		case f.Waivers[j].Expired(now):
			sum.Expired = append(sum.Expired, w)
			extra = append(extra, finding(ExpiredType, w, ids,
				fmt.Sprintf("Waiver %s:%d expired on %s; the %d finding(s) it selects are open again", w.File, w.Line, w.Expires, w.Matched)))
		case w.Matched == 0:
			sum.Unused = append(sum.Unused, w)
			if strict {
				extra = append(extra, finding(UnusedType, w, ids,
					fmt.Sprintf("Waiver %s:%d selects no finding", w.File, w.Line)))
			}
		}
	}
	r.Entries = append(r.Entries, report.Entries(org, extra)...)
	sort.SliceStable(r.Entries, func(i, j int) bool {
		return evaluator.LessFinding(&r.Entries[i].Finding, &r.Entries[j].Finding)
	})
	r.Catalog = append(r.Catalog, ExpiredType)
	if strict {
		r.Catalog = append(r.Catalog, UnusedType)
	}
	r.Waivers = sum
	return nil
}

// selector says what a waiver selects, in one line: it is also the id of
// the findings about the waiver, so that it stays the same when lines
// above it move.
func selector(w report.Waiver) string {
	parts := []string{}
	if w.FindingTypeID != "" {
		parts = append(parts, "finding_type_id="+w.FindingTypeID)
	} else {
		parts = append(parts, "category="+w.Category)
	}
	if w.Type != "" {
		parts = append(parts, "type="+w.Type)
	}
	parts = append(parts, "resource="+w.Resource)
	if w.OrganizationID != "" {
		parts = append(parts, "organization_id="+w.OrganizationID)
	}
	return strings.Join(parts, " ")
}

func finding(ft evaluator.FindingType, w report.Waiver, ids map[string]int, msg string) evaluator.Finding {
	id := selector(w)
	ids[ft.ID+id]++
	key := ""
	if n := ids[ft.ID+id]; n > 1 {
		// The same selection written twice: tell the findings apart.
		key = fmt.Sprintf("%d", n)
	}
	ev, _ := json.Marshal(map[string]any{
		"file": w.File, "line": w.Line, "reason": w.Reason, "owner": w.Owner, "expires": w.Expires, "matched": w.Matched,
	})
	return evaluator.Finding{
		FindingTypeID: ft.ID, Title: ft.Title, Category: ft.Category, Severity: ft.Severity,
		Resource:    evaluator.Resource{Type: WaiverResourceType, ID: id, Name: fmt.Sprintf("%s:%d", w.File, w.Line)},
		Key:         key,
		Message:     msg,
		Remediation: ft.Remediation,
		Evidence:    ev,
	}
}
