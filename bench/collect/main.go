// Command collect is `make bench-collect`: it collects a simulated
// organization through the simulator on a loopback port, with the latency,
// login history and rate limits of a real one, and measures the full
// collection (wall time, requests, peak memory) against its lower bound, then
// an incremental rescan one simulated day later from the state the first run
// left. It prints a Markdown report and writes it to -results.
//
//	go run ./bench/collect [-users 100000] [-latency 50ms] [-concurrency 4] [-settings-max-age 168h] [-skip CATEGORIES] [-results bench/collect-results.md]
package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"math"
	"net/http/httptest"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/openai-casb/openai-casb/collector"
	"github.com/openai-casb/openai-casb/evaluator"
	"github.com/openai-casb/openai-casb/inventory"
	"github.com/openai-casb/openai-casb/simulator"
)

func main() {
	users := flag.Int("users", 100000, "organization size, in users")
	latency := flag.Duration("latency", 50*time.Millisecond, "the simulator's latency per answer")
	jitter := flag.Duration("jitter", 10*time.Millisecond, "± this much at random on each answer's latency")
	logins := flag.Float64("logins-per-user-day", simulator.DefaultLoginsPerUserDay, "login events per member per day")
	concurrency := flag.Int("concurrency", 4, "the collector's --concurrency (4 is its default)")
	results := flag.String("results", "bench/collect-results.md", "the report to write")
	maxAge := flag.Duration("settings-max-age", collector.DefaultSettingsMaxAge, "the collector's --settings-max-age for the rescan (0: every project's settings read again)")
	skip := flag.String("skip", "", "finding types or categories to leave out, comma-separated, as --skip does (the lists only they read are then not collected)")
	flag.Parse()

	var out strings.Builder
	say := func(format string, a ...any) {
		fmt.Fprintf(&out, format, a...)
		fmt.Printf(format, a...)
	}
	cpu := "unknown CPU"
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, l := range strings.Split(string(b), "\n") {
			if strings.HasPrefix(l, "model name") {
				cpu = strings.TrimSpace(strings.SplitN(l, ":", 2)[1])
				break
			}
		}
	}
	say("# Collection benchmark\n\nWritten by `make bench-collect` (`go run ./bench/collect`) on %s: %s, %d CPUs, %s/%s.\n\n",
		time.Now().UTC().Format("2006-01-02"), cpu, runtime.NumCPU(), runtime.GOOS, runtime.GOARCH)
	policies := "the built-in policies"
	var skipped []string
	if *skip != "" {
		skipped = strings.Split(*skip, ",")
		policies += " less --skip " + *skip
	}
	say("Simulator: %d users, %s latency ± %s, %.2f logins per member per day, Compliance API limited to %d requests per minute per route, no Admin API limit. Collector: --concurrency %d, --settings-max-age %s, Compliance pacing at its default (100 per minute per route), only the lists %s read.\n\n",
		*users, *latency, *jitter, *logins, simulator.DefaultComplianceRateLimit, *concurrency, *maxAge, policies)

	src := simulator.Generate(simulator.GenerateOptions{Users: *users, Seed: 1, Plant: true})
	engine, err := evaluator.New(context.Background(), evaluator.Options{Skip: skipped})
	check(err)
	sources := inventory.SourcesReading(engine.NeededPaths())
	var left []string
	for _, s := range inventory.SourcesReading([]string{"*"}) {
		if !slices.Contains(sources, s) {
			left = append(left, s)
		}
	}
	say("Lists left out (no enabled policy reads them): %s.\n\n", strings.Join(left, ", "))

	run := func(inv *inventory.Inventory, prev *collector.State) (time.Duration, simulator.Stats, *inventory.Inventory, *collector.State) {
		sim := simulator.New(inv, simulator.Options{Latency: *latency, LatencyJitter: *jitter, LoginsPerUserDay: *logins,
			ComplianceRateLimit: simulator.DefaultComplianceRateLimit})
		srv := httptest.NewServer(sim)
		defer srv.Close()
		var next *collector.State
		o := collector.Options{
			AdminBaseURL: srv.URL + "/v1", ComplianceBaseURL: srv.URL + "/v1",
			AdminKey: simulator.DefaultAdminKey, WorkspaceID: inv.Workspace.ID,
			Concurrency: *concurrency, Sources: sources, Previous: prev, SettingsMaxAge: *maxAge,
			KeepState: func(s *collector.State) { next = s },
			Clock:     shiftedClock{offset: time.Unix(inv.CollectedAt, 0).Sub(time.Now())},
			Tool:      inventory.Tool{Name: "openai-casb", Version: "bench"},
		}
		start := time.Now()
		got, err := collector.Collect(context.Background(), o)
		check(err)
		return time.Since(start), sim.Stats(), got, next
	}

	fullTime, fullStats, fullInv, state := run(src, nil)
	fullRSS := peakRSS()
	for name, s := range fullInv.Sources {
		if s.Incomplete() {
			check(fmt.Errorf("source %s is %s: %v", name, s.Status, *s.Reason))
		}
	}
	chain, rate := bounds(src, fullStats, *latency)
	throughput := time.Duration(float64(fullStats.Requests) / float64(*concurrency) * float64(*latency))
	lower := max(chain, throughput, rate)
	say("## Full collection\n\n| | value |\n|---|---:|\n")
	say("| wall time | %s |\n| requests | %d |\n| of which audit log | %d |\n| audit log events read | %d |\n",
		fullTime.Round(100*time.Millisecond), fullStats.Requests, fullStats.ByRoute["admin audit_logs"], fullInv.Sources[inventory.SourceAuditLogs].Items)
	say("| lower bound: longest chain of dependent requests × latency | %s |\n", chain.Round(100*time.Millisecond))
	say("| lower bound: requests ÷ concurrency × latency | %s |\n", throughput.Round(100*time.Millisecond))
	say("| lower bound: the rate limits' floor | %s |\n", rate.Round(100*time.Millisecond))
	say("| **wall time ÷ the largest bound** | **%.2f×** |\n", fullTime.Seconds()/lower.Seconds())
	say("| peak RSS of the process (simulator and collector together) | %d MB |\n\n", fullRSS>>20)
	say("Requests per route: %s.\n\n", byRoute(fullStats))

	next := dayLater(src)
	incTime, incStats, incInv, _ := run(next, state)
	say("## Incremental rescan, one simulated day later\n\n")
	say("The organization a day later: a day of new logins (%d members logged in), one member gone. The rescan starts from the state the full collection left.\n\n", loggedIn(src, next))
	say("| | value | share of the full collection |\n|---|---:|---:|\n")
	say("| wall time | %s | %.1f%% |\n", incTime.Round(100*time.Millisecond), 100*incTime.Seconds()/fullTime.Seconds())
	say("| requests | %d | %.1f%% |\n", incStats.Requests, 100*float64(incStats.Requests)/float64(fullStats.Requests))
	say("| of which audit log | %d | %.1f%% |\n\n", incStats.ByRoute["admin audit_logs"], 100*float64(incStats.ByRoute["admin audit_logs"])/float64(fullStats.ByRoute["admin audit_logs"]))
	if r := incInv.Sources[inventory.SourceAuditLogs].Reason; r != nil {
		say("The audit log's source says: %q.\n\n", *r)
	}
	if r := incInv.Sources[inventory.SourceProjectDataRetention].Reason; r != nil {
		say("The projects' data retention source says: %q.\n\n", *r)
	}
	say("Requests per route: %s.\n\n", byRoute(incStats))
	check(os.WriteFile(*results, []byte(out.String()), 0o644))
}

