package sim

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/cloudsync/cloudsync/syncer/exec"
	"github.com/cloudsync/cloudsync/syncer/model"
	"github.com/cloudsync/cloudsync/syncer/remote"
)

// The status oracle (status_test.go) in the network layer: the real folder, the served
// folder, and what the engine was told of them.

// seeingRemote tells the status oracle when the engine lists the cloud (every change made
// before a listing that succeeded is seen) and moves an item (an unseen change moves with it).
type seeingRemote struct {
	remote.Remote
	u *unseen
}

func (r seeingRemote) Unwrap() remote.Remote { return r.Remote }

func (r seeingRemote) List(ctx context.Context, root string, prev []remote.Entry) ([]remote.Entry, error) {
	failed := r.u.listing()
	out, err := r.Remote.List(ctx, root, prev)
	if err != nil {
		failed()
	}
	return out, err
}

func (r seeingRemote) Move(ctx context.Context, e remote.Entry, newPath string) (remote.Entry, error) {
	en, err := r.Remote.Move(ctx, e, newPath)
	if err == nil {
		r.u.moved(false, rel(e.Path), rel(newPath))
	}
	return en, err
}

// checkTruthfulStatus is the status oracle (status_test.go) on the real folder and server.
func (w *netWorld) checkTruthfulStatus() {
	w.t.Helper()
	items, err := listItems(w.eng)
	if err != nil {
		w.fail("listing items: %v", err)
	}
	l, c := w.localTree(), w.cloudTree()
	apart, folded := apartOf(w.store, idsByPath(exec.NewOSFS(w.root)))
	stored := w.storedItems()
	skip := func(rel string) string {
		if why := w.unseen.covers(rel); why != "" {
			return why
		}
		if it, ok := stored[rel]; ok && w.etagHides(rel, it) {
			return "the server's ETag hides the change"
		}
		return ""
	}
	if lies := statusLies(w.root, items, l, c, apart, folded, skip); len(lies) > 0 {
		w.fail("status lies: %s\nlocal: %v\ncloud: %v\nunseen: %v\nfailed: %v",
			strings.Join(lies, "; "), show(l), show(c), w.unseen, w.failures())
	}
}

// etagHides reports whether the server hides a change of cloud file rel from every client:
// x/net/webdav's ETag is the file's mtime and size, so a file replaced by another of its
// size with the same mtime (two uploads in one tick of the file system's clock, one renamed
// over the other) keeps the version the engine recorded for rel while its content is not
// the base's. No listing tells that change; hashing every file on every pass would.
func (w *netWorld) etagHides(rel string, it model.Item) bool {
	fi, err := os.Stat(filepath.Join(w.cloud, filepath.FromSlash(rel)))
	if err != nil || fi.IsDir() || it.IsDir {
		return false
	}
	etag := fmt.Sprintf(`"%x%x"`, fi.ModTime().UnixNano(), fi.Size())
	b, err := os.ReadFile(filepath.Join(w.cloud, filepath.FromSlash(rel)))
	return err == nil && etag == it.Remote.Version && it.Hash != "" && hashOf(string(b)) != it.Hash
}

// storedItems returns the set's stored items by path.
func (w *netWorld) storedItems() map[string]model.Item {
	out := map[string]model.Item{}
	_ = w.store.ListItems(w.setState().ID, func(it model.Item) bool {
		out[it.Path] = it
		return true
	})
	return out
}
