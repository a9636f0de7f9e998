// Package debugarchive builds the zip a bug report carries (SPEC §5 `debug-archive`): the
// engine's logs, settings, accounts without secrets, sync-set summaries and failed items,
// and the versions of what runs; never a password, a ticket or file content. It reads the
// engine only through control.API, so the CLI (over the control socket) and the desktop
// app (in-process) make the same archive. Secrets never reach the logs by design (the
// remotes log names, paths and error kinds); the copies in the archive are still passed
// through Redact, so that a slip elsewhere does not end up in a bug tracker.
//
// It may import syncer/control and syncer/model of this module (it reads the engine through
// its API).
package debugarchive

import (
	"archive/zip"
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"regexp"
	"runtime"
	"strings"
	"time"

	"github.com/cloudsync/cloudsync/syncer/control"
	"github.com/cloudsync/cloudsync/syncer/model"
)

// Options say what the archive holds besides what the engine answers.
type Options struct {
	// LogFiles are the log and its rotated copies, newest first; missing ones are skipped.
	LogFiles []string
	// Version is the version line of the program making the archive (cloudsync --version).
	Version string
	// Getenv reads the environment (the desktop session's name); nil: none.
	Getenv func(string) string
	// Now dates the archive; nil: time.Now.
	Now func() time.Time
}

// Write writes the archive to w. api may be nil (no engine runs): the archive then holds
// the logs and versions, and notes that the engine did not answer. A failed engine call is
// noted the same way and does not stop the archive; Write fails only when w does.
func Write(ctx context.Context, api control.API, w io.Writer, o Options) error {
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Getenv == nil {
		o.Getenv = func(string) string { return "" }
	}
	z := zip.NewWriter(w)
	a := &archive{z: z, now: o.Now()}
	a.text("README.txt", readme)
	a.text("versions.txt", versions(o))
	if api == nil {
		a.problems = append(a.problems, "no cloudsync engine was running: nothing below comes from it")
	} else {
		a.fromEngine(ctx, api)
	}
	for _, p := range o.LogFiles {
		a.log(p)
	}
	if len(a.problems) > 0 {
		a.text("problems.txt", strings.Join(a.problems, "\n")+"\n")
	}
	if a.err != nil {
		return a.err
	}
	return z.Close()
}

const readme = `cloudsync debug archive

versions.txt       cloudsync, Go, operating system and desktop
settings.json      the General settings
accounts.json      the accounts: name, type, server address, user name (no password)
status.json        the engine's state and counts, with each sync set's summary
sets.json          the sync sets: folders, cloud folders, options, state, counts
failed-items.json  Synced with errors: each failed item, its reason and details
logs/              the engine's log and its rotated copies
problems.txt       what could not be gathered (only when something could not)

It holds no password, no sign-in ticket and no file content. It does hold file and folder
names, server addresses and user names: look through it before you share it.
`

type archive struct {
	z        *zip.Writer
	now      time.Time
	err      error
	problems []string
}

func (a *archive) create(name string) io.Writer {
	if a.err != nil {
		return nil
	}
	w, err := a.z.CreateHeader(&zip.FileHeader{Name: name, Method: zip.Deflate, Modified: a.now})
	if err != nil {
		a.err = err
		return nil
	}
	return w
}

func (a *archive) text(name, s string) {
	if w := a.create(name); w != nil {
		_, a.err = io.WriteString(w, s)
	}
}

func (a *archive) json(name string, v any) {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		a.problems = append(a.problems, fmt.Sprintf("%s: %v", name, err))
		return
	}
	a.text(name, Redact(string(b))+"\n")
}

// fromEngine adds what the engine answers, noting each call that failed.
func (a *archive) fromEngine(ctx context.Context, api control.API) {
	note := func(what string, err error) bool {
		if err != nil {
			a.problems = append(a.problems, what+": "+err.Error())
			return false
		}
		return true
	}
	if s, err := api.GetSettings(ctx); note("settings", err) {
		a.json("settings.json", s)
	}
	if as, err := api.ListAccounts(ctx); note("accounts", err) {
		for i := range as {
			as[i] = withoutSecrets(as[i])
		}
		a.json("accounts.json", as)
	}
	if st, err := api.Status(ctx); note("status", err) {
		a.json("status.json", st)
	}
	if sets, err := api.ListSets(ctx); note("sync sets", err) {
		a.json("sets.json", sets)
	}
	if items, err := api.ListItems(ctx, true); note("failed items", err) {
		a.json("failed-items.json", items)
	}
}

