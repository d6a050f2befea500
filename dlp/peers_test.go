package dlp

import (
	"cmp"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"regexp/syntax"
	"sort"
	"strconv"
	"strings"
	"testing"
	"unicode"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The rule tests of a peer: gitleaks v8.30.1 (MIT License, Copyright (c)
// 2019 Zachary Rice), as the Go module proxy serves it. Each of its
// default rules (cmd/generate/config/rules/*.go) lists true positives and
// false positives that gitleaks checks the rule against. This test reads
// them from the module cache — nothing of gitleaks is copied into this
// repository but two strings that name exceptions below —
// and measures, per detector of ours, the recall over the
// positives of the rules that look for the same thing and the false
// matches over their negatives, at the shipped minimum (medium).
//
// Get the module with `make peer-fixtures` (go mod download, which checks
// it against the checksum database); without it the test skips.
const (
	gitleaksModule  = "github.com/zricethezav/gitleaks/v8"
	gitleaksVersion = "v8.30.1"
	// gitleaksSum is the module's hash (go.sum's h1:): the test reads only
	// the version it was written against.
	gitleaksSum = "h1:PmEvCfVI7ti9dV3s5aMZUY7sS2GxRvG3yzih7E+cS3w="
)

// gitleaksRules maps the gitleaks rules that look for what one of our
// detectors looks for to that detector. Rules for things we do not detect
// (webhook URLs, base64-wrapped JWTs, GitLab session cookies, Azure AD
// client secrets, …) are not listed.
var gitleaksRules = map[string]string{
	"openai-api-key":                              OpenAIKey,
	"anthropic-api-key":                           AnthropicKey,
	"anthropic-admin-api-key":                     AnthropicKey,
	"gcp-api-key":                                 GoogleAPIKey,
	"huggingface-access-token":                    HuggingFaceToken,
	"huggingface-organization-api-token":          HuggingFaceToken,
	"cohere-api-token":                            CohereKey,
	"perplexity-api-key":                          PerplexityKey,
	"aws-access-token":                            AWSAccessKeyID,
	"github-pat":                                  GitHubToken,
	"github-fine-grained-pat":                     GitHubToken,
	"github-oauth":                                GitHubToken,
	"github-app-token":                            GitHubToken,
	"github-refresh-token":                        GitHubToken,
	"gitlab-pat":                                  GitLabToken,
	"gitlab-pat-routable":                         GitLabToken,
	"gitlab-deploy-token":                         GitLabToken,
	"gitlab-ptt":                                  GitLabToken,
	"gitlab-rrt":                                  GitLabToken,
	"gitlab-runner-authentication-token":          GitLabToken,
	"gitlab-runner-authentication-token-routable": GitLabToken,
	"gitlab-cicd-job-token":                       GitLabToken,
	"gitlab-feed-token":                           GitLabToken,
	"gitlab-incoming-mail-token":                  GitLabToken,
	"gitlab-kubernetes-agent-token":               GitLabToken,
	"gitlab-feature-flag-client-token":            GitLabToken,
	"gitlab-oauth-app-secret":                     GitLabToken,
	"gitlab-scim-token":                           GitLabToken,
	"slack-bot-token":                             SlackToken,
	"slack-user-token":                            SlackToken,
	"slack-app-token":                             SlackToken,
	"slack-config-access-token":                   SlackToken,
	"slack-config-refresh-token":                  SlackToken,
	"slack-legacy-bot-token":                      SlackToken,
	"slack-legacy-workspace-token":                SlackToken,
	"slack-legacy-token":                          SlackToken,
	"stripe-access-token":                         StripeKey,
	"twilio-api-key":                              TwilioKey,
	"sendgrid-api-token":                          SendGridKey,
	"npm-access-token":                            NPMToken,
	"pypi-upload-token":                           PyPIToken,
	"databricks-api-token":                        DatabricksToken,
	"private-key":                                 PrivateKey,
	"jwt":                                         JWT,
}

// The detectors' tests of a second peer: DefangLabs/secret-detector
// (Apache License 2.0), a Go port of Yelp's detect-secrets, as the Go
// module proxy serves it. Each detector's test lists inputs and whether
// the detector must find a secret in them (pkg/detectors/*/…_test.go).
const (
	secretDetectorModule  = "github.com/DefangLabs/secret-detector"
	secretDetectorVersion = "v0.0.0-20260916192156-3e28d7ed64df"
	secretDetectorSum     = "h1:ZuLcWrXR2XqJ8Y38IJ5BhJOWtBEa2+OlFJi9E8iRWwA="
)

// secretDetectorTests maps the test files of secret-detector's detectors
// that look for what one of ours looks for to that detector. Basic and
// bearer auth headers, generic high-entropy strings, keywords, URLs with
// passwords of any scheme, Artifactory, Azure storage, Mailchimp, Square
// and MWS keys are not ours.
var secretDetectorTests = map[string]string{
	"aws/aws_client_id_detector_test.go":      AWSAccessKeyID,
	"aws/aws_secret_key_detector_test.go":     AWSSecretAccessKey,
	"github/github_detector_test.go":          GitHubToken,
	"jwt/jwt_detector_test.go":                JWT,
	"npm/npm_token_detector_test.go":          NPMToken,
	"privatekey/private_key_detector_test.go": PrivateKey,
	"sendgrid/sendgrid_detector_test.go":      SendGridKey,
	"slack/slack_detector_test.go":            SlackToken,
	"stripe/stripe_detector_test.go":          StripeKey,
	"twilio/twilio_auth_detector_test.go":     TwilioKey,
}

// secretDetectorSamples reads the {name, input, expected} test cases of
// every file secretDetectorTests names, under dir (pkg/detectors).
func secretDetectorSamples(t *testing.T, dir string) []peerSample {
	t.Helper()
	var out []peerSample
	fset := token.NewFileSet()
	gen := &regexGen{r: rand.New(rand.NewPCG(8, 30))}
	for rel := range secretDetectorTests {
		f, err := parser.ParseFile(fset, filepath.Join(dir, filepath.FromSlash(rel)), nil, 0)
		require.NoError(t, err, rel)
		n := 0
		ast.Inspect(f, func(node ast.Node) bool {
			lit, ok := node.(*ast.CompositeLit)
			if !ok || len(lit.Elts) != 3 {
				return true
			}
			want, ok := lit.Elts[2].(*ast.Ident)
			if !ok || want.Name != "true" && want.Name != "false" {
				return true
			}
			input := sampleValues(lit.Elts[1], nil, gen, func() {})
			if len(input) != 1 || input[0] == "" {
				return true
			}
			out = append(out, peerSample{rel, input[0], want.Name == "true", false})
			n++
			return false
		})
		require.Positive(t, n, "%s has test cases", rel)
	}
	return out
}

// peerSample is one value of a peer's rule test.
type peerSample struct {
	rule, text string
	positive   bool
	// generated: made here from the regex gitleaks draws a random
	// value from (secrets.NewSecret), not written in its files.
	generated bool
}

// moduleDir is the directory of module@version in the module cache, when
// the cache holds that version with the hash sum, or "" and the reason.
func moduleDir(module, version, sum string) (string, string) {
	cache := os.Getenv("GOMODCACHE")
	if cache == "" {
		out, err := exec.Command("go", "env", "GOMODCACHE").Output()
		if err != nil {
			return "", fmt.Sprintf("go env GOMODCACHE: %v", err)
		}
		cache = strings.TrimSpace(string(out))
	}
	// The module cache spells an upper-case letter as ! and the letter.
	var esc strings.Builder
	for _, r := range module {
		if unicode.IsUpper(r) {
			esc.WriteByte('!')
			r = unicode.ToLower(r)
		}
		esc.WriteRune(r)
	}
	hash, err := os.ReadFile(filepath.Join(cache, "cache", "download", esc.String(), "@v", version+".ziphash"))
	if err != nil {
		return "", fmt.Sprintf("%s@%s is not in the module cache (%s)", module, version, cache)
	}
	if got := strings.TrimSpace(string(hash)); got != sum {
		return "", fmt.Sprintf("%s@%s in the module cache has hash %s, want %s", module, version, got, sum)
	}
	dir := filepath.Join(cache, esc.String()+"@"+version)
	if _, err := os.Stat(dir); err != nil {
		return "", fmt.Sprintf("%s@%s is downloaded but not extracted: %v", module, version, err)
	}
	return dir, ""
}

// gitleaksSamples reads the true and false positives of every rule in dir
// that gitleaksRules names, counts per rule the values it could not
// evaluate, and says which rules it found.
func gitleaksSamples(t *testing.T, dir string) ([]peerSample, map[string]int, map[string]bool) {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "*.go"))
	require.NoError(t, err)
	require.NotEmpty(t, files)
	var out []peerSample
	skipped := map[string]int{}
	found := map[string]bool{}
	gen := &regexGen{r: rand.New(rand.NewPCG(8, 30))}
	fset := token.NewFileSet()
	for _, path := range files {
		f, err := parser.ParseFile(fset, path, nil, 0)
		require.NoError(t, err, path)
		for _, decl := range f.Decls {
			fn, ok := decl.(*ast.FuncDecl)
			if !ok || fn.Body == nil {
				continue
			}
			rule := ruleID(fn.Body)
			if _, ours := gitleaksRules[rule]; !ours {
				continue
			}
			found[rule] = true
			vars := map[string][]string{}
			ast.Inspect(fn.Body, func(n ast.Node) bool {
				as, ok := n.(*ast.AssignStmt)
				if !ok || len(as.Lhs) != 1 || len(as.Rhs) != 1 {
					return true
				}
				id, ok := as.Lhs[0].(*ast.Ident)
				if !ok || id.Name != "tps" && id.Name != "fps" {
					return true
				}
				vars[id.Name] = sampleValues(as.Rhs[0], vars, gen, func() { skipped[rule]++ })
				return true
			})
			for _, v := range vars["tps"] {
				out = append(out, peerSample{rule, strings.ReplaceAll(v, generatedMark, ""), true, strings.Contains(v, generatedMark)})
			}
			for _, v := range vars["fps"] {
				out = append(out, peerSample{rule, strings.ReplaceAll(v, generatedMark, ""), false, strings.Contains(v, generatedMark)})
			}
		}
	}
	return out, skipped, found
}

