// Command alfresco-test-server runs the alfrescotest repository as a process, for trying
// cloudsync's Alfresco accounts by hand and for end-to-end tests of the built binary:
//
//	go run ./syncer/remote/alfresco/alfrescotest/cmd/alfresco-test-server \
//	    -addr 127.0.0.1:8090 -user alice -password-stdin -site docs <<< 'secret'
//
// It serves one user, member (SiteManager) of the given sites in the default network, on
// a loopback address by default, and prints "listening on URL" once it accepts requests.
// Requests and responses are validated against the official API definitions (found as
// alfrescotest.FindDefinitions does, or in -definitions); violations are logged to
// standard error, prefixed "CONTRACT VIOLATION". -realistic makes it behave as a default Alfresco
// 26.2 repository where the API definition is silent (alfrescotest.Realistic). It stops on
// SIGINT or SIGTERM.
//
// It may import syncer/remote/alfresco/alfrescotest of this module.
package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/cloudsync/cloudsync/syncer/remote/alfresco/alfrescotest"
)

func main() {
	if err := run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "alfresco-test-server:", err)
		os.Exit(1)
	}
}

func run(args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("alfresco-test-server", flag.ContinueOnError)
	fs.SetOutput(stderr)
	addr := fs.String("addr", "127.0.0.1:8090", "listen address (port 0: any free port)")
	user := fs.String("user", "admin", "the user's id")
	pwStdin := fs.Bool("password-stdin", false, "read the user's password from the first line of standard input (default: the user id)")
	sites := fs.String("site", "docs", "comma-separated site ids the user manages")
	defs := fs.String("definitions", "", "folder of alfresco-core.yaml and alfresco-auth.yaml (default: ../shared/alfresco next to the repository)")
	quota := fs.Int64("quota", 0, "storage quota in bytes (507 beyond it); 0: none")
	realistic := fs.Bool("realistic", false, "behave as a default Alfresco 26.2 repository where the API definition is silent "+
		"(late, 1 s-merged folder timestamps; moves touch the node; owner-aware site roles; trimmed relativePath; check-in on PUT to a checked-out file)")
	era7 := fs.Bool("checkout-409", false, "with -realistic: answer a PUT to a checked-out file with 409, as Alfresco 7.x and 23.x do")
	if err := fs.Parse(args); err != nil {
		return err
	}
	password := *user
	if *pwStdin {
		line, err := bufio.NewReader(stdin).ReadString('\n')
		if err != nil && !errors.Is(err, io.EOF) {
			return err
		}
		if password = strings.TrimRight(line, "\r\n"); password == "" {
			return errors.New("empty password on standard input")
		}
	}
	logger := log.New(stderr, "", log.LstdFlags)
	opts := alfrescotest.Options{}
	if *realistic {
		opts = alfrescotest.Realistic()
		opts.CheckinOnPut = !*era7
	}
	opts.Quota, opts.Violation = *quota, func(msg string) { logger.Print("CONTRACT VIOLATION: ", msg) }
	dir := *defs
	if dir == "" {
		d, err := alfrescotest.FindDefinitions()
		if err != nil {
			logger.Printf("contract validation skipped: %v", err)
		}
		dir = d
	}
	if dir != "" {
		c, err := alfrescotest.LoadContract(dir)
		if err != nil {
			return fmt.Errorf("loading the API definitions: %w", err)
		}
		opts.Contract = c
	}
	srv := alfrescotest.New(opts)
	srv.AddUser(*user, password)
	for _, s := range strings.Split(*sites, ",") {
		if s = strings.TrimSpace(s); s != "" {
			srv.AddSite(alfrescotest.DefaultNetwork, s, s, map[string]string{*user: "SiteManager"})
		}
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	hs := &http.Server{Handler: srv, ReadHeaderTimeout: 10 * time.Second}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	done := make(chan error, 1)
	go func() { done <- hs.Serve(ln) }()
	fmt.Fprintf(stdout, "listening on http://%s\n", ln.Addr())
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	return hs.Shutdown(sctx)
}
