package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"path/filepath"
	"regexp"
	"strings"
	"text/tabwriter"
	"time"

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

// command is one CLI command. name is how it is typed ("account add").
type command struct {
	name    string
	args    string // the synopsis after the name, as in SPEC §5
	summary string
	run     func(ctx context.Context, e *env, c *command, args []string) int
}

func (c *command) usage() string {
	if c.args == "" {
		return "cloudsync " + c.name
	}
	return "cloudsync " + c.name + " " + c.args
}

// usageError prints a one-line problem and a one-line usage hint to stderr and returns 2.
func (e *env) usageError(c *command, format string, a ...any) int {
	fmt.Fprintf(e.stderr, "cloudsync %s: %s\n", c.name, fmt.Sprintf(format, a...))
	fmt.Fprintf(e.stderr, "usage: %s  (see `cloudsync %s --help`)\n", c.usage(), c.name)
	return exitUsage
}

// fail prints err for command c and returns 1.
func (e *env) fail(c *command, err error) int {
	fmt.Fprintf(e.stderr, "cloudsync %s: %v\n", c.name, err)
	return exitFail
}

// newFlags returns an empty flag set for c that reports nothing by itself.
func newFlags(c *command) *flag.FlagSet {
	fs := flag.NewFlagSet(c.name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	return fs
}

// parse parses args with fs, accepting flags before, between and after positional
// arguments ("--" ends the flags), and checks the positional count (max < 0: no limit).
// It returns ok = false with the exit status when the command should stop: 0 after
// --help (printed to stdout), 2 after a usage error (printed to stderr).
func (e *env) parse(c *command, fs *flag.FlagSet, args []string, minPos, maxPos int) (pos []string, code int, ok bool) {
	for {
		if len(args) > 0 && alfrescoNetworkArg.MatchString(args[0]) {
			// An Alfresco cloud folder starts with its network, "-default-" on premise
			// (SPEC §5): an argument, not a flag. (Flag values are consumed by fs.Parse,
			// so args[0] here is never one.)
			pos = append(pos, args[0])
			args = args[1:]
			continue
		}
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				e.help(c, fs)
				return nil, exitOK, false
			}
			msg := err.Error()
			if name, ok := strings.CutPrefix(msg, "flag provided but not defined: -"); ok {
				msg = "unknown flag --" + strings.TrimLeft(name, "-")
			}
			return nil, e.usageError(c, "%s", msg), false
		}
		rest := fs.Args()
		if len(rest) == 0 {
			break
		}
		consumed := len(args) - len(rest)
		if consumed > 0 && args[consumed-1] == "--" {
			pos = append(pos, rest...)
			break
		}
		pos = append(pos, rest[0])
		args = rest[1:]
	}
	switch {
	case len(pos) < minPos:
		return nil, e.usageError(c, "missing argument"), false
	case maxPos >= 0 && len(pos) > maxPos:
		return nil, e.usageError(c, "unexpected argument %q", pos[maxPos]), false
	}
	return pos, exitOK, true
}

// alfrescoNetworkArg matches a cloud folder that begins with an Alfresco network id of the
// "-default-" / "-my-" form; no flag ends with a dash.
var alfrescoNetworkArg = regexp.MustCompile(`^-[A-Za-z0-9_.]+-(/.*)?$`)

// help prints c's usage, summary and flags to stdout.
func (e *env) help(c *command, fs *flag.FlagSet) {
	fmt.Fprintf(e.stdout, "usage: %s\n\n%s\n", c.usage(), c.summary)
	if fs == nil {
		return
	}
	var b strings.Builder
	fs.VisitAll(func(f *flag.Flag) {
		name, u := flag.UnquoteUsage(f)
		if name != "" {
			name = " " + name
		}
		fmt.Fprintf(&b, "  --%s%s\t%s\n", f.Name, name, u)
	})
	if b.Len() > 0 {
		fmt.Fprintln(e.stdout, "\nflags:")
		tw := tabwriter.NewWriter(e.stdout, 0, 0, 2, ' ', 0)
		fmt.Fprint(tw, b.String())
		tw.Flush()
	}
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
