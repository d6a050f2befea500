package bench

import (
	"bufio"
	"context"
	"os"
	"runtime"
	"testing"
	"time"

	"github.com/openai-casb/openai-casb/evaluator"
	"github.com/openai-casb/openai-casb/report"
)

// TestPhases times the phases of `evaluate --format json` on the file named
// by BENCH_FILE, for finding where time goes at a size the benchmarks do
// not generate in memory.
func TestPhases(t *testing.T) {
	path := os.Getenv("BENCH_FILE")
	if path == "" {
		t.Skip("set BENCH_FILE=inventory.json")
	}
	start := time.Now()
	lap := func(what string) {
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		t.Logf("%-10s %6.2f s  heap %5d MB  gc %d", what, time.Since(start).Seconds(), ms.HeapAlloc>>20, ms.NumGC)
		start = time.Now()
	}
	e, err := evaluator.New(context.Background(), evaluator.Options{})
	if err != nil {
		t.Fatal(err)
	}
	lap("compile")
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	res, err := e.EvaluateReader(context.Background(), f, path, evaluator.EvalOptions{})
	if err != nil {
		t.Fatal(err)
	}
	lap("evaluate")
	r := &report.Report{Inventory: res.Header, Entries: report.Entries(res.Header.Organization.ID, res.Findings), Catalog: e.Catalog()}
	lap("entries")
	out, err := os.Create(os.DevNull)
	if err != nil {
		t.Fatal(err)
	}
	w := bufio.NewWriter(out)
	if err := (report.JSON{}).Write(w, r); err != nil {
		t.Fatal(err)
	}
	w.Flush()
	lap("render")
}
