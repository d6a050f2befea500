package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"sort"
	"strings"
	"text/tabwriter"

	"github.com/urfave/cli/v2"

	"github.com/openai-casb/openai-casb/collector"
	"github.com/openai-casb/openai-casb/dlp"
	"github.com/openai-casb/openai-casb/evaluator"
	"github.com/openai-casb/openai-casb/inventory"
)

// Where the DLP configuration lives in the policies' data.
const (
	refDLPProfiles = "data.openai.config.dlp_profiles"
	refDLPCustom   = "data.openai.config.dlp_custom_detectors"
	refDLPMaxBytes = "data.openai.config.dlp_max_file_bytes"
)

func dlpFlag() cli.Flag {
	return &cli.BoolFlag{Name: "dlp", Usage: "scan the files of GPTs, ChatGPT projects and conversations with every DLP profile of the policies (without it, only the profiles the policies enable)"}
}

// dlpProfile is one profile of the configuration.
type dlpProfile struct {
	Name       string   `json:"name"`
	Title      string   `json:"title"`
	Enabled    bool     `json:"enabled"`
	Detectors  []string `json:"detectors"`
	MinMatches int      `json:"min_matches"`
}

// dlpConfig is the DLP configuration of a policy tree, checked.
type dlpConfig struct {
	Profiles     []dlpProfile
	Custom       []dlp.Custom
	MaxFileBytes int64
	scanner      *dlp.Scanner
}

// readDLPConfig reads and checks the DLP configuration of the policies: a
// profile naming a detector that does not exist, or a custom pattern that
// does not compile, is an error before anything is collected.
func readDLPConfig(ctx context.Context, engine *evaluator.Engine) (*dlpConfig, error) {
	cfg := &dlpConfig{MaxFileBytes: dlp.DefaultLimits.MaxFileBytes}
	bad := func(ref, format string, a ...any) error {
		return withExit(exitError, fmt.Errorf("policies: %s: %s", ref, fmt.Sprintf(format, a...)))
	}
	if v, ok, err := engine.Data(ctx, refDLPMaxBytes); err != nil {
		return nil, withExit(exitError, err)
	} else if ok {
		n, isNum := v.(json.Number)
		i, err := n.Int64()
		if !isNum || err != nil || i < 1 {
			return nil, bad(refDLPMaxBytes, "got %v, want a whole number of bytes of at least 1", v)
		}
		cfg.MaxFileBytes = i
	}
	if v, ok, err := engine.Data(ctx, refDLPCustom); err != nil {
		return nil, withExit(exitError, err)
	} else if ok {
		m, isObj := v.(map[string]any)
		if !isObj {
			return nil, bad(refDLPCustom, "got %s, want an object of detectors by name", jsonKind(v))
		}
		for _, name := range sortedKeys(m) {
			d, isObj := m[name].(map[string]any)
			ref := refDLPCustom + "." + name
			if !isObj {
				return nil, bad(ref, "got %s, want an object with a pattern or keywords", jsonKind(m[name]))
			}
			c := dlp.Custom{Name: name}
			for k, val := range d {
				switch k {
				case "pattern":
					s, isStr := val.(string)
					if !isStr || s == "" {
						return nil, bad(ref+".pattern", "got %s, want a regular expression (RE2) as a string", jsonKind(val))
					}
					c.Pattern = s
				case "keywords":
					words, isArr := val.([]any)
					if !isArr || len(words) == 0 {
						return nil, bad(ref+".keywords", "got %s, want a non-empty list of strings", jsonKind(val))
					}
					for _, w := range words {
						s, isStr := w.(string)
						if !isStr {
							return nil, bad(ref+".keywords", "got %s in the list, want strings", jsonKind(w))
						}
						c.Keywords = append(c.Keywords, s)
					}
				default:
					return nil, bad(ref, "unknown field %q (want pattern or keywords)", k)
				}
			}
			cfg.Custom = append(cfg.Custom, c)
		}
	}
	sc, err := dlp.NewScanner(cfg.Custom)
	if err != nil {
		return nil, withExit(exitError, fmt.Errorf("policies: %s: %w", refDLPCustom, err))
	}
	cfg.scanner = sc
	known := map[string]bool{}
	for _, d := range sc.Detectors() {
		known[d] = true
	}
	v, ok, err := engine.Data(ctx, refDLPProfiles)
	if err != nil {
		return nil, withExit(exitError, err)
	}
	if !ok {
		return cfg, nil
	}
	m, isObj := v.(map[string]any)
	if !isObj {
		return nil, bad(refDLPProfiles, "got %s, want an object of profiles by name", jsonKind(v))
	}
	for _, name := range sortedKeys(m) {
		ref := refDLPProfiles + "." + name
		p, isObj := m[name].(map[string]any)
		if !isObj {
			return nil, bad(ref, "got %s, want an object with enabled, detectors and min_matches", jsonKind(m[name]))
		}
		prof := dlpProfile{Name: name, Title: name, MinMatches: 1}
		if t, has := p["title"]; has {
			s, isStr := t.(string)
			if !isStr {
				return nil, bad(ref+".title", "got %s, want a string", jsonKind(t))
			}
			prof.Title = s
		}
		en, isBool := p["enabled"].(bool)
		if !isBool {
			return nil, bad(ref+".enabled", "got %s, want true or false", jsonKind(p["enabled"]))
		}
		prof.Enabled = en
		ds, isArr := p["detectors"].([]any)
		if !isArr || len(ds) == 0 {
			return nil, bad(ref+".detectors", "got %s, want a non-empty list of detector names", jsonKind(p["detectors"]))
		}
		for _, d := range ds {
			s, isStr := d.(string)
			if !isStr {
				return nil, bad(ref+".detectors", "got %s in the list, want detector names", jsonKind(d))
			}
			if !known[s] {
				return nil, bad(ref+".detectors", "unknown detector %q: the built-in detectors are %s; custom ones are defined in %s",
					s, strings.Join(builtinNames(), ", "), refDLPCustom)
			}
			prof.Detectors = append(prof.Detectors, s)
		}
		if mm, has := p["min_matches"]; has {
			n, isNum := mm.(json.Number)
			i, err := n.Int64()
			if !isNum || err != nil || i < 1 || i > math.MaxInt32 {
				return nil, bad(ref+".min_matches", "got %v, want a whole number of at least 1", mm)
			}
			prof.MinMatches = int(i)
		}
		cfg.Profiles = append(cfg.Profiles, prof)
	}
	return cfg, nil
}

