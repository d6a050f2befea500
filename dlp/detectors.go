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
	"slices"
	"sort"
	"strings"
)

// Detector names of the built-in detectors.
const (
	OpenAIKey          = "openai_api_key"
	AnthropicKey       = "anthropic_api_key"
	GoogleAPIKey       = "google_api_key"
	AzureOpenAIKey     = "azure_openai_key"
	HuggingFaceToken   = "huggingface_token"
	MistralKey         = "mistral_api_key"
	CohereKey          = "cohere_api_key"
	GroqKey            = "groq_api_key"
	XAIKey             = "xai_api_key"
	PerplexityKey      = "perplexity_api_key"
	OpenRouterKey      = "openrouter_api_key"
	ReplicateToken     = "replicate_api_token"
	AWSAccessKeyID     = "aws_access_key_id"
	AWSSecretAccessKey = "aws_secret_access_key"
	GitHubToken        = "github_token"
	GitLabToken        = "gitlab_token"
	SlackToken         = "slack_token"
	StripeKey          = "stripe_key"
	TwilioKey          = "twilio_key"
	SendGridKey        = "sendgrid_api_key"
	NPMToken           = "npm_token"
	PyPIToken          = "pypi_token"
	DatabricksToken    = "databricks_token"
	ConnectionString   = "connection_string_password"
	PrivateKey         = "private_key"
	JWT                = "jwt"
	PaymentCard        = "payment_card"
	IBAN               = "iban"
	USSSN              = "us_ssn"
	UKNINO             = "uk_nino"
)