// ruleID is the RuleID of the config.Rule literal in a rule function.
func ruleID(body *ast.BlockStmt) string {
	id := ""
	ast.Inspect(body, func(n ast.Node) bool {
		kv, ok := n.(*ast.KeyValueExpr)
		if !ok || id != "" {
			return id == ""
		}
		if k, ok := kv.Key.(*ast.Ident); ok && k.Name == "RuleID" {
			if lit, ok := kv.Value.(*ast.BasicLit); ok && lit.Kind == token.STRING {
				id, _ = strconv.Unquote(lit.Value)
			}
		}
		return true
	})
	return id
}

// sampleValues evaluates a tps/fps expression as gitleaks' rule tests
// would: string literals and their concatenations, []string and
// map[string]string literals, append, fmt.Sprintf, earlier values of
// tps/fps, utils' character classes (utils.AlphaNumeric("36") is
// [a-z0-9]{36}), secrets.NewSecret(regex) as a string generated from the
// regex (from a fixed seed, where gitleaks draws a new one each run), and
// utils.GenerateSampleSecret(s)(identifier, secret) as gitleaks' own
// single-sample form `<identifier>_api_token = "<secret>"` (the plural
// writes the secret in some thirty file syntaxes; one is measured).
// Anything else is counted by skip.
func sampleValues(e ast.Expr, vars map[string][]string, gen *regexGen, skip func()) []string {
	one := func(e ast.Expr) (string, bool) {
		v := sampleValues(e, vars, gen, func() {})
		if len(v) != 1 {
			return "", false
		}
		return v[0], true
	}
	switch e := e.(type) {
	case *ast.BasicLit:
		if e.Kind == token.STRING {
			if s, err := strconv.Unquote(e.Value); err == nil {
				return []string{s}
			}
		}
	case *ast.BinaryExpr:
		if e.Op == token.ADD {
			a, okA := one(e.X)
			b, okB := one(e.Y)
			if okA && okB {
				return []string{a + b}
			}
		}
	case *ast.Ident:
		if v, ok := vars[e.Name]; ok {
			return append([]string(nil), v...)
		}
	case *ast.CompositeLit:
		var out []string
		for _, el := range e.Elts {
			if kv, ok := el.(*ast.KeyValueExpr); ok {
				el = kv.Value
			}
			out = append(out, sampleValues(el, vars, gen, skip)...)
		}
		return out
	case *ast.CallExpr:
		name := ""
		switch fun := e.Fun.(type) {
		case *ast.Ident:
			name = fun.Name
		case *ast.SelectorExpr:
			name = fun.Sel.Name
		}
		switch name {
		case "append":
			var out []string
			for _, a := range e.Args {
				out = append(out, sampleValues(a, vars, gen, skip)...)
			}
			return out
		case "Numeric", "Hex", "AlphaNumeric", "AlphaNumericExtendedShort", "AlphaNumericExtended", "AlphaNumericExtendedLong":
			// gitleaks' utils: a character class and a size
			if len(e.Args) == 1 {
				if size, ok := one(e.Args[0]); ok {
					class := map[string]string{"Numeric": `[0-9]`, "Hex": `[a-f0-9]`, "AlphaNumeric": `[a-z0-9]`,
						"AlphaNumericExtendedShort": `[a-z0-9_-]`, "AlphaNumericExtended": `[a-z0-9=_\-]`, "AlphaNumericExtendedLong": `[a-z0-9\/=_\+\-]`}[name]
					return []string{class + "{" + size + "}"}
				}
			}
		case "Hex8_4_4_4_12":
			return []string{`[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}`}
		case "NewSecret":
			// secrets.NewSecret(regex): a random string the regex
			// matches, generated here from a fixed seed.
			if len(e.Args) == 1 {
				if re, ok := one(e.Args[0]); ok {
					if v, ok := gen.generate(re); ok {
						return []string{v}
					}
				}
			}
		case "Sprintf":
			if len(e.Args) >= 1 {
				format, ok := one(e.Args[0])
				args := make([]any, 0, len(e.Args)-1)
				for _, a := range e.Args[1:] {
					v, okA := one(a)
					ok = ok && okA
					args = append(args, v)
				}
				if ok {
					return []string{fmt.Sprintf(format, args...)}
				}
			}
		case "GenerateSampleSecret", "GenerateSampleSecrets":
			if len(e.Args) == 2 {
				id, okID := one(e.Args[0])
				secret, okS := one(e.Args[1])
				if okID && okS {
					return []string{fmt.Sprintf("%s_api_token = \"%s\"", id, secret)}
				}
			}
		}
	}
	skip()
	return nil
}

