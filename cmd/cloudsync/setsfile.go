package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/cloudsync/cloudsync/setsfile"
	"github.com/cloudsync/cloudsync/syncer/control"
)

// exportCmd is `export [--output FILE]`: the accounts (without secrets) and sync sets as
// versioned JSON (package setsfile), on stdout or into FILE.
func exportCmd(e *env) *cobra.Command {
	c := &command{name: "export", args: "[--output FILE]",
		summary: "Write the accounts (without passwords) and sync sets (folders, cloud folders, options) as JSON,\n" +
			"for `cloudsync import` on this or another machine. Without --output, on standard output."}
	var output string
	cmd := e.leaf(c, func(ctx context.Context, pos []string) int {
		return e.withEngine(ctx, c, pos, func(ctx context.Context, cl *control.Client, _ []string) int {
			f, err := setsfile.Export(ctx, cl, time.Now())
			if err != nil {
				return e.fail(c, err)
			}
			if output == "" {
				err = setsfile.Encode(e.stdout, f)
			} else {
				err = writeFileAtomic(output, func(w *os.File) error { return setsfile.Encode(w, f) })
			}
			if err != nil {
				return e.fail(c, err)
			}
			if output != "" {
				fmt.Fprintf(e.stdout, "Exported %d account(s) and %d sync set(s) to %s (no passwords).\n", len(f.Accounts), len(f.Sets), output)
			}
			return exitOK
		})
	})
	cmd.Flags().StringVarP(&output, "output", "o", "", "write to `FILE` instead of standard output")
	return cmd
}

// importCmd is `import FILE [--dry-run]`: recreate what `export` wrote. The whole file is
// checked first (one clear error, nothing changed); then each new account's password is
// read from standard input, one line each in the file's order (prompted, without echo, on
// a terminal); a failure on the way undoes what the import had done.
func importCmd(e *env) *cobra.Command {
	c := &command{name: "import", args: "FILE [--dry-run]", minPos: 1, maxPos: 1,
		summary: "Recreate the accounts and sync sets of a file written by `cloudsync export`. Each new account's\n" +
			"password is read from standard input (one line per account, in the file's order). Imported sets\n" +
			"start as new sets: where a file differs between this folder and the cloud both versions are kept\n" +
			"(a conflict copy), and nothing is deleted. With --dry-run, only say what would be done."}
	var dryRun bool
	cmd := e.leaf(c, func(ctx context.Context, pos []string) int { return e.runImport(ctx, c, pos[0], dryRun) })
	cmd.Flags().BoolVar(&dryRun, "dry-run", false, "check the file and say what would be done, changing nothing")
	return cmd
}

func (e *env) runImport(ctx context.Context, c *command, file string, dryRun bool) int {
	data, err := os.ReadFile(file)
	if err != nil {
		return e.fail(c, err)
	}
	f, err := setsfile.Parse(data)
	if err != nil {
		return e.fail(c, fmt.Errorf("%s: %w", file, err))
	}
	return e.withEngine(ctx, c, nil, func(ctx context.Context, cl *control.Client, _ []string) int {
		plan, err := setsfile.Check(ctx, cl, f, os.Stat)
		if err != nil {
			return e.fail(c, fmt.Errorf("%s: %w", file, err))
		}
		if dryRun {
			e.printPlan(plan)
			return exitOK
		}
		passwords, err := e.readPasswords(plan.NewAccounts)
		if err != nil {
			return e.fail(c, err)
		}
		created, err := setsfile.Apply(ctx, cl, plan, passwords)
		if err != nil {
			return e.fail(c, fmt.Errorf("%w (nothing was imported)", err))
		}
		fmt.Fprintf(e.stdout, "Imported %d account(s) and %d sync set(s); the sets start as new ones (differences become conflict copies, nothing is deleted).\n",
			len(plan.NewAccounts), len(created))
		return exitOK
	})
}

// printPlan says what an import would do.
func (e *env) printPlan(p *setsfile.Plan) {
	for _, a := range p.NewAccounts {
		fmt.Fprintf(e.stdout, "Would add the account %s (%s %s, user %s); its password is asked for.\n", a.Name, a.Type, a.URL, a.User)
	}
	for _, n := range p.Reused {
		fmt.Fprintf(e.stdout, "Would use the account %s that exists here.\n", n)
	}
	for _, s := range p.Sets {
		what := "folder " + s.Local
		if len(s.Documents) > 0 {
			what = fmt.Sprintf("%d document(s) of %s", len(s.Documents), s.Local)
		}
		fmt.Fprintf(e.stdout, "Would sync %s with %s:%s as a new set.\n", what, s.Account, s.Cloud)
	}
	fmt.Fprintln(e.stdout, "Nothing was changed (--dry-run).")
}

// readPasswords reads one password per account from stdin, one line each; on a terminal
// it asks for each by name and does not echo it.
func (e *env) readPasswords(accts []setsfile.Account) (map[string]string, error) {
	out := map[string]string{}
	if len(accts) == 0 {
		return out, nil
	}
	f, tty := e.stdin.(*os.File)
	tty = tty && term.IsTerminal(int(f.Fd()))
	r := bufio.NewReader(e.stdin)
	for _, a := range accts {
		var pw string
		if tty {
			fmt.Fprintf(e.stderr, "Password of %s (user %s at %s): ", a.Name, a.User, a.URL)
			b, err := term.ReadPassword(int(f.Fd()))
			fmt.Fprintln(e.stderr)
			if err != nil {
				return nil, fmt.Errorf("reading the password of %s: %w", a.Name, err)
			}
			pw = string(b)
		} else {
			line, err := r.ReadString('\n')
			if err != nil && !errors.Is(err, io.EOF) {
				return nil, fmt.Errorf("reading the password of %s from standard input: %w", a.Name, err)
			}
			pw = strings.TrimRight(line, "\r\n")
		}
		if pw == "" {
			return nil, fmt.Errorf("no password for the account %s on standard input (one line per new account, in the file's order); nothing was imported", a.Name)
		}
		out[a.Name] = pw
	}
	return out, nil
}
