package dlp

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"strings"
)

// scanBuiltin is the one pass of the built-in detectors: at every byte
// that can begin a match (and is not inside a word), the detectors that
// begin with that byte try to read a candidate, which its validator then
// accepts or not. A match is skipped over, so no text is counted twice.
//
// Every detector reads at most a bounded stretch past its start, and one
// that rejects a candidate reports how far the candidate reached, so that
// the scan does not start again inside it: the pass stays linear whatever
// the text (a megabyte of "sk-sk-sk-…" included).
func scanBuiltin(b []byte, res Result) {
	st := &scanState{pemEnd: map[string]int{}}
	for i := 0; i < len(b); i++ {
		c := b[i]
		if i > 0 && isWordByte(b[i-1]) && c != '-' {
			continue // matches begin at a word boundary
		}
		var end int
		switch {
		case c == 's':
			end = openAIKey(b, i, res)
		case c == 'A':
			if end = awsKeyID(b, i, res); end == 0 {
				end = googleKey(b, i, res)
			}
			if end == 0 {
				end = nationalOrIBAN(b, i, res)
			}
		case c == 'g':
			end = githubToken(b, i, res)
		case c == 'x':
			end = slackToken(b, i, res)
		case c == '-':
			if i == 0 || b[i-1] != '-' {
				end = privateKey(b, i, res, st)
			}
		case c == 'e':
			end = jwt(b, i, res)
		case c >= '0' && c <= '9':
			if end = ssn(b, i, res); end == 0 {
				end = card(b, i, res)
			}
			if end == 0 {
				end = skipDigits(b, i)
			}
		case c >= 'B' && c <= 'Z':
			end = nationalOrIBAN(b, i, res)
		}
		if end > i {
			i = end - 1
		}
	}
}

func isWordByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_'
}

