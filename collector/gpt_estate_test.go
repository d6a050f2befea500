package collector_test

import (
	"context"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/samber/lo"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/openai-casb/openai-casb/collector"
	"github.com/openai-casb/openai-casb/dlp"
	"github.com/openai-casb/openai-casb/inventory"
	"github.com/openai-casb/openai-casb/simulator"
)

// fakeSecrets finds "FAKESECRET-…" words and remembers every text it was
// given.
type fakeSecrets struct {
	mu    sync.Mutex
	texts []string
}

func (f *fakeSecrets) ScanText(text string) inventory.Detections {
	f.mu.Lock()
	f.texts = append(f.texts, text)
	f.mu.Unlock()
	n := strings.Count(text, "FAKESECRET-")
	if n == 0 {
		return nil
	}
	return inventory.Detections{"fake": {Count: n, Sample: "FAKESECRET-…"}}
}

// The GPTs' recipients are read in every shape the evidence shows, and
// their instructions and actions' OpenAPI texts go to the scanner, whose
// redacted results alone are kept.
func TestGPTRecipientsAndTexts(t *testing.T) {
	s, base := newScripted(t)
	s.on("/v1/compliance/workspaces/ws-1/gpts", func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte(`{"object":"list","has_more":false,"data":[
 {"id":"g-wrapped","sharing":{"visibility":"invite-only","recipients":{"data":[
   {"id":"u1","email":"a@x.example","permissions":{"can_read":true,"can_view_config":true,"can_write":true}},
   {"email":"b@x.example","permissions":{"can_read":true,"can_write":false}},
   {"permissions":{"can_read":true}}]}},
  "latest_config":{"data":[{"name":"W","instructions":"call with FAKESECRET-one and FAKESECRET-two","tools":{"data":[
   {"type":"custom_action","action_domain":"a.example","action_openapi_raw":"openapi: 3.1.0 # FAKESECRET-three","auth_type":"none"},
   {"type":"code_interpreter"},
   {"type":"custom_action","action_domain":"b.example","action_openapi_raw":"openapi: 3.1.0","auth_type":"oauth"}]}}]}},
 {"id":"g-bare","sharing":{"visibility":"workspace","recipients":[{"id":"u2","can_read":true,"can_write":true}]},
  "latest_config":[{"name":"B","tools":[]}]},
 {"id":"g-null","sharing":{"visibility":"workspace","recipients":null},"latest_config":{"data":[]}}]}`))
	})
	scan := &fakeSecrets{}
	o := scriptedOptions(base, newFakeClock(1712000000))
	o.Secrets = scan
	inv, warnings := collectWarnings(t, o)
	require.Len(t, inv.GPTs, 3)

	w := inv.GPTs[0]
	assert.Equal(t, []inventory.GPTRecipient{
		{ID: "u1", Email: lo.ToPtr("a@x.example"), CanRead: lo.ToPtr(true), CanViewConfig: lo.ToPtr(true), CanWrite: lo.ToPtr(true)},
		{ID: "b@x.example", Email: lo.ToPtr("b@x.example"), CanRead: lo.ToPtr(true), CanWrite: lo.ToPtr(false)},
	}, w.Recipients, "a recipient without id is keyed by its email; one with neither is left out")
	require.NotNil(t, w.InstructionsDetections)
	assert.Equal(t, inventory.Detections{"fake": {Count: 2, Sample: "FAKESECRET-…"}}, *w.InstructionsDetections)
	require.Len(t, w.Tools, 3)
	assert.Equal(t, inventory.Detections{"fake": {Count: 1, Sample: "FAKESECRET-…"}}, *w.Tools[0].OpenAPIDetections)
	assert.Nil(t, w.Tools[1].OpenAPIDetections, "a tool without OpenAPI text is not scanned")
	assert.Equal(t, inventory.Detections{}, *w.Tools[2].OpenAPIDetections, "scanned, nothing found")
	assert.Contains(t, strings.Join(warnings, "\n"), "GPT g-wrapped is shared with a recipient with neither id nor email")

	bare := inv.GPTs[1]
	assert.Equal(t, []inventory.GPTRecipient{{ID: "u2", CanRead: lo.ToPtr(true), CanWrite: lo.ToPtr(true)}}, bare.Recipients, "a bare list")
	assert.Nil(t, bare.InstructionsDetections, "no instructions sent: not scanned")
	assert.Nil(t, inv.GPTs[2].Recipients, "null recipients are unknown, not none")

	assert.ElementsMatch(t, []string{"call with FAKESECRET-one and FAKESECRET-two", "openapi: 3.1.0 # FAKESECRET-three", "openapi: 3.1.0"}, scan.texts)
	raw, err := inventory.Marshal(inv)
	require.NoError(t, err)
	assert.NotContains(t, string(raw), "FAKESECRET-one", "the texts are never kept")
	assert.NotContains(t, string(raw), "openapi: 3.1.0")

	o.Secrets = nil
	inv, err = collector.Collect(context.Background(), o)
	require.NoError(t, err)
	assert.Nil(t, inv.GPTs[0].InstructionsDetections, "without a scanner nothing is scanned")
	assert.Nil(t, inv.GPTs[0].Tools[0].OpenAPIDetections)
}

// dlpSecrets is the CLI's scanner of GPT texts.
type dlpSecrets struct{ s *dlp.Scanner }

func (d dlpSecrets) ScanText(text string) inventory.Detections {
	out := inventory.Detections{}
	for name, det := range d.s.ScanSecrets([]byte(text)) {
		out[name] = inventory.Detection{Count: det.Count, Sample: det.Sample, Confidence: det.Confidence.String(), ByConfidence: det.ConfidenceCounts()}
	}
	return out
}

// The simulator's planted GPT secrets are found by package dlp through a
// collection, and only their redacted samples reach the inventory.
func TestPlantedGPTSecretsAreFound(t *testing.T) {
	src := simulator.Generate(simulator.GenerateOptions{Users: 60, Seed: 5, Plant: true})
	_, base := serve(t, src, simulator.Options{})
	sc, err := dlp.NewScanner(nil)
	require.NoError(t, err)
	o := options(src, base)
	o.Secrets = dlpSecrets{sc}
	inv, err := collector.Collect(context.Background(), o)
	require.NoError(t, err)

	found, confidence := map[string][]string{}, ""
	for _, g := range inv.GPTs {
		if g.ID == simulator.PlantedGPTSecretInstructions {
			confidence = (*g.InstructionsDetections)["openai_api_key"].Confidence
		}
		require.NotNil(t, g.InstructionsDetections, g.ID)
		for name := range *g.InstructionsDetections {
			found[g.ID] = append(found[g.ID], "instructions:"+name)
		}
		for _, tool := range g.Tools {
			if tool.ActionDomain != nil {
				require.NotNil(t, tool.OpenAPIDetections, g.ID)
				for name := range *tool.OpenAPIDetections {
					found[g.ID] = append(found[g.ID], "action:"+name)
				}
			}
		}
	}
	assert.Equal(t, map[string][]string{
		simulator.PlantedGPTSecretInstructions: {"instructions:openai_api_key"},
		simulator.PlantedGPTSecretAction:       {"action:github_token"},
	}, found, "the planted secrets, and nothing in the other GPTs")
	assert.Equal(t, "high", confidence)

	raw, err := inventory.Marshal(inv)
	require.NoError(t, err)
	for _, v := range simulator.PlantedSensitiveValues() {
		assert.NotContains(t, string(raw), v)
	}
}
