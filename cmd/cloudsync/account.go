package main

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/cloudsync/cloudsync/syncer"
	"github.com/cloudsync/cloudsync/syncer/control"
	"github.com/cloudsync/cloudsync/syncer/model"
	"github.com/cloudsync/cloudsync/syncer/remote/backends"
	"github.com/cloudsync/cloudsync/syncer/remote/registry"
)

// accountAddCmd is `account add NAME --type TYPE --url URL --user USER --password-stdin
// [--web-ui URL]`, TYPE one of the registered remote types (package backends). The
// password comes from standard input only (one line, its line ending trimmed), never from
// argv, and goes to the engine over the user-only control socket, which keeps it in the OS
// keyring.
func accountAddCmd(e *env) *cobra.Command {
	reg := backends.Registry()
	c := &command{name: "account add", args: "NAME --type " + reg.Choices("|") + " --url URL --user USER --password-stdin [--web-ui URL]",
		summary: "Check the login and store the account; the password is read from standard input and kept in the OS keyring.",
		minPos:  1, maxPos: 1}
	o := accountAddOpts{reg: reg}
	cmd := e.leaf(c, func(ctx context.Context, pos []string) int { return e.runAccountAdd(ctx, c, o, pos[0]) })
	f := cmd.Flags()
	f.StringVar(&o.typ, "type", "", "account `TYPE`: "+reg.Choices(" or "))
	f.StringVar(&o.url, "url", "", "base `URL`"+fieldHelp(reg, registry.FieldURL))
	f.StringVar(&o.user, "user", "", "`USER` name")
	f.BoolVar(&o.pwStdin, "password-stdin", false, "read the password from standard input (required)")
	f.StringVar(&o.webUI, "web-ui", "", "web page of an item for View in Cloud ({path}, {dir}, {id} are replaced); optional")
	cmd.RegisterFlagCompletionFunc("type", cobra.FixedCompletions(reg.Types(), cobra.ShellCompDirectiveNoFileComp))
	return cmd
}

// fieldHelp is what each remote type says about one of its form fields, in parentheses.
func fieldHelp(reg *registry.Registry, key string) string {
	var parts []string
	for _, b := range reg.All() {
		if f, ok := b.Field(key); ok && f.Help != "" {
			parts = append(parts, f.Help)
		}
	}
	if len(parts) == 0 {
		return ""
	}
	return " (" + strings.Join(parts, "; ") + ")"
}

type accountAddOpts struct {
	reg                   *registry.Registry
	typ, url, user, webUI string
	pwStdin               bool
}

func (e *env) runAccountAdd(ctx context.Context, c *command, o accountAddOpts, name string) int {
	switch {
	case o.typ == "":
		return e.usageError(c, "--type is required")
	case o.reg.Check(o.typ) != nil:
		return e.usageError(c, "--type must be %s, not %q", o.reg.Choices(" or "), o.typ)
	case o.url == "":
		return e.usageError(c, "--url is required")
	case o.user == "":
		return e.usageError(c, "--user is required")
	case !o.pwStdin:
		return e.usageError(c, "--password-stdin is required: the password is read from standard input, never from the command line")
	}
	cl, code, ok := e.engine(c)
	if !ok {
		return code
	}
	defer cl.Close()
	password, err := readPassword(e.stdin)
	if err != nil {
		return e.fail(c, err)
	}
	ctx, cancel := withTimeout(ctx)
	defer cancel()
	a, err := cl.AddAccount(ctx, syncer.AddAccountRequest{Name: name, Type: o.typ, URL: o.url, User: o.user, Password: password, WebUI: o.webUI})
	if err != nil {
		return e.fail(c, err)
	}
	fmt.Fprintf(e.stdout, "Added account %s (%s %s, user %s).", a.Name, a.Type, a.URL, a.User)
	if st, err := cl.Status(ctx); err == nil && st.Keyring != "" {
		fmt.Fprintf(e.stdout, " Its password is kept in %s.", st.Keyring)
	}
	fmt.Fprintln(e.stdout)
	return exitOK
}

