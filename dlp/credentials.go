package dlp

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"hash/crc32"
	"strings"
)

// The formats below are the providers' documented prefixes and lengths
// (or, where a provider publishes none, the shape every secret scanner
// agrees on: gitleaks' default rules). docs/dlp.md lists them.

func isKeyChar(c byte) bool { return isAlnum(c) || c == '_' || c == '-' }

func isB64(c byte) bool { return isAlnum(c) || c == '/' || c == '+' }

func isB64URL(c byte) bool { return isAlnum(c) || c == '-' || c == '_' }

// openAIPrefixes are tried longest first; "sk-" alone is the legacy form.
var openAIPrefixes = []string{"sk-proj-", "sk-admin-", "sk-svcacct-", "sk-None-", "sk-"}

// openAIMarker is "OpenAI" in base64: every OpenAI key holds it.
var openAIMarker = []byte("T3BlbkFJ")

func openAIOrAnthropic(b []byte, i int, res Result) int {
	if !bytes.HasPrefix(b[i:], []byte("sk-")) {
		return 0
	}
	if bytes.HasPrefix(b[i:], []byte("sk-ant-")) {
		return anthropicKey(b, i, res)
	}
	if bytes.HasPrefix(b[i:], []byte("sk-or-v1-")) {
		start := i + len("sk-or-v1-")
		end := runMax(b, start, 65, isKeyChar)
		if end-start == 64 && all(b[start:end], isLowerHex) && variety(b[start:end]) {
			res.add(OpenRouterKey, tail("sk-or-v1-", b[start:end]), High)
		}
		return end
	}
	for _, p := range openAIPrefixes {
		if !bytes.HasPrefix(b[i:], []byte(p)) {
			continue
		}
		start := i + len(p)
		end := runMax(b, start, 301, isKeyChar)
		body := b[start:end]
		switch {
		case len(body) < 32:
			if len(body) < 8 {
				return 0
			}
			return end
		case len(body) > 300 || !variety(body):
			// A later "sk-" inside this run would read a part of it:
			// shorter, or no more varied. Skip it.
			return end
		case len(body) >= 40 && bytes.Contains(body, openAIMarker):
			res.add(OpenAIKey, tail(p, body), High)
		case p != "sk-":
			// The right prefix without the marker: a made-up or redacted
			// key more often than a real one.
			res.add(OpenAIKey, tail(p, body), Low)
		}
		return end
	}
	return 0
}

// anthropicKey reads sk-ant-<kind><NN>-<body>: api03 and admin01 keys
// are 93 characters and AA.
func anthropicKey(b []byte, i int, res Result) int {
	k := i + len("sk-ant-")
	kindEnd := run(b, k, isLower)
	digitsEnd := run(b, kindEnd, isDigit)
	if kindEnd == k || digitsEnd-kindEnd != 2 || digitsEnd >= len(b) || b[digitsEnd] != '-' {
		return 0
	}
	kind := string(b[k:digitsEnd])
	start := digitsEnd + 1
	end := runMax(b, start, 121, isKeyChar)
	body := b[start:end]
	prefix := "sk-ant-" + kind + "-"
	documented := kind == "api03" || kind == "admin01"
	switch {
	case documented && len(body) == 95 && bytes.HasSuffix(body, []byte("AA")) && variety(body):
		res.add(AnthropicKey, tail(prefix, body), High)
	case !documented && len(body) >= 80 && len(body) <= 120 && variety(body):
		res.add(AnthropicKey, tail(prefix, body), Medium)
	}
	return end
}

const base62Digits = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

