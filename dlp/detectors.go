// Package dlp finds sensitive data in files: built-in detectors for
// credentials, payment cards, IBANs and national identifiers, each with a
// validator so that random digits do not match, plus custom patterns and
// keywords from the policy configuration; and text extraction from the file
// types people put in GPTs, projects and conversations. It reports counts
// and redacted samples, never the values it found.
package dlp

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"regexp"
	"sort"
	"strings"
)

// Detector names of the built-in detectors.
const (
	OpenAIKey          = "openai_api_key"
	AWSAccessKeyID     = "aws_access_key_id"
	AWSSecretAccessKey = "aws_secret_access_key"
	GitHubToken        = "github_token"
	SlackToken         = "slack_token"
	GoogleAPIKey       = "google_api_key"
	PrivateKey         = "private_key"
	JWT                = "jwt"
	PaymentCard        = "payment_card"
	IBAN               = "iban"
	USSSN              = "us_ssn"
	UKNINO             = "uk_nino"
)

// Builtin lists the built-in detectors and what each finds.
var Builtin = []struct{ Name, Description string }{
	{OpenAIKey, "OpenAI API keys: sk-…, sk-proj-…, sk-admin-…, sk-svcacct-… with 32 or more key characters"},
	{AWSAccessKeyID, "AWS access key ids: AKIA, ASIA and the other documented prefixes, then 16 upper-case letters or digits"},
	{AWSSecretAccessKey, "AWS secret access keys: 40 base64 characters within 80 characters after aws_secret_access_key, secret_access_key, SecretAccessKey or aws_secret"},
	{GitHubToken, "GitHub tokens: ghp_, gho_, ghu_, ghs_, ghr_ and 36 letters or digits; github_pat_ and 82"},
	{SlackToken, "Slack tokens: xoxb-, xoxp-, xoxa-, xoxr-, xoxs-, xoxo-, xapp- with numbered segments"},
	{GoogleAPIKey, "Google API keys: AIza and 35 key characters"},
	{PrivateKey, "PEM private key blocks (RSA, EC, DSA, OpenSSH, PKCS#8, encrypted, PGP) with their END line"},
	{JWT, "JSON Web Tokens whose header decodes to a JSON object with alg"},
	{PaymentCard, "payment card numbers: 13 to 19 digits, plain or in groups, passing Luhn, of a known issuer range and length"},
	{IBAN, "IBANs of a known country length, plain or in groups of four, passing the mod-97 check"},
	{USSSN, "US Social Security numbers written 123-45-6789 or 123 45 6789, without the ranges never issued"},
	{UKNINO, "UK National Insurance numbers, plain or spaced, without the prefixes never used"},
}

// IsBuiltin reports whether name is a built-in detector.
func IsBuiltin(name string) bool {
	for _, d := range Builtin {
		if d.Name == name {
			return true
		}
	}
	return false
}

// Detection is what one detector found in one file: how many matches, and
// a redacted sample of the first. The value itself is never kept.
type Detection struct {
	Count  int    `json:"count"`
	Sample string `json:"sample"`
}

// Result maps detector names to their detections; a detector that found
// nothing is absent.
type Result map[string]*Detection

func (r Result) add(detector, sample string) {
	if d, ok := r[detector]; ok {
		d.Count++
		return
	}
	r[detector] = &Detection{Count: 1, Sample: sample}
}

// Custom is a detector of the policy configuration: an RE2 pattern, or a
// list of keywords matched as whole words, ignoring the case of ASCII
// letters.
type Custom struct {
	Name     string
	Pattern  string
	Keywords []string
}

// Scanner runs every detector over text.
type Scanner struct {
	patterns []customPattern
	keywords []customKeywords
	names    []string
}

type customPattern struct {
	name string
	re   *regexp.Regexp
}

type customKeywords struct {
	name  string
	words [][]byte // lower case
}

