package exec

import (
	"context"
	"errors"
	"io"
	"path"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cloudsync/cloudsync/syncer/plan"
	"github.com/cloudsync/cloudsync/syncer/remote"
)

// deferringRemote is a fakeRemote whose Upload leaves the look at the stored file to the
// caller when asked (remote.DeferLookup), as the WebDAV client does where a PUT's answer
// has no ETag; stranger, when set for a path, is what another client writes there right
// after this upload (before the folder is listed).
type deferringRemote struct {
	*fakeRemote
	mu       sync.Mutex
	stranger map[string]string
	lists    []string
}

func (d *deferringRemote) Upload(ctx context.Context, p string, replace *remote.Entry, r io.Reader, size int64) (remote.Entry, error) {
	e, err := d.fakeRemote.Upload(ctx, p, replace, r, size)
	pd := remote.PendingOf(ctx)
	if err != nil || pd == nil || replace != nil {
		return e, err
	}
	if s, ok := d.stranger[p]; ok {
		d.put(p, s)
	}
	pd.Deferred, pd.Until = true, time.Now()
	return remote.Entry{Path: p, ID: p, IDIsPath: true, Size: size}, nil
}

func (d *deferringRemote) ReadDir(ctx context.Context, p string) ([]remote.Entry, error) {
	d.mu.Lock()
	d.lists = append(d.lists, p)
	d.mu.Unlock()
	if err := d.enter(ctx, "readdir", p); err != nil {
		return nil, err
	}
	d.exit()
	d.fakeRemote.mu.Lock()
	defer d.fakeRemote.mu.Unlock()
	var out []remote.Entry
	for k, it := range d.items {
		if path.Dir(k) == p {
			out = append(out, d.entryOf(k, it))
		}
	}
	return out, nil
}

// TestUploadsIntoAFreshFolderTakeTheirEntriesFromOneListing: new files uploaded into a
// folder the run made, whose remote deferred the look at each stored file, get their
// entries from one listing of the folder (no Stat each); a file another client replaced
// with other content (another size) before the listing is looked at alone and fails,
// rather than have the stranger's content recorded as this upload's.
func TestUploadsIntoAFreshFolderTakeTheirEntriesFromOneListing(t *testing.T) {
	h := newHarness(t)
	dr := &deferringRemote{fakeRemote: h.rem, stranger: map[string]string{testRoot + "/d/b.txt": "another client's longer text"}}
	h.env.Remote = dr
	h.fs.MkdirAll("d")
	acts := []plan.Action{{ID: 1, Op: plan.MkdirRemote, Path: "d", To: "d", IsDir: true}}
	for i, n := range []string{"a", "b", "c", "e"} {
		p := "d/" + n + ".txt"
		acts = append(acts, plan.Action{ID: i + 2, Op: plan.Upload, Path: p, To: p, Local: h.local(p, n), After: []int{1}})
	}
	res := h.run(context.Background(), acts...)
	var stats []string
	for _, c := range h.rem.calls {
		if strings.HasPrefix(c, "stat ") {
			stats = append(stats, c)
		}
	}
	sort.Strings(stats)
	if len(dr.lists) != 1 || dr.lists[0] != testRoot+"/d" {
		t.Fatalf("folder listings %v, want one of %s/d", dr.lists, testRoot)
	}
	if len(stats) != 1 || stats[0] != "stat "+testRoot+"/d/b.txt" {
		t.Fatalf("per-file looks %v, want only the replaced d/b.txt", stats)
	}
	for id, r := range res {
		if id == 1 {
			mustOK(t, r)
			continue
		}
		if r.Action.Path == "d/b.txt" {
			if !errors.Is(r.Err, remote.ErrChanged) || r.Remote != nil && r.Remote.Version != "" {
				t.Fatalf("d/b.txt, replaced by a stranger: err %v, remote %+v; want ErrChanged and nothing recorded", r.Err, r.Remote)
			}
			continue
		}
		mustOK(t, r)
		want, _ := h.rem.Stat(context.Background(), remote.Join(testRoot, r.Action.To))
		if r.Remote == nil || r.Remote.Version != want.Version || r.Remote.ID != want.ID || r.Remote.Size != want.Size {
			t.Fatalf("%s: recorded %+v, stored %+v", r.Action.Path, r.Remote, want)
		}
	}
}

// TestAFoldersHeldUploadsAreResolvedWhenItsLastUploadRan: the listing of a folder comes
// right after its last upload, before the uploads into the next folder (results reach the
// store folder by folder, not all at the end of the run).
func TestAFoldersHeldUploadsAreResolvedWhenItsLastUploadRan(t *testing.T) {
	h := newHarness(t)
	h.env.Parallel = 1
	h.env.Remote = &deferringRemote{fakeRemote: h.rem}
	acts := []plan.Action{{ID: 1, Op: plan.MkdirRemote, Path: "d1", To: "d1", IsDir: true},
		{ID: 2, Op: plan.MkdirRemote, Path: "d2", To: "d2", IsDir: true}}
	for i, p := range []string{"d1/a", "d1/b", "d2/a", "d2/b"} {
		h.fs.MkdirAll(path.Dir(p))
		acts = append(acts, plan.Action{ID: i + 3, Op: plan.Upload, Path: p, To: p, Local: h.local(p, p), After: []int{1 + i/2}})
	}
	for _, r := range h.run(context.Background(), acts...) {
		mustOK(t, r)
	}
	var got []string
	for _, c := range h.rem.calls {
		if strings.HasPrefix(c, "upload ") || strings.HasPrefix(c, "readdir ") {
			got = append(got, strings.ReplaceAll(c, testRoot+"/", ""))
		}
	}
	want := []string{"upload d1/a", "upload d1/b", "readdir d1", "upload d2/a", "upload d2/b", "readdir d2"}
	if strings.Join(got, ", ") != strings.Join(want, ", ") {
		t.Fatalf("calls %v, want %v", got, want)
	}
}
