package collector

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"
	"time"

	"github.com/openai-casb/openai-casb/internal/atomicfile"
	"github.com/openai-casb/openai-casb/inventory"
)

// StateVersion is the version of the state file this package writes.
const StateVersion = 1

// auditOverlap is how far before the previous high-water mark a rescan
// reads the audit log again, for events the API records late.
const auditOverlap = time.Hour

// State is what a rescan can reuse of the previous collection of the same
// organization: kept in a file between scheduled runs (`--state FILE`). It
// holds no secret, only ids, emails, times and, with DLP, what the
// inventory says of files (names, counts and redacted samples).
type State struct {
	Version        int    `json:"version"`
	OrganizationID string `json:"organization_id"`
	// CollectedAt is when the collection that wrote it ran.
	CollectedAt int64      `json:"collected_at"`
	AuditLog    *AuditMark `json:"audit_log,omitempty"`
	// DLP is absent from state files written before it existed, and when
	// files were not scanned: then every file is fetched.
	DLP *DLPMark `json:"dlp,omitempty"`
	// Settings is absent from state files written before it existed, and
	// when no project's settings were read: then every project's settings
	// are read (settings.go).
	Settings *SettingsMark `json:"settings,omitempty"`
}

// AuditMark is how far the audit log was read and what it said: each user's
// newest login in [From, Through].
type AuditMark struct {
	// From is the lower bound of the window that was read.
	From int64 `json:"from"`
	// Through is the high-water mark: every event up to it was read.
	Through int64 `json:"through"`
	// NewestByUser and NewestByEmail are each user's newest login.
	NewestByUser  map[string]int64 `json:"newest_by_user"`
	NewestByEmail map[string]int64 `json:"newest_by_email"`
}

// ReadState reads a state file. A missing file is (nil, nil); a file that
// cannot be used is an error saying why, after which a collection should
// be a full one.
func ReadState(path string) (*State, error) {
	raw, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read state %s: %w", path, err)
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	var s State
	if err := dec.Decode(&s); err != nil {
		return nil, fmt.Errorf("read state %s: not a state file of this version: %w", path, err)
	}
	if s.Version != StateVersion {
		return nil, fmt.Errorf("read state %s: version %d, this openai-casb reads version %d", path, s.Version, StateVersion)
	}
	if s.OrganizationID == "" {
		return nil, fmt.Errorf("read state %s: it names no organization", path)
	}
	if a := s.AuditLog; a != nil && (a.Through < a.From || a.NewestByUser == nil || a.NewestByEmail == nil) {
		return nil, fmt.Errorf("read state %s: its audit log mark is inconsistent", path)
	}
	if d := s.DLP; d != nil && (d.Config == "" || d.Files == nil || d.LogFiles == nil) {
		return nil, fmt.Errorf("read state %s: its DLP results are inconsistent", path)
	}
	if m := s.Settings; m != nil && m.Projects == nil {
		return nil, fmt.Errorf("read state %s: its projects' settings are inconsistent", path)
	}
	return &s, nil
}

// WriteState writes a state file atomically, mode 0600.
func WriteState(path string, s *State) error {
	raw, err := json.Marshal(s)
	if err != nil {
		return fmt.Errorf("write state: %w", err)
	}
	if err := atomicfile.WriteFile(path, append(raw, '\n'), 0o600); err != nil {
		return fmt.Errorf("write state: %w", err)
	}
	return nil
}

// usableMark is the previous audit log mark when a rescan may start from it:
// the same organization (when known yet), a window that covered at least
// this one's start, and a high-water mark inside this window.
func (c *collection) usableMark(org string, lo int64) *AuditMark {
	p := c.o.Previous
	if p == nil || p.AuditLog == nil || p.Version != StateVersion {
		return nil
	}
	if org != "" && p.OrganizationID != org {
		return nil
	}
	m := p.AuditLog
	if m.From > lo || m.Through < lo || m.Through > c.now.Unix() {
		return nil
	}
	return m
}

// newState is the state this collection leaves for the next one: the audit
// log mark when it was read completely, less the users no longer in the
// organization.
func (c *collection) newState(inv *inventory.Inventory) *State {
	s := &State{Version: StateVersion, OrganizationID: inv.Organization.ID, CollectedAt: c.now.Unix()}
	if m := c.mark; m != nil && inv.Sources[inventory.SourceUsers].Status == inventory.StatusComplete {
		ids, emails := map[string]bool{}, map[string]bool{}
		for _, u := range inv.Users {
			ids[u.ID] = true
			if u.Email != nil {
				emails[strings.ToLower(*u.Email)] = true
			}
		}
		keep := &AuditMark{From: m.From, Through: m.Through, NewestByUser: map[string]int64{}, NewestByEmail: map[string]int64{}}
		for id, at := range m.NewestByUser {
			if ids[id] {
				keep.NewestByUser[id] = at
			}
		}
		for e, at := range m.NewestByEmail {
			if emails[e] {
				keep.NewestByEmail[e] = at
			}
		}
		s.AuditLog = keep
	}
	if r := c.dlpReuse; r != nil {
		r.mu.Lock()
		s.DLP = &DLPMark{Config: r.next.Config, Files: r.next.Files, LogFiles: r.next.LogFiles}
		r.mu.Unlock()
	}
	if c.settings != nil {
		s.Settings = c.settings.mark()
	}
	return s
}
