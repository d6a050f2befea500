package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strings"

	"github.com/urfave/cli/v2"
	"go.yaml.in/yaml/v3"

	"github.com/openai-casb/openai-casb/internal/confine"
)

// defaultConfigFile is read from the working directory when --config is
// not given and the file exists.
const defaultConfigFile = "openai-casb.yaml"

// config is a configuration file: flag values for every command that has
// the flag, and sections named after commands whose values apply to that
// command only (and win over the top level).
//
//	fail-on: high
//	scan:
//	  format: sarif
//	  save-inventory: inventory.json
//	policies:
//	  list:
//	    format: json
//
// A flag on the command line wins over the file; the file wins over the
// flag's default. Keys are never read from it: they come from the
// environment or key files only.
type config struct {
	file string
	// found: the file was found in the working directory, not named
	// with --config. It may come with a repository the user did not
	// write, so the settings of trustedOnly are refused from it.
	found bool
	root  *section
}

// trustedOnly are the settings a configuration file found in the working
// directory may not make, because a hostile repository could use them
// against whoever runs openai-casb in it with a key in the environment,
// with why. They are read from a file named with --config (the user chose
// it) and from the command line. Every other flag was audited and kept:
// data, waivers, thresholds and formats change what is reported, not where
// the key goes or what runs; output paths are kept inside the working
// directory (writePaths); admin-key-file and compliance-key-file choose a
// key that is still sent only to the base URLs, which the file cannot
// change.
var trustedOnly = map[string]string{
	"api-base-url":        "it could send the admin key to another server",
	"compliance-base-url": "it could send the Compliance API key to another server",
	"replay":              "it could replace the APIs' answers with files of its own, so the report would not be of your organization",
	"policies":            "it could run policies of its own in place of the built-in ones",
	"extra-policies":      "it could run policies of its own",
	"allow-net":           "it could let policies reach the network",
	"notify":              "it could post the findings to a webhook of its own (file:PATH, a file it brings holding its URL)",
}

// writePaths are the settings that name a file or directory openai-casb
// writes, with how to read the path from a value. From a found file each
// must stay inside the working directory (internal/confine): otherwise a
// repository could have the tool overwrite files outside its checkout
// (~/.bashrc, a CI runner's scripts) with its output. Every flag of every
// command was audited, and TestEveryPathFlagIsAudited keeps the audit
// whole: the other flags that name paths only read them, or are in
// trustedOnly.
var writePaths = map[string]func(string) string{
	"output":             plainPath,                                                                // evaluate, scan, demo: the report; collect: the inventory
	"output-format":      func(v string) string { _, file, _ := strings.Cut(v, "="); return file }, // FORMAT=FILE
	"save-inventory":     plainPath,                                                                // scan, demo
	"state":              plainPath,                                                                // collect, scan: read, then replaced
	"record":             plainPath,                                                                // collect, scan, doctor: a directory, created
	"generate-inventory": plainPath,                                                                // simulate
}

func plainPath(v string) string { return v }

// section is one level of the file: flag values and command sections.
type section struct {
	values   map[string]configValue
	commands map[string]*section
}

type configValue struct {
	values []string // one, or several for a list
	line   int
}

// secretKeys are names a user might try to put a key under.
var secretKeys = []string{"admin-key", "compliance-key", "api-key", "key", "openai-admin-key", "chatgpt-compliance-key", "token", "webhook", "webhook-url", "password", "secret"}

// loadConfig reads the file --config names, or openai-casb.yaml in the
// working directory when it exists (found: see trustedOnly); nil when there
// is none.
func loadConfig(c *cli.Context) (*config, error) {
	file, explicit := c.String("config"), c.IsSet("config")
	if !explicit {
		file = defaultConfigFile
	}
	raw, err := os.ReadFile(file)
	if err != nil {
		if !explicit && errors.Is(err, fs.ErrNotExist) {
			return nil, nil
		}
		return nil, fmt.Errorf("read configuration: %w", err)
	}
	var doc yaml.Node
	if err := yaml.NewDecoder(bytes.NewReader(raw)).Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) { // an empty file
			return &config{file: file, root: &section{}}, nil
		}
		return nil, fmt.Errorf("%s: %w (want YAML: flag names as keys, see docs/usage.md)", file, err)
	}
	cfg := &config{file: file, found: !explicit}
	top := doc.Content[0]
	if top.Kind != yaml.MappingNode {
		return nil, fmt.Errorf("%s:%d: want a mapping of flag names to values, such as `fail-on: high`", file, top.Line)
	}
	if cfg.root, err = cfg.section(top, "", c.App.Flags, c.App.Commands, true); err != nil {
		return nil, err
	}
	return cfg, nil
}

