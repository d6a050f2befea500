package collector

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/openai-casb/openai-casb/internal/atomicfile"
	"github.com/openai-casb/openai-casb/internal/scrub"
)

// A recording holds every answer the APIs gave one collection, so that a
// shape problem seen on a real organization can be reproduced and fixed
// without access to it: `collect --record DIR` writes it, `collect --replay
// DIR` builds the inventory from it with no network. DIR holds
// manifest.json (what the collection was asked) and one file per request
// (its path and query, the status, the response headers without cookies,
// the body). Request headers are not recorded at all, so the key
// (Authorization) never is; every string passes the scrubber. The contents
// of files fetched for DLP (GPT, ChatGPT project and conversation files)
// are not kept, only their size: a replay serves that many spaces, so its
// DLP results are not the recorded ones; nor are the instructions and
// action OpenAPI texts of GPTs, projects and agents (withoutTexts), so a
// replay finds no secret in them. Conversation log files are kept:
// their envelope is what a shape problem is about. The directory is 0700
// and its files 0600: they hold the organization's emails and names.

// RecordingVersion is the format of a recording.
const RecordingVersion = 1

const manifestName = "manifest.json"

// manifest says what a recorded collection was asked, so a replay asks the
// same (the same time windows, the same workspace).
type manifest struct {
	Version        int    `json:"version"`
	CollectedAt    int64  `json:"collected_at"`
	WorkspaceID    string `json:"workspace_id"`
	OrganizationID string `json:"organization_id,omitempty"`
	AuditLogDays   int    `json:"audit_log_days"`
	Tool           string `json:"tool"`
}

// exchange is one recorded answer.
type exchange struct {
	Method string `json:"method"`
	// URL is the request's path and query, without scheme and host.
	URL        string              `json:"url"`
	Status     int                 `json:"status"`
	Header     map[string][]string `json:"header"`
	Body       *string             `json:"body,omitempty"`
	BodyBase64 *string             `json:"body_base64,omitempty"`
	// OmittedBytes is the size of a file's content that was not kept.
	OmittedBytes *int `json:"omitted_bytes,omitempty"`
}

// isFileContent reports whether a request fetches a file's content (a GPT,
// ChatGPT project or user file), which a recording does not keep.
func isFileContent(u *url.URL) bool {
	p := u.Path
	return strings.Contains(p, "/gpt_files/") || strings.Contains(p, "/project_files/") ||
		(strings.Contains(p, "/users/") && strings.Contains(p, "/files/"))
}

// requestKey names a request independently of the host it went to:
// method, path and query with its parameters sorted. A redirect's hop is
// named by its path alone: its query (a signed URL's signature) is not
// recorded, not even in the Location that led to it.
func requestKey(r *http.Request) string {
	if r.Response != nil {
		return r.Method + " " + r.URL.EscapedPath()
	}
	return r.Method + " " + r.URL.EscapedPath() + "?" + sortedQuery(r.URL.Query())
}

func sortedQuery(q url.Values) string {
	keys := make([]string, 0, len(q))
	for k := range q {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	for _, k := range keys {
		vs := append([]string(nil), q[k]...)
		sort.Strings(vs)
		for _, v := range vs {
			if b.Len() > 0 {
				b.WriteByte('&')
			}
			b.WriteString(url.QueryEscape(k) + "=" + url.QueryEscape(v))
		}
	}
	return b.String()
}

// fileName is where the n-th answer (from 0) to a request is kept: a
// request retried has one file per attempt, replayed in order.
func fileName(key string, n int) string {
	sum := sha256.Sum256([]byte(key))
	return fmt.Sprintf("%s-%d.json", hex.EncodeToString(sum[:10]), n)
}

// droppedHeaders are never recorded.
var droppedHeaders = map[string]bool{"Set-Cookie": true, "Cookie": true, "Authorization": true}

// recorder is a transport that keeps every answer in a directory.
type recorder struct {
	next  http.RoundTripper
	dir   string
	scrub *scrub.Scrubber
	mu    sync.Mutex
	count map[string]int
	err   error // the first write that failed
}

// createRecording makes dir (0700; an existing one must be empty) and writes
// its manifest.
func createRecording(dir string, m manifest) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("record: %w", err)
	}
	if err := os.Chmod(dir, 0o700); err != nil {
		return fmt.Errorf("record: %w", err)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return fmt.Errorf("record: %w", err)
	}
	if len(entries) > 0 {
		return fmt.Errorf("record: %s is not empty: record into a new or empty directory, so that answers of two collections do not mix", dir)
	}
	raw, _ := json.MarshalIndent(m, "", "  ")
	return atomicfile.WriteFile(filepath.Join(dir, manifestName), append(raw, '\n'), 0o600)
}

