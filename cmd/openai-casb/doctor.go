package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"unicode"

	"github.com/urfave/cli/v2"

	"github.com/openai-casb/openai-casb/collector"
	"github.com/openai-casb/openai-casb/evaluator"
	"github.com/openai-casb/openai-casb/inventory"
)

func doctorCommand(e *env) *cli.Command {
	var flags []cli.Flag
	for _, f := range collectFlags() {
		if n := f.Names()[0]; n != "allow-partial" && n != "quiet" && n != "state" && n != "full" && n != "settings-max-age" {
			flags = append(flags, f)
		}
	}
	flags = append(flags,
		&cli.StringFlag{Name: "format", Aliases: []string{"f"}, Value: "table", Usage: "output `FORMAT`: table or json"},
	)
	flags = append(flags, policyFlags("judge what the policies in `DIR` need instead of the built-in ones")...)
	flags = append(flags, selectFlags()...)
	return &cli.Command{
		Name:  "doctor",
		Usage: "check credentials and permissions before a scan, and say what to ask for",
		Description: "Reads the same credentials, environment and flags as scan and asks every route a scan reads\n" +
			"for one item (read-only): which key was found where and what kind it is, whether each list of\n" +
			"the Admin API and the Compliance API answers and what its answer means, whether audit logging is\n" +
			"on, and, when the Compliance API refuses the key, the request to send to OpenAI support. The\n" +
			"output holds no key: safe to paste into a ticket.\n\n" +
			"EXIT CODES:\n" +
			"   0  a scan would be complete\n" +
			"   1  a scan would be incomplete: the lists it could not read and the findings they may hide are listed\n" +
			"   2  usage error, or a scan could not run at all (no admin key, or no route answered)",
		Flags: flags,
		Action: func(c *cli.Context) error {
			if c.NArg() != 0 {
				return usageError("doctor takes no arguments")
			}
			format := c.String("format")
			if format != "table" && format != "json" {
				return usageError("--format %q: want table or json", format)
			}
			opts, err := collectOptions(c, e)
			if err != nil && (opts.AdminKey != "" || c.String("admin-key-file") != "") {
				return err
			}
			po, eerr := policyOptions(c, e.stderr)
			if eerr != nil {
				return eerr
			}
			engine, eerr := evaluator.New(c.Context, po)
			if eerr != nil {
				return eerr
			}
			if opts.DLP, eerr = dlpFromPolicies(c.Context, engine, c.Bool("dlp")); eerr != nil {
				return eerr
			}
			opts.Sources = neededSources(engine, c.Bool("collect-all"))
			opts.Retry = collector.DoctorRetry
			if c.IsSet("max-attempts") {
				opts.Retry.Attempts = c.Int("max-attempts")
			}
			if c.IsSet("timeout") {
				opts.Retry.Timeout = c.Duration("timeout")
			}
			d, derr := collector.Diagnose(c.Context, collector.DiagnoseOptions{
				Options:           opts,
				AdminKeyFile:      keyFileOf(c.String("admin-key-file")),
				ComplianceKeyFile: keyFileOf(c.String("compliance-key-file")),
			})
			if derr != nil {
				return fmt.Errorf("doctor: %w", derr)
			}
			failed := d.Failed()
			missing := engine.Reading(inventory.MembersOf(failed...))
			if format == "json" {
				err = writeDoctorJSON(e.stdout, d, failed, missing)
			} else {
				err = writeDoctorTable(e.stdout, d, failed, missing)
			}
			if err != nil {
				return fmt.Errorf("write doctor report: %w", err)
			}
			switch {
			case !d.Runnable():
				return errors.New("doctor: a scan could not run (no admin key, or no list answered)")
			case slices.ContainsFunc(d.Checks, func(c collector.Check) bool { return c.Status == collector.CheckFail }):
				return withExit(exitFindings, fmt.Errorf("doctor: a scan would be incomplete (%d list(s) could not be read)", len(failed)))
			}
			return nil
		},
	}
}

// keyFileOf describes a key file for doctor's permission check; nil when no
// file was given or it cannot be read (collectOptions has said why).
func keyFileOf(path string) *collector.KeyFile {
	if path == "" {
		return nil
	}
	st, err := os.Stat(path)
	if err != nil {
		return nil
	}
	return &collector.KeyFile{Path: path, Mode: st.Mode()}
}

// doctorJSON is doctor's --format json document.
type doctorJSON struct {
	*collector.Diagnosis
	// Complete is whether a scan would read every list.
	Complete bool `json:"complete"`
	// Incomplete lists the sources a scan could not read.
	Incomplete []string `json:"incomplete_sources"`
	// MayBeMissing are the finding types whose rules read what those
	// sources fill.
	MayBeMissing []doctorFinding `json:"findings_that_may_be_missing"`
}

type doctorFinding struct {
	ID    string `json:"finding_type_id"`
	Title string `json:"title"`
}

func writeDoctorJSON(w io.Writer, d *collector.Diagnosis, failed []string, missing []evaluator.FindingType) error {
	doc := doctorJSON{Diagnosis: d, Complete: len(failed) == 0 && d.Runnable(), Incomplete: orNone(failed), MayBeMissing: []doctorFinding{}}
	for _, ft := range missing {
		doc.MayBeMissing = append(doc.MayBeMissing, doctorFinding{ID: ft.ID, Title: ft.Title})
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(doc)
}

func orNone(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func writeDoctorTable(w io.Writer, d *collector.Diagnosis, failed []string, missing []evaluator.FindingType) error {
	var b strings.Builder
	area := ""
	for _, c := range d.Checks {
		if c.Area != area {
			area = c.Area
			fmt.Fprintf(&b, "\n%s\n", map[string]string{collector.AreaCredentials: "Credentials", collector.AreaAdmin: "Admin API", collector.AreaCompliance: "Compliance API"}[area])
		}
		fmt.Fprintf(&b, "  %-4s  %s: %s\n", c.Status, safe(c.Name), safe(c.Detail))
		if c.Action != "" {
			fmt.Fprintf(&b, "        → %s\n", safe(c.Action))
		}
	}
	fmt.Fprintf(&b, "\nAudit logging: %s\n", d.AuditLogging)
	if len(missing) > 0 {
		fmt.Fprintf(&b, "\nFindings that may be missing from a scan (their lists could not be read: %s):\n", strings.Join(failed, ", "))
		for _, ft := range missing {
			fmt.Fprintf(&b, "  - %s (%s)\n", ft.Title, ft.ID)
		}
	}
	if d.SupportRequest != "" {
		b.WriteString("\nThe Compliance API refused the key. Send this to OpenAI support (it holds the key's last four\ncharacters, never the key):\n\n")
		for _, l := range strings.Split(d.SupportRequest, "\n") {
			fmt.Fprintf(&b, "    %s\n", safe(l))
		}
	}
	switch {
	case !d.Runnable():
		b.WriteString("\nResult: a scan could not run: fix the failed checks above (exit 2).\n")
	case len(failed) > 0 || slices.ContainsFunc(d.Checks, func(c collector.Check) bool { return c.Status == collector.CheckFail }):
		fmt.Fprintf(&b, "\nResult: a scan would be incomplete (%d list(s) could not be read) (exit 1).\n", len(failed))
	default:
		b.WriteString("\nResult: a scan would be complete (exit 0).\n")
	}
	_, err := io.WriteString(w, strings.TrimPrefix(b.String(), "\n"))
	return err
}

// safe keeps a line the terminal's: server messages are in the details, and
// escape sequences in them could rewrite what the reader sees.
func safe(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return ' '
		}
		return r
	}, s)
}
