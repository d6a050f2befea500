package dlp_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/openai-casb/openai-casb/dlp"
)

func TestScanSecrets(t *testing.T) {
	s, err := dlp.NewScanner([]dlp.Custom{{Name: "acme_word", Keywords: []string{"confidential"}}})
	require.NoError(t, err)
	for _, tc := range []struct {
		name, text string
		want       map[string]int
	}{
		{"a marked OpenAI key", "Use OPENAI_API_KEY=sk-proj-FAKEdemo0key4KEY8" + "T3BlbkFJ" + "notREAL2demoONLY6abcXYZ7ghiJKL1mno to call it.", map[string]int{dlp.OpenAIKey: 1}},
		{"a GitHub token in an OpenAPI example", `{"components":{"securitySchemes":{"x":{"example":"ghp_FAKE00demo1token2NOT3real4abc567xyz9"}}}}`, map[string]int{dlp.GitHubToken: 1}},
		{"a card number and an SSN are not secrets", "card 4111 1111 1111 1111, SSN 536-22-1234, confidential", map[string]int{}},
		{"a key-shaped string without its marker is low confidence", "sk-proj-abcdefghijklmnopqrstuvwxyz0123456789ABCD", map[string]int{}},
		{"nothing", "You are a helpful assistant.", map[string]int{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := map[string]int{}
			for name, d := range s.ScanSecrets([]byte(tc.text)) {
				got[name] = d.Count
				assert.NotContains(t, tc.text, d.Sample+"x", "the sample is redacted")
				assert.GreaterOrEqual(t, d.Confidence, dlp.SecretConfidence)
			}
			assert.Equal(t, tc.want, got)
		})
	}
	assert.True(t, dlp.IsSecret(dlp.PrivateKey))
	assert.False(t, dlp.IsSecret(dlp.IBAN))
	assert.False(t, dlp.IsSecret("acme_word"))
}
