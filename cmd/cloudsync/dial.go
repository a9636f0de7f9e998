package main

import (
	"context"
	"time"

	"github.com/cloudsync/cloudsync/syncer"
	"github.com/cloudsync/cloudsync/syncer/exec"
	"github.com/cloudsync/cloudsync/watcher"
)

// watchDebounce is the quiet period after a burst of local changes before a pass. A burst
// that goes on is still cut every 2 s (watcher's maxDelay); a save (temporary file, then
// rename) is over in well under this. 100 ms of the half second a new file may take to
// reach the cloud (issue 11).
const watchDebounce = 100 * time.Millisecond

// localFS is the engine's LocalFS seam: the real file system under root.
func localFS(root string) exec.LocalFS { return exec.NewOSFS(root) }

// watchLocal is the engine's Watch seam over package watcher.
func watchLocal(ctx context.Context, root string, recursive bool, rescan time.Duration) (<-chan syncer.WatchEvent, error) {
	in, err := watcher.Watch(ctx, root, recursive, rescan, watchDebounce)
	if err != nil {
		return nil, err
	}
	out := make(chan syncer.WatchEvent)
	go func() {
		defer close(out)
		for ev := range in {
			select {
			case out <- syncer.WatchEvent{Paths: ev.Paths, Rescan: ev.Rescan}:
			case <-ctx.Done():
				return // the watcher stops on ctx too and never blocks on its channel
			}
		}
	}()
	return out, nil
}
