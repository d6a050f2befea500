package dlp

import (
	"bytes"
	"strings"
)

// scanBuiltin is the one pass of the built-in detectors: at every byte
// that can begin a match (and is not inside a word), the detectors that
// begin with that byte try to read a candidate, which its validator then
// accepts or not. A match is skipped over, so no text is counted twice.
// Inside identifiers (after "_", or at a camel-case hump) only the labels
// that introduce unprefixed secrets are looked for: AWS_SECRET_…,
// MISTRAL_API_KEY, awsSecretAccessKey.
//
// Every detector reads at most a bounded stretch past its start, and one
// that rejects a candidate reports how far the candidate reached, so that
// the scan does not start again inside it: the pass stays linear whatever
// the text (a megabyte of "sk-sk-sk-…" included).
func scanBuiltin(b []byte, res Result) {
	st := &scanState{text: b, pemEnd: map[string]int{}, seen: map[int]bool{}}
	for i := 0; i < len(b); i++ {
		c := b[i]
		if i > 0 && isWordByte(b[i-1]) && c != '-' {
			if p := b[i-1]; (p == '_' || isLower(p) && isUpper(c)) && labelStart[c] {
				labels(b, i, res, st)
			}
			continue // other matches begin at a word boundary
		}
		var end int
		switch {
		case isDigit(c):
			end = number(b, i, res, st)
		case c == '-':
			if i == 0 || b[i-1] != '-' {
				end = privateKey(b, i, res, st)
			}
		case c == '_':
			end = npmAuthToken(b, i, res)
		case c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z':
			end = word(b, i, res, st)
		}
		if end > i {
			i = end - 1
		}
	}
}

// labelStart marks the first letters of the names labels looks for.
var labelStart = func() (t [256]bool) {
	for _, c := range "asgmctp" {
		t[c], t[c-'a'+'A'] = true, true
	}
	return t
}()

// word tries the detectors that begin with a letter.
func word(b []byte, i int, res Result, st *scanState) int {
	if labelStart[b[i]] {
		labels(b, i, res, st)
	}
	// Where the word's letters and digits end: a connection string's
	// scheme ends there with ":" (or "+srv").
	we := runMax(b, i, 24, isAlnum)
	// Prefixed tokens of lower-case prefixes end their prefix with "_",
	// "-" or "." (sk-, ghp_, xoxe.): other words skip those detectors.
	prefixEnd := we < len(b) && (b[we] == '_' || b[we] == '-' || b[we] == '.')
	var end int
	switch c := b[i]; {
	case isLower(c) && c != 'd' && c != 'e' && !prefixEnd:
	case c == 's':
		if end = openAIOrAnthropic(b, i, res); end == 0 && we-i == 2 && b[we] == '_' {
			end = stripe(b, i, res)
		}
	case c == 'r':
		if we-i == 2 {
			if end = stripe(b, i, res); end == 0 {
				end = prefixed(b, i, res, replicatePrefix)
			}
		}
	case c == 'w':
		if we-i == 5 {
			end = stripe(b, i, res)
		}
	case c == 'h':
		if end = prefixed(b, i, res, hfPrefix); end == 0 {
			end = slackWebhook(b, i, res)
		}
	case c == 'a':
		end = prefixed(b, i, res, hfOrgPrefix)
	case c == 'g':
		if end = githubToken(b, i, res); end == 0 {
			if end = prefixed(b, i, res, groqPrefix); end == 0 {
				end = gitlabToken(b, i, res)
			}
		}
	case c == 'x':
		if end = slackToken(b, i, res); end == 0 {
			end = prefixed(b, i, res, xaiPrefix)
		}
	case c == 'p':
		if end = prefixed(b, i, res, perplexityPrefix); end == 0 {
			end = pypiToken(b, i, res)
		}
	case c == 'n':
		end = prefixed(b, i, res, npmPrefix)
	case c == 'd':
		end = databricksToken(b, i, res)
	case c == 'e':
		end = jwt(b, i, res)
	case c == 'A':
		if end = awsKeyID(b, i, res, st); end == 0 {
			end = googleKey(b, i, res)
		}
	case c == 'S':
		if end = sendGridKey(b, i, res); end == 0 {
			end = twilioKey(b, i, res)
		}
	case c == 'G':
		end = gitlabRunnerToken(b, i, res)
	case c == 'P':
		end = puttyKey(b, i, res)
	}
	if end == 0 && we < len(b) && (b[we] == ':' || b[we] == '+') {
		end = connectionString(b, i, res)
	}
	if end == 0 {
		end = nationalOrIBAN(b, i, res)
	}
	return end
}

func isWordByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_'
}

func isAlnum(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func isUpper(c byte) bool { return c >= 'A' && c <= 'Z' }

func isLower(c byte) bool { return c >= 'a' && c <= 'z' }

func isLetter(c byte) bool { return isUpper(c) || isLower(c) }

func isHex(c byte) bool { return isDigit(c) || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F' }

func isLowerHex(c byte) bool { return isDigit(c) || c >= 'a' && c <= 'f' }

func lower(c byte) byte {
	if isUpper(c) {
		return c + 'a' - 'A'
	}
	return c
}

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

// hasPrefixFold reports whether b[i:] begins with p (lower case), ignoring
// the case of ASCII letters.
func hasPrefixFold(b []byte, i int, p string) bool {
	if len(b)-i < len(p) {
		return false
	}
	for k := 0; k < len(p); k++ {
		if lower(b[i+k]) != p[k] {
			return false
		}
	}
	return true
}

// containsFold reports whether window holds any of words (lower case),
// ignoring the case of ASCII letters.
func containsFold(window []byte, words []string) bool {
	var buf [160]byte
	w := buf[:0]
	for _, c := range window[:min(len(window), len(buf))] {
		w = append(w, lower(c))
	}
	for _, word := range words {
		if bytes.Contains(w, []byte(word)) {
			return true
		}
	}
	return false
}

// near reports whether one of words is within back bytes before i or
// ahead bytes after j.
func near(b []byte, i, j, back, ahead int, words []string) bool {
	return containsFold(b[max(0, i-back):i], words) || containsFold(b[j:min(len(b), j+ahead)], words)
}

// scanState is what one pass remembers between candidates.
type scanState struct {
	text []byte
	// pemEnd is, per PEM label, where the next END line starts (-1: none
	// in the rest of the text), so that many BEGIN lines without an END
	// do not each search the text again.
	pemEnd map[string]int
	// seen holds the starts of tokens a label or a nearby key already
	// counted, so that two labels do not count one secret twice.
	seen map[int]bool
	// awsTo is where the last AWS label's window ended, and awsConf the
	// confidence it was read with: overlapping labels ("aws aws aws …")
	// do not read the same bytes again.
	awsTo   int
	awsConf Confidence
	// header is the first line of the text, lower case, read once: a CSV
	// header naming a card column lifts the rows' numbers.
	header     []byte
	headerRead bool
}

func (st *scanState) firstLine() []byte {
	if !st.headerRead {
		st.headerRead = true
		line := st.text[:min(len(st.text), 4096)]
		if k := bytes.IndexByte(line, '\n'); k >= 0 {
			line = line[:k]
		}
		st.header = []byte(strings.ToLower(string(line)))
	}
	return st.header
}

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

func hasUpperLower(b []byte) bool {
	up, low := false, false
	for _, c := range b {
		up = up || isUpper(c)
		low = low || isLower(c)
	}
	return up && low
}

func all(b []byte, ok func(byte) bool) bool {
	for _, c := range b {
		if !ok(c) {
			return false
		}
	}
	return true
}

// tail is the redacted form of a token: its prefix, an ellipsis and its
// last four characters.
func tail(prefix string, tok []byte) string {
	return prefix + "…" + string(tok[len(tok)-4:])
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