func isAlnum(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func isUpper(c byte) bool { return c >= 'A' && c <= 'Z' }

// endsWord reports whether position i ends a token: the end of the text
// or a byte that cannot continue the token.
func endsWord(b []byte, i int, cont func(byte) bool) bool {
	return i >= len(b) || !cont(b[i])
}

// run returns the end of the run of bytes accepted by ok starting at i.
func run(b []byte, i int, ok func(byte) bool) int {
	for i < len(b) && ok(b[i]) {
		i++
	}
	return i
}

// runMax is run, stopping after n bytes: a candidate longer than any valid
// value is rejected without reading all of it.
func runMax(b []byte, i, n int, ok func(byte) bool) int {
	limit := min(len(b), i+n)
	for i < limit && ok(b[i]) {
		i++
	}
	return i
}

// scanState is what one pass remembers between candidates.
type scanState struct {
	// pemEnd is, per PEM label, where the next END line starts (-1: none
	// in the rest of the text), so that many BEGIN lines without an END
	// do not each search the text again.
	pemEnd map[string]int
}

// skipDigits jumps over a number that matched nothing, so that its inner
// digits are not read again as candidates.
func skipDigits(b []byte, i int) int { return run(b, i, isDigit) }

// --- credentials -------------------------------------------------------

func isKeyChar(c byte) bool { return isAlnum(c) || c == '_' || c == '-' }

// variety reports whether a key body looks random: letters and digits and
// at least 8 distinct characters, so that "sk-xxxxxxxx…" placeholders do
// not match.
func variety(body []byte) bool {
	var seen [256]bool
	distinct, letters, digits := 0, 0, 0
	for _, c := range body {
		if !seen[c] {
			seen[c] = true
			distinct++
		}
		switch {
		case isDigit(c):
			digits++
		case isAlnum(c):
			letters++
		}
	}
	return distinct >= 8 && letters > 0 && digits > 0
}

func distinct(b []byte) int {
	var seen [256]bool
	n := 0
	for _, c := range b {
		if !seen[c] {
			seen[c] = true
			n++
		}
	}
	return n
}

var openAIPrefixes = []string{"sk-proj-", "sk-admin-", "sk-svcacct-", "sk-None-", "sk-"}

func openAIKey(b []byte, i int, res Result) int {
	for _, p := range openAIPrefixes {
		if !bytes.HasPrefix(b[i:], []byte(p)) {
			continue
		}
		start := i + len(p)
		end := runMax(b, start, 301, isKeyChar)
		body := b[start:end]
		if len(body) < 32 {
			return 0
		}
		if len(body) > 300 || !variety(body) {
			// A later "sk-" inside this run would read a part of it:
			// shorter, or no more varied. Skip it.
			return end
		}
		res.add(OpenAIKey, p+"…"+string(b[end-4:end]))
		return end
	}
	return 0
}

var awsPrefixes = []string{"AKIA", "ASIA", "AGPA", "AIDA", "AROA", "AIPA", "ANPA", "ANVA", "ABIA", "ACCA"}

func awsKeyID(b []byte, i int, res Result) int {
	if len(b)-i < 20 {
		return 0
	}
	ok := false
	for _, p := range awsPrefixes {
		if string(b[i:i+4]) == p {
			ok = true
			break
		}
	}
	if !ok {
		return 0
	}
	body := b[i+4 : i+20]
	for _, c := range body {
		if !isUpper(c) && !isDigit(c) {
			return 0
		}
	}
	if !endsWord(b, i+20, isAlnum) {
		return 0
	}
	res.add(AWSAccessKeyID, string(b[i:i+4])+"…"+string(b[i+16:i+20]))
	return i + 20
}

// awsSecretHints introduce an AWS secret access key. A bare 40-character
// base64 string is too common (hashes, ids) to count on its own.
var awsSecretHints = [][]byte{[]byte("aws_secret_access_key"), []byte("secret_access_key"), []byte("secretaccesskey"), []byte("aws_secret")}

func isB64(c byte) bool { return isAlnum(c) || c == '/' || c == '+' }

// scanAWSSecrets looks for a 40-character key after each hint, case
// insensitively (lower is text in lower case), with bytes.Index doing the
// searching.
func scanAWSSecrets(text, lower []byte, res Result) {
	seen := map[int]bool{}
	for _, hint := range awsSecretHints {
		for from := 0; ; {
			j := bytes.Index(lower[from:], hint)
			if j < 0 {
				break
			}
			at := from + j + len(hint)
			from = at
			limit := min(len(text), at+80)
			for k := at; k < limit; k++ {
				if !isB64(text[k]) || (k > 0 && isB64(text[k-1])) {
					continue
				}
				end := run(text, k, isB64)
				if end-k == 40 && !seen[k] && variety(text[k:end]) && hasUpperLower(text[k:end]) {
					seen[k] = true
					res.add(AWSSecretAccessKey, "…"+string(text[end-4:end]))
				}
				break
			}
		}
	}
}

func hasUpperLower(b []byte) bool {
	up, low := false, false
	for _, c := range b {
		up = up || isUpper(c)
		low = low || c >= 'a' && c <= 'z'
	}
	return up && low
}

var githubPrefixes = []string{"ghp_", "gho_", "ghu_", "ghs_", "ghr_"}

func githubToken(b []byte, i int, res Result) int {
	if bytes.HasPrefix(b[i:], []byte("github_pat_")) {
		start := i + len("github_pat_")
		end := run(b, start, func(c byte) bool { return isAlnum(c) || c == '_' })
		if end-start == 82 && variety(b[start:end]) {
			res.add(GitHubToken, "github_pat_…"+string(b[end-4:end]))
			return end
		}
		return 0
	}
	for _, p := range githubPrefixes {
		if bytes.HasPrefix(b[i:], []byte(p)) {
			start := i + 4
			end := run(b, start, isAlnum)
			if end-start == 36 && variety(b[start:end]) && endsWord(b, end, isWordByte) {
				res.add(GitHubToken, p+"…"+string(b[end-4:end]))
				return end
			}
			return 0
		}
	}
	return 0
}

func slackToken(b []byte, i int, res Result) int {
	if len(b)-i < 5 || b[i+4] != '-' {
		return 0
	}
	switch string(b[i : i+4]) {
	case "xoxa", "xoxb", "xoxp", "xoxr", "xoxs", "xoxo", "xapp":
	default:
		return 0
	}
	// xoxb-<team id>-<bot id>-<secret>, xapp-1-<app id>-<number>-<secret>:
	// numbered segments, then letters and digits.
	end := runMax(b, i+5, 256, func(c byte) bool { return isAlnum(c) || c == '-' })
	parts := strings.Split(string(b[i+5:end]), "-")
	numbered := 0
	for _, p := range parts[:max(len(parts)-1, 0)] {
		if len(p) >= 8 && strings.Trim(p, "0123456789") == "" {
			numbered++
		}
	}
	last := parts[len(parts)-1]
	if numbered < 1 || len(last) < 20 || distinct([]byte(last)) < 8 {
		return end // a later "xox" in this run would read a part of it
	}
	res.add(SlackToken, string(b[i:i+5])+"…"+string(b[end-4:end]))
	return end
}

func googleKey(b []byte, i int, res Result) int {
	if !bytes.HasPrefix(b[i:], []byte("AIza")) || len(b)-i < 39 {
		return 0
	}
	end := runMax(b, i+4, 36, isKeyChar)
	if end-i != 39 || !variety(b[i+4:end]) {
		return end
	}
	res.add(GoogleAPIKey, "AIza…"+string(b[end-4:end]))
	return end
}

var pemKinds = []string{"RSA ", "EC ", "DSA ", "OPENSSH ", "ENCRYPTED ", ""}

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
	res.add(PrivateKey, header)
	return i + len(header) + j + len(endMarker)
}

