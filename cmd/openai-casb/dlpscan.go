package main

import (
	"encoding/json"
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/urfave/cli/v2"

	"github.com/openai-casb/openai-casb/dlp"
	"github.com/openai-casb/openai-casb/evaluator"
)

// dlpCommand groups the DLP commands that work on local files.
func dlpCommand(e *env) *cli.Command {
	return &cli.Command{
		Name:        "dlp",
		Usage:       "try DLP profiles on local files",
		Subcommands: []*cli.Command{dlpScanCommand(e)},
	}
}

func dlpScanCommand(e *env) *cli.Command {
	return &cli.Command{
		Name:      "scan",
		Usage:     "scan local files and directories with the DLP profiles of the policies, as a collection scans files (exit 1 with matches)",
		ArgsUsage: "PATH...",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "policies", Usage: "read the policies (and their DLP configuration) in `DIR` instead of the built-in ones"},
			&cli.StringSliceFlag{Name: "profile", Usage: "scan with the DLP profile `NAME` (repeatable; default: the profiles the policies enable)"},
			&cli.BoolFlag{Name: "all-detectors", Usage: "report every detector, built-in and custom, instead of the profiles' detectors"},
			&cli.StringFlag{Name: "min-confidence", Value: "medium", Usage: "with --all-detectors, the lowest confidence reported: `LEVEL` low, medium or high"},
			&cli.StringFlag{Name: "format", Aliases: []string{"f"}, Value: "table", Usage: "output `FORMAT`: table, or json (JSON Lines, one object per file)"},
		},
		Action: func(c *cli.Context) error {
			format := c.String("format")
			if format != "table" && format != "json" {
				return usageError("--format: unknown format %q: want table or json", format)
			}
			if c.NArg() == 0 {
				return usageError("dlp scan: name at least one file or directory")
			}
			if c.Bool("all-detectors") && len(c.StringSlice("profile")) > 0 {
				return usageError("--all-detectors and --profile: give one of the two")
			}
			engine, err := evaluator.New(c.Context, evaluator.Options{PolicyDir: c.String("policies"), PrintOutput: e.stderr})
			if err != nil {
				return err
			}
			cfg, err := readDLPConfig(c.Context, engine)
			if err != nil {
				return err
			}
			ps, err := pathScan(c, cfg)
			if err != nil {
				return err
			}
			return runDLPScan(c, ps, format, e)
		},
	}
}

// pathScan maps --profile, --all-detectors and --min-confidence to the
// scan's detectors.
func pathScan(c *cli.Context, cfg *dlp.Config) (*dlp.PathScan, error) {
	if c.Bool("all-detectors") {
		min, err := dlp.ParseConfidence(c.String("min-confidence"))
		if err != nil {
			return nil, usageError("--min-confidence: %v", err)
		}
		return dlp.ForAllDetectors(cfg, min), nil
	}
	if c.IsSet("min-confidence") {
		return nil, usageError("--min-confidence goes with --all-detectors; a profile sets its own (min_confidence)")
	}
	names := c.StringSlice("profile")
	if len(names) == 0 {
		for _, p := range cfg.Profiles {
			if p.Enabled {
				names = append(names, p.Name)
			}
		}
		if len(names) == 0 {
			return nil, usageError("dlp scan: the policies enable no DLP profile (%s): name one with --profile (policies dlp lists them), or use --all-detectors", refDLPProfiles)
		}
	}
	ps, err := dlp.ForProfiles(cfg, names)
	if err != nil {
		return nil, usageError("--profile: %v", err)
	}
	return ps, nil
}

// runDLPScan writes a line (or a JSON object) per file and maps the
// outcome to the exit code: 2 when a file could not be read, 1 when a
// file matched, 0 otherwise.
func runDLPScan(c *cli.Context, ps *dlp.PathScan, format string, e *env) error {
	var tw *tabwriter.Writer
	enc := json.NewEncoder(e.stdout)
	enc.SetEscapeHTML(false)
	if format == "table" {
		tw = tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "PATH\tBYTES\tSTATUS\tMATCHES")
	}
	files, matched, failed := 0, 0, 0
	err := ps.Walk(c.Context, c.Args().Slice(), func(r dlp.FileReport) error {
		files++
		if r.Matched() {
			matched++
		}
		if r.Status == dlp.StatusError {
			failed++
		}
		if tw == nil {
			return enc.Encode(r)
		}
		fmt.Fprintf(tw, "%s\t%d\t%s\t%s\n", r.Path, r.Bytes, r.Status, tableMatches(r))
		return nil
	})
	if tw != nil {
		if ferr := tw.Flush(); err == nil {
			err = ferr
		}
	}
	if err != nil {
		return err
	}
	switch {
	case failed > 0:
		return fmt.Errorf("dlp scan: %d of %d files could not be read (status error; the reason says why), %d matched", failed, files, matched)
	case matched > 0:
		return withExit(exitFindings, fmt.Errorf("dlp scan: %d of %d files matched", matched, files))
	}
	fmt.Fprintf(e.stderr, "dlp scan: %d files, no match\n", files)
	return nil
}

func tableMatches(r dlp.FileReport) string {
	if r.Status != dlp.StatusScanned {
		return r.Reason
	}
	var parts []string
	for _, name := range r.DetectorNames() {
		d := r.Detections[name]
		parts = append(parts, fmt.Sprintf("%s %d: %s", name, d.Count, strings.Join(d.Samples, ", ")))
	}
	if len(parts) == 0 {
		return "-"
	}
	return strings.Join(parts, "; ")
}
