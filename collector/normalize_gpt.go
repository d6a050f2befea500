package collector

import (
	"encoding/json"
	"fmt"

	"github.com/openai-casb/openai-casb/inventory"
)

// TextScanner finds credentials in a text the Compliance API sends in the
// clear: a GPT's instructions, the raw OpenAPI text of its actions. The
// collector passes each text to it and keeps what it returns, per detector
// a count and a redacted sample; the text itself is never kept. Package
// dlp's Scanner.ScanSecrets does it in the CLI.
type TextScanner interface {
	ScanText(text string) inventory.Detections
}

// apiGPTEstate is what the estate reads of a GPT beyond normalizeGPT:
// sharing.recipients (a list or {"data": [...]}, each {id, email,
// permissions{can_read, can_view_config, can_write}}; GCI in the Compliance
// API evidence), and the texts scanned for secrets.
type apiGPTEstate struct {
	Sharing *struct {
		Recipients *wrapped[apiRecipient] `json:"recipients"`
	} `json:"sharing"`
	LatestConfig wrapped[struct {
		Instructions flexString `json:"instructions"`
		Tools        wrapped[struct {
			OpenAPIRaw flexString `json:"action_openapi_raw"`
		}] `json:"tools"`
	}] `json:"latest_config"`
}

type apiRecipient struct {
	ID    flexString `json:"id"`
	Email *string    `json:"email"`
	// permissions{...} in GCI. The flat booleans are not seen in any
	// source; they are read too, in case a version sends them so.
	Permissions *apiPermissions `json:"permissions"`
	apiPermissions
}

type apiPermissions struct {
	CanRead       *bool `json:"can_read"`
	CanViewConfig *bool `json:"can_view_config"`
	CanWrite      *bool `json:"can_write"`
}

// gptEstate adds to g, read from the same raw GPT, its recipients and,
// when scan is not nil, what the secret detectors found in its live
// configuration's instructions and in each action's OpenAPI text. A text
// the API did not send is not scanned (its detections stay nil). Sharing
// or a configuration of a shape it cannot read leaves the GPT as
// normalizeGPT read it, with a warning.
func gptEstate(g *inventory.GPT, raw json.RawMessage, scan TextScanner, n *notes) {
	var e apiGPTEstate
	if err := json.Unmarshal(raw, &e); err != nil {
		n.add("GPT\x00estate\x00"+err.Error(), fmt.Sprintf("GPT %s: its recipients and texts cannot be read (%v): kept without recipients, not scanned for secrets", g.ID, err))
		return
	}
	if e.Sharing != nil && e.Sharing.Recipients != nil {
		g.Recipients = readRecipients("GPT", g.ID, e.Sharing.Recipients.Data, n)
	}
	if scan == nil || len(e.LatestConfig.Data) == 0 {
		return
	}
	live := e.LatestConfig.Data[0]
	if live.Instructions.v != nil {
		d := orNoDetections(scan.ScanText(*live.Instructions.v))
		g.InstructionsDetections = &d
	}
	// The tools are those normalizeGPT read, in the same order.
	for i, t := range live.Tools.Data {
		if i < len(g.Tools) && t.OpenAPIRaw.v != nil {
			d := orNoDetections(scan.ScanText(*t.OpenAPIRaw.v))
			g.Tools[i].OpenAPIDetections = &d
		}
	}
}

// readRecipients reads sharing.recipients of a GPT or a ChatGPT project
// (kind, named id in warnings). A list, even empty, is kept (the caller
// leaves null unknown); a recipient without an id is keyed by its email,
// and one with neither is left out, each warned of once.
func readRecipients(kind, id string, in []apiRecipient, n *notes) []inventory.GPTRecipient {
	out := []inventory.GPTRecipient{}
	for _, r := range in {
		p := r.apiPermissions
		if r.Permissions != nil {
			p = *r.Permissions
		}
		rid := r.ID.v
		if rid == nil || *rid == "" {
			if r.Email == nil || *r.Email == "" {
				n.add(kind+"\x00recipient without id", fmt.Sprintf("%s %s is shared with a recipient with neither id nor email: that recipient is left out", kind, id))
				continue
			}
			// Keyed by its email, the only name it has.
			n.add(kind+"\x00recipient keyed by email", fmt.Sprintf("%s %s is shared with a recipient without an id: it is kept with its email as its id", kind, id))
			rid = r.Email
		}
		out = append(out, inventory.GPTRecipient{ID: *rid, Email: r.Email, CanRead: p.CanRead, CanViewConfig: p.CanViewConfig, CanWrite: p.CanWrite})
	}
	return out
}

func orNoDetections(d inventory.Detections) inventory.Detections {
	if d == nil {
		return inventory.Detections{}
	}
	return d
}
