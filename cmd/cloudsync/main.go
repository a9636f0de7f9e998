// Command cloudsync is the cloudsync desktop sync client: the tray app, the engine daemon
// and the command line of SPEC §5, built on cobra (the convention of rclone, restic,
// kubectl and gh). main.go holds the command tree and its wiring only; each command group
// lives in its own file (account.go, sets.go, items.go, status.go, daemon.go,
// servewebdav.go, gui.go), cli.go and args.go are the frame every command shares, help.go
// the help, completion, version and man pages, paths.go says where files live.
//
// It may import any package of this module: it is the wiring (main.go) and the CLI.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/spf13/cobra"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

// run runs a command line and returns the exit status of SPEC §5: 0 success, 1 failure,
// 2 usage error.
func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	e := &env{stdin: stdin, stdout: stdout, stderr: stderr, getenv: os.Getenv}
	root := newRoot(e)
	root.SetArgs(normalizeArgs(root, args))
	cmd, err := root.ExecuteContextC(context.Background())
	if err == nil {
		return exitOK
	}
	if code, ok := errorsAs[exitCode](err); ok {
		return int(code)
	}
	name := strings.TrimPrefix(strings.TrimPrefix(cmd.CommandPath(), "cloudsync"), " ")
	if u, ok := errorsAs[*usageError](err); ok {
		e.printUsageError(name, cmd.UseLine(), u.msg)
		return exitUsage
	}
	fmt.Fprintf(stderr, "%s: %v\n", strings.TrimSpace("cloudsync "+name), err)
	return exitFail
}

// newRoot builds the command tree, in the order of SPEC §5. A bare `cloudsync` starts the
// desktop app.
func newRoot(e *env) *cobra.Command {
	cobra.EnableCommandSorting = false // the order of SPEC §5, in help and man pages
	root := &cobra.Command{
		Use:   "cloudsync [COMMAND [ARGS]]",
		Short: "keep local folders in sync with a cloud repository (Alfresco, WebDAV)",
		Long: "Without a command, cloudsync starts the tray app (or shows the running one's Preferences).\n" +
			"State lives under $CLOUDSYNC_HOME when set. Exit status: 0 success, 1 failure, 2 usage error.",
		Version:               versionString(),
		DisableFlagsInUseLine: true,
		SilenceErrors:         true,
		SilenceUsage:          true,
		Args:                  rootArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return exitStatus(runGUI(cmd.Context(), e))
		},
	}
	root.CompletionOptions.DisableDefaultCmd = true // completionCmd is ours: bash, zsh, fish
	root.SuggestionsMinimumDistance = 2
	root.SetIn(e.stdin)
	root.SetOut(e.stdout)
	root.SetErr(e.stderr)
	root.SetFlagErrorFunc(flagError)
	root.SetVersionTemplate("cloudsync {{.Version}}\n")
	root.SetHelpFunc(func(cmd *cobra.Command, _ []string) { e.printHelp(cmd) })
	root.SetHelpCommand(helpCmd(root))
	root.AddCommand(
		daemonCmd(e),
		group("account", "Add, list and remove accounts.", accountAddCmd(e), accountSignInCmd(e), accountListCmd(e), accountRemoveCmd(e)),
		syncCmd(e),
		browseCmd(e),
		listCmd(e),
		infoCmd(e),
		requestSyncCmd(e),
		unsyncCmd(e),
		viewInCloudCmd(e),
		pauseCmd(e),
		resumeCmd(e),
		statusCmd(e),
		waitCmd(e),
		exportCmd(e),
		importCmd(e),
		debugArchiveCmd(e),
		serveWebDAVCmd(e),
		completionCmd(e, root),
		manCmd(e, root),
	)
	for _, c := range allCommands(root) {
		c.Flags().SortFlags = false
	}
	return root
}

// allCommands lists cmd's descendants (not cmd itself), depth first in tree order.
func allCommands(cmd *cobra.Command) []*cobra.Command {
	var out []*cobra.Command
	for _, c := range cmd.Commands() {
		out = append(out, c)
		out = append(out, allCommands(c)...)
	}
	return out
}
