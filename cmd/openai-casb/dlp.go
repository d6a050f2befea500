package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/urfave/cli/v2"

	"github.com/openai-casb/openai-casb/collector"
	"github.com/openai-casb/openai-casb/dlp"
	"github.com/openai-casb/openai-casb/evaluator"
	"github.com/openai-casb/openai-casb/inventory"
)

// refDLPProfiles is where the DLP profiles live in the policies' data.
const refDLPProfiles = dlp.ConfigRef + "." + dlp.KeyProfiles

func dlpFlag() cli.Flag {
	return &cli.BoolFlag{Name: "dlp", Usage: "scan the files of GPTs, ChatGPT projects and conversations with every DLP profile of the policies (without it, only the profiles the policies enable)"}
}

// readDLPConfig reads the DLP members of the policies' data and has
// package dlp check them: a profile naming a detector that does not
// exist, or a custom pattern that does not compile, is an error before
// anything is collected.
func readDLPConfig(ctx context.Context, engine *evaluator.Engine) (*dlp.Config, error) {
	data := map[string]any{}
	for _, key := range dlp.ConfigKeys {
		v, ok, err := engine.Data(ctx, dlp.ConfigRef+"."+key)
		if err != nil {
			return nil, err
		}
		if ok {
			data[key] = v
		}
	}
	cfg, err := dlp.ParseConfig(data)
	if err != nil {
		return nil, fmt.Errorf("policies: %w", err)
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
	return collectorDLP(cfg, all)
}

// collectorDLP is the collector's DLP setting: every profile with --dlp,
// the enabled ones without; nil (no files fetched) when none is.
func collectorDLP(cfg *dlp.Config, all bool) (*collector.DLP, error) {
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
	return &collector.DLP{Scanner: fileScanner{cfg.Scanner, limits}, MaxFileBytes: cfg.MaxFileBytes, Profiles: profiles, ConfigID: dlpConfigID(cfg, limits)}, nil
}

// dlpConfigID is what decides the scanner's results beyond its detectors'
// names: the custom patterns and the extraction limits. A state file's
// DLP results are reused only under the same.
func dlpConfigID(cfg *dlp.Config, limits dlp.Limits) string {
	raw, _ := json.Marshal(map[string]any{"custom": cfg.Custom, "limits": limits})
	return string(raw)
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
	return inventory.FileScanned, "", detections(res)
}

func detections(res dlp.Result) inventory.Detections {
	found := make(inventory.Detections, len(res))
	for d, det := range res {
		found[d] = inventory.Detection{Count: det.Count, Sample: det.Sample, Confidence: det.Confidence.String(), ByConfidence: det.ConfidenceCounts()}
	}
	return found
}

// secretScanner gives the collector package dlp's credential detectors
// for the texts of GPTs (see dlp.Scanner.ScanSecrets).
type secretScanner struct{ s *dlp.Scanner }

func (s secretScanner) ScanText(text string) inventory.Detections {
	return detections(s.s.ScanSecrets([]byte(text)))
}

// gptSecrets is the collector's scanner of GPT texts: the built-in
// detectors, whatever the policies' DLP profiles say.
func gptSecrets() collector.TextScanner {
	s, err := dlp.NewScanner(nil)
	if err != nil {
		panic(err) // the built-in detectors alone always compile
	}
	return secretScanner{s}
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

func writeDLPConfig(cfg *dlp.Config, format string, e *env) error {
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
			profiles = []dlp.Profile{}
		}
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		enc.SetEscapeHTML(false)
		return enc.Encode(map[string]any{"profiles": profiles, "detectors": detectors, "max_file_bytes": cfg.MaxFileBytes})
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "PROFILE\tENABLED\tMIN MATCHES\tMIN CONFIDENCE\tDETECTORS")
	for _, p := range cfg.Profiles {
		fmt.Fprintf(tw, "%s\t%t\t%d\t%s\t%s\n", p.Name, p.Enabled, p.MinMatches, p.MinConfidence, strings.Join(p.Detectors, ", "))
	}
	fmt.Fprintln(tw)
	fmt.Fprintln(tw, "DETECTOR\tKIND\tFINDS")
	for _, d := range detectors {
		fmt.Fprintf(tw, "%s\t%s\t%s\n", d.Name, d.Kind, d.Description)
	}
	fmt.Fprintf(tw, "\nfiles larger than %d bytes are not read\n", cfg.MaxFileBytes)
	return tw.Flush()
}
