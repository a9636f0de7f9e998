package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// runCLI runs a command line in-process.
func runCLI(t *testing.T, stdin string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = run(args, strings.NewReader(stdin), &out, &errb)
	return code, out.String(), errb.String()
}

// noEngineHome points CLOUDSYNC_HOME at an empty folder: no engine listens there.
func noEngineHome(t *testing.T) string {
	t.Helper()
	d, err := os.MkdirTemp("", "csh")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(d) })
	t.Setenv("CLOUDSYNC_HOME", d)
	return d
}

func TestUsageErrorsExitTwoWithAOneLineHint(t *testing.T) {
	noEngineHome(t)
	cases := []struct {
		name string
		args []string
		want string // in the first stderr line
	}{
		{"unknown command", []string{"frobnicate"}, "unknown command"},
		{"unknown flag", []string{"status", "--bogus"}, "unknown flag --bogus"},
		{"unknown flag after positional", []string{"info", "x", "--verbose"}, "unknown flag --verbose"},
		{"extra argument", []string{"status", "now"}, "unexpected argument"},
		{"account without subcommand", []string{"account"}, "missing subcommand"},
		{"account unknown subcommand", []string{"account", "rename"}, "unknown subcommand"},
		{"account add without name", []string{"account", "add", "--type", "webdav", "--url", "http://h", "--user", "u", "--password-stdin"}, "missing argument"},
		{"account add without type", []string{"account", "add", "n", "--url", "http://h", "--user", "u", "--password-stdin"}, "--type is required"},
		{"account add bad type", []string{"account", "add", "n", "--type", "ftp", "--url", "http://h", "--user", "u", "--password-stdin"}, "webdav or alfresco"},
		{"account add without url", []string{"account", "add", "n", "--type", "webdav", "--user", "u", "--password-stdin"}, "--url is required"},
		{"account add without user", []string{"account", "add", "n", "--type", "webdav", "--url", "http://h", "--password-stdin"}, "--user is required"},
		{"account add without password-stdin", []string{"account", "add", "n", "--type", "webdav", "--url", "http://h", "--user", "u"}, "--password-stdin is required"},
		{"account add password in argv", []string{"account", "add", "n", "--type", "webdav", "--url", "http://h", "--user", "u", "--password", "x"}, "unknown flag --password"},
		{"account add flag without value", []string{"account", "add", "n", "--type"}, "flag needs an argument"},
		{"account remove without name", []string{"account", "remove"}, "missing argument"},
		{"account list with argument", []string{"account", "list", "x"}, "unexpected argument"},
		{"sync without path", []string{"sync", "--account", "a", "--to", "X"}, "missing argument"},
		{"sync without account", []string{"sync", "dir", "--to", "X"}, "--account is required"},
		{"sync without to", []string{"sync", "dir", "--account", "a"}, "--to is required"},
		{"sync to parent folder", []string{"sync", "dir", "--account", "a", "--to", "../x"}, "cloud folder"},
		{"sync to folder escaping", []string{"sync", "dir", "--account", "a", "--to", "a/../../b"}, "cloud folder"},
		{"sync bad bool", []string{"sync", "dir", "--account", "a", "--to", "X", "--lock=maybe"}, "invalid boolean"},
		{"browse without account", []string{"browse"}, "missing argument"},
		{"browse too many", []string{"browse", "a", "b", "c"}, "unexpected argument"},
		{"list with argument", []string{"list", "everything"}, "unexpected argument"},
		{"info without path", []string{"info", "--json"}, "missing argument"},
		{"request-sync without path", []string{"request-sync"}, "missing argument"},
		{"request-sync two paths", []string{"request-sync", "a", "b"}, "unexpected argument"},
		{"unsync without path", []string{"unsync", "--remove-from-cloud"}, "missing argument"},
		{"view-in-cloud without path", []string{"view-in-cloud"}, "missing argument"},
		{"pause two sets", []string{"pause", "a", "b"}, "unexpected argument"},
		{"resume unknown flag", []string{"resume", "--all"}, "unknown flag --all"},
		{"wait bad duration", []string{"wait", "--timeout", "soon"}, "invalid value"},
		{"wait negative", []string{"wait", "--timeout", "-5s"}, "must not be negative"},
		{"daemon bad interval", []string{"daemon", "--poll-interval", "fast"}, "invalid value"},
		{"daemon tiny rescan", []string{"daemon", "--rescan-interval", "1ms"}, "at least"},
		{"daemon tiny stall timeout", []string{"daemon", "--stall-timeout", "1s"}, "at least 5s"},
		{"daemon bad stall timeout", []string{"daemon", "--stall-timeout", "never"}, "invalid value"},
		{"daemon argument", []string{"daemon", "now"}, "unexpected argument"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			code, out, errOut := runCLI(t, "", tc.args...)
			if code != exitUsage {
				t.Fatalf("exit %d, want 2 (stdout %q, stderr %q)", code, out, errOut)
			}
			lines := strings.Split(strings.TrimRight(errOut, "\n"), "\n")
			if len(lines) != 2 || !strings.Contains(lines[0], tc.want) || !strings.HasPrefix(lines[1], "usage: cloudsync") {
				t.Fatalf("stderr %q: want the problem (%q) then one usage line", errOut, tc.want)
			}
		})
	}
}

// commandNames lists every command that runs ("account add", "sync", …), hidden ones too.
func commandNames() []string {
	var names []string
	for _, c := range allCommands(newRoot(&env{})) {
		if c.Runnable() && !c.HasSubCommands() && c.Name() != "help" {
			names = append(names, strings.TrimPrefix(c.CommandPath(), "cloudsync "))
		}
	}
	return names
}

