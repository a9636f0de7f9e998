package main

import (
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// TestACloudEditDuringAnUploadEndToEnd: the built daemon, a real local folder and Apache
// or lighttpd, whose PUT honours If-Match. Another client writes a file in the cloud after
// the daemon looked at it and just before its PUT of a local edit arrives; the server
// refuses the PUT (412). That is a race, not a failure (syncer/race.go): no "Could not
// sync", and about a second later, with no poll due for an hour and no command run, the
// daemon looks again and settles the conflict: the other client's version in the folder
// and in the cloud, the local edit kept beside it as a local-only conflict copy.
func TestACloudEditDuringAnUploadEndToEnd(t *testing.T) {
	onRotatingClouds(t, func(t *testing.T, bin string, newCloud func(*testing.T) *metaCloud) { // (the two whose PUT honours If-Match)
		base := t.TempDir()
		root := filepath.Join(base, "Docs")
		n := filepath.Join(root, "n.txt")
		writeFile(t, n, "base")
		cloud := newCloud(t)
		ctl := cloud.syncWithDaemon(t, bin, base, root)
		var puts, refused atomic.Int32
		hook := func(r *http.Request) {
			if r.Method != http.MethodPut || !strings.HasSuffix(r.URL.Path, "/Docs/n.txt") || puts.Add(1) != 1 {
				return
			}
			e, err := cloud.other.Stat(t.Context(), "Docs/n.txt")
			if err == nil {
				_, err = cloud.other.Upload(t.Context(), "Docs/n.txt", &e, strings.NewReader("theirs"), 6)
			}
			if err != nil {
				t.Errorf("the other client's edit: %v", err)
			}
			if r.Header.Get("If-Match") != "" {
				refused.Add(1)
			}
		}
		cloud.before.Store(&hook)
		writeFile(t, n, "mine") // the daemon's watcher sees it
		copyOf := func() string {
			ents, _ := os.ReadDir(root)
			for _, e := range ents {
				if b, _ := os.ReadFile(filepath.Join(root, e.Name())); strings.HasPrefix(e.Name(), "n (conflict copy ") && string(b) == "mine" {
					return e.Name()
				}
			}
			return ""
		}
		for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(50 * time.Millisecond) {
			if b, _ := os.ReadFile(n); string(b) == "theirs" && copyOf() != "" {
				break
			}
			if time.Now().After(deadline) {
				b, _ := os.ReadFile(n)
				info, _ := ctl.Info(t.Context(), n)
				t.Fatalf("30 s after the race: n.txt is %q (%d PUTs), no conflict copy of the local edit; info %+v; the daemon said:\n%s",
					b, puts.Load(), info, cloud.daemon.stderr.String())
			}
		}
		if puts.Load() != 1 || refused.Load() != 1 {
			t.Fatalf("%d PUTs of n.txt, %d with If-Match; want the one the server refused", puts.Load(), refused.Load())
		}
		e, err := cloud.other.Stat(t.Context(), "Docs/n.txt")
		if err != nil {
			t.Fatal(err)
		}
		rc, err := cloud.other.Open(t.Context(), e, 0)
		if err != nil {
			t.Fatal(err)
		}
		got, _ := io.ReadAll(rc)
		rc.Close()
		if string(got) != "theirs" {
			t.Fatalf("the cloud's n.txt is %q, want the other client's", got)
		}
		if log := cloud.daemon.stderr.String(); strings.Contains(log, "kind=failure") {
			t.Fatalf("the race was announced as a failure:\n%s", log)
		}
		mustRun(t, ctl, t.Context(), "", []string{"wait", "--timeout", "60s"})
		info, err := ctl.Info(t.Context(), n)
		if err != nil || info.Status != "synced" || len(info.Conflicts) != 1 {
			t.Fatalf("info n.txt: %+v, %v; want synced with one conflict copy", info, err)
		}
		if _, err := cloud.other.Stat(t.Context(), "Docs/"+copyOf()); err == nil {
			t.Fatal("the conflict copy was uploaded; it stays local-only")
		}
	})
}
