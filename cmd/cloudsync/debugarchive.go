package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/spf13/cobra"

	"github.com/cloudsync/cloudsync/debugarchive"
	"github.com/cloudsync/cloudsync/syncer/control"
)

// debugArchiveCmd is `debug-archive [--output FILE]`: a zip for a bug report (package
// debugarchive). Without a running engine it still writes the logs and versions: that is
// when a report matters most.
func debugArchiveCmd(e *env) *cobra.Command {
	c := &command{name: "debug-archive", args: "[--output FILE]",
		summary: "Write a zip of the logs, settings, accounts (without passwords), sync sets, failed items and\n" +
			"versions, for a bug report. It holds no password, no sign-in ticket and no file content.\n" +
			"Default FILE: cloudsync-debug-DATE-TIME.zip in the current folder."}
	var output string
	cmd := e.leaf(c, func(ctx context.Context, _ []string) int { return e.runDebugArchive(ctx, c, output) })
	cmd.Flags().StringVarP(&output, "output", "o", "", "write the archive to `FILE`")
	return cmd
}

func (e *env) runDebugArchive(ctx context.Context, c *command, output string) int {
	p, err := resolvePaths(e.getenv)
	if err != nil {
		return e.fail(c, err)
	}
	if output == "" {
		output = "cloudsync-debug-" + time.Now().Format("20060102-150405") + ".zip"
	}
	var api control.API
	if cl, err := control.Dial(p.Socket); err != nil {
		fmt.Fprintf(e.stderr, "cloudsync %s: %v; the archive holds the logs and versions only\n", c.name, err)
	} else {
		defer cl.Close()
		api = cl
	}
	ctx, cancel := withTimeout(ctx)
	defer cancel()
	err = writeFileAtomic(output, func(f *os.File) error {
		return debugarchive.Write(ctx, api, f, debugarchive.Options{
			LogFiles: logFiles(p.Logs), Version: versionString(), Getenv: e.getenv})
	})
	if err != nil {
		return e.fail(c, err)
	}
	fmt.Fprintf(e.stdout, "Wrote %s: logs, settings, accounts without passwords, sync sets, failed items and versions.\n"+
		"It holds no password and no file content, but file names and server addresses: look through it before sharing it.\n", output)
	return exitOK
}

// writeFileAtomic writes name (mode 0600) through a temporary file in its folder, renamed
// into place once write succeeded: a failure leaves no half file and an old one as it was.
func writeFileAtomic(name string, write func(*os.File) error) error {
	f, err := os.CreateTemp(filepath.Dir(name), "."+filepath.Base(name)+".*.tmp")
	if err != nil {
		return err
	}
	defer os.Remove(f.Name())
	err = write(f)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	if err := os.Rename(f.Name(), name); err != nil {
		return errors.Join(fmt.Errorf("writing %s", name), err)
	}
	return nil
}