// peerExceptions are the values of a peer's tests we judge otherwise than
// it does, each keyed by a part of the value that tells it apart, with
// the reason.
type peerExceptions struct {
	// ours: negatives of a peer's rule that are positives for our
	// detector, whose rule is wider.
	ours map[string]string
	// missed: positives our detectors leave out on purpose.
	missed map[string]string
	// flagged: negatives our detectors flag.
	flagged map[string]string
	// loose, by rule: the rule's generated positives (drawn from the
	// peer's regex, looser than the format) are not values of the format.
	loose map[string]string
}

var gitleaksExceptions = peerExceptions{
	ours: map[string]string{
		"sk-ant-admin01-abc123xyz-456def789ghij-klmnopqrstuvwx-3456yza789bcde-1234fghijklmnopby56aaaogaopaaaabc123xyzAA": "an admin key: anthropic_api_key finds both kinds (gitleaks has a rule per kind)",
	},
	missed: map[string]string{
		"eyJhbGciOieeeiIsInR5cCI6IkpXVCJ9.": "the header does not decode to a JSON object (its alg value is corrupt): no verifier accepts it, and jwt asks that header and payload be JSON",
	},
	loose: map[string]string{
		"jwt":                "the regex draws random characters after ey: no header or payload decodes to a JSON object, and jwt asks that both do",
		"sendgrid-api-token": "the regex draws 66 characters without the dot between SendGrid's 22-character id and its 43-character secret",
	},
}

