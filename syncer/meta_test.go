package syncer_test

import (
	"bytes"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"testing"

	"github.com/cloudsync/cloudsync/syncer"
	"github.com/cloudsync/cloudsync/syncer/model"
	"github.com/cloudsync/cloudsync/syncer/remote"
	"github.com/cloudsync/cloudsync/syncer/remote/memremote"
)

// Metadata through the engine (SPEC §3): the planner's rules are golden-tested in
// syncer/plan, the real file systems and servers in exec, the remotes and syncer/scenario;
// these check the engine's part: what it reads, records, shows and says.

// logBuf collects the engine's log lines.
type logBuf struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *logBuf) Write(p []byte) (int, error) { l.mu.Lock(); defer l.mu.Unlock(); return l.b.Write(p) }
func (l *logBuf) count(s string) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return strings.Count(l.b.String(), s)
}

func withLog(l *logBuf) func(*syncer.Config) {
	return func(c *syncer.Config) {
		c.Log = slog.New(slog.NewTextHandler(l, &slog.HandlerOptions{Level: slog.LevelInfo}))
	}
}

func (r *rig) requestSync() {
	r.t.Helper()
	if err := r.eng.RequestSync(r.ctx(), testRoot); err != nil {
		r.t.Fatal(err)
	}
	r.wait()
}

func TestMetadataSyncsBothWaysAndMovesNoContent(t *testing.T) {
	r := newRig(t, nil)
	r.write("a.txt", "content")
	r.syncFolder(model.DefaultOptions())
	uploads, opens := r.rem.Calls("upload"), r.rem.Calls("open")

	mine := remote.Meta{Title: "Report", Author: "Ann"}
	if err := r.local().WriteMeta("a.txt", mine); err != nil {
		t.Fatal(err)
	}
	r.event("a.txt")
	r.wait()
	if got := r.rem.GetMeta("Docs/a.txt"); got != mine {
		t.Fatalf("cloud metadata %+v, want %+v", got, mine)
	}
	theirs := remote.Meta{Title: "Report", Description: "from the web UI", Author: "Ann"}
	r.rem.PutMeta("Docs/a.txt", theirs)
	r.requestSync()
	if got, _ := r.local().ReadMeta("a.txt"); got != theirs {
		t.Fatalf("local metadata %+v, want %+v", got, theirs)
	}
	if r.rem.Calls("upload") != uploads || r.rem.Calls("open") != opens {
		t.Fatalf("metadata-only changes moved content: uploads %d→%d, downloads %d→%d",
			uploads, r.rem.Calls("upload"), opens, r.rem.Calls("open"))
	}
	info := r.info("a.txt")
	if info.Metadata == nil || *info.Metadata != theirs || info.Status != model.StatusSynced {
		t.Fatalf("info: status %s metadata %+v, want synced with %+v", info.Status, info.Metadata, theirs)
	}
	if calls := r.rem.Calls("setmeta"); calls != 1 {
		t.Fatalf("%d metadata requests to the cloud, want 1", calls)
	}
	r.requestSync() // idempotent: nothing more
	if calls := r.rem.Calls("setmeta"); calls != 1 || r.rem.Mutations() != uploads+r.rem.Calls("mkdir")+r.rem.Calls("move")+r.rem.Calls("delete") {
		t.Fatalf("a pass with nothing changed wrote to the cloud (%d metadata requests)", calls)
	}
}

// TestMetadataEditedOnBothSidesTheCloudWinsAndItIsLogged: no conflict copy for metadata.
func TestMetadataEditedOnBothSidesTheCloudWinsAndItIsLogged(t *testing.T) {
	var logs logBuf
	r := newRig(t, withLog(&logs))
	r.write("a.txt", "content")
	r.syncFolder(model.DefaultOptions())
	if err := r.eng.Pause(r.ctx(), testRoot); err != nil {
		t.Fatal(err)
	}
	if err := r.local().WriteMeta("a.txt", remote.Meta{Title: "mine"}); err != nil {
		t.Fatal(err)
	}
	r.rem.PutMeta("Docs/a.txt", remote.Meta{Title: "theirs"})
	if err := r.eng.Resume(r.ctx(), testRoot); err != nil {
		t.Fatal(err)
	}
	r.requestSync()
	if got, _ := r.local().ReadMeta("a.txt"); got.Title != "theirs" {
		t.Fatalf("local title %q, want the cloud's", got.Title)
	}
	if got := r.rem.GetMeta("Docs/a.txt"); got.Title != "theirs" {
		t.Fatalf("cloud title %q, want its own", got.Title)
	}
	if n := logs.count("metadata changed on both sides"); n != 1 {
		t.Fatalf("the clash was logged %d times, want once:\n%s", n, logs.b.String())
	}
	if len(r.info("a.txt").Conflicts) != 0 {
		t.Fatalf("a metadata clash made a conflict copy")
	}
}

