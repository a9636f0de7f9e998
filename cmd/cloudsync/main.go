// Command cloudsync is the cloudsync desktop sync client: the tray app, the engine daemon
// and the command line of SPEC §5. main.go holds flags and wiring only; each command group
// lives in its own file.
package main

import (
	"fmt"
	"io"
	"os"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

// run dispatches a command line and returns the exit status of SPEC §5: 0 success,
// 1 failure, 2 usage error.
func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprintln(stderr, "cloudsync: the desktop app and the engine are not built yet; "+
			"`cloudsync serve-webdav DIR` works (see the README)")
		return 1
	}
	switch args[0] {
	case "serve-webdav":
		return serveWebDAV(args[1:], stdin, stdout, stderr)
	case "-h", "--help", "help":
		fmt.Fprintln(stdout, "usage: cloudsync serve-webdav DIR [--addr 127.0.0.1:8080] [--user U --password-stdin]")
		return 0
	}
	fmt.Fprintf(stderr, "cloudsync: unknown command %q\n", args[0])
	return 2
}
