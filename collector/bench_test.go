package collector_test

import (
	"context"
	"fmt"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/openai-casb/openai-casb/collector"
	"github.com/openai-casb/openai-casb/dlp"
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

// BenchmarkDLPCollection collects a workspace with DLP on: 100 files of 2
// to 200 KiB (Markdown, CSV, Word, Excel, PDF) in ChatGPT projects and
// conversations, fetched, extracted and scanned, besides the knowledge
// files of its GPTs. Pacing is off (the simulator does not rate-limit; at
// the Compliance API's 100 requests a minute per route, 100 files of one
// route take a minute whatever the client does). Reported: wall time,
// files and megabytes of content per second.
//
//	go test ./collector -run '^$' -bench DLPCollection -benchtime 5x
func BenchmarkDLPCollection(b *testing.B) {
	src := simulator.Generate(simulator.GenerateOptions{Users: 50, Seed: 1})
	content := simulator.GenerateContent(src, simulator.ContentOptions{Files: 100, Seed: 1})
	var bytes int64
	for _, p := range content.Projects {
		for _, f := range p.Files {
			bytes += int64(len(f.Data))
		}
	}
	for _, c := range content.Conversations {
		for _, f := range c.Files {
			bytes += int64(len(f.Data))
		}
	}
	sc, err := dlp.NewScanner(nil)
	if err != nil {
		b.Fatal(err)
	}
	for _, latency := range []time.Duration{0, 20 * time.Millisecond} {
		b.Run(fmt.Sprintf("latency=%s", latency), func(b *testing.B) {
			for b.Loop() {
				srv := httptest.NewServer(simulator.New(src, simulator.Options{Latency: latency, Content: content}))
				o := collector.Options{
					AdminBaseURL: srv.URL + "/v1", ComplianceBaseURL: srv.URL + "/v1",
					AdminKey: simulator.DefaultAdminKey, WorkspaceID: src.Workspace.ID,
					ComplianceRequestsPerMinute: -1,
					DLP:                         &collector.DLP{Scanner: dlpScanner{sc}, Profiles: []string{"all"}},
				}
				start := time.Now()
				inv, err := collector.Collect(context.Background(), o)
				wall := time.Since(start)
				srv.Close()
				if err != nil {
					b.Fatal(err)
				}
				scanned := 0
				for _, f := range inv.Files {
					if f.Status == inventory.FileScanned {
						scanned++
					}
				}
				if scanned < 100 {
					b.Fatalf("scanned %d files, want at least 100", scanned)
				}
				b.ReportMetric(wall.Seconds(), "wall-s")
				b.ReportMetric(float64(scanned)/wall.Seconds(), "files/s")
				b.ReportMetric(float64(bytes)/wall.Seconds()/1e6, "content-MB/s")
			}
		})
	}
}
