package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/openai-casb/openai-casb/evaluator"
	"github.com/openai-casb/openai-casb/internal/atomicfile"
	"github.com/openai-casb/openai-casb/internal/jsonstream"
	"github.com/openai-casb/openai-casb/inventory"
	"github.com/openai-casb/openai-casb/notify"
	"github.com/openai-casb/openai-casb/report"
	"github.com/openai-casb/openai-casb/waiver"
)

// evaluateParams are the options of the commands that write a report,
// parsed and checked before any work starts.
type evaluateParams struct {
	inventory string
	policyDir string
	// engine is what the policy flags ask of the evaluator.
	engine     evaluator.Options
	format     string
	output     string
	outputs    []output // format and output first, then each --output-format
	notify     []notify.Target
	failOn     evaluator.Severity
	failOnNew  bool
	severities []evaluator.Severity
	baseline   string
	sarifRoot  string
	now        *time.Time
	quiet      bool // no "wrote FILE" line (scan --quiet)
	// waivers is the waivers file, read and checked; nil without one.
	waivers       *waiver.File
	strictWaivers bool
	showWaived    bool
	// evalTimeout bounds the evaluation (--eval-timeout; 0: none).
	evalTimeout time.Duration
}

// evalOptions are the evaluator's options of these parameters.
func (p evaluateParams) evalOptions() evaluator.EvalOptions {
	return evaluator.EvalOptions{Now: p.now, Timeout: p.evalTimeout}
}

// defaultEvalTimeout ends a runaway policy; real evaluations of a million
// users take well under a minute (docs/performance.md).
const defaultEvalTimeout = 10 * time.Minute

// The range --now accepts without --now-unchecked: a time before 2000 or
// more than this far past the wall clock is a typo more often than not.
var (
	earliestNow   = time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)
	latestNowSpan = 5 * 365 * 24 * time.Hour
)

// reportFlags are shared by every command that writes a report.
func reportFlags() []cli.Flag {
	flags := policyFlags("evaluate the Rego policies in `DIR` instead of the built-in ones (start from `policies export`)")
	flags = append(flags, selectFlags()...)
	return append(flags,
		&cli.StringFlag{Name: "format", Aliases: []string{"f"}, Value: "table", Usage: "output `FORMAT`: " + strings.Join(report.Formats, ", ")},
		&cli.StringFlag{Name: "output", Aliases: []string{"o"}, Usage: "write the report to `FILE` (mode 0600, replaced atomically) instead of standard output"},
		outputFormatFlag(),
		notifyFlag(),
		&cli.StringFlag{Name: "severity", Usage: "report only findings of these `SEVERITIES` (comma-separated: critical,high,medium,low); --fail-on still sees all"},
		&cli.StringFlag{Name: "fail-on", Value: "none", Usage: "exit 1 when a finding is at or above `SEVERITY`: critical, high, medium, low, or none"},
		&cli.StringFlag{Name: "baseline", Usage: "compare with `PREVIOUS`, an earlier json or sarif report: mark each finding new, changed, unchanged or absent"},
		&cli.BoolFlag{Name: "fail-on-new", Usage: "let only findings new or changed since --baseline fail the build (with --fail-on, or any severity without it)"},
		&cli.StringFlag{Name: "sarif-root", Usage: "make the inventory path in sarif, github and gitlab reports relative to `DIR` (default: the working directory; use the repository root)"},
		&cli.StringFlag{Name: "waivers", Usage: "accept risks listed in `FILE` (YAML, see docs/day-two.md) until their expiry; default: " + waiver.DefaultFile + " in the working directory, when present"},
		&cli.BoolFlag{Name: "strict-waivers", Usage: "also report each waiver that matches no finding as a low finding"},
		&cli.BoolFlag{Name: "show-waived", Usage: "list the waived findings in the table (other formats always include them, marked waived)"},
		&cli.StringFlag{Name: "now", Usage: "measure ages from `TIME` (RFC 3339, e.g. 2026-11-26T00:00:00Z) instead of the inventory's collected_at"},
		&cli.BoolFlag{Name: "now-unchecked", Usage: "accept a --now before 2000 or more than 5 years ahead of the clock"},
		&cli.BoolFlag{Name: "allow-net", Usage: "let policies call http.send and net.lookup_ip_addr (refused by default: an evaluation sends nothing anywhere)"},
		&cli.DurationFlag{Name: "eval-timeout", Value: defaultEvalTimeout, Usage: "stop an evaluation still running after `DURATION`, naming the policy (0: no limit)"},
	)
}

