package syncer

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"runtime"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cloudsync/cloudsync/credentials"
	"github.com/cloudsync/cloudsync/syncer/exec"
	"github.com/cloudsync/cloudsync/syncer/internal/alone"
	"github.com/cloudsync/cloudsync/syncer/model"
	"github.com/cloudsync/cloudsync/syncer/remote"
	"github.com/cloudsync/cloudsync/syncer/remote/webdav"
	"github.com/cloudsync/cloudsync/syncer/remote/webdav/davtest"
	"github.com/cloudsync/cloudsync/syncer/state/memstore"
)

// listCounter counts the whole listings (List) a remote builds.
type listCounter struct {
	remote.Remote
	lists *atomic.Int32
}

func (l listCounter) List(ctx context.Context, root string, prev []remote.Entry) ([]remote.Entry, error) {
	l.lists.Add(1)
	return l.Remote.List(ctx, root, prev)
}

func (l listCounter) Unwrap() remote.Remote { return l.Remote }

// TestPrunedPollsKeepFolderTagsNotTheListing: on a server whose folder ETags follow their
// subtree (the ownCloud-like server), a folder set's first sync and polls stream the cloud
// (no List: a whole listing was 433 MB at the peak of a million files' first sync), a poll
// of an unchanged tree lists the root alone, and what is kept between passes for pruning
// (the engine's and the WebDAV client's) is a few bytes per entry, the folders' tags:
// before, the whole last listing was kept and replayed (about 290 bytes per entry, 288 MB
// at a million; issue 11) besides up to 25,000 decoded entries of the client's answer cache.
func TestPrunedPollsKeepFolderTagsNotTheListing(t *testing.T) {
	if !alone.InChild(t) { // (it measures the heap)
		return
	}
	const folders, per = 40, 50
	srv := davtest.ServeOC(t)
	fs := srv.FileSystem()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	if err := fs.Mkdir(ctx, "/Docs", 0o755); err != nil {
		t.Fatal(err)
	}
	for d := range folders {
		dir := fmt.Sprintf("/Docs/d%02d", d)
		if err := fs.Mkdir(ctx, dir, 0o755); err != nil {
			t.Fatal(err)
		}
		for f := range per {
			w, err := fs.OpenFile(ctx, fmt.Sprintf("%s/f%03d.txt", dir, f), os.O_CREATE|os.O_WRONLY, 0o644)
			if err != nil {
				t.Fatal(err)
			}
			fmt.Fprintf(w, "file %d %d", d, f)
			w.Close()
		}
	}
	var lists atomic.Int32
	local := exec.NewMemFS()
	eng, err := New(Config{
		Store: memstore.New("installation-1"), Secrets: credentials.NewMemory(),
		Dial: func(a model.Account, secret string) (remote.Remote, error) {
			c, err := webdav.New(webdav.Config{URL: a.URL, User: a.User, Password: secret, Capabilities: a.Capabilities})
			return listCounter{c, &lists}, err
		},
		LocalFS:      func(string) exec.LocalFS { return local },
		PollInterval: time.Hour, RescanInterval: time.Hour, Log: slog.New(slog.DiscardHandler),
	})
	if err != nil {
		t.Fatal(err)
	}
	stopEngine := runEngine(context.Background(), eng)
	defer stopEngine()
	if _, err := eng.AddAccount(ctx, AddAccountRequest{Name: "dav", Type: "webdav", URL: srv.URL,
		User: davtest.User, Password: davtest.Password}); err != nil {
		t.Fatal(err)
	}
	s, err := eng.CreateSet(ctx, CreateSetRequest{Paths: []string{"/home/u/Docs"}, Account: "dav", To: "Docs",
		Options: model.DefaultOptions()})
	if err != nil {
		t.Fatal(err)
	}
	for range 2 { // the first sync, then a walk that finds the tree as the base has it
		if err := eng.Wait(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if n := len(local.Tree()); n < folders*per {
		t.Fatalf("the first sync brought %d files, want %d", n, folders*per)
	}
	n0 := srv.Propfinds()
	if err := eng.Wait(ctx); err != nil {
		t.Fatal(err)
	}
	if n := srv.Propfinds() - n0; n > 2 {
		t.Errorf("a poll of an unchanged tree ran %d PROPFINDs, want the root's alone", n)
	}
	if n := lists.Load(); n != 0 {
		t.Errorf("the passes built %d whole listings (List); a pruning server's are walked", n)
	}
	r := eng.runner(s.ID)
	stopEngine() // (no pass runs while the heap is measured)
	before := heapInUse()
	eng.mu.Lock()
	ix, prev := r.ix, len(r.prevRemote)
	r.prevRemote = nil
	eng.mu.Unlock()
	ix.mu.Lock()
	tags := len(ix.tags.known)
	ix.dropTags()
	ix.mu.Unlock()
	mid := heapInUse()

	eng.forgetRemote("dav") // the client and its answer cache
	after := heapInUse()
	runtime.KeepAlive(eng) // (the engine, its store and index, and the local tree stay: only what was dropped is counted)
	runtime.KeepAlive(ix)
	runtime.KeepAlive(local)
	t.Logf("engine side %d, client %d", int64(before)-int64(mid), int64(mid)-int64(after))
	entries := folders * (per + 1)
	kept := float64(int64(before)-int64(after)) / float64(entries)
	t.Logf("kept between passes for pruning: %.1f bytes per entry (%d folder tags, %d listed entries)", kept, tags, prev)
	if kept > 16 {
		t.Errorf("%.0f bytes per entry were kept between passes for pruning (%d entries kept listed), want at most 16", kept, prev)
	}
	if tags != folders {
		t.Errorf("%d folder tags kept, want one per folder (%d)", tags, folders)
	}
}
