package collector_test

import (
	"context"
	"fmt"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/openai-casb/openai-casb/collector"
	"github.com/openai-casb/openai-casb/inventory"
	"github.com/openai-casb/openai-casb/simulator"
)

// BenchmarkCollectWithLatency collects an organization of 1,000 projects
// with 10 keys each, 20,000 users and 5,000 GPTs from the simulator with
// 50 ms of latency on every request, and reports the wall time against the
// critical-path lower bound: the longest chain of page requests that must
// follow one another, times the latency. Compliance pacing is off: the
// simulator does not rate-limit, and at 100 requests a minute the 50 pages
// of GPTs alone would take 30 s.
//
//	go test ./collector -run '^$' -bench CollectWithLatency -benchtime 1x
func BenchmarkCollectWithLatency(b *testing.B) {
	const latency = 50 * time.Millisecond
	src := simulator.Generate(simulator.GenerateOptions{
		Users: 20_000, Projects: 1_000, KeysPerProject: 10, GPTs: 5_000, Seed: 1,
	})
	critical := criticalPath(src)
	for _, concurrency := range []int{4, 16, 64} {
		b.Run(fmt.Sprintf("concurrency=%d", concurrency), func(b *testing.B) {
			for b.Loop() {
				sim := simulator.New(src, simulator.Options{Latency: latency})
				srv := httptest.NewServer(sim)
				o := collector.Options{
					AdminBaseURL: srv.URL + "/v1", ComplianceBaseURL: srv.URL + "/v1",
					AdminKey: simulator.DefaultAdminKey, WorkspaceID: src.Workspace.ID,
					Concurrency: concurrency, ComplianceRequestsPerMinute: -1,
				}
				start := time.Now()
				inv, err := collector.Collect(context.Background(), o)
				wall := time.Since(start)
				srv.Close()
				if err != nil {
					b.Fatal(err)
				}
				if len(inv.Users) != len(src.Users) {
					b.Fatalf("collected %d users of %d", len(inv.Users), len(src.Users))
				}
				bound := time.Duration(critical) * latency
				b.ReportMetric(wall.Seconds(), "wall-s")
				b.ReportMetric(bound.Seconds(), "critical-path-s")
				b.ReportMetric(wall.Seconds()/bound.Seconds(), "ratio")
				b.ReportMetric(float64(sim.Stats().Requests), "requests")
			}
		})
	}
}

// criticalPath is the longest chain of page requests that must be made one
// after another: each list's pages follow their cursors, and a project's
// children can only start once the page that lists the project arrived.
func criticalPath(inv *inventory.Inventory) int {
	pages := func(n int) int { return max(1, (n+99)/100) }
	logins := 0
	for _, u := range inv.Users {
		if u.ActivitySignals.AuditLogLoginAt != nil {
			logins++
		}
	}
	longest := max(pages(len(inv.Users)), pages(len(inv.Invites)), pages(len(inv.AdminAPIKeys)),
		pages(logins), pages(len(inv.GPTs)), pages(len(inv.WorkspaceUsers)))
	for i, p := range inv.Projects {
		chain := i/100 + 1 + max(pages(len(p.APIKeys)), pages(len(p.Users)), pages(len(p.ServiceAccounts)))
		longest = max(longest, chain)
	}
	return longest
}
