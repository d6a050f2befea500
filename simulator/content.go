package simulator

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/samber/lo"

	"github.com/openai-casb/openai-casb/inventory"
)

// Content is what a workspace holds beyond its inventory, for DLP: the bytes
// of GPT knowledge files, ChatGPT projects with their files, and
// conversations with the files attached in them. The simulator serves it
// through the Compliance API's projects, files and logs routes.
type Content struct {
	// GPTFiles holds the bytes of GPT knowledge files by file id. A file a
	// GPT of the inventory names but this map lacks is served as a short,
	// harmless PDF.
	GPTFiles      map[string]Blob
	Projects      []ChatGPTProject
	Conversations []Conversation
	// EventsPerLogFile is how many conversation events one log file holds;
	// 20 when zero.
	EventsPerLogFile int
}

// Blob is a file's name, type and bytes. With Size beyond len(Data), the
// file is Data repeated to Size bytes, made as it is served: large files
// cost no memory.
type Blob struct {
	Name, MIMEType string
	Data           []byte
	Size           int64
}

func (b Blob) size() int64 { return max(b.Size, int64(len(b.Data))) }

// StoredFile is a file with its id.
type StoredFile struct {
	ID string
	Blob
}

// ChatGPTProject is a project of the workspace and its files.
type ChatGPTProject struct {
	ID, Name, OwnerID, OwnerEmail string
	CreatedAt                     int64
	Files                         []StoredFile
}

// Conversation is a conversation of a workspace member: one message event
// per attached file, at At.
type Conversation struct {
	ID, Title, UserID, UserEmail string
	At                           int64
	Files                        []StoredFile
}

// contentData is Content prepared for serving.
type contentData struct {
	c         *Content
	gptFiles  map[string]Blob
	projects  *list
	projFiles map[string]Blob
	userFiles map[string]Blob // user id + "/" + file id
	logFiles  []logFile       // oldest first
}

type logFile struct {
	id         string
	start, end int64
	events     [][]byte
}

// body is the log file: one event a line.
func (lf logFile) body() []byte {
	var b bytes.Buffer
	for _, e := range lf.events {
		b.Write(e)
		b.WriteByte('\n')
	}
	return b.Bytes()
}

