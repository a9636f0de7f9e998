package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/cloudsync/cloudsync/ui/localcloud"
)

// serveWebDAVCmd is `serve-webdav DIR [--addr 127.0.0.1:8080] [--user U --password-stdin]`:
// a local WebDAV server over DIR for trying cloudsync out. It listens on loopback unless
// told otherwise, and the password is read from standard input, never from argv.
func serveWebDAVCmd(e *env) *cobra.Command {
	c := &command{name: "serve-webdav", args: "DIR [--addr 127.0.0.1:8080] [--user U --password-stdin]", minPos: 1, maxPos: 1,
		summary: "A local WebDAV server, for trying cloudsync out."}
	var o serveOpts
	cmd := e.leaf(c, func(_ context.Context, pos []string) int { return e.serveWebDAV(c, o, pos[0]) })
	f := cmd.Flags()
	f.StringVar(&o.addr, "addr", "127.0.0.1:8080", "`ADDRESS` to listen on (loopback by default)")
	f.StringVar(&o.user, "user", "", "require Basic auth with this user name `U`")
	f.BoolVar(&o.pwStdin, "password-stdin", false, "read the password for --user from standard input")
	return cmd
}

type serveOpts struct {
	addr, user string
	pwStdin    bool
}

func (e *env) serveWebDAV(c *command, o serveOpts, dir string) int {
	if (o.user == "") != !o.pwStdin {
		return e.usageError(c, "--user and --password-stdin go together")
	}
	st, err := os.Stat(dir)
	if err != nil || !st.IsDir() {
		return e.fail(c, fmt.Errorf("%s is not a folder", dir))
	}
	var password string
	if o.pwStdin {
		if password, err = readPassword(e.stdin); err != nil {
			return e.fail(c, err)
		}
	}
	ln, err := net.Listen("tcp", o.addr)
	if err != nil {
		return e.fail(c, err)
	}
	if host, _, _ := net.SplitHostPort(ln.Addr().String()); !net.ParseIP(host).IsLoopback() {
		fmt.Fprintf(e.stderr, "cloudsync serve-webdav: warning: listening on %s, reachable from other machines\n", host)
	}
	if err := localcloud.DeadPropsSupported(dir); err != nil {
		fmt.Fprintf(e.stderr, "cloudsync serve-webdav: warning: %v\n", err)
	}
	h := WebDAVHandler(dir, o.user, password)
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	fmt.Fprintf(e.stdout, "serving %s at http://%s/\n", dir, ln.Addr())
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	go func() {
		<-ctx.Done()
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		srv.Shutdown(sctx)
	}()
	if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return e.fail(c, err)
	}
	return exitOK
}

// WebDAVHandler serves dir over WebDAV with Basic auth when user is not empty; the
// handler is shared with the desktop app's local cloud (package ui/localcloud).
func WebDAVHandler(dir, user, password string) http.Handler {
	return localcloud.Handler(dir, user, password)
}

// readPassword reads one line from r (a pipe or a terminal) without its line ending.
func readPassword(r io.Reader) (string, error) {
	line, err := bufio.NewReader(r).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", fmt.Errorf("reading the password from standard input: %w", err)
	}
	line = strings.TrimRight(line, "\r\n")
	if line == "" {
		return "", errors.New("no password on standard input")
	}
	return line, nil
}
