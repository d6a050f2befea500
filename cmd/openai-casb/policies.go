package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"text/tabwriter"

	"github.com/urfave/cli/v2"

	"github.com/openai-casb/openai-casb/collector"
	"github.com/openai-casb/openai-casb/evaluator"
	"github.com/openai-casb/openai-casb/policies"
	"github.com/openai-casb/openai-casb/report"
)

func policiesCommand(e *env) *cli.Command {
	return &cli.Command{
		Name:  "policies",
		Usage: "list the finding catalog or the DLP configuration, export the built-in policies for editing, or run policy tests",
		Subcommands: []*cli.Command{
			dlpListCommand(e),
			policiesTestCommand(e),
			{
				Name:  "list",
				Usage: "list the finding types the policies declare: id, severity, category, title",
				Description: "--format markdown writes the catalog page docs/findings.md is generated from (make docs):\n" +
					"every finding type with what it needs, its thresholds, remediation and compliance controls.\n" +
					"--framework keeps the finding types mapped to one compliance framework (see docs/compliance.md).",
				Flags: append(listFlags(),
					&cli.StringFlag{Name: "framework", Usage: "list only the finding types that map to `FRAMEWORK` (cis-v8, nist-csf-2.0, iso-27001-2022, soc2-2017, owasp-llm-2025)"},
				),
				Action: func(c *cli.Context) error {
					if c.NArg() != 0 {
						return usageError("policies list takes no arguments")
					}
					return listPolicies(c, e)
				},
			},
			{
				Name:      "export",
				Usage:     "write the built-in policy tree (policies and their tests) to DIR for editing",
				ArgsUsage: "DIR",
				Description: "Writes every built-in .rego file to DIR, creating it if needed. Edit the copy (thresholds\n" +
					"live in config.rego), test it with `openai-casb policies test DIR` (or `opa test DIR`), and evaluate with --policies DIR.\n" +
					"Refuses to overwrite existing files unless --force is given.",
				Flags: []cli.Flag{
					&cli.BoolFlag{Name: "force", Usage: "overwrite files that already exist in DIR"},
				},
				Action: func(c *cli.Context) error {
					if c.NArg() != 1 {
						return usageError("policies export: want exactly one DIR argument, got %d", c.NArg())
					}
					return exportPolicies(c.Args().First(), c.Bool("force"), e)
				},
			},
		},
	}
}

// listFlags are the flags of the policies subcommands that list.
func listFlags() []cli.Flag {
	return []cli.Flag{
		&cli.StringFlag{Name: "policies", Usage: "read the policies in `DIR` instead of the built-in ones"},
		&cli.StringSliceFlag{Name: "extra-policies", Usage: "also read the Rego packages in `DIR` (repeatable)"},
		&cli.StringFlag{Name: "data", Usage: "merge the thresholds of `FILE` (JSON or YAML) under data.openai.config"},
		&cli.StringFlag{Name: "format", Aliases: []string{"f"}, Value: "table", Usage: "output `FORMAT`: table or json"},
	}
}

// listEngine checks the listing flags and loads the policies. formats are
// the output formats beyond table and json the command takes.
func listEngine(c *cli.Context, e *env, formats ...string) (string, *evaluator.Engine, error) {
	format := c.String("format")
	if format != "table" && format != "json" && !slices.Contains(formats, format) {
		return "", nil, usageError("--format: unknown format %q: want %s", format, strings.Join(append([]string{"table", "json"}, formats...), ", "))
	}
	opts, err := policyOptions(c, e.stderr)
	if err != nil {
		return "", nil, err
	}
	engine, err := evaluator.New(c.Context, opts)
	if err != nil {
		return "", nil, err
	}
	return format, engine, nil
}

