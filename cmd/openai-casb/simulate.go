package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/openai-casb/openai-casb/internal/atomicfile"
	"github.com/openai-casb/openai-casb/inventory"
	"github.com/openai-casb/openai-casb/simulator"
)

// shapesFlag selects the simulator's answer shapes (simulate and demo).
func shapesFlag() cli.Flag {
	return &cli.StringFlag{Name: "shapes", Usage: "serve `SHAPES`: \"spec\" for the edge cases the official API spec allows and real organizations send (null project statuses and user roles, service account role none, expired admin keys, service-account users, archived projects refusing their members; see docs/collection.md)"}
}

func simulateCommand(e *env) *cli.Command {
	return &cli.Command{
		Name:  "simulate",
		Usage: "serve a simulated organization through both APIs, for pointing the collector or other tools at",
		Description: "Serves the Admin API and the Compliance API of a synthetic organization under /v1 until\n" +
			"interrupted. It accepts the fake key " + simulator.DefaultAdminKey + " (or the one in --key-file).\n" +
			"Its workspace also holds files (GPT knowledge, ChatGPT projects, conversation logs) with planted\n" +
			"secrets, card numbers and identifiers, for scan --dlp.",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "addr", Value: "127.0.0.1:8080", Usage: "listen on `HOST:PORT`"},
			&cli.IntFlag{Name: "users", Value: 1000, Usage: "size the organization by its number of `USERS` (invites, GPTs, projects and keys scale with it)"},
			&cli.Uint64Flag{Name: "seed", Value: 1, Usage: "random `SEED` of the organization"},
			&cli.IntFlag{Name: "page-size", Value: 100, Usage: "serve at most `N` items per page"},
			&cli.DurationFlag{Name: "latency", Usage: "delay every response by `DURATION`"},
			&cli.DurationFlag{Name: "jitter", Usage: "move each response's --latency by up to plus or minus `DURATION`, at random"},
			&cli.Float64Flag{Name: "logins-per-user-day", Value: simulator.DefaultLoginsPerUserDay, Usage: "serve about `F` login events per member per day in the audit log (0: only each member's newest login)"},
			&cli.IntFlag{Name: "rate-limit", Usage: "answer 429 with Retry-After past `N` requests per minute on each Admin API route (0: no limit)"},
			&cli.IntFlag{Name: "compliance-rate-limit", Value: simulator.DefaultComplianceRateLimit, Usage: "answer 429 with Retry-After past `N` requests per minute on each Compliance API route, as the real API does (0: no limit)"},
			&cli.Float64Flag{Name: "fault-rate", Usage: "answer this `FRACTION` of requests with a transient 429 or 5xx"},
			&cli.StringFlag{Name: "key-file", Usage: "accept the key in `FILE` instead of the default fake key"},
			&cli.IntFlag{Name: "files", Value: 100, Usage: "serve `N` generated files in ChatGPT projects and conversations for DLP, besides the planted ones"},
			shapesFlag(),
			&cli.StringSliceFlag{Name: "forbid", Usage: "answer 403 on `ROUTE` (repeatable), as for a key without that route's scope, e.g. \"compliance logs\" or \"compliance gpts\"; the other routes answer"},
			&cli.StringFlag{Name: "as", Value: "full", Usage: "answer as the APIs answer `KIND` of access: full, no-compliance-scopes (the Compliance API refuses the key with 403), no-audit-logging (the organization never switched audit logging on), project-key (hand out a project key, which the Admin API refuses)"},
			&cli.StringFlag{Name: "generate-inventory", Usage: "write the organization as an inventory to `FILE` (mode 0600) and exit, instead of serving it"},
		},
		Action: func(c *cli.Context) error {
			if c.NArg() != 0 {
				return usageError("simulate takes no arguments")
			}
			if c.Int("users") < 1 {
				return usageError("--users %d: want at least 1", c.Int("users"))
			}
			if c.Int("files") < 0 {
				return usageError("--files %d: want 0 or more", c.Int("files"))
			}
			if r := c.Float64("fault-rate"); r < 0 || r > 1 {
				return usageError("--fault-rate %v: want a fraction from 0 to 1", r)
			}
			if out := c.String("generate-inventory"); out != "" {
				return generateInventory(c.Context, out, c.Int("users"), c.Uint64("seed"), e)
			}
			if c.Float64("logins-per-user-day") < 0 || c.Int("rate-limit") < 0 || c.Int("compliance-rate-limit") < 0 || c.Duration("jitter") < 0 {
				return usageError("--logins-per-user-day, --rate-limit, --compliance-rate-limit and --jitter take values of 0 or more")
			}
			opts := simulator.Options{MaxPageSize: c.Int("page-size"), Latency: c.Duration("latency"), FaultRate: c.Float64("fault-rate"),
				LatencyJitter: c.Duration("jitter"), LoginsPerUserDay: c.Float64("logins-per-user-day"), RateLimit: c.Int("rate-limit"),
				ComplianceRateLimit: c.Int("compliance-rate-limit")}
			if opts.ComplianceRateLimit == 0 {
				opts.ComplianceRateLimit = -1 // no limit, not "the Admin API's"
			}
			opts.Shapes, opts.Forbidden = c.String("shapes"), c.StringSlice("forbid")
			if err := simulator.CheckShapes(opts.Shapes); err != nil {
				return usageError("--%v", err)
			}
			keyShown := simulator.DefaultAdminKey
			switch c.String("as") {
			case "full":
			case "no-compliance-scopes":
				opts.ComplianceForbidden = true
			case "no-audit-logging":
				opts.AuditLogDisabled = true
			case "project-key":
				opts.ProjectKey, keyShown = simulator.DefaultProjectKey, simulator.DefaultProjectKey
			default:
				return usageError("--as %q: want full, no-compliance-scopes, no-audit-logging or project-key", c.String("as"))
			}
			if f := c.String("key-file"); f != "" {
				key, _, err := readKey(f, "", e)
				if err != nil {
					return err
				}
				opts.AdminKey, keyShown = key, "<the key in "+f+">"
			}
			inv := simulator.Generate(simulator.GenerateOptions{Users: c.Int("users"), Seed: c.Uint64("seed"), Plant: true, CollectedAt: time.Now().Unix(), Shapes: opts.Shapes})
			opts.Content = simulator.GenerateContent(inv, simulator.ContentOptions{Plant: true, Files: c.Int("files"), Seed: c.Uint64("seed")})
			return runSimulate(c.Context, c.String("addr"), inv.Workspace.ID, keyShown, simulator.New(inv, opts), e)
		},
	}
}