func TestEveryCommandHasHelp(t *testing.T) {
	for _, name := range commandNames() {
		t.Run(name, func(t *testing.T) {
			args := append(strings.Fields(name), "--help")
			code, out, errOut := runCLI(t, "", args...)
			if code != exitOK || !strings.Contains(out, "usage: cloudsync "+name) || errOut != "" {
				t.Fatalf("exit %d, stdout %q, stderr %q", code, out, errOut)
			}
		})
	}
	for _, args := range [][]string{{"--help"}, {"-h"}, {"help"}, {"account", "--help"}} {
		code, out, _ := runCLI(t, "", args...)
		if code != exitOK || !strings.Contains(out, "account add") {
			t.Errorf("%v: exit %d, stdout %q", args, code, out)
		}
	}
	if code, out, _ := runCLI(t, "", "help", "sync"); code != exitOK || !strings.Contains(out, "--keep-cloud-on-delete") {
		t.Errorf("help sync: exit %d, %q", code, out)
	}
}

func TestCommandsWithoutEngineSayNoneRuns(t *testing.T) {
	noEngineHome(t)
	dir := t.TempDir()
	for _, args := range [][]string{
		{"status"}, {"status", "--json"}, {"account", "list"}, {"account", "remove", "x"},
		{"account", "add", "x", "--type", "webdav", "--url", "http://127.0.0.1:1/", "--user", "u", "--password-stdin"},
		{"sync", dir, "--account", "a", "--to", "X"}, {"browse", "a"}, {"list"}, {"list", "--errors", "--json"},
		{"info", dir}, {"request-sync", dir}, {"unsync", dir}, {"view-in-cloud", dir, "--print-url"},
		{"pause"}, {"resume", dir}, {"wait", "--timeout", "1s"},
	} {
		t.Run(strings.Join(args[:1], " "), func(t *testing.T) {
			code, out, errOut := runCLI(t, "pw\n", args...)
			if code != exitFail || out != "" {
				t.Fatalf("%v: exit %d, stdout %q", args, code, out)
			}
			if !strings.Contains(errOut, "no cloudsync engine is running: start `cloudsync` or `cloudsync daemon`") ||
				strings.Count(errOut, "\n") != 1 {
				t.Fatalf("%v: stderr %q", args, errOut)
			}
		})
	}
}

// TestFlagsMayFollowPositionalArguments: `sync a --account x b --to y --lock` parses as
// two paths and three flags; "--" ends the flags.
func TestFlagsMayFollowPositionalArguments(t *testing.T) {
	cases := []struct {
		args []string
		pos  []string
		lock bool
		to   string
	}{
		{[]string{"a", "--to", "y", "b", "--lock"}, []string{"a", "b"}, true, "y"},
		{[]string{"--lock", "--to=y", "a"}, []string{"a"}, true, "y"},
		{[]string{"a", "--", "--lock", "-b"}, []string{"a", "--lock", "-b"}, false, ""},
		{[]string{"-to", "y", "a", "--lock=false"}, []string{"a"}, false, "y"},
		// Alfresco cloud folders begin with a network id such as "-default-".
		{[]string{"acct", "-default-", "--lock"}, []string{"acct", "-default-"}, true, ""},
		{[]string{"acct", "-default-/docs/Projects"}, []string{"acct", "-default-/docs/Projects"}, false, ""},
		{[]string{"a", "--to", "-default-/site/x"}, []string{"a"}, false, "-default-/site/x"},
	}
	for _, tc := range cases {
		e := &env{stdout: &bytes.Buffer{}, stderr: &bytes.Buffer{}}
		var pos []string
		var lock bool
		var to string
		c := &command{name: "t", args: "X...", maxPos: -1}
		root := newRoot(e)
		cmd := e.leaf(c, func(_ context.Context, p []string) int { pos = p; return exitOK })
		cmd.Flags().BoolVar(&lock, "lock", false, "")
		cmd.Flags().StringVar(&to, "to", "", "")
		root.AddCommand(cmd)
		root.SetArgs(normalizeArgs(root, append([]string{"t"}, tc.args...)))
		if _, err := root.ExecuteC(); err != nil {
			t.Fatalf("%v: %v", tc.args, err)
		}
		if strings.Join(pos, "|") != strings.Join(tc.pos, "|") || lock != tc.lock || to != tc.to {
			t.Errorf("%v: pos %q lock %v to %q", tc.args, pos, lock, to)
		}
	}
}

func TestSetArgument(t *testing.T) {
	t.Chdir(t.TempDir())
	wd, _ := os.Getwd()
	if err := os.Mkdir("a1b2c3d4e5f6", 0o700); err != nil {
		t.Fatal(err)
	}
	cases := map[string]string{
		"0123456789ab": "0123456789ab",                    // a set id
		"a1b2c3d4e5f6": filepath.Join(wd, "a1b2c3d4e5f6"), // a folder of that name wins
		"Docs":         filepath.Join(wd, "Docs"),
		"/abs/path":    "/abs/path",
		"../up":        filepath.Join(filepath.Dir(wd), "up"),
	}
	for in, want := range cases {
		if got, err := setArg(in); err != nil || got != want {
			t.Errorf("setArg(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
}

func TestBrowserCommandLines(t *testing.T) {
	u := "https://h/x?y=1"
	cases := []struct {
		entry string
		want  []string
	}{
		{"firefox", []string{"firefox", u}},
		{"firefox --new-window", []string{"firefox", "--new-window", u}},
		{"open-it --url=%s --x", []string{"open-it", "--url=" + u, "--x"}},
		{"  ", nil},
		{"", nil},
	}
	for _, tc := range cases {
		if got := browserArgv(tc.entry, u); strings.Join(got, "|") != strings.Join(tc.want, "|") {
			t.Errorf("%q: %q, want %q", tc.entry, got, tc.want)
		}
	}
}
