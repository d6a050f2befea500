// Package notify posts a summary of a report's findings to chat and other
// webhooks: generic JSON, Slack and Microsoft Teams. Webhook URLs are
// secrets (anyone holding one can post to the channel): they come from the
// environment or a file, and no message, error or log line names them.
package notify

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/openai-casb/openai-casb/evaluator"
	"github.com/openai-casb/openai-casb/report"
)

// Preset is the shape of the payload a webhook wants.
type Preset string

// Presets.
const (
	Generic Preset = "generic"
	Slack   Preset = "slack"
	Teams   Preset = "teams"
)

// Target is one webhook: where its URL comes from, and the payload preset.
type Target struct {
	Preset Preset
	// From says where the URL was read, for messages: "env SLACK_WEBHOOK",
	// "file hook.url". Never the URL.
	From string
	url  string
}

// ParseTarget reads one --notify value: [PRESET=]env:NAME or
// [PRESET=]file:PATH. A URL given directly is refused: it would sit in the
// process list and the shell history. getenv reads the environment.
func ParseTarget(spec string, getenv func(string) string) (Target, error) {
	var t Target
	if p, rest, ok := strings.Cut(spec, "="); ok && !strings.Contains(p, ":") {
		t.Preset, spec = Preset(p), rest
		if t.Preset != Generic && t.Preset != Slack && t.Preset != Teams {
			return t, fmt.Errorf("unknown preset %q: want generic, slack or teams", p)
		}
	}
	switch {
	case strings.HasPrefix(spec, "env:"):
		name := strings.TrimPrefix(spec, "env:")
		t.From = "env " + name
		t.url = strings.TrimSpace(getenv(name))
		if t.url == "" {
			return t, fmt.Errorf("the environment variable %s is empty or unset: set it to the webhook URL", name)
		}
	case strings.HasPrefix(spec, "file:"):
		path := strings.TrimPrefix(spec, "file:")
		t.From = "file " + path
		raw, err := os.ReadFile(path)
		if err != nil {
			return t, fmt.Errorf("read webhook URL: %w", err)
		}
		t.url = strings.TrimSpace(string(raw))
		if t.url == "" {
			return t, fmt.Errorf("the file %s is empty: put the webhook URL in it", path)
		}
	case strings.Contains(spec, "://"):
		return t, errors.New("a webhook URL is a secret: put it in an environment variable or a file and pass env:NAME or file:PATH")
	default:
		return t, fmt.Errorf("%q: want env:NAME or file:PATH, optionally after slack=, teams= or generic=", spec)
	}
	return t, t.check()
}

// FromEnvironment reads the webhooks of a variable holding URLs directly
// (one per line, each optionally after slack=, teams= or generic=).
func FromEnvironment(name string, getenv func(string) string) ([]Target, error) {
	var out []Target
	for i, line := range strings.Split(getenv(name), "\n") {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		t := Target{From: fmt.Sprintf("env %s line %d", name, i+1), url: line}
		if p, rest, ok := strings.Cut(line, "="); ok && !strings.Contains(p, ":") && !strings.Contains(p, "/") {
			t.Preset, t.url = Preset(p), rest
			if t.Preset != Generic && t.Preset != Slack && t.Preset != Teams {
				return nil, fmt.Errorf("%s: unknown preset %q: want generic, slack or teams", t.From, p)
			}
		}
		if err := t.check(); err != nil {
			return nil, fmt.Errorf("%s: %w", t.From, err)
		}
		out = append(out, t)
	}
	return out, nil
}

// check accepts http and https URLs only, and picks the preset from the
// host when none was named.
func (t *Target) check() error {
	u, err := url.Parse(t.url)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return fmt.Errorf("%s does not hold an http or https URL", t.From)
	}
	if t.Preset == "" {
		host := strings.ToLower(u.Hostname())
		switch {
		case host == "hooks.slack.com":
			t.Preset = Slack
		case strings.HasSuffix(host, ".webhook.office.com") || strings.HasSuffix(host, ".logic.azure.com") || strings.HasSuffix(host, ".powerplatform.com"):
			t.Preset = Teams
		default:
			t.Preset = Generic
		}
	}
	return nil
}

// Selection says which findings a message lists.
type Selection struct {
	// With a baseline: the new and changed findings. Without one: the
	// open findings at or above Threshold.
	Threshold evaluator.Severity
}

