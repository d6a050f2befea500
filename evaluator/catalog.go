package evaluator

import (
	"cmp"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/open-policy-agent/opa/v1/ast"
)

// FindingType is one entry of the finding catalog, read from the METADATA of
// the deny rule that produces it.
type FindingType struct {
	ID                 string
	Title              string
	Description        string
	Severity           Severity
	Category           string
	EnterpriseRequired bool
	Remediation        string
	// Package is the Rego package of the rule, e.g. openai.access_security.
	Package string
	// Location is the rule's file and line.
	Location string
}

// FindingRule is the rule name that marks a finding rule. Every rule of that
// name in a policy package must carry METADATA describing its finding type.
const FindingRule = "deny"

// metadataHelp tells a policy author what a finding rule's METADATA needs.
const metadataHelp = `every deny rule needs a METADATA block with title and custom.finding_type_id, severity (critical|high|medium|low), category and remediation`

// catalogFrom reads the finding catalog from the METADATA of every deny rule
// of the compiled modules. It reports every rule whose metadata is missing or
// incomplete, each with its file and line, and finding types declared twice
// with different titles or severities.
func catalogFrom(c *ast.Compiler) ([]FindingType, []string, error) {
	as := c.GetAnnotationSet()
	var (
		problems []string
		byID     = map[string]FindingType{}
		packages = map[string]bool{}
	)
	for _, name := range sortedModuleNames(c.Modules) {
		mod := c.Modules[name]
		pkg := strings.TrimPrefix(mod.Package.Path.String(), "data.")
		for _, rule := range mod.Rules {
			if rule.Head.Name.String() != FindingRule || len(rule.Head.Ref()) != 1 {
				continue
			}
			loc := location(rule.Location)
			packages[pkg] = true
			ft, errs := findingType(as.GetRuleScope(rule), pkg, loc)
			if len(errs) > 0 {
				for _, e := range errs {
					problems = append(problems, fmt.Sprintf("%s: %s", loc, e))
				}
				continue
			}
			if prev, ok := byID[ft.ID]; ok {
				if prev.Title != ft.Title || prev.Severity != ft.Severity || prev.Category != ft.Category {
					problems = append(problems, fmt.Sprintf("%s: finding_type_id %s is also declared at %s with a different title, severity or category", loc, ft.ID, prev.Location))
				}
				continue
			}
			byID[ft.ID] = ft
		}
	}
	if len(problems) > 0 {
		return nil, nil, &PolicyError{Problems: problems, Hint: metadataHelp}
	}
	catalog := make([]FindingType, 0, len(byID))
	for _, ft := range byID {
		catalog = append(catalog, ft)
	}
	sortCatalog(catalog)
	return catalog, slices.Sorted(maps.Keys(packages)), nil
}

// findingType checks and reads the rule-scoped METADATA of one deny rule.
func findingType(anns []*ast.Annotations, pkg, loc string) (FindingType, []string) {
	if len(anns) == 0 {
		return FindingType{}, []string{"deny rule has no METADATA"}
	}
	a := anns[0]
	ft := FindingType{Title: a.Title, Description: a.Description, Package: pkg, Location: loc}
	var errs []string
	if strings.TrimSpace(a.Title) == "" {
		errs = append(errs, "METADATA has no title")
	}
	str := func(key string) string {
		v, ok := a.Custom[key]
		s, isStr := v.(string)
		if !ok || !isStr || strings.TrimSpace(s) == "" {
			errs = append(errs, fmt.Sprintf("METADATA custom.%s is missing or not a string", key))
		}
		return strings.TrimSpace(s)
	}
	ft.ID = str("finding_type_id")
	ft.Category = str("category")
	ft.Remediation = str("remediation")
	if sev := str("severity"); sev != "" {
		s, err := ParseSeverity(sev)
		if err != nil {
			errs = append(errs, "METADATA custom.severity: "+err.Error())
		}
		ft.Severity = s
	}
	if v, ok := a.Custom["enterprise_required"]; ok {
		b, isBool := v.(bool)
		if !isBool {
			errs = append(errs, "METADATA custom.enterprise_required must be true or false")
		}
		ft.EnterpriseRequired = b
	}
	return ft, errs
}

// sortCatalog orders finding types the way reports list them: most severe
// first, then by category and title.
func sortCatalog(c []FindingType) {
	slices.SortFunc(c, func(a, b FindingType) int {
		return cmp.Or(
			cmp.Compare(b.Severity, a.Severity), // most severe first
			cmp.Compare(a.Category, b.Category),
			cmp.Compare(a.Title, b.Title),
			cmp.Compare(a.ID, b.ID),
		)
	})
}

func location(l *ast.Location) string {
	if l == nil {
		return "?"
	}
	return fmt.Sprintf("%s:%d", l.File, l.Row)
}

func sortedModuleNames(m map[string]*ast.Module) []string {
	return slices.Sorted(maps.Keys(m))
}

// PolicyError is a policy tree that cannot be used: it does not parse or
// compile, or a finding rule lacks its METADATA. Every problem names its file
// and line.
type PolicyError struct {
	Problems []string
	Hint     string
}

func (e *PolicyError) Error() string {
	msg := strings.Join(e.Problems, "\n")
	if e.Hint != "" {
		msg += "\n(" + e.Hint + ")"
	}
	return msg
}