func prepareContent(inv *inventory.Inventory, c *Content, specShapes bool) *contentData {
	if c == nil {
		c = &Content{}
	}
	d := &contentData{c: c, gptFiles: map[string]Blob{}, projects: newList(len(c.Projects) + len(inv.ChatGPTProjects)), projFiles: map[string]Blob{}, userFiles: map[string]Blob{}}
	for _, g := range inv.GPTs {
		for _, f := range g.Files {
			name := "knowledge.pdf"
			if f.Name != nil {
				name = *f.Name
			}
			d.gptFiles[f.ID] = Blob{Name: name, MIMEType: "application/pdf",
				Data: PDF(name, "Internal knowledge for "+g.ID+": product FAQ, tone of voice, escalation paths.")}
		}
	}
	for id, b := range c.GPTFiles {
		d.gptFiles[id] = b
	}
	// The inventory's projects first, each with its files from Content;
	// then the projects only Content holds.
	files := map[string][]map[string]any{}
	for _, p := range c.Projects {
		fs := make([]map[string]any, 0, len(p.Files))
		for _, f := range p.Files {
			// As the projects route of the Compliance API writes a project
			// (arrays, where the GPTs route wraps lists in data).
			fs = append(fs, map[string]any{"object": "file", "id": f.ID, "name": f.Name, "created_at": float64(p.CreatedAt) + 0.25})
			d.projFiles[f.ID] = f.Blob
		}
		files[p.ID] = fs
	}
	inInventory := map[string]bool{}
	for _, p := range inv.ChatGPTProjects {
		inInventory[p.ID] = true
		d.projects.add(p.ID, encodeChatGPTProject(p, files[p.ID]))
	}
	for _, p := range c.Projects {
		if inInventory[p.ID] {
			continue
		}
		d.projects.add(p.ID, encodeChatGPTProject(inventory.ChatGPTProject{ID: p.ID, Name: &p.Name, CreatedAt: &p.CreatedAt,
			OwnerID: &p.OwnerID, OwnerEmail: &p.OwnerEmail}, files[p.ID]))
	}
	type event struct {
		at   int64
		body []byte
	}
	var events []event
	ws := ""
	if inv.Workspace != nil {
		ws = inv.Workspace.ID
	}
	for _, cv := range c.Conversations {
		for i, f := range cv.Files {
			d.userFiles[cv.UserID+"/"+f.ID] = f.Blob
			at := cv.At + int64(i)
			// The envelope two independent public clients agree on
			// (compliance-api-evidence.md): the user at actor.user_id and
			// actor.user_email, the conversation under conversation. Where
			// files sit in message is not public; message.files is PSOXY's
			// older shape. conversation.title is not confirmed by any public
			// source: it is served so the demo names conversations, and left
			// out under the spec shapes.
			conversation := map[string]any{"id": cv.ID, "gpt_id": nil, "project_id": nil, "mode": "default"}
			if !specShapes {
				conversation["title"] = cv.Title
			}
			body, _ := json.Marshal(map[string]any{
				"event_id": fmt.Sprintf("evt-%s-%d", cv.ID, i), "type": "CONVERSATION_MESSAGE",
				"timestamp": time.Unix(at, 0).UTC().Format(time.RFC3339), "workspace_id": ws,
				"principal":    map[string]any{"id": cv.UserID, "type": "user"},
				"actor":        map[string]any{"type": "user", "user_id": cv.UserID, "user_email": cv.UserEmail},
				"conversation": conversation,
				"message": map[string]any{
					"id": fmt.Sprintf("msg-%s-%d", cv.ID, i), "author": map[string]any{"type": "user", "client_type": "web"},
					"content": map[string]any{"type": "text", "value": "Please review the attached file."},
					"files":   []any{map[string]any{"id": f.ID, "name": f.Name, "mime_type": f.MIMEType, "size": f.size()}},
				},
			})
			events = append(events, event{at, body})
		}
	}
	sort.SliceStable(events, func(i, j int) bool { return events[i].at < events[j].at })
	per := c.EventsPerLogFile
	if per <= 0 {
		per = 20
	}
	// A log file holds up to per events of one day, as the Compliance
	// API's files cover bounded stretches of time.
	for i := 0; i < len(events); {
		j := i + 1
		for j < len(events) && j-i < per && events[j].at/Day == events[i].at/Day {
			j++
		}
		batch := events[i:j]
		lf := logFile{start: batch[0].at, end: batch[len(batch)-1].at}
		// A log file is named by what it holds, not by its place in the
		// history: a conversation added on one day leaves the files of
		// other days their names, as a real log file keeps its id.
		h := sha256.New()
		for _, e := range batch {
			lf.events = append(lf.events, e.body)
			h.Write(e.body)
			h.Write([]byte{'\n'})
		}
		lf.id = "logfile-" + hex.EncodeToString(h.Sum(nil))[:20]
		d.logFiles = append(d.logFiles, lf)
		i = j
	}
	return d
}

// raw is an answer that is not JSON: a file's bytes.
type raw struct {
	blob Blob
}

