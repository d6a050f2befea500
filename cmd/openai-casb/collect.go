package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"sync"

	"github.com/urfave/cli/v2"

	"github.com/openai-casb/openai-casb/collector"
	"github.com/openai-casb/openai-casb/evaluator"
	"github.com/openai-casb/openai-casb/internal/atomicfile"
	"github.com/openai-casb/openai-casb/inventory"
)

// Environment variables the collector reads. Keys are never flags: command
// lines end up in shell history and process listings.
const (
	envAdminKey      = "OPENAI_ADMIN_KEY"
	envOrgID         = "OPENAI_ORG_ID"
	envWorkspaceID   = "CHATGPT_WORKSPACE_ID"
	envComplianceKey = "CHATGPT_COMPLIANCE_KEY"
)

const defaultInventoryFile = "openai-inventory.json"

// collectFlags are shared by collect and scan.
func collectFlags() []cli.Flag {
	return []cli.Flag{
		&cli.StringFlag{Name: "admin-key-file", Usage: "read the admin key from `FILE` instead of $" + envAdminKey},
		&cli.StringFlag{Name: "compliance-key-file", Usage: "read the Compliance API key from `FILE` instead of $" + envComplianceKey + " (default: the admin key)"},
		&cli.StringFlag{Name: "api-base-url", Value: collector.DefaultAdminBaseURL, Usage: "Admin API base `URL` (plain http only for loopback hosts)"},
		&cli.StringFlag{Name: "compliance-base-url", Value: collector.DefaultComplianceBaseURL, Usage: "Compliance API base `URL` (plain http only for loopback hosts)"},
		&cli.IntFlag{Name: "concurrency", Value: 4, Usage: "at most `N` requests in flight at once"},
		&cli.IntFlag{Name: "audit-log-days", Value: 180, Usage: "read login events of the last `DAYS` days to find each user's last activity"},
		&cli.IntFlag{Name: "compliance-rate", Value: 100, Usage: "send at most `N` requests per minute to each Compliance API route (0: no pacing)"},
		&cli.DurationFlag{Name: "timeout", Value: collector.DefaultRetryPolicy.Timeout, Usage: "give up on one request attempt after `DURATION`"},
		&cli.IntFlag{Name: "max-attempts", Value: collector.DefaultRetryPolicy.Attempts, Usage: "try each request at most `N` times"},
		&cli.StringFlag{Name: "state", Usage: "keep what a rescan can reuse in `FILE` (mode 0600): the audit log is then read only since the last run; a missing, corrupt or foreign file means a full collection"},
		&cli.BoolFlag{Name: "full", Usage: "with --state: collect everything again, ignoring the state file (and write a new one)"},
		&cli.DurationFlag{Name: "settings-max-age", Value: collector.DefaultSettingsMaxAge, Usage: "with --state: reuse a project's settings from the state file when no audit-log event changed them and they were read less than `DURATION` ago (each rescan re-reads the oldest share; 0: read every project's settings each time)"},
		&cli.BoolFlag{Name: "collect-all", Usage: "read every list, also those no enabled policy reads (by default they are skipped, and the inventory's sources say so)"},
		&cli.IntFlag{Name: "max-pages", Value: collector.DefaultMaxPages, Usage: "read at most `N` pages of one list (a bound for a server whose cursor never ends)"},
		&cli.Int64Flag{Name: "max-response-size", Value: collector.DefaultMaxResponseBytes, Usage: "read at most `BYTES` of one API answer (a page); a larger one fails its list"},
		&cli.DurationFlag{Name: "deadline", Usage: "stop the collection after `DURATION`, recording what was not read as incomplete (default: no deadline)"},
		&cli.BoolFlag{Name: "allow-partial", Usage: "exit 0 (or 1 for findings) even when some lists could not be read completely"},
		&cli.BoolFlag{Name: "quiet", Aliases: []string{"q"}, Usage: "no progress or summary on standard error (warnings still show)"},
		&cli.BoolFlag{Name: "debug", Usage: "log every request and retry to standard error (the Authorization header is redacted)"},
		&cli.StringFlag{Name: "record", Usage: "also write every API answer into `DIR` (new or empty; mode 0700, files 0600; never the key, no cookies, no file contents) to send with a bug report: it holds the organization's emails and names; see docs/collection.md"},
		&cli.StringFlag{Name: "replay", Usage: "build the inventory from the answers recorded in `DIR` by --record, with no network and no key"},
		dlpFlag(),
	}
}