func (rec *recorder) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := rec.next.RoundTrip(req)
	if err != nil {
		return nil, err
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return nil, err
	}
	resp.Body = io.NopCloser(bytes.NewReader(body))
	// A redirected download (the Compliance API answers 307 to a signed
	// URL) is judged by the request it started as; the signed URL's query
	// is a short-lived credential and is not written out (the file name,
	// a hash, still tells replays apart).
	first, shown := req, req.URL.RequestURI()
	for first.Response != nil && first.Response.Request != nil {
		first = first.Response.Request
	}
	if first != req && req.URL.RawQuery != "" {
		shown = req.URL.EscapedPath() + "?[signed query not recorded]"
	}
	ex := exchange{Method: req.Method, URL: rec.scrub.String(shown), Status: resp.StatusCode, Header: map[string][]string{}}
	for k, vs := range resp.Header {
		if droppedHeaders[http.CanonicalHeaderKey(k)] {
			continue
		}
		for _, v := range vs {
			if http.CanonicalHeaderKey(k) == "Location" {
				if u, err := url.Parse(v); err == nil {
					u.RawQuery = ""
					v = u.String()
				}
			}
			ex.Header[k] = append(ex.Header[k], rec.scrub.String(v))
		}
	}
	switch {
	case resp.StatusCode >= 300 && resp.StatusCode < 400:
		// The body of a redirect only repeats its Location.
	case isFileContent(first.URL) && resp.StatusCode == http.StatusOK:
		n := len(body)
		ex.OmittedBytes = &n
	case utf8.Valid(body):
		if strings.Contains(first.URL.Path, "/compliance/") {
			body = withoutTexts(body)
		}
		s := rec.scrub.String(string(body))
		ex.Body = &s
	default:
		s := base64.StdEncoding.EncodeToString(body)
		ex.BodyBase64 = &s
	}
	key := requestKey(req)
	rec.mu.Lock()
	n := rec.count[key]
	rec.count[key] = n + 1
	rec.mu.Unlock()
	raw, _ := json.MarshalIndent(ex, "", "  ")
	if err := atomicfile.WriteFile(filepath.Join(rec.dir, fileName(key, n)), append(raw, '\n'), 0o600); err != nil {
		rec.mu.Lock()
		if rec.err == nil {
			rec.err = fmt.Errorf("record %s: %w", ex.URL, err)
		}
		rec.mu.Unlock()
	}
	return resp, nil
}

// unrecordedTexts are the Compliance API's free texts a recording leaves
// out, as it leaves out file contents: what GPTs, projects and agents are
// told (instructions) and their actions' OpenAPI definitions. They are
// where people paste credentials; a replay scans the placeholder and finds
// nothing.
var unrecordedTexts = map[string]bool{"instructions": true, "action_openapi_raw": true}

const unrecorded = "[not recorded]"