func (s *Server) contentRoutes(comp func(string, func(http.ResponseWriter, *http.Request) (any, error))) {
	d := s.content
	blob := func(m map[string]Blob, key, what string) (any, error) {
		b, ok := m[key]
		if !ok {
			return nil, apiErr(http.StatusNotFound, "No such "+what+": "+key, "not_found")
		}
		return raw{b}, nil
	}
	comp("gpt_files/{id}", func(w http.ResponseWriter, r *http.Request) (any, error) {
		return blob(d.gptFiles, r.PathValue("id"), "file")
	})
	comp("project_files/{id}", func(w http.ResponseWriter, r *http.Request) (any, error) {
		return blob(d.projFiles, r.PathValue("id"), "file")
	})
	comp("users/{user}/files/{id}", func(w http.ResponseWriter, r *http.Request) (any, error) {
		return blob(d.userFiles, r.PathValue("user")+"/"+r.PathValue("id"), "file of user "+r.PathValue("user"))
	})
	comp("projects", func(w http.ResponseWriter, r *http.Request) (any, error) {
		return page(r, d.projects, s.opts.MaxPageSize, false)
	})
	comp("logs", func(w http.ResponseWriter, r *http.Request) (any, error) {
		q := r.URL.Query()
		if q.Get("event_type") == "" {
			return nil, apiErr(http.StatusBadRequest, "Missing required parameter: 'event_type'.", "missing_required_parameter")
		}
		after, err := time.Parse(time.RFC3339, q.Get("after"))
		if err != nil {
			return nil, apiErr(http.StatusBadRequest, "Invalid 'after': want an ISO 8601 time with a time zone, such as 2026-11-01T00:00:00Z.", "invalid_value")
		}
		limit := 100
		if v := q.Get("limit"); v != "" {
			if limit, err = strconv.Atoi(v); err != nil || limit < 1 || limit > 100 {
				return nil, apiErr(http.StatusBadRequest, "Invalid 'limit': "+v, "invalid_value")
			}
		}
		limit = min(limit, s.opts.MaxPageSize)
		data := []any{}
		var last *string
		more := false
		if q.Get("event_type") == "CONVERSATION_MESSAGE" {
			for _, lf := range d.logFiles {
				if lf.end <= after.Unix() {
					continue
				}
				if len(data) == limit {
					more = true
					break
				}
				end := time.Unix(lf.end, 0).UTC().Format(time.RFC3339)
				entry := map[string]any{"object": "compliance.log_file", "id": lf.id, "event_type": "CONVERSATION_MESSAGE",
					"start_time": time.Unix(lf.start, 0).UTC().Format(time.RFC3339), "end_time": end}
				if s.opts.Shapes == ShapesSpec {
					// The entry of the evidence (HTH): {id, event_type,
					// end_time, file_name, file_size, file_sha256}.
					body := lf.body()
					sum := sha256.Sum256(body)
					entry["file_name"], entry["file_size"], entry["file_sha256"] = lf.id+".jsonl", len(body), hex.EncodeToString(sum[:])
				}
				data = append(data, entry)
				last = &end
			}
		}
		return map[string]any{"object": "list", "data": data, "has_more": more, "last_end_time": last}, nil
	})
	comp("logs/{id}", func(w http.ResponseWriter, r *http.Request) (any, error) {
		for _, lf := range d.logFiles {
			if lf.id == r.PathValue("id") {
				return raw{Blob{Name: lf.id + ".jsonl", MIMEType: "application/jsonl", Data: lf.body()}}, nil
			}
		}
		return nil, apiErr(http.StatusNotFound, "No such log file: "+r.PathValue("id"), "not_found")
	})
}

// writeBlob writes a file's bytes, repeating Data to Size when it is
// larger; truncate cuts the body short as a broken connection would.
func writeBlob(w http.ResponseWriter, b Blob, truncate bool) {
	mt := b.MIMEType
	if mt == "" {
		mt = "application/octet-stream"
	}
	w.Header().Set("Content-Type", mt)
	size := b.size()
	w.Header().Set("Content-Length", strconv.FormatInt(size, 10))
	if truncate {
		size /= 2
	}
	if len(b.Data) == 0 {
		return
	}
	for written := int64(0); written < size; {
		n := min(int64(len(b.Data)), size-written)
		if _, err := w.Write(b.Data[:n]); err != nil {
			return
		}
		written += n
	}
}

// ContentOptions shape GenerateContent.
type ContentOptions struct {
	// Files is how many files to make, spread over ChatGPT projects and
	// conversations of the inventory's users.
	Files int
	// Seed makes the content reproducible.
	Seed uint64
	// Plant adds the fixed files that fire every DLP finding type beside
	// near misses and files that cannot be scanned.
	Plant bool
}