// accountSignInCmd is `account sign-in NAME --password-stdin`: only the password, for an
// account whose sign-in was refused (its sets wait until then).
func accountSignInCmd(e *env) *cobra.Command {
	c := &command{name: "account sign-in", args: "NAME --password-stdin", minPos: 1, maxPos: 1,
		summary: "Sign in again with a new password (read from standard input) and resume the account's syncing."}
	var pwStdin bool
	cmd := e.leaf(c, func(ctx context.Context, pos []string) int {
		if !pwStdin {
			return e.usageError(c, "--password-stdin is required: the password is read from standard input, never from the command line")
		}
		return e.withEngine(ctx, c, pos, func(ctx context.Context, cl *control.Client, pos []string) int {
			password, err := readPassword(e.stdin)
			if err != nil {
				return e.fail(c, err)
			}
			if err := cl.SignIn(ctx, pos[0], password); err != nil {
				return e.fail(c, err)
			}
			fmt.Fprintf(e.stdout, "Signed in to %s; its sync sets resume.\n", pos[0])
			return exitOK
		})
	})
	cmd.Flags().BoolVar(&pwStdin, "password-stdin", false, "read the password from standard input (required)")
	cmd.ValidArgsFunction = e.completeAccounts
	return cmd
}

// accountListCmd is `account list [--json]`.
func accountListCmd(e *env) *cobra.Command {
	c := &command{name: "account list", args: "[--json]", summary: "List the accounts."}
	var asJSON bool
	cmd := e.leaf(c, func(ctx context.Context, pos []string) int {
		return e.withEngine(ctx, c, pos, func(ctx context.Context, cl *control.Client, _ []string) int {
			return e.runAccountList(ctx, c, cl, asJSON)
		})
	})
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}

func (e *env) runAccountList(ctx context.Context, c *command, cl *control.Client, asJSON bool) int {
	as, err := cl.ListAccounts(ctx)
	if err != nil {
		return e.fail(c, err)
	}
	if as == nil {
		as = []model.Account{}
	}
	if asJSON {
		return e.printJSON(c, as)
	}
	if len(as) == 0 {
		fmt.Fprintln(e.stdout, "No accounts. Add one with `cloudsync account add`.")
		return exitOK
	}
	rows := [][]string{{"NAME", "TYPE", "URL", "USER", "STATE"}}
	for _, a := range as {
		st := "ok"
		if a.Paused {
			st = "sign-in needed"
		}
		rows = append(rows, []string{a.Name, a.Type, a.URL, a.User, st})
	}
	e.table(rows)
	return exitOK
}

// accountRemoveCmd is `account remove NAME`.
func accountRemoveCmd(e *env) *cobra.Command {
	c := &command{name: "account remove", args: "NAME", summary: "Remove an account and its keyring password (unsync its sets first).",
		minPos: 1, maxPos: 1}
	cmd := e.leaf(c, func(ctx context.Context, pos []string) int {
		return e.withEngine(ctx, c, pos, func(ctx context.Context, cl *control.Client, pos []string) int {
			if err := cl.RemoveAccount(ctx, pos[0]); err != nil {
				return e.fail(c, err)
			}
			fmt.Fprintf(e.stdout, "Removed account %s.\n", pos[0])
			return exitOK
		})
	})
	cmd.ValidArgsFunction = e.completeAccounts
	return cmd
}

// completeAccounts completes an account name from the running engine's accounts (nothing
// when none runs): shell completion for `account remove`, `browse` and `sync --account`.
func (e *env) completeAccounts(_ *cobra.Command, args []string, _ string) ([]cobra.Completion, cobra.ShellCompDirective) {
	p, err := resolvePaths(e.getenv)
	if err != nil || len(args) > 0 {
		return nil, cobra.ShellCompDirectiveNoFileComp
	}
	cl, err := control.Dial(p.Socket)
	if err != nil {
		return nil, cobra.ShellCompDirectiveNoFileComp
	}
	defer cl.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	as, err := cl.ListAccounts(ctx)
	if err != nil {
		return nil, cobra.ShellCompDirectiveNoFileComp
	}
	var names []cobra.Completion
	for _, a := range as {
		names = append(names, cobra.CompletionWithDesc(a.Name, a.Type+" "+a.URL))
	}
	return names, cobra.ShellCompDirectiveNoFileComp
}