// withoutSecrets drops a password written into an account's addresses
// (https://user:password@host/): accounts keep theirs in the keyring, but a URL typed that
// way would carry one.
func withoutSecrets(a model.Account) model.Account {
	a.URL, a.WebUI = stripUserinfo(a.URL), stripUserinfo(a.WebUI)
	return a
}

func stripUserinfo(s string) string {
	u, err := url.Parse(s)
	if err != nil || u.User == nil {
		return s
	}
	if _, has := u.User.Password(); has {
		u.User = url.UserPassword(u.User.Username(), "REDACTED")
	}
	return u.String()
}

// log adds one log file, line by line through Redact.
func (a *archive) log(p string) {
	f, err := os.Open(p)
	if errors.Is(err, os.ErrNotExist) {
		return
	}
	if err != nil {
		a.problems = append(a.problems, "log: "+err.Error())
		return
	}
	defer f.Close()
	w := a.create("logs/" + baseName(p))
	if w == nil {
		return
	}
	bw := bufio.NewWriter(w)
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		bw.WriteString(Redact(sc.Text()))
		bw.WriteByte('\n')
	}
	if err := sc.Err(); err != nil {
		fmt.Fprintf(bw, "[debug archive: the log could not be read further: %v]\n", err)
	}
	if err := bw.Flush(); err != nil {
		a.err = err
	}
}

func baseName(p string) string {
	return p[strings.LastIndexAny(p, `/\`)+1:]
}

// secretPatterns match what must never leave the machine even if it slipped into a log:
// Alfresco tickets, Authorization header values, passwords in URLs and in key=value form.
var secretPatterns = []struct {
	re   *regexp.Regexp
	repl string
}{
	{regexp.MustCompile(`TICKET_[0-9A-Za-z]+`), "TICKET_REDACTED"},
	{regexp.MustCompile(`(?i)(alf_ticket=)[^&\s"']+`), "${1}REDACTED"},
	{regexp.MustCompile(`(?i)((?:proxy-)?authorization["']?\s*[:=]\s*["']?)(?:(?:basic|bearer|digest)\s+)?[^\s"',]+`), "${1}REDACTED"},
	{regexp.MustCompile(`(://[^/\s:@]*:)[^@/\s]+@`), "${1}REDACTED@"},
	{regexp.MustCompile(`(?i)((?:password|passwd|secret|token)["']?\s*[:=]\s*["']?)[^\s"',&]+`), "${1}REDACTED"},
}

// Redact replaces what looks like a secret in s.
func Redact(s string) string {
	for _, p := range secretPatterns {
		s = p.re.ReplaceAllString(s, p.repl)
	}
	return s
}

// versions describes what runs: this program, Go, the OS (kernel, distribution) and the
// desktop session.
func versions(o Options) string {
	var b strings.Builder
	fmt.Fprintf(&b, "cloudsync: %s\n", o.Version)
	fmt.Fprintf(&b, "go: %s %s/%s\n", runtime.Version(), runtime.GOOS, runtime.GOARCH)
	if k, err := os.ReadFile("/proc/sys/kernel/osrelease"); err == nil {
		fmt.Fprintf(&b, "kernel: %s\n", strings.TrimSpace(string(k)))
	}
	if osr, err := os.ReadFile("/etc/os-release"); err == nil {
		for l := range strings.SplitSeq(string(osr), "\n") {
			if v, ok := strings.CutPrefix(l, "PRETTY_NAME="); ok {
				fmt.Fprintf(&b, "system: %s\n", strings.Trim(v, `"`))
			}
		}
	}
	for _, k := range []string{"XDG_CURRENT_DESKTOP", "XDG_SESSION_TYPE"} {
		if v := o.Getenv(k); v != "" {
			fmt.Fprintf(&b, "%s: %s\n", strings.ToLower(k), v)
		}
	}
	fmt.Fprintf(&b, "made: %s\n", o.Now().UTC().Format(time.RFC3339))
	return b.String()
}
