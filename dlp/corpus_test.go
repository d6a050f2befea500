package dlp

import (
	"fmt"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// corpus holds, per detector, values it must find (true positives) and
// values it must not (near misses: the right shape with a wrong checksum,
// length, range or charset). Every value is fake: made for this test, or
// published by its issuer as an example.
var corpus = map[string]struct{ positives, nearMisses []string }{
	OpenAIKey: {
		positives: []string{
			"sk-proj-FAKE0000TEST1111NOTREAL2222EXAMPLE3333KEY4444abcd",
			"sk-admin-FAKEadminKEY0123456789notREALexampleKEY9876",
			"sk-FAKE1234567890abcdefghijklmnopqrstuvwxyzTEST42",
			"sk-svcacct-FAKE_service-ACCOUNT_key_0123456789abcdefXYZ",
		},
		nearMisses: []string{
			"sk-test", "sk-123", "sk-proj-short1234", "sk-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
			"ask-FAKE1234567890abcdefghijklmnopqrstuvwxyzTEST42", "disk-FAKE1234567890abcdefghijklmnopqrstuvwxyz",
			"sk-abcdefghijklmnopqrstuvwxyzabcdefghijkl",
		},
	},
	AWSAccessKeyID: {
		positives:  []string{"AKIAIOSFODNN7EXAMPLE", "ASIAFAKE0000EXAMPLE1", "AROAFAKEROLE00000001"},
		nearMisses: []string{"AKIAIOSFODNN7EXAMPL", "AKIAIOSFODNN7EXAMPLEX", "AKIAiosfodnn7example", "AKIZIOSFODNN7EXAMPLE", "XAKIAIOSFODNN7EXAMPLE"},
	},
	AWSSecretAccessKey: {
		positives: []string{
			"aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
			`"SecretAccessKey": "FAKEsecret0000+Key/NotReal1111EXAMPLEabc"`,
		},
		nearMisses: []string{
			"wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
			"aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKE",
			"aws_secret_access_key = 0123456789012345678901234567890123456789",
			"sha1 3a6eb0790f39ac87c94f3856b2dd2c5d110e6811 aws_secret_access_key =",
		},
	},
	GitHubToken: {
		positives: []string{"ghp_FAKE0123456789abcdefNOTREALtoken42xy", "gho_16C7e42F292c6912E7710c838347Ae178B4a",
			"github_pat_" + "FAKE0123456789abcdefgh" + "_" + "NOTREAL0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOP"},
		nearMisses: []string{"ghp_FAKE0123456789abcdefNOTREALtoken42x", "ghp_FAKE0123456789abcdefNOTREALtoken42xyz", "ghx_FAKE0123456789abcdefNOTREALtoken42xy",
			"ghp_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"},
	},
	SlackToken: {
		positives: []string{"xoxb-123456789012-1234567890123-FAKEabcdefghijklmnopqrSTUV", "xoxp-1234567890-0987654321098-FAKEtoken1234567890abcdefgh",
			"xapp-1-A0FAKE12345-1234567890123-0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0"},
		nearMisses: []string{"xoxb-123-456-abc", "xoxz-123456789012-1234567890123-FAKEabcdefghijklmnopqrSTUV", "xoxb-notanumber-FAKEabcdefghijklmnopqrSTUV"},
	},
	GoogleAPIKey: {
		positives:  []string{"AIzaSyFAKE0123456789abcdefghijNOTREAL12", "AIzaSyB-FAKE_key0123456789abcdefghijklm", "AIzaSyD_notREAL-00001111222233334444555"},
		nearMisses: []string{"AIzaSyFAKE0123456789abcdefghijNOTREAL1", "AIzaSyFAKE0123456789abcdefghijNOTREAL123", "AIzbSyFAKE0123456789abcdefghijNOTREAL12"},
	},
	PrivateKey: {
		positives: []string{
			"-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEAFAKEFAKEFAKEFAKEFAKEFAKEFAKEFAKEFAKEFAKEFAKEFAKE\nTESTTESTTESTTESTTESTTESTTESTTESTTESTTESTTESTTESTTESTTESTTESTTE==\n-----END RSA PRIVATE KEY-----",
			"-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQCFAKEFAKEFAKEFAKE\nNOTAREALKEYNOTAREALKEYNOTAREALKEYNOTAREALKEYNOTAREALKEYNOTAREALKE\n-----END PRIVATE KEY-----",
			"-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW\nQyNTUxOQAAACBGQUtFRkFLRUZBS0VGQUtFRkFLRUZBS0VGQUtFRkFLRQAAAJgAAAAAAAAA\n-----END OPENSSH PRIVATE KEY-----",
		},
		nearMisses: []string{
			"-----BEGIN RSA PRIVATE KEY-----\n...\n-----END RSA PRIVATE KEY-----",
			"-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEAFAKEFAKEFAKEFAKEFAKEFAKEFAKEFAKEFAKEFAKEFAKEFAKE\nTESTTESTTESTTESTTESTTESTTESTTESTTESTTESTTESTTESTTESTTESTTESTTE==",
			"-----BEGIN CERTIFICATE-----\nMIIDdzCCAl+gAwIBAgIEAgAAuTANBgkqhkiG9w0BAQUFADBaMQswCQYDVQQGEwJJRTESMBAGA1UE\n-----END CERTIFICATE-----",
			"-----BEGIN PUBLIC KEY-----\nMIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAFAKEFAKEFAKEFAKEFAKEFAKEFAKEFAKE\n-----END PUBLIC KEY-----",
		},
	},
	JWT: {
		positives: []string{
			"eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c",
			"eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCIsImtpZCI6ImZha2Uta2V5LTEifQ.eyJzdWIiOiJmYWtlLXVzZXIiLCJpc3MiOiJodHRwczovL2lzc3Vlci5leGFtcGxlIn0.RkFLRS1zaWduYXR1cmUtbm90LXJlYWwtMDEyMzQ1Njc4OQ",
			"eyJ0eXAiOiJKV1QiLCJhbGciOiJFUzI1NiJ9.eyJzY29wZSI6InJlYWQiLCJleHAiOjE5MDAwMDAwMDB9.ZmFrZV9zaWduYXR1cmVfZm9yX3Rlc3Rz",
		},
		nearMisses: []string{
			"eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0",
			"eyJub3RhbGciOiJ4In0.eyJzdWIiOiIxIn0.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV",
			"eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.bm90anNvbg.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV",
		},
	},
	PaymentCard: {
		positives: []string{
			"4111111111111111", "4111 1111 1111 1111", "4111-1111-1111-1111", "5555555555554444", "2223003122003222",
			"378282246310005", "3782 822463 10005", "6011111111111117", "3530111333300000", "4012888888881881",
		},
		nearMisses: []string{
			"4111111111111112", "4111 1111 1111 1112", "5555555555554445", "1234567812345678", "0000000000000000",
			"9111111111111111", "41111111111111111111", "4111 11111 1111111", "4111-1111 1111-1111", "411111111111111",
			"order 12345678901234567", "3782822463100055",
		},
	},
	IBAN: {
		positives:  []string{"GB82WEST12345698765432", "GB82 WEST 1234 5698 7654 32", "DE89370400440532013000", "DE89 3704 0044 0532 0130 00", "FR1420041010050500013M02606", "NL91ABNA0417164300"},
		nearMisses: []string{"GB82WEST12345698765431", "GB82WEST1234569876543", "DE89370400440532013001", "XX89370400440532013000", "GB82 WEST 12 345698765432", "NL91ABNA04171643001"},
	},
	USSSN: {
		positives:  []string{"536-22-1234", "536 22 1234", "001-01-0001", "899-99-9999"},
		nearMisses: []string{"000-12-3456", "666-12-3456", "900-12-3456", "123-00-4567", "123-45-0000", "078-05-1120", "219-09-9999", "123-45-6789", "536-22-12345", "536-221-234", "536-22 1234"},
	},
	UKNINO: {
		positives:  []string{"AB123456C", "AB 12 34 56 C", "JG103759A", "ZE 91 23 45 D"},
		nearMisses: []string{"AB123456E", "DA123456C", "AO123456C", "BG123456C", "GB123456C", "ZZ123456C", "AB12345C", "AB1234567C", "AB 123456 C"},
	},
}

// TestDetectorPrecisionAndRecall embeds every corpus value in prose and
// counts, per detector, what it found and what it should have. It prints
// the table, and fails on any near miss that matches or any positive that
// does not.
func TestDetectorPrecisionAndRecall(t *testing.T) {
	s, err := NewScanner(nil)
	require.NoError(t, err)
	names := make([]string, 0, len(corpus))
	for n := range corpus {
		names = append(names, n)
	}
	sort.Strings(names)
	var table strings.Builder
	fmt.Fprintf(&table, "%-22s %9s %11s %5s %5s %5s %9s %7s\n", "detector", "positives", "near misses", "TP", "FP", "FN", "precision", "recall")
	for _, name := range names {
		c := corpus[name]
		tp, fp, fn := 0, 0, 0
		for _, v := range c.positives {
			got := s.Scan([]byte("Please keep this safe: " + v + " (do not share).\n"))[name]
			if got != nil && got.Count == 1 {
				tp++
			} else {
				fn++
				t.Errorf("%s: missed %q", name, v)
			}
		}
		for _, v := range c.nearMisses {
			res := s.Scan([]byte("Please keep this safe: " + v + " (do not share).\n"))
			if res[name] != nil {
				fp++
				t.Errorf("%s: matched the near miss %q", name, v)
			}
		}
		precision, recall := 1.0, 1.0
		if tp+fp > 0 {
			precision = float64(tp) / float64(tp+fp)
		}
		if tp+fn > 0 {
			recall = float64(tp) / float64(tp+fn)
		}
		fmt.Fprintf(&table, "%-22s %9d %11d %5d %5d %5d %9.2f %7.2f\n", name, len(c.positives), len(c.nearMisses), tp, fp, fn, precision, recall)
	}
	t.Logf("detector corpus:\n%s", table.String())
	require.Len(t, names, len(Builtin), "every built-in detector has a corpus")
}

// Each value is counted once, by its own detector only.
func TestNoDoubleCounting(t *testing.T) {
	s, err := NewScanner(nil)
	require.NoError(t, err)
	for name, c := range corpus {
		for _, v := range c.positives {
			res := s.Scan([]byte(v))
			for other, d := range res {
				if other != name {
					t.Errorf("%q is %s but %s counted it too (%d)", v, name, other, d.Count)
				}
			}
		}
	}
}

func TestSamplesAreRedacted(t *testing.T) {
	s, err := NewScanner(nil)
	require.NoError(t, err)
	want := map[string]string{
		"sk-proj-FAKE0000TEST1111NOTREAL2222EXAMPLE3333KEY4444abcd": "sk-proj-…abcd",
		"AKIAIOSFODNN7EXAMPLE":                     "AKIA…MPLE",
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
		"key=sk-proj-FAKE0000TEST1111NOTREAL2222EXAMPLE3333KEY4444abcd\n" +
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