func isB64URL(c byte) bool { return isAlnum(c) || c == '-' || c == '_' }

func jwt(b []byte, i int, res Result) int {
	if !bytes.HasPrefix(b[i:], []byte("eyJ")) {
		return 0
	}
	// Any later "eyJ" in the header's run ends where this one does, and
	// fails the same way: a rejected candidate is skipped to there.
	h := run(b, i, isB64URL)
	if h >= len(b) || b[h] != '.' || !bytes.HasPrefix(b[h+1:], []byte("eyJ")) {
		return h
	}
	p := run(b, h+1, isB64URL)
	if p >= len(b) || b[p] != '.' {
		return h
	}
	sig := run(b, p+1, isB64URL)
	if sig-(p+1) < 16 {
		return h
	}
	header, err1 := base64.RawURLEncoding.DecodeString(strings.TrimRight(string(b[i:h]), "="))
	payload, err2 := base64.RawURLEncoding.DecodeString(strings.TrimRight(string(b[h+1:p]), "="))
	if err1 != nil || err2 != nil {
		return h
	}
	var hv, pv map[string]any
	if json.Unmarshal(header, &hv) != nil || json.Unmarshal(payload, &pv) != nil {
		return h
	}
	if _, ok := hv["alg"].(string); !ok {
		return h
	}
	// The header says only how the token is signed: it is shown.
	res.add(JWT, string(b[i:min(h, i+12)])+"…")
	return sig
}

// --- payment cards -----------------------------------------------------

// card reads 13 to 19 digits, plain or in groups of one separator (space
// or dash), and accepts them when they pass Luhn and belong to a known
// issuer range of that length.
func card(b []byte, i int, res Result) int {
	var digits [19]byte
	n := 0
	j := i
	var sep byte
	for j < len(b) {
		c := b[j]
		if isDigit(c) {
			if n == 19 {
				return 0 // longer than any card
			}
			digits[n] = c
			n++
			j++
			continue
		}
		if (c == ' ' || c == '-') && j+1 < len(b) && isDigit(b[j+1]) && n > 0 {
			if sep == 0 {
				sep = c
			} else if sep != c {
				break
			}
			j++
			continue
		}
		break
	}
	if n < 13 || !endsWord(b, j, func(c byte) bool { return isAlnum(c) || c == '.' && j+1 < len(b) && isDigit(b[j+1]) }) {
		return 0
	}
	num := digits[:n]
	if sep != 0 && !cardGrouping(b[i:j], sep) {
		return 0
	}
	if !luhn(num) || !issuer(num) || allSame(num) {
		return 0
	}
	res.add(PaymentCard, redactCard(num))
	return j
}

// cardGrouping accepts the groupings cards are printed in: fours (with a
// shorter last group), and Amex's 4-6-5.
func cardGrouping(text []byte, sep byte) bool {
	groups := strings.Split(string(text), string(sep))
	if len(groups) == 3 && len(groups[0]) == 4 && len(groups[1]) == 6 && len(groups[2]) == 5 {
		return true
	}
	for k, g := range groups {
		if len(g) != 4 && !(k == len(groups)-1 && len(g) >= 1 && len(g) <= 4) {
			return false
		}
	}
	return true
}

