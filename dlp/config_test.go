package dlp

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func decodeConfig(t *testing.T, doc string) map[string]any {
	t.Helper()
	var m map[string]any
	require.NoError(t, json.Unmarshal([]byte(doc), &m))
	return m
}

func TestParseConfigReadsProfilesCustomDetectorsAndLimit(t *testing.T) {
	cfg, err := ParseConfig(decodeConfig(t, `{
		"dlp_profiles": {
			"fin": {"title": "Financial", "enabled": true, "detectors": ["payment_card", "acme"], "min_matches": 2, "min_confidence": "medium"},
			"ids": {"enabled": false, "detectors": ["us_ssn"]}
		},
		"dlp_custom_detectors": {"acme": {"pattern": "ACME-[0-9]{6}"}, "words": {"keywords": ["internal only"]}},
		"dlp_max_file_bytes": 1024
	}`))
	require.NoError(t, err)
	assert.Equal(t, int64(1024), cfg.MaxFileBytes)
	assert.Equal(t, []Profile{
		{Name: "fin", Title: "Financial", Enabled: true, Detectors: []string{"payment_card", "acme"}, MinMatches: 2, MinConfidence: Medium},
		{Name: "ids", Title: "ids", Detectors: []string{"us_ssn"}, MinMatches: 1, MinConfidence: Low},
	}, cfg.Profiles)
	assert.Equal(t, []Custom{{Name: "acme", Pattern: "ACME-[0-9]{6}"}, {Name: "words", Keywords: []string{"internal only"}}}, cfg.Custom)
	assert.Contains(t, cfg.Scanner.Detectors(), "acme")

	empty, err := ParseConfig(nil)
	require.NoError(t, err)
	assert.Equal(t, DefaultLimits.MaxFileBytes, empty.MaxFileBytes)
	assert.Empty(t, empty.Profiles)
}

func TestParseConfigErrorsNameTheMember(t *testing.T) {
	cases := map[string]struct{ doc, want string }{
		"size zero":        {`{"dlp_max_file_bytes": 0}`, "data.openai.config.dlp_max_file_bytes: minimum: got 0, want 1"},
		"size fraction":    {`{"dlp_max_file_bytes": 1.5}`, "data.openai.config.dlp_max_file_bytes: got number, want integer"},
		"enabled a string": {`{"dlp_profiles": {"p": {"enabled": "yes", "detectors": ["jwt"]}}}`, "data.openai.config.dlp_profiles.p.enabled: got string, want boolean"},
		"no detectors":     {`{"dlp_profiles": {"p": {"enabled": true}}}`, "data.openai.config.dlp_profiles.p: missing property 'detectors'"},
		"empty detectors":  {`{"dlp_profiles": {"p": {"enabled": true, "detectors": []}}}`, "data.openai.config.dlp_profiles.p.detectors: minItems"},
		"bad confidence":   {`{"dlp_profiles": {"p": {"enabled": true, "detectors": ["jwt"], "min_confidence": "sure"}}}`, "data.openai.config.dlp_profiles.p.min_confidence: value must be one of"},
		"zero matches":     {`{"dlp_profiles": {"p": {"enabled": true, "detectors": ["jwt"], "min_matches": 0}}}`, "data.openai.config.dlp_profiles.p.min_matches: minimum: got 0, want 1"},
		"unknown detector": {`{"dlp_profiles": {"p": {"enabled": true, "detectors": ["uk_nin"]}}}`, `data.openai.config.dlp_profiles.p.detectors: unknown detector "uk_nin"`},
		"custom both":      {`{"dlp_custom_detectors": {"x": {"pattern": "a", "keywords": ["b"]}}}`, "give a pattern or keywords, one of the two"},
		"custom field":     {`{"dlp_custom_detectors": {"x": {"regex": "a"}}}`, "data.openai.config.dlp_custom_detectors.x: additional properties 'regex' not allowed"},
		"custom keyword":   {`{"dlp_custom_detectors": {"x": {"keywords": [1]}}}`, "data.openai.config.dlp_custom_detectors.x.keywords.0: got number, want string"},
		"custom bad regex": {`{"dlp_custom_detectors": {"x": {"pattern": "("}}}`, `data.openai.config.dlp_custom_detectors: custom DLP detector "x": error parsing regexp`},
		"profiles a list":  {`{"dlp_profiles": []}`, "data.openai.config.dlp_profiles: got array, want object"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			_, err := ParseConfig(decodeConfig(t, tc.doc))
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.want)
		})
	}
}
