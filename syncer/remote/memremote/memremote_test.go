package memremote

import (
	"testing"

	"github.com/cloudsync/cloudsync/syncer/remote"
	"github.com/cloudsync/cloudsync/syncer/remote/remotetest"
)

// The in-memory remote is held to the same conformance suite as the real backends, so the
// engine's in-memory tests exercise the contract the real servers keep.
func TestConformanceNodeIDs(t *testing.T) {
	remotetest.Run(t, func(t *testing.T) remote.Remote { return New() })
}

func TestConformancePathIDs(t *testing.T) {
	remotetest.Run(t, func(t *testing.T) remote.Remote { return New(PathIDs()) })
}

func TestTrashKeepsDeletedAndOverwrittenContent(t *testing.T) {
	r := New()
	r.Put("d/a.txt", []byte("v1"))
	r.Put("d/a.txt", []byte("v2"))
	r.Remove("d")
	var got []string
	for _, tr := range r.Trash() {
		got = append(got, tr.Path+"="+string(tr.Data))
	}
	if len(got) != 2 || got[0] != "d/a.txt=v1" || got[1] != "d/a.txt=v2" {
		t.Fatalf("trash: %v", got)
	}
}
