package collector

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"runtime"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/samber/lo"
	"golang.org/x/sync/errgroup"

	"github.com/openai-casb/openai-casb/inventory"
)

// DLP turns on the scan of files for sensitive data: GPT knowledge files,
// ChatGPT project files and files attached in conversations are fetched
// through the Compliance API and handed to the Scanner, once each; the
// inventory records per file what was found (counts and redacted samples),
// never the content.
type DLP struct {
	// Scanner extracts each file's text and runs the detectors over it.
	Scanner FileScanner
	// MaxFileBytes is the largest file fetched; larger ones are recorded
	// as too_large without being read. 20 MiB when zero.
	MaxFileBytes int64
	// Profiles are the DLP profiles enabled for this collection, recorded
	// in the inventory for the policies.
	Profiles []string
	// ConversationDays is how far back conversation logs are read; 30
	// (what the Compliance API keeps) when zero.
	ConversationDays int
	// ScanWorkers bounds the files extracted and scanned at once; one per
	// CPU when zero.
	ScanWorkers int
	// ConfigID names whatever else decides what the scanner finds (custom
	// detectors' patterns, say): results kept in a state file are reused
	// only under the same ConfigID, detectors, profiles and MaxFileBytes.
	ConfigID string
}

// FileScanner scans the content of one file: the collector fetches files,
// the scanner (package dlp, in the CLI) knows their formats and the
// detectors.
type FileScanner interface {
	// Detectors names every detector ScanFile runs.
	Detectors() []string
	// ScanFile returns the file's scan status (inventory.FileScanned,
	// FileUnsupported or FileError), the reason for any other status than
	// scanned, and per detector that matched, its count and redacted
	// sample.
	ScanFile(ctx context.Context, name, mimeType string, content []byte) (status, reason string, found map[string]inventory.Detection)
}

// DefaultMaxFileBytes is the file size limit when DLP.MaxFileBytes is zero.
const DefaultMaxFileBytes = 20 << 20

// Compliance API routes of the DLP collection, as the pacer counts them.
const (
	routeGPTFile         = "GET /compliance/workspaces/{workspace_id}/gpt_files/{file_id}"
	routeProjects        = "GET /compliance/workspaces/{workspace_id}/projects"
	routeProjectFile     = "GET /compliance/workspaces/{workspace_id}/project_files/{file_id}"
	routeLogs            = "GET /compliance/workspaces/{workspace_id}/logs"
	routeLogFile         = "GET /compliance/workspaces/{workspace_id}/logs/{log_file_id}"
	routeUserFile        = "GET /compliance/workspaces/{workspace_id}/users/{user_id}/files/{file_id}"
	conversationEvent    = "CONVERSATION_MESSAGE"
	maxLogFileBytes      = 256 << 20
	defaultLogRetention  = 30
	dlpSkippedNoWorkpace = "CHATGPT_WORKSPACE_ID is not set: files in GPTs, ChatGPT projects and conversations were not scanned"
)

// fileSources are the sources of the DLP collection, in inventory order.
var fileSources = []string{inventory.SourceGPTFiles, inventory.SourceChatGPTProjects, inventory.SourceProjectFiles,
	inventory.SourceConversationLogs, inventory.SourceConversationFiles}

// fileResult is how the files of one source went.
type fileResult struct {
	attempted, failed int
	firstErr          error
	upstream          string // the list that names the files, for reasons
}

// scanner fetches and scans files, and keeps what it finds.
type scanner struct {
	c    *collection
	o    DLP
	sem  chan struct{} // extraction and scanning, CPU-bound
	g    errgroup.Group
	mu   sync.Mutex
	seen map[string]bool
	// reuse holds the previous state's results and collects this
	// collection's, for the next.
	reuse *reuse
}

