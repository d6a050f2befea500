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
	}
}

// The runs hold no secret, and a real one right after them is still found.
func TestAdversarialRunsFindNothingAndMissNothingAfter(t *testing.T) {
	s, err := NewScanner(nil)
	require.NoError(t, err)
	key := fakeOpenAIProject()
	for name, text := range adversarial(64 << 10) {
		assert.Empty(t, s.Scan(text), name)
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