// crc32Base62 reports whether a 36-character token body ends in the
// CRC-32 (IEEE) of its first 30 characters, in base62 (digits, upper,
// lower) padded to six: the checksum of GitHub's ghp_/gho_/ghu_/ghs_/ghr_
// tokens (GitHub's post on its token formats, April 2021) and npm's
// npm_ tokens (npm's, September 2021). Which characters the CRC covers
// and the alphabet's order are not in those posts; two independent
// public implementations (Samsung's CredSweeper, therootcompany's
// base62-token.js) agree on them.
func crc32Base62(body []byte) bool {
	if len(body) != 36 {
		return false
	}
	n := crc32.ChecksumIEEE(body[:30])
	var enc [6]byte
	for k := len(enc) - 1; k >= 0; k-- {
		enc[k] = base62Digits[n%62]
		n /= 62
	}
	return bytes.Equal(enc[:], body[30:])
}

// prefixSpec is a token of a fixed prefix and body length.
type prefixSpec struct {
	prefix   string
	detector string
	n        int
	body     func(byte) bool
	// checksum: the body ends in a CRC-32 of the rest (crc32Base62);
	// without it the token is medium.
	checksum bool
}

var (
	replicatePrefix  = prefixSpec{"r8_", ReplicateToken, 37, isAlnum, false}
	hfPrefix         = prefixSpec{"hf_", HuggingFaceToken, 34, isLetter, false}
	hfOrgPrefix      = prefixSpec{"api_org_", HuggingFaceToken, 34, isLetter, false}
	groqPrefix       = prefixSpec{"gsk_", GroqKey, 52, isAlnum, false}
	xaiPrefix        = prefixSpec{"xai-", XAIKey, 80, isAlnum, false}
	perplexityPrefix = prefixSpec{"pplx-", PerplexityKey, 48, isAlnum, false}
	npmPrefix        = prefixSpec{"npm_", NPMToken, 36, isAlnum, true}
)

func prefixed(b []byte, i int, res Result, p prefixSpec) int {
	if !bytes.HasPrefix(b[i:], []byte(p.prefix)) {
		return 0
	}
	start := i + len(p.prefix)
	end := runMax(b, start, p.n+1, p.body)
	body := b[start:end]
	random := variety(body)
	if !p.body('0') { // letters only
		random = distinct(body) >= 10 && hasUpperLower(body)
	}
	if len(body) == p.n && random && endsWord(b, end, isKeyChar) {
		conf := High
		if p.checksum && !crc32Base62(body) {
			conf = Medium
		}
		res.add(p.detector, tail(p.prefix, body), conf)
		return end
	}
	return max(end, i+1)
}

var stripePrefixes = []struct {
	prefix string
	conf   Confidence
}{
	{"sk_live_", High}, {"rk_live_", High}, {"sk_prod_", High}, {"rk_prod_", High},
	{"sk_test_", Medium}, {"rk_test_", Medium}, {"whsec_", High},
}

func stripe(b []byte, i int, res Result) int {
	for _, p := range stripePrefixes {
		if !bytes.HasPrefix(b[i:], []byte(p.prefix)) {
			continue
		}
		start := i + len(p.prefix)
		end := runMax(b, start, 100, isAlnum)
		body := b[start:end]
		if len(body) >= 20 && len(body) <= 99 && variety(body) && endsWord(b, end, isKeyChar) {
			res.add(StripeKey, tail(p.prefix, body), p.conf)
		}
		return max(end, i+1)
	}
	return 0
}

var githubPrefixes = []string{"ghp_", "gho_", "ghu_", "ghs_", "ghr_"}

func githubToken(b []byte, i int, res Result) int {
	if bytes.HasPrefix(b[i:], []byte("github_pat_")) {
		start := i + len("github_pat_")
		end := run(b, start, func(c byte) bool { return isAlnum(c) || c == '_' })
		if end-start == 82 && variety(b[start:end]) {
			res.add(GitHubToken, tail("github_pat_", b[start:end]), High)
			return end
		}
		return 0
	}
	for _, p := range githubPrefixes {
		if bytes.HasPrefix(b[i:], []byte(p)) {
			start := i + 4
			end := run(b, start, isAlnum)
			if end-start == 36 && variety(b[start:end]) && endsWord(b, end, isWordByte) {
				conf := High
				if !crc32Base62(b[start:end]) {
					conf = Medium
				}
				res.add(GitHubToken, tail(p, b[start:end]), conf)
				return end
			}
			return 0
		}
	}
	return 0
}

