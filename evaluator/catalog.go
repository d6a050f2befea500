package evaluator

import (
	"cmp"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"sort"
	"strconv"
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
	// Frameworks maps a compliance framework (FrameworkIDs) to the control
	// ids the finding type bears on: custom.frameworks.
	Frameworks map[string][]string
	// Sources are the inventory's sources entries the rule reads
	// (custom.sources): when one of them was not collected completely, the
	// rule's silence proves nothing.
	Sources []string
	// Config names the openai.config values the rule reads (custom.config).
	Config []string
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
	ft.Sources = strList(a.Custom["sources"], "sources", &errs)
	ft.Config = strList(a.Custom["config"], "config", &errs)
	if v, ok := a.Custom["frameworks"]; ok {
		m, isMap := v.(map[string]any)
		if !isMap {
			errs = append(errs, "METADATA custom.frameworks must map framework ids to lists of control ids")
		}
		for _, fw := range sortedKeys(m) {
			ids := strList(m[fw], "frameworks."+fw, &errs)
			if len(ids) == 0 {
				continue
			}
			if ft.Frameworks == nil {
				ft.Frameworks = map[string][]string{}
			}
			ft.Frameworks[fw] = ids
		}
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

// strList reads a METADATA list of strings (numbers are taken as written,
// so that an unquoted CIS safeguard 5.2 still reads "5.2"); nil when absent.
func strList(v any, key string, errs *[]string) []string {
	if v == nil {
		return nil
	}
	items, ok := v.([]any)
	if !ok {
		*errs = append(*errs, fmt.Sprintf("METADATA custom.%s must be a list", key))
		return nil
	}
	out := make([]string, 0, len(items))
	for _, it := range items {
		switch x := it.(type) {
		case string:
			if s := strings.TrimSpace(x); s != "" {
				out = append(out, s)
			}
		case json.Number:
			out = append(out, x.String())
		case float64:
			out = append(out, strconv.FormatFloat(x, 'f', -1, 64))
		case int:
			out = append(out, strconv.Itoa(x))
		default:
			*errs = append(*errs, fmt.Sprintf("METADATA custom.%s: %v is not a string", key, it))
		}
	}
	return out
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