func evaluateCommand(e *env) *cli.Command {
	return &cli.Command{
		Name:      "evaluate",
		Usage:     "evaluate a saved inventory against the policies",
		ArgsUsage: "INVENTORY",
		Description: "Reads INVENTORY (a file, or - for standard input), validates it against the inventory\n" +
			"schema, evaluates the policies and writes the findings.\n\n" + exitCodesHelp,
		Flags: reportFlags(),
		Action: func(c *cli.Context) error {
			if c.NArg() != 1 {
				return usageError("evaluate: want exactly one INVENTORY argument (a file, or - for standard input), got %d", c.NArg())
			}
			p, err := parseReportFlags(c, e)
			if err != nil {
				return err
			}
			p.inventory = c.Args().First()
			return runEvaluate(c.Context, p, e)
		},
	}
}

func parseReportFlags(c *cli.Context, e *env) (evaluateParams, error) {
	p := evaluateParams{
		policyDir:     c.String("policies"),
		format:        c.String("format"),
		output:        c.String("output"),
		baseline:      c.String("baseline"),
		failOnNew:     c.Bool("fail-on-new"),
		sarifRoot:     c.String("sarif-root"),
		strictWaivers: c.Bool("strict-waivers"),
		showWaived:    c.Bool("show-waived"),
	}
	if err := readWaivers(c, &p, e); err != nil {
		return p, err
	}
	opts, err := policyOptions(c, e.stderr)
	if err != nil {
		return p, err
	}
	p.engine = opts
	if err := report.CheckFormat(p.format); err != nil {
		return p, usageError("--format: %v", err)
	}
	outs, err := parseOutputs(c, output{format: p.format, file: p.output})
	if err != nil {
		return p, err
	}
	p.outputs = outs
	if p.notify, err = notifyTargets(c, e.getenv); err != nil {
		return p, err
	}
	if f := c.String("fail-on"); !strings.EqualFold(f, "none") {
		s, err := evaluator.ParseSeverity(f)
		if err != nil {
			return p, usageError("--fail-on: %v, or none", err)
		}
		p.failOn = s
	}
	if p.failOnNew {
		if p.baseline == "" {
			return p, usageError("--fail-on-new needs --baseline PREVIOUS: new is relative to a previous report")
		}
		if p.failOn == evaluator.SeverityNone {
			p.failOn = evaluator.SeverityLow
		}
	}
	if list := c.String("severity"); list != "" {
		for _, part := range strings.Split(list, ",") {
			s, err := evaluator.ParseSeverity(strings.TrimSpace(part))
			if err != nil {
				return p, usageError("--severity: %v", err)
			}
			p.severities = append(p.severities, s)
		}
	}
	if n := c.String("now"); n != "" {
		t, err := time.Parse(time.RFC3339, n)
		if err != nil {
			return p, usageError("--now %q: want an RFC 3339 time such as 2026-11-26T00:00:00Z", n)
		}
		if !c.Bool("now-unchecked") && (t.Before(earliestNow) || t.After(time.Now().Add(latestNowSpan))) {
			return p, usageError("--now %s: before 2000 or more than 5 years ahead of this machine's clock, which is most likely a typo; pass --now-unchecked if it is meant", n)
		}
		p.now = &t
	}
	if p.evalTimeout = c.Duration("eval-timeout"); p.evalTimeout < 0 {
		return p, usageError("--eval-timeout %s: want a positive duration such as 10m, or 0 for no limit", p.evalTimeout)
	}
	if p.output != "" && p.output != "-" {
		// Before any work: a typo in a directory should not cost a scan.
		if err := atomicfile.Check(p.output); err != nil {
			return p, fmt.Errorf("--output: %w", err)
		}
	}
	if p.sarifRoot == "" {
		p.sarifRoot = "."
	}
	root, err := filepath.Abs(p.sarifRoot)
	if err != nil {
		return p, usageError("--sarif-root %s: %v", p.sarifRoot, err)
	}
	p.sarifRoot = root
	return p, nil
}

