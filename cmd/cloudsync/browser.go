package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os/exec"
	"strings"
	"time"
)

// browserGrace is how long openURL waits for a browser command to fail. A command still
// running after that is taken as a browser that opened the page and stays in the
// foreground (`firefox URL` when Firefox was not running); it is left running.
const browserGrace = 3 * time.Second

// openURL opens an http(s) address in the user's browser.
//
// $BROWSER, when set, is honoured first, the way xdg-open reads it: a colon-separated
// list of commands tried in order until one succeeds; "%s" in a command is replaced by
// the address, otherwise the address is appended. We read it ourselves because xdg-open
// only looks at $BROWSER in its generic mode (no desktop environment detected) and after
// any x-scheme-handler/https default; under GNOME, KDE, XFCE… it hands the address to
// gio/kde-open/exo-open and ignores $BROWSER. Without $BROWSER, xdg-open is used.
func openURL(ctx context.Context, u string, getenv func(string) string) error {
	return openURLTo(ctx, u, getenv, nil, nil)
}

// openURLTo is openURL with the browser command's output going to stdout and stderr (the
// CLI's own, so `BROWSER=echo cloudsync view-in-cloud` shows what happened).
func openURLTo(ctx context.Context, u string, getenv func(string) string, stdout, stderr io.Writer) error {
	pu, err := url.Parse(u)
	if err != nil || (pu.Scheme != "http" && pu.Scheme != "https") || pu.Host == "" {
		return fmt.Errorf("refusing to open %q: not an http(s) address", u)
	}
	var tried []string
	for _, entry := range strings.Split(getenv("BROWSER"), ":") {
		argv := browserArgv(entry, u)
		if argv == nil {
			continue
		}
		if err := startBrowser(ctx, argv, stdout, stderr); err == nil {
			return nil
		} else {
			tried = append(tried, fmt.Sprintf("%s: %v", argv[0], err))
		}
	}
	if _, err := exec.LookPath("xdg-open"); err == nil {
		if err := startBrowser(ctx, []string{"xdg-open", u}, stdout, stderr); err == nil {
			return nil
		} else {
			tried = append(tried, "xdg-open: "+err.Error())
		}
	} else {
		tried = append(tried, "xdg-open is not installed (package xdg-utils)")
	}
	return errors.New("could not open a browser (" + strings.Join(tried, "; ") + "); set BROWSER or use --print-url")
}

// browserArgv builds the command line of one $BROWSER entry, or nil for an empty one.
func browserArgv(entry, u string) []string {
	f := strings.Fields(entry)
	if len(f) == 0 {
		return nil
	}
	replaced := false
	for i, a := range f {
		if strings.Contains(a, "%s") {
			f[i] = strings.ReplaceAll(a, "%s", u)
			replaced = true
		}
	}
	if !replaced {
		f = append(f, u)
	}
	return f
}

// startBrowser runs argv without a shell, its output to stdout and stderr (none when nil),
// and returns its failure if it fails within browserGrace.
func startBrowser(ctx context.Context, argv []string, stdout, stderr io.Writer) error {
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Stdout, cmd.Stderr = stdout, stderr
	if err := cmd.Start(); err != nil {
		return err
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	t := time.NewTimer(browserGrace)
	defer t.Stop()
	select {
	case err := <-done:
		return err
	case <-t.C:
		return nil
	case <-ctx.Done():
		return nil
	}
}
