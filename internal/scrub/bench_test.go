package scrub_test

import (
	"fmt"
	"testing"

	"github.com/openai-casb/openai-casb/internal/scrub"
)

// BenchmarkString is the cost per ordinary server string (no secret), the
// common case: an inventory holds millions of them.
func BenchmarkString(b *testing.B) {
	s := scrub.New(key, "sk-FAKE-compliance-0123456789abcdef")
	in := make([]string, 1000)
	for i := range in {
		in[i] = fmt.Sprintf("user-%08dabcdefgh@example.com", i)
	}
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		_ = s.String(in[i%len(in)])
	}
}
