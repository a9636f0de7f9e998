package syncer_test

import (
	"context"
	"fmt"
	"io"
	"sync"
	"testing"
	"time"

	"github.com/cloudsync/cloudsync/syncer"
	"github.com/cloudsync/cloudsync/syncer/model"
	"github.com/cloudsync/cloudsync/syncer/remote"
	"github.com/cloudsync/cloudsync/syncer/remote/memremote"
)

// overlapRemote is a memremote cloud that records how many uploads and folder creations
// ran at once.
type overlapRemote struct {
	*memremote.Remote
	mu        sync.Mutex
	now, most int
}

func (o *overlapRemote) Upload(ctx context.Context, p string, replace *remote.Entry, r io.Reader, size int64) (remote.Entry, error) {
	defer o.enter()()
	return o.Remote.Upload(ctx, p, replace, r, size)
}

func (o *overlapRemote) Mkdir(ctx context.Context, p string) (remote.Entry, error) {
	defer o.enter()()
	return o.Remote.Mkdir(ctx, p)
}

// enter counts a call in until the function it returns is called.
func (o *overlapRemote) enter() func() {
	o.mu.Lock()
	o.now++
	o.most = max(o.most, o.now)
	o.mu.Unlock()
	time.Sleep(2 * time.Millisecond) // long enough for a second worker to start beside it
	return func() {
		o.mu.Lock()
		o.now--
		o.mu.Unlock()
	}
}

// With Parallel 1 a pass runs one action at a time, in plan order: a run is reproducible
// (the simulation's seeds rely on it; a pass ran two actions at once and sim seed 381 took
// one of two courses, as the fault injected at the nth remote call hit another call).
func TestParallelOneRunsOneActionAtATime(t *testing.T) {
	rem := &overlapRemote{Remote: memremote.New()}
	r := newRig(t, func(c *syncer.Config) {
		c.Parallel = 1
		c.Dial = func(model.Account, string) (remote.Remote, error) { return rem, nil }
	})
	for i := range 6 {
		r.write(fmt.Sprintf("f%d.txt", i), "content")
		r.write(fmt.Sprintf("d%d/f.txt", i), "content")
	}
	r.syncFolder(model.Options{IncludeSubfolders: true})
	rem.mu.Lock()
	defer rem.mu.Unlock()
	if rem.most != 1 {
		t.Errorf("with Parallel 1, %d uploads or folder creations ran at once", rem.most)
	}
}