func luhn(d []byte) bool {
	sum := 0
	double := false
	for k := len(d) - 1; k >= 0; k-- {
		v := int(d[k] - '0')
		if double {
			v *= 2
			if v > 9 {
				v -= 9
			}
		}
		sum += v
		double = !double
	}
	return sum%10 == 0
}

func allSame(d []byte) bool {
	for _, c := range d {
		if c != d[0] {
			return false
		}
	}
	return true
}

// issuer checks the number against the issuer ranges and lengths of the
// card schemes in use.
func issuer(d []byte) bool {
	n := len(d)
	prefix := func(k int) int {
		v := 0
		for _, c := range d[:k] {
			v = v*10 + int(c-'0')
		}
		return v
	}
	p1, p2, p3, p4, p6 := prefix(1), prefix(2), prefix(3), prefix(4), prefix(6)
	switch {
	case p1 == 4: // Visa
		return n == 13 || n == 16 || n == 19
	case p2 >= 51 && p2 <= 55, p4 >= 2221 && p4 <= 2720: // Mastercard
		return n == 16
	case p2 == 34 || p2 == 37: // American Express
		return n == 15
	case p4 == 6011 || p2 == 65 || p3 >= 644 && p3 <= 649 || p6 >= 622126 && p6 <= 622925: // Discover
		return n >= 16 && n <= 19
	case p4 >= 3528 && p4 <= 3589: // JCB
		return n >= 16 && n <= 19
	case p3 >= 300 && p3 <= 305 || p2 == 36 || p2 == 38 || p2 == 39: // Diners Club
		return n >= 14 && n <= 19
	case p2 == 62: // UnionPay
		return n >= 16 && n <= 19
	case p2 == 50 || p2 >= 56 && p2 <= 58 || p2 == 63 || p2 == 67: // Maestro
		return n >= 12 && n <= 19
	}
	return false
}

func redactCard(d []byte) string {
	return string(d[:4]) + " **** **** " + string(d[len(d)-4:])
}

// --- national identifiers ----------------------------------------------

// ssn reads 123-45-6789 or 123 45 6789 and rejects the numbers the Social
// Security Administration never issues: area 000, 666 and 900-999, group
// 00, serial 0000, and numbers published as examples.
func ssn(b []byte, i int, res Result) int {
	if len(b)-i < 11 {
		return 0
	}
	s := b[i : i+11]
	sep := s[3]
	if sep != '-' && sep != ' ' || s[6] != sep {
		return 0
	}
	for _, k := range []int{0, 1, 2, 4, 5, 7, 8, 9, 10} {
		if !isDigit(s[k]) {
			return 0
		}
	}
	if !endsWord(b, i+11, func(c byte) bool { return isAlnum(c) || c == '-' }) {
		return 0
	}
	area, group, serial := string(s[0:3]), string(s[4:6]), string(s[7:11])
	if area == "000" || area == "666" || area[0] == '9' || group == "00" || serial == "0000" {
		return 0
	}
	switch area + group + serial {
	case "078051120", "219099999", "123456789":
		return 0
	}
	res.add(USSSN, "***-**-"+serial)
	return i + 11
}

// nationalOrIBAN tries the detectors that begin with a capital letter.
func nationalOrIBAN(b []byte, i int, res Result) int {
	if end := nino(b, i, res); end > 0 {
		return end
	}
	return iban(b, i, res)
}

// nino reads a UK National Insurance number: two prefix letters (neither
// D, F, I, Q, U nor V; the second not O; not BG, GB, KN, NK, NT, TN or ZZ),
// six digits (plain or in pairs), and a suffix A to D.
func nino(b []byte, i int, res Result) int {
	if len(b)-i < 9 || !isUpper(b[i]) || !isUpper(b[i+1]) {
		return 0
	}
	const bad1, bad2 = "DFIQUV", "DFIOQUV"
	if strings.IndexByte(bad1, b[i]) >= 0 || strings.IndexByte(bad2, b[i+1]) >= 0 {
		return 0
	}
	switch string(b[i : i+2]) {
	case "BG", "GB", "KN", "NK", "NT", "TN", "ZZ":
		return 0
	}
	j := i + 2
	spaced := j < len(b) && b[j] == ' '
	digits := 0
	for digits < 6 {
		if spaced {
			if j >= len(b) || b[j] != ' ' {
				return 0
			}
			j++
		}
		if j+1 >= len(b) || !isDigit(b[j]) || !isDigit(b[j+1]) {
			return 0
		}
		j += 2
		digits += 2
	}
	if spaced && j < len(b) && b[j] == ' ' {
		j++
	}
	if j >= len(b) || b[j] < 'A' || b[j] > 'D' || !endsWord(b, j+1, isAlnum) {
		return 0
	}
	res.add(UKNINO, string(b[i:i+2])+" ** ** ** "+string(b[j]))
	return j + 1
}