// TestLocalMetadataEditIsPendingUntilInTheCloud: status is data (SPEC §3, truthful status):
// a metadata edit a scan found (no watcher event: setfattr on a network file system) is
// pending while the cloud cannot be reached, and synced once it has it.
func TestLocalMetadataEditIsPendingUntilInTheCloud(t *testing.T) {
	r := newRig(t, nil)
	r.write("a.txt", "content")
	r.write("b.txt", "other")
	r.syncFolder(model.DefaultOptions())
	r.offline(true)
	if err := r.local().WriteMeta("a.txt", remote.Meta{Title: "new"}); err != nil {
		t.Fatal(err)
	}
	r.wait()
	if a, b, st := r.info("a.txt"), r.info("b.txt"), r.status(); a.Status != model.StatusPending || b.Status != model.StatusSynced || st.Pending != 1 {
		t.Fatalf("after an offline scan: a.txt %s, b.txt %s, pending %d; want pending, synced, 1", a.Status, b.Status, st.Pending)
	}
	r.offline(false)
	r.wait()
	if a, st := r.info("a.txt"), r.status(); a.Status != model.StatusSynced || st.Pending != 0 || r.rem.GetMeta("Docs/a.txt").Title != "new" {
		t.Fatalf("a.txt %s, pending %d, cloud title %q: want synced, 0 and new", a.Status, st.Pending, r.rem.GetMeta("Docs/a.txt").Title)
	}
}

// TestFileSystemWithoutXattrsDegradesWithOneMessage: content syncs as before; one warning,
// and the set's Sync Info says why.
func TestFileSystemWithoutXattrsDegradesWithOneMessage(t *testing.T) {
	var logs logBuf
	r := newRig(t, withLog(&logs))
	r.local().SetMetaSupport(errors.New("the file system of /home/u/Docs keeps no user extended attributes (operation not supported)"))
	r.write("a.txt", "content")
	r.rem.Put("Docs/b.txt", []byte("cloud"))
	r.rem.PutMeta("Docs/b.txt", remote.Meta{Title: "cloud title"})
	r.syncFolder(model.DefaultOptions())
	r.write("a.txt", "edited")
	r.event("a.txt")
	r.wait()
	r.requestSync()
	if b, ok := r.rem.Get("Docs/a.txt"); !ok || string(b) != "edited" {
		t.Fatalf("cloud a.txt = %q, want the edit", b)
	}
	if b, err := r.local().ReadFile("b.txt"); err != nil || string(b) != "cloud" {
		t.Fatalf("local b.txt = %q, %v", b, err)
	}
	if n := logs.count("metadata not synced"); n != 1 || logs.count("level=WARN msg=\"metadata not synced\"") != 1 {
		t.Fatalf("%d messages about metadata, want one warning:\n%s", n, logs.b.String())
	}
	root, err := r.eng.Info(r.ctx(), testRoot)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(root.MetadataNote, "extended attributes") {
		t.Fatalf("the set's Sync Info says %q, want why metadata is not synced", root.MetadataNote)
	}
	if info := r.info("b.txt"); info.Metadata != nil || info.MetadataNote == "" {
		t.Fatalf("item info metadata %+v note %q", info.Metadata, info.MetadataNote)
	}
	if r.rem.GetMeta("Docs/b.txt").Title != "cloud title" {
		t.Fatalf("the cloud's metadata was touched")
	}
}

// TestCloudWithoutMetadataSaysSoQuietly: a server without dead properties is no fault of
// the person's: Sync Info says so, the log says it once at info level.
func TestCloudWithoutMetadataSaysSoQuietly(t *testing.T) {
	var logs logBuf
	bare := memremote.New(memremote.NoMeta())
	r := newRig(t, func(c *syncer.Config) {
		withLog(&logs)(c)
		c.Dial = func(model.Account, string) (remote.Remote, error) { return bare, nil }
	})
	r.write("a.txt", "content")
	if err := r.local().WriteMeta("a.txt", remote.Meta{Title: "T"}); err != nil {
		t.Fatal(err)
	}
	r.syncFolder(model.DefaultOptions())
	r.requestSync()
	if b, ok := bare.Get("Docs/a.txt"); !ok || string(b) != "content" {
		t.Fatalf("content not synced")
	}
	if info := r.info("a.txt"); !strings.Contains(info.MetadataNote, "keeps no metadata") || info.Metadata != nil {
		t.Fatalf("info note %q metadata %+v", info.MetadataNote, info.Metadata)
	}
	if logs.count("metadata not synced") != 1 || logs.count("WARN") != 0 {
		t.Fatalf("want one info line:\n%s", logs.b.String())
	}
}