var secretDetectorExceptions = peerExceptions{
	missed: map[string]string{
		"12345+67890/abcdefghijklm+NOPQRSTUVWXYZ+": "13 lower-case letters in a row (abcdefghijklm): aws_secret_access_key takes such runs for words or paths (a random key has one about once in a hundred)",
		"\nwxyz+ABC=\n":                    "a placeholder body of 9 characters: private_key asks for key material (the issue exempts placeholder private keys)",
		"AC1234567890":                     "a Twilio Account SID is an identifier, not a secret; twilio_key finds API key secrets (SK…) and labelled auth tokens",
		"hooks.slack.com/services/T0/B0/X": "placeholder ids and secret: Slack's team and bot ids are 9 or more characters",
	},
	flagged: map[string]string{
		"adQssw5c&":                "a JWT followed by & (the next parameter of a URL's query) is still a JWT",
		"xoxp-1234-5678-xaK89e*":   "a token followed by * (Markdown emphasis) is still a token",
		"http://hooks.slack.com/":  "the webhook URL's path is its credential, whatever the scheme",
		"5ee3s?":                   "a webhook URL followed by ? (a query, a question) is still the URL",
		"_live_1234567890abcdefgH": "Stripe keys are not only 24 characters: stripe_key takes 20 to 99, as gitleaks' stripe-access-token rule does (10 to 99)",
	},
}

