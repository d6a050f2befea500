package dlp

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"golang.org/x/text/language"
	"golang.org/x/text/message"
)

// Where the DLP configuration lives in the policies' data, and the keys
// of ParseConfig's map.
const (
	ConfigRef          = "data.openai.config"
	KeyProfiles        = "dlp_profiles"
	KeyCustomDetectors = "dlp_custom_detectors"
	KeyMaxFileBytes    = "dlp_max_file_bytes"
)

// ConfigKeys are the members of data.openai.config that ParseConfig reads.
var ConfigKeys = []string{KeyProfiles, KeyCustomDetectors, KeyMaxFileBytes}

//go:embed config.schema.json
var configSchemaJSON []byte

var configSchema = sync.OnceValues(func() (*jsonschema.Schema, error) {
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(configSchemaJSON))
	if err != nil {
		return nil, err
	}
	c := jsonschema.NewCompiler()
	if err := c.AddResource("dlp-config.schema.json", doc); err != nil {
		return nil, err
	}
	return c.Compile("dlp-config.schema.json")
})

var printer = message.NewPrinter(language.English)

// Profile is one DLP profile of the configuration.
type Profile struct {
	Name       string   `json:"name"`
	Title      string   `json:"title"`
	Enabled    bool     `json:"enabled"`
	Detectors  []string `json:"detectors"`
	MinMatches int      `json:"min_matches"`
	// MinConfidence is the lowest confidence of a match the profile
	// counts (low when the configuration says nothing).
	MinConfidence Confidence `json:"min_confidence"`
}

// Config is the DLP configuration of a policy tree, checked, with the
// scanner of its detectors.
type Config struct {
	Profiles     []Profile
	Custom       []Custom
	MaxFileBytes int64
	Scanner      *Scanner
}

// Profile returns the profile of that name.
func (c *Config) Profile(name string) (Profile, bool) {
	for _, p := range c.Profiles {
		if p.Name == name {
			return p, true
		}
	}
	return Profile{}, false
}

// ParseConfig checks and reads the DLP configuration: data holds the
// members of data.openai.config named in ConfigKeys that the policies
// define, as decoded JSON (numbers as json.Number or float64). The shape
// is checked by a JSON Schema (config.schema.json); then every profile's
// detectors must exist and every custom pattern compile. Errors name the
// member: "data.openai.config.dlp_profiles.NAME.enabled: …".
func ParseConfig(data map[string]any) (*Config, error) {
	schema, err := configSchema()
	if err != nil {
		return nil, fmt.Errorf("compile the DLP configuration schema: %w", err)
	}
	doc := map[string]any{}
	for _, k := range ConfigKeys {
		if v, ok := data[k]; ok {
			doc[k] = v
		}
	}
	// Through JSON: the schema library wants json.Number, whoever decoded.
	raw, err := json.Marshal(doc)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", ConfigRef, err)
	}
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", ConfigRef, err)
	}
	if err := schema.Validate(inst); err != nil {
		return nil, configError(err)
	}
	var typed struct {
		Profiles map[string]struct {
			Title         *string  `json:"title"`
			Enabled       bool     `json:"enabled"`
			Detectors     []string `json:"detectors"`
			MinMatches    *int     `json:"min_matches"`
			MinConfidence *string  `json:"min_confidence"`
		} `json:"dlp_profiles"`
		Custom map[string]struct {
			Pattern  string   `json:"pattern"`
			Keywords []string `json:"keywords"`
		} `json:"dlp_custom_detectors"`
		MaxFileBytes *int64 `json:"dlp_max_file_bytes"`
	}
	if err := json.Unmarshal(raw, &typed); err != nil {
		return nil, fmt.Errorf("read %s: %w", ConfigRef, err)
	}
	cfg := &Config{MaxFileBytes: DefaultLimits.MaxFileBytes}
	if typed.MaxFileBytes != nil {
		cfg.MaxFileBytes = *typed.MaxFileBytes
	}
	for _, name := range slices.Sorted(maps.Keys(typed.Custom)) {
		c := typed.Custom[name]
		cfg.Custom = append(cfg.Custom, Custom{Name: name, Pattern: c.Pattern, Keywords: c.Keywords})
	}
	if cfg.Scanner, err = NewScanner(cfg.Custom); err != nil {
		return nil, fmt.Errorf("%s.%s: %w", ConfigRef, KeyCustomDetectors, err)
	}
	known := map[string]bool{}
	for _, d := range cfg.Scanner.Detectors() {
		known[d] = true
	}
	for _, name := range slices.Sorted(maps.Keys(typed.Profiles)) {
		p := typed.Profiles[name]
		ref := ConfigRef + "." + KeyProfiles + "." + name
		prof := Profile{Name: name, Title: name, Enabled: p.Enabled, MinMatches: 1, MinConfidence: Low}
		if p.Title != nil {
			prof.Title = *p.Title
		}
		if p.MinMatches != nil {
			prof.MinMatches = *p.MinMatches
		}
		if p.MinConfidence != nil {
			prof.MinConfidence, _ = ParseConfidence(*p.MinConfidence) // the schema's enum
		}
		for _, d := range p.Detectors {
			if !known[d] {
				return nil, fmt.Errorf("%s.detectors: unknown detector %q: the built-in detectors are %s; custom ones are defined in %s.%s",
					ref, d, strings.Join(BuiltinNames(), ", "), ConfigRef, KeyCustomDetectors)
			}
		}
		prof.Detectors = p.Detectors
		cfg.Profiles = append(cfg.Profiles, prof)
	}
	return cfg, nil
}

// configError turns the schema's first failure into a message that names
// the member, says what is wrong and where to fix it.
func configError(err error) error {
	var ve *jsonschema.ValidationError
	if !errors.As(err, &ve) {
		return fmt.Errorf("%s: %w", ConfigRef, err)
	}
	for len(ve.Causes) > 0 {
		ve = ve.Causes[0]
	}
	at := ConfigRef
	for _, tok := range ve.InstanceLocation {
		at += "." + tok
	}
	return fmt.Errorf("%s: %s (fix it in the policies' config.rego; docs/dlp.md describes each setting)", at, ve.ErrorKind.LocalizedString(printer))
}

// BuiltinNames lists the names of the built-in detectors.
func BuiltinNames() []string {
	out := make([]string, len(Builtin))
	for i, d := range Builtin {
		out[i] = d.Name
	}
	return out
}