func (c *collection) newScanner() *scanner {
	o := *c.o.DLP
	if o.ConversationDays <= 0 {
		o.ConversationDays = defaultLogRetention
	}
	if o.ScanWorkers <= 0 {
		o.ScanWorkers = runtime.GOMAXPROCS(0)
	}
	if o.MaxFileBytes <= 0 {
		o.MaxFileBytes = DefaultMaxFileBytes
	}
	s := &scanner{c: c, o: o, sem: make(chan struct{}, o.ScanWorkers), seen: map[string]bool{}}
	s.reuse = newReuse(c, c.dlpConfig(o))
	c.dlpReuse = s.reuse
	// Fetches of files wait for a request slot like every other request;
	// the goroutines waiting are bounded too, so that a workspace of a
	// hundred thousand files does not park as many goroutines.
	s.g.SetLimit(4 * c.o.Concurrency)
	c.fileResults = map[string]*fileResult{
		inventory.SourceGPTFiles:          {upstream: inventory.SourceGPTs},
		inventory.SourceProjectFiles:      {upstream: inventory.SourceChatGPTProjects},
		inventory.SourceConversationFiles: {upstream: inventory.SourceConversationLogs},
	}
	return s
}

// fileRef is a file named by a list: where it lives and how to fetch it,
// and what the list said of it before the download (see listed).
type fileRef struct {
	source, route, path string
	listed              string
	file                inventory.File
}

// first reports whether a file is named for the first time in its place:
// the same file attached twice in a conversation is fetched once.
func (s *scanner) first(f inventory.File) bool {
	key := f.Location + "\x00" + f.Container.ID + "\x00" + f.ID
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.seen[key] {
		return false
	}
	s.seen[key] = true
	return true
}

// queue fetches and scans one file in the background, once per location,
// container and file id.
func (s *scanner) queue(ctx context.Context, ref fileRef) {
	if !s.first(ref.file) {
		return
	}
	s.g.Go(func() error {
		s.scan(ctx, ref)
		return nil
	})
}

func (s *scanner) wait() { _ = s.g.Wait() }

// scan fetches one file and records it: scanned with its detections, too
// large, of an unsupported type, or an error with the reason. A file that
// cannot be fetched is recorded too, and counts against its source.
func (s *scanner) scan(ctx context.Context, ref fileRef) {
	c := s.c
	f := ref.file
	f.Detections = map[string]inventory.Detection{}
	var fetchErr error
	if m, ok := s.reuse.file(ref.source, ref.path, ref.listed); ok {
		// Unchanged since the state was written, under the same DLP
		// configuration: the earlier result, not a download.
		f.Size, f.MIMEType, f.Status, f.Reason, f.Reused = m.Size, m.MIMEType, m.Status, m.Reason, true
		for d, det := range m.Detections {
			f.Detections[d] = det
		}
		s.reuse.keepFile(ref.path, m)
		s.done(ref, f, nil)
		return
	}
	d, err := c.comp.fetch(ctx, priorityFanOut, ref.route, ref.path, nil, s.o.MaxFileBytes, false)
	switch {
	case ctx.Err() != nil:
		return
	case err != nil:
		fetchErr = listError(err, c.comp.keyFrom)
		f.Status, f.Reason = inventory.FileError, lo.ToPtr("could not be fetched: "+fetchErr.Error())
	case d.tooLarge:
		f.Status = inventory.FileTooLarge
		if d.size > 0 {
			f.Size = lo.ToPtr(d.size)
			f.Reason = lo.ToPtr(fmt.Sprintf("%d bytes, more than the limit of %d bytes: not read", d.size, s.o.MaxFileBytes))
		} else {
			f.Reason = lo.ToPtr(fmt.Sprintf("more than the limit of %d bytes: not read", s.o.MaxFileBytes))
		}
	default:
		f.Size = lo.ToPtr(d.size)
		if f.MIMEType == nil && d.contentType != "" {
			mt := strings.TrimSpace(strings.Split(d.contentType, ";")[0])
			f.MIMEType = &mt
		}
		s.extractAndScan(ctx, &f, d.body)
	}
	if ctx.Err() != nil {
		return
	}
	if fetchErr == nil {
		s.reuse.keepFile(ref.path, FileMark{Listed: ref.listed, Size: f.Size, MIMEType: f.MIMEType, Status: f.Status, Reason: f.Reason, Detections: f.Detections})
	}
	s.done(ref, f, fetchErr)
}

