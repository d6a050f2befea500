package dlp

import (
	"crypto/sha256"
	"fmt"
	"hash/crc32"
	"math/big"
	"sort"
	"strings"
	"testing"
	"unicode"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// sample is a line of text holding one value, and where the value's
// shape comes from.
type sample struct{ text, source string }

// detectorCorpus holds, per detector, lines it must find at the default
// minimum confidence (medium) or above, and near misses it must not: the
// right shape with a wrong checksum, length, range, charset or context.
// Every value is fake: built at test time from its documented shape (see
// fakes_test.go), or published by its issuer as an example or test value.
type detectorCorpus struct {
	positives []sample
	// files are positives that are a whole file (a CSV with its header),
	// scanned as they are rather than between lines of prose.
	files      []sample
	nearMisses []string
}

const (
	srcGitleaks = "shape of gitleaks v8 default rule (config/gitleaks.toml), body made up"
	srcCards    = "published test card number (Stripe, PayPal and Adyen test card lists)"
	srcRegistry = "example of the SWIFT IBAN registry"
	srcMadeUp   = "made up, of the documented shape"
)

func corpus() map[string]detectorCorpus {
	openAILegacy := "sk-" + fakeAlnum(20) + "T3Blbk" + "FJ" + fakeAlnum(20)
	awsSecret := fakeB64(40)
	return map[string]detectorCorpus{
		OpenAIKey: {
			positives: []sample{
				{"OPENAI_API_KEY=" + fakeOpenAIProject(), "OpenAI project key: sk-proj-, 58 or 74 characters, T3BlbkFJ, 58 or 74 (" + srcGitleaks + ")"},
				{"key: sk-" + "svcacct-" + fakeAlnum(74) + "T3Blbk" + "FJ" + fakeAlnum(74), "OpenAI service account key (" + srcGitleaks + ")"},
				{"admin key sk-" + "admin-" + fakeAlnum(58) + "T3Blbk" + "FJ" + fakeAlnum(58), "OpenAI admin key (" + srcGitleaks + ")"},
				{"openai.api_key = '" + openAILegacy + "'", "legacy OpenAI key: sk-, 20, T3BlbkFJ, 20 (" + srcGitleaks + ")"},
			},
			nearMisses: []string{
				"sk-test", "sk-123", "sk-proj-short1234", "sk-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
				"ask-" + openAILegacy[3:], "disk-FAKE1234567890abcdefghijklmnopqrstuvwxyz",
				"sk-abcdefghijklmnopqrstuvwxyzabcdefghijkl", "sk-" + fakeAlnum(48),
				"sk-proj-" + fakeAlnum(60), // no marker: low at most
				fakeAnthropic("api03"),
			},
		},
		AnthropicKey: {
			positives: []sample{
				{"ANTHROPIC_API_KEY=" + fakeAnthropic("api03"), "Anthropic API key: sk-ant-api03-, 93, AA (" + srcGitleaks + ")"},
				{"admin: " + fakeAnthropic("admin01"), "Anthropic Admin API key: sk-ant-admin01-, 93, AA (" + srcGitleaks + ")"},
			},
			nearMisses: []string{"sk-ant-api03-short", "sk-ant-api03-" + fakeAlnum(93) + "BB", "sk-ant-api03-" + fakeAlnum(92) + "AA", "sk-ant-" + fakeAlnum(40)},
		},
		GoogleAPIKey: {
			positives: []sample{
				{"key=AIza" + "SyFAKE0123456789abcdefghijNOTREAL12", "Google API key: AIza and 35 (" + srcGitleaks + ")"},
				{"GEMINI_API_KEY=AIza" + "SyB-FAKE_key0123456789abcdefghijklm", "Gemini / AI Studio key: a Google API key"},
				{"AIza" + "SyD_notREAL-00001111222233334444555", "Google API key (" + srcGitleaks + ")"},
			},
			nearMisses: []string{"AIza" + "SyFAKE0123456789abcdefghijNOTREAL1", "AIza" + "SyFAKE0123456789abcdefghijNOTREAL123", "AIzb" + "SyFAKE0123456789abcdefghijNOTREAL12"},
		},
		AzureOpenAIKey: {
			positives: []sample{
				{"AZURE_OPENAI_API_KEY=" + fakeHex(32), "Azure OpenAI key: 32 hex characters, labelled (Azure OpenAI quickstart's variable name)"},
				{`"azure_openai_key": "` + fakeAlnum(84) + `"`, "Azure AI services key, 84 characters, labelled"},
			},
			nearMisses: []string{"AZURE_OPENAI_ENDPOINT=https://fake.openai.azure.com/", "azure_key = " + fakeHex(31), fakeHex(32), "azure_region: " + fakeHex(32)},
		},
		HuggingFaceToken: {
			positives: []sample{
				{"HF_TOKEN=hf_" + fakeLetters(34), "Hugging Face user token: hf_ and 34 letters (" + srcGitleaks + ")"},
				{"token: api_org_" + fakeLetters(34), "Hugging Face organization token (" + srcGitleaks + ")"},
			},
			nearMisses: []string{"hf_" + fakeLetters(33), "hf_" + fakeLetters(35), "hf_" + strings.Repeat("x", 34)},
		},
		MistralKey: {
			positives:  []sample{{"MISTRAL_API_KEY=" + fakeAlnum(32), "Mistral key: 32 letters and digits, labelled (Mistral's client reads MISTRAL_API_KEY)"}},
			nearMisses: []string{fakeAlnum(32), "mistral_model: mistral-large-latest", "MISTRAL_API_KEY=" + fakeAlnum(31)},
		},
		CohereKey: {
			positives: []sample{
				{"COHERE_API_KEY: " + fakeAlnum(40), "Cohere key: 40 letters and digits, labelled (" + srcGitleaks + ")"},
				{"export CO_API_KEY=" + fakeAlnum(40), "Cohere key under CO_API_KEY (" + srcGitleaks + ")"},
			},
			nearMisses: []string{fakeAlnum(40), "COHERE_API_KEY: " + fakeAlnum(39)},
		},
		GroqKey: {
			positives:  []sample{{"GROQ_API_KEY=gsk_" + fakeAlnum(52), "Groq key: gsk_ and 52 letters and digits (Groq console keys)"}},
			nearMisses: []string{"gsk_" + fakeAlnum(51), "gsk_" + fakeAlnum(53)},
		},
		XAIKey: {
			positives:  []sample{{"XAI_API_KEY=xai-" + fakeAlnum(80), "xAI key: xai- and 80 letters and digits (xAI console keys)"}},
			nearMisses: []string{"xai-" + fakeAlnum(79), "xai-grok-2-latest"},
		},
		PerplexityKey: {
			positives:  []sample{{"PERPLEXITY_API_KEY=pplx-" + fakeAlnum(48), "Perplexity key: pplx- and 48 (" + srcGitleaks + ")"}},
			nearMisses: []string{"pplx-" + fakeAlnum(47), "pplx-api"},
		},
		OpenRouterKey: {
			positives:  []sample{{"OPENROUTER_API_KEY=sk-or-v1-" + fakeHex(64), "OpenRouter key: sk-or-v1- and 64 hex characters (OpenRouter keys page)"}},
			nearMisses: []string{"sk-or-v1-" + fakeHex(63), "sk-or-v1-" + strings.ToUpper(fakeHex(64))},
		},
		ReplicateToken: {
			positives:  []sample{{"REPLICATE_API_TOKEN=r8_" + fakeAlnum(37), "Replicate token: r8_ and 37 letters and digits (Replicate account tokens, 40 characters)"}},
			nearMisses: []string{"r8_" + fakeAlnum(36), "r8_" + fakeAlnum(38)},
		},
		AWSAccessKeyID: {
			positives: []sample{
				{"aws_access_key_id = AKIA" + "Q3FAKETEST234567", "AWS access key id: AKIA and 16 (AWS IAM identifiers documentation)"},
				{"ASIA" + "FAKE0000TESTKEY1", "AWS temporary key id: ASIA"},
				{"AROA" + "FAKEROLE00000001", "AWS role id: AROA"},
			},
			nearMisses: []string{"AKIA" + "IOSFODNN7EXAMPLE", "AKIA" + "XXXXXXXXXXXXXXXX", "AKIA" + "Q3FAKETEST23456", "AKIA" + "Q3FAKETEST2345678", "AKIA" + "q3faketest234567", "AKIZ" + "Q3FAKETEST234567", "XAKIA" + "Q3FAKETEST234567"},
		},
		AWSSecretAccessKey: {
			positives: []sample{
				{"aws_secret_access_key = " + awsSecret, "AWS secret access key: 40 base64 characters after its name (AWS CLI credentials file)"},
				{`"SecretAccessKey": "` + awsSecret + `"`, "AWS secret in an STS/IAM JSON response"},
				{"access key AKIA" + "Q3FAKETEST234567 secret: " + awsSecret, "AWS secret beside its access key id"},
				{"aws_access_key = " + awsSecret, "AWS secret under a misspelled name of AWS's"},
				{"AWS_SECRET_KEY=" + awsSecret, "AWS secret under AWS_SECRET_KEY"},
			},
			nearMisses: []string{
				awsSecret,
				"aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCY" + "EXAMPLEKEY",
				"aws_secret_access_key = " + awsSecret[:39],
				"aws_secret_access_key = 0123456789012345678901234567890123456789",
				"sha1 3a6eb0790f39ac87c94f3856b2dd2c5d110e6811 aws_secret_access_key =",
				"client_secret: " + awsSecret, // low at most
				// a URL path in the AWS SDK's comments, after aws.amazon.com
				"See https://docs.aws.amazon.com/goto/WebAPI/comprehend-2017-11-27/DescribeTargetedSentimentDetectionJob",
			},
		},
		GitHubToken: {
			positives: []sample{
				{"ghp_" + "FAKE0123456789abcdefNOTREALtoken42xy", "GitHub personal access token: ghp_ and 36 (GitHub's token formats post)"},
				{"gho_" + "16C7e42F292c6912E7710c838347Ae178B4a", "GitHub OAuth token: gho_ (GitHub docs example)"},
				{"github_pat_" + "FAKE0123456789abcdefgh" + "_" + "NOTREAL0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOP", "GitHub fine-grained token: github_pat_ and 82"},
				{"GITHUB_TOKEN=" + fakeHex(40), "GitHub legacy 40-hex token, labelled"},
				{`"github_pat": "` + fakeHex(40) + `"`, "GitHub legacy 40-hex token, labelled in JSON"},
			},
			nearMisses: []string{"ghp_" + "FAKE0123456789abcdefNOTREALtoken42x", "ghp_" + "FAKE0123456789abcdefNOTREALtoken42xyz", "ghx_" + "FAKE0123456789abcdefNOTREALtoken42xy",
				"ghp_" + strings.Repeat("a", 36), "https://github.com/owner/repo/commit/" + fakeHex(40), "github sha " + fakeHex(40)},
		},
		GitLabToken: {
			positives: []sample{
				{"GITLAB_TOKEN=glpat-" + fill("FAKE-test_0123456789", 20), "GitLab personal access token: glpat- and 20 (GitLab token prefixes documentation)"},
				{"runner token GR1348941" + fakeAlnum(20), "GitLab runner registration token: GR1348941 and 20"},
				{"glrt-" + fakeAlnum(20), "GitLab runner authentication token: glrt-"},
			},
			nearMisses: []string{"glpat-short", "glpat-" + strings.Repeat("x", 20)},
		},
		SlackToken: {
			positives: []sample{
				{"SLACK_WEBHOOK=https://hooks.slack.com/services/T" + strings.ToUpper(fakeAlnum(8)) + "/B" + strings.ToUpper(fakeAlnum(10)) + "/" + fakeAlnum(24), "Slack incoming webhook URL (Slack's incoming webhooks documentation)"},
				{"xoxo-" + "100-" + fakeAlnum(8), "legacy xoxo- token with a short last segment (detect-secrets' shape)"},
				{"xoxb-" + "123456789012-1234567890123-FAKEabcdefghijklmnopqrSTUV", "Slack bot token (Slack token types documentation)"},
				{"xoxp-" + "1234567890-0987654321098-FAKEtoken1234567890abcdefgh", "Slack user token"},
				{"xapp-" + "1-A0FAKE12345-1234567890123-0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0", "Slack app-level token"},
				{"xoxs-" + "1234567890-1234567890-1234567890-" + fakeHex(12), "legacy Slack token xoxs- (" + srcGitleaks + ")"},
				{"xoxa-" + "2-" + fakeAlnum(20), "legacy Slack workspace token xoxa-2- (" + srcGitleaks + ")"},
				{"xoxa-" + "2-1234567890-FAKEte", "legacy Slack workspace token with a short last segment"},
				{"xoxe." + "xoxp-1-" + strings.ToUpper(fakeAlnum(163)), "Slack configuration access token xoxe.xoxp- (" + srcGitleaks + ")"},
				{"xoxe-" + "1-" + strings.ToUpper(fakeAlnum(146)), "Slack configuration refresh token xoxe- (" + srcGitleaks + ")"},
			},
			nearMisses: []string{"xoxb-" + "123-456-abc", "xoxz-" + "123456789012-1234567890123-FAKEabcdefghijklmnopqrSTUV", "xoxb-" + "notanumber-FAKEabcdefghijklmnopqrSTUV",
				// placeholders (gitleaks v8.30.1's slack rule tests list these shapes as false positives)
				"xoxp-" + "1234-1234-1234-" + fakeHex(32), "xoxe." + "xoxp-1-SlackAppConfigurationAccessTokenHere", "xoxe." + "xoxp-1-" + strings.ToUpper(fakeAlnum(40)),
				"https://hooks.slack.com/services/T0/B0/X", "https://hooks.slack.com/services/TXXXXXXXX/BXXXXXXXX/XXXXXXXXXXXXXXXXXXXXXXXX", "xoxb-" + "12345-abcd234"},
		},
		StripeKey: {
			positives: []sample{
				{"STRIPE_SECRET_KEY=sk_" + "live_" + fakeAlnum(24), "Stripe live secret key: sk_live_ (Stripe API keys documentation)"},
				{"rk_" + "live_" + fakeAlnum(99), "Stripe restricted key: rk_live_"},
				{"sk_" + "test_" + fakeAlnum(24), "Stripe test secret key: sk_test_ (medium)"},
				{"STRIPE_WEBHOOK_SECRET=whsec_" + fakeAlnum(32), "Stripe webhook signing secret: whsec_"},
			},
			nearMisses: []string{"sk_" + "live_short", "sk_" + "test_key_name", "pk_" + "live_" + fakeAlnum(24)},
		},
		TwilioKey: {
			positives: []sample{
				{"TWILIO_API_SECRET=SK" + fakeHex(32), "Twilio API key: SK and 32 hex (" + srcGitleaks + ")"},
				{"TWILIO_AUTH_TOKEN=" + fakeHex(32), "Twilio auth token: 32 hex, labelled"},
			},
			nearMisses: []string{"AC" + fakeHex(32), "SK" + fakeHex(31), "SK" + fakeHex(33)},
		},
		SendGridKey: {
			positives:  []sample{{"SENDGRID_API_KEY=SG." + fakeAlnum(22) + "." + fakeAlnum(43), "SendGrid key: SG., 22, ., 43 (SendGrid API keys documentation)"}},
			nearMisses: []string{"SG." + fakeAlnum(21) + "." + fakeAlnum(43), "SG." + fakeAlnum(22) + "." + fakeAlnum(42)},
		},
		NPMToken: {
			positives: []sample{
				{"//registry.npmjs.org/:_authToken=npm_" + fakeAlnum(36), "npm access token: npm_ and 36 (npm token documentation)"},
				{"//registry.npmjs.org/:_authToken=" + fakeHex(8) + "-" + fakeHex(4) + "-" + fakeHex(4) + "-" + fakeHex(4) + "-" + fakeHex(12), "legacy npm token (a UUID) in an .npmrc line (npm's .npmrc documentation)"},
				{"//npm.fake.example:8443/repo/:_authToken=" + fakeAlnum(24), "a private registry's token in an .npmrc line"},
			},
			nearMisses: []string{"npm_" + fakeAlnum(35), "npm_config_cache", "//registry.npmjs.org/:_authToken=${NPM_TOKEN}",
				"/registry.npmjs.org/:_authToken=" + fakeAlnum(24), "_authToken=" + fakeAlnum(24), "//registry.npmjs.org/:_authToken=short"},
		},
		PyPIToken: {
			positives:  []sample{{"password = pypi-AgEIcHlwaS5vcmc" + fakeAlnum(60), "PyPI API token: pypi- and a macaroon for pypi.org (PyPI help)"}},
			nearMisses: []string{"pypi-AgEIcHlwaS5vcmc" + fakeAlnum(20), "pypi-simple"},
		},
		DatabricksToken: {
			positives:  []sample{{"DATABRICKS_TOKEN=dapi" + fakeHex(32), "Databricks personal access token: dapi and 32 hex (Databricks documentation)"}},
			nearMisses: []string{"dapi" + fakeHex(31), "dapi" + fakeHex(33)},
		},
		ConnectionString: {
			positives: []sample{
				{"DATABASE_URL=postgres://app:S3cr3tFAKEpw@db.example.com:5432/app", "PostgreSQL URI with a password (libpq connection URIs)"},
				{"mongodb+srv://reader:FAKEpassw0rd9@cluster0.example.net/db", "MongoDB SRV URI"},
				{"redis://:FAKE-redis-pw-42@cache.example.internal:6379/0", "Redis URI with a password only"},
				{"Server=tcp:fake.example.net,1433;Database=app;User ID=svc;Password=FAKE-pw-0912;", "ADO.NET connection string"},
				{"jdbc:mysql://root:FAKEroot77@mysql.example.com:3306/shop", "JDBC MySQL URL"},
			},
			nearMisses: []string{
				"postgres://user:password@localhost/db", "postgres://app:${DB_PASSWORD}@db/app", "postgres://db.example.com/app",
				"mysql://root:<password>@host/db", "https://user:FAKEpw@example.com/", "Password=; Server=x",
			},
		},
		PrivateKey: {
			positives: []sample{
				{"-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEAFAKEFAKEFAKEFAKEFAKEFAKEFAKEFAKEFAKEFAKEFAKEFAKE\nTESTTESTTESTTESTTESTTESTTESTTESTTESTTESTTESTTESTTESTTESTTESTTE==\n-----END RSA PRIVATE KEY-----", "PEM RSA key (RFC 7468), body made up"},
				{"-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQCFAKEFAKEFAKEFAKE\nNOTAREALKEYNOTAREALKEYNOTAREALKEYNOTAREALKEYNOTAREALKEYNOTAREALKE\n-----END PRIVATE KEY-----", "PKCS#8 key"},
				{"PuTTY-User-Key-File-3: ssh-ed25519\nEncryption: none\nComment: fake-key\nPublic-Lines: 2\n" + fakeB64(64) + "\n" + fakeB64(20) + "\nPrivate-Lines: 1\n" + fakeB64(44) + "\nPrivate-MAC: " + fakeHex(64), "PuTTY private key file (PuTTY's documentation, appendix C), body made up"},
				{"-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW\nQyNTUxOQAAACBGQUtFRkFLRUZBS0VGQUtFRkFLRUZBS0VGQUtFRkFLRQAAAJgAAAAAAAAA\n-----END OPENSSH PRIVATE KEY-----", "OpenSSH key"},
			},
			nearMisses: []string{
				"-----BEGIN RSA PRIVATE KEY-----\n...\n-----END RSA PRIVATE KEY-----",
				"PuTTY-User-Key-File-2: ssh-rsa (the first line of a .ppk file, quoted in a manual)",
				"-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEAFAKEFAKEFAKEFAKEFAKEFAKEFAKEFAKEFAKEFAKEFAKEFAKE\nTESTTESTTESTTESTTESTTESTTESTTESTTESTTESTTESTTESTTESTTESTTESTTE==",
				"-----BEGIN CERTIFICATE-----\nMIIDdzCCAl+gAwIBAgIEAgAAuTANBgkqhkiG9w0BAQUFADBaMQswCQYDVQQGEwJJRTESMBAGA1UE\n-----END CERTIFICATE-----",
				"-----BEGIN PUBLIC KEY-----\nMIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAFAKEFAKEFAKEFAKEFAKEFAKEFAKEFAKE\n-----END PUBLIC KEY-----",
			},
		},
		JWT: {
			positives: []sample{
				{"Authorization: Bearer eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c", "jwt.io's example token (RFC 7519 shape)"},
				{fakeJWT(`{"alg":"RS256","typ":"JWT","kid":"fake-key-1"}`, `{"sub":"fake-user","iss":"https://issuer.example"}`, b64url("FAKE-signature-not-real-0123456789")), "RS256 token, made up"},
				{fakeJWT(`{ "alg": "ES256", "typ": "JWT" }`, `{ "scope": "read" }`, b64url("fake_signature_for_tests")), "token with whitespace in its JSON"},
				{fakeJWT("{\n  \"alg\": \"HS256\"\n}", "{\n  \"sub\": \"fake\"\n}", b64url("fake_signature_for_tests")), "token with line breaks in its JSON"},
				{fakeJWT(`{"alg":"none"}`, `{"sub":"fake-user","admin":true}`, ""), "unsigned token, alg none (RFC 7519 section 6)"},
				{strings.TrimSuffix(fakeJWT(`{"typ":"JWT","alg":"none"}`, `{"sub":"fake-user"}`, ""), "."), "unsigned token written without its last dot (detect-secrets' tests)"},
			},
			nearMisses: []string{
				"eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0",
				"eyJub3RhbGciOiJ4In0.eyJzdWIiOiIxIn0.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV",
				"eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.bm90anNvbg.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV",
				fakeJWT(`{"alg":"HS256"}`, `{"sub":"x"}`, ""), // signed by its header, no signature
			},
		},
		PaymentCard: {
			positives: []sample{
				{"Card: 4111111111111111", srcCards + ", Visa, beside a keyword"},
				{"4111 1111 1111 1111 exp 12/29", srcCards + ", Visa, printed in groups"},
				{"4111-1111-1111-1111", srcCards + ", Visa, dashed"},
				{"Mastercard 5555555555554444", srcCards + ", Mastercard"},
				{"card number: 2223003122003222", srcCards + ", Mastercard 2-series"},
				{"Amex 378282246310005", srcCards + ", American Express"},
				{"3782 822463 10005", srcCards + ", American Express 4-6-5"},
				{"Discover card 6011111111111117", srcCards + ", Discover"},
				{"JCB: 3530111333300000", srcCards + ", JCB"},
				{"Diners Club 3056 9309 0259 04", srcCards + ", Diners Club 14 digits"},
				{"UnionPay card 6200000000000005", srcCards + ", UnionPay"},
				{"UnionPay 19-digit card 6205500000000000004", srcCards + ", UnionPay 19 digits"},
				{"Maestro card 6759649826438453", srcCards + ", Maestro"},
				{"Mir card " + groupEvery(luhnComplete("220000000000000"), 4, " "), "Mir range 2200-2204, Luhn completed"},
				{"RuPay card " + luhnComplete("608000000000000"), "RuPay range 60, Luhn completed"},
				{"UATP card " + luhnComplete("13541001400495"), "UATP (1, 15 digits), Luhn completed"},
				{"Troy kart " + luhnComplete("979200000000000"), "Troy range 9792, Luhn completed"},
			},
			files: []sample{{"customer,card,amount\nC-1,4012888888881881,12.00\n", srcCards + ", in a CSV whose header names the card column"}},
			nearMisses: []string{
				"4111111111111112", "4111 1111 1111 1112", "5555555555554445", "1234567812345678", "0000000000000000",
				"9111111111111111", "41111111111111111111", "4111 11111 1111111", "4111-1111 1111-1111", "411111111111111",
				"order 12345678901234567", "3782822463100055",
				"3158.4477704354626", "lat 0.4111111111111111", "v1.4111111111111111",
				`{"id": 4111111111111111, "id_str": "4111111111111111", "user": 5555555555554444}`,
				"[12.345678, 45.123456, 4111111111111111, 99.1234]",
				"https://twitter.com/user/status/4111111111111111",
				"ids: 1234 4111 1111 1111 1111 5678",
				"ref " + luhnComplete("10000000000000") + " shipped",
				"4111111111111111", // bare: low at most
			},
		},
		IBAN: {
			positives: []sample{
				{"IBAN GB82WEST12345698765432", srcRegistry + ", GB"},
				{"GB82 WEST 1234 5698 7654 32", srcRegistry + ", GB in groups of four"},
				{"DE89370400440532013000", srcRegistry + ", DE"},
				{"DE89 3704 0044 0532 0130 00", srcRegistry + ", DE in groups"},
				{"FR1420041010050500013M02606", srcRegistry + ", FR"},
				{"NL91ABNA0417164300", srcRegistry + ", NL"},
				{"NO 93 8601 1117 947", srcRegistry + ", NO with national spacing"},
				{"NO93.8601.1117.947", srcRegistry + ", NO with dots"},
				{"ES91 2100 0418 45 0200051332", srcRegistry + ", ES in its national groups"},
				{"AL47-2121-1009-0000-0002-3569-8741", srcRegistry + ", AL with dashes"},
				{"IBAN " + ibanComplete("GP", "20041010050500013M02606"), "Guadeloupe: the French format under its own code, check digits computed"},
				{"IBAN " + ibanComplete("HN", "PISA00000000000000123124"), "Honduras (added 2024), check digits computed"},
				{"IBAN " + ibanComplete("MG", "00005030010101914016056"), "Madagascar, experimental list, check digits computed"},
			},
			nearMisses: []string{"GB82WEST12345698765431", "GB82WEST1234569876543", "DE89370400440532013001", "XX89370400440532013000", "NL91ABNA04171643001",
				ibanComplete("DE", "37040044053201300A"), // mod 97 holds, but DE accounts are digits
				ibanComplete("GB", "1234WEST5698765432"),
				"GB82WEST12345698765432@example.com", "GB82WEST12345698765432\U0001F600",
				"GB82 WEST 1234 5698 7654 32 10"},
		},
		USSSN: {
			positives: []sample{
				{"SSN: 536-22-1234", srcMadeUp + ", dashed, beside a keyword"},
				{"536-22-1234", srcMadeUp + ", dashed"},
				{"Social Security Number 536 22 1234", srcMadeUp + ", spaced, beside a keyword"},
				{"ssn 536221234", srcMadeUp + ", unseparated, beside a keyword"},
				{"SSN: 536.22.1234", srcMadeUp + ", dotted, beside a keyword"},
				{"001-01-0001", srcMadeUp + ", lowest issued"},
				{"899-99-9999", srcMadeUp + ", highest area below 900"},
				{`"social_security_number": "536-22-1234"`, srcMadeUp + ", the value of a field named for it"},
				{"tax_id: 536-22-1234, start 2021-04-01", srcMadeUp + ", a tax id field, beside other numbers"},
				{"SSN: 536-22-1234 DOB: 1980-01-02", srcMadeUp + ", beside a keyword and other numbers"},
			},
			files: []sample{
				{"name,ssn,start\nJane Roe,536-22-1234,2021-04-01\n", srcMadeUp + ", in a CSV whose header names the SSN column"},
				{"Name;Social Security Number\nJane Roe;536 22 1234\n", srcMadeUp + ", spaced, in a CSV whose header names the column"},
			},
			nearMisses: []string{
				// dashed, without a keyword: the value of a field named
				// otherwise, or among other numbers (a test table of
				// validators), is low.
				`"encrypted_string": "536-22-1234"`, "case_no = 536-22-1234", `{"536 22 1234", true}, {"536-22-1234", true},`,
				"order 1234: 536-22-1234",
				"000-12-3456", "666-12-3456", "900-12-3456", "123-00-4567", "123-45-0000", "078-05-1120", "219-09-9999", "123-45-6789",
				"536-22-12345", "536-221-234", "536-22 1234", "987-65-4321 x", "536221234", "12 348 98 1038 77", "1.536-22-1234", "536 22 1234"},
		},
		UKNINO: {
			positives: []sample{
				{"AB123456C", srcMadeUp},
				{"AB 12 34 56 C", srcMadeUp + ", spaced in pairs"},
				{"JG103759A", "HMRC's example NINO (National Insurance manual)"},
				{"ZE 91 23 45 D", srcMadeUp},
				{"AB 123456 C", srcMadeUp + ", spaced around the digits"},
				{"NI number: ab 12 34 56 c", srcMadeUp + ", lower case, beside a keyword"},
				{"National Insurance AB12 34 56C", srcMadeUp + ", mixed spacing"},
			},
			nearMisses: []string{"AB123456E", "DA123456C", "AO123456C", "BG123456C", "GB123456C", "ZZ123456C", "AB12345C", "AB1234567C", "ab123456c"},
		},
	}
}

// corpusMin is the minimum confidence the corpus is measured at: the
// default of the shipped profiles.
const corpusMin = Medium

// TestDetectorPrecisionAndRecall puts every corpus line in a file of its
// own, between two lines of prose, and counts per detector what it found
// at the default minimum confidence and what it should have. It prints
// the table, and fails on any near miss that matches or any positive that
// does not.
func TestDetectorPrecisionAndRecall(t *testing.T) {
	s, err := NewScanner(nil)
	require.NoError(t, err)
	c := corpus()
	names := make([]string, 0, len(c))
	for n := range c {
		names = append(names, n)
	}
	sort.Strings(names)
	var table strings.Builder
	fmt.Fprintf(&table, "%-27s %9s %11s %5s %5s %5s %9s %7s\n", "detector", "positives", "near misses", "TP", "FP", "FN", "precision", "recall")
	sumTP, sumFP, sumFN := 0, 0, 0
	for _, name := range names {
		dc := c[name]
		tp, fp, fn := 0, 0, 0
		for k, v := range append(append([]sample{}, dc.positives...), dc.files...) {
			require.NotEmpty(t, v.source, "%s: every positive says where its shape comes from", name)
			text := "Please keep this safe:\n" + v.text + "\n(do not share).\n"
			if k >= len(dc.positives) {
				text = v.text
			}
			got := s.Scan([]byte(text)).AtLeast(corpusMin)[name]
			if got != nil && got.Count == 1 {
				tp++
			} else {
				fn++
				t.Errorf("%s: missed %q (%s)", name, v.text, v.source)
			}
		}
		for _, v := range dc.nearMisses {
			res := s.Scan([]byte("Please keep this safe: " + v + " (do not share).\n")).AtLeast(corpusMin)
			if res[name] != nil {
				fp++
				t.Errorf("%s: matched the near miss %q", name, v)
			}
		}
		sumTP, sumFP, sumFN = sumTP+tp, sumFP+fp, sumFN+fn
		fmt.Fprintf(&table, "%-27s %9d %11d %5d %5d %5d %9.2f %7.2f\n", name, len(dc.positives)+len(dc.files), len(dc.nearMisses), tp, fp, fn, ratio(tp, tp+fp), ratio(tp, tp+fn))
	}
	fmt.Fprintf(&table, "%-27s %9d %11s %5d %5d %5d %9.2f %7.2f\n", "all", sumTP+sumFN, "", sumTP, sumFP, sumFN, ratio(sumTP, sumTP+sumFP), ratio(sumTP, sumTP+sumFN))
	t.Logf("\ndetector corpus at confidence %s or above (precision and recall per detector):\n%s", corpusMin, table.String())
	require.Len(t, names, len(Builtin), "every built-in detector has a corpus")
}

func ratio(a, b int) float64 {
	if b == 0 {
		return 1
	}
	return float64(a) / float64(b)
}

// Each value is counted once, by its own detector only, at any
// confidence: an Anthropic key is not an OpenAI key.
func TestNoDoubleCounting(t *testing.T) {
	s, err := NewScanner(nil)
	require.NoError(t, err)
	for name, c := range corpus() {
		for _, v := range c.positives {
			res := s.Scan([]byte(v.text))
			for other, d := range res {
				if other != name && !(name == AWSSecretAccessKey && other == AWSAccessKeyID) {
					t.Errorf("%q is %s but %s counted it too (%d)", v.text, name, other, d.Count)
				}
			}
		}
	}
}

func TestSamplesAreRedacted(t *testing.T) {
	s, err := NewScanner(nil)
	require.NoError(t, err)
	want := map[string]string{
		fakeOpenAIProject():                        "sk-proj-…" + fakeAlnum(58)[54:],
		"AKIA" + "Q3FAKETEST234567":                "AKIA…4567",
		"4111 1111 1111 1111":                      "4111 **** **** 1111",
		"378282246310005":                          "3782 **** **** 0005",
		"GB82 WEST 1234 5698 7654 32":              "GB82…5432",
		"536-22-1234":                              "***-**-1234",
		"AB 12 34 56 C":                            "AB ** ** ** C",
		"ghp_FAKE0123456789abcdefNOTREALtoken42xy": "ghp_…42xy",
	}
	for value, sample := range want {
		res := s.Scan([]byte(value))
		require.Len(t, res, 1, value)
		for _, d := range res {
			assert.Equal(t, sample, d.Sample, value)
			if plain := strings.ReplaceAll(value, " ", ""); len(plain) >= 16 {
				assert.NotContains(t, d.Sample, plain[4:12], "the middle of the value never appears")
			}
		}
	}
}

func TestCountsAndMixedText(t *testing.T) {
	s, err := NewScanner(nil)
	require.NoError(t, err)
	text := "cards: 4111111111111111, 5555555555554444; 4111111111111111 again.\n" +
		"key=" + fakeOpenAIProject() + "\n" +
		"ssn 536-22-1234 phone 555-123-4567 date 2024-01-15 id 12345678 ip 10.0.0.1\n"
	res := s.Scan([]byte(text))
	assert.Equal(t, 3, res[PaymentCard].Count)
	assert.Equal(t, 1, res[OpenAIKey].Count)
	assert.Equal(t, 1, res[USSSN].Count)
	assert.Len(t, res, 3)
}

func TestCustomDetectors(t *testing.T) {
	s, err := NewScanner([]Custom{
		{Name: "acme_project_code", Pattern: `ACME-[0-9]{6}`},
		{Name: "acme_contract", Pattern: `ACME-C-[0-9]{10}`},
		{Name: "confidential", Keywords: []string{"Confidential", "internal only"}},
	})
	require.NoError(t, err)
	res := s.Scan([]byte("ACME-123456 and ACME-654321 are CONFIDENTIAL, internal only; ACME-12 is not; unconfidential is not a word match. Contract ACME-C-0123456789."))
	require.Contains(t, res, "acme_project_code")
	assert.Equal(t, 2, res["acme_project_code"].Count)
	assert.Equal(t, "***********", res["acme_project_code"].Sample, "a short match shows nothing")
	assert.Equal(t, "AC…89", res["acme_contract"].Sample, "a longer one its ends, at most a quarter")
	assert.Equal(t, 2, res["confidential"].Count)
	assert.Equal(t, "confidential", res["confidential"].Sample)
	assert.Contains(t, s.Detectors(), "acme_project_code")

	_, err = NewScanner([]Custom{{Name: "bad", Pattern: "([a-z"}})
	assert.ErrorContains(t, err, `custom DLP detector "bad": error parsing regexp`)
	_, err = NewScanner([]Custom{{Name: "iban", Pattern: "x"}})
	assert.ErrorContains(t, err, "the name of a built-in detector")
	_, err = NewScanner([]Custom{{Name: "both", Pattern: "x", Keywords: []string{"y"}}})
	assert.ErrorContains(t, err, "give a pattern or keywords")
}

func TestLuhnAndMod97(t *testing.T) {
	assert.True(t, luhn([]byte("79927398713")))
	assert.False(t, luhn([]byte("79927398710")))
	assert.True(t, mod97([]byte("GB82WEST12345698765432")))
	assert.False(t, mod97([]byte("GB82WEST12345698765433")))
}

// Google API keys published as examples (googleExampleKeys, by digest)
// are not reported; any other key of the shape is.
func TestGoogleExampleKeysAreNotReported(t *testing.T) {
	require.Len(t, googleExampleKeys, 16, "the Firebase Android SDK's example keys gitleaks v8.30.1 allows")
	s, err := NewScanner(nil)
	require.NoError(t, err)
	key := "AIza" + "SyFAKE0123456789abcdefghijNOTREAL12"
	require.NotNil(t, s.Scan([]byte("key=" + key))[GoogleAPIKey])
	digest := sha256.Sum256([]byte(key))
	googleExampleKeys[digest] = true
	defer delete(googleExampleKeys, digest)
	assert.Nil(t, s.Scan([]byte("key=" + key))[GoogleAPIKey], "a published example key")
	assert.NotNil(t, s.Scan([]byte("key=" + key[:38] + "3"))[GoogleAPIKey], "a key one character away is still a key")
}

// withCRC32 ends a 30-character body with its checksum as GitHub and npm
// write it, encoded here by another route than crc32Base62's: math/big's
// base 62 (digits, lower, upper) with the letters' case swapped.
func withCRC32(body30 string) string {
	enc := new(big.Int).SetUint64(uint64(crc32.ChecksumIEEE([]byte(body30)))).Text(62)
	swapped := strings.Map(func(r rune) rune {
		switch {
		case unicode.IsLower(r):
			return unicode.ToUpper(r)
		case unicode.IsUpper(r):
			return unicode.ToLower(r)
		}
		return r
	}, enc)
	return body30 + strings.Repeat("0", 6-len(swapped)) + swapped
}

// A GitHub or npm token whose checksum holds is high; one character
// changed (so the checksum fails) it is medium: still found at the
// shipped minimum.
func TestChecksummedTokens(t *testing.T) {
	s, err := NewScanner(nil)
	require.NoError(t, err)
	body := withCRC32("FAKE0123456789abcdefNOTREALtok")
	require.Len(t, body, 36)
	broken := body[:35] + "a"
	if body[35] == 'a' {
		broken = body[:35] + "b"
	}
	for _, tc := range []struct{ prefix, detector string }{
		{"ghp_", GitHubToken}, {"gho_", GitHubToken}, {"ghs_", GitHubToken}, {"npm_", NPMToken},
	} {
		got := s.Scan([]byte("token " + tc.prefix + body + "\n"))[tc.detector]
		require.NotNil(t, got, tc.prefix)
		assert.Equal(t, High, got.Confidence, "%s with its checksum", tc.prefix)
		got = s.Scan([]byte("token " + tc.prefix + broken + "\n"))[tc.detector]
		require.NotNil(t, got, tc.prefix)
		assert.Equal(t, Medium, got.Confidence, "%s with a wrong checksum", tc.prefix)
	}
}
