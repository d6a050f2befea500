package scrub_test

import (
	"encoding/base64"
	"net/url"
	"strings"
	"testing"

	"github.com/openai-casb/openai-casb/internal/scrub"
)

// FuzzScrub hides the key, or the key without its prefix, in any text, in
// any case, base64 at any alignment or URL-encoded, and checks that none of
// it survives, and that the scrubber never panics on any text.
func FuzzScrub(f *testing.F) {
	f.Add("invalid key ", ", try again", "", "", uint8(0))
	f.Add("", "", "x", "yz", uint8(2))
	f.Add("cursor=", "&limit=100", "", "", uint8(5))
	f.Add("%zz ", "%", "", "", uint8(6))
	s := scrub.New(key)
	f.Fuzz(func(t *testing.T, before, after, pad, tail string, mode uint8) {
		bare := strings.TrimPrefix(key, "sk-admin-")
		secret := key
		if mode&1 == 1 {
			secret = bare
		}
		var form, core string
		switch mode % 8 / 2 {
		case 0:
			form = secret
			if mode&8 != 0 {
				form = strings.ToUpper(form)
			}
		case 1:
			form = base64.StdEncoding.EncodeToString([]byte(pad + secret + tail))
			core = form[(8*len(pad)+5)/6 : 8*(len(pad)+len(secret))/6]
		case 2:
			form = base64.RawURLEncoding.EncodeToString([]byte(pad + secret + tail))
			core = form[(8*len(pad)+5)/6 : 8*(len(pad)+len(secret))/6]
		case 3:
			form = url.QueryEscape(pad + secret + tail)
			if mode&8 != 0 {
				form = percentAll(secret)
			}
		}
		out := s.String(before + form + after)
		if strings.Contains(strings.ToLower(out), strings.ToLower(bare)) {
			t.Fatalf("the key survived: %q", out)
		}
		if core != "" && strings.Contains(out, core) && !strings.Contains(before+after, core) {
			t.Fatalf("the key's base64 survived: %q", out)
		}
		_ = s.String(before + after) // any text: no panic
	})
}
