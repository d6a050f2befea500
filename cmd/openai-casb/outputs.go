package main

import (
	"bufio"
	"errors"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/openai-casb/openai-casb/internal/atomicfile"
	"github.com/openai-casb/openai-casb/internal/confine"
	"github.com/openai-casb/openai-casb/report"
)

// output is one report a run writes: a format, to a file or ("" or "-")
// to standard output.
type output struct {
	format, file string
}

func (o output) toStdout() bool { return o.file == "" || o.file == "-" }

// outputFormats is the value of the repeatable --output-format flag. It
// keeps every value whole: urfave's string slices would split a file name
// at its commas.
type outputFormats []string

func (o *outputFormats) Set(v string) error { *o = append(*o, v); return nil }
func (o *outputFormats) String() string     { return strings.Join(*o, " ") }

func outputFormatFlag() cli.Flag {
	return &cli.GenericFlag{
		Name:  "output-format",
		Value: &outputFormats{},
		Usage: "also write the report as `FORMAT=FILE` (repeatable: sarif=r.sarif, html=report.html, ...); each file mode 0600, replaced atomically",
	}
}

// parseOutputs turns --format/--output and every --output-format into the
// list of reports to write, the --format one first. A file named twice, or
// standard output taken twice, is a usage error.
func parseOutputs(c *cli.Context, primary output) ([]output, error) {
	outs := []output{primary}
	if v, ok := c.Generic("output-format").(*outputFormats); ok {
		for _, spec := range *v {
			format, file, found := strings.Cut(spec, "=")
			if !found || format == "" || file == "" {
				return nil, usageError("--output-format %q: want FORMAT=FILE, e.g. --output-format sarif=openai-casb.sarif", spec)
			}
			if err := report.CheckFormat(format); err != nil {
				return nil, usageError("--output-format %s: %v", spec, err)
			}
			outs = append(outs, output{format: format, file: file})
		}
	}
	stdout := 0
	seen := map[string]string{}
	for _, o := range outs {
		if o.toStdout() {
			if stdout++; stdout > 1 {
				return nil, usageError("--output-format %s=%s: standard output already receives the --format %s report; give it --output FILE, or this one a file", o.format, o.file, primary.format)
			}
			continue
		}
		abs, err := filepath.Abs(o.file)
		if err != nil {
			return nil, usageError("--output-format %s=%s: %v", o.format, o.file, err)
		}
		if prev, dup := seen[abs]; dup {
			return nil, usageError("%s is named twice (as %s and as %s): give each report its own file", o.file, prev, o.format)
		}
		seen[abs] = o.format
	}
	return outs, nil
}

// needsArtifact reports whether any report points results at lines of the
// inventory file, and names the first such format.
func (p evaluateParams) needsArtifact() (string, bool) {
	for _, o := range p.outputs {
		if report.NeedsArtifact(o.format) {
			return o.format, true
		}
	}
	return "", false
}

// writeReports writes every report of the run. A report that cannot be
// written does not stop the others; the first error is returned.
func writeReports(p evaluateParams, r *report.Report, e *env, only func(output) bool) error {
	var first error
	for _, o := range p.outputs {
		if only != nil && !only(o) {
			continue
		}
		if err := writeOutput(o, p.quiet, p.showWaived, r, e); err != nil {
			if first == nil {
				first = err
			} else {
				fmt.Fprintf(e.stderr, "%s: %v\n", toolName, err)
			}
		}
	}
	return first
}

func writeOutput(o output, quiet, showWaived bool, r *report.Report, e *env) error {
	w, err := report.New(o.format, report.Options{Warnings: e.stderr, ShowWaived: showWaived, Color: o.toStdout() && e.color(e.stdout)})
	if err != nil {
		return err
	}
	if o.toStdout() {
		bw := bufio.NewWriterSize(e.stdout, 1<<20)
		if err := w.Write(bw, r); err != nil {
			return fmt.Errorf("write %s report: %w", o.format, err)
		}
		return bw.Flush()
	}
	// Straight into the file, which appears only once complete.
	f, err := atomicfile.Create(o.file, 0o600)
	if err != nil {
		return err
	}
	defer f.Abort()
	bw := bufio.NewWriterSize(f, 1<<20)
	if err := w.Write(bw, r); err != nil {
		return fmt.Errorf("write %s report %s: %w", o.format, o.file, err)
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("write %s report %s: %w", o.format, o.file, err)
	}
	if err := f.Commit(); err != nil {
		return err
	}
	if !quiet {
		fmt.Fprintf(e.stderr, "wrote %s: %s\n", o.file, report.Summary(report.Open(r)))
	}
	return nil
}

// checkDefaultWrite refuses a file the user did not name (the default of
// --flag) when it would be written outside the working directory: a
// checkout may carry a symbolic link named like the default
// (openai-inventory.json -> ~/.bashrc), and a link's target is what gets
// replaced. A file named on the command line or in a configuration file is
// the user's choice and is written through its links (a found file's are
// checked where it is read).
func checkDefaultWrite(flag, path string) error {
	var out *confine.Error
	if err := confine.Check(".", path); errors.As(err, &out) {
		return usageError("--%s: the default file would be written outside the working directory (%v); name the file with --%s FILE", flag, out, flag)
	}
	return nil
}
