package evaluator

import (
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/samber/lo"
	"go.yaml.in/yaml/v3"
)

// addExtraPolicies parses the policies of a user's directory into modules,
// beside those already there.
func addExtraPolicies(modules map[string]*ast.Module, dir string) error {
	fsys, prefix, err := policyTree(dir)
	if err != nil {
		return fmt.Errorf("--extra-policies: %w", err)
	}
	extra, err := parseModules(fsys, prefix)
	if err != nil {
		return err
	}
	for name, mod := range extra {
		if _, dup := modules[name]; dup {
			return fmt.Errorf("load policies: %s is loaded twice (give each directory once)", name)
		}
		modules[name] = mod
	}
	return nil
}

// ConfigPackage is the package of the thresholds that --data overrides.
var ConfigPackage = ast.MustParseRef("data.openai.config")

// dataModule names the module --data becomes, in errors.
const dataModule = "--data"

// ReadData reads a data file, JSON or YAML (by its extension; .json is
// JSON, anything else YAML, of which JSON is a subset), into the object
// that is merged under data.openai.config.
func ReadData(path string) (map[string]any, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read data: %w", err)
	}
	var v any
	if strings.EqualFold(filepath.Ext(path), ".json") {
		dec := json.NewDecoder(strings.NewReader(string(raw)))
		dec.UseNumber()
		if err := dec.Decode(&v); err != nil {
			return nil, fmt.Errorf("read data %s: not valid JSON: %w", path, err)
		}
	} else if err := yaml.Unmarshal(raw, &v); err != nil {
		return nil, fmt.Errorf("read data %s: not valid YAML: %s", path, strings.TrimPrefix(err.Error(), "yaml: "))
	}
	obj, ok := v.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("read data %s: want an object of thresholds, e.g. {\"admin_key_rotation_days\": 30}, merged under data.openai.config", path)
	}
	return obj, nil
}

// mergeConfig makes each key of data a constant rule of openai.config:
// the rule of that name in the policies (a constant, as config.rego's
// are) is replaced, its object value merged with data's key by key; a key
// the policies lack is added. The policies' files are not touched: the
// compiled tree is what stock OPA would get from config.rego edited.
func mergeConfig(modules map[string]*ast.Module, data map[string]any, file string) error {
	if file == "" {
		file = dataModule
	}
	existing := map[string]*ast.Term{}
	for _, mod := range modules {
		if !mod.Package.Path.Equal(ConfigPackage) {
			continue
		}
		kept := mod.Rules[:0]
		for _, r := range mod.Rules {
			name := r.Head.Name.String()
			if _, override := data[name]; override && len(r.Head.Ref()) == 1 {
				if r.Head.Value != nil && r.Head.Value.IsGround() && len(r.Head.Args) == 0 {
					existing[name] = r.Head.Value
				}
				continue
			}
			kept = append(kept, r)
		}
		mod.Rules = kept
	}
	keys := slices.Sorted(maps.Keys(data))
	var src strings.Builder
	src.WriteString("package openai.config\n\n")
	for _, k := range keys {
		if !ast.IsVarCompatibleString(k) {
			return fmt.Errorf("%s: key %q: want a Rego name (letters, digits, _), as config.rego's thresholds are", file, k)
		}
		v := data[k]
		if prev, ok := existing[k]; ok {
			if old, err := ast.JSON(prev.Value); err == nil {
				v = mergeValues(old, v)
			}
		}
		raw, err := json.Marshal(normalize(v))
		if err != nil {
			return fmt.Errorf("%s: key %q: %w", file, k, err)
		}
		fmt.Fprintf(&src, "%s := %s\n\n", k, raw)
	}
	mod, err := ast.ParseModuleWithOpts(file, src.String(), ast.ParserOptions{RegoVersion: ast.RegoV1})
	if err != nil {
		return fmt.Errorf("%s: %w", file, err)
	}
	modules[file] = mod
	return nil
}

// mergeValues merges objects key by key (over's keys win); anything else
// is replaced by over.
func mergeValues(base, over any) any {
	b, ok1 := base.(map[string]any)
	o, ok2 := over.(map[string]any)
	if !ok1 || !ok2 {
		return over
	}
	out := make(map[string]any, len(b)+len(o))
	for k, v := range b {
		out[k] = v
	}
	for k, v := range o {
		if prev, ok := out[k]; ok {
			out[k] = mergeValues(prev, v)
		} else {
			out[k] = v
		}
	}
	return out
}

// normalize turns what YAML decoding gives (map[any]any is not produced by
// yaml.v3, but integers are ints) into values encoding/json writes.
func normalize(v any) any {
	switch x := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = normalize(e)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = normalize(e)
		}
		return out
	}
	return v
}

// selectTypes resolves --only and --skip (finding type ids or category
// names, compared without regard to case) to the finding types kept; nil
// when neither is given.
func selectTypes(catalog []FindingType, only, skip []string) (map[string]bool, error) {
	if len(only) == 0 && len(skip) == 0 {
		return nil, nil
	}
	resolve := func(flag string, names []string) (map[string]bool, error) {
		out := map[string]bool{}
		for _, n := range names {
			n = strings.TrimSpace(n)
			if n == "" {
				continue
			}
			found := false
			for _, ft := range catalog {
				if strings.EqualFold(ft.ID, n) || strings.EqualFold(ft.Category, n) {
					out[ft.ID] = true
					found = true
				}
			}
			if !found {
				return nil, fmt.Errorf("--%s %q: no finding type id or category of the policies is called so (see `openai-casb policies list`; categories: %s)", flag, n, strings.Join(categories(catalog), ", "))
			}
		}
		return out, nil
	}
	keep := map[string]bool{}
	if len(only) > 0 {
		o, err := resolve("only", only)
		if err != nil {
			return nil, err
		}
		keep = o
	} else {
		for _, ft := range catalog {
			keep[ft.ID] = true
		}
	}
	s, err := resolve("skip", skip)
	if err != nil {
		return nil, err
	}
	for id := range s {
		delete(keep, id)
	}
	return keep, nil
}

func categories(catalog []FindingType) []string {
	out := lo.Uniq(lo.Map(catalog, func(ft FindingType, _ int) string { return ft.Category }))
	slices.Sort(out)
	return out
}
