package main

import (
	"context"
	"fmt"

	"github.com/urfave/cli/v2"

	"github.com/openai-casb/openai-casb/notify"
	"github.com/openai-casb/openai-casb/report"
)

// notifyEnv holds webhook URLs directly, one per line.
const notifyEnv = "OPENAI_CASB_NOTIFY"

func notifyFlag() cli.Flag {
	return &cli.GenericFlag{
		Name:  "notify",
		Value: &outputFormats{},
		Usage: "post new and changed findings (since --baseline; without one, those at or above --fail-on) to the webhook whose URL is in `[slack=|teams=]env:NAME` or `file:PATH` (repeatable; never the URL itself: it is a secret). " + notifyEnv + " may hold URLs too, one per line",
	}
}

// notifyTargets reads --notify and OPENAI_CASB_NOTIFY, before any work, so
// a missing variable fails at once.
func notifyTargets(c *cli.Context, getenv func(string) string) ([]notify.Target, error) {
	var out []notify.Target
	if v, ok := c.Generic("notify").(*outputFormats); ok {
		for _, spec := range *v {
			t, err := notify.ParseTarget(spec, getenv)
			if err != nil {
				return nil, usageError("--notify: %v", err)
			}
			out = append(out, t)
		}
	}
	fromEnv, err := notify.FromEnvironment(notifyEnv, getenv)
	if err != nil {
		return nil, usageError("%v", err)
	}
	return append(out, fromEnv...), nil
}

// sendNotifications posts the message of each target. A webhook that
// fails is a warning: the reports are already written, and the exit code
// stays what the findings make it.
func sendNotifications(ctx context.Context, p evaluateParams, r *report.Report, e *env) {
	if len(p.notify) == 0 {
		return
	}
	sel := notify.Selection{Threshold: p.failOn}.Select(r)
	if len(sel) == 0 {
		if !p.quiet {
			what := "no open finding at or above " + p.failOn.String()
			if r.Baseline != nil {
				what = "no new or changed finding"
			}
			fmt.Fprintf(e.stderr, "%s: notify: %s: no message sent\n", toolName, what)
		}
		return
	}
	sender := notify.Sender{Sleep: e.sleep}
	for _, t := range p.notify {
		payload, err := notify.Payload(t.Preset, r, sel, 20)
		if err == nil {
			err = sender.Send(ctx, t, payload)
		}
		if err != nil {
			fmt.Fprintf(e.stderr, "%s: warning: notify (%s, %s): %v; the reports are written all the same\n", toolName, t.Preset, t.From, err)
			continue
		}
		if !p.quiet {
			fmt.Fprintf(e.stderr, "%s: notified %s (%s): %d finding(s)\n", toolName, t.From, t.Preset, len(sel))
		}
	}
}
