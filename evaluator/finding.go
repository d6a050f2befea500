package evaluator

import (
	"fmt"
	"sort"
)

// Resource is what a finding is about.
type Resource struct {
	Type string
	ID   string
	// Name is the resource's display name; empty when it has none.
	Name string
}

// Finding is one deny result, joined with its finding type from the catalog.
type Finding struct {
	FindingTypeID string
	Title         string
	Category      string
	Severity      Severity
	Resource      Resource
	Message       string
	Remediation   string
	// Evidence is whatever facts the rule attached, as plain JSON values.
	Evidence map[string]any
}

// findingFrom reads one element of a deny set, as the rego package returns
// it, and joins it with the catalog. A rule may raise or lower the severity
// of an individual finding by setting severity; otherwise the finding
// type's applies.
func findingFrom(v any, catalog map[string]FindingType, query string) (Finding, error) {
	obj, ok := v.(map[string]any)
	if !ok {
		return Finding{}, fmt.Errorf("%s produced %T, want a finding object", query, v)
	}
	bad := func(what string) error {
		return fmt.Errorf("%s produced a finding %s: %v", query, what, obj)
	}
	id, _ := obj["finding_type_id"].(string)
	ft, ok := catalog[id]
	if !ok {
		if id == "" {
			return Finding{}, bad("without finding_type_id")
		}
		return Finding{}, fmt.Errorf("%s produced finding_type_id %q, which no deny rule's METADATA declares", query, id)
	}
	res, _ := obj["resource"].(map[string]any)
	rtype, _ := res["type"].(string)
	rid, _ := res["id"].(string)
	if rtype == "" || rid == "" {
		return Finding{}, bad("without resource.type and resource.id")
	}
	rname, _ := res["name"].(string)
	msg, ok := obj["message"].(string)
	if !ok {
		return Finding{}, bad("without a message string")
	}
	sev := ft.Severity
	if s, ok := obj["severity"].(string); ok {
		parsed, err := ParseSeverity(s)
		if err != nil {
			return Finding{}, bad(err.Error())
		}
		sev = parsed
	}
	f := Finding{
		FindingTypeID: id,
		Title:         ft.Title,
		Category:      ft.Category,
		Severity:      sev,
		Resource:      Resource{Type: rtype, ID: rid, Name: rname},
		Message:       msg,
		Remediation:   ft.Remediation,
	}
	if ev, ok := obj["evidence"].(map[string]any); ok && len(ev) > 0 {
		f.Evidence = ev
	}
	return f, nil
}

// SortFindings orders findings the way every report lists them: most
// severe first, then by title, finding type, resource and message, so the
// same inventory always gives byte-identical output.
func SortFindings(fs []Finding) {
	sort.Slice(fs, func(i, j int) bool { return LessFinding(&fs[i], &fs[j]) })
}

// LessFinding is the order of SortFindings.
func LessFinding(a, b *Finding) bool {
	if a.Severity != b.Severity {
		return a.Severity > b.Severity
	}
	if a.Title != b.Title {
		return a.Title < b.Title
	}
	if a.FindingTypeID != b.FindingTypeID {
		return a.FindingTypeID < b.FindingTypeID
	}
	if a.Resource.Type != b.Resource.Type {
		return a.Resource.Type < b.Resource.Type
	}
	if a.Resource.ID != b.Resource.ID {
		return a.Resource.ID < b.Resource.ID
	}
	return a.Message < b.Message
}
