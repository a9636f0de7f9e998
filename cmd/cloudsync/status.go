package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"strconv"
	"syscall"

	"github.com/cloudsync/cloudsync/syncer"
	"github.com/cloudsync/cloudsync/syncer/control"
)

// runStatus is `status [--json]`.
func runStatus(ctx context.Context, e *env, c *command, args []string) int {
	fs := newFlags(c)
	asJSON := fs.Bool("json", false, "print JSON")
	return e.withEngine(ctx, c, fs, args, 0, 0, func(ctx context.Context, cl *control.Client, _ []string) int {
		st, err := cl.Status(ctx)
		if err != nil {
			return e.fail(c, err)
		}
		if st.SetStates == nil {
			st.SetStates = []syncer.SetInfo{}
		}
		if *asJSON {
			return e.printJSON(c, st)
		}
		fmt.Fprintf(e.stdout, "State: %s", st.State)
		if st.Message != "" {
			fmt.Fprintf(e.stdout, " (%s)", st.Message)
		}
		fmt.Fprintln(e.stdout)
		last := st.LastSync
		if last == "" {
			last = "never"
		}
		fmt.Fprintf(e.stdout, "Sets: %d   Items: %d   Pending: %d   Syncing: %d   Failed: %d   Conflicts: %d\n",
			st.Sets, st.Items, st.Pending, st.Syncing, st.Failed, st.Conflicts)
		fmt.Fprintf(e.stdout, "Last sync: %s\n", last)
		if len(st.SetStates) > 0 {
			fmt.Fprintln(e.stdout)
			rows := [][]string{{"SET", "STATE", "KIND", "LOCAL", "CLOUD", "ITEMS", "PENDING", "FAILED"}}
			for _, s := range st.SetStates {
				rows = append(rows, []string{s.ID, s.State, string(s.Kind), s.LocalRoot, s.Account + ":" + s.RemoteRoot,
					strconv.Itoa(s.Items), strconv.Itoa(s.Pending), strconv.Itoa(s.Failed)})
			}
			e.table(rows)
		}
		return exitOK
	})
}

// runWait is `wait [--timeout D]`: exit 0 once no set has pending work, 1 on timeout.
// Without --timeout it waits until interrupted.
func runWait(ctx context.Context, e *env, c *command, args []string) int {
	fs := newFlags(c)
	timeout := fs.Duration("timeout", 0, "give up after this long (e.g. 30s, 5m); 0 waits until interrupted")
	if _, code, ok := e.parse(c, fs, args, 0, 0); !ok {
		return code
	}
	if *timeout < 0 {
		return e.usageError(c, "--timeout must not be negative")
	}
	cl, code, ok := e.engine(c)
	if !ok {
		return code
	}
	defer cl.Close()
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	if *timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, *timeout)
		defer cancel()
	}
	err := cl.Wait(ctx)
	switch {
	case err == nil:
		return exitOK
	case errors.Is(err, context.DeadlineExceeded):
		return e.fail(c, fmt.Errorf("still syncing after %v", *timeout))
	case errors.Is(err, context.Canceled):
		return e.fail(c, errors.New("interrupted"))
	}
	return e.fail(c, err)
}
