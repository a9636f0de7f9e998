package syncer_test

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cloudsync/cloudsync/syncer"
	"github.com/cloudsync/cloudsync/syncer/exec"
	"github.com/cloudsync/cloudsync/syncer/model"
	"github.com/cloudsync/cloudsync/syncer/plan"
	"github.com/cloudsync/cloudsync/syncer/remote"
	"github.com/cloudsync/cloudsync/syncer/remote/memremote"
)

// walkingRemote is a memremote that walks its folder (remote.Walker, as WebDAV does) and
// counts the walks begun.
type walkingRemote struct {
	*memremote.Remote
	walks atomic.Int32
}

func (w *walkingRemote) Walk(ctx context.Context, root string, fn func(remote.Entry) error) error {
	w.walks.Add(1)
	entries, err := w.List(ctx, root, nil)
	if err != nil {
		return err
	}
	for _, e := range entries {
		if err := fn(e); err != nil {
			return err
		}
	}
	return nil
}

// scanWatcher is a local folder whose scans wait (at most 3 s) for their pass's cloud walk
// to begin, and count those that saw it begin before they ended (overlap) and those that
// did not (alone: the walk follows the scan).
type scanWatcher struct {
	exec.LocalFS
	walk                  *walkingRemote
	scans, overlap, alone atomic.Int32
}

func (s *scanWatcher) Scan(ctx context.Context, opts exec.ScanOptions) ([]plan.Node, error) {
	k := s.scans.Add(1) // every pass here scans once and walks once: this is pass k
	deadline := time.Now().Add(3 * time.Second)
	for s.walk.walks.Load() < k && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	if s.walk.walks.Load() >= k {
		s.overlap.Add(1)
	} else {
		s.alone.Add(1)
	}
	return s.LocalFS.Scan(ctx, opts)
}

// TestFullLookListsTheCloudDuringTheLocalScan (issue 11): a pass that looks at the whole
// local tree and at the cloud (here the first one of a new set) walks the cloud while it
// scans the local tree, not after: at 10,000 files on Apache the scan takes about 0.1 s
// and the listing 0.2-0.3 s, and starting a daemon and waiting for it runs two such
// passes. The result is the same: everything syncs.
func TestFullLookListsTheCloudDuringTheLocalScan(t *testing.T) {
	walk := &walkingRemote{Remote: memremote.New()}
	var scans *scanWatcher
	r := newRigWith(t, walk.Remote, func(c *syncer.Config) {
		c.Dial = func(model.Account, string) (remote.Remote, error) { return walk, nil }
		local := c.LocalFS
		c.LocalFS = func(root string) exec.LocalFS {
			if root != testRoot {
				return local(root)
			}
			if scans == nil {
				scans = &scanWatcher{LocalFS: local(root), walk: walk}
			}
			return scans
		}
	})
	r.write("a.txt", "local a")
	walk.MkdirAll("Docs")
	walk.Put("Docs/b.txt", []byte("cloud b"))
	r.syncFolder(model.DefaultOptions())
	if got, _ := walk.Get("Docs/a.txt"); string(got) != "local a" {
		t.Fatalf("cloud a.txt: %q", got)
	}
	if got, err := r.local().ReadFile("b.txt"); err != nil || string(got) != "cloud b" {
		t.Fatalf("local b.txt: %q", got)
	}
	if scans == nil || scans.overlap.Load() == 0 || scans.alone.Load() != 0 {
		t.Fatalf("%d local scans of full looks saw the cloud walk begin during them, %d did not (it began after the scan)",
			scans.overlap.Load(), scans.alone.Load())
	}
}