var gitlabPrefixes = []string{"glpat-", "gldt-", "glrt-", "glptt-", "glcbt-", "gloas-", "glsoat-", "glft-", "glimt-", "glagent-", "glffct-"}

func isGitLabChar(c byte) bool { return isKeyChar(c) || c == '.' }

func gitlabToken(b []byte, i int, res Result) int {
	for _, p := range gitlabPrefixes {
		if !bytes.HasPrefix(b[i:], []byte(p)) {
			continue
		}
		start := i + len(p)
		end := runMax(b, start, 310, isGitLabChar)
		for end > start && b[end-1] == '.' {
			end-- // a sentence's full stop
		}
		body := b[start:end]
		if len(body) >= 20 && len(body) <= 300 && variety(body) {
			res.add(GitLabToken, tail(p, body), High)
		}
		return max(end, i+1)
	}
	return 0
}

func gitlabRunnerToken(b []byte, i int, res Result) int {
	const p = "GR1348941"
	if !bytes.HasPrefix(b[i:], []byte(p)) {
		return 0
	}
	start := i + len(p)
	end := runMax(b, start, 21, isKeyChar)
	if end-start == 20 && variety(b[start:end]) {
		res.add(GitLabToken, tail(p, b[start:end]), High)
	}
	return end
}

func databricksToken(b []byte, i int, res Result) int {
	if !bytes.HasPrefix(b[i:], []byte("dapi")) {
		return 0
	}
	start := i + 4
	end := runMax(b, start, 33, isLowerHex)
	if end-start != 32 || !variety(b[start:end]) {
		return 0
	}
	if end+1 < len(b) && b[end] == '-' && isDigit(b[end+1]) {
		end += 2
	}
	if !endsWord(b, end, isKeyChar) {
		return 0
	}
	res.add(DatabricksToken, tail("dapi", b[start:i+36]), High)
	return end
}

func pypiToken(b []byte, i int, res Result) int {
	const p = "pypi-AgEIcHlwaS5vcmc"
	if !bytes.HasPrefix(b[i:], []byte(p)) {
		return 0
	}
	start := i + len(p)
	end := runMax(b, start, 1001, isKeyChar)
	if end-start >= 50 && end-start <= 1000 && variety(b[start:end]) {
		res.add(PyPIToken, tail("pypi-", b[start:end]), High)
	}
	return end
}

func sendGridKey(b []byte, i int, res Result) int {
	if !bytes.HasPrefix(b[i:], []byte("SG.")) {
		return 0
	}
	a := i + 3
	e1 := runMax(b, a, 23, isKeyChar)
	if e1-a != 22 || e1 >= len(b) || b[e1] != '.' {
		return 0
	}
	e2 := runMax(b, e1+1, 44, isKeyChar)
	if e2-(e1+1) != 43 || !variety(b[e1+1:e2]) {
		return e2
	}
	res.add(SendGridKey, tail("SG.", b[e1+1:e2]), High)
	return e2
}

func twilioKey(b []byte, i int, res Result) int {
	if !bytes.HasPrefix(b[i:], []byte("SK")) {
		return 0
	}
	end := runMax(b, i+2, 33, isHex)
	body := b[i+2 : end]
	if len(body) != 32 || !variety(body) || !endsWord(b, end, isWordByte) || !oneCaseHex(body) {
		return 0
	}
	conf := Medium
	if near(b, i, end, 120, 0, []string{"twilio"}) {
		conf = High
	}
	res.add(TwilioKey, tail("SK", body), conf)
	return end
}

