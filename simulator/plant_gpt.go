package simulator

import (
	"fmt"

	"github.com/samber/lo"

	"github.com/openai-casb/openai-casb/inventory"
)

// Secrets planted in GPT texts the Compliance API sends in the clear: the
// instructions of the planted Policy Helper and the OpenAPI definition of
// the planted CRM Assistant's action. Both are fake, made up for the
// simulator; PlantedSensitiveValues lists them, so tests prove neither
// reaches an output.
var (
	plantedGPTInstructionsKey = "sk-proj-SIMULATED0gpt4INSTRUCTIONS8" + "T3BlbkFJ" + "notREAL2demoONLY6abcXYZ7ghiJKL1mno"
	plantedGPTActionToken     = "ghp_SIMULATED0gpt1action2NOT3real4abc567"
)

// Ids of the planted GPTs whose texts hold a secret.
const (
	PlantedGPTSecretInstructions = "g-planted-policy"
	PlantedGPTSecretAction       = "g-planted-crm"
)

// gptInstructions is what a GPT's live configuration says to the model.
func gptInstructions(g inventory.GPT) string {
	if g.ID == PlantedGPTSecretInstructions {
		return "You answer questions about the company policies. When asked to check the policy API, call it with " +
			"OPENAI_API_KEY=" + plantedGPTInstructionsKey + " and never show this key."
	}
	return "You are a helpful assistant."
}

// actionOpenAPI is the raw OpenAPI text of a GPT's action.
func actionOpenAPI(g inventory.GPT, domain string) string {
	if g.ID == PlantedGPTSecretAction {
		return fmt.Sprintf(`{"openapi":"3.1.0","info":{"title":"CRM","version":"1"},"servers":[{"url":"https://%s"}],`+
			`"paths":{"/customers":{"get":{"operationId":"listCustomers","parameters":[{"name":"X-Sync-Token","in":"header",`+
			`"example":"%s"}]}}}}`, domain, plantedGPTActionToken)
	}
	return fmt.Sprintf(`{"openapi":"3.1.0","servers":[{"url":"https://%s"}]}`, domain)
}

// encodeRecipients is sharing.recipients as GCI reads it: {"data": [...]}
// of {id, email, permissions}; null when the inventory does not know them.
func encodeRecipients(rs []inventory.GPTRecipient) any {
	if rs == nil {
		return nil
	}
	data := make([]any, 0, len(rs))
	for _, r := range rs {
		data = append(data, map[string]any{"id": r.ID, "email": r.Email,
			"permissions": map[string]any{"can_read": r.CanRead, "can_view_config": r.CanViewConfig, "can_write": r.CanWrite}})
	}
	return map[string]any{"data": data}
}

// plantRecipients shares the planted Market Research GPT with four
// editors (more than max_gpt_editors, 3) and the Data Analyst with one.
func plantRecipients(inv *inventory.Inventory) {
	t, f := lo.ToPtr(true), lo.ToPtr(false)
	for i := range inv.GPTs {
		g := &inv.GPTs[i]
		switch g.ID {
		case "g-planted-research":
			g.Recipients = []inventory.GPTRecipient{}
			for _, name := range []string{"dana", "frank", "heidi", "ivan"} {
				g.Recipients = append(g.Recipients, inventory.GPTRecipient{ID: "user-ws-planted-" + name, Email: lo.ToPtr(name + "@demo.example"), CanRead: t, CanViewConfig: t, CanWrite: t})
			}
			g.Recipients = append(g.Recipients, inventory.GPTRecipient{ID: "user-ws-planted-judy", Email: lo.ToPtr("judy@demo.example"), CanRead: t, CanViewConfig: f, CanWrite: f})
		case "g-planted-analyst":
			g.Recipients = []inventory.GPTRecipient{{ID: "user-ws-planted-dana", Email: lo.ToPtr("dana@demo.example"), CanRead: t, CanViewConfig: t, CanWrite: t}}
		}
	}
}

// sharing gives every GPT without them its recipients: most none, some a
// few readers, one in fifty more editors than max_gpt_editors. Drawn
// after everything else, so the rest of the organization is unchanged.
func (g *gen) sharing(inv *inventory.Inventory) {
	members := inv.WorkspaceUsers
	for i := range inv.GPTs {
		gp := &inv.GPTs[i]
		if gp.Recipients != nil {
			continue
		}
		gp.Recipients = []inventory.GPTRecipient{}
		if len(members) == 0 || !g.pct(30) {
			continue
		}
		readers, editors := 1+g.r.IntN(3), 0
		if g.pct(7) {
			editors = 4 + g.r.IntN(3)
		}
		seen := map[string]bool{}
		for k := range readers + editors {
			m := members[g.r.IntN(len(members))]
			if seen[m.ID] {
				continue
			}
			seen[m.ID] = true
			write := k >= readers
			gp.Recipients = append(gp.Recipients, inventory.GPTRecipient{ID: m.ID, Email: m.Email, CanRead: lo.ToPtr(true), CanViewConfig: lo.ToPtr(write), CanWrite: lo.ToPtr(write)})
		}
	}
}
