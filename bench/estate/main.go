// Command estate measures what the estate costs a collection of an
// organization with many projects: it collects a simulated organization
// (-projects projects, -users members) through the simulator on a loopback
// port and prints the requests per route and source, the wall time, and
// the time the requests take at -at latency with -concurrency slots
// (requests ÷ concurrency × latency, the bound a collection approaches:
// see bench/collect-results.md). Run it at a low -latency for the count and
// a quick run; run it at 50ms on fewer projects to check the extrapolation.
//
//	go run ./bench/estate [-projects 20000] [-users 10000] [-latency 0] [-at 50ms] [-concurrency 4] [-collect-all]
package main

import (
	"context"
	"flag"
	"fmt"
	"maps"
	"net/http/httptest"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/openai-casb/openai-casb/collector"
	"github.com/openai-casb/openai-casb/evaluator"
	"github.com/openai-casb/openai-casb/inventory"
	"github.com/openai-casb/openai-casb/simulator"
)

func main() {
	projects := flag.Int("projects", 20000, "projects of the organization")
	users := flag.Int("users", 10000, "members of the organization (GPTs, invites and groups scale with it)")
	keys := flag.Int("keys-per-project", 2, "API keys per project")
	latency := flag.Duration("latency", 0, "the simulator's latency per answer")
	at := flag.Duration("at", 50*time.Millisecond, "the latency to give the requests' time at")
	concurrency := flag.Int("concurrency", 4, "the collector's --concurrency (4 is its default)")
	all := flag.Bool("collect-all", false, "read every list, as --collect-all does, not only those the built-in policies read")
	flag.Parse()

	src := simulator.Generate(simulator.GenerateOptions{Users: *users, Projects: *projects, KeysPerProject: *keys, Seed: 1, Plant: true})
	engine, err := evaluator.New(context.Background(), evaluator.Options{})
	check(err)
	sim := simulator.New(src, simulator.Options{Latency: *latency})
	srv := httptest.NewServer(sim)
	defer srv.Close()
	sources := inventory.SourcesFilling(engine.Members())
	if *all {
		sources = nil
	}
	o := collector.Options{
		AdminBaseURL: srv.URL + "/v1", ComplianceBaseURL: srv.URL + "/v1",
		AdminKey: simulator.DefaultAdminKey, WorkspaceID: src.Workspace.ID,
		Concurrency: *concurrency, Sources: sources,
		ComplianceRequestsPerMinute: -1,
		Tool:                        inventory.Tool{Name: "openai-casb", Version: "bench"},
	}
	start := time.Now()
	inv, err := collector.Collect(context.Background(), o)
	check(err)
	wall := time.Since(start)
	for name, s := range inv.Sources {
		if s.Incomplete() {
			check(fmt.Errorf("source %s is %s: %v", name, s.Status, *s.Reason))
		}
	}
	st := sim.Stats()
	active := 0
	for _, p := range src.Projects {
		if p.Status != inventory.ProjectArchived {
			active++
		}
	}
	fmt.Printf("Organization: %d projects (%d active), %d keys per project, %d users, %d groups, %d GPTs. Simulator latency %s, --concurrency %d, %s, no Compliance pacing (its routes are asked a few dozen times).\n\n",
		len(src.Projects), active, *keys, len(src.Users), len(src.Groups), len(src.GPTs), *latency, *concurrency, which(*all))
	fmt.Printf("| route | requests | at %s ÷ %d slots |\n|---|---:|---:|\n", *at, *concurrency)
	routes := slices.Sorted(maps.Keys(st.ByRoute))
	slices.SortStableFunc(routes, func(a, b string) int { return int(st.ByRoute[b] - st.ByRoute[a]) })
	for _, r := range routes {
		fmt.Printf("| %s | %d | %s |\n", r, st.ByRoute[r], cost(st.ByRoute[r], *at, *concurrency))
	}
	fmt.Printf("| **total** | **%d** | **%s** |\n\n", st.Requests, cost(st.Requests, *at, *concurrency))
	var estate int64
	for r, n := range st.ByRoute {
		if isEstate(r) {
			estate += n
		}
	}
	fmt.Printf("Of which the estate: %d requests (%s at %s). Wall time at %s latency: %s (%.0f requests a second).\n",
		estate, cost(estate, *at, *concurrency), *at, *latency, wall.Round(100*time.Millisecond), float64(st.Requests)/wall.Seconds())
}

func which(all bool) string {
	if all {
		return "every list (--collect-all)"
	}
	return "the lists the built-in policies read"
}

// isEstate reports whether a route is one the estate added.
func isEstate(route string) bool {
	for _, s := range []string{"data_retention", "model_permissions", "hosted_tool_permissions", "spend_limit", "spend_alerts",
		"certificates", "roles", "groups", "agents", "plugins"} {
		if strings.Contains(route, s) {
			return true
		}
	}
	return false
}

func cost(n int64, at time.Duration, slots int) string {
	return (time.Duration(float64(n) / float64(slots) * float64(at))).Round(time.Second).String()
}

func check(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, "estate:", err)
		os.Exit(1)
	}
}