// withoutTexts is a JSON body with the string values of unrecordedTexts
// replaced by a placeholder, anywhere in it; a body that is not JSON, or
// holds none of them, is returned as it is.
func withoutTexts(body []byte) []byte {
	if !bytes.Contains(body, []byte(`"instructions"`)) && !bytes.Contains(body, []byte(`"action_openapi_raw"`)) {
		return body
	}
	d := json.NewDecoder(bytes.NewReader(body))
	d.UseNumber()
	var v any
	if d.Decode(&v) != nil {
		return body
	}
	var walk func(any)
	walk = func(v any) {
		switch x := v.(type) {
		case map[string]any:
			for k, e := range x {
				if _, ok := e.(string); ok && unrecordedTexts[k] {
					x[k] = unrecorded
					continue
				}
				walk(e)
			}
		case []any:
			for _, e := range x {
				walk(e)
			}
		}
	}
	walk(v)
	out, err := json.Marshal(v)
	if err != nil {
		return body
	}
	return out
}

// replayer is a transport that answers from a recording, never the network.
type replayer struct {
	dir   string
	mu    sync.Mutex
	count map[string]int
}

// ReplayMissError is a request the recording holds no answer for.
type ReplayMissError struct{ Request string }

func (e *ReplayMissError) Error() string {
	return fmt.Sprintf("the recording holds no answer to %s: it was recorded with other options (workspace, --dlp, --audit-log-days, policies) or by another version", e.Request)
}

func (rp *replayer) RoundTrip(req *http.Request) (*http.Response, error) {
	key := requestKey(req)
	rp.mu.Lock()
	n := rp.count[key]
	rp.count[key] = n + 1
	rp.mu.Unlock()
	// The n-th asking gets the n-th answer; once they are used up, the
	// last one again.
	var raw []byte
	var err error
	for ; n >= 0; n-- {
		if raw, err = os.ReadFile(filepath.Join(rp.dir, fileName(key, n))); err == nil || !errors.Is(err, os.ErrNotExist) {
			break
		}
	}
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, &ReplayMissError{Request: req.Method + " " + req.URL.RequestURI()}
		}
		return nil, err
	}
	var ex exchange
	if err := json.Unmarshal(raw, &ex); err != nil {
		return nil, fmt.Errorf("replay %s: %s: %w", req.URL.RequestURI(), fileName(key, n), err)
	}
	var body []byte
	switch {
	case ex.Body != nil:
		body = []byte(*ex.Body)
	case ex.BodyBase64 != nil:
		if body, err = base64.StdEncoding.DecodeString(*ex.BodyBase64); err != nil {
			return nil, fmt.Errorf("replay %s: %w", req.URL.RequestURI(), err)
		}
	case ex.OmittedBytes != nil:
		body = bytes.Repeat([]byte(" "), max(0, *ex.OmittedBytes))
	}
	h := http.Header{}
	for k, vs := range ex.Header {
		h[k] = vs
	}
	h.Del("Content-Length")
	return &http.Response{
		Status: fmt.Sprintf("%d %s", ex.Status, http.StatusText(ex.Status)), StatusCode: ex.Status,
		Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Header: h, Body: io.NopCloser(bytes.NewReader(body)), ContentLength: int64(len(body)), Request: req,
	}, nil
}

// readManifest reads what a recording was asked.
func readManifest(dir string) (manifest, error) {
	var m manifest
	raw, err := os.ReadFile(filepath.Join(dir, manifestName))
	if err != nil {
		return m, fmt.Errorf("replay: %w (is %s a directory written by collect --record?)", err, dir)
	}
	if err := json.Unmarshal(raw, &m); err != nil {
		return m, fmt.Errorf("replay: %s: %w", filepath.Join(dir, manifestName), err)
	}
	if m.Version != RecordingVersion {
		return m, fmt.Errorf("replay: %s: recording version %d, this version reads %d", filepath.Join(dir, manifestName), m.Version, RecordingVersion)
	}
	return m, nil
}

// fixedClock is a replay's clock: the recorded collection time, and
// waits that end at once (the recording answers without rate limits).
type fixedClock struct{ t time.Time }

func (c fixedClock) Now() time.Time { return c.t }

func (fixedClock) Sleep(ctx context.Context, _ time.Duration) error { return ctx.Err() }