// GenerateContent makes the files of a workspace. Of the generated files,
// about one in eight holds something a detector finds; the rest are
// ordinary documents of 2 to 200 KiB in the usual formats.
func GenerateContent(inv *inventory.Inventory, o ContentOptions) *Content {
	c := &Content{GPTFiles: map[string]Blob{}}
	if o.Plant {
		plantContent(c, inv.CollectedAt)
	}
	if o.Files <= 0 {
		return c
	}
	r := rand.New(rand.NewPCG(o.Seed, 0x646c70))
	users := inv.Users
	if len(users) == 0 {
		users = []inventory.User{{ID: "user-content", Email: lo.ToPtr("content@demo.example")}}
	}
	nProjects := max(1, o.Files/25)
	for i := 0; i < nProjects; i++ {
		u := users[r.IntN(len(users))]
		c.Projects = append(c.Projects, ChatGPTProject{ID: fmt.Sprintf("g-p-%08x%04d", r.Uint32(), i), Name: fmt.Sprintf("Project %d", i),
			OwnerID: u.ID, OwnerEmail: deref(u.Email), CreatedAt: inv.CollectedAt - int64(r.IntN(300))*Day})
	}
	var convs []*Conversation
	for i := 0; i < o.Files; i++ {
		f := StoredFile{ID: fmt.Sprintf("file-%08x%06d", r.Uint32(), i), Blob: randomDocument(r, i)}
		if i%2 == 0 {
			p := &c.Projects[r.IntN(len(c.Projects))]
			p.Files = append(p.Files, f)
			continue
		}
		if len(convs) == 0 || r.IntN(3) == 0 {
			u := users[r.IntN(len(users))]
			convs = append(convs, &Conversation{ID: fmt.Sprintf("conv-%08x%06d", r.Uint32(), i), Title: fmt.Sprintf("Conversation %d", i),
				UserID: u.ID, UserEmail: deref(u.Email), At: inv.CollectedAt - int64(r.IntN(29*Day))})
		}
		cv := convs[len(convs)-1]
		cv.Files = append(cv.Files, f)
	}
	for _, cv := range convs {
		c.Conversations = append(c.Conversations, *cv)
	}
	return c
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

var loremWords = strings.Fields("the quarterly review covers revenue churn hiring roadmap customers support latency " +
	"release migration budget forecast onboarding security training vendor contract renewal pipeline " +
	"incident postmortem architecture service database region capacity dashboard metrics goals")

// randomDocument is an ordinary document; one in eight holds a credential
// or a card number.
func randomDocument(r *rand.Rand, i int) Blob {
	var b strings.Builder
	size := 2<<10 + r.IntN(198<<10)
	for b.Len() < size {
		for w := 0; w < 12; w++ {
			b.WriteString(loremWords[r.IntN(len(loremWords))])
			b.WriteByte(' ')
		}
		b.WriteString(fmt.Sprintf("%d.%02d\n", r.IntN(100000), r.IntN(100)))
	}
	text := b.String()
	if i%8 == 3 {
		text += "\nbilling contact card 4111 1111 1111 1111 exp 12/29\n"
	}
	if i%8 == 7 {
		const alnum = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
		key := make([]byte, 48)
		for k := range key {
			key[k] = alnum[r.IntN(len(alnum))]
		}
		text += "\nexport OPENAI_API_KEY=sk-proj-" + string(key) + "\n"
	}
	lines := strings.Split(text, "\n")
	switch i % 5 {
	case 0:
		return Blob{Name: fmt.Sprintf("notes-%d.md", i), MIMEType: "text/markdown", Data: []byte(text)}
	case 1:
		return Blob{Name: fmt.Sprintf("export-%d.csv", i), MIMEType: "text/csv", Data: []byte(strings.ReplaceAll(text, " ", ","))}
	case 2:
		return Blob{Name: fmt.Sprintf("report-%d.docx", i), MIMEType: "application/vnd.openxmlformats-officedocument.wordprocessingml.document", Data: DOCX(lines...)}
	case 3:
		rows := make([][]string, 0, len(lines))
		for _, l := range lines {
			rows = append(rows, strings.Fields(l))
		}
		return Blob{Name: fmt.Sprintf("sheet-%d.xlsx", i), MIMEType: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", Data: XLSX(rows...)}
	}
	return Blob{Name: fmt.Sprintf("brief-%d.pdf", i), MIMEType: "application/pdf", Data: PDF(lines...)}
}
