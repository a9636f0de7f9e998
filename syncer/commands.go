package syncer

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/cloudsync/cloudsync/syncer/model"
	"github.com/cloudsync/cloudsync/syncer/remote"
)

// Pause stops transfers for one set (by id or root) or, with set == "", for all. Changes
// keep being seen and are synced on Resume.
func (e *Engine) Pause(ctx context.Context, set string) error { return e.setPaused(set, true) }

// Resume undoes Pause. Resuming everything also retries accounts paused by a failed login.
func (e *Engine) Resume(ctx context.Context, set string) error { return e.setPaused(set, false) }

func (e *Engine) setPaused(set string, paused bool) error {
	if set == "" {
		v := "false"
		if paused {
			v = "true"
		}
		if err := e.cfg.Store.PutConfig("paused", v); err != nil {
			return err
		}
		e.mu.Lock()
		e.paused = paused
		e.mu.Unlock()
		e.limits.SetPaused(paused) // transfers in flight hold too
		if !paused {
			as, _ := e.cfg.Store.ListAccounts()
			for _, a := range as {
				if a.Paused {
					a.Paused = false
					_ = e.cfg.Store.PutAccount(a)
					e.forgetRemote(a.Name)
				}
			}
		}
		e.kickAll()
		e.changed()
		return nil
	}
	s, rel, err := e.findSet(set)
	if err != nil {
		return err
	}
	if rel != "" {
		return fmt.Errorf("%s is inside a sync set; pause the set (%s)", set, s.LocalRoot)
	}
	if _, err := e.updateSet(s.ID, func(cur *model.Set) bool { cur.Paused = paused; return true }); err != nil {
		return err
	}
	if r := e.runner(s.ID); r != nil {
		r.poke()
	}
	e.changed()
	return nil
}

// changed tells the UI to refresh.
func (e *Engine) changed() { e.emit(Event{Kind: "changed"}) }

// RequestSync syncs a set or item now, both ways, bypassing back-off. On a stopped set it
// confirms (a held mass delete, an empty cloud listing) or recreates a deleted cloud
// target; on an item whose cloud copy was deleted it uploads the item again.
func (e *Engine) RequestSync(ctx context.Context, p string) error {
	s, rel, err := e.findSet(p)
	if err != nil {
		return err
	}
	if s.Paused || e.isPaused() {
		return errors.New("sync is paused; resume it first")
	}
	if rel != "" {
		// Forget the base of a cloud-deleted item (and of what is below it) so that the
		// next pass uploads it as new, into its original cloud folder.
		var del []string
		var put []model.Item
		known := false
		_ = e.cfg.Store.ListItems(s.ID, func(it model.Item) bool {
			known = known || it.Path == rel
			if it.Path == rel || strings.HasPrefix(it.Path, rel+"/") {
				if it.HasBase && it.Remote.Gone {
					del = append(del, it.Key)
				} else if it.Status == model.StatusFailed {
					it.NextRetry, it.Attempts, it.Waits = e.cfg.Now(), 0, ""
					put = append(put, it)
				}
			}
			return true
		})
		if !known {
			// Nothing to sync for what the set leaves out: say why instead of a sync that
			// never comes.
			if st, why := e.classify(s, rel); st != "" {
				return fmt.Errorf("%s is %s, not synced: %s", p, st, why)
			}
		}
		if err := e.cfg.Store.PutItems(s.ID, put, del); err != nil {
			return err
		}
	}
	a, err := e.cfg.Store.GetAccount(s.Account)
	if err == nil && a.Paused {
		a.Paused = false
		_ = e.cfg.Store.PutAccount(a)
		e.forgetRemote(a.Name)
	}
	r := e.runner(s.ID)
	if r == nil {
		return errors.New("the engine is not running this set")
	}
	r.force.Store(true)
	r.poke()
	return nil
}