func slackToken(b []byte, i int, res Result) int {
	j := i
	if bytes.HasPrefix(b[i:], []byte("xoxe.")) {
		j = i + 5 // xoxe.xoxp-1-…: a configuration token
	}
	if len(b)-j < 5 || b[j+4] != '-' {
		return 0
	}
	switch string(b[j : j+4]) {
	case "xoxa", "xoxb", "xoxp", "xoxr", "xoxs", "xoxo", "xoxe", "xapp":
	default:
		return 0
	}
	kind := string(b[j : j+4])
	// xoxb-<team id>-<bot id>-<secret>, xapp-1-<app id>-<number>-<secret>,
	// xoxe-1-<secret>, legacy xoxs-<n>-<n>-<n>-<hex>, xoxa-2-<secret>:
	// numbered segments, then letters and digits.
	end := runMax(b, j+5, 300, func(c byte) bool { return isAlnum(c) || c == '-' })
	body := b[j+5 : end]
	parts := strings.Split(string(body), "-")
	numbered := 0
	for _, p := range parts[:len(parts)-1] {
		if p != "" && strings.Trim(p, "0123456789") == "" {
			numbered++
		}
	}
	last := parts[len(parts)-1]
	conf := Confidence(0)
	switch {
	case j > i && len(last) < 64:
		// xoxe.xoxp-1-<secret>: configuration tokens' secrets are long
		// (160 or so); "xoxe.xoxp-1-RANDOMSTRINGHERE" is a placeholder.
	case numbered >= 2 && len(parts[0]) < 8 && repeated(parts[:len(parts)-1]):
		// xoxp-1234-1234-1234-…: placeholder ids (Slack's are 9 to 13 digits)
	case numbered >= 1 && len(last) >= 16 && distinct([]byte(last)) >= 8:
		conf = High
	case numbered >= 1 && len(last) >= 6 && len(body) >= legacyMin[kind] && distinct([]byte(last)) >= 5:
		conf = Medium // legacy shapes with a short last segment
	case (kind == "xoxa" || kind == "xoxr") && len(parts) == 1 && len(last) >= 8 && len(last) <= 48 && variety([]byte(last)):
		conf = Medium
	}
	if conf == 0 {
		return end // a later "xox" in this run would read a part of it
	}
	res.add(SlackToken, string(b[i:j+5])+"…"+string(b[end-4:end]), conf)
	return end
}

// legacyMin is the shortest body of a legacy Slack token (numbered
// segments and a short last one) taken as one: xoxo-100-pL4Sav7t and
// xoxs-02-7Yq5eRv7c (detect-secrets' tests) are of the old kinds; a bot
// or user token that short (xoxb-12345-abcd234, gitleaks' false
// positive) is not.
var legacyMin = map[string]int{"xoxo": 12, "xoxs": 12, "xoxa": 12, "xoxr": 12, "xoxb": 14, "xoxp": 14, "xoxe": 14, "xapp": 14}

// repeated reports whether every part is the same.
func repeated(parts []string) bool {
	for _, p := range parts {
		if p != parts[0] {
			return false
		}
	}
	return true
}