// Builtin lists the built-in detectors and what each finds.
var Builtin = []struct{ Name, Description string }{
	{OpenAIKey, "OpenAI API keys: sk-proj-, sk-svcacct-, sk-admin- and legacy sk- keys holding OpenAI's T3BlbkFJ marker (high); prefixed key-shaped strings without it (low)"},
	{AnthropicKey, "Anthropic API keys: sk-ant-api03- and sk-ant-admin01-, 93 key characters and AA (high); other sk-ant-<kind><NN>- keys of 80 to 120 characters (medium)"},
	{GoogleAPIKey, "Google API keys, Gemini and AI Studio keys included (one shape for all): AIza and 35 key characters; not the example keys Firebase's SDK publishes"},
	{AzureOpenAIKey, "Azure OpenAI keys: 32 hexadecimal or 84 alphanumeric characters, labelled with a name holding azure and key (medium)"},
	{HuggingFaceToken, "Hugging Face tokens: hf_ and 34 letters; organization tokens api_org_ and 34 letters"},
	{MistralKey, "Mistral API keys: 32 letters and digits labelled with a name holding mistral (medium)"},
	{CohereKey, "Cohere API keys: 40 letters and digits labelled with a name holding cohere or CO_API_KEY (medium)"},
	{GroqKey, "Groq API keys: gsk_ and 52 letters and digits"},
	{XAIKey, "xAI API keys: xai- and 80 letters and digits"},
	{PerplexityKey, "Perplexity API keys: pplx- and 48 letters and digits"},
	{OpenRouterKey, "OpenRouter API keys: sk-or-v1- and 64 hexadecimal characters"},
	{ReplicateToken, "Replicate API tokens: r8_ and 37 letters and digits"},
	{AWSAccessKeyID, "AWS access key ids: AKIA, ASIA and the other documented prefixes, then 16 upper-case letters or digits; placeholders (AKIAXXXX…) and AWS's documentation examples (…EXAMPLE) are not keys"},
	{AWSSecretAccessKey, "AWS secret access keys: 40 base64 characters near an access key id (high), after a name such as aws_secret_access_key, SecretAccessKey, secret_key or aws_… within 80 characters (high or medium); AWS's documentation example is not a key"},
	{GitHubToken, "GitHub tokens: ghp_, gho_, ghu_, ghs_, ghr_ and 36 letters or digits (high with GitHub's CRC-32 checksum, else medium); github_pat_ and 82; legacy 40-hex tokens when labelled github…token/pat/key (medium)"},
	{GitLabToken, "GitLab tokens: glpat-, gldt-, glrt-, glptt-, glcbt-, gloas-, glsoat-, glft-, glimt-, glagent- and runner registration tokens GR1348941"},
	{SlackToken, "Slack tokens: xoxb-, xoxp-, xoxa-, xoxr-, xoxs-, xoxo-, xoxe-, xoxe.xoxp-/xoxb- configuration tokens and xapp- app tokens, current and legacy shapes; incoming webhook URLs hooks.slack.com/services/T…/B…/…"},
	{StripeKey, "Stripe secret and restricted keys: sk_live_, rk_live_, sk_prod_ (high), sk_test_, rk_test_ (medium), and whsec_ webhook secrets"},
	{TwilioKey, "Twilio API key secrets SK and 32 hexadecimal characters (medium); auth tokens of 32 hexadecimal characters labelled twilio… (medium)"},
	{SendGridKey, "SendGrid API keys: SG. 22 characters . 43 characters"},
	{NPMToken, "npm access tokens: npm_ and 36 letters and digits (high with npm's checksum, else medium); .npmrc //registry/:_authToken=<token> lines (medium)"},
	{PyPIToken, "PyPI upload tokens: pypi-AgEIcHlwaS5vcmc and at least 50 more characters"},
	{DatabricksToken, "Databricks personal access tokens: dapi and 32 hexadecimal characters"},
	{ConnectionString, "connection strings with a password: postgres://, mysql://, mongodb(+srv)://, redis(s)://, amqp(s)://, mssql://, sqlserver:// … user:password@host, and Password=…; in ADO.NET strings with a Server or Data Source; placeholders are not passwords"},
	{PrivateKey, "PEM private key blocks (RSA, EC, DSA, OpenSSH, PKCS#8, encrypted, SSH2, PGP) with their END line; PuTTY .ppk key files"},
	{JWT, "JSON Web Tokens whose header decodes to a JSON object with alg (whitespace in the JSON allowed): signed (high), unsigned with alg none and an empty or no signature (medium)"},
	{PaymentCard, "payment card numbers of every major scheme's issuer range and length, passing Luhn, standing alone (not inside a longer number, a decimal or a table of numbers): high with a card keyword near, medium in printed groups, low bare"},
	{IBAN, "IBANs of every country and territory of the registry, with the country's length and BBAN format and the mod-97 check, plain, in groups or with national spacing and separators"},
	{USSSN, "US Social Security numbers 123-45-6789 (medium), 123 45 6789 and 123.45.6789 (low), 123456789 only beside an SSN keyword; a keyword lifts each a level; never-issued ranges and published examples excluded"},
	{UKNINO, "UK National Insurance numbers in upper or lower case, plain or spaced in any way, without the prefixes never used: medium, high beside a keyword, low in lower case without one"},
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

// Confidence says how sure a detector is that a match is what it
// detects: a checked, marked credential is high; a bare run of digits
// that merely passes Luhn is low. Profiles choose a minimum.
type Confidence uint8

// Confidence levels, lowest first.
const (
	Low Confidence = iota + 1
	Medium
	High
)

// Confidences lists the levels, lowest first.
var Confidences = []Confidence{Low, Medium, High}

func (c Confidence) String() string {
	switch c {
	case Low:
		return "low"
	case Medium:
		return "medium"
	case High:
		return "high"
	}
	return fmt.Sprintf("confidence(%d)", uint8(c))
}

// MarshalText writes the level's name.
func (c Confidence) MarshalText() ([]byte, error) { return []byte(c.String()), nil }

// ParseConfidence reads "low", "medium" or "high".
func ParseConfidence(s string) (Confidence, error) {
	for _, c := range Confidences {
		if c.String() == s {
			return c, nil
		}
	}
	return 0, fmt.Errorf("confidence %q: want low, medium or high", s)
}

// MaxSamples is how many redacted samples a detection keeps per level.
const MaxSamples = 3

// Detection is what one detector found in one file: how many matches, and
// a redacted sample of the first of the highest confidence. The value
// itself is never kept.
type Detection struct {
	Count  int    `json:"count"`
	Sample string `json:"sample"`
	// Confidence is the highest confidence of the matches, the sample's.
	Confidence Confidence `json:"confidence"`
	// ByConfidence counts the matches per level; levels without a match
	// are absent.
	ByConfidence map[Confidence]int `json:"by_confidence"`
	samples      [High + 1][]string
}

// ConfidenceCounts is ByConfidence keyed by the levels' names, as the
// inventory records it.
func (d *Detection) ConfidenceCounts() map[string]int {
	out := make(map[string]int, len(d.ByConfidence))
	for c, n := range d.ByConfidence {
		out[c.String()] = n
	}
	return out
}

// AtLeast is how many matches have at least confidence min.
func (d *Detection) AtLeast(min Confidence) int {
	n := 0
	for c, k := range d.ByConfidence {
		if c >= min {
			n += k
		}
	}
	return n
}

// Samples lists up to MaxSamples distinct redacted samples of at least
// confidence min, the highest confidence first, each followed by its
// confidence in parentheses: "4111 **** **** 1111 (high)".
func (d *Detection) Samples(min Confidence) []string {
	var out []string
	for c := High; c >= min && c >= Low; c-- {
		for _, s := range d.samples[c] {
			if len(out) == MaxSamples {
				return out
			}
			out = append(out, s+" ("+c.String()+")")
		}
	}
	return out
}

// Result maps detector names to their detections; a detector that found
// nothing is absent.
type Result map[string]*Detection

func (r Result) add(detector, sample string, c Confidence) {
	d, ok := r[detector]
	if !ok {
		d = &Detection{ByConfidence: map[Confidence]int{}}
		r[detector] = d
	}
	d.Count++
	d.ByConfidence[c]++
	if c > d.Confidence {
		d.Confidence, d.Sample = c, sample
	}
	if len(d.samples[c]) < MaxSamples && !slices.Contains(d.samples[c], sample) {
		d.samples[c] = append(d.samples[c], sample)
	}
}

// AtLeast is the result with only the matches of at least confidence
// min: counts, samples and confidences recomputed; detectors left with no
// match are dropped.
func (r Result) AtLeast(min Confidence) Result {
	out := Result{}
	for name, d := range r {
		if d.Confidence < min {
			continue
		}
		nd := &Detection{Count: d.AtLeast(min), Sample: d.Sample, Confidence: d.Confidence, ByConfidence: map[Confidence]int{}}
		for c, k := range d.ByConfidence {
			if c >= min {
				nd.ByConfidence[c] = k
			}
		}
		for c := min; c <= High; c++ {
			nd.samples[c] = d.samples[c]
		}
		out[name] = nd
	}
	return out
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

// Scan runs every detector over text: the built-in ones in one pass
// (labels and keywords near a candidate read there too); the custom
// keywords as literal searches of the text in lower case; each custom
// pattern with RE2. Matches of every confidence are counted: AtLeast
// keeps those a profile wants.
func (s *Scanner) Scan(text []byte) Result {
	res := Result{}
	scanBuiltin(text, res)
	if len(s.keywords) > 0 {
		s.scanKeywords(asciiLower(text), res)
	}
	for _, p := range s.patterns {
		for _, m := range p.re.FindAllIndex(text, -1) {
			res.add(p.name, redactMiddle(string(text[m[0]:m[1]])), High)
		}
	}
	return res
}

// scanKeywords counts the custom keywords in the lowered text, as whole
// words.
func (s *Scanner) scanKeywords(lower []byte, res Result) {
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
					res.add(k.name, string(w), High)
				}
			}
		}
	}
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
