// Package scrub removes secrets from text that came from elsewhere: every
// string an API server sent passes a Scrubber before it reaches a log line,
// an inventory or a report, so a server echoing the key back (in a cursor,
// a role, an error message, an id) cannot make openai-casb write it down.
package scrub

import (
	"cmp"
	"encoding/base64"
	"encoding/json"
	"net/url"
	"reflect"
	"regexp"
	"slices"
	"strings"
)

// Redacted replaces what a Scrubber removes.
const Redacted = "[REDACTED]"

// MinSecret is the shortest secret a Scrubber looks for: shorter ones
// (and the shorter of their variants) would match ordinary words.
const MinSecret = 8

// keyShaped is anything that looks like an OpenAI key, known or not: sk-,
// an optional kind (admin-, proj-, svcacct-), then at least 20 characters
// of a key's alphabet. The APIs' masked forms ("sk-admin...def",
// "sk-proj-****abcd") are not key-shaped and are kept.
const keyShaped = `(?i:sk-[a-z0-9_\-]{20,})`

// prefixes are the kinds of OpenAI key, longest first.
var prefixes = []string{"sk-admin-", "sk-svcacct-", "sk-proj-", "sk-"}

// Scrubber removes a set of secrets, and anything key-shaped, from text.
// The zero value and nil remove only what is key-shaped. A Scrubber is
// safe for concurrent use.
type Scrubber struct {
	re *regexp.Regexp
	// The first 8 bytes of every literal form, case-folded (folded) or as
	// they are (exact): a string holding none of them, no "sk-" and no "%"
	// cannot hold a secret, and skips the regular expression. Most server
	// strings (ids, names, emails) take that path.
	folded, exact bitset
}

// bitset is a one-hash Bloom filter of 8-byte words: false positives only
// send a string to the slow path.
type bitset [1024]uint64

func hash(w uint64) uint64 { return (w * 0x9E3779B97F4A7C15) >> 48 }

func (b *bitset) add(w uint64)      { h := hash(w); b[h>>6] |= 1 << (h & 63) }
func (b *bitset) has(w uint64) bool { h := hash(w); return b[h>>6]&(1<<(h&63)) != 0 }

// New is a Scrubber of the given secrets (empty ones are ignored). For each
// secret it removes, whatever the case, the secret itself, the secret
// without its sk-… prefix, and their URL encodings; and, case kept, their
// base64 encodings (standard and URL alphabets) at every alignment, so the
// secret is found inside a longer base64 text too, such as a Basic
// Authorization header.
func New(secrets ...string) *Scrubber {
	var folded, exact []string
	for _, s := range secrets {
		if len(s) < MinSecret {
			continue
		}
		forms := []string{s}
		for _, p := range prefixes {
			if len(s) > len(p) && strings.HasPrefix(strings.ToLower(s), p) {
				if rest := s[len(p):]; len(rest) >= MinSecret {
					forms = append(forms, rest)
				}
				break
			}
		}
		for _, f := range forms {
			folded = append(folded, f, url.QueryEscape(f), url.PathEscape(f), percentAll(f))
			exact = append(exact, base64Forms(f)...)
		}
	}
	var alts []string
	if len(folded) > 0 {
		alts = append(alts, "(?i:"+alternation(folded)+")")
	}
	if len(exact) > 0 {
		alts = append(alts, alternation(exact))
	}
	alts = append(alts, keyShaped)
	sc := &Scrubber{re: regexp.MustCompile(strings.Join(alts, "|"))}
	for _, f := range folded {
		sc.folded.add(word(f) | fold)
	}
	for _, f := range exact {
		sc.exact.add(word(f))
	}
	return sc
}

// fold sets bit 5 of every byte: ASCII letters become lower case (other
// bytes change too, which only lets more strings to the slow path).
const fold = 0x2020202020202020

// word is the first 8 bytes of s, which has at least 8.
func word(s string) uint64 {
	return uint64(s[0]) | uint64(s[1])<<8 | uint64(s[2])<<16 | uint64(s[3])<<24 |
		uint64(s[4])<<32 | uint64(s[5])<<40 | uint64(s[6])<<48 | uint64(s[7])<<56
}

// clean reports that s certainly holds no secret.
func (s *Scrubber) clean(in string) bool {
	if strings.IndexByte(in, '%') >= 0 {
		return false
	}
	for i := 0; i+3 <= len(in); i++ {
		if in[i]|0x20 == 's' && in[i+1]|0x20 == 'k' && in[i+2] == '-' {
			return false
		}
	}
	if s == nil || s.re == nil {
		return true
	}
	for i := 0; i+8 <= len(in); i++ {
		w := word(in[i:])
		if s.exact.has(w) || s.folded.has(w|fold) {
			return false
		}
	}
	return true
}

// alternation matches any of fs, the longest first.
func alternation(fs []string) string {
	fs = slices.Clone(fs)
	slices.SortFunc(fs, func(a, b string) int { return cmp.Or(len(b)-len(a), strings.Compare(a, b)) })
	fs = slices.Compact(fs)
	quoted := make([]string, len(fs))
	for i, f := range fs {
		quoted[i] = regexp.QuoteMeta(f)
	}
	return strings.Join(quoted, "|")
}

var keyShapedOnly = regexp.MustCompile(keyShaped)

func (s *Scrubber) regexp() *regexp.Regexp {
	if s == nil || s.re == nil {
		return keyShapedOnly
	}
	return s.re
}

// percentAll is f with every byte percent-encoded.
func percentAll(f string) string {
	var sb strings.Builder
	for i := 0; i < len(f); i++ {
		sb.WriteString("%")
		sb.WriteString(strings.ToUpper(hex2(f[i])))
	}
	return sb.String()
}

