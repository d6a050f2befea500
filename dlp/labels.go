package dlp

import "strings"

// Secrets without a prefix of their own (AWS secret access keys, Azure
// OpenAI, Mistral and Cohere keys, GitHub's legacy 40-hex tokens, Twilio
// auth tokens) are found by the name they are written under. labels runs
// at the start of every identifier and of every part of one (after "_",
// at a camel-case hump), and reads the value a name introduces.

// labels looks for the names that introduce unprefixed secrets at i.
func labels(b []byte, i int, res Result, st *scanState) {
	switch lower(b[i]) {
	case 'a':
		if hasPrefixFold(b, i, "aws") {
			awsLabel(b, i, res, st)
		} else if hasPrefixFold(b, i, "azure") {
			labelled(b, i, res, st, azureLabel)
		}
	case 's':
		if hasPrefixFold(b, i, "secret") {
			awsLabel(b, i, res, st)
		}
	case 'g':
		if hasPrefixFold(b, i, "github") || hasPrefixFold(b, i, "gh_") {
			labelled(b, i, res, st, githubLabel)
		}
	case 'm':
		if hasPrefixFold(b, i, "mistral") {
			labelled(b, i, res, st, mistralLabel)
		}
	case 'c':
		if hasPrefixFold(b, i, "cohere") || hasPrefixFold(b, i, "co_api_key") {
			labelled(b, i, res, st, cohereLabel)
		}
	case 't':
		if hasPrefixFold(b, i, "twilio") {
			labelled(b, i, res, st, twilioLabel)
		}
	case 'p':
		if hasPrefixFold(b, i, "password=") || hasPrefixFold(b, i, "pwd=") {
			adoPassword(b, i, res)
		}
	}
}

func isIdentChar(c byte) bool { return isAlnum(c) || c == '_' || c == '-' || c == '.' }

// identifier is the name that starts at i, in lower case, and its end.
func identifier(b []byte, i int) (string, int) {
	end := runMax(b, i, 64, isIdentChar)
	return strings.ToLower(string(b[i:end])), end
}

// separators are the characters between the words of an identifier.
var separators = strings.NewReplacer("_", "", "-", "", ".", "")

// awsLabel: a 40-character secret access key within 80 characters of a
// name of AWS's or of a secret key.
func awsLabel(b []byte, i int, res Result, st *scanState) {
	name, end := identifier(b, i)
	var conf Confidence
	switch {
	case strings.Contains(name, "aws") && strings.Contains(name, "secret"),
		strings.Contains(separators.Replace(name), "secretaccesskey"):
		conf = High
	case strings.Contains(name, "aws"), strings.Contains(name, "secret_key"), strings.Contains(name, "secretkey"), strings.Contains(name, "secret-key"):
		conf = Medium
	default:
		conf = Low // secret:, client_secret…
	}
	from, to := end, min(len(b), end+80)
	if conf <= st.awsConf && st.awsTo > from {
		from = st.awsTo // read already, at this confidence or higher
	}
	if from < to {
		awsSecretIn(b, from, to, res, st, conf)
	}
	if to >= st.awsTo || conf > st.awsConf {
		st.awsTo, st.awsConf = to, conf
	}
}

// labelSpec is a secret found by its name: an identifier holding one of
// names and one of keyWords, ":" or "=", and a value accept takes.
type labelSpec struct {
	detector string
	names    []string
	value    func(byte) bool
	accept   func([]byte) bool
}

var keyWords = []string{"key", "token", "secret", "pat", "auth", "password", "pw", "credential"}

var (
	azureLabel = labelSpec{AzureOpenAIKey, []string{"azure"}, isAlnum, func(t []byte) bool {
		return len(t) == 32 && oneCaseHex(t) && variety(t) || len(t) == 84 && variety(t)
	}}
	githubLabel = labelSpec{GitHubToken, []string{"github", "gh_"}, isAlnum, func(t []byte) bool {
		return len(t) == 40 && all(t, isLowerHex) && variety(t)
	}}
	mistralLabel = labelSpec{MistralKey, []string{"mistral"}, isAlnum, func(t []byte) bool {
		return len(t) == 32 && variety(t) && hasUpperLower(t)
	}}
	cohereLabel = labelSpec{CohereKey, []string{"cohere", "co_api_key"}, isAlnum, func(t []byte) bool {
		return len(t) == 40 && variety(t) && hasUpperLower(t)
	}}
	twilioLabel = labelSpec{TwilioKey, []string{"twilio"}, isAlnum, func(t []byte) bool {
		return len(t) == 32 && oneCaseHex(t) && variety(t)
	}}
)

func labelled(b []byte, i int, res Result, st *scanState, spec labelSpec) {
	name, end := identifier(b, i)
	if !containsAny(name, spec.names) || !containsAny(name, keyWords) {
		return
	}
	k := assignedValue(b, end)
	if k < 0 || st.seen[k] {
		return
	}
	tokEnd := runMax(b, k, 90, spec.value)
	tok := b[k:tokEnd]
	if !endsWord(b, tokEnd, isKeyChar) || !spec.accept(tok) {
		return
	}
	st.seen[k] = true
	res.add(spec.detector, "…"+string(tok[len(tok)-4:]), Medium)
}

func containsAny(s string, words []string) bool {
	for _, w := range words {
		if strings.Contains(s, w) {
			return true
		}
	}
	return false
}

func isQuoteOrSpace(c byte) bool {
	return c == '"' || c == '\'' || c == '`' || c == ' ' || c == '\t'
}

// assignedValue reads `": "`, ` = `, `:=`, `=>` and the like after a name
// ending at j, and a Bearer or token prefix, and returns where the value
// begins; -1 when no assignment follows.
func assignedValue(b []byte, j int) int {
	k := j
	for k < len(b) && k < j+8 && (isQuoteOrSpace(b[k]) || b[k] == ']') {
		k++
	}
	if k >= len(b) || b[k] != ':' && b[k] != '=' {
		return -1
	}
	for k < len(b) && k < j+24 && (isQuoteOrSpace(b[k]) || b[k] == ':' || b[k] == '=' || b[k] == '>') {
		k++
	}
	for _, p := range []string{"bearer ", "token "} {
		if hasPrefixFold(b, k, p) {
			k += len(p)
		}
	}
	return k
}

// adoPassword: Password=…; in an ADO.NET or ODBC connection string, which
// names its server before.
func adoPassword(b []byte, i int, res Result) {
	if !near(b, i, i, 150, 0, []string{"server=", "data source=", "host=", "user id=", "uid=", "database="}) {
		return
	}
	k := i + strings.IndexByte(string(b[i:min(len(b), i+10)]), '=') + 1
	end := k
	for end < len(b) && end < k+128 && b[end] != ';' && b[end] != '"' && b[end] != '\'' && b[end] != '\n' && b[end] != '\r' {
		end++
	}
	if realPassword(b[k:end]) {
		res.add(ConnectionString, "Password=****", High)
	}
}