func collectCommand(e *env) *cli.Command {
	return &cli.Command{
		Name:  "collect",
		Usage: "read the organization and workspace through both APIs into an inventory file",
		Description: "Reads the Admin API with $" + envAdminKey + " (or --admin-key-file) and, when $" + envWorkspaceID + " is\n" +
			"set, the Compliance API with $" + envComplianceKey + " (default: the admin key). Writes the validated\n" +
			"inventory atomically with mode 0600. Lists that could not be read completely are recorded in the\n" +
			"inventory's sources, listed on standard error, and make the exit code 2 unless --allow-partial.\n\n" + collectExitCodesHelp,
		Flags: append(append([]cli.Flag{
			&cli.StringFlag{Name: "output", Aliases: []string{"o"}, Value: defaultInventoryFile, Usage: "write the inventory to `FILE` (- for standard output)"},
		}, policyFlags("take the DLP configuration (profiles, custom detectors, file size limit) and the lists to collect from the policies in `DIR` instead of the built-in ones")...), collectFlags()...),
		Action: func(c *cli.Context) error {
			if c.NArg() != 0 {
				return usageError("collect takes no arguments (did you mean --output %s?)", c.Args().First())
			}
			opts, err := collectOptions(c, e)
			if err != nil {
				return err
			}
			if out := c.String("output"); out != "-" {
				// Before the collection, not after it.
				if !c.IsSet("output") {
					if err := checkDefaultWrite("output", out); err != nil {
						return err
					}
				}
				if err := atomicfile.Check(out); err != nil {
					return fmt.Errorf("--output: %w", err)
				}
			}
			popts, err := policyOptions(c, e.stderr)
			if err != nil {
				return err
			}
			engine, err := evaluator.New(c.Context, popts)
			if err != nil {
				return err
			}
			if opts.DLP, err = dlpFromPolicies(c.Context, engine, c.Bool("dlp")); err != nil {
				return err
			}
			opts.Sources = neededSources(engine, c.Bool("collect-all"))
			inv, err := runCollect(c.Context, opts, c.Bool("quiet"), e)
			if err != nil {
				return err
			}
			out := c.String("output")
			if out == "-" {
				if err := inventory.Write(e.stdout, inv); err != nil {
					return err
				}
			} else if err := inventory.Save(out, inv); err != nil {
				return err
			}
			if !c.Bool("quiet") {
				fmt.Fprintf(e.stderr, "wrote %s: %s\n", out, describe(inv))
			}
			return partialExit(inv, c.Bool("allow-partial"))
		},
	}
}

// collectOptions reads credentials and flags into collector options. Keys
// come from the environment or files only.
func collectOptions(c *cli.Context, e *env) (collector.Options, error) {
	o := collector.Options{
		AdminBaseURL:                c.String("api-base-url"),
		ComplianceBaseURL:           c.String("compliance-base-url"),
		OrganizationID:              strings.TrimSpace(e.getenv(envOrgID)),
		WorkspaceID:                 strings.TrimSpace(e.getenv(envWorkspaceID)),
		Concurrency:                 c.Int("concurrency"),
		AuditLogDays:                c.Int("audit-log-days"),
		ComplianceRequestsPerMinute: c.Int("compliance-rate"),
		Retry:                       collector.DefaultRetryPolicy,
		Tool:                        inventory.Tool{Name: toolName, Version: version},
		Secrets:                     gptSecrets(),
	}
	if o.ComplianceRequestsPerMinute == 0 {
		o.ComplianceRequestsPerMinute = -1
	}
	if o.Concurrency < 1 {
		return o, usageError("--concurrency %d: want at least 1", o.Concurrency)
	}
	if o.AuditLogDays < 1 {
		return o, usageError("--audit-log-days %d: want at least 1", o.AuditLogDays)
	}
	if c.Int("max-attempts") < 1 {
		return o, usageError("--max-attempts %d: want at least 1", c.Int("max-attempts"))
	}
	if c.Duration("timeout") <= 0 {
		return o, usageError("--timeout %s: want a positive duration such as 60s", c.Duration("timeout"))
	}
	if o.MaxPages = c.Int("max-pages"); o.MaxPages < 1 {
		return o, usageError("--max-pages %d: want at least 1", o.MaxPages)
	}
	if o.MaxResponseBytes = c.Int64("max-response-size"); o.MaxResponseBytes < 1 {
		return o, usageError("--max-response-size %d: want at least 1 byte", o.MaxResponseBytes)
	}
	if o.Deadline = c.Duration("deadline"); o.Deadline < 0 {
		return o, usageError("--deadline %s: want a positive duration such as 30m", o.Deadline)
	}
	o.Retry.Attempts = c.Int("max-attempts")
	o.Retry.Timeout = c.Duration("timeout")
	for _, u := range []struct{ flag, value string }{{"--api-base-url", o.AdminBaseURL}, {"--compliance-base-url", o.ComplianceBaseURL}} {
		if _, err := collector.ParseBaseURL(u.flag, u.value); err != nil {
			return o, err
		}
	}
	var err error
	o.AdminKey, o.AdminKeyFrom, err = readKey(c.String("admin-key-file"), envAdminKey, e)
	if err != nil {
		return o, err
	}
	o.Record, o.Replay = c.String("record"), c.String("replay")
	if o.Record != "" && o.Replay != "" {
		return o, usageError("--record and --replay: give one, not both")
	}
	if o.AdminKey == "" && o.Replay == "" {
		return o, fmt.Errorf("no admin key: set %s, or put the key in a file and pass --admin-key-file FILE (keys are never accepted as flags)", envAdminKey)
	}
	o.ComplianceKey, o.ComplianceKeyFrom, err = readKey(c.String("compliance-key-file"), envComplianceKey, e)
	if err != nil {
		return o, err
	}
	if err := stateOptions(&o, c.String("state"), c.Bool("full"), e); err != nil {
		return o, err
	}
	if o.SettingsMaxAge = c.Duration("settings-max-age"); o.SettingsMaxAge < 0 {
		return o, fmt.Errorf("--settings-max-age %s: want a duration of 0 or more, such as 168h", o.SettingsMaxAge)
	}
	if c.Bool("debug") {
		var mu sync.Mutex
		o.Debug = func(format string, a ...any) {
			mu.Lock()
			defer mu.Unlock()
			fmt.Fprintf(e.stderr, "debug: "+format+"\n", a...)
		}
	}
	return o, nil
}

// stateOptions reads --state into the collector's previous state, and
// makes the collection write the next one. A file that cannot be used means
// a full collection, with a warning; it is replaced after the collection.
func stateOptions(o *collector.Options, path string, full bool, e *env) error {
	if path == "" {
		if full {
			return fmt.Errorf("--full needs --state FILE: without a state every collection is a full one")
		}
		return nil
	}
	if err := atomicfile.Check(path); err != nil {
		return fmt.Errorf("--state: %w", err)
	}
	if !full {
		prev, err := collector.ReadState(path)
		switch {
		case err != nil:
			fmt.Fprintf(e.stderr, "%s: warning: %v; collecting everything\n", toolName, err)
		case prev == nil:
			fmt.Fprintf(e.stderr, "%s: warning: no state in %s yet: collecting everything (the next run will be incremental)\n", toolName, path)
		case o.OrganizationID != "" && prev.OrganizationID != o.OrganizationID:
			fmt.Fprintf(e.stderr, "%s: warning: the state in %s is of organization %s, not %s: collecting everything\n", toolName, path, prev.OrganizationID, o.OrganizationID)
		default:
			o.Previous = prev
		}
	}
	o.KeepState = func(s *collector.State) {
		if err := collector.WriteState(path, s); err != nil {
			fmt.Fprintf(e.stderr, "%s: warning: %v; the next run will collect everything\n", toolName, err)
		}
	}
	return nil
}

// readKey reads a key from file when given, else from the environment
// variable, and says where it came from (never what it is).
func readKey(file, envVar string, e *env) (key, from string, err error) {
	if file == "" {
		return strings.TrimSpace(e.getenv(envVar)), envVar, nil
	}
	raw, st, err := readKeyFile(file)
	if err != nil {
		return "", "", err
	}
	if st.Mode().Perm()&0o077 != 0 {
		fmt.Fprintf(e.stderr, "%s: warning: key file %s can be read by other users (mode %04o); chmod 600 it\n", toolName, file, st.Mode().Perm())
	}
	key = keyText(raw)
	if key == "" {
		return "", "", fmt.Errorf("key file %s is empty", file)
	}
	if strings.ContainsAny(key, " \t\r\n") {
		return "", "", fmt.Errorf("key file %s must hold one key and nothing else", file)
	}
	return key, "key file " + file, nil
}

// keyText is a key file's key: without a UTF-8 byte order mark (Notepad
// writes one) and the whitespace around it.
func keyText(raw []byte) string {
	return strings.TrimSpace(strings.TrimPrefix(string(raw), "\uFEFF"))
}

// maxKeyFile is the most read of a key file: keys are some 200 bytes.
const maxKeyFile = 4 << 10

// readKeyFile reads a key file that is a regular file (or a symbolic link
// to one), at most maxKeyFile bytes of it: a FIFO would block and /dev/zero
// never end.
func readKeyFile(file string) ([]byte, os.FileInfo, error) {
	notRegular := func(st os.FileInfo) error {
		return fmt.Errorf("read key file %s: it is not a regular file (%s); put the key in a file of its own", file, st.Mode().Type())
	}
	st, err := os.Stat(file)
	if err != nil {
		return nil, nil, fmt.Errorf("read key file: %w", err)
	}
	if !st.Mode().IsRegular() {
		return nil, nil, notRegular(st)
	}
	f, err := os.Open(file)
	if err != nil {
		return nil, nil, fmt.Errorf("read key file: %w", err)
	}
	defer f.Close()
	// What was opened is checked again: the path may have changed.
	if st, err = f.Stat(); err != nil {
		return nil, nil, fmt.Errorf("read key file: %w", err)
	}
	if !st.Mode().IsRegular() {
		return nil, nil, notRegular(st)
	}
	raw, err := io.ReadAll(io.LimitReader(f, maxKeyFile+1))
	if err != nil {
		return nil, nil, fmt.Errorf("read key file: %w", err)
	}
	if len(raw) > maxKeyFile {
		return nil, nil, fmt.Errorf("read key file %s: it is larger than %d KiB, which no key is; name the file that holds only the key", file, maxKeyFile>>10)
	}
	return raw, st, nil
}

