// Command cloudsync is the cloudsync desktop sync client: the tray app, the engine daemon
// and the command line of SPEC §5. main.go holds the dispatch and wiring only; each
// command group lives in its own file (account.go, sets.go, items.go, status.go,
// daemon.go, servewebdav.go, gui.go), paths.go says where files live.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

// commands lists every command in the order of SPEC §5. Two-word names are subcommands.
func commands() []*command {
	return []*command{
		{name: "daemon", args: "[--poll-interval D] [--rescan-interval D]",
			summary: "Run the sync engine without a window (same control socket as the app).", run: runDaemon},
		{name: "account add", args: "NAME --type webdav|alfresco --url URL --user USER --password-stdin",
			summary: "Check the login and store the account; the password is read from standard input and kept in the OS keyring.", run: runAccountAdd},
		{name: "account sign-in", args: "NAME --password-stdin",
			summary: "Sign in again with a new password (read from standard input) and resume the account's syncing.", run: runAccountSignIn},
		{name: "account list", args: "[--json]", summary: "List the accounts.", run: runAccountList},
		{name: "account remove", args: "NAME", summary: "Remove an account and its keyring password (unsync its sets first).", run: runAccountRemove},
		{name: "sync", args: "PATH... --account NAME --to CLOUD_FOLDER [--no-subfolders] [--lock] [--keep-cloud-on-delete] [--delete-local-on-cloud-delete]",
			summary: "Sync one folder (folder set) or one or more files of one folder (documents set) with a cloud folder.\n" +
				"CLOUD_FOLDER: webdav: a path under the account URL; alfresco: NETWORK/SITE/path/in/documentLibrary.\n" +
				"Missing folders on that path are created.", run: runSync},
		{name: "browse", args: "ACCOUNT [CLOUD_FOLDER] [--json]", summary: "List the networks, sites or folders under CLOUD_FOLDER, for choosing a target.", run: runBrowse},
		{name: "list", args: "[--errors] [--json]", summary: "Synced content (every item), or with --errors, Synced with errors.", run: runList},
		{name: "info", args: "PATH [--json]", summary: "Sync Info of an item: status, failure reason and details, cloud location, last sync, conflict copies.", run: runInfo},
		{name: "request-sync", args: "PATH", summary: "Sync an item or a set now, both ways (recreates a cloud target that was deleted).", run: runRequestSync},
		{name: "unsync", args: "PATH [--remove-from-cloud]", summary: "Stop syncing a set or a directly synced document; local files stay (unlocked).", run: runUnsync},
		{name: "view-in-cloud", args: "PATH [--print-url]", summary: "Open the item's page in the cloud's web UI (with --print-url, print its address).", run: runViewInCloud},
		{name: "pause", args: "[SET]", summary: "Pause all syncing, or one set (by its folder or id). Changes are still recorded.", run: runPause},
		{name: "resume", args: "[SET]", summary: "Resume all syncing, or one set.", run: runResume},
		{name: "status", args: "[--json]", summary: "Engine state (idle|syncing|paused|error|offline) and counts.", run: runStatus},
		{name: "wait", args: "[--timeout D]", summary: "Block until no set has pending work (exit 1 on timeout).", run: runWait},
		{name: "serve-webdav", args: "DIR [--addr 127.0.0.1:8080] [--user U --password-stdin]",
			summary: "A local WebDAV server, for trying cloudsync out.", run: runServeWebDAV},
	}
}

// run dispatches a command line and returns the exit status of SPEC §5: 0 success,
// 1 failure, 2 usage error.
func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	e := &env{stdin: stdin, stdout: stdout, stderr: stderr, getenv: os.Getenv}
	ctx := context.Background()
	cmds := commands()
	if len(args) == 0 {
		return runGUI(ctx, e) // gui.go
	}
	switch args[0] {
	case "-h", "--help", "help":
		if len(args) > 1 && args[0] == "help" {
			return run(append(args[1:], "--help"), stdin, stdout, stderr)
		}
		printOverview(stdout, cmds)
		return exitOK
	}
	if c := find(cmds, args[0]); c != nil {
		return c.run(ctx, e, c, args[1:])
	}
	// A command group: "account add", …
	var group []*command
	for _, c := range cmds {
		if strings.HasPrefix(c.name, args[0]+" ") {
			group = append(group, c)
		}
	}
	if len(group) == 0 {
		fmt.Fprintf(stderr, "cloudsync: unknown command %q\nusage: cloudsync COMMAND [ARGS]  (see `cloudsync --help`)\n", args[0])
		return exitUsage
	}
	if len(args) > 1 {
		if c := find(cmds, args[0]+" "+args[1]); c != nil {
			return c.run(ctx, e, c, args[2:])
		}
	}
	if len(args) > 1 && (args[1] == "-h" || args[1] == "--help") {
		printOverview(stdout, group)
		return exitOK
	}
	names := make([]string, len(group))
	for i, c := range group {
		names[i] = strings.TrimPrefix(c.name, args[0]+" ")
	}
	if len(args) == 1 {
		fmt.Fprintf(stderr, "cloudsync %s: missing subcommand (%s)\n", args[0], strings.Join(names, ", "))
	} else {
		fmt.Fprintf(stderr, "cloudsync %s: unknown subcommand %q (%s)\n", args[0], args[1], strings.Join(names, ", "))
	}
	fmt.Fprintf(stderr, "usage: cloudsync %s %s ...  (see `cloudsync %s --help`)\n", args[0], strings.Join(names, "|"), args[0])
	return exitUsage
}

func find(cmds []*command, name string) *command {
	for _, c := range cmds {
		if c.name == name {
			return c
		}
	}
	return nil
}

func printOverview(w io.Writer, cmds []*command) {
	fmt.Fprintln(w, "usage: cloudsync [COMMAND [ARGS]]\n\n"+
		"Without a command, cloudsync starts the tray app (or shows the running one's Preferences).\n"+
		"State lives under $CLOUDSYNC_HOME when set. Exit status: 0 success, 1 failure, 2 usage error.\n\ncommands:")
	for _, c := range cmds {
		fmt.Fprintf(w, "  %s\n      %s\n", c.usage(), firstLine(c.summary))
	}
	fmt.Fprintln(w, "\nRun `cloudsync COMMAND --help` for a command's flags.")
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}

// runServeWebDAV is serve-webdav (servewebdav.go), with --help on stdout and exit 0 like
// every other command.
func runServeWebDAV(_ context.Context, e *env, _ *command, args []string) int {
	for _, a := range args {
		if a == "--" {
			break
		}
		if a == "-h" || a == "--help" || a == "-help" {
			serveWebDAV([]string{"--help"}, e.stdin, e.stdout, e.stdout)
			return exitOK
		}
	}
	return serveWebDAV(args, e.stdin, e.stdout, e.stderr)
}