func listPolicies(c *cli.Context, e *env) error {
	format, engine, err := listEngine(c, e, "markdown")
	if err != nil {
		return err
	}
	catalog := engine.Catalog()
	if name := c.String("framework"); name != "" {
		fw, err := evaluator.LookupFramework(name, catalog)
		if err != nil {
			return usageError("--framework: %v", err)
		}
		var kept []evaluator.FindingType
		for _, ft := range catalog {
			if len(ft.Frameworks[fw.ID]) > 0 {
				kept = append(kept, ft)
			}
		}
		catalog = kept
	}
	if format == "markdown" {
		config, err := engine.Config(c.Context)
		if err != nil {
			return err
		}
		sources := map[string]report.SourceDoc{}
		for name, s := range collector.Sources {
			sources[name] = report.SourceDoc{API: s.API, Route: s.Route, Key: s.Key, Plan: s.Plan}
		}
		return report.WriteCatalogMarkdown(e.stdout, catalog, config, sources)
	}
	if format == "json" {
		type entry struct {
			ID                 string              `json:"finding_type_id"`
			Title              string              `json:"title"`
			Severity           string              `json:"severity"`
			Category           string              `json:"category"`
			EnterpriseRequired bool                `json:"enterprise_required"`
			Description        string              `json:"description"`
			Remediation        string              `json:"remediation"`
			Package            string              `json:"package"`
			Location           string              `json:"location"`
			Sources            []string            `json:"sources,omitempty"`
			Config             []string            `json:"config,omitempty"`
			Frameworks         map[string][]string `json:"frameworks,omitempty"`
		}
		out := make([]entry, 0, len(catalog))
		for _, ft := range catalog {
			out = append(out, entry{ft.ID, ft.Title, ft.Severity.String(), ft.Category, ft.EnterpriseRequired, ft.Description, ft.Remediation, ft.Package, ft.Location, ft.Sources, ft.Config, ft.Frameworks})
		}
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		enc.SetEscapeHTML(false)
		return enc.Encode(out)
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "FINDING TYPE ID\tSEVERITY\tCATEGORY\tTITLE")
	for _, ft := range catalog {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", ft.ID, ft.Severity, ft.Category, ft.Title)
	}
	return tw.Flush()
}

// exportFile writes one file under root as a new file renamed into place:
// a symbolic link already at name is replaced, never followed.
func exportFile(root *os.Root, name string, data []byte) error {
	if d := filepath.Dir(name); d != "." {
		if err := root.MkdirAll(d, 0o755); err != nil {
			return err
		}
	}
	tmp := name + ".export.tmp"
	_ = root.Remove(tmp)
	f, err := root.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return err
	}
	_, err = f.Write(data)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = root.Rename(tmp, name)
	}
	if err != nil {
		_ = root.Remove(tmp)
	}
	return err
}

// exportPolicies writes the embedded tree to dir. It checks every target
// first, so a refusal writes nothing at all.
func exportPolicies(dir string, force bool, e *env) error {
	var files []string
	err := fs.WalkDir(policies.FS, ".", func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			files = append(files, p)
		}
		return err
	})
	if err != nil {
		return fmt.Errorf("read built-in policies: %w", err)
	}
	sort.Strings(files)
	if !force {
		var existing []string
		for _, f := range files {
			target := filepath.Join(dir, filepath.FromSlash(f))
			if _, err := os.Lstat(target); err == nil {
				existing = append(existing, target)
			} else if !errors.Is(err, fs.ErrNotExist) {
				return fmt.Errorf("export policies: %w", err)
			}
		}
		if len(existing) > 0 {
			return fmt.Errorf("export policies: refusing to overwrite %s; use --force to replace them", strings.Join(existing, ", "))
		}
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("export policies: %w", err)
	}
	// Every write goes through a Root of dir: no path, through a link or
	// "..", can lead outside it.
	root, err := os.OpenRoot(dir)
	if err != nil {
		return fmt.Errorf("export policies: %w", err)
	}
	defer root.Close()
	for _, f := range files {
		data, err := fs.ReadFile(policies.FS, f)
		if err != nil {
			return fmt.Errorf("read built-in policy %s: %w", f, err)
		}
		if err := exportFile(root, filepath.FromSlash(f), data); err != nil {
			return fmt.Errorf("export policies: %s: %w", filepath.Join(dir, filepath.FromSlash(f)), err)
		}
	}
	fmt.Fprintf(e.stderr, "wrote %d policy files to %s; edit config.rego for thresholds, test with `openai-casb policies test %s`, evaluate with --policies %s\n", len(files), dir, dir, dir)
	return nil
}