// bounds are two lower bounds of a collection of src: the longest chain of
// requests that must follow one another (the pages of each list read as one
// cursor chain; the audit log, read in slices, takes at least its first page
// and one more), and the rate limits' floor (a Compliance route asked n
// times needs ceil(n/100)-1 full minutes).
func bounds(src *inventory.Inventory, st simulator.Stats, latency time.Duration) (chain, rate time.Duration) {
	pages := func(n int) int { return max(1, (n+99)/100) }
	longest := max(pages(len(src.Users)), pages(len(src.Invites)), pages(len(src.AdminAPIKeys)), pages(len(src.GPTs)), 2)
	// The projects list, then one page of each project's lists after it.
	longest = max(longest, pages(len(src.Projects))+1)
	chain = time.Duration(longest) * latency
	for route, n := range st.ByRoute {
		if strings.HasPrefix(route, "compliance ") {
			minutes := math.Ceil(float64(n)/simulator.DefaultComplianceRateLimit) - 1
			rate = max(rate, time.Duration(minutes)*time.Minute+latency)
		}
	}
	return chain, rate
}

// dayLater is src a simulated day later: the members who logged in that
// day (about logins-per-user-day of them), and the last member gone.
func dayLater(src *inventory.Inventory) *inventory.Inventory {
	next := *src
	next.CollectedAt = src.CollectedAt + 86400
	next.Users = append([]inventory.User(nil), src.Users[:len(src.Users)-1]...)
	for i := range next.Users {
		if i%2 == 0 && next.Users[i].ActivitySignals.AuditLogLoginAt != nil {
			at := next.CollectedAt - int64(i%86400)
			u := next.Users[i]
			u.ActivitySignals.AuditLogLoginAt = &at
			next.Users[i] = u
		}
	}
	return &next
}

func loggedIn(src, next *inventory.Inventory) int {
	n := 0
	for _, u := range next.Users {
		if at := u.ActivitySignals.AuditLogLoginAt; at != nil && *at > src.CollectedAt {
			n++
		}
	}
	return n
}

func byRoute(st simulator.Stats) string {
	var parts []string
	for r, n := range st.ByRoute {
		parts = append(parts, fmt.Sprintf("%s %d", r, n))
	}
	slices.Sort(parts)
	return strings.Join(parts, ", ")
}

// peakRSS is the process's high-water resident set (VmHWM), in bytes.
func peakRSS() int64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "VmHWM:"); ok {
			kb, _ := strconv.ParseInt(strings.Fields(v)[0], 10, 64)
			return kb << 10
		}
	}
	return 0
}

// shiftedClock runs at the wall clock's pace from the organization's
// collection time, so that pacing and retries wait for real while ages are
// those of the simulated organization.
type shiftedClock struct{ offset time.Duration }

func (c shiftedClock) Now() time.Time { return time.Now().Add(c.offset) }

func (c shiftedClock) Sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func check(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench-collect:", err)
		os.Exit(1)
	}
}
