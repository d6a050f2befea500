package evaluator_test

import (
	"context"
	"fmt"
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

// Sorting the findings of an evaluation, which runs alone after the
// stream: 100,000 findings shaped like a large organization's (a few types
// of one severity, resource ids that differ only in their last digits).
func BenchmarkSortFindings(b *testing.B) {
	types := []struct{ id, title string }{
		{"3bc5ad8c-type-a", "Admin API key not rotated"},
		{"5a1f4e2b-type-b", "Inactive user"},
		{"9d0c7e61-type-c", "Project API key owned by a departed user"},
	}
	src := make([]evaluator.Finding, 100_000)
	for i := range src {
		t := types[i%len(types)]
		id := fmt.Sprintf("user-%08d", (i*7919)%len(src))
		src[i] = evaluator.Finding{
			FindingTypeID: t.id, Title: t.title, Severity: evaluator.SeverityMedium,
			Resource: evaluator.Resource{Type: "openai.user", ID: id, Name: id + "@example.com"},
			Message:  "User " + id + " has not been seen for 120 days",
		}
	}
	fs := make([]evaluator.Finding, len(src))
	for b.Loop() {
		copy(fs, src)
		evaluator.SortFindings(fs)
	}
}
