// Command compare is `make bench`: for synthetic organizations of 10,000,
// 100,000 and 1,000,000 users it measures `openai-casb evaluate --format
// json` and stock `opa eval` of the same policies on the same file, with a
// query that returns every finding, wall time and peak RSS of each (the
// child's rusage), and the time encoding/json alone takes to decode the
// file. It prints one table and writes bench/results.md.
//
//	go run ./bench/compare [-sizes 10000,100000,1000000] [-runs 3] [-out bench/out]
package main

import (
	"bytes"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// opaQuery returns every finding of the built-in policies, as the report
// does: the deny set of every package under data.openai (lib and config
// have none).
const opaQuery = `[f | some pkg in data.openai; some f in pkg.deny]`

type measure struct {
	wall time.Duration
	rss  int64 // bytes
}

type row struct {
	users     int
	bytes     int64
	floor     time.Duration
	ours, opa measure
	findings  string
	oursRuns  []measure
	opaRuns   []measure
	floorRuns []time.Duration
}

func main() {
	sizes := flag.String("sizes", "10000,100000,1000000", "organization sizes, in users")
	runs := flag.Int("runs", 3, "runs of each command; the median is reported")
	out := flag.String("out", "bench/out", "where binaries and inventories go")
	results := flag.String("results", "bench/results.md", "the report to write")
	flag.Parse()
	if err := run(*sizes, *runs, *out, *results); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

func run(sizeList string, runs int, out, results string) error {
	if err := os.MkdirAll(out, 0o755); err != nil {
		return err
	}
	ours, opa, floor := filepath.Join(out, "openai-casb"), filepath.Join(out, "opa"), filepath.Join(out, "floor")
	for _, b := range [][]string{
		{"build", "-o", ours, "./cmd/openai-casb"},
		{"build", "-o", opa, "github.com/open-policy-agent/opa"},
		{"build", "-o", floor, "./bench/floor"},
	} {
		fmt.Fprintf(os.Stderr, "go %s\n", strings.Join(b, " "))
		if err := sh(io.Discard, "go", b...); err != nil {
			return err
		}
	}
	var rows []row
	for _, s := range strings.Split(sizeList, ",") {
		users, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil {
			return fmt.Errorf("-sizes %q: %w", sizeList, err)
		}
		inv := filepath.Join(out, fmt.Sprintf("inventory-%d.json", users))
		if _, err := os.Stat(inv); err != nil {
			fmt.Fprintf(os.Stderr, "generating %s\n", inv)
			if err := sh(io.Discard, ours, "simulate", "--generate-inventory", inv, "--users", strconv.Itoa(users), "--seed", "1"); err != nil {
				return err
			}
		}
		st, err := os.Stat(inv)
		if err != nil {
			return err
		}
		r := row{users: users, bytes: st.Size()}
		for i := 0; i < runs; i++ {
			fmt.Fprintf(os.Stderr, "%d users, run %d/%d\n", users, i+1, runs)
			var buf bytes.Buffer
			if err := sh(&buf, floor, inv); err != nil {
				return err
			}
			secs, err := strconv.ParseFloat(strings.TrimSpace(buf.String()), 64)
			if err != nil {
				return fmt.Errorf("floor: %q: %w", buf.String(), err)
			}
			r.floorRuns = append(r.floorRuns, time.Duration(secs*float64(time.Second)))
			m, err := timed(ours, "evaluate", inv, "--format", "json")
			if err != nil {
				return err
			}
			r.oursRuns = append(r.oursRuns, m)
			m, err = timed(opa, "eval", "-d", "policies", "-i", inv, "--format", "json", opaQuery)
			if err != nil {
				return err
			}
			r.opaRuns = append(r.opaRuns, m)
		}
		r.floor = median(r.floorRuns)
		r.ours, r.opa = medianMeasure(r.oursRuns), medianMeasure(r.opaRuns)
		var buf bytes.Buffer
		if err := sh(&buf, ours, "evaluate", inv, "--format", "table"); err != nil {
			return err
		}
		lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
		r.findings = lines[len(lines)-1]
		rows = append(rows, r)
	}
	table := render(rows, runs)
	fmt.Print(table)
	return os.WriteFile(results, []byte(document(table, rows)), 0o644)
}

// timed runs a command with its output discarded and returns its wall
// time and peak resident set size.
func timed(name string, args ...string) (measure, error) {
	cmd := exec.Command(name, args...)
	cmd.Stdout = io.Discard
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	start := time.Now()
	err := cmd.Run()
	wall := time.Since(start)
	if err != nil {
		return measure{}, fmt.Errorf("%s %s: %w\n%s", name, strings.Join(args, " "), err, stderr.String())
	}
	ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage)
	if !ok {
		return measure{}, fmt.Errorf("no resource usage for %s on %s", name, runtime.GOOS)
	}
	return measure{wall: wall, rss: ru.Maxrss * 1024}, nil // Linux reports KiB
}

func sh(stdout io.Writer, name string, args ...string) error {
	cmd := exec.Command(name, args...)
	cmd.Stdout = stdout
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("%s %s: %w\n%s", name, strings.Join(args, " "), err, stderr.String())
	}
	return nil
}