// section reads one mapping: keys that are flags of any command below
// (anyDepth, at the top level) or of this command, and command sections.
func (cfg *config) section(n *yaml.Node, where string, flags []cli.Flag, cmds []*cli.Command, anyDepth bool) (*section, error) {
	s := &section{values: map[string]configValue{}, commands: map[string]*section{}}
	known := flagNames(flags)
	if anyDepth {
		known = allFlagNames(flags, cmds)
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		key := k.Value
		at := fmt.Sprintf("%s:%d", cfg.file, k.Line)
		if sub := findCommand(cmds, key); sub != nil && v.Kind == yaml.MappingNode {
			child, err := cfg.section(v, strings.TrimSpace(where+" "+sub.Name), sub.Flags, sub.Subcommands, false)
			if err != nil {
				return nil, err
			}
			s.commands[sub.Name] = child
			continue
		}
		if isSecretKey(key) {
			return nil, fmt.Errorf("%s: %q: keys are never read from a configuration file; set %s (or %s), or name a key file with admin-key-file", at, key, envAdminKey, envComplianceKey)
		}
		switch key {
		case "config", "help", "h", "version", "v":
			return nil, fmt.Errorf("%s: %q cannot be set in a configuration file", at, key)
		}
		if !known[key] {
			scope := "any command"
			if where != "" {
				scope = where
			}
			msg := fmt.Sprintf("%s: unknown key %q: not a flag of %s", at, key, scope)
			if hint := closest(key, append(keysOf(known), commandNames(cmds)...)); hint != "" {
				msg += fmt.Sprintf(" (did you mean %s?)", hint)
			}
			return nil, errors.New(msg)
		}
		cv := configValue{line: k.Line}
		switch v.Kind {
		case yaml.ScalarNode:
			cv.values = []string{v.Value}
		case yaml.SequenceNode:
			for _, item := range v.Content {
				if item.Kind != yaml.ScalarNode {
					return nil, fmt.Errorf("%s:%d: %s: want a list of plain values", cfg.file, item.Line, key)
				}
				cv.values = append(cv.values, item.Value)
			}
		default:
			return nil, fmt.Errorf("%s: %s: want a value or a list of values", at, key)
		}
		s.values[key] = cv
	}
	return s, nil
}

func isSecretKey(key string) bool {
	k := strings.ToLower(key)
	if strings.HasSuffix(k, "-file") {
		return false
	}
	for _, s := range secretKeys {
		if k == s || strings.HasSuffix(k, "-"+s) {
			return true
		}
	}
	return false
}

func flagNames(flags []cli.Flag) map[string]bool {
	out := map[string]bool{}
	for _, f := range flags {
		for _, n := range f.Names() {
			out[n] = true
		}
	}
	return out
}

func allFlagNames(flags []cli.Flag, cmds []*cli.Command) map[string]bool {
	out := flagNames(flags)
	for _, c := range cmds {
		for n := range allFlagNames(c.Flags, c.Subcommands) {
			out[n] = true
		}
	}
	return out
}

func keysOf(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}

func commandNames(cmds []*cli.Command) []string {
	var out []string
	for _, c := range cmds {
		out = append(out, c.Name)
	}
	return out
}

// apply sets, on the command c runs, every flag the command line left
// unset that the file gives: the command's own section first, then its
// parents', then the top level.
func (cfg *config) apply(c *cli.Context, path []string, flags []cli.Flag) error {
	levels := []*section{cfg.root}
	s := cfg.root
	for _, name := range path {
		if s = s.commands[name]; s == nil {
			break
		}
		levels = append(levels, s)
	}
	for _, f := range flags {
		name := f.Names()[0]
		if c.IsSet(name) {
			continue
		}
		var v configValue
		found := false
		for i := len(levels) - 1; i >= 0 && !found; i-- {
			for _, n := range f.Names() {
				if cv, ok := levels[i].values[n]; ok {
					v, found = cv, true
					break
				}
			}
		}
		if !found {
			continue
		}
		if why, ok := trustedOnly[name]; ok && cfg.found {
			return usageError("%s:%d: %s: not read from a configuration file found in the working directory: %s. Pass --%s on the command line, or name the file with --config %s if you trust it", cfg.file, v.line, name, why, name, cfg.file)
		}
		values := v.values
		if !isSliceFlag(f) {
			values = []string{strings.Join(values, ",")}
		}
		if pathOf, ok := writePaths[name]; ok && cfg.found {
			if err := cfg.checkWrite(name, v.line, values, pathOf); err != nil {
				return err
			}
		}
		for _, val := range values {
			if err := c.Set(name, val); err != nil {
				return usageError("%s:%d: %s: %v", cfg.file, v.line, name, err)
			}
		}
	}
	return nil
}

// checkWrite refuses, from a found file, a value of a writePaths setting
// that leads out of the working directory, before anything is written.
func (cfg *config) checkWrite(name string, line int, values []string, pathOf func(string) string) error {
	for _, val := range values {
		path := pathOf(val)
		if path == "" || path == "-" { // standard output
			continue
		}
		err := confine.Check(".", path)
		var out *confine.Error
		if errors.As(err, &out) {
			return usageError("%s:%d: %s: not read from a configuration file found in the working directory: it would write outside it (%v). Pass --%s on the command line, or name the file with --config %s if you trust it", cfg.file, line, name, out, name, cfg.file)
		}
		if err != nil {
			return usageError("%s:%d: %s: %v", cfg.file, line, name, err)
		}
	}
	return nil
}

func isSliceFlag(f cli.Flag) bool {
	switch f := f.(type) {
	case *cli.StringSliceFlag, *cli.IntSliceFlag, *cli.Int64SliceFlag, *cli.Float64SliceFlag, *cli.UintSliceFlag, *cli.Uint64SliceFlag:
		return true
	case *cli.GenericFlag:
		// The repeatable flags that keep each value whole (--output-format,
		// --notify): a YAML list is one value per item, as on the command
		// line, not its items joined with commas into one file name.
		_, repeatable := f.Value.(*outputFormats)
		return repeatable
	}
	return false
}

// useConfig makes every command apply the configuration file before it
// runs; the file is read once, by the app's Before.
func useConfig(cmds []*cli.Command, e *env, parents ...string) {
	for _, cmd := range cmds {
		path := append(append([]string(nil), parents...), cmd.Name)
		flags := cmd.Flags
		before := cmd.Before
		cmd.Before = func(c *cli.Context) error {
			if e.config != nil {
				if err := e.config.apply(c, path, flags); err != nil {
					return err
				}
			}
			if before != nil {
				return before(c)
			}
			return nil
		}
		useConfig(cmd.Subcommands, e, path...)
	}
}