// googleExampleKeys are the SHA-256 digests of Google API keys published
// as examples in Firebase's Android SDK (firebase/firebase-android-sdk),
// which gitleaks v8.30.1's gcp-api-key rule also allows: they are in
// every copy of that SDK's sources, and no one's secret. Digests, so
// this file holds no key.
var googleExampleKeys = digests(
	"f56e323494a6ffc2064e7a955908957d84f0755e5f975dabd64328d0359a8f7c",
	"2037abcaffb2b77785da716cf7ccff4ff4d00c4ea930db0167b7d71f50af7eb4",
	"3f370c9dd8225c63b5c77de1f785edc9712958f18bb612d5fa2e0ae33aeca682",
	"e4a5542bb7fd7b67e943c71ad29c34b5972c9840597e7eda53e666f44d5da0b9",
	"a19f89ab3555eac10c40741f6df79ecf0935998f15569f8db9d67bce0181fff6",
	"0b476bdf9acf2123d547b5ae76f1e59884d8ec9553ee0c47e9f31fd4768f3f3c",
	"eb540d2b6ee2a0a47c5779bc8a0141784c6b753840d4c6f4e2428a6e86e9e0b1",
	"37f8f09bdf12c2f2eae4ead7273a62ddb0c23459cbf902892f282b57f7ed6619",
	"8731261cb72d86267a32a532ebd3df429e2144e5e4ced7e13568bc9e6c8fb1b1",
	"49f777db995e8260da7ca9ffdf0c08d66f0453e97ec967018baf2cdfe3b582d0",
	"27a9a42931dff7eb2f8434e20a9bce976ea364e7bee49187f19d5cfeca9c7045",
	"dc0fcf046c61640cbd1e8b999ada3262d722c2ca4bf42dceac999020ffdbb614",
	"4c98242dcadc8b29005c6b4aad526552d5ea1842149154c0694adeec75847583",
	"ea9bb1082cf95663f5faca23b8b15ef2aa0fce0a5c6df9c32dcb85b2e0a4513d",
	"3a8b61d0f636b007840c0d40ba12bcf48465dc054cdc1a68704a33521d84b665",
	"a6c814bc555ae62c7bd8b58ec07bf559c7ed3a009976a1e0acc9cef0d4473b41",
)

// digests decodes hexadecimal SHA-256 digests into a set.
func digests(hexes ...string) map[[32]byte]bool {
	set := make(map[[32]byte]bool, len(hexes))
	for _, h := range hexes {
		var d [32]byte
		if n, err := hex.Decode(d[:], []byte(h)); err != nil || n != len(d) {
			panic("dlp: not a SHA-256 digest: " + h)
		}
		set[d] = true
	}
	return set
}

// slackWebhook reads hooks.slack.com/services/T…/B…/<secret>: an incoming
// webhook's URL, which is its credential (the scheme does not matter).
func slackWebhook(b []byte, i int, res Result) int {
	const host = "hooks.slack.com/services/"
	if !bytes.HasPrefix(b[i:], []byte(host)) {
		return 0
	}
	k := i + len(host)
	team := run(b, k, isAlnum)
	if team-k < 9 || b[k] != 'T' || team >= len(b) || b[team] != '/' {
		return team
	}
	bot := run(b, team+1, isAlnum)
	if bot-(team+1) < 9 || b[team+1] != 'B' || bot >= len(b) || b[bot] != '/' {
		return bot
	}
	end := run(b, bot+1, isAlnum)
	if end-(bot+1) < 20 || !variety(b[bot+1:end]) {
		return end // placeholder ids or secret (T0/B0/X, XXXX)
	}
	res.add(SlackToken, "hooks.slack.com/services/…"+string(b[end-4:end]), High)
	return end
}

// npmAuthToken reads an .npmrc line's token, //registry/:_authToken=<token>
// (npm's legacy tokens are UUIDs; any value but a ${VAR} reference), at
// the "_" of _authToken.
func npmAuthToken(b []byte, i int, res Result) int {
	const key = "_authToken="
	if !bytes.HasPrefix(b[i:], []byte(key)) || i < 4 || b[i-1] != ':' || b[i-2] != '/' {
		return 0
	}
	// The registry: //host[:port][/path]/ back to the start of the line's
	// word.
	k := i - 2
	for k > 0 && !isSpace(b[k-1]) && b[k-1] != '"' && b[k-1] != '\'' {
		k--
	}
	if !bytes.HasPrefix(b[k:], []byte("//")) || i-2-k < 3 {
		return 0
	}
	v := i + len(key)
	end := v
	for end < len(b) && !isSpace(b[end]) && b[end] != '"' && b[end] != '\'' {
		end++
	}
	value := b[v:end]
	if len(value) < 8 || value[0] == '$' || value[0] == '{' || bytes.HasPrefix(value, []byte("npm_")) {
		return 0 // a variable, or an npm_ token counted as such
	}
	res.add(NPMToken, "_authToken=…"+string(value[len(value)-4:]), Medium)
	return end
}

