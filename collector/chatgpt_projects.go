package collector

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/url"

	"github.com/openai-casb/openai-casb/inventory"
)

// The workspace's ChatGPT projects: GET /compliance/workspaces/{id}/projects,
// read once per collection. Each item becomes a project of the inventory
// (chatgpt_projects: id, name, owner, created_at, how it is shared) and,
// with DLP, names the files that are fetched and scanned: one pass over the
// route serves both. A 404 or 403 (a plan without projects, a key without
// their scope) makes the source skipped with the reason, never failed.
//
// What public sources show of an item (compliance-api-evidence.md, "ChatGPT
// projects"; PSOXY's example responses): it is "like a GPT": owner_id,
// owner_email, sharing{visibility, permissions, recipients[]}, and
// latest_config, often a bare array, whose configurations have files and
// tools. Unconfirmed, and accepted all the same:
//   - a name at the top level (PSOXY's records carry it in latest_config
//     only; the configuration's name wins when both are there);
//   - created_at as a float, an integer or an RFC 3339 string, or absent;
//   - latest_config and its files as {"data": [...]} (the GPTs' shape in
//     GCI) rather than bare arrays;
//   - the visibility values: none is published for projects, so the GPTs'
//     are assumed (NormalizeVisibility), and any other is kept as sent in
//     visibility_raw with visibility unknown, and warned of once;
//   - recipients as a list or {"data": [...]}, each {id, email,
//     permissions{...}} as for GPTs; null leaves them unknown;
//   - permissions: its shape for projects is not public. The whole sharing
//     object is therefore kept as sent (sharing), beside what is read of it.
// An item without an id cannot be used (there is nothing to name it by); it
// counts against the source.

// apiChatGPTProject is what is read of a project; the recipients come from
// apiGPTEstate's reading of sharing (readRecipients).
type apiChatGPTProject struct {
	ID           string          `json:"id"`
	Name         flexString      `json:"name"`
	CreatedAt    flexTime        `json:"created_at"`
	OwnerID      flexString      `json:"owner_id"`
	OwnerEmail   flexString      `json:"owner_email"`
	Sharing      json.RawMessage `json:"sharing"`
	LatestConfig wrapped[struct {
		Name  flexString       `json:"name"`
		Files wrapped[apiFile] `json:"files"`
	}] `json:"latest_config"`
}

// chatGPTProjectShape is what this version knows of a project: a GPT's
// members (the evidence says projects are like GPTs), the name, and the
// sharing object, kept whole and not looked into.
var chatGPTProjectShape = known("object", "id", "name", "created_at", "owner_id", "owner_email", "builder_name", "sharing").
	with("latest_config", gptShape.members["latest_config"])

// normalizeChatGPTProject reads one project, and the files of its live
// configuration (the first of latest_config) for DLP.
func normalizeChatGPTProject(raw json.RawMessage, n *notes) (inventory.ChatGPTProject, []fileMeta, error) {
	var p apiChatGPTProject
	if err := json.Unmarshal(raw, &p); err != nil {
		return inventory.ChatGPTProject{}, nil, itemError("ChatGPT project", idOf(raw), fmt.Errorf("cannot be read: %w", err))
	}
	if p.ID == "" {
		return inventory.ChatGPTProject{}, nil, itemError("ChatGPT project", "", orMissingID(nil))
	}
	out := inventory.ChatGPTProject{
		ID: p.ID, Name: p.Name.v, CreatedAt: p.CreatedAt.v, OwnerID: p.OwnerID.v, OwnerEmail: p.OwnerEmail.v,
		Visibility: inventory.VisibilityUnknown,
		Extra:      extras(n, "ChatGPT project", p.ID, raw, chatGPTProjectShape),
	}
	if s := bytes.TrimSpace(p.Sharing); len(s) > 0 {
		var compact bytes.Buffer
		if json.Compact(&compact, s) == nil {
			out.Sharing = compact.Bytes()
		} else {
			out.Sharing = append(json.RawMessage(nil), s...)
		}
		readProjectSharing(&out, s, n)
	}
	var files []fileMeta
	if len(p.LatestConfig.Data) > 0 {
		live := p.LatestConfig.Data[0]
		if live.Name.v != nil {
			out.Name = live.Name.v
		}
		for _, f := range live.Files.Data {
			if m, ok := f.meta(); ok {
				files = append(files, m)
			}
		}
	}
	return out, files, nil
}

// readProjectSharing reads the visibility and the recipients of a
// project's sharing object; one of another shape than a GPT's is kept (in
// Sharing) and warned of, and the project stays with its visibility unknown.
func readProjectSharing(p *inventory.ChatGPTProject, sharing json.RawMessage, n *notes) {
	if string(sharing) == "null" {
		return
	}
	var s struct {
		Visibility flexString             `json:"visibility"`
		Recipients *wrapped[apiRecipient] `json:"recipients"`
	}
	if err := json.Unmarshal(sharing, &s); err != nil {
		n.add("ChatGPT project\x00sharing\x00"+kindOfJSON(sharing), fmt.Sprintf("ChatGPT project %s has a sharing of a shape this version cannot read (%v): kept as sent in sharing, visibility unknown", p.ID, err))
		return
	}
	if v := s.Visibility.v; v != nil {
		p.VisibilityRaw = v
		p.Visibility = NormalizeVisibility(*v)
		if p.Visibility == inventory.VisibilityUnknown {
			n.add("ChatGPT project\x00visibility\x00"+*v, fmt.Sprintf("ChatGPT project %s has sharing visibility %q, which this version does not know: kept in visibility_raw, normalized to unknown", p.ID, *v))
		}
	}
	if s.Recipients != nil {
		p.Recipients = readRecipients("ChatGPT project", p.ID, s.Recipients.Data, n)
	}
}

// chatGPTProjects reads the workspace's ChatGPT projects into the
// inventory and, when files is not nil (DLP), queues the files of each.
func (c *collection) chatGPTProjects(ctx context.Context, ws string, files *scanner) {
	var items []inventory.ChatGPTProject
	c.simple(ctx, c.comp, inventory.SourceChatGPTProjects, routeProjects, ws+"/projects", nil, func(raw json.RawMessage) error {
		p, fs, err := normalizeChatGPTProject(raw, c.notes)
		if err != nil {
			return err
		}
		items = append(items, p)
		if files != nil {
			for _, f := range fs {
				files.queue(ctx, fileRef{
					source: inventory.SourceProjectFiles, route: routeProjectFile,
					path:   ws + "/project_files/" + url.PathEscape(f.ID),
					listed: f.listed(),
					file: inventory.File{
						ID: f.ID, Name: f.Name, MIMEType: f.MIMEType, Location: inventory.LocationChatGPTProject,
						Container: inventory.FileContainer{ID: p.ID, Name: p.Name},
						Owner:     owner(p.OwnerID, p.OwnerEmail),
					},
				})
			}
		}
		return nil
	})
	if !c.wants(inventory.SourceChatGPTProjects) {
		return // not asked for: the source says so (skipUnwanted), the inventory has none
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	r := c.results[inventory.SourceChatGPTProjects]
	if reason, ok := missingErr(r.err, routeProjects); ok && r.stats.items == 0 {
		*r = result{skipped: reason}
		return
	}
	c.chatgptProjects = orEmpty(items)
}
