//go:build linux

package main

import (
	"testing"

	"golang.org/x/sys/unix"

	"github.com/cloudsync/cloudsync/syncer/remote"
)

// TestMetadataEditedOnBothSidesBeforeAPollKeepsTheClouds: on Apache and lighttpd the
// daemon's polls read an unchanged item's metadata only every few polls (webdav
// walkmeta.go), so a title another client set may not be listed yet when the person edits
// the same title locally. The local edit must not overwrite it: the write reads the
// cloud's metadata first, sees the other edit, and the next pass merges the two sides with
// the cloud winning the clash (SPEC §3), while a field changed locally only still reaches
// the cloud.
func TestMetadataEditedOnBothSidesBeforeAPollKeepsTheClouds(t *testing.T) {
	onRotatingClouds(t, func(t *testing.T, bin string, newCloud func(*testing.T) *metaCloud) {
		cloud, ctl, a := syncOneFile(t, bin, newCloud, "content")
		mustRun(t, ctl, t.Context(), "", []string{"wait", "--timeout", "60s"})

		theirs := remote.Meta{Title: "the cloud's title"}
		cloud.setMeta(t, "a.txt", theirs)
		// The local edit comes to the daemon by its watcher; the title clashes, the
		// author is the local side's alone.
		for _, kv := range [][2]string{{xattrNames[2], "Ann"}, {xattrNames[0], "my title"}} {
			if err := unix.Lsetxattr(a, kv[0], []byte(kv[1]), 0); err != nil {
				t.Fatal(err)
			}
		}
		want := remote.Meta{Title: theirs.Title, Author: "Ann"}
		eventually(t, "the two edits are not merged on both sides with the cloud's title", func() bool {
			_, m := cloud.meta(t, "a.txt")
			if m.Title != theirs.Title {
				t.Fatalf("the local title overwrote the cloud's: the cloud has %+v", m)
			}
			if m != want || localMeta(t, a) != want {
				mustRun(t, ctl, t.Context(), "", []string{"wait", "--timeout", "60s"})
				return false
			}
			return true
		})
	})
}