func googleKey(b []byte, i int, res Result) int {
	if !bytes.HasPrefix(b[i:], []byte("AIza")) || len(b)-i < 39 {
		return 0
	}
	end := runMax(b, i+4, 36, isKeyChar)
	if end-i != 39 || !variety(b[i+4:end]) || googleExampleKeys[sha256.Sum256(b[i:end])] {
		return end
	}
	res.add(GoogleAPIKey, "AIza…"+string(b[end-4:end]), High)
	return end
}

var awsPrefixes = []string{"AKIA", "ASIA", "AGPA", "AIDA", "AROA", "AIPA", "ANPA", "ANVA", "ABIA", "ACCA", "APKA", "ASCA"}

func awsKeyID(b []byte, i int, res Result, st *scanState) int {
	if len(b)-i < 20 {
		return 0
	}
	ok := bytes.HasPrefix(b[i:], []byte("A3T")) && isAlnum(b[i+3])
	for _, p := range awsPrefixes {
		ok = ok || string(b[i:i+4]) == p
	}
	if !ok {
		return 0
	}
	body := b[i+4 : i+20]
	if !all(body, func(c byte) bool { return isUpper(c) || isDigit(c) }) || !endsWord(b, i+20, isAlnum) {
		return 0
	}
	if bytes.HasSuffix(body, []byte("EXAMPLE")) || distinct(body) < 6 {
		// AWS's documentation examples, AKIAXXXXXXXXXXXXXXXX placeholders.
		return i + 20
	}
	res.add(AWSAccessKeyID, string(b[i:i+4])+"…"+string(b[i+16:i+20]), High)
	// Its secret is usually written beside it.
	awsSecretIn(b, max(0, i-200), i, res, st, High)
	awsSecretIn(b, i+20, min(len(b), i+220), res, st, High)
	return i + 20
}

// awsSecretIn counts the first 40-character secret access key that
// begins in b[from:to].
func awsSecretIn(b []byte, from, to int, res Result, st *scanState, conf Confidence) bool {
	for k := from; k < to; k++ {
		if !isB64(b[k]) || (k > 0 && isB64(b[k-1])) {
			continue
		}
		end := runMax(b, k, 41, isB64)
		if k > 0 && (b[k-1] == '-' || b[k-1] == '.' || b[k-1] == '_') {
			// the end of a longer token: a URL's path
			// (…/comprehend-2017-11-27/DescribeTargetedSentimentDetectionJob)
			k = end
			continue
		}
		if end-k == 40 && !st.seen[k] && awsSecret(b[k:end]) && endsWord(b, end, isB64) {
			st.seen[k] = true
			res.add(AWSSecretAccessKey, "…"+string(b[end-4:end]), conf)
			return true
		}
		k = end
	}
	return false
}

// awsSecret: a 40-character token that looks random, not a path or an
// identifier that happens to be 40 characters of the base64 alphabet
// (service/elasticloadbalancingv2/CHANGELOG, AwsEc2LaunchTemplateDataPlacementDetails):
// no run of nine lower-case letters, fewer than five capitalised words.
// (A random key fails either test about once in a hundred.)
func awsSecret(tok []byte) bool {
	if !variety(tok) || !hasUpperLower(tok) || bytes.Contains(tok, []byte("EXAMPLE")) {
		return false
	}
	lowerRun, words := 0, 0
	for k, c := range tok {
		if isLower(c) {
			lowerRun++
			if lowerRun >= 9 {
				return false
			}
		} else {
			lowerRun = 0
		}
		if isUpper(c) && k+3 < len(tok) && isLower(tok[k+1]) && isLower(tok[k+2]) && isLower(tok[k+3]) {
			words++
		}
	}
	return words < 5
}

