package scrub_test

import (
	"encoding/base64"
	"encoding/json"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/openai-casb/openai-casb/internal/scrub"
)

const key = "sk-admin-FAKE0scrub1test2key3abcdefXYZ"

// Every form of the key a server might echo is removed.
func TestStringRemovesEveryFormOfTheKey(t *testing.T) {
	bare := strings.TrimPrefix(key, "sk-admin-")
	s := scrub.New(key)
	cases := map[string]string{
		"exact":                key,
		"in a sentence":        "invalid key " + key + ", try again",
		"without its prefix":   "token " + bare + " rejected",
		"upper-cased":          strings.ToUpper(key),
		"lower-cased bare":     strings.ToLower(bare),
		"base64":               base64.StdEncoding.EncodeToString([]byte(key)),
		"base64 url":           base64.URLEncoding.EncodeToString([]byte("x" + key)),
		"base64 of basic auth": "Basic " + base64.StdEncoding.EncodeToString([]byte("user:"+key)),
		"base64 of bare":       base64.RawStdEncoding.EncodeToString([]byte("ab" + bare + "cd")),
		"query-escaped":        url.QueryEscape("after=" + key),
		"every byte escaped":   "cursor=" + percentAll(key),
		"escaped lower hex":    strings.ToLower(percentAll(bare)),
		"another key's shape":  "sk-proj-" + strings.Repeat("Q", 40),
		"a service account's":  "SK-SVCACCT-" + strings.Repeat("z", 24),
	}
	for name, in := range cases {
		t.Run(name, func(t *testing.T) {
			out := s.String(in)
			assert.Contains(t, out, scrub.Redacted)
			assert.NotContains(t, strings.ToLower(out), strings.ToLower(bare))
			assert.NotContains(t, out, strings.Repeat("Q", 40))
			for _, enc := range []*base64.Encoding{base64.RawStdEncoding, base64.RawURLEncoding} {
				assert.NotContains(t, out, enc.EncodeToString([]byte(key))[:12])
			}
		})
	}
}

// Text without a secret is kept exactly, the APIs' masked key forms
// included.
func TestStringKeepsWhatIsNotASecret(t *testing.T) {
	s := scrub.New(key, "", "short")
	for _, in := range []string{
		"", "owner", "reader", "sk-admin...def", "sk-proj-****abcd", "sk-abc123",
		"Project Alpha", "user-abc@example.com", "100%", "%zz", "a short token",
		"sk-admin-FAKE0scrub", // a part of the key too short to be it
	} {
		assert.Equal(t, in, s.String(in))
	}
	var none *scrub.Scrubber
	assert.Equal(t, "sk-admin...def", none.String("sk-admin...def"))
	assert.Equal(t, "a "+scrub.Redacted, none.String("a sk-"+strings.Repeat("a", 30)))
}

type inner struct {
	Name  *string
	Tags  []string
	Extra json.RawMessage
	Any   any
}

type outer struct {
	ID      string
	Items   []inner
	ByName  map[string]inner
	private string
}

// Value reaches every string of a document, map keys and raw JSON
// included; a raw JSON string hiding the key behind escapes is found too.
func TestValueScrubsEveryString(t *testing.T) {
	name := "name " + key
	v := outer{
		ID: key,
		Items: []inner{{
			Name:  &name,
			Tags:  []string{"ok", strings.ToUpper(key)},
			Extra: json.RawMessage(`{"cursor":"\u0073k-admin-FAKE0scrub1test2key3abcdefXYZ","n":1.50}`),
			Any:   map[string]any{"k": []any{key}},
		}},
		ByName:  map[string]inner{key: {}},
		private: key,
	}
	scrub.New(key).Value(&v)
	raw, err := json.Marshal(v)
	require.NoError(t, err)
	assert.NotContains(t, strings.ToLower(string(raw)), "fake0scrub1test2key3")
	assert.Equal(t, "name "+scrub.Redacted, *v.Items[0].Name)
	assert.Equal(t, []string{"ok", scrub.Redacted}, v.Items[0].Tags)
	assert.JSONEq(t, `{"cursor":"[REDACTED]","n":1.50}`, string(v.Items[0].Extra))
	assert.Contains(t, v.ByName, scrub.Redacted)
	assert.Equal(t, "ok", v.Items[0].Tags[0])

	clean := json.RawMessage(`{"a": 1}`)
	scrub.New(key).Value(&clean)
	assert.Equal(t, `{"a": 1}`, string(clean), "untouched unless a string changed")
}

func percentAll(s string) string {
	var sb strings.Builder
	for i := 0; i < len(s); i++ {
		sb.WriteString("%" + strings.ToUpper(hex(s[i])))
	}
	return sb.String()
}

func hex(b byte) string {
	const d = "0123456789abcdef"
	return string([]byte{d[b>>4], d[b&15]})
}
