package evaluator_test

import (
	"context"
	"testing"

	"github.com/openai-casb/openai-casb/evaluator"
)

// Compiling the built-in policies, the analysis of what joining packages
// read included.
func BenchmarkNew(b *testing.B) {
	for b.Loop() {
		if _, err := evaluator.New(context.Background(), evaluator.Options{}); err != nil {
			b.Fatal(err)
		}
	}
}

// What every built-in finding type reads (a collection's plan).
func BenchmarkPaths(b *testing.B) {
	e, err := evaluator.New(context.Background(), evaluator.Options{})
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		e.Paths()
	}
}