// done records a file of ref's source.
func (s *scanner) done(ref fileRef, f inventory.File, fetchErr error) {
	c := s.c
	counter := c.counter(ref.source)
	c.mu.Lock()
	defer c.mu.Unlock()
	c.files = append(c.files, f)
	if r := c.fileResults[ref.source]; r != nil {
		r.attempted++
		if fetchErr != nil {
			r.failed++
			if r.firstErr == nil {
				r.firstErr = fetchErr
			}
		}
	}
	c.o.Progress(ref.source, int(counter.Add(1)))
}

// extractAndScan runs under the scan semaphore: it is the CPU-bound part.
func (s *scanner) extractAndScan(ctx context.Context, f *inventory.File, content []byte) {
	select {
	case s.sem <- struct{}{}:
	case <-ctx.Done():
		return
	}
	defer func() { <-s.sem }()
	name, mt := "", ""
	if f.Name != nil {
		name = *f.Name
	}
	if f.MIMEType != nil {
		mt = *f.MIMEType
	}
	status, reason, found := s.o.Scanner.ScanFile(ctx, name, mt, content)
	f.Status = status
	if status != inventory.FileScanned {
		f.Reason = &reason
	}
	for d, det := range found {
		f.Detections[d] = det
	}
}

// gptFiles queues the knowledge files of one GPT's live configuration.
func (s *scanner) gptFiles(ctx context.Context, ws string, g inventory.GPT) {
	for _, gf := range g.Files {
		s.queue(ctx, fileRef{
			source: inventory.SourceGPTFiles, route: routeGPTFile,
			path: ws + "/gpt_files/" + url.PathEscape(gf.ID),
			// A knowledge file is listed with its id, name and created_at
			// at most: no size or checksum is public. A replaced file is a
			// new upload with a new id or created_at.
			listed: listed("name", str(gf.Name), "created_at", num(gf.CreatedAt)),
			file: inventory.File{
				ID: gf.ID, Name: gf.Name, Location: inventory.LocationGPT,
				Container: inventory.FileContainer{ID: g.ID, Name: g.Name},
				Owner:     owner(g.OwnerID, g.OwnerEmail),
			},
		})
	}
}

func owner(id, email *string) *inventory.FileOwner {
	if id == nil && email == nil {
		return nil
	}
	return &inventory.FileOwner{ID: id, Email: email}
}

// conversations reads the conversation-message logs of the last
// ConversationDays days, and queues every file attached in them.
func (s *scanner) conversations(ctx context.Context, ws string) {
	c := s.c
	r := &result{}
	c.mu.Lock()
	c.results[inventory.SourceConversationLogs] = r
	c.mu.Unlock()
	after := c.now.Add(-time.Duration(s.o.ConversationDays) * 24 * time.Hour).UTC().Format(time.RFC3339)
	err := c.logFiles(ctx, ws, after, &r.stats, func(e logEntry) error {
		if m, ok := s.reuse.logFile(e.ID, e.listed()); ok {
			// Read by the previous collection and listed the same: its
			// events are counted and its files named as then.
			r.stats.items += m.Events
			r.bad += m.Bad
			if r.firstBad == nil {
				r.firstBad = m.firstBad()
			}
			s.reuse.keepLog(e.ID, m)
			s.queueLogged(ctx, m.Refs)
			c.o.Progress(inventory.SourceConversationLogs, r.stats.items)
			return nil
		}
		d, err := c.comp.fetch(ctx, priorityChain, routeLogFile, ws+"/logs/"+url.PathEscape(e.ID), nil, maxLogFileBytes, false)
		if err != nil {
			return err
		}
		if d.tooLarge {
			// Counted as one unusable item; the other log files are read.
			bad := fmt.Errorf("log file %s is larger than %d bytes and was not read", e.ID, maxLogFileBytes)
			r.stats.items++
			r.bad++
			if r.firstBad == nil {
				r.firstBad = bad
			}
			s.reuse.keepLog(e.ID, LogMark{Listed: e.listed(), Events: 1, Bad: 1, FirstBad: bad.Error(), Refs: []LogFile{}})
			return nil
		}
		r.stats.pages++
		good, bad, firstBad, refs := s.events(ws, d.body)
		r.stats.items += good + bad
		c.o.Progress(inventory.SourceConversationLogs, r.stats.items)
		r.bad += bad
		if r.firstBad == nil {
			r.firstBad = firstBad
		}
		m := LogMark{Listed: e.listed(), Events: good + bad, Bad: bad, Refs: refs}
		if firstBad != nil {
			m.FirstBad = firstBad.Error()
		}
		s.reuse.keepLog(e.ID, m)
		s.queueLogged(ctx, refs)
		return nil
	})
	if n := s.reuse.count(inventory.SourceConversationLogs); n > 0 {
		r.note = fmt.Sprintf("incremental: %d log file(s) read by the previous collection and listed the same were not fetched again; their events and files from the state file", n)
	}
	r.err = listError(err, c.comp.keyFrom)
}

