package main

import (
	"context"
	"fmt"

	"github.com/cloudsync/cloudsync/syncer"
	"github.com/cloudsync/cloudsync/syncer/control"
	"github.com/cloudsync/cloudsync/syncer/model"
)

// runAccountAdd is `account add NAME --type webdav|alfresco --url URL --user USER
// --password-stdin [--web-ui URL]`. The password comes from standard input only (one
// line, its line ending trimmed), never from argv, and goes to the engine over the
// user-only control socket, which keeps it in the OS keyring.
func runAccountAdd(ctx context.Context, e *env, c *command, args []string) int {
	fs := newFlags(c)
	typ := fs.String("type", "", "account type: webdav or alfresco")
	url := fs.String("url", "", "base URL (WebDAV: the folder under which paths are taken)")
	user := fs.String("user", "", "user name")
	pwStdin := fs.Bool("password-stdin", false, "read the password from standard input (required)")
	webUI := fs.String("web-ui", "", "web page of an item for View in Cloud ({path}, {dir}, {id} are replaced); optional")
	pos, code, ok := e.parse(c, fs, args, 1, 1)
	if !ok {
		return code
	}
	switch {
	case *typ == "":
		return e.usageError(c, "--type is required")
	case *typ != "webdav" && *typ != "alfresco":
		return e.usageError(c, "--type must be webdav or alfresco, not %q", *typ)
	case *url == "":
		return e.usageError(c, "--url is required")
	case *user == "":
		return e.usageError(c, "--user is required")
	case !*pwStdin:
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
	a, err := cl.AddAccount(ctx, syncer.AddAccountRequest{Name: pos[0], Type: *typ, URL: *url, User: *user, Password: password, WebUI: *webUI})
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

// runAccountSignIn is `account sign-in NAME --password-stdin`: only the password, for an
// account whose sign-in was refused (its sets wait until then).
func runAccountSignIn(ctx context.Context, e *env, c *command, args []string) int {
	fs := newFlags(c)
	pwStdin := fs.Bool("password-stdin", false, "read the password from standard input (required)")
	pos, code, ok := e.parse(c, fs, args, 1, 1)
	if !ok {
		return code
	}
	if !*pwStdin {
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
	if err := cl.SignIn(ctx, pos[0], password); err != nil {
		return e.fail(c, err)
	}
	fmt.Fprintf(e.stdout, "Signed in to %s; its sync sets resume.\n", pos[0])
	return exitOK
}

// runAccountList is `account list [--json]`.
func runAccountList(ctx context.Context, e *env, c *command, args []string) int {
	fs := newFlags(c)
	asJSON := fs.Bool("json", false, "print JSON")
	return e.withEngine(ctx, c, fs, args, 0, 0, func(ctx context.Context, cl *control.Client, _ []string) int {
		as, err := cl.ListAccounts(ctx)
		if err != nil {
			return e.fail(c, err)
		}
		if as == nil {
			as = []model.Account{}
		}
		if *asJSON {
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
	})
}

// runAccountRemove is `account remove NAME`.
func runAccountRemove(ctx context.Context, e *env, c *command, args []string) int {
	return e.withEngine(ctx, c, newFlags(c), args, 1, 1, func(ctx context.Context, cl *control.Client, pos []string) int {
		if err := cl.RemoveAccount(ctx, pos[0]); err != nil {
			return e.fail(c, err)
		}
		fmt.Fprintf(e.stdout, "Removed account %s.\n", pos[0])
		return exitOK
	})
}
