package report

import (
	"maps"
	"slices"

	"github.com/openai-casb/openai-casb/evaluator"
)

// FrameworkView is one framework's controls with how the report's
// findings fare on them, for the reports that show compliance (HTML).
type FrameworkView struct {
	Framework evaluator.Framework
	Controls  []ControlView
}

// ControlView is one control: its status and open findings
// (evaluator.ComplianceOf over the open findings: a waived finding is an
// accepted risk and does not fail its control), and how many findings of
// its finding types are waived.
type ControlView struct {
	evaluator.Control
	Waived int
}

// ComplianceViews maps the report's current findings onto every framework
// its catalog maps: the built-in frameworks first, in their order, then
// those only a user's policies name, by id. Call it before --severity
// narrows the entries, so that a control's status counts every finding.
func ComplianceViews(r *Report) []FrameworkView {
	named := map[string]bool{}
	for _, ft := range r.Catalog {
		for id := range ft.Frameworks {
			named[id] = true
		}
	}
	if len(named) == 0 {
		return nil
	}
	var fws []evaluator.Framework
	for _, fw := range evaluator.Frameworks {
		if named[fw.ID] {
			fws = append(fws, fw)
			delete(named, fw.ID)
		}
	}
	for _, id := range slices.Sorted(maps.Keys(named)) {
		fws = append(fws, evaluator.Framework{ID: id, Name: id})
	}
	res := &evaluator.Result{Header: r.Inventory, Findings: findingsOf(open(r.Entries))}
	waivedByType := map[string]int{}
	for _, e := range waived(r.Entries) {
		waivedByType[e.FindingTypeID]++
	}
	out := make([]FrameworkView, 0, len(fws))
	for _, fw := range fws {
		v := FrameworkView{Framework: fw}
		for _, c := range evaluator.ComplianceOf(fw, r.Catalog, res) {
			cv := ControlView{Control: c}
			for _, id := range c.FindingTypes {
				cv.Waived += waivedByType[id]
			}
			v.Controls = append(v.Controls, cv)
		}
		out = append(out, v)
	}
	return out
}