var pemKinds = []string{"RSA ", "EC ", "DSA ", "OPENSSH ", "ENCRYPTED ", "SSH2 ENCRYPTED ", ""}

// puttyKey reads a PuTTY private key file (.ppk, versions 2 and 3): its
// first line, then Private-Lines: and Private-MAC: within 16 KiB.
func puttyKey(b []byte, i int, res Result) int {
	const first = "PuTTY-User-Key-File-"
	if !bytes.HasPrefix(b[i:], []byte(first)) || len(b)-i < len(first)+2 || b[i+len(first)+1] != ':' {
		return 0
	}
	if v := b[i+len(first)]; v != '2' && v != '3' {
		return 0
	}
	window := b[i:min(len(b), i+16<<10)]
	lines := bytes.Index(window, []byte("\nPrivate-Lines:"))
	if lines < 0 {
		return 0
	}
	mac := bytes.Index(window[lines:], []byte("\nPrivate-MAC:"))
	if mac < 0 {
		return 0
	}
	res.add(PrivateKey, "PuTTY-User-Key-File-"+string(b[i+len(first)])+":", High)
	return i + lines + mac
}

func privateKey(b []byte, i int, res Result, st *scanState) int {
	const begin = "-----BEGIN "
	if !bytes.HasPrefix(b[i:], []byte(begin)) {
		return 0
	}
	rest := b[i+len(begin):]
	label := ""
	switch {
	case bytes.HasPrefix(rest, []byte("PGP PRIVATE KEY BLOCK-----")):
		label = "PGP PRIVATE KEY BLOCK"
	default:
		for _, k := range pemKinds {
			if bytes.HasPrefix(rest, []byte(k+"PRIVATE KEY-----")) {
				label = k + "PRIVATE KEY"
				break
			}
		}
	}
	if label == "" {
		return 0
	}
	header := "-----BEGIN " + label + "-----"
	bodyStart := i + len(header)
	body := b[bodyStart:]
	endMarker := []byte("-----END " + label + "-----")
	next, ok := st.pemEnd[label]
	if !ok || (next >= 0 && next < bodyStart) {
		next = -1
		if k := bytes.Index(body, endMarker); k >= 0 {
			next = bodyStart + k
		}
		st.pemEnd[label] = next
	}
	if next < 0 || next-bodyStart > 64<<10 {
		return 0
	}
	j := next - bodyStart
	// The block must hold key material, not be an empty template.
	material := 0
	for _, c := range body[:j] {
		if isB64(c) || c == '=' {
			material++
		}
	}
	if material < 64 {
		return 0
	}
	res.add(PrivateKey, header, High)
	return i + len(header) + j + len(endMarker)
}

// jwtStart reports whether a base64url segment can begin a JSON object:
// "{" followed by a quote, a space or a line break encodes as eyJ, eyA,
// eyB…, ew0 or ewo.
func jwtStart(b []byte, i int) bool {
	return len(b)-i >= 3 && b[i] == 'e' && (b[i+1] == 'y' || b[i+1] == 'w')
}