func runEvaluate(ctx context.Context, p evaluateParams, e *env) error {
	if format, ok := p.needsArtifact(); ok && p.inventory == "-" {
		return usageError("--format %s points every result at a line of the inventory file: read it from a file, not standard input", format)
	}
	engine, err := evaluator.New(ctx, p.engine)
	if err != nil {
		return failed(p, nil, err, e)
	}
	noteMaterialized(engine, p, e)
	base, err := readBaseline(p)
	if err != nil {
		return err
	}
	res, err := evaluateFile(ctx, engine, p, e)
	if err != nil {
		var ve *inventory.ValidationError
		var se *inventory.SyntaxError
		if errors.As(err, &ve) || errors.As(err, &se) || errors.Is(err, fs.ErrNotExist) || ctx.Err() != nil {
			return err
		}
		return failed(p, nil, err, e)
	}
	var artifact *report.Artifact
	if _, ok := p.needsArtifact(); ok {
		if artifact, err = artifactOf(p.inventory, p.sarifRoot, nil, e); err != nil {
			return err
		}
	}
	return finish(ctx, engine, res, base, artifact, p, e)
}

// evaluateFile streams the inventory at p.inventory ("-" for standard
// input) through the engine. A JSON syntax error in a file gets its line
// and column.
func evaluateFile(ctx context.Context, engine *evaluator.Engine, p evaluateParams, e *env) (*evaluator.Result, error) {
	opts := p.evalOptions()
	if p.inventory == "-" {
		res, err := engine.EvaluateReader(ctx, bufio.NewReaderSize(e.stdin, 1<<20), "-", opts)
		return res, explainTimeout(err)
	}
	f, err := os.Open(p.inventory)
	if err != nil {
		return nil, fmt.Errorf("read inventory: %w", err)
	}
	defer f.Close()
	res, err := engine.EvaluateReader(ctx, f, p.inventory, opts)
	if err != nil {
		err = explainTimeout(err)
		if _, serr := f.Seek(0, io.SeekStart); serr == nil {
			err = jsonstream.LocateReader(err, f)
		}
		return nil, err
	}
	return res, nil
}

// explainTimeout names the flag that set a timeout the policies ran into.
func explainTimeout(err error) error {
	if _, ok := errors.AsType[*evaluator.TimeoutError](err); ok {
		return fmt.Errorf("%w (--eval-timeout; raise it, or 0 for no limit, if the policy is meant to take that long)", err)
	}
	return err
}

// noteMaterialized says when a policy of the user's cannot be streamed,
// and which rule is why: the results are the same, the memory is not. The
// built-in packages that join arrays do so by design and get no note.
func noteMaterialized(engine *evaluator.Engine, p evaluateParams, e *env) {
	if joins, why := engine.UserJoins(); joins && !p.quiet {
		fmt.Fprintf(e.stderr, "%s: note: policies are evaluated on the whole inventory at once (more memory): %s\n", toolName, why)
	}
}

// readWaivers reads --waivers, or the default file of the working
// directory when there is one (and says so), before any long work.
func readWaivers(c *cli.Context, p *evaluateParams, e *env) error {
	path := c.String("waivers")
	if path == "" {
		if _, err := os.Stat(waiver.DefaultFile); err != nil {
			if p.strictWaivers || p.showWaived {
				fmt.Fprintf(e.stderr, "%s: note: no waivers file (--waivers FILE, or %s in the working directory): --strict-waivers and --show-waived do nothing\n", toolName, waiver.DefaultFile)
			}
			return nil
		}
		path = waiver.DefaultFile
		fmt.Fprintf(e.stderr, "%s: using the waivers in %s (found in the working directory; --waivers FILE chooses another)\n", toolName, path)
	}
	f, err := waiver.Load(path)
	if err != nil {
		return err
	}
	p.waivers = f
	return nil
}

// readBaseline reads --baseline before any long work, so a wrong path fails
// at once.
func readBaseline(p evaluateParams) (*report.Baseline, error) {
	if p.baseline == "" {
		return nil, nil
	}
	base, err := report.ReadBaseline(p.baseline)
	if err != nil {
		return nil, err
	}
	return base, nil
}

