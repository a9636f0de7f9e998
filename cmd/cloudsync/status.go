package main

import (
	"time"

	"context"
	"errors"
	"fmt"
	"github.com/spf13/cobra"
	"os"
	"os/signal"
	"strconv"
	"syscall"

	"github.com/cloudsync/cloudsync/syncer"
	"github.com/cloudsync/cloudsync/syncer/control"
)

// statusCmd is `status [--json]`.
func statusCmd(e *env) *cobra.Command {
	c := &command{name: "status", args: "[--json]", summary: "Engine state (idle|syncing|paused|error|offline) and counts."}
	var asJSON bool
	cmd := e.leaf(c, func(ctx context.Context, pos []string) int {
		return e.withEngine(ctx, c, pos, func(ctx context.Context, cl *control.Client, _ []string) int {
			return e.runStatus(ctx, c, cl, asJSON)
		})
	})
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}

func (e *env) runStatus(ctx context.Context, c *command, cl *control.Client, asJSON bool) int {
	st, err := cl.Status(ctx)
	if err != nil {
		return e.fail(c, err)
	}
	if st.SetStates == nil {
		st.SetStates = []syncer.SetInfo{}
	}
	if asJSON {
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
}

// waitCmd is `wait [--timeout D]` (SPEC §5): it blocks until no set has work it can do,
// then exits 0 only when everything converged and nothing is in Synced with errors, else 1
// with a one-line summary ("not in sync: …"). 1 on timeout too. Without --timeout it waits
// until interrupted.
func waitCmd(e *env) *cobra.Command {
	c := &command{name: "wait", args: "[--timeout D]", summary: "Block until no set has work it can do; exit 0 only when everything " +
		"converged and nothing is in Synced with errors, else 1 with a one-line summary (also on timeout)."}
	var timeout time.Duration
	cmd := e.leaf(c, func(ctx context.Context, _ []string) int { return e.runWait(ctx, c, timeout) })
	cmd.Flags().DurationVar(&timeout, "timeout", 0, "give up after `D` (e.g. 30s, 5m); 0 waits until interrupted")
	return cmd
}

func (e *env) runWait(ctx context.Context, c *command, timeout time.Duration) int {
	if timeout < 0 {
		return e.usageError(c, "--timeout must not be negative")
	}
	cl, code, ok := e.engine(c)
	if !ok {
		return code
	}
	defer cl.Close()
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	if timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, timeout)
		defer cancel()
	}
	err := cl.Wait(ctx)
	if err == nil {
		st, err := cl.Status(ctx)
		if err != nil {
			return e.fail(c, err)
		}
		if why := st.Unsettled(); why != "" {
			return e.fail(c, errors.New(notInSync+why))
		}
		return exitOK
	}
	switch {
	case errors.Is(err, context.DeadlineExceeded):
		return e.fail(c, fmt.Errorf("still syncing after %v", timeout))
	case errors.Is(err, context.Canceled):
		return e.fail(c, errors.New("interrupted"))
	}
	return e.fail(c, err)
}

// notInSync starts wait's summary when the engine settled without converging.
const notInSync = "not in sync: "
