package collector

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"

	"github.com/openai-casb/openai-casb/inventory"
)

// DLPMark is what a rescan can reuse of the previous DLP collection: the
// result of every file fetched, by what its list said of it before the
// download, and the file references of every conversation log file read.
// Nothing of it is reused under another DLP configuration (Config).
type DLPMark struct {
	// Config fingerprints what decides a file's result: the workspace,
	// the tool's version, the detectors, the profiles, the size limit and
	// DLP.ConfigID.
	Config string `json:"config"`
	// Files are the results by the path each file was fetched from.
	Files map[string]FileMark `json:"files"`
	// LogFiles are the conversation log files read, by id.
	LogFiles map[string]LogMark `json:"log_files"`
}

// FileMark is the result of one file and what its list said of it.
type FileMark struct {
	// Listed is what the list naming the file gave before the download
	// (name, MIME type, created_at, size, checksum: whichever it gave).
	Listed     string                         `json:"listed"`
	Size       *int64                         `json:"size,omitempty"`
	MIMEType   *string                        `json:"mime_type,omitempty"`
	Status     string                         `json:"status"`
	Reason     *string                        `json:"reason,omitempty"`
	Detections map[string]inventory.Detection `json:"detections"`
}

// LogMark is one conversation log file that was read: what the list of
// log files said of it, how many events it held, and the files they name.
type LogMark struct {
	Listed   string    `json:"listed"`
	Events   int       `json:"events"`
	Bad      int       `json:"bad,omitempty"`
	FirstBad string    `json:"first_bad,omitempty"`
	Refs     []LogFile `json:"refs"`
}

// LogFile is a file named in a conversation log file: the path it is
// fetched from (empty when the event named no user, so that it cannot be
// fetched), what the event said of it, and its place in the inventory.
type LogFile struct {
	Path   string         `json:"path,omitempty"`
	Listed string         `json:"listed"`
	File   inventory.File `json:"file"`
}

// listed is a fingerprint of what a list said of a file: the present
// fields, named.
func listed(kv ...string) string {
	var b strings.Builder
	for i := 0; i+1 < len(kv); i += 2 {
		if kv[i+1] == "" {
			continue
		}
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		fmt.Fprintf(&b, "%s=%q", kv[i], kv[i+1])
	}
	return b.String()
}

func str(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

func num(p *int64) string {
	if p == nil {
		return ""
	}
	return fmt.Sprint(*p)
}

// dlpConfig fingerprints the DLP configuration of this collection.
func (c *collection) dlpConfig(o DLP) string {
	raw, _ := json.Marshal(map[string]any{
		"workspace": c.o.WorkspaceID, "tool": c.o.Tool, "detectors": o.Scanner.Detectors(),
		"profiles": o.Profiles, "max_file_bytes": o.MaxFileBytes, "config": o.ConfigID,
	})
	sum := sha256.Sum256(raw)
	return hex.EncodeToString(sum[:])
}

// reuse is what the scanner may take from the previous state and what it
// leaves for the next.
type reuse struct {
	prev *DLPMark // nil: nothing to reuse

	mu   sync.Mutex
	next DLPMark
	// reused counts the files and log files taken from prev, by source.
	reused map[string]int
}

func newReuse(c *collection, config string) *reuse {
	r := &reuse{next: DLPMark{Config: config, Files: map[string]FileMark{}, LogFiles: map[string]LogMark{}}, reused: map[string]int{}}
	p := c.o.Previous
	switch {
	case p == nil || p.DLP == nil:
	case c.o.OrganizationID != "" && p.OrganizationID != c.o.OrganizationID:
		c.notes.add("state-org-dlp", fmt.Sprintf("the state file is of organization %s, not %s: every file was fetched again", p.OrganizationID, c.o.OrganizationID))
	case p.DLP.Config != config:
		c.notes.add("state-dlp-config", "the state file's DLP results were obtained under another DLP configuration (detectors, profiles, size limit, workspace or version): every file was fetched and scanned again")
	default:
		r.prev = p.DLP
	}
	return r
}

// file is the earlier result of the file at path when its list says the
// same of it as then.
func (r *reuse) file(source, path, listedNow string) (FileMark, bool) {
	if r.prev == nil {
		return FileMark{}, false
	}
	m, ok := r.prev.Files[path]
	if !ok || m.Listed != listedNow {
		return FileMark{}, false
	}
	r.mu.Lock()
	r.reused[source]++
	r.mu.Unlock()
	return m, true
}

// logFile is the earlier reading of a log file the list still names with
// the same end time (and checksum and size, when given).
func (r *reuse) logFile(id, listedNow string) (LogMark, bool) {
	if r.prev == nil {
		return LogMark{}, false
	}
	m, ok := r.prev.LogFiles[id]
	if !ok || m.Listed != listedNow {
		return LogMark{}, false
	}
	r.mu.Lock()
	r.reused[inventory.SourceConversationLogs]++
	r.mu.Unlock()
	return m, true
}

func (r *reuse) keepFile(path string, m FileMark) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.next.Files[path] = m
}

func (r *reuse) keepLog(id string, m LogMark) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.next.LogFiles[id] = m
}

func (r *reuse) count(source string) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.reused[source]
}

func (m *LogMark) firstBad() error {
	if m.FirstBad == "" {
		return nil
	}
	return errors.New(m.FirstBad)
}
