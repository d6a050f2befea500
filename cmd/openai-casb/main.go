// Command openai-casb finds security risks in an OpenAI organization and its
// ChatGPT Enterprise workspace with Rego policies.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/debug"
	"strings"
	"syscall"
	"time"

	"github.com/urfave/cli/v2"
)

const toolName = "openai-casb"

// Exit codes, the same for every command.
const (
	exitOK       = 0 // ran, and no finding at or above --fail-on
	exitFindings = 1 // ran, and findings at or above --fail-on
	exitError    = 2 // usage, input, policy or collection error
)

const exitCodesHelp = `EXIT CODES:
   0  ran, and no finding at or above --fail-on (by default findings never fail)
   1  ran, and found findings at or above --fail-on
   2  usage error, unreadable or invalid inventory, policy error, or a collection that
      failed or is incomplete (without --allow-partial), or was interrupted`

// collectExitCodesHelp is collect's: it evaluates nothing, so never exits 1.
const collectExitCodesHelp = `EXIT CODES:
   0  the inventory was written, every list read completely (or --allow-partial)
   2  usage error, no key, a collection that failed or is incomplete (without
      --allow-partial), or was interrupted`

// exitCoder is an error that chooses the process exit code. Every other
// error a command returns exits 2 (exitError).
type exitCoder struct {
	code int
	err  error
}

func (e *exitCoder) Error() string { return e.err.Error() }
func (e *exitCoder) Unwrap() error { return e.err }

// withExit marks err with an exit code other than exitError's.
func withExit(code int, err error) error { return &exitCoder{code: code, err: err} }

// usageError is a mistake in the command line: exit 2.
func usageError(format string, a ...any) error {
	return fmt.Errorf(format, a...)
}

// env is what a command may touch of the outside world, so tests run the
// real commands in-process.
type env struct {
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
	getenv func(string) string
	// tty says whether a writer is a terminal; isTerminal when nil.
	tty func(io.Writer) bool
	// noColor is set by --no-color.
	noColor bool
	// config is the configuration file, once read; nil without one.
	config *config
	// sleep waits between webhook attempts; a timer when nil.
	sleep func(context.Context, time.Duration) error
	// newTicker starts a clock for progress; time.NewTicker when nil.
	newTicker func(time.Duration) (<-chan time.Time, func())
}

// ticker ticks every d until stopped.
func (e *env) ticker(d time.Duration) (<-chan time.Time, func()) {
	if e.newTicker != nil {
		return e.newTicker(d)
	}
	t := time.NewTicker(d)
	return t.C, t.Stop
}

func main() {
	tuneGC()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	// The first SIGINT or SIGTERM cancels the command, which stops and
	// exits 2 ("interrupted"); a second one kills the process at once.
	context.AfterFunc(ctx, stop)
	code := run(ctx, os.Args, &env{stdin: os.Stdin, stdout: os.Stdout, stderr: os.Stderr, getenv: os.Getenv})
	stop()
	os.Exit(code)
}

// tuneGC lets the heap grow to three times what is live before collecting,
// rather than Go's default two, unless GOGC says otherwise. Evaluation
// streams, so what is live stays small (the findings and a few chunks per
// CPU); at a million users this cuts the collector's share of the CPU by
// about a third for some 0.8 GB more peak memory (docs/performance.md).
func tuneGC() {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(200)
	}
}

// run executes one command line and returns the exit code.
func run(ctx context.Context, args []string, e *env) int {
	app := newApp(e)
	err := app.RunContext(ctx, interspersed(app, args))
	if err == nil {
		return exitOK
	}
	if ctx.Err() != nil {
		// Whatever failed, it failed because the command was stopped.
		msg := "interrupted"
		if strings.HasPrefix(err.Error(), "interrupted") {
			msg = err.Error()
		}
		fmt.Fprintf(e.stderr, "%s: %s\n", toolName, msg)
		return exitError
	}
	fmt.Fprintf(e.stderr, "%s: %v\n", toolName, err)
	if ec := (*exitCoder)(nil); errors.As(err, &ec) {
		return ec.code
	}
	return exitError
}

func newApp(e *env) *cli.App {
	app := &cli.App{
		Name:  toolName,
		Usage: "find security risks in an OpenAI organization and ChatGPT Enterprise workspace with Rego policies",
		Description: "openai-casb evaluates an inventory of an OpenAI organization (API keys, projects, users,\n" +
			"invites) and its ChatGPT Enterprise workspace (custom GPTs) against Rego policies, and\n" +
			"reports findings as " + formatList() + ".\n\n" +
			"Flags that are not secrets can also come from a configuration file: " + defaultConfigFile + " in the\n" +
			"working directory, or --config FILE. A flag on the command line wins over the file. Keys come\n" +
			"only from the environment or key files (see docs/usage.md).\n\n" + exitCodesHelp,
		Version:         version,
		Flags:           globalFlags(),
		Before:          applyGlobalFlags(e),
		Suggest:         true,
		Action:          unknownCommand,
		Reader:          e.stdin,
		Writer:          e.stdout,
		ErrWriter:       e.stderr,
		ExitErrHandler:  func(*cli.Context, error) {},
		HideHelpCommand: false,
		Commands: []*cli.Command{
			evaluateCommand(e),
			scanCommand(e),
			collectCommand(e),
			doctorCommand(e),
			demoCommand(e),
			simulateCommand(e),
			policiesCommand(e),
			complianceCommand(e),
			dlpCommand(e),
			schemaCommand(e),
			versionCommand(e),
			completionCommand(e),
			manCommand(e),
		},
		OnUsageError: onUsageError,
	}
	setUsageErrors(app.Commands)
	guideSubcommands(app.Commands)
	useConfig(app.Commands, e)
	return app
}

// onUsageError reports a command-line mistake in one line on standard error
// (exit 2) instead of printing the whole help to standard output, where it
// would end up in a redirected report.
func onUsageError(c *cli.Context, err error, _ bool) error {
	if hint := flagHint(c, err); hint != "" {
		return fmt.Errorf("%w (%s)", err, hint)
	}
	return fmt.Errorf("%w (see --help)", err)
}

func setUsageErrors(cmds []*cli.Command) {
	for _, c := range cmds {
		c.OnUsageError = onUsageError
		setUsageErrors(c.Subcommands)
	}
}
