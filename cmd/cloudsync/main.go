// Command cloudsync is the cloudsync desktop sync client: the tray app, the engine daemon
// and the command line of SPEC §5. main.go holds flags and wiring only; each command group
// lives in its own file.
package main

import (
	"fmt"
	"os"
)

func main() {
	os.Exit(run(os.Args[1:]))
}

func run(args []string) int {
	if len(args) == 0 {
		fmt.Fprintln(os.Stderr, "cloudsync: the engine is not built yet")
		return 1
	}
	fmt.Fprintf(os.Stderr, "cloudsync: unknown command %q\n", args[0])
	return 2
}
