package main

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// normalizeArgs rewrites a command line so that cobra parses it the way cloudsync's
// command line has always been read: flags before, between or after the positional
// arguments ("--" ends the flags), long flags with one dash as well as two (`-to X`, the
// Go flag package's form), and an Alfresco cloud folder such as "-default-/site/x" taken
// as an argument, not as a cluster of short flags. It finds the command the leading words
// name, then sorts what follows into flags (with their values) and positional arguments,
// and returns the command words, the flags, and the positional arguments (after a "--"
// when one of them starts with a dash); a value flag that ends the line without its value
// ends the result too, so that cobra reports it. Shell-completion requests and `help` pass as they
// are.
func normalizeArgs(root *cobra.Command, args []string) []string {
	cmd, i := root, 0
	for ; i < len(args); i++ {
		if cmd == root && (args[i] == "help" || strings.HasPrefix(args[i], cobra.ShellCompRequestCmd)) {
			return args
		}
		sub := subcommand(cmd, args[i])
		if sub == nil {
			break
		}
		cmd = sub
	}
	cmd.InitDefaultHelpFlag()
	cmd.InitDefaultVersionFlag()
	fs := cmd.Flags()
	out := append([]string{}, args[:i]...)
	var pos []string
	dashed := false
	rest := args[i:]
	for j := 0; j < len(rest); j++ {
		a := rest[j]
		switch {
		case a == "--":
			pos = append(pos, rest[j+1:]...)
			dashed = dashed || len(rest[j+1:]) > 0
			j = len(rest)
			continue
		case a == "-" || !strings.HasPrefix(a, "-") || alfrescoNetworkArg.MatchString(a):
			pos = append(pos, a)
			dashed = dashed || strings.HasPrefix(a, "-")
			continue
		}
		name, _, hasValue := strings.Cut(strings.TrimLeft(a, "-"), "=")
		var f *pflag.Flag
		if strings.HasPrefix(a, "--") || len(name) > 1 {
			f = fs.Lookup(name)
			if !strings.HasPrefix(a, "--") {
				a = "-" + a // -to X → --to X
			}
		} else {
			f = fs.ShorthandLookup(name)
		}
		out = append(out, a)
		if f != nil && !hasValue && f.NoOptDefVal == "" {
			if j+1 == len(rest) {
				return out // a flag without its value, last: cobra says so
			}
			out = append(out, rest[j+1])
			j++
		}
	}
	if dashed {
		out = append(out, "--")
	}
	return append(out, pos...)
}

// subcommand is cmd's subcommand called name, or nil.
func subcommand(cmd *cobra.Command, name string) *cobra.Command {
	for _, c := range cmd.Commands() {
		if c.Name() == name || c.HasAlias(name) {
			return c
		}
	}
	return nil
}

// alfrescoNetworkArg matches a cloud folder that begins with an Alfresco network id of the
// "-default-" / "-my-" form; no flag ends with a dash.
var alfrescoNetworkArg = regexp.MustCompile(`^-[A-Za-z0-9_.]+-(/.*)?$`)

// flagError turns a flag parse error into a usage error that reads like the rest of the
// command line's messages: "unknown flag --bogus", "invalid boolean value "maybe" for
// --lock", "flag needs an argument: --type".
func flagError(_ *cobra.Command, err error) error {
	if e, ok := errorsAs[*pflag.NotExistError](err); ok {
		if n := e.GetSpecifiedName(); n != "" {
			return usageErrorf("unknown flag --%s", n)
		}
		return usageErrorf("unknown flag -%s", e.GetSpecifiedShortnames())
	}
	if e, ok := errorsAs[*pflag.InvalidValueError](err); ok {
		f := e.GetFlag()
		if f.Value.Type() == "bool" {
			return usageErrorf("invalid boolean value %q for --%s (true or false)", e.GetValue(), f.Name)
		}
		what := ""
		switch f.Value.Type() {
		case "duration":
			what = " (a duration such as 30s, 5m or 1h)"
		case "rate":
			what = " (a bandwidth such as 500K or 2M, or off)"
		}
		return usageErrorf("invalid value %q for --%s%s", e.GetValue(), f.Name, what)
	}
	return usageErrorf("%s", err)
}

// rootArgs rejects arguments to a bare `cloudsync`, which starts the app: any word there
// is a command that does not exist.
func rootArgs(cmd *cobra.Command, args []string) error {
	if len(args) == 0 {
		return nil
	}
	msg := fmt.Sprintf("unknown command %q", args[0])
	if s := cmd.SuggestionsFor(args[0]); len(s) > 0 {
		msg += fmt.Sprintf(" (did you mean %q?)", s[0])
	}
	return &usageError{msg: msg}
}
