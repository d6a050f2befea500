package main

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/openai-casb/openai-casb/collector"
	"github.com/openai-casb/openai-casb/inventory"
	"github.com/openai-casb/openai-casb/simulator"
)

func demoCommand(e *env) *cli.Command {
	return &cli.Command{
		Name:  "demo",
		Usage: "scan a simulated organization, end to end, without credentials or network",
		Description: "Starts the simulator on a loopback port inside this process, collects the simulated\n" +
			"organization through both APIs as `scan` would, and prints the findings. Every posture\n" +
			"finding type appears but three: residency and action domains are checked only when their\n" +
			"allow-lists are set (--data examples/demo-data.yaml sets them; make demo passes it), and\n" +
			"audit logging off needs --as no-audit-logging (make demo runs that too, --only that type).\n" +
			"With --dlp, the three DLP finding types appear too. The simulated audit log\n" +
			"holds a realistic history of logins (0.5 a member a day); the simulator answers at once and\n" +
			"sets no rate limits, so the demo takes a second or two.",
		Flags: append(reportFlags(),
			&cli.IntFlag{Name: "users", Value: 30, Usage: "size the simulated organization by its number of `USERS`"},
			&cli.Uint64Flag{Name: "seed", Value: 1, Usage: "random `SEED` of the simulated organization"},
			&cli.StringFlag{Name: "as", Value: "full", Usage: "simulate `KIND` of organization: full, or no-audit-logging (it never switched audit logging on: its audit-log list answers as the real API does then)"},
			&cli.BoolFlag{Name: "dlp", Usage: "also scan the simulated workspace's files (planted secrets, card numbers and identifiers) with every DLP profile"},
			shapesFlag(),
			saveInventoryFlag(),
		),
		Action: func(c *cli.Context) error {
			if c.NArg() != 0 {
				return usageError("demo takes no arguments")
			}
			p, err := parseReportFlags(c, e)
			if err != nil {
				return err
			}
			if c.Int("users") < 1 {
				return usageError("--users %d: want at least 1", c.Int("users"))
			}
			if err := simulator.CheckShapes(c.String("shapes")); err != nil {
				return usageError("--%v", err)
			}
			d := demoParams{users: c.Int("users"), seed: c.Uint64("seed"), dlp: c.Bool("dlp"), saveInventory: c.String("save-inventory"), shapes: c.String("shapes")}
			switch c.String("as") {
			case "full":
			case "no-audit-logging":
				d.auditLogOff = true
			default:
				return usageError("--as %q: want full or no-audit-logging", c.String("as"))
			}
			return runDemo(c.Context, p, d, e)
		},
	}
}

type demoParams struct {
	users         int
	seed          uint64
	dlp           bool
	saveInventory string
	shapes        string
	auditLogOff   bool
}

func runDemo(ctx context.Context, p evaluateParams, d demoParams, e *env) error {
	inv := simulator.Generate(simulator.GenerateOptions{Users: d.users, Seed: d.seed, Plant: true, CollectedAt: time.Now().Unix(), Shapes: d.shapes})
	content := simulator.GenerateContent(inv, simulator.ContentOptions{Plant: true, Seed: d.seed})
	base, stop, err := serveSimulator(inv, simulator.Options{Content: content, LoginsPerUserDay: simulator.DefaultLoginsPerUserDay, Shapes: d.shapes, AuditLogDisabled: d.auditLogOff})
	if err != nil {
		return err
	}
	defer stop()
	return runScan(ctx, scanParams{
		report: p,
		collect: collector.Options{
			AdminBaseURL: base, ComplianceBaseURL: base,
			AdminKey: simulator.DefaultAdminKey, AdminKeyFrom: "the simulator's key",
			WorkspaceID: inv.Workspace.ID,
			// The simulator does not limit its rate: pacing would only
			// slow the demo down.
			ComplianceRequestsPerMinute: -1,
			Tool:                        inventory.Tool{Name: toolName, Version: version},
			Secrets:                     gptSecrets(),
		},
		quiet: true,
		// The refused audit log is what --as no-audit-logging simulates:
		// the collection stays marked incomplete, but does not exit 2.
		allowPartial:  d.auditLogOff,
		dlp:           d.dlp,
		saveInventory: d.saveInventory,
	}, e)
}

// serveSimulator serves inv on a free loopback port and returns its base URL.
func serveSimulator(inv *inventory.Inventory, opts simulator.Options) (string, func(), error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, fmt.Errorf("start the simulator: %w", err)
	}
	srv := &http.Server{Handler: simulator.New(inv, opts), ReadHeaderTimeout: 10 * time.Second}
	go srv.Serve(ln)
	return "http://" + ln.Addr().String() + "/v1", func() { srv.Close() }, nil
}
