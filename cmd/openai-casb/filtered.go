package main

import (
	"fmt"
	"strings"

	"github.com/openai-casb/openai-casb/evaluator"
	"github.com/openai-casb/openai-casb/report"
)

// noteHidden records in r how many current findings a filter removed:
// before is the entries the filter saw, r.Entries what it kept.
func noteHidden(r *report.Report, before []report.Entry, by string) {
	n := countCurrent(before) - countCurrent(r.Entries)
	if n > 0 {
		r.Hidden = append(r.Hidden, report.Hidden{Count: n, By: by})
	}
}

// countCurrent counts the open findings: current and not waived (waived
// ones are counted by the waiver summary).
func countCurrent(entries []report.Entry) int {
	n := 0
	for _, e := range entries {
		if e.State != report.StateAbsent && e.Waiver == nil {
			n++
		}
	}
	return n
}

// severityFilter is how --severity reads in a note: "--severity critical,high".
func severityFilter(sevs []evaluator.Severity) string {
	names := make([]string, len(sevs))
	for i, s := range sevs {
		names[i] = s.String()
	}
	return "--severity " + strings.Join(names, ",")
}

// sayHidden repeats on standard error what filters hid, for formats other
// than the table (which says it itself) and for reports written to a file.
func sayHidden(p evaluateParams, r *report.Report, e *env) {
	if p.quiet || (p.format == "table" && (p.output == "" || p.output == "-")) {
		return
	}
	for _, h := range r.Hidden {
		fmt.Fprintf(e.stderr, "%s: note: %s\n", toolName, h)
	}
}
