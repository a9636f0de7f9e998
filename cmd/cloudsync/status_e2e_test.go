package main

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/cloudsync/cloudsync/syncer"
	"github.com/cloudsync/cloudsync/syncer/model"
)

// A local edit made while the server is down is pending at once and counted until it is
// in the cloud (SPEC §3): with the built binary, its real watcher and a stopped
// serve-webdav, it used to show `synced` and Pending: 0 for minutes (issue 9 point 9).
func TestLocalEditIsPendingWhileTheServerIsDown(t *testing.T) {
	ctl, root, _, server := syncedFolder(t, func(root string) { writeFile(t, filepath.Join(root, "a.txt"), "v1") })
	mustRun(t, ctl, t.Context(), "", []string{"wait", "--timeout", "30s"})

	if err := server.stop(); err != nil {
		t.Logf("serve-webdav stopped: %v", err)
	}
	server.failed = true
	writeFile(t, filepath.Join(root, "a.txt"), "v2 written while the server is down")
	var st syncer.Status
	var info syncer.ItemInfo
	for deadline := time.Now().Add(15 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		if err := ctl.runJSON(t.Context(), &st, "status", "--json"); err != nil {
			t.Fatal(err)
		}
		if err := ctl.runJSON(t.Context(), &info, "info", filepath.Join(root, "a.txt"), "--json"); err != nil {
			t.Fatal(err)
		}
		if st.Pending == 1 && info.Status == model.StatusPending {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("15 s after the edit: pending %d, a.txt %s; want 1, pending", st.Pending, info.Status)
		}
	}
	// It stays pending while passes cannot reach the cloud.
	if _, err := ctl.run(t.Context(), "", "wait", "--timeout", "20s"); err == nil {
		t.Fatal("wait exited 0 while a change could not reach the cloud")
	}
	if err := ctl.runJSON(t.Context(), &st, "status", "--json"); err != nil || st.Pending != 1 || st.State != syncer.StateOffline {
		t.Fatalf("after an offline pass: %+v %v; want offline with 1 pending", st, err)
	}
}
