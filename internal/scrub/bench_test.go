package scrub_test

import (
	"fmt"
	"testing"

	"github.com/openai-casb/openai-casb/internal/scrub"
	"github.com/openai-casb/openai-casb/inventory"
	"github.com/openai-casb/openai-casb/simulator"
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

// BenchmarkInventory is the scrub of a whole collected inventory of 10,000
// users (every string of it), as the collector does once per collection.
func BenchmarkInventory(b *testing.B) {
	s := scrub.New(key, "sk-FAKE-compliance-0123456789abcdef")
	src := simulator.Generate(simulator.GenerateOptions{Users: 10000, Seed: 1})
	b.ResetTimer()
	for b.Loop() {
		b.StopTimer()
		inv := *src
		inv.Users = append([]inventory.User(nil), src.Users...)
		b.StartTimer()
		s.Value(&inv)
	}
}
