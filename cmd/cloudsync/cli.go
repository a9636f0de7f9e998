package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/cloudsync/cloudsync/syncer/control"
)

// Exit statuses of SPEC §5.
const (
	exitOK    = 0
	exitFail  = 1
	exitUsage = 2
)

// callTimeout bounds one call to the engine (Wait excepted). The engine bounds its own
// network checks; this only keeps a wedged engine from hanging a script forever.
const callTimeout = 5 * time.Minute

// env is what a command sees of the world: its standard streams and environment.
type env struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	getenv         func(string) string
}

// command is one CLI command as its run function and its messages see it: how it is typed
// ("account add"), its synopsis after the name (as in SPEC §5), its summary (the first line
// is the short description) and how many positional arguments it takes (maxPos < 0: any).
type command struct {
	name           string
	args           string
	summary        string
	minPos, maxPos int
}

func (c *command) usage() string {
	if c.args == "" {
		return "cloudsync " + c.name
	}
	return "cloudsync " + c.name + " " + c.args
}

// leaf builds the cobra command of c; the caller declares its flags on the result. run
// gets the positional arguments (their count already checked) and returns the exit status.
func (e *env) leaf(c *command, run func(ctx context.Context, pos []string) int) *cobra.Command {
	use := c.name[strings.LastIndexByte(c.name, ' ')+1:]
	if c.args != "" {
		use += " " + c.args
	}
	return &cobra.Command{
		Use: use, Short: firstLine(c.summary), Long: c.summary,
		DisableFlagsInUseLine: true,
		Args: func(_ *cobra.Command, pos []string) error {
			switch {
			case len(pos) < c.minPos:
				return usageErrorf("missing argument")
			case c.maxPos >= 0 && len(pos) > c.maxPos:
				return usageErrorf("unexpected argument %q", pos[c.maxPos])
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, pos []string) error {
			return exitStatus(run(cmd.Context(), pos))
		},
	}
}

// group builds a command that only holds subcommands ("account"): typed alone or with an
// unknown subcommand, it is a usage error naming the subcommands.
func group(name, summary string, subs ...*cobra.Command) *cobra.Command {
	g := &cobra.Command{
		Use: name + " COMMAND", Short: summary, Long: summary,
		DisableFlagsInUseLine: true,
		Args:                  cobra.ArbitraryArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			var names []string
			for _, s := range cmd.Commands() {
				names = append(names, s.Name())
			}
			list := strings.Join(names, ", ")
			if len(args) == 0 {
				return usageErrorf("missing subcommand (%s)", list)
			}
			return usageErrorf("unknown subcommand %q (%s)", args[0], list)
		},
	}
	g.AddCommand(subs...)
	return g
}

// usageError is a command line that does not fit its command: it is printed as one line
// with a usage hint, and the exit status is 2.
type usageError struct{ msg string }

func (u *usageError) Error() string { return u.msg }

func usageErrorf(format string, a ...any) error {
	return &usageError{msg: fmt.Sprintf(format, a...)}
}

// exitCode is a run function's non-zero exit status, after it printed its own message.
type exitCode int

func (c exitCode) Error() string { return fmt.Sprintf("exit status %d", int(c)) }

func exitStatus(code int) error {
	if code == exitOK {
		return nil
	}
	return exitCode(code)
}

// usageError prints a one-line problem and a one-line usage hint to stderr and returns 2.
func (e *env) usageError(c *command, format string, a ...any) int {
	e.printUsageError(c.name, c.usage(), fmt.Sprintf(format, a...))
	return exitUsage
}

func (e *env) printUsageError(name, usage, msg string) {
	prefix, see := "cloudsync", "cloudsync --help"
	if name != "" {
		prefix, see = "cloudsync "+name, "cloudsync "+name+" --help"
	}
	fmt.Fprintf(e.stderr, "%s: %s\n", prefix, msg)
	fmt.Fprintf(e.stderr, "usage: %s  (see `%s`)\n", usage, see)
}

// fail prints err for command c and returns 1.
func (e *env) fail(c *command, err error) int {
	fmt.Fprintf(e.stderr, "cloudsync %s: %v\n", c.name, err)
	return exitFail
}

// engine connects to the running engine, or prints the clear "no engine" message.
func (e *env) engine(c *command) (*control.Client, int, bool) {
	p, err := resolvePaths(e.getenv)
	if err != nil {
		return nil, e.fail(c, err), false
	}
	cl, err := control.Dial(p.Socket)
	if err != nil {
		return nil, e.fail(c, err), false
	}
	return cl, exitOK, true
}

// withEngine is the frame of most commands: connect to the engine and run body with the
// positional arguments and a bounded context; body returns the exit status.
func (e *env) withEngine(ctx context.Context, c *command, pos []string, body func(context.Context, *control.Client, []string) int) int {
	cl, code, ok := e.engine(c)
	if !ok {
		return code
	}
	defer cl.Close()
	ctx, cancel := withTimeout(ctx)
	defer cancel()
	return body(ctx, cl, pos)
}

// withPath runs a command taking exactly one local PATH: body gets the path made absolute,
// the engine and a bounded context, and returns the exit status.
func (e *env) withPath(ctx context.Context, c *command, pos []string, body func(context.Context, *control.Client, string) int) int {
	p, err := absPath(pos[0])
	if err != nil {
		return e.fail(c, err)
	}
	return e.withEngine(ctx, c, pos, func(ctx context.Context, cl *control.Client, _ []string) int {
		return body(ctx, cl, p)
	})
}

// onPath runs a command taking exactly one local PATH (made absolute) and printing one
// confirmation line.
func (e *env) onPath(ctx context.Context, c *command, pos []string, do func(context.Context, *control.Client, string) (string, error)) int {
	return e.withPath(ctx, c, pos, func(ctx context.Context, cl *control.Client, p string) int {
		msg, err := do(ctx, cl, p)
		if err != nil {
			return e.fail(c, err)
		}
		fmt.Fprintln(e.stdout, msg)
		return exitOK
	})
}

// printJSON writes v as indented JSON on stdout.
func (e *env) printJSON(c *command, v any) int {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return e.fail(c, err)
	}
	fmt.Fprintf(e.stdout, "%s\n", b)
	return exitOK
}

// table writes aligned rows (the first one is the header) on stdout.
func (e *env) table(rows [][]string) {
	tw := tabwriter.NewWriter(e.stdout, 0, 0, 2, ' ', 0)
	for _, r := range rows {
		fmt.Fprintln(tw, strings.Join(r, "\t"))
	}
	tw.Flush()
}

// absPath makes a local path given on the command line absolute (the engine works with
// absolute paths; the CLI may run in any folder).
func absPath(p string) (string, error) {
	a, err := filepath.Abs(p)
	if err != nil {
		return "", fmt.Errorf("%s: %w", p, err)
	}
	return a, nil
}

// orDash shows an empty field as "-" in tables.
func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// withTimeout is the context of one engine call.
func withTimeout(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(ctx, callTimeout)
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}

// errorsAs is errors.As with the target made for it.
func errorsAs[T error](err error) (T, bool) {
	var t T
	ok := errors.As(err, &t)
	return t, ok
}