// logEntry is a log file as the list of log files names it. The evidence
// gives {id, event_type, end_time, file_name, file_size, file_sha256}; no
// public source confirms file_size and file_sha256 are always there, so
// each is read when present (any scalar, as text).
type logEntry struct {
	ID      string     `json:"id"`
	EndTime flexString `json:"end_time"`
	Size    flexString `json:"file_size"`
	SHA256  flexString `json:"file_sha256"`
}

// listed is what the list says of the log file: a log file listed with
// the same end time, size and checksum holds what it held.
func (e logEntry) listed() string {
	return listed("end_time", str(e.EndTime.v), "file_size", str(e.Size.v), "file_sha256", str(e.SHA256.v))
}

// logFiles pages through the list of log files: limit=100, then
// after=<last_end_time of the page> while has_more.
func (c *collection) logFiles(ctx context.Context, ws, after string, st *listStats, each func(logEntry) error) error {
	q := url.Values{}
	q.Set("event_type", conversationEvent)
	q.Set("limit", fmt.Sprint(pageLimit))
	q.Set("after", after)
	seen := map[string]bool{after: true}
	for page := 1; ; page++ {
		if page > c.o.MaxPages {
			return &PageLimitError{API: complianceAPIName, Path: ws + "/logs", Pages: c.o.MaxPages}
		}
		body, err := c.comp.get(ctx, priorityChain, routeLogs, ws+"/logs", q)
		if err != nil {
			return err
		}
		var p struct {
			Data        []logEntry `json:"data"`
			HasMore     bool       `json:"has_more"`
			LastEndTime *string    `json:"last_end_time"`
			LastID      *string    `json:"last_id"`
		}
		if err := json.Unmarshal(body, &p); err != nil {
			return fmt.Errorf("%s %s/logs: read page %d: %w", complianceAPIName, ws, page, err)
		}
		st.pages++
		for _, f := range p.Data {
			if f.ID == "" {
				continue
			}
			if err := each(f); err != nil {
				return err
			}
		}
		if !p.HasMore {
			return nil
		}
		next := ""
		if p.LastEndTime != nil {
			next = *p.LastEndTime
		} else if p.LastID != nil {
			next = *p.LastID
		}
		if next == "" || seen[next] {
			return fmt.Errorf("%s %s/logs: the server says there are more log files after page %d but its cursor did not advance (after=%q)", complianceAPIName, ws, page, next)
		}
		seen[next] = true
		q.Set("after", next)
	}
}

// events reads one JSONL log file and returns the files attached in its
// conversation messages. Lines that cannot be read are counted, not fatal.
func (s *scanner) events(ws string, body []byte) (good, bad int, firstBad error, refs []LogFile) {
	refs = []LogFile{}
	sc := bufio.NewScanner(bytes.NewReader(body))
	sc.Buffer(nil, len(body)+1)
	line := 0
	for sc.Scan() {
		line++
		raw := bytes.TrimSpace(sc.Bytes())
		if len(raw) == 0 {
			continue
		}
		ev, err := normalizeConversationEvent(raw)
		if err != nil {
			bad++
			if firstBad == nil {
				firstBad = fmt.Errorf("log line %d: %w", line, err)
			}
			continue
		}
		good++
		for _, f := range ev.files {
			ref := LogFile{Listed: f.listed(), File: inventory.File{
				ID: f.ID, Name: f.Name, MIMEType: f.MIMEType, Location: inventory.LocationConversation,
				Container: inventory.FileContainer{ID: ev.conversationID, Name: ev.conversationTitle},
				Owner:     owner(ev.userID, ev.userEmail),
			}}
			if ev.userID != nil {
				ref.Path = ws + "/users/" + url.PathEscape(*ev.userID) + "/files/" + url.PathEscape(f.ID)
			}
			refs = append(refs, ref)
		}
	}
	if err := sc.Err(); err != nil {
		bad++
		if firstBad == nil {
			firstBad = err
		}
	}
	return good, bad, firstBad, refs
}

