package collector

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
)

// wrapped is a list as the Compliance API writes it in one place or
// another: a bare array, or an object whose data holds the array. null is
// an empty list.
type wrapped[T any] struct{ Data []T }

func (w *wrapped[T]) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	switch {
	case len(b) == 0 || string(b) == "null":
		return nil
	case b[0] == '[':
		return json.Unmarshal(b, &w.Data)
	case b[0] == '{':
		var env struct {
			Data []T `json:"data"`
		}
		if err := json.Unmarshal(b, &env); err != nil {
			return err
		}
		w.Data = env.Data
		return nil
	}
	return fmt.Errorf("got %s, want a list or an object with data", kindOfJSON(b))
}

func kindOfJSON(b []byte) string {
	switch {
	case len(b) == 0:
		return "nothing"
	case b[0] == '"':
		return "a string"
	case b[0] == 't' || b[0] == 'f':
		return "a boolean"
	case b[0] == 'n':
		return "null"
	case b[0] == '[':
		return "a list"
	}
	return "a number"
}

// apiFile is a file as lists name it: in a project's configuration, a
// GPT's, or a conversation message. Names and types vary between routes
// and clients; each alias seen is read.
type apiFile struct {
	ID       string     `json:"id"`
	FileID   string     `json:"file_id"`
	Name     *string    `json:"name"`
	Filename *string    `json:"filename"`
	FileName *string    `json:"file_name"`
	MIMEType flexString `json:"mime_type"`
	Content  flexString `json:"content_type"`
	// What a rescan compares before it downloads the file again. No public
	// source gives a file entry's size or checksum: the simulator's
	// conversation events carry size, project files created_at; each is
	// read when present, as text, and never fails the entry.
	CreatedAt flexString `json:"created_at"`
	Size      flexString `json:"size"`
	Bytes     flexString `json:"bytes"`
	SHA256    flexString `json:"sha256"`
}

type fileMeta struct {
	ID       string
	Name     *string
	MIMEType *string
	// fingerprint is what the entry said of the file beyond its id.
	createdAt, size, sha256 *string
}

// listed is what the entry said of the file, for a rescan to compare.
func (m fileMeta) listed() string {
	return listed("name", str(m.Name), "mime_type", str(m.MIMEType), "created_at", str(m.createdAt), "size", str(m.size), "sha256", str(m.sha256))
}

func (f apiFile) meta() (fileMeta, bool) {
	m := fileMeta{ID: f.ID, Name: f.Name, MIMEType: f.MIMEType.v, createdAt: f.CreatedAt.v, size: f.Size.v, sha256: f.SHA256.v}
	if m.size == nil {
		m.size = f.Bytes.v
	}
	if m.ID == "" {
		m.ID = f.FileID
	}
	for _, n := range []*string{f.Filename, f.FileName} {
		if m.Name == nil {
			m.Name = n
		}
	}
	if m.MIMEType == nil {
		m.MIMEType = f.Content.v
	}
	return m, m.ID != ""
}

// conversationMessage is what DLP needs of a conversation-message event of
// the Compliance logs.
type conversationMessage struct {
	conversationID    string
	conversationTitle *string
	userID, userEmail *string
	files             []fileMeta
}

// normalizeConversationEvent reads one line of a conversation-message log
// file. The envelope two independent public clients agree on
// (compliance-api-evidence.md: a TS client and HTH 6.01) is event_id, type,
// timestamp, principal{id,type}, actor{type, user_id, user_email},
// conversation{id, gpt_id, project_id, mode}, message{id, author, ...}; the
// user is read there first. Older and other shapes are accepted too: the
// fields at the top level, or under message, payload, data, or event. Where
// attached files sit inside message is not public: message.files (PSOXY's
// older message shape), attachments, and metadata.attachments (ChatGPT's
// conversation export) are all read.
func normalizeConversationEvent(raw []byte) (conversationMessage, error) {
	var m map[string]any
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if err := dec.Decode(&m); err != nil {
		return conversationMessage{}, fmt.Errorf("not a JSON object: %w", err)
	}
	var ev conversationMessage
	// The list was asked for CONVERSATION_MESSAGE events only. An explicit
	// event_type that says otherwise is another event; the envelope's own
	// type field is not used to skip a line, as its values are not public.
	if t := pickString(m, "event_type"); t != nil && !strings.EqualFold(*t, conversationEvent) {
		return ev, nil
	}
	if id := pickString(m, "conversation_id", "conversation.id", "message.conversation_id", "payload.conversation_id", "data.conversation_id", "event.conversation_id"); id != nil {
		ev.conversationID = *id
	}
	ev.conversationTitle = pickString(m, "conversation_title", "conversation.title", "title", "payload.conversation_title", "data.conversation_title", "event.conversation_title")
	ev.userID = pickString(m, "actor.user_id", "actor.user.id", "user_id", "user.id", "actor.id", "message.author.id", "payload.user_id", "data.user_id", "event.user_id")
	ev.userEmail = pickString(m, "actor.user_email", "actor.user.email", "user_email", "user.email", "actor.email", "message.author.email", "payload.user_email", "data.user_email", "event.user_email")
	if ev.userID == nil {
		// principal{id, type} names who the event is about; its id is a
		// user's only when its type says so.
		if t := pickString(m, "principal.type"); t != nil && strings.EqualFold(*t, "user") {
			ev.userID = pickString(m, "principal.id")
		}
	}
	list := pick(m, "message.files", "files", "message.attachments", "message.metadata.attachments", "payload.files", "payload.message.files",
		"data.files", "data.message.files", "event.files", "attachments", "payload.attachments")
	if list == nil {
		return ev, nil
	}
	items, ok := list.([]any)
	if !ok {
		if obj, isObj := list.(map[string]any); isObj {
			items, ok = obj["data"].([]any)
		}
	}
	if !ok {
		return ev, fmt.Errorf("files is not a list")
	}
	if len(items) > 0 && ev.conversationID == "" {
		return ev, fmt.Errorf("a message with files but no conversation_id")
	}
	for _, it := range items {
		raw, _ := json.Marshal(it)
		var f apiFile
		if err := json.Unmarshal(raw, &f); err != nil {
			return ev, fmt.Errorf("a file entry cannot be read: %w", err)
		}
		if fm, ok := f.meta(); ok {
			ev.files = append(ev.files, fm)
		}
	}
	return ev, nil
}

// pick returns the value at the first of the dotted paths that exists.
func pick(m map[string]any, paths ...string) any {
	for _, p := range paths {
		var cur any = m
		found := true
		for _, k := range strings.Split(p, ".") {
			obj, ok := cur.(map[string]any)
			if !ok {
				found = false
				break
			}
			if cur, ok = obj[k]; !ok {
				found = false
				break
			}
		}
		if found && cur != nil {
			return cur
		}
	}
	return nil
}

// pickString is pick for a scalar, as text.
func pickString(m map[string]any, paths ...string) *string {
	switch v := pick(m, paths...).(type) {
	case string:
		if v == "" {
			return nil
		}
		return &v
	case json.Number:
		s := v.String()
		return &s
	case bool:
		s := strconv.FormatBool(v)
		return &s
	}
	return nil
}