// listed is the reason of the first key of m that is a part of text.
func listed(m map[string]string, text string) string {
	for k, why := range m {
		if strings.Contains(text, k) {
			return why
		}
	}
	return ""
}

type tally struct{ pos, generated, tp, neg, fp int }

// measurePeer scans each sample (between two lines of prose) with every
// detector, counts per detector of ours (detectorOf, by the peer's rule)
// what it found at the shipped minimum, and fails on a positive missed or
// a negative flagged that ex does not name. It returns the table and the
// rules that had samples.
func measurePeer(t *testing.T, samples []peerSample, detectorOf map[string]string, ex peerExceptions) (string, map[string]bool) {
	t.Helper()
	s, err := NewScanner(nil)
	require.NoError(t, err)
	per := map[string]*tally{}
	positives := map[string]bool{}
	for _, v := range samples {
		if v.positive {
			positives[v.text] = true
		}
	}
	seen := map[string]bool{}
	for _, v := range samples {
		seen[v.rule] = true
		name := detectorOf[v.rule]
		if per[name] == nil {
			per[name] = &tally{}
		}
		c := per[name]
		if v.generated && ex.loose[v.rule] != "" {
			continue
		}
		positive := v.positive || listed(ex.ours, v.text) != ""
		if !positive && positives[v.text] {
			continue // a positive of a sibling rule (both are ours)
		}
		found := s.Scan([]byte("Please keep this safe:\n" + v.text + "\n(do not share).\n")).AtLeast(corpusMin)[name] != nil
		if positive {
			c.pos++
			if v.generated {
				c.generated++
			}
			if found {
				c.tp++
			} else if listed(ex.missed, v.text) == "" {
				t.Errorf("%s: missed %s's positive %q", name, v.rule, v.text)
			}
			continue
		}
		c.neg++
		if found {
			c.fp++
			if listed(ex.flagged, v.text) == "" {
				t.Errorf("%s: flagged %s's negative %q", name, v.rule, v.text)
			}
		}
	}
	names := make([]string, 0, len(per))
	for n := range per {
		names = append(names, n)
	}
	sort.Strings(names)
	var table strings.Builder
	fmt.Fprintf(&table, "%-27s %9s %9s %5s %7s %9s %5s %9s\n", "detector", "positives", "generated", "TP", "recall", "negatives", "FP", "precision")
	var all tally
	row := func(n string, c tally) {
		fmt.Fprintf(&table, "%-27s %9d %9d %5d %7.2f %9d %5d %9.2f\n", n, c.pos, c.generated, c.tp, ratio(c.tp, c.pos), c.neg, c.fp, ratio(c.tp, c.tp+c.fp))
	}
	for _, n := range names {
		c := per[n]
		all.pos, all.generated, all.tp, all.neg, all.fp = all.pos+c.pos, all.generated+c.generated, all.tp+c.tp, all.neg+c.neg, all.fp+c.fp
		row(n, *c)
	}
	row("all", all)
	return table.String(), seen
}

