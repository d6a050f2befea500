package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strconv"
	"sync"
	"testing"

	"github.com/openai-casb/openai-casb/evaluator"
	"github.com/openai-casb/openai-casb/inventory"
	"github.com/openai-casb/openai-casb/report"
	"github.com/openai-casb/openai-casb/simulator"
)

// benchUsers sizes the generated organization: BENCH_USERS, default 100,000
// (about 19 MB of inventory).
func benchUsers() int {
	if n, err := strconv.Atoi(os.Getenv("BENCH_USERS")); err == nil && n > 0 {
		return n
	}
	return 100_000
}

var (
	docOnce sync.Once
	doc     []byte
)

// document generates the inventory once per process.
func document(b *testing.B) []byte {
	docOnce.Do(func() {
		raw, err := inventory.Marshal(simulator.Generate(simulator.GenerateOptions{Users: benchUsers(), Seed: 1}))
		if err != nil {
			panic(err)
		}
		doc = raw
	})
	b.SetBytes(int64(len(doc)))
	return doc
}

func engine(b *testing.B) *evaluator.Engine {
	e, err := evaluator.New(context.Background(), evaluator.Options{})
	if err != nil {
		b.Fatal(err)
	}
	return e
}

// BenchmarkDecodeFloor is encoding/json alone decoding the file into
// generic values: the floor every other figure is compared with.
func BenchmarkDecodeFloor(b *testing.B) {
	raw := document(b)
	b.ResetTimer()
	for b.Loop() {
		var v any
		if err := json.Unmarshal(raw, &v); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkValidate is the streaming decode with schema validation and no
// conversion.
func BenchmarkValidate(b *testing.B) {
	raw := document(b)
	b.ResetTimer()
	for b.Loop() {
		if err := inventory.Walk(bytes.NewReader(raw), "bench.json", inventory.Visitor{}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkReadInput is decode, validate and conversion to OPA values.
func BenchmarkReadInput(b *testing.B) {
	raw := document(b)
	b.ResetTimer()
	for b.Loop() {
		if _, err := evaluator.ReadInput(bytes.NewReader(raw), "bench.json"); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkEvaluate is policy evaluation alone on a converted input, with
// the prepared queries reused across iterations.
func BenchmarkEvaluate(b *testing.B) {
	raw := document(b)
	e := engine(b)
	in, err := evaluator.ReadInput(bytes.NewReader(raw), "bench.json")
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	var n int
	for b.Loop() {
		fs, err := e.Evaluate(context.Background(), in, evaluator.EvalOptions{})
		if err != nil {
			b.Fatal(err)
		}
		n = len(fs)
	}
	b.ReportMetric(float64(n), "findings")
}

// BenchmarkRenderJSON is the JSON report of the findings.
func BenchmarkRenderJSON(b *testing.B) {
	raw := document(b)
	e := engine(b)
	in, err := evaluator.ReadInput(bytes.NewReader(raw), "bench.json")
	if err != nil {
		b.Fatal(err)
	}
	fs, err := e.Evaluate(context.Background(), in, evaluator.EvalOptions{})
	if err != nil {
		b.Fatal(err)
	}
	r := &report.Report{Tool: report.Tool{Name: "openai-casb", Version: "bench"}, Inventory: in.Header, Entries: report.Entries(in.Header.Organization.ID, fs), Catalog: e.Catalog()}
	b.ResetTimer()
	for b.Loop() {
		if err := (report.JSON{}).Write(io.Discard, r); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkEndToEnd is what `evaluate --format json` does after start-up:
// read, validate, convert, evaluate, render.
func BenchmarkEndToEnd(b *testing.B) {
	raw := document(b)
	e := engine(b)
	b.ResetTimer()
	for b.Loop() {
		in, err := evaluator.ReadInput(bytes.NewReader(raw), "bench.json")
		if err != nil {
			b.Fatal(err)
		}
		fs, err := e.Evaluate(context.Background(), in, evaluator.EvalOptions{})
		if err != nil {
			b.Fatal(err)
		}
		r := &report.Report{Inventory: in.Header, Entries: report.Entries(in.Header.Organization.ID, fs)}
		if err := (report.JSON{}).Write(io.Discard, r); err != nil {
			b.Fatal(err)
		}
	}
}

// TestWriteBenchInventory writes the generated document for the command
// line comparisons when BENCH_WRITE names a file.
func TestWriteBenchInventory(t *testing.T) {
	path := os.Getenv("BENCH_WRITE")
	if path == "" {
		t.Skip("set BENCH_WRITE=FILE to write the benchmark inventory")
	}
	inv := simulator.Generate(simulator.GenerateOptions{Users: benchUsers(), Seed: 1})
	if err := inventory.Save(path, inv); err != nil {
		t.Fatal(err)
	}
	fmt.Println("wrote", path)
}