func jwt(b []byte, i int, res Result) int {
	if !jwtStart(b, i) {
		return 0
	}
	// Any later "ey" in the header's run ends where this one does, and
	// fails the same way: a rejected candidate is skipped to there.
	h := run(b, i, isB64URL)
	if h >= len(b) || b[h] != '.' || !jwtStart(b, h+1) || h-i < 10 {
		return h
	}
	p := run(b, h+1, isB64URL)
	// Unsigned tokens are written header.payload. (RFC 7519's unsecured
	// JWT) and, often, without the last dot.
	twoParts := p >= len(b) || b[p] != '.'
	sig := p
	if !twoParts {
		sig = run(b, p+1, isB64URL)
	}
	var hv map[string]any
	if !decodeJSONSegment(b[i:h], &hv) || !decodeJSONSegment(b[h+1:p], new(map[string]any)) {
		return h
	}
	alg, ok := hv["alg"].(string)
	if !ok {
		return h
	}
	conf := High
	switch {
	case !twoParts && sig-(p+1) >= 16:
	case (twoParts || sig == p+1) && strings.EqualFold(alg, "none"):
		conf = Medium // unsigned: alg none, empty or no signature
	default:
		return h
	}
	// The header says only how the token is signed: it is shown.
	res.add(JWT, string(b[i:min(h, i+12)])+"…", conf)
	return max(sig, min(p+1, len(b)))
}

func decodeJSONSegment(seg []byte, v any) bool {
	raw, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(string(seg), "="))
	return err == nil && json.Unmarshal(raw, v) == nil
}

// --- connection strings ------------------------------------------------

var connSchemes = map[string]bool{
	"postgres": true, "postgresql": true, "mysql": true, "mariadb": true, "mongodb": true, "mongodb+srv": true,
	"redis": true, "rediss": true, "amqp": true, "amqps": true, "mssql": true, "sqlserver": true, "oracle": true,
	"cockroachdb": true, "clickhouse": true, "snowflake": true, "ldap": true, "ldaps": true, "smtp": true, "smtps": true,
	"ftp": true, "sftp": true, "nats": true, "kafka": true,
}

func isSchemeChar(c byte) bool { return isAlnum(c) || c == '+' || c == '.' || c == '-' }

// connectionString reads scheme://user:password@host, and jdbc:scheme://…
func connectionString(b []byte, i int, res Result) int {
	k := i
	if hasPrefixFold(b, i, "jdbc:") {
		k += 5
	}
	se := runMax(b, k, 20, isSchemeChar)
	if se+3 > len(b) || string(b[se:se+3]) != "://" || !connSchemes[strings.ToLower(string(b[k:se]))] {
		return 0
	}
	u := se + 3
	at := -1
	limit := min(len(b), u+256)
	for j := u; j < limit; j++ {
		c := b[j]
		if c == '@' {
			at = j
		}
		if c <= ' ' || c == '/' || c == '"' || c == '\'' || c == '`' || c == '<' || c == '>' {
			break
		}
	}
	if at < 0 || at+1 >= len(b) || !isAlnum(b[at+1]) && b[at+1] != '[' {
		return 0
	}
	userinfo := b[u:at]
	colon := bytes.IndexByte(userinfo, ':')
	if colon < 0 {
		return 0
	}
	if !realPassword(userinfo[colon+1:]) {
		return at
	}
	res.add(ConnectionString, strings.ToLower(string(b[k:se]))+"://…:****@…", High)
	return at
}

// placeholderPasswords are words written where a password goes.
var placeholderPasswords = []string{"password", "passwd", "pass", "pwd", "secret", "changeme", "change_me", "example", "redacted", "hidden", "mypassword", "your_password", "yourpassword", "test", "none", "null"}

func realPassword(pw []byte) bool {
	if len(pw) < 3 || distinct(pw) < 3 {
		return false
	}
	switch pw[0] {
	case '$', '<', '{', '%', '[', '*':
		return false // ${VAR}, <password>, {{ .pw }}, %s, [pass], ****
	}
	s := strings.ToLower(string(pw))
	for _, p := range placeholderPasswords {
		if s == p {
			return false
		}
	}
	return !strings.HasPrefix(s, "xxx") && !strings.Contains(s, "password")
}

// oneCaseHex: hexadecimal in lower case or in upper case, not mixed.
func oneCaseHex(b []byte) bool {
	return all(b, isLowerHex) || all(b, func(c byte) bool { return isDigit(c) || c >= 'A' && c <= 'F' })
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }
