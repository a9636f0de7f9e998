package main

import (
	"slices"
	"strings"
	"testing"

	"github.com/cloudsync/cloudsync/syncer/remote/backends"
)

// TestAccountAddOffersExactlyTheRegisteredTypes: the CLI names no remote type itself — its
// usage line, --type help, shell completion and type check all come from the registry
// (issue 15: adding a remote type touches its package and one registration line).
func TestAccountAddOffersExactlyTheRegisteredTypes(t *testing.T) {
	noEngineHome(t)
	want := backends.Registry().Types()
	if len(want) < 2 {
		t.Fatalf("registry types %v: want webdav and alfresco at least", want)
	}
	code, out, errOut := runCLI(t, "", "account", "add", "--help")
	if code != exitOK {
		t.Fatalf("account add --help: exit %d, %s", code, errOut)
	}
	if !strings.Contains(out, "--type "+strings.Join(want, "|")+" ") {
		t.Errorf("usage does not list exactly %v:\n%s", want, out)
	}
	code, out, _ = runCLI(t, "", "__complete", "account", "add", "n", "--type", "")
	if code != exitOK {
		t.Fatalf("__complete: exit %d", code)
	}
	var got []string
	for _, l := range strings.Split(strings.TrimSpace(out), "\n") {
		if !strings.HasPrefix(l, ":") {
			got = append(got, l)
		}
	}
	if !slices.Equal(got, want) {
		t.Errorf("--type completes %v, want %v", got, want)
	}
	for _, typ := range append(want, "ftp", "WebDAV") {
		_, _, errOut := runCLI(t, "", "account", "add", "n", "--type", typ, "--url", "http://h", "--user", "u")
		refused := strings.Contains(errOut, "--type must be")
		if refused == slices.Contains(want, typ) {
			t.Errorf("--type %s: refused %v (%q); want refused only for an unregistered type", typ, refused, errOut)
		}
	}
}