// artifactOf locates the inventory file for sarif and github reports: its
// path relative to the SARIF root, and the line where each resource starts.
// raw, when given, is the file's content, already in memory.
func artifactOf(path, root string, raw []byte, e *env) (*report.Artifact, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, err
	}
	rel, err := filepath.Rel(root, abs)
	if err != nil {
		return nil, fmt.Errorf("--sarif-root %s: %w", root, err)
	}
	if rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		fmt.Fprintf(e.stderr, "%s: warning: the inventory %s is outside --sarif-root %s; code scanning will not find it in the repository\n", toolName, path, root)
	}
	var r io.Reader
	if raw != nil {
		r = bytes.NewReader(raw)
	} else {
		f, err := os.Open(path)
		if err != nil {
			return nil, fmt.Errorf("read inventory: %w", err)
		}
		defer f.Close()
		r = bufio.NewReaderSize(f, 1<<20)
	}
	lines, err := inventory.IndexLines(r)
	if err != nil {
		return nil, err
	}
	return &report.Artifact{URI: filepath.ToSlash(rel), Lines: lines}, nil
}

// failed handles an evaluation that could not run: a SARIF or GitLab
// report still says so (executionSuccessful false, or scan.status failure,
// and the error as a message) for pipelines that upload it; every format
// exits 2.
func failed(p evaluateParams, h *evaluator.Header, err error, e *env) error {
	r := &report.Report{Tool: report.Tool{Name: toolName, Version: version}, Failure: err}
	if h != nil {
		r.Inventory, r.EvaluatedAt = *h, h.CollectedAt
	}
	saysFailure := func(o output) bool { return o.format == "sarif" || o.format == "gitlab" }
	if werr := writeReports(p, r, e, saysFailure); werr != nil {
		fmt.Fprintf(e.stderr, "%s: %v\n", toolName, werr)
	}
	return err
}

// finish compares an evaluation with the baseline, writes the report and
// decides the exit code: the part evaluate and scan share.
func finish(ctx context.Context, engine *evaluator.Engine, res *evaluator.Result, base *report.Baseline, artifact *report.Artifact, p evaluateParams, e *env) error {
	if base != nil && base.OrganizationID != "" && base.OrganizationID != res.Header.Organization.ID {
		fmt.Fprintf(e.stderr, "%s: warning: the baseline %s is of organization %s, this inventory of %s: every finding is new\n",
			toolName, p.baseline, base.OrganizationID, res.Header.Organization.ID)
	}
	r := &report.Report{
		Tool:        report.Tool{Name: toolName, Version: version},
		Inventory:   res.Header,
		EvaluatedAt: res.Header.CollectedAt,
		Entries:     report.Entries(res.Header.Organization.ID, res.Findings),
		Catalog:     engine.Catalog(),
		Artifact:    artifact,
	}
	if p.now != nil {
		r.EvaluatedAt = p.now.Unix()
	}
	if p.waivers != nil {
		if err := p.waivers.Apply(r, p.strictWaivers); err != nil {
			return err
		}
		for _, w := range r.Waivers.Expired {
			fmt.Fprintf(e.stderr, "%s: warning: waiver %s:%d expired on %s: it no longer waives; %d finding(s) it selects are open again\n",
				toolName, w.File, w.Line, w.Expires, w.Matched)
		}
	}
	if base != nil {
		var sum report.BaselineSummary
		r.Entries, sum = base.Compare(r.Entries, r.EvaluatedAt)
		r.Baseline = &sum
	}
	// What fails the build is decided on every finding, before --severity
	// narrows what is written; so is a control's compliance status.
	if slices.ContainsFunc(p.outputs, func(o output) bool { return o.format == "html" }) {
		r.Compliance = report.ComplianceViews(r)
	}
	gating := r.Entries
	r.Entries = report.FilterSeverities(r.Entries, p.severities)
	noteHidden(r, gating, severityFilter(p.severities))
	r.Severities = p.severities
	if err := writeReports(p, r, e, nil); err != nil {
		return err
	}
	sendNotifications(ctx, p, r, e)
	sayHidden(p, r, e)
	return gate(gating, p)
}

// gate turns findings into the exit code --fail-on asks for: findings at or
// above the severity, or only the new ones with --fail-on-new.
func gate(entries []report.Entry, p evaluateParams) error {
	if p.failOn == evaluator.SeverityNone {
		return nil
	}
	n := 0
	for _, e := range entries {
		if e.State == report.StateAbsent || e.Waived() || (p.failOnNew && !e.State.Fails()) {
			continue
		}
		if e.Severity >= p.failOn {
			n++
		}
	}
	if n == 0 {
		return nil
	}
	what := "finding(s)"
	if p.failOnNew {
		what = "new or changed finding(s)"
	}
	return withExit(exitFindings, fmt.Errorf("%d %s at or above %s (--fail-on %s)", n, what, p.failOn, p.failOn))
}