func runSimulate(ctx context.Context, addr, workspace, key string, h http.Handler, e *env) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("simulate: %w", err)
	}
	host, _, _ := net.SplitHostPort(ln.Addr().String())
	if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() {
		fmt.Fprintf(e.stderr, "%s: warning: the simulator listens on %s, beyond this machine\n", toolName, ln.Addr())
	}
	base := "http://" + ln.Addr().String() + "/v1"
	fmt.Fprintf(e.stderr, strings.Join([]string{
		"simulating an OpenAI organization at %s (Ctrl-C to stop)",
		"  export %s=%s %s=%s",
		"  %s scan --api-base-url %s --compliance-base-url %s",
		"",
	}, "\n"), base, envAdminKey, key, envWorkspaceID, workspace, toolName, base, base)
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return fmt.Errorf("simulate: %w", err)
	case <-ctx.Done():
		shut, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		// Requests still running after the grace period (a client that
		// stalled) are cut: stopping a simulator loses nothing.
		if err := srv.Shutdown(shut); err != nil && !errors.Is(err, http.ErrServerClosed) {
			_ = srv.Close()
		}
		return nil
	}
}

// generateInventory writes a synthetic organization of the given size. It
// is collected "now", so its ages are realistic on the day it is made, and
// seeded, so the same seed and size give the same resources. SIGINT stops
// it without touching path.
func generateInventory(ctx context.Context, path string, users int, seed uint64, e *env) error {
	if err := atomicfile.Check(path); err != nil {
		return fmt.Errorf("--generate-inventory: %w", err)
	}
	interrupted := fmt.Errorf("interrupted: %s was not written", path)
	generated := make(chan *inventory.Inventory, 1)
	go func() { generated <- simulator.Generate(simulator.GenerateOptions{Users: users, Seed: seed}) }()
	var inv *inventory.Inventory
	select {
	case inv = <-generated:
	case <-ctx.Done():
		return interrupted // the generation is dropped with the process
	}
	if err := inventory.SaveContext(ctx, path, inv); err != nil {
		if ctx.Err() != nil {
			return interrupted
		}
		return err
	}
	st, err := os.Stat(path)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stderr, "wrote %s: %s, %d workspace members (%.1f MB)\n", path, describe(inv), len(inv.WorkspaceUsers), float64(st.Size())/1e6)
	return nil
}
