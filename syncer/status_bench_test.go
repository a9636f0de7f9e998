package syncer_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/cloudsync/cloudsync/credentials"
	"github.com/cloudsync/cloudsync/syncer"
	"github.com/cloudsync/cloudsync/syncer/exec"
	"github.com/cloudsync/cloudsync/syncer/model"
	"github.com/cloudsync/cloudsync/syncer/remote"
	"github.com/cloudsync/cloudsync/syncer/remote/memremote"
	"github.com/cloudsync/cloudsync/syncer/state/memstore"
)

// stalledList is a cloud whose listing waits until released: a pass stays in the middle of
// its work for as long as a test needs.
type stalledList struct {
	*memremote.Remote
	once    sync.Once
	entered chan struct{}
	release chan struct{}
}

func (s *stalledList) List(ctx context.Context, root string, prev []remote.Entry) ([]remote.Entry, error) {
	s.once.Do(func() { close(s.entered) })
	select {
	case <-s.release:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	return s.Remote.List(ctx, root, prev)
}

// BenchmarkStatusDuringPass100k measures `status` while a pass over a set of 100,000 items
// is in the middle of its work (stalled in the cloud listing, every item pending): one
// `status` took 10 s during a 100k-entry listing when it read every item of every set
// (issue 9). Status answers from the counters the engine keeps.
func BenchmarkStatusDuringPass100k(b *testing.B) {
	const n = 100_000
	store := memstore.New("installation-1")
	set := model.Set{ID: "0123456789ab", Kind: model.KindFolder, Account: "cloud", LocalRoot: testRoot, LocalRootID: "mem:root",
		RemoteRoot: "Docs", Options: model.DefaultOptions(), Installation: "installation-1", Trusted: true}
	if err := store.PutSet(set); err != nil {
		b.Fatal(err)
	}
	if err := store.PutAccount(model.Account{Name: "cloud", Type: "webdav", URL: "http://127.0.0.1:1/", User: "u"}); err != nil {
		b.Fatal(err)
	}
	batch := make([]model.Item, 0, 1000)
	for i := range n {
		p := fmt.Sprintf("d%03d/f%06d.txt", i/1000, i)
		batch = append(batch, model.Item{Key: fmt.Sprintf("%012d", i), Path: p, HasBase: true, Status: model.StatusSynced,
			Local: model.Side{ID: fmt.Sprintf("ino:%d", i), Version: "1"}, Remote: model.Side{ID: "Docs/" + p, Version: "e1"}})
		if len(batch) == cap(batch) {
			if err := store.PutItems(set.ID, batch, nil); err != nil {
				b.Fatal(err)
			}
			batch = batch[:0]
		}
	}
	secrets := credentials.NewMemory()
	if err := secrets.Set("cloud", "pw"); err != nil {
		b.Fatal(err)
	}
	rem := &stalledList{Remote: memremote.New(), entered: make(chan struct{}), release: make(chan struct{})}
	local := exec.NewMemFS()
	eng, err := syncer.New(syncer.Config{Store: store, Secrets: secrets,
		Dial:    func(model.Account, string) (remote.Remote, error) { return rem, nil },
		LocalFS: func(string) exec.LocalFS { return local }, PollInterval: time.Hour, RescanInterval: time.Hour})
	if err != nil {
		b.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- eng.Run(ctx) }()
	defer func() { cancel(); <-done }()
	select {
	case <-rem.entered:
	case <-time.After(time.Minute):
		b.Fatal("the pass did not reach the cloud listing")
	}
	var worst time.Duration
	b.ResetTimer()
	for b.Loop() {
		start := time.Now()
		st, err := eng.Status(ctx)
		if err != nil {
			b.Fatal(err)
		}
		worst = max(worst, time.Since(start))
		if st.Items != n {
			b.Fatalf("status counts %d items, want %d", st.Items, n)
		}
	}
	b.StopTimer()
	b.ReportMetric(float64(worst.Microseconds()), "worst-µs")
	fmt.Printf("BENCH %-45s per call %-10v worst %v\n", "status during a pass over 100,000 items",
		(b.Elapsed() / time.Duration(b.N)).Round(time.Microsecond), worst.Round(time.Microsecond))
	close(rem.release)
}
