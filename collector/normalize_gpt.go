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
		// null leaves recipients unknown (nil); a list, even empty, is kept.
		g.Recipients = []inventory.GPTRecipient{}
		for _, r := range e.Sharing.Recipients.Data {
			p := r.apiPermissions
			if r.Permissions != nil {
				p = *r.Permissions
			}
			id := r.ID.v
			if id == nil || *id == "" {
				if r.Email == nil || *r.Email == "" {
					n.add("GPT\x00recipient without id", fmt.Sprintf("GPT %s is shared with a recipient with neither id nor email: that recipient is left out", g.ID))
					continue
				}
				// Keyed by its email, the only name it has.
				n.add("GPT\x00recipient keyed by email", fmt.Sprintf("GPT %s is shared with a recipient without an id: it is kept with its email as its id", g.ID))
				id = r.Email
			}
			g.Recipients = append(g.Recipients, inventory.GPTRecipient{ID: *id, Email: r.Email, CanRead: p.CanRead, CanViewConfig: p.CanViewConfig, CanWrite: p.CanWrite})
		}
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

func orNoDetections(d inventory.Detections) inventory.Detections {
	if d == nil {
		return inventory.Detections{}
	}
	return d
}
