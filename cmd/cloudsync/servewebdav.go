package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/cloudsync/cloudsync/ui/localcloud"
)

// serveWebDAV is `cloudsync serve-webdav DIR [--addr 127.0.0.1:8080] [--user U --password-stdin]`:
// a local WebDAV server over DIR for trying cloudsync out. It listens on loopback unless
// told otherwise, and the password is read from standard input, never from argv.
func serveWebDAV(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fl := flag.NewFlagSet("serve-webdav", flag.ContinueOnError)
	fl.SetOutput(stderr)
	addr := fl.String("addr", "127.0.0.1:8080", "address to listen on (loopback by default)")
	user := fl.String("user", "", "require Basic auth with this user name")
	pwStdin := fl.Bool("password-stdin", false, "read the password for --user from standard input")
	fl.Usage = func() {
		fmt.Fprintln(stderr, "usage: cloudsync serve-webdav DIR [--addr 127.0.0.1:8080] [--user U --password-stdin]")
		fl.PrintDefaults()
	}
	dir, rest := splitPositional(args)
	if err := fl.Parse(rest); err != nil {
		return 2
	}
	if dir == "" && fl.NArg() == 1 {
		dir = fl.Arg(0)
	} else if fl.NArg() > 0 || dir == "" {
		fl.Usage()
		return 2
	}
	if (*user == "") != !*pwStdin {
		fmt.Fprintln(stderr, "cloudsync serve-webdav: --user and --password-stdin go together")
		return 2
	}
	st, err := os.Stat(dir)
	if err != nil || !st.IsDir() {
		fmt.Fprintf(stderr, "cloudsync serve-webdav: %s is not a folder\n", dir)
		return 1
	}
	var password string
	if *pwStdin {
		password, err = readPassword(stdin)
		if err != nil {
			fmt.Fprintln(stderr, "cloudsync serve-webdav:", err)
			return 1
		}
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		fmt.Fprintln(stderr, "cloudsync serve-webdav:", err)
		return 1
	}
	if host, _, _ := net.SplitHostPort(ln.Addr().String()); !net.ParseIP(host).IsLoopback() {
		fmt.Fprintf(stderr, "cloudsync serve-webdav: warning: listening on %s, reachable from other machines\n", host)
	}
	h := WebDAVHandler(dir, *user, password)
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	fmt.Fprintf(stdout, "serving %s at http://%s/\n", dir, ln.Addr())
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	go func() {
		<-ctx.Done()
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		srv.Shutdown(sctx)
	}()
	if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
		fmt.Fprintln(stderr, "cloudsync serve-webdav:", err)
		return 1
	}
	return 0
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

// splitPositional takes a leading positional argument off args, so that flags may follow
// it (`serve-webdav DIR --addr X`), which the flag package alone does not allow.
func splitPositional(args []string) (string, []string) {
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		return args[0], args[1:]
	}
	return "", args
}
