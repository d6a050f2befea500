package inventory

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"

	"github.com/openai-casb/openai-casb/internal/atomicfile"
	"github.com/openai-casb/openai-casb/internal/jsonstream"
)

// Marshal renders inv as the document the schema describes, in Write's
// format.
func Marshal(inv *Inventory) ([]byte, error) {
	var buf bytes.Buffer
	if err := Write(&buf, inv); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// Write streams inv to w one resource at a time, so a million-user
// inventory never exists as one buffer in memory. The format puts every
// resource, down to each project's keys, compact on a line of its own:
// SARIF locations point at that line, `git diff` of two inventories shows
// the resources that changed, grep finds one, and the file is less than
// half the size of an indented one. Empty lists are [], never null.
func Write(w io.Writer, inv *Inventory) error {
	c := *inv
	c.normalize()
	e := &lineEncoder{w: bufio.NewWriterSize(w, 1<<16)}
	e.enc = json.NewEncoder(&e.scratch)
	e.enc.SetEscapeHTML(false)

	e.raw("{")
	e.member("schema_version", c.SchemaVersion)
	e.member("collected_at", c.CollectedAt)
	e.member("tool", c.Tool)
	e.member("organization", c.Organization)
	e.member("workspace", c.Workspace)
	e.member("sources", c.Sources)
	// Written even when null, before the arrays: a reader then knows the
	// whole header before the first resource.
	e.member("dlp", c.DLP)
	lines(e, "  ", "admin_api_keys", c.AdminAPIKeys, e.value)
	lines(e, "  ", "projects", c.Projects, e.project)
	lines(e, "  ", "users", c.Users, e.value)
	lines(e, "  ", "invites", c.Invites, e.value)
	lines(e, "  ", "gpts", c.GPTs, e.value)
	if c.WorkspaceUsers != nil {
		lines(e, "  ", "workspace_users", c.WorkspaceUsers, e.value)
	}
	// The estate's lists are written only when they were collected.
	if c.ChatGPTProjects != nil {
		lines(e, "  ", "chatgpt_projects", c.ChatGPTProjects, e.value)
	}
	if c.Certificates != nil {
		lines(e, "  ", "certificates", c.Certificates, e.value)
	}
	if c.Roles != nil {
		lines(e, "  ", "roles", c.Roles, e.value)
	}
	if c.Groups != nil {
		lines(e, "  ", "groups", c.Groups, e.value)
	}
	if c.Agents != nil {
		lines(e, "  ", "agents", c.Agents, e.value)
	}
	if c.Plugins != nil {
		lines(e, "  ", "plugins", c.Plugins, e.value)
	}
	if c.Files != nil {
		lines(e, "  ", "files", c.Files, e.value)
	}
	e.raw("\n}\n")
	if e.err != nil {
		return fmt.Errorf("encode inventory: %w", e.err)
	}
	if err := e.w.Flush(); err != nil {
		return fmt.Errorf("write inventory: %w", err)
	}
	return nil
}

// lineEncoder writes the document piece by piece. The first error sticks;
// later writes do nothing.
type lineEncoder struct {
	w       *bufio.Writer
	scratch bytes.Buffer
	enc     *json.Encoder
	err     error
}

func (e *lineEncoder) raw(s string) {
	if e.err == nil {
		_, e.err = e.w.WriteString(s)
	}
}

// value writes v as compact JSON, without the encoder's newline.
func (e *lineEncoder) value(v any) {
	if e.err != nil {
		return
	}
	e.scratch.Reset()
	if e.err = e.enc.Encode(v); e.err != nil {
		return
	}
	_, e.err = e.w.Write(bytes.TrimSuffix(e.scratch.Bytes(), []byte("\n")))
}

// member writes a top-level member on a line of its own. schema_version is
// always the first, so every other member is preceded by a comma.
func (e *lineEncoder) member(k string, v any) {
	if k != "schema_version" {
		e.raw(",")
	}
	e.raw("\n  \"" + k + "\": ")
	e.value(v)
}

// lines writes a member whose value is an array, one element per line, the
// elements written by each.
func lines[T any](e *lineEncoder, indent, k string, items []T, each func(any)) {
	if k != "" {
		e.raw(",")
	}
	e.raw("\n" + indent + "\"" + k + "\": ")
	if len(items) == 0 {
		e.raw("[]")
		return
	}
	e.raw("[")
	for i := range items {
		if i > 0 {
			e.raw(",")
		}
		e.raw("\n" + indent + "  ")
		each(&items[i])
	}
	e.raw("\n" + indent + "]")
}

// projectHead is a Project without its lists, which go on lines of their own.
type projectHead struct {
	ID                    string                          `json:"id"`
	Name                  *string                         `json:"name"`
	Status                string                          `json:"status"`
	StatusRaw             *string                         `json:"status_raw"`
	CreatedAt             *int64                          `json:"created_at"`
	ArchivedAt            *int64                          `json:"archived_at,omitempty"`
	Residency             *string                         `json:"residency,omitempty"`
	DataRetention         *DataRetention                  `json:"data_retention,omitempty"`
	ModelPermissions      *ModelPermissions               `json:"model_permissions,omitempty"`
	HostedToolPermissions map[string]HostedToolPermission `json:"hosted_tool_permissions,omitempty"`
	SpendLimit            *SpendLimit                     `json:"spend_limit,omitempty"`
	SpendAlerts           []SpendAlert                    `json:"spend_alerts,omitempty"`
	Certificates          []Certificate                   `json:"certificates,omitempty"`
	SettingsReused        map[string]int64                `json:"settings_reused,omitempty"`
	Extra                 Extra                           `json:"extra,omitempty"`
}

// project writes a project's own fields on its line, then each of its keys,
// service accounts and members on a line of their own.
func (e *lineEncoder) project(v any) {
	p := v.(*Project)
	if e.err != nil {
		return
	}
	e.scratch.Reset()
	if e.err = e.enc.Encode(projectHead{p.ID, p.Name, p.Status, p.StatusRaw, p.CreatedAt, p.ArchivedAt,
		p.Residency, p.DataRetention, p.ModelPermissions, p.HostedToolPermissions, p.SpendLimit, p.SpendAlerts, p.Certificates, p.SettingsReused, p.Extra}); e.err != nil {
		return
	}
	head := bytes.TrimSuffix(e.scratch.Bytes(), []byte("}\n"))
	if _, e.err = e.w.Write(head); e.err != nil {
		return
	}
	lines(e, "      ", "api_keys", p.APIKeys, e.value)
	lines(e, "      ", "service_accounts", p.ServiceAccounts, e.value)
	lines(e, "      ", "users", p.Users, e.value)
	e.raw("}")
}

// normalize replaces nil slices the schema requires with empty ones. It
// copies before writing so the caller's value is left as it was.
func (inv *Inventory) normalize() {
	if inv.Sources == nil {
		inv.Sources = map[string]Source{}
	}
	inv.AdminAPIKeys = orEmpty(inv.AdminAPIKeys)
	inv.Invites = orEmpty(inv.Invites)
	if needsCopy(inv.Invites, func(i Invite) bool { return i.Projects == nil }) {
		is := make([]Invite, len(inv.Invites))
		for i, v := range inv.Invites {
			v.Projects = orEmpty(v.Projects)
			is[i] = v
		}
		inv.Invites = is
	}
	inv.Projects = orEmpty(inv.Projects)
	if needsCopy(inv.Projects, func(p Project) bool { return p.APIKeys == nil || p.ServiceAccounts == nil || p.Users == nil }) {
		ps := make([]Project, len(inv.Projects))
		for i, p := range inv.Projects {
			p.APIKeys, p.ServiceAccounts, p.Users = orEmpty(p.APIKeys), orEmpty(p.ServiceAccounts), orEmpty(p.Users)
			ps[i] = p
		}
		inv.Projects = ps
	}
	inv.Users = orEmpty(inv.Users)
	if needsCopy(inv.Users, func(u User) bool { return u.ActivitySignals.Unavailable == nil }) {
		us := make([]User, len(inv.Users))
		for i, u := range inv.Users {
			u.ActivitySignals.Unavailable = orEmpty(u.ActivitySignals.Unavailable)
			us[i] = u
		}
		inv.Users = us
	}
	inv.GPTs = orEmpty(inv.GPTs)
	if needsCopy(inv.GPTs, func(g GPT) bool { return g.Tools == nil || g.Files == nil }) {
		gs := make([]GPT, len(inv.GPTs))
		for i, g := range inv.GPTs {
			g.Tools, g.Files = orEmpty(g.Tools), orEmpty(g.Files)
			gs[i] = g
		}
		inv.GPTs = gs
	}
}

func orEmpty[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

func needsCopy[T any](s []T, nilInside func(T) bool) bool {
	for _, e := range s {
		if nilInside(e) {
			return true
		}
	}
	return false
}

// Save writes inv to path and makes sure it is valid, atomically: the
// document streams into a temporary file in the same directory, mode 0600
// (an inventory maps an organization's attack surface), which is then read
// back through the validating decoder and only renamed over path when it
// passes. A reader never sees half a file or an invalid one, a failed save
// leaves the old file in place, and a million-user inventory is never held
// in memory as one buffer. A character device or a FIFO (/dev/null,
// /dev/stdout, a named pipe) is written in place, unvalidated, as Write
// does; other kinds of file are refused (see internal/atomicfile).
func Save(path string, inv *Inventory) error {
	return SaveContext(context.Background(), path, inv)
}

// SaveContext is Save, stopped when ctx is done: the file at path is then
// left as it was.
func SaveContext(ctx context.Context, path string, inv *Inventory) error {
	f, err := atomicfile.Create(path, 0o600)
	if err != nil {
		return err
	}
	defer f.Abort()
	if err := Write(ctxWriter{ctx, f}, inv); err != nil {
		return err
	}
	if f.InPlace() {
		return f.Commit()
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	sch, err := Schema()
	if err != nil {
		return err
	}
	if err := jsonstream.Validate(ctx, f, path, sch); err != nil {
		return fmt.Errorf("refuse to write an invalid inventory: %w", err)
	}
	return f.Commit()
}

// ctxWriter fails every write once its context is done.
type ctxWriter struct {
	ctx context.Context
	w   io.Writer
}

func (c ctxWriter) Write(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.w.Write(p)
}