// NewScanner prepares the built-in detectors and the custom ones. A custom
// pattern that does not compile, or a custom detector named like a
// built-in one, is an error.
func NewScanner(custom []Custom) (*Scanner, error) {
	s := &Scanner{}
	sorted := append([]Custom(nil), custom...)
	sort.Slice(sorted, func(i, j int) bool { return sorted[i].Name < sorted[j].Name })
	for _, c := range sorted {
		if IsBuiltin(c.Name) {
			return nil, fmt.Errorf("custom DLP detector %q: the name of a built-in detector", c.Name)
		}
		if (c.Pattern == "") == (len(c.Keywords) == 0) {
			return nil, fmt.Errorf("custom DLP detector %q: give a pattern or keywords, one of the two", c.Name)
		}
		s.names = append(s.names, c.Name)
		if c.Pattern != "" {
			// Each pattern on its own: RE2 then skips to the pattern's
			// literal prefix, which a combined alternation would lose.
			re, err := regexp.Compile(c.Pattern)
			if err != nil {
				return nil, fmt.Errorf("custom DLP detector %q: %w", c.Name, err)
			}
			if re.MatchString("") {
				// It would count a match at every position of every file.
				return nil, fmt.Errorf("custom DLP detector %q: the pattern %q matches the empty string", c.Name, c.Pattern)
			}
			s.patterns = append(s.patterns, customPattern{c.Name, re})
			continue
		}
		k := customKeywords{name: c.Name}
		for _, w := range c.Keywords {
			if strings.TrimSpace(w) == "" {
				return nil, fmt.Errorf("custom DLP detector %q: an empty keyword", c.Name)
			}
			k.words = append(k.words, asciiLower([]byte(w)))
		}
		s.keywords = append(s.keywords, k)
	}
	return s, nil
}

// Detectors lists the names of every detector the scanner runs.
func (s *Scanner) Detectors() []string {
	out := make([]string, 0, len(Builtin)+len(s.names))
	for _, d := range Builtin {
		out = append(out, d.Name)
	}
	return append(out, s.names...)
}

// asciiLower lowers ASCII letters only, so that positions in the result
// are positions in the text: bytes.ToLower changes lengths (invalid UTF-8
// becomes U+FFFD), and the AWS secret hints are found in the lowered text
// but read from the original.
func asciiLower(b []byte) []byte {
	out := make([]byte, len(b))
	for i, c := range b {
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		out[i] = c
	}
	return out
}

// Scan runs every detector over text: the built-in ones in one pass; the
// hints of AWS secret keys and the custom keywords as literal searches of
// the text in lower case; each custom pattern with RE2.
func (s *Scanner) Scan(text []byte) Result {
	res := Result{}
	scanBuiltin(text, res)
	lower := asciiLower(text)
	scanAWSSecrets(text, lower, res)
	for _, k := range s.keywords {
		for _, w := range k.words {
			for from := 0; ; {
				j := bytes.Index(lower[from:], w)
				if j < 0 {
					break
				}
				at := from + j
				from = at + len(w)
				if (at == 0 || !isWordByte(lower[at-1])) && (from >= len(lower) || !isWordByte(lower[from])) {
					// A keyword is the configuration's own word, not a secret.
					res.add(k.name, string(w))
				}
			}
		}
	}
	for _, p := range s.patterns {
		for _, m := range p.re.FindAllIndex(text, -1) {
			res.add(p.name, redactMiddle(string(text[m[0]:m[1]])))
		}
	}
	return res
}

// ScanFile extracts a file's text (see Extract) and scans it. The error
// wraps ErrUnsupported for a type without text, and says which kind the
// file was read as for one that could not be read.
func (s *Scanner) ScanFile(ctx context.Context, name, mimeType string, content []byte, l Limits) (Result, error) {
	text, kind, err := Extract(ctx, name, mimeType, content, l)
	if err != nil {
		if errors.Is(err, ErrUnsupported) {
			return nil, err
		}
		// The readers' messages are kept to fixed texts; should one still
		// quote something a detector finds, it is withheld.
		if len(s.Scan([]byte(err.Error()))) > 0 {
			return nil, fmt.Errorf("could not extract text (read as %s); the reader's message is withheld: it quoted the file", kind)
		}
		return nil, fmt.Errorf("could not extract text (read as %s): %w", kind, err)
	}
	return s.Scan(text), nil
}