// queueLogged queues the files a log file names, in its order.
func (s *scanner) queueLogged(ctx context.Context, refs []LogFile) {
	for _, ref := range refs {
		file := ref.File
		if ref.Path == "" {
			// The file route is per user: without one it cannot be
			// fetched, which the inventory says.
			file.Status, file.Reason = inventory.FileError, lo.ToPtr("the log event names no user, so the file cannot be fetched")
			file.Detections = map[string]inventory.Detection{}
			s.record(inventory.SourceConversationFiles, file, errors.New("a log event without a user"))
			continue
		}
		s.queue(ctx, fileRef{source: inventory.SourceConversationFiles, route: routeUserFile, path: ref.Path, listed: ref.Listed, file: file})
	}
}

// record keeps a file that was never fetched.
func (s *scanner) record(source string, f inventory.File, err error) {
	if !s.first(f) {
		return
	}
	c := s.c
	c.mu.Lock()
	defer c.mu.Unlock()
	c.files = append(c.files, f)
	r := c.fileResults[source]
	r.attempted++
	r.failed++
	if r.firstErr == nil {
		r.firstErr = err
	}
}

// fileSourcesOf fills the DLP sources of the inventory.
func (c *collection) fileSourcesOf(inv *inventory.Inventory) {
	if c.o.DLP == nil {
		return
	}
	if c.o.WorkspaceID == "" {
		for _, name := range fileSources {
			inv.Sources[name] = inventory.Source{Status: inventory.StatusSkipped, Reason: lo.ToPtr(dlpSkippedNoWorkpace)}
		}
		return
	}
	for _, name := range []string{inventory.SourceConversationLogs} {
		if r, ok := c.results[name]; ok {
			inv.Sources[name] = r.source()
		}
	}
	for name, r := range c.fileResults {
		src := r.source(inv.Sources[r.upstream], r.upstream)
		if n := c.dlpReuse.count(name); n > 0 {
			note := fmt.Sprintf("incremental: %d file(s) listed as in the state file were not downloaded again; their earlier results are reused (reused: true)", n)
			if src.Reason != nil {
				note += "; " + *src.Reason
			}
			src.Reason = &note
		}
		inv.Sources[name] = src
	}
}

// source is the sources entry of files: complete when every file named was
// fetched (whatever its scan status) and the list naming them was read to
// its end.
func (r *fileResult) source(upstream inventory.Source, upstreamName string) inventory.Source {
	s := inventory.Source{Status: inventory.StatusComplete, Items: r.attempted - r.failed, Pages: r.attempted}
	var reasons []string
	if upstream.Status != inventory.StatusComplete {
		why := "the " + upstreamName + " list that names the files was not read completely"
		if upstream.Reason != nil {
			why += ": " + *upstream.Reason
		}
		reasons = append(reasons, why)
	}
	if r.failed > 0 {
		reasons = append(reasons, fmt.Sprintf("%d of %d files could not be fetched, e.g. %v", r.failed, r.attempted, r.firstErr))
	}
	if len(reasons) > 0 {
		s.Reason = lo.ToPtr(strings.Join(reasons, "; "))
		s.Status = inventory.StatusPartial
		if s.Items == 0 && (r.failed > 0 || upstream.Status == inventory.StatusFailed) {
			s.Status = inventory.StatusFailed
		}
	}
	return s
}

// sortFiles orders files by place, container and id, so that a collection
// writes the same document whatever order the downloads finished in.
func sortFiles(fs []inventory.File) {
	sort.Slice(fs, func(i, j int) bool {
		a, b := fs[i], fs[j]
		if a.Location != b.Location {
			return a.Location < b.Location
		}
		if a.Container.ID != b.Container.ID {
			return a.Container.ID < b.Container.ID
		}
		return a.ID < b.ID
	})
}
