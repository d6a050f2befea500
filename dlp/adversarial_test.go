package dlp

import (
	"bytes"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// adversarial are texts built to make a naive scanner quadratic: starts
// of candidates packed into one run of key characters, or PEM headers
// without an END line.
func adversarial(n int) map[string][]byte {
	return map[string][]byte{
		"sk-":       bytes.Repeat([]byte("sk-"), n/3),
		"xoxb-":     bytes.Repeat([]byte("xoxb-"), n/5),
		"eyJ-":      bytes.Repeat([]byte("eyJ-"), n/4),
		"AIza-":     bytes.Repeat([]byte("AIza-"), n/5),
		"pem-begin": bytes.Repeat([]byte("-----BEGIN RSA PRIVATE KEY-----\n"), n/32),
		"sk-ant-":   bytes.Repeat([]byte("sk-ant-"), n/7),
		"aws-":      bytes.Repeat([]byte("aws "), n/4),
		"postgres":  bytes.Repeat([]byte("postgres://u:p"), n/14),
		"cards":     bytes.Repeat([]byte("4111111111111111 "), n/17),
		"digits":    bytes.Repeat([]byte("1 "), n/2),
		"password":  bytes.Repeat([]byte("Server=x;Password=;"), n/19),
		"ey-dots":   bytes.Repeat([]byte("eyAi."), n/5),
	}
}

// The runs hold no secret, and a real one right after them is still found.
func TestAdversarialRunsFindNothingAndMissNothingAfter(t *testing.T) {
	s, err := NewScanner(nil)
	require.NoError(t, err)
	key := fakeOpenAIProject()
	for name, text := range adversarial(64 << 10) {
		if name != "cards" { // bare test numbers: low-confidence cards, rightly
			assert.Empty(t, s.Scan(text).AtLeast(Medium), name)
		}
		res := s.Scan(append(append([]byte{}, text...), []byte("\nkey "+key+"\n")...))
		require.NotNil(t, res[OpenAIKey], name)
		assert.Equal(t, 1, res[OpenAIKey].Count, name)
	}
}

// The AWS secret hints are found in a lowered copy of the text and read
// back from the original: text that is not UTF-8 must not shift them.
func TestAWSSecretAfterNonUTF8Bytes(t *testing.T) {
	s, err := NewScanner(nil)
	require.NoError(t, err)
	// Windows-1252 text: each \xe9 would become three bytes in
	// bytes.ToLower, forty of them shifting the hint past the key.
	text := []byte(strings.Repeat("caf\xe9 ", 40) + "AWS_SECRET_ACCESS_KEY = " + fakeB64(40) + "\n")
	assert.Equal(t, 1, s.Scan(text)[AWSSecretAccessKey].Count)
}

func TestCustomPatternMatchingNothingIsRefused(t *testing.T) {
	_, err := NewScanner([]Custom{{Name: "digits", Pattern: `[0-9]*`}})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "matches the empty string")
}

// BenchmarkScanAdversarial is the detector pass over a megabyte of each
// adversarial text: it must stay in the same range as ordinary text.
func BenchmarkScanAdversarial(b *testing.B) {
	s, err := NewScanner(nil)
	if err != nil {
		b.Fatal(err)
	}
	for name, text := range adversarial(1 << 20) {
		b.Run(strings.TrimSuffix(name, "-"), func(b *testing.B) {
			b.SetBytes(int64(len(text)))
			for b.Loop() {
				s.Scan(text)
			}
		})
	}
}

// FuzzScan: any text, no panic, and every count adds up.
func FuzzScan(f *testing.F) {
	s, err := NewScanner(nil)
	if err != nil {
		f.Fatal(err)
	}
	for _, c := range corpus() {
		for _, p := range c.positives {
			f.Add([]byte(p.text))
		}
		for _, n := range c.nearMisses {
			f.Add([]byte(n))
		}
	}
	f.Add([]byte("Server=x;Password="))
	f.Fuzz(func(t *testing.T, b []byte) {
		for name, d := range s.Scan(b) {
			if d.AtLeast(Low) != d.Count || d.Count < 1 {
				t.Fatalf("%s: %d matches, %v by confidence", name, d.Count, d.ByConfidence)
			}
		}
	})
}