func hex2(b byte) string {
	const digits = "0123456789abcdef"
	return string([]byte{digits[b>>4], digits[b&15]})
}

// base64Forms are the runs of base64 characters that encode only f's
// bytes, whatever precedes f in the encoded text: f starting at offset 0, 1
// or 2 of a 3-byte group, in both alphabets. The characters that mix in
// the neighbours' bits are left off at both ends.
func base64Forms(f string) []string {
	var out []string
	for _, enc := range []*base64.Encoding{base64.RawStdEncoding, base64.RawURLEncoding} {
		for k := range 3 {
			e := enc.EncodeToString([]byte(strings.Repeat("\x00", k) + f))
			from := (8*k + 5) / 6      // the first character made of f's bits only
			to := 8 * (k + len(f)) / 6 // past the last character made of f's bits only
			if to-from >= MinSecret {
				out = append(out, e[from:to])
			}
		}
	}
	return out
}

// String is in with every secret replaced by Redacted. A percent-encoded
// secret is found too: when in decodes to text holding one, the decoded
// text, scrubbed, is returned.
func (s *Scrubber) String(in string) string {
	if s.clean(in) {
		return in
	}
	re := s.regexp()
	out := re.ReplaceAllString(in, Redacted)
	if strings.Contains(out, "%") {
		if dec := unescape(out); dec != out && re.MatchString(dec) {
			return re.ReplaceAllString(dec, Redacted)
		}
	}
	return out
}

// unescape decodes every valid %XX of s and keeps the rest as it is, so a
// stray "%" elsewhere does not hide an encoded secret.
func unescape(s string) string {
	var sb strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '%' && i+2 < len(s) && isHex(s[i+1]) && isHex(s[i+2]) {
			sb.WriteByte(unhex(s[i+1])<<4 | unhex(s[i+2]))
			i += 2
			continue
		}
		sb.WriteByte(s[i])
	}
	return sb.String()
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

func unhex(c byte) byte {
	switch {
	case c <= '9':
		return c - '0'
	case c <= 'F':
		return c - 'A' + 10
	}
	return c - 'a' + 10
}

// Error is err with its message scrubbed, or nil.
func (s *Scrubber) Error(err error) error {
	if err == nil {
		return nil
	}
	msg := err.Error()
	if clean := s.String(msg); clean != msg {
		return &scrubbed{msg: clean, err: err}
	}
	return err
}

// scrubbed keeps the chain of the original error (errors.Is and As still
// see it) under a clean message.
type scrubbed struct {
	msg string
	err error
}

func (e *scrubbed) Error() string { return e.msg }
func (e *scrubbed) Unwrap() error { return e.err }

var rawMessage = reflect.TypeFor[json.RawMessage]()

// Value scrubs, in place, every string reachable from v, a pointer: struct
// fields (exported ones), slice, array and map elements, map keys, values
// behind pointers and interfaces, and the strings inside json.RawMessage
// values (decoded, so escapes do not hide a secret).
func (s *Scrubber) Value(v any) {
	rv := reflect.ValueOf(v)
	if rv.Kind() != reflect.Pointer || rv.IsNil() {
		return
	}
	s.walk(rv.Elem())
}

func (s *Scrubber) walk(v reflect.Value) {
	switch v.Kind() {
	case reflect.String:
		if v.CanSet() {
			if clean := s.String(v.String()); clean != v.String() {
				v.SetString(clean)
			}
		}
	case reflect.Pointer:
		if !v.IsNil() {
			s.walk(v.Elem())
		}
	case reflect.Interface:
		if v.IsNil() || !v.CanSet() {
			return
		}
		c := reflect.New(v.Elem().Type()).Elem()
		c.Set(v.Elem())
		s.walk(c)
		v.Set(c)
	case reflect.Struct:
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				s.walk(v.Field(i))
			}
		}
	case reflect.Slice:
		if v.Type() == rawMessage {
			s.raw(v)
			return
		}
		if v.Type().Elem().Kind() == reflect.Uint8 {
			return // bytes, not text
		}
		for i := range v.Len() {
			s.walk(v.Index(i))
		}
	case reflect.Array:
		for i := range v.Len() {
			s.walk(v.Index(i))
		}
	case reflect.Map:
		if v.IsNil() {
			return
		}
		iter := v.MapRange()
		type kv struct{ k, v reflect.Value }
		var entries []kv
		for iter.Next() {
			k := reflect.New(v.Type().Key()).Elem()
			k.Set(iter.Key())
			e := reflect.New(v.Type().Elem()).Elem()
			e.Set(iter.Value())
			entries = append(entries, kv{k, e})
		}
		for _, e := range entries {
			old := reflect.New(v.Type().Key()).Elem()
			old.Set(e.k)
			s.walk(e.k)
			s.walk(e.v)
			if !e.k.Equal(old) {
				v.SetMapIndex(old, reflect.Value{})
			}
			v.SetMapIndex(e.k, e.v)
		}
	}
}

// raw scrubs the strings of a JSON document, re-encoding it only when a
// string changed. A document that does not decode is scrubbed as text.
func (s *Scrubber) raw(v reflect.Value) {
	b := v.Bytes()
	if len(b) == 0 || !v.CanSet() {
		return
	}
	var doc any
	d := json.NewDecoder(strings.NewReader(string(b)))
	d.UseNumber()
	if err := d.Decode(&doc); err != nil {
		if clean := s.String(string(b)); clean != string(b) {
			v.SetBytes([]byte(clean))
		}
		return
	}
	before, _ := json.Marshal(doc)
	s.Value(&doc)
	after, _ := json.Marshal(doc)
	if string(before) != string(after) {
		v.SetBytes(after)
	}
}