// dlpFromPolicies is the collector's DLP setting for the policies and
// --dlp: nil when DLP is off.
func dlpFromPolicies(ctx context.Context, engine *evaluator.Engine, all bool) (*collector.DLP, error) {
	cfg, err := readDLPConfig(ctx, engine)
	if err != nil {
		return nil, err
	}
	return cfg.collectorDLP(all)
}

// collectorDLP is the collector's DLP setting: every profile with --dlp,
// the enabled ones without; nil (no files fetched) when none is.
func (cfg *dlpConfig) collectorDLP(all bool) (*collector.DLP, error) {
	var profiles []string
	for _, p := range cfg.Profiles {
		if all || p.Enabled {
			profiles = append(profiles, p.Name)
		}
	}
	if all && len(profiles) == 0 {
		return nil, usageError("--dlp: the policies define no DLP profiles (%s)", refDLPProfiles)
	}
	if len(profiles) == 0 {
		return nil, nil
	}
	limits := dlp.DefaultLimits
	limits.MaxFileBytes = cfg.MaxFileBytes
	return &collector.DLP{Scanner: fileScanner{cfg.scanner, limits}, MaxFileBytes: cfg.MaxFileBytes, Profiles: profiles}, nil
}

// fileScanner gives the collector the detectors of package dlp, in the
// inventory's terms.
type fileScanner struct {
	s      *dlp.Scanner
	limits dlp.Limits
}

func (f fileScanner) Detectors() []string { return f.s.Detectors() }

func (f fileScanner) ScanFile(ctx context.Context, name, mimeType string, content []byte) (string, string, map[string]inventory.Detection) {
	res, err := f.s.ScanFile(ctx, name, mimeType, content, f.limits)
	switch {
	case errors.Is(err, dlp.ErrUnsupported):
		return inventory.FileUnsupported, err.Error(), nil
	case err != nil:
		return inventory.FileError, err.Error(), nil
	}
	found := make(map[string]inventory.Detection, len(res))
	for d, det := range res {
		found[d] = inventory.Detection{Count: det.Count, Sample: det.Sample}
	}
	return inventory.FileScanned, "", found
}

func builtinNames() []string {
	out := make([]string, len(dlp.Builtin))
	for i, d := range dlp.Builtin {
		out[i] = d.Name
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

func jsonKind(v any) string {
	switch v.(type) {
	case nil:
		return "nothing"
	case bool:
		return "a boolean"
	case json.Number, float64:
		return "a number"
	case string:
		return "a string"
	case []any:
		return "a list"
	case map[string]any:
		return "an object"
	}
	return fmt.Sprintf("%T", v)
}

// dlpListCommand lists the DLP profiles and detectors of the policies.
func dlpListCommand(e *env) *cli.Command {
	return &cli.Command{
		Name:  "dlp",
		Usage: "list the DLP profiles and detectors the policies configure",
		Flags: listFlags(),
		Action: func(c *cli.Context) error {
			if c.NArg() != 0 {
				return usageError("policies dlp takes no arguments")
			}
			format, engine, err := listEngine(c, e)
			if err != nil {
				return err
			}
			cfg, err := readDLPConfig(c.Context, engine)
			if err != nil {
				return err
			}
			return writeDLPConfig(cfg, format, e)
		},
	}
}

func writeDLPConfig(cfg *dlpConfig, format string, e *env) error {
	type detector struct {
		Name        string `json:"name"`
		Kind        string `json:"kind"`
		Description string `json:"description"`
	}
	var detectors []detector
	for _, d := range dlp.Builtin {
		detectors = append(detectors, detector{d.Name, "built-in", d.Description})
	}
	for _, c := range cfg.Custom {
		if c.Pattern != "" {
			detectors = append(detectors, detector{c.Name, "custom", "pattern " + c.Pattern})
		} else {
			detectors = append(detectors, detector{c.Name, "custom", "keywords " + strings.Join(c.Keywords, ", ")})
		}
	}
	if format == "json" {
		profiles := cfg.Profiles
		if profiles == nil {
			profiles = []dlpProfile{}
		}
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		enc.SetEscapeHTML(false)
		return enc.Encode(map[string]any{"profiles": profiles, "detectors": detectors, "max_file_bytes": cfg.MaxFileBytes})
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "PROFILE\tENABLED\tMIN MATCHES\tDETECTORS")
	for _, p := range cfg.Profiles {
		fmt.Fprintf(tw, "%s\t%t\t%d\t%s\n", p.Name, p.Enabled, p.MinMatches, strings.Join(p.Detectors, ", "))
	}
	fmt.Fprintln(tw)
	fmt.Fprintln(tw, "DETECTOR\tKIND\tFINDS")
	for _, d := range detectors {
		fmt.Fprintf(tw, "%s\t%s\t%s\n", d.Name, d.Kind, d.Description)
	}
	fmt.Fprintf(tw, "\nfiles larger than %d bytes are not read\n", cfg.MaxFileBytes)
	return tw.Flush()
}