// Select returns the findings a message is about: open (not waived, not
// absent), and new or changed against the baseline, or without a baseline
// at or above the threshold.
func (s Selection) Select(r *report.Report) []report.Entry {
	var out []report.Entry
	for _, e := range r.Entries {
		if e.State == report.StateAbsent || e.Waived() {
			continue
		}
		if r.Baseline != nil {
			if e.State.Fails() {
				out = append(out, e)
			}
			continue
		}
		if e.Severity >= max(s.Threshold, evaluator.SeverityLow) {
			out = append(out, e)
		}
	}
	return out
}

// Sender posts messages, retrying with backoff.
type Sender struct {
	Client *http.Client
	// Attempts is how many times a message is tried; zero means 4.
	Attempts int
	// Backoff is the wait before the second attempt, doubled before each
	// later one; zero means one second.
	Backoff time.Duration
	// Sleep waits (tests replace it); nil means a timer honouring ctx.
	Sleep func(ctx context.Context, d time.Duration) error
}

// Send posts the payload of one target. Network errors, 429 and 5xx
// answers are retried; other answers are final. The error never holds the
// URL.
func (s Sender) Send(ctx context.Context, t Target, payload []byte) error {
	attempts, backoff := s.Attempts, s.Backoff
	if attempts <= 0 {
		attempts = 4
	}
	if backoff <= 0 {
		backoff = time.Second
	}
	client := s.Client
	if client == nil {
		client = &http.Client{Timeout: 15 * time.Second}
	}
	sleep := s.Sleep
	if sleep == nil {
		sleep = func(ctx context.Context, d time.Duration) error {
			tm := time.NewTimer(d)
			defer tm.Stop()
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-tm.C:
				return nil
			}
		}
	}
	var last error
	for i := range attempts {
		if i > 0 {
			wait := backoff << (i - 1)
			if ra, ok := last.(retryAfter); ok && ra.wait > 0 && ra.wait <= time.Minute {
				wait = ra.wait
			}
			if err := sleep(ctx, wait); err != nil {
				return err
			}
		}
		err := s.post(ctx, client, t, payload)
		if err == nil {
			return nil
		}
		last = err
		var fe final
		if errors.As(err, &fe) {
			return fmt.Errorf("%s after %d attempt(s)", err, i+1)
		}
	}
	return fmt.Errorf("%s after %d attempts", last, attempts)
}

type final struct{ status int }

func (f final) Error() string { return "HTTP " + strconv.Itoa(f.status) }

type retryAfter struct {
	status int
	wait   time.Duration
}

func (r retryAfter) Error() string { return "HTTP " + strconv.Itoa(r.status) }

func (s Sender) post(ctx context.Context, client *http.Client, t Target, payload []byte) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, t.url, bytes.NewReader(payload))
	if err != nil {
		return errors.New("invalid webhook URL")
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "openai-casb")
	resp, err := client.Do(req)
	if err != nil {
		// url.Error names the URL: keep only what went wrong.
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return fmt.Errorf("post: %s", scrub(err.Error(), t.url))
	}
	defer resp.Body.Close()
	io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<16))
	switch {
	case resp.StatusCode >= 200 && resp.StatusCode < 300:
		return nil
	case resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode >= 500:
		ra := retryAfter{status: resp.StatusCode}
		if secs, err := strconv.Atoi(resp.Header.Get("Retry-After")); err == nil && secs > 0 {
			ra.wait = time.Duration(secs) * time.Second
		}
		return ra
	}
	return final{resp.StatusCode}
}

// scrub removes the URL, and its host, port, path and query, from an
// error text (a dial error names the host and port).
func scrub(s, rawURL string) string {
	s = strings.ReplaceAll(s, rawURL, "the webhook")
	if u, err := url.Parse(rawURL); err == nil {
		for _, part := range []string{u.RawQuery, u.EscapedPath(), u.Path, u.Host, u.Hostname()} {
			if part != "" && part != "/" {
				s = strings.ReplaceAll(s, part, "…")
			}
		}
	}
	return s
}

// Payload builds the message of a preset.
func Payload(p Preset, r *report.Report, findings []report.Entry, max int) ([]byte, error) {
	m := messageOf(r, findings, max)
	var v any
	switch p {
	case Slack:
		v = slackOf(m)
	case Teams:
		v = teamsOf(m)
	default:
		v = m
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}