// Unsync stops syncing a set (named by its root or id) or one document of a documents
// set, and forgets the pairing. Local items stay, unlocked. With removeFromCloud the
// cloud items are deleted too (into the cloud's trash where it has one).
func (e *Engine) Unsync(ctx context.Context, p string, removeFromCloud bool) error {
	s, rel, err := e.findSet(p)
	if err != nil {
		return err
	}
	if rel != "" && s.Kind == model.KindFolder {
		return fmt.Errorf("%s is inside the synced folder %s: unsync the folder, or move the item out of it", p, s.LocalRoot)
	}
	var items []model.Item
	_ = e.cfg.Store.ListItems(s.ID, func(it model.Item) bool {
		if rel == "" || it.Path == rel {
			items = append(items, it)
		}
		return true
	})
	if rel == "" {
		e.stopRunner(s.ID)
	}
	if removeFromCloud {
		rem, _, err := e.remoteFor(s.Account)
		if err != nil {
			return fmt.Errorf("cannot reach the cloud to remove the items (nothing was unsynced): %w", err)
		}
		var targets []remote.Entry
		if s.Kind == model.KindFolder {
			en, err := rem.Stat(ctx, s.RemoteRoot)
			if err == nil {
				targets = append(targets, en)
			} else if !errors.Is(err, remote.ErrNotFound) {
				e.restart(s, rel)
				return fmt.Errorf("removing %s from the cloud: %w (nothing was unsynced)", s.RemoteRoot, err)
			}
		} else {
			for _, it := range items {
				if it.HasBase && !it.Remote.Gone && !it.Remote.Excl {
					targets = append(targets, remote.Entry{ID: it.Remote.ID, Path: remote.Join(s.RemoteRoot, it.Path), Version: it.Remote.Version})
				}
			}
		}
		for _, en := range targets {
			if err := rem.Delete(ctx, en); err != nil && !errors.Is(err, remote.ErrNotFound) {
				e.restart(s, rel)
				return fmt.Errorf("removing %s from the cloud: %w (nothing was unsynced)", en.Path, err)
			}
		}
	}
	// Unlock what the lock option made read-only.
	lfs := e.cfg.LocalFS(s.LocalRoot)
	for _, it := range items {
		if it.Local.Locked {
			if _, err := lfs.SetReadOnly(it.Path, false, it.Local.Mode); err != nil {
				e.cfg.Log.Warn("restoring permissions", "path", it.Path, "err", err)
			}
		}
	}
	if rel == "" {
		if err := e.deleteSet(s.ID); err != nil {
			return err
		}
		e.changed()
		return nil
	}
	keys := make([]string, 0, len(items))
	for _, it := range items {
		keys = append(keys, it.Key)
	}
	if err := e.cfg.Store.PutItems(s.ID, nil, keys); err != nil {
		return err
	}
	left := 0
	_, err = e.updateSet(s.ID, func(cur *model.Set) bool {
		cur.Documents = without(cur.Documents, rel)
		left = len(cur.Documents)
		return true
	})
	if err == nil && left == 0 && e.countDocuments(s.ID) == 0 {
		// No document left: the set ends, with the folders its documents were in.
		e.stopRunner(s.ID)
		err = e.deleteSet(s.ID)
	}
	e.changed()
	return err
}

func (e *Engine) restart(s model.Set, rel string) {
	if rel == "" {
		e.mu.Lock()
		e.startRunnerLocked(s)
		e.mu.Unlock()
	}
}

// countDocuments counts the items of a set that are files.
func (e *Engine) countDocuments(set string) int {
	n := 0
	_ = e.cfg.Store.ListItems(set, func(it model.Item) bool {
		if !it.IsDir {
			n++
		}
		return true
	})
	return n
}

// ShowWindow asks the GUI, when there is one, to show a window.
func (e *Engine) ShowWindow(ctx context.Context, name string) error {
	if e.cfg.ShowWindow == nil {
		return errors.New("this engine runs without a window (cloudsync daemon)")
	}
	return e.cfg.ShowWindow(name)
}