// runCollect collects with progress on standard error when it is a
// terminal, then lists the sources that were not read completely.
func runCollect(ctx context.Context, o collector.Options, quiet bool, e *env) (*inventory.Inventory, error) {
	var prog *progress
	if !quiet {
		prog = startProgress(e, &o)
	}
	o.Warn = func(msg string) { fmt.Fprintf(e.stderr, "%s: warning: %s\n", toolName, msg) }
	if prog != nil {
		// A warning gets a line of its own, not the end of the progress line.
		o.Warn = func(msg string) { prog.say(fmt.Sprintf("%s: warning: %s", toolName, msg)) }
	}
	inv, err := collector.Collect(ctx, o)
	if prog != nil {
		prog.stop()
	}
	if err != nil {
		if errors.Is(err, context.Canceled) {
			return nil, errors.New("interrupted: nothing was written")
		}
		return nil, fmt.Errorf("collect: %w", err)
	}
	warnIncomplete(inv, e.stderr)
	pointAtDoctor(inv, e.stderr)
	noteUnscanned(inv, e.stderr)
	return inv, nil
}

// noteUnscanned says how many files DLP could not scan, and why in short:
// each file's reason is in the inventory.
func noteUnscanned(inv *inventory.Inventory, w io.Writer) {
	by := map[string]int{}
	n := 0
	for _, f := range inv.Files {
		if f.Status != inventory.FileScanned {
			by[f.Status]++
			n++
		}
	}
	if n == 0 {
		return
	}
	var parts []string
	for _, st := range []string{inventory.FileTooLarge, inventory.FileUnsupported, inventory.FileError} {
		if by[st] > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", by[st], st))
		}
	}
	fmt.Fprintf(w, "%s: note: %d of %d files were not scanned (%s); the inventory's files say why\n", toolName, n, len(inv.Files), strings.Join(parts, ", "))
}

// warnIncomplete lists on standard error the sources that were not read
// completely, and those skipped.
func warnIncomplete(inv *inventory.Inventory, w io.Writer) {
	for _, n := range inv.Sources.NotComplete() {
		s := inv.Sources[n]
		reason := ""
		if s.Reason != nil {
			reason = ": " + *s.Reason
		}
		label := "warning"
		if !s.Incomplete() {
			label = "note"
		}
		fmt.Fprintf(w, "%s: %s: %s %s%s\n", toolName, label, n, s.Status, reason)
	}
}

// neededSources are the lists the enabled policies read, for
// collector.Options.Sources; nil (every list) with --collect-all.
func neededSources(engine *evaluator.Engine, all bool) []string {
	if all {
		return nil
	}
	return inventory.SourcesReading(engine.NeededPaths())
}

// pointAtDoctor says, once, that doctor explains a collection that was
// incomplete because a key or a permission was refused.
func pointAtDoctor(inv *inventory.Inventory, w io.Writer) {
	for _, s := range inv.Sources {
		if s.Incomplete() && s.Reason != nil && collector.PermissionReason(*s.Reason) {
			fmt.Fprintf(w, "%s: hint: some lists were refused for lack of access: run `%s doctor` with the same flags and environment to see what to ask for\n", toolName, toolName)
			return
		}
	}
}

// partialExit is exit 2 for an incomplete collection, unless allowed.
func partialExit(inv *inventory.Inventory, allow bool) error {
	names := slices.DeleteFunc(inv.Sources.NotComplete(), func(n string) bool { return !inv.Sources[n].Incomplete() })
	if len(names) > 0 && !allow {
		return fmt.Errorf("the collection is incomplete (%s); findings that depend on those lists may be missing. Pass --allow-partial to accept it", strings.Join(names, ", "))
	}
	return nil
}

// describe summarizes an inventory in one line.
func describe(inv *inventory.Inventory) string {
	keys := 0
	for _, p := range inv.Projects {
		keys += len(p.APIKeys)
	}
	out := fmt.Sprintf("%d admin keys, %d projects (%d project keys), %d users, %d invites, %d GPTs",
		len(inv.AdminAPIKeys), len(inv.Projects), keys, len(inv.Users), len(inv.Invites), len(inv.GPTs))
	if inv.DLP != nil {
		scanned := 0
		for _, f := range inv.Files {
			if f.Status == inventory.FileScanned {
				scanned++
			}
		}
		out += fmt.Sprintf(", %d files (%d scanned)", len(inv.Files), scanned)
	}
	return out
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}
