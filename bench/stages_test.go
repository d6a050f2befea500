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

	"github.com/open-policy-agent/opa/v1/ast"

	"github.com/openai-casb/openai-casb/evaluator"
	"github.com/openai-casb/openai-casb/internal/jsonstream"
	"github.com/openai-casb/openai-casb/inventory"
	"github.com/openai-casb/openai-casb/report"
	"github.com/openai-casb/openai-casb/simulator"
)

// benchUsers sizes the generated organization: BENCH_USERS, default 100,000
// (about 64 MB of inventory).
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

func schema(b *testing.B) *jsonstream.Schema {
	s, err := inventory.Schema()
	if err != nil {
		b.Fatal(err)
	}
	return s
}

// BenchmarkValidate is the stream split into elements and validated, one
// worker, building nothing: the fast path's parse and schema check.
func BenchmarkValidate(b *testing.B) {
	raw := document(b)
	b.ResetTimer()
	for b.Loop() {
		if err := jsonstream.Stream(context.Background(), bytes.NewReader(raw), "bench.json", schema(b),
			func() jsonstream.Builder[struct{}] { return jsonstream.Discard{} }, jsonstream.Handler[struct{}]{},
			jsonstream.StreamOptions{Workers: 1}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkValidateLibrary is the same check with the schema library alone,
// as the fast path's reference.
func BenchmarkValidateLibrary(b *testing.B) {
	raw := document(b)
	var doc map[string]json.RawMessage
	if err := json.Unmarshal(raw, &doc); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for b.Loop() {
		var v any
		dec := json.NewDecoder(bytes.NewReader(raw))
		dec.UseNumber()
		if err := dec.Decode(&v); err != nil {
			b.Fatal(err)
		}
		if err := schema(b).Validate(v); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkConvert is parse, validate and build OPA terms, one worker:
// everything before evaluation.
func BenchmarkConvert(b *testing.B) {
	raw := document(b)
	b.ResetTimer()
	for b.Loop() {
		if err := jsonstream.Stream(context.Background(), bytes.NewReader(raw), "bench.json", schema(b),
			func() jsonstream.Builder[*ast.Term] { return evaluator.NewTermBuilder() }, jsonstream.Handler[*ast.Term]{},
			jsonstream.StreamOptions{Workers: 1}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkEvaluate is the whole evaluation, streamed, with one worker
// (single-threaded) and with one per CPU.
func BenchmarkEvaluate(b *testing.B) {
	raw := document(b)
	e := engine(b)
	for _, workers := range []int{1, 0} {
		b.Run(fmt.Sprintf("workers=%d", workers), func(b *testing.B) {
			b.SetBytes(int64(len(raw)))
			var n int
			for b.Loop() {
				res, err := e.EvaluateReader(context.Background(), bytes.NewReader(raw), "bench.json", evaluator.EvalOptions{Workers: workers})
				if err != nil {
					b.Fatal(err)
				}
				n = len(res.Findings)
			}
			b.ReportMetric(float64(n), "findings")
		})
	}
}

// BenchmarkEvaluateMaterialized is the reference mode: the whole inventory
// in memory, the packages evaluated in parallel.
func BenchmarkEvaluateMaterialized(b *testing.B) {
	raw := document(b)
	e := engine(b)
	b.ResetTimer()
	for b.Loop() {
		if _, err := e.EvaluateReader(context.Background(), bytes.NewReader(raw), "bench.json", evaluator.EvalOptions{Materialize: true}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkRenderJSON is the JSON report of the findings.
func BenchmarkRenderJSON(b *testing.B) {
	raw := document(b)
	e := engine(b)
	res, err := e.EvaluateReader(context.Background(), bytes.NewReader(raw), "bench.json", evaluator.EvalOptions{})
	if err != nil {
		b.Fatal(err)
	}
	r := &report.Report{Tool: report.Tool{Name: "openai-casb", Version: "bench"}, Inventory: res.Header, Entries: report.Entries(res.Header.Organization.ID, res.Findings), Catalog: e.Catalog()}
	b.ResetTimer()
	for b.Loop() {
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