// TestPeerRuleTests measures the detectors against peers' rule tests
// (one subtest per peer, each skipping when its module is not in the
// module cache) and fails on a positive missed or a negative flagged
// that the peer's exceptions do not name with a reason.
func TestPeerRuleTests(t *testing.T) {
	t.Run("gitleaks", func(t *testing.T) {
		dir, why := moduleDir(gitleaksModule, gitleaksVersion, gitleaksSum)
		if dir == "" {
			t.Skipf("%s: run `make peer-fixtures` to measure the detectors against its rule tests", why)
		}
		samples, skipped, rulesFound := gitleaksSamples(t, filepath.Join(dir, "cmd", "generate", "config", "rules"))
		table, rulesSeen := measurePeer(t, samples, gitleaksRules, gitleaksExceptions)
		var random []string
		for rule := range gitleaksRules {
			assert.True(t, rulesFound[rule], "gitleaks %s has the rule %s", gitleaksVersion, rule)
			if rulesFound[rule] && !rulesSeen[rule] {
				random = append(random, rule)
			}
		}
		sort.Strings(random)
		total := 0
		for _, n := range skipped {
			total += n
		}
		t.Logf("\ngitleaks %s rule tests at confidence %s or above, per detector of ours (generated: positives drawn here from gitleaks' regexes, from a fixed seed, where its tests draw new ones each run; %d values not evaluated; rules with no value: %s):\n%s",
			gitleaksVersion, corpusMin, total, cmp.Or(strings.Join(random, ", "), "none"), table)
	})
	t.Run("secret-detector", func(t *testing.T) {
		dir, why := moduleDir(secretDetectorModule, secretDetectorVersion, secretDetectorSum)
		if dir == "" {
			t.Skipf("%s: run `make peer-fixtures` to measure the detectors against its detectors' tests", why)
		}
		samples := secretDetectorSamples(t, filepath.Join(dir, "pkg", "detectors"))
		table, _ := measurePeer(t, samples, secretDetectorTests, secretDetectorExceptions)
		t.Logf("\nDefangLabs/secret-detector %s detectors' tests at confidence %s or above, per detector of ours:\n%s",
			secretDetectorVersion, corpusMin, table)
	})
}

// regexGen generates strings a regular expression matches: a random
// member of each character class, a random branch of each alternation,
// and the repeat counts between the minimum and three more.
type regexGen struct{ r *rand.Rand }

// generatedMark is put before each generated string, to tell the samples
// holding one from those written in gitleaks' files; it is removed
// before a sample is scanned.
const generatedMark = "\x00"

func (g *regexGen) generate(pattern string) (string, bool) {
	re, err := syntax.Parse(pattern, syntax.Perl)
	if err != nil {
		return "", false
	}
	var sb strings.Builder
	ok := g.write(&sb, re)
	return generatedMark + sb.String(), ok
}

func (g *regexGen) write(sb *strings.Builder, re *syntax.Regexp) bool {
	repeat := func(lo, hi int) bool {
		if hi < 0 {
			hi = lo + 3
		}
		n := lo + g.r.IntN(hi-lo+1)
		for k := 0; k < n; k++ {
			if !g.write(sb, re.Sub[0]) {
				return false
			}
		}
		return true
	}
	switch re.Op {
	case syntax.OpLiteral:
		sb.WriteString(string(re.Rune))
	case syntax.OpCharClass:
		total := 0
		for k := 0; k < len(re.Rune); k += 2 {
			total += int(re.Rune[k+1]-re.Rune[k]) + 1
		}
		if total == 0 {
			return false
		}
		pick := g.r.IntN(total)
		for k := 0; k < len(re.Rune); k += 2 {
			size := int(re.Rune[k+1]-re.Rune[k]) + 1
			if pick < size {
				sb.WriteRune(re.Rune[k] + rune(pick))
				break
			}
			pick -= size
		}
	case syntax.OpAnyChar, syntax.OpAnyCharNotNL:
		sb.WriteByte("abcdefghijklmnopqrstuvwxyz0123456789"[g.r.IntN(36)])
	case syntax.OpCapture:
		return g.write(sb, re.Sub[0])
	case syntax.OpConcat:
		for _, sub := range re.Sub {
			if !g.write(sb, sub) {
				return false
			}
		}
	case syntax.OpAlternate:
		return g.write(sb, re.Sub[g.r.IntN(len(re.Sub))])
	case syntax.OpStar:
		return repeat(0, 3)
	case syntax.OpPlus:
		return repeat(1, 4)
	case syntax.OpQuest:
		return repeat(0, 1)
	case syntax.OpRepeat:
		return repeat(re.Min, re.Max)
	case syntax.OpEmptyMatch, syntax.OpBeginLine, syntax.OpEndLine, syntax.OpBeginText, syntax.OpEndText,
		syntax.OpWordBoundary, syntax.OpNoWordBoundary:
	default:
		return false
	}
	return true
}