func median(ds []time.Duration) time.Duration {
	s := append([]time.Duration(nil), ds...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	return s[len(s)/2]
}

// medianMeasure takes the median of wall time and of peak RSS separately.
func medianMeasure(ms []measure) measure {
	walls := make([]time.Duration, len(ms))
	rss := make([]int64, len(ms))
	for i, m := range ms {
		walls[i], rss[i] = m.wall, m.rss
	}
	sort.Slice(rss, func(i, j int) bool { return rss[i] < rss[j] })
	return measure{wall: median(walls), rss: rss[len(rss)/2]}
}

func render(rows []row, runs int) string {
	var b strings.Builder
	fmt.Fprintf(&b, "| users | inventory | encoding/json decode (floor) | openai-casb evaluate | opa eval | openai-casb faster than opa | openai-casb / floor | peak RSS openai-casb | peak RSS opa | RSS openai-casb / opa |\n")
	fmt.Fprintf(&b, "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n")
	for _, r := range rows {
		fmt.Fprintf(&b, "| %d | %.1f MB | %.2f s | %.2f s | %.2f s | %.2f× | %.2f× | %.0f MB | %.0f MB | %.2f× |\n",
			r.users, float64(r.bytes)/1e6, r.floor.Seconds(), r.ours.wall.Seconds(), r.opa.wall.Seconds(),
			r.opa.wall.Seconds()/r.ours.wall.Seconds(), r.ours.wall.Seconds()/r.floor.Seconds(),
			float64(r.ours.rss)/1e6, float64(r.opa.rss)/1e6, float64(r.ours.rss)/float64(r.opa.rss))
	}
	for i := 1; i < len(rows); i++ {
		a, z := rows[i-1], rows[i]
		fmt.Fprintf(&b, "\n%d → %d users (×%.0f): openai-casb ×%.2f time, opa ×%.2f time.", a.users, z.users,
			float64(z.users)/float64(a.users), z.ours.wall.Seconds()/a.ours.wall.Seconds(), z.opa.wall.Seconds()/a.opa.wall.Seconds())
	}
	fmt.Fprintf(&b, "\n\nMedians of %d runs each.\n", runs)
	return b.String()
}

func document(table string, rows []row) string {
	var b strings.Builder
	b.WriteString("# Benchmark results\n\n")
	fmt.Fprintf(&b, "Written by `make bench` (`go run ./bench/compare`) on %s: %s, %d CPUs, %s, %s/%s.\n\n",
		time.Now().UTC().Format("2006-01-02"), cpuModel(), runtime.NumCPU(), memTotal(), runtime.GOOS, runtime.GOARCH)
	b.WriteString(table)
	b.WriteString("\nFindings per size (the table summary of `openai-casb evaluate`):\n\n")
	for _, r := range rows {
		fmt.Fprintf(&b, "- %d users: %s\n", r.users, r.findings)
	}
	b.WriteString("\nRuns, in order (wall time, peak RSS):\n\n")
	for _, r := range rows {
		fmt.Fprintf(&b, "- %d users: openai-casb", r.users)
		for _, m := range r.oursRuns {
			fmt.Fprintf(&b, " %.2fs/%.0fMB", m.wall.Seconds(), float64(m.rss)/1e6)
		}
		b.WriteString("; opa")
		for _, m := range r.opaRuns {
			fmt.Fprintf(&b, " %.2fs/%.0fMB", m.wall.Seconds(), float64(m.rss)/1e6)
		}
		b.WriteString("; floor")
		for _, d := range r.floorRuns {
			fmt.Fprintf(&b, " %.2fs", d.Seconds())
		}
		b.WriteString("\n")
	}
	b.WriteString("\nCommands, per inventory `FILE` (made by `openai-casb simulate --generate-inventory FILE --users N --seed 1`):\n\n")
	b.WriteString("```\nopenai-casb evaluate FILE --format json > /dev/null\n")
	fmt.Fprintf(&b, "opa eval -d policies -i FILE --format json '%s' > /dev/null\n", opaQuery)
	b.WriteString("floor FILE      # bench/floor: encoding/json.Unmarshal into any, reading the file not counted\n```\n")
	b.WriteString("\nopa is the version pinned in go.mod, built by the harness. See docs/performance.md for what the figures mean.\n")
	return b.String()
}

func cpuModel() string {
	raw, err := os.ReadFile("/proc/cpuinfo")
	if err != nil {
		return "unknown CPU"
	}
	for _, l := range strings.Split(string(raw), "\n") {
		if strings.HasPrefix(l, "model name") {
			if _, v, ok := strings.Cut(l, ":"); ok {
				return strings.TrimSpace(v)
			}
		}
	}
	return "unknown CPU"
}

func memTotal() string {
	raw, err := os.ReadFile("/proc/meminfo")
	if err != nil {
		return "unknown memory"
	}
	for _, l := range strings.Split(string(raw), "\n") {
		if strings.HasPrefix(l, "MemTotal:") {
			f := strings.Fields(l)
			if len(f) >= 2 {
				kb, _ := strconv.ParseFloat(f[1], 64)
				return fmt.Sprintf("%.0f GiB RAM", kb/1024/1024)
			}
		}
	}
	return "unknown memory"
}
