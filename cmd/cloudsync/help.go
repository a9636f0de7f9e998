package main

import (
	"context"
	"fmt"
	"os"
	"runtime"
	"runtime/debug"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/cobra/doc"
)

// printHelp prints cmd's help on stdout: for a command that runs, its usage line, summary
// and flags; for the root and a group, an overview of the commands under it.
func (e *env) printHelp(cmd *cobra.Command) {
	var leaves []*cobra.Command
	for _, c := range allCommands(cmd) {
		if c.IsAvailableCommand() && !c.HasSubCommands() {
			leaves = append(leaves, c)
		}
	}
	if len(leaves) == 0 {
		fmt.Fprintf(e.stdout, "usage: %s\n\n%s\n", cmd.UseLine(), strings.TrimRight(cmd.Long, "\n"))
		if fl := cmd.LocalFlags().FlagUsages(); fl != "" {
			fmt.Fprintf(e.stdout, "\nflags:\n%s", fl)
		}
		return
	}
	fmt.Fprintf(e.stdout, "usage: %s\n\n%s\n\ncommands:\n", cmd.UseLine(), strings.TrimRight(cmd.Long, "\n"))
	for _, c := range leaves {
		fmt.Fprintf(e.stdout, "  %s\n      %s\n", c.UseLine(), c.Short)
	}
	if cmd.Parent() == nil {
		fmt.Fprintf(e.stdout, "\nflags:\n%s", cmd.LocalFlags().FlagUsages())
	}
	fmt.Fprintln(e.stdout, "\nRun `cloudsync COMMAND --help` for a command's flags.")
}

// helpCmd is `help [COMMAND]`: the help of a command, or the overview.
func helpCmd(root *cobra.Command) *cobra.Command {
	return &cobra.Command{
		Use: "help [COMMAND]", Short: "Help about any command.",
		Long:                  "Help about any command: `cloudsync help sync` is `cloudsync sync --help`.",
		DisableFlagsInUseLine: true,
		ValidArgsFunction: func(_ *cobra.Command, args []string, _ string) ([]cobra.Completion, cobra.ShellCompDirective) {
			cmd, _, err := root.Find(args)
			if err != nil {
				return nil, cobra.ShellCompDirectiveNoFileComp
			}
			var names []cobra.Completion
			for _, c := range cmd.Commands() {
				if c.IsAvailableCommand() {
					names = append(names, cobra.CompletionWithDesc(c.Name(), c.Short))
				}
			}
			return names, cobra.ShellCompDirectiveNoFileComp
		},
		RunE: func(_ *cobra.Command, args []string) error {
			cmd, rest, err := root.Find(args)
			if err != nil || len(rest) > 0 {
				return usageErrorf("unknown command %q", strings.Join(args, " "))
			}
			cmd.InitDefaultHelpFlag()
			cmd.InitDefaultVersionFlag()
			return cmd.Help()
		},
	}
}

// completionCmd is `completion bash|zsh|fish`: the shell's completion script on stdout.
func completionCmd(e *env, root *cobra.Command) *cobra.Command {
	c := &command{name: "completion", args: "bash|zsh|fish", minPos: 1, maxPos: 1,
		summary: "Print the completion script of a shell (commands, flags, account names).\n\n" +
			"bash: source <(cloudsync completion bash), or save it as\n" +
			"      ~/.local/share/bash-completion/completions/cloudsync\n" +
			"zsh:  cloudsync completion zsh > \"${fpath[1]}/_cloudsync\"\n" +
			"fish: cloudsync completion fish > ~/.config/fish/completions/cloudsync.fish\n" +
			"`make install` installs all three."}
	cmd := e.leaf(c, func(_ context.Context, pos []string) int {
		var err error
		switch pos[0] {
		case "bash":
			err = root.GenBashCompletionV2(e.stdout, true)
		case "zsh":
			err = root.GenZshCompletion(e.stdout)
		case "fish":
			err = root.GenFishCompletion(e.stdout, true)
		default:
			return e.usageError(c, "unknown shell %q (bash, zsh or fish)", pos[0])
		}
		if err != nil {
			return e.fail(c, err)
		}
		return exitOK
	})
	cmd.ValidArgs = []cobra.Completion{"bash", "zsh", "fish"}
	return cmd
}

// manCmd is `man DIR` (hidden; `make install` runs it): man pages generated from the
// commands, one per command (cloudsync.1, cloudsync-account-add.1, …), into DIR.
func manCmd(e *env, root *cobra.Command) *cobra.Command {
	c := &command{name: "man", args: "DIR", minPos: 1, maxPos: 1,
		summary: "Write the man pages of every command into DIR (section 1).\n" +
			"SOURCE_DATE_EPOCH, when set, dates them (reproducible builds)."}
	cmd := e.leaf(c, func(_ context.Context, pos []string) int {
		if err := os.MkdirAll(pos[0], 0o755); err != nil {
			return e.fail(c, err)
		}
		root.DisableAutoGenTag = true
		h := &doc.GenManHeader{Title: "CLOUDSYNC", Section: "1", Source: "cloudsync " + version(), Manual: "cloudsync manual"}
		if err := doc.GenManTree(root, h, pos[0]); err != nil {
			return e.fail(c, err)
		}
		return exitOK
	})
	cmd.Hidden = true
	return cmd
}

// buildVersion and buildCommit are stamped by the Makefile (-ldflags "-X
// main.buildVersion=… -X main.buildCommit=…"). A plain `go build` leaves them empty: versionString then reads what the
// Go toolchain recorded (a module version for `go install …@v1.2.3`, the VCS revision
// when built in a checkout with VCS stamping on).
var buildVersion, buildCommit string

// version is the release this binary is, "dev" when nobody said.
func version() string {
	if buildVersion != "" {
		return buildVersion
	}
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return "dev"
}

// versionString is what `cloudsync --version` prints after the name.
func versionString() string {
	c := buildCommit
	if c == "" {
		c = "unknown"
		if bi, ok := debug.ReadBuildInfo(); ok {
			var rev, modified string
			for _, s := range bi.Settings {
				switch s.Key {
				case "vcs.revision":
					rev = s.Value
				case "vcs.modified":
					modified = s.Value
				}
			}
			if len(rev) > 12 {
				rev = rev[:12]
			}
			if rev != "" {
				c = rev
				if modified == "true" {
					c += "-dirty"
				}
			}
		}
	}
	return fmt.Sprintf("%s (commit %s, %s %s/%s)", version(), c, runtime.Version(), runtime.GOOS, runtime.GOARCH)
}