// ibanLengths is the IBAN length of each country that issues them.
var ibanLengths = map[string]int{
	"AD": 24, "AE": 23, "AL": 28, "AT": 20, "AZ": 28, "BA": 20, "BE": 16, "BG": 22, "BH": 22, "BI": 27,
	"BR": 29, "BY": 28, "CH": 21, "CR": 22, "CY": 28, "CZ": 24, "DE": 22, "DJ": 27, "DK": 18, "DO": 28,
	"EE": 20, "EG": 29, "ES": 24, "FI": 18, "FK": 18, "FO": 18, "FR": 27, "GB": 22, "GE": 22, "GI": 23,
	"GL": 18, "GR": 27, "GT": 28, "HR": 21, "HU": 28, "IE": 22, "IL": 23, "IQ": 23, "IS": 26, "IT": 27,
	"JO": 30, "KW": 30, "KZ": 20, "LB": 28, "LC": 32, "LI": 21, "LT": 20, "LU": 20, "LV": 21, "LY": 25,
	"MC": 27, "MD": 24, "ME": 22, "MK": 19, "MN": 20, "MR": 27, "MT": 31, "MU": 30, "NI": 28, "NL": 18,
	"NO": 15, "OM": 23, "PK": 24, "PL": 28, "PS": 29, "PT": 25, "QA": 29, "RO": 24, "RS": 22, "RU": 33,
	"SA": 24, "SC": 31, "SD": 18, "SE": 24, "SI": 19, "SK": 24, "SM": 27, "SO": 23, "ST": 25, "SV": 28,
	"TL": 23, "TN": 24, "TR": 26, "UA": 29, "VA": 22, "VG": 24, "XK": 20, "YE": 30,
}

// iban reads a country code, two check digits and the account part, plain
// or in groups of four, and accepts it when the length is the country's
// and the mod-97 check holds.
func iban(b []byte, i int, res Result) int {
	if len(b)-i < 15 || !isUpper(b[i]) || !isUpper(b[i+1]) || !isDigit(b[i+2]) || !isDigit(b[i+3]) {
		return 0
	}
	want, ok := ibanLengths[string(b[i:i+2])]
	if !ok {
		return 0
	}
	var chars [34]byte
	n := 0
	j := i
	grouped := false
	for j < len(b) && n < want {
		c := b[j]
		switch {
		case isUpper(c) || isDigit(c):
			chars[n] = c
			n++
			j++
		case c == ' ' && n%4 == 0 && n > 0 && j+1 < len(b) && (isUpper(b[j+1]) || isDigit(b[j+1])):
			grouped = true
			j++
		default:
			return 0
		}
	}
	if n != want || !endsWord(b, j, isAlnum) {
		return 0
	}
	_ = grouped
	if !mod97(chars[:n]) {
		return 0
	}
	res.add(IBAN, string(chars[:4])+"…"+string(chars[n-4:n]))
	return j
}

// mod97 is the IBAN check: the first four characters moved to the end,
// letters as numbers (A = 10), the whole modulo 97 equals 1.
func mod97(s []byte) bool {
	rearranged := append(append([]byte{}, s[4:]...), s[:4]...)
	rem := 0
	for _, c := range rearranged {
		if isDigit(c) {
			rem = (rem*10 + int(c-'0')) % 97
		} else {
			v := int(c-'A') + 10
			rem = (rem*100 + v) % 97
		}
	}
	return rem == 1
}

// redactMiddle shows a custom pattern's match by its ends only, never more
// than a quarter of it: nothing of a match shorter than 12 characters, one
// character at each end up to 15, two beyond.
func redactMiddle(s string) string {
	r := []rune(s)
	keep := 2
	switch {
	case len(r) < 12:
		return strings.Repeat("*", len(r))
	case len(r) < 16:
		keep = 1
	}
	return string(r[:keep]) + "…" + string(r[len(r)-keep:])
}
