package syncer

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/cloudsync/cloudsync/syncer/model"
	"github.com/cloudsync/cloudsync/syncer/remote"
)

// ListItems is Synced content (every item of every set) or, with errorsOnly, Synced with
// errors (failed items, and sets stopped by a set-wide failure).
func (e *Engine) ListItems(ctx context.Context, errorsOnly bool) ([]ItemInfo, error) {
	sets, err := e.cfg.Store.ListSets()
	if err != nil {
		return nil, err
	}
	var out []ItemInfo
	for _, s := range sets {
		first := len(out)
		if stopped(s) || !errorsOnly {
			out = append(out, e.rootInfo(s))
		}
		fresh := map[string]bool{}
		if !errorsOnly {
			fresh = e.pendingPaths(s.ID)
		}
		err := e.cfg.Store.ListItems(s.ID, func(it model.Item) bool {
			delete(fresh, it.Path)
			delete(fresh, shownPath(it))
			if it.Local.Excl || it.Remote.Excl {
				return true
			}
			if !errorsOnly || it.Status == model.StatusFailed {
				out = append(out, e.itemInfo(s, it))
			}
			return true
		})
		if err != nil {
			return nil, err
		}
		// What is pending and no item yet: a new file waiting for its upload (while the
		// cloud is down, during a first sync), a new cloud file waiting for its download.
		for rel := range fresh {
			if info := e.newInfo(s, rel); info.Status == model.StatusPending {
				out = append(out, info)
			}
		}
		e.markMoving(s, out[first:])
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Path < out[j].Path })
	return out, nil
}

// Info is the Sync Info of one item (or of a set's root).
func (e *Engine) Info(ctx context.Context, p string) (ItemInfo, error) {
	s, rel, err := e.findSet(p)
	if err != nil {
		return ItemInfo{}, err
	}
	if rel == "" && s.Kind == model.KindFolder {
		return e.rootInfo(s), nil
	}
	var found *model.Item
	_ = e.cfg.Store.ListItems(s.ID, func(it model.Item) bool {
		if shownPath(it) == rel {
			found = &it
			return false
		}
		return true
	})
	info := e.newInfo(s, rel)
	if found != nil {
		info = e.itemInfo(s, *found)
	}
	one := []ItemInfo{info}
	e.markMoving(s, one)
	return one[0], nil
}

// shownPath is the set-relative path Sync Info shows item it at: where its file or folder
// is in the local folder. That is its path, except after a failed cloud move of a local
// move: the item keeps its old path (the base the planner pairs both sides with, and still
// the cloud's path) until the move succeeds, and Local.Path says where it is now (failed).
// Listed at both paths, it showed a failure at a path with no file and the moved file
// twice, or not at all.
func shownPath(it model.Item) string {
	if it.Local.Path != "" {
		return it.Local.Path
	}
	return it.Path
}

// markMoving shows the pending file whose bytes set s is moving now as syncing.
func (e *Engine) markMoving(s model.Set, infos []ItemInfo) {
	p := e.setProgress(s.ID)
	if p == nil || p.File == "" {
		return
	}
	for i := range infos {
		if infos[i].Path == p.File && infos[i].Status == model.StatusPending {
			infos[i].Status = model.StatusSyncing
		}
	}
}

// newInfo is the Sync Info of set-relative path rel of set s that is no item yet: new
// (pending, also while paused: it waits to be uploaded), or left out by the set's rules.
func (e *Engine) newInfo(s model.Set, rel string) ItemInfo {
	info := ItemInfo{Path: filepath.Join(s.LocalRoot, filepath.FromSlash(rel)), Set: s.ID, Status: model.StatusPending,
		Cloud: e.cloud(s, rel, nil), Conflicts: []string{}}
	if st, why := e.classify(s, rel); st != "" {
		info.Status, info.Details = st, why
	}
	return info
}

// pendingPaths returns the set-relative paths a scan or the plan of set id found pending
// (watcher events alone are not listed: a path that came and went would show).
func (e *Engine) pendingPaths(id string) map[string]bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	out := map[string]bool{}
	r := e.runners[id]
	if r == nil {
		return out
	}
	for _, x := range []*pendingIndex{&r.view.seen, &r.view.planned} {
		x.eachPath(func(p string) {
			if p != "" {
				out[p] = true
			}
		})
	}
	return out
}

// classify says why a local path that is no item of set s is not synced: a conflict copy
// (local_only) or something the set's options or cloudsync's rules leave out (excluded),
// with a sentence for the user; "" when it is an ordinary new item.
func (e *Engine) classify(s model.Set, rel string) (model.Status, string) {
	switch {
	case isOwn(rel, ownPrefixes(s.LocalRoot, e.cfg.Protected)):
		return model.StatusExcluded, "cloudsync never syncs its own configuration, state and log files, nor the desktop trash"
	case ignoredPath(rel):
		return model.StatusExcluded, "temporary and lock files of office programs are never synced"
	}
	e.mu.Lock()
	isCopy := false
	if r := e.runners[s.ID]; r != nil {
		isCopy = r.view.conflictCopy(rel)
	}
	e.mu.Unlock()
	if isCopy {
		return model.StatusLocalOnly, "a conflict copy: your version of a file that was changed on both sides, kept on this computer only. " +
			"Rename it to sync it as a new file"
	}
	if s.Kind == model.KindFolder && !s.Options.IncludeSubfolders {
		if strings.Contains(rel, "/") {
			return model.StatusExcluded, "this sync set does not include subfolders"
		}
		if n, err := e.cfg.LocalFS(s.LocalRoot).Stat(rel); err == nil && n.IsDir {
			return model.StatusExcluded, "this sync set does not include subfolders"
		}
	}
	return "", ""
}

// isPending reports whether set-relative path rel of set id has a change not synced yet.
func (e *Engine) isPending(id, rel string) bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	r := e.runners[id]
	return r != nil && r.view.isPending(rel)
}

func (e *Engine) rootInfo(s model.Set) ItemInfo {
	s = e.withLastSync(s)
	info := ItemInfo{Path: s.LocalRoot, Set: s.ID, IsDir: true, Status: model.StatusSynced,
		Cloud: e.cloud(s, "", &remote.Entry{ID: s.RemoteRootID, Path: s.RemoteRoot, IsDir: true}), Conflicts: []string{}}
	if !s.LastSync.IsZero() {
		info.LastSync = s.LastSync.UTC().Format(time.RFC3339)
	} else {
		info.Status = model.StatusPending
	}
	if info.Status == model.StatusSynced && e.setInfo(s).Pending > 0 {
		info.Status = model.StatusPending
	}
	info.MetadataNote, _ = e.metaNote(s.ID)
	switch e.setState(s) {
	case StateError:
		info.Status, info.Reason, info.Details = model.StatusFailed, s.Error, s.ErrorDetails
		info.Message = ExplainSet(s.Error, s.PendingDeletes)
		if a, err := e.cfg.Store.GetAccount(s.Account); err == nil && a.Paused && s.Error == "" {
			info.Reason = remote.ReasonAuthFailed
			info.Details = "sign-in to " + a.URL + " failed; enter the password again (cloudsync account sign-in " + a.Name + ")"
			info.Message = Explain(remote.ReasonAuthFailed)
		}
	case StatePaused:
		info.Status = model.StatusPaused
	case StateSyncing:
		info.Status = model.StatusSyncing
	}
	return info
}

func (e *Engine) itemInfo(s model.Set, it model.Item) ItemInfo {
	info := ItemInfo{
		Path: filepath.Join(s.LocalRoot, filepath.FromSlash(shownPath(it))), Set: s.ID, IsDir: it.IsDir,
		Status: it.Status, Reason: it.Reason, Details: it.Details, Conflicts: []string{}, Message: Explain(it.Reason),
		Note: it.Note,
	}
	if info.Status == "" {
		info.Status = model.StatusSynced
	}
	var en *remote.Entry
	if it.HasBase && !it.Remote.Gone {
		en = &remote.Entry{ID: it.Remote.ID, Path: remote.Join(s.RemoteRoot, it.Path), IsDir: it.IsDir, Version: it.Remote.Version}
	}
	info.Cloud = e.cloud(s, it.Path, en)
	if !it.LastSync.IsZero() {
		info.LastSync = it.LastSync.UTC().Format(time.RFC3339)
	}
	if it.Status == model.StatusFailed && !it.NextRetry.IsZero() {
		info.NextRetry = it.NextRetry.UTC().Format(time.RFC3339)
	}
	for _, c := range it.Conflicts {
		info.Conflicts = append(info.Conflicts, filepath.Join(s.LocalRoot, filepath.FromSlash(c)))
	}
	note, on := e.metaNote(s.ID)
	info.MetadataNote = note
	if on && it.Meta != nil {
		m := *it.Meta
		info.Metadata = &m
	} else if on && it.HasBase {
		info.Metadata = &remote.Meta{}
	}
	// The stored status is what the last pass recorded; a change seen since makes the item
	// pending (SPEC §3), also while sync is paused.
	switch {
	case info.Status == model.StatusFailed:
	case it.Local.Excl || it.Remote.Excl:
		info.Status = model.StatusExcluded
	case it.Local.Path != "" && it.Local.Path != it.Path:
		// Not where the cloud has it (below a folder whose cloud move failed): not synced,
		// also before the first pass after a start has looked.
		info.Status = model.StatusPending
	case e.isPending(s.ID, shownPath(it)):
		info.Status = model.StatusPending
	case e.isPaused() || s.Paused:
		info.Status = model.StatusPaused
	}
	return info
}

// cloud describes an item's cloud location; en is its cloud entry when it has one.
func (e *Engine) cloud(s model.Set, rel string, en *remote.Entry) Cloud {
	c := Cloud{Account: s.Account, Location: remote.Join(s.RemoteRoot, rel)}
	if en == nil {
		return c
	}
	rem, _, err := e.remoteFor(s.Account)
	if err != nil {
		return c
	}
	if w, ok := remote.As[remote.WebURLer](rem); ok {
		c.URL = w.WebURL(*en)
	}
	return c
}

// ViewURL returns the web page of an item in the cloud (View in Cloud).
func (e *Engine) ViewURL(ctx context.Context, p string) (string, error) {
	info, err := e.Info(ctx, p)
	if err != nil {
		return "", err
	}
	if info.Cloud.URL == "" {
		if info.Reason == remote.ReasonTargetDeleted {
			return "", fmt.Errorf("%s was deleted in the cloud", p)
		}
		return "", fmt.Errorf("%s is not in the cloud yet", p)
	}
	return info.Cloud.URL, nil
}

// Status summarises the engine for the tray and `cloudsync status`.
func (e *Engine) Status(ctx context.Context) (Status, error) {
	sets, err := e.ListSets(ctx)
	if err != nil {
		return Status{}, err
	}
	st := Status{State: StateIdle, Paused: e.isPaused(), Sets: len(sets), SetStates: sets}
	rank := map[string]int{StateIdle: 0, StateSyncing: 1, StatePaused: 2, StateOffline: 3, StateError: 4}
	var last time.Time
	for _, s := range sets {
		st.Items += s.Items
		st.Pending += s.Pending
		st.Failed += s.Failed
		if rank[s.State] > rank[st.State] {
			st.State = s.State
		}
		if s.State == StateSyncing {
			st.Syncing++
		}
		if s.LastSync.After(last) {
			last = s.LastSync
		}
		st.Conflicts += s.Conflicts
	}
	if as, err := e.cfg.Store.ListAccounts(); err == nil {
		for _, a := range as {
			if a.Paused {
				st.State = StateError
			}
		}
	}
	if st.Paused {
		st.State = StatePaused
	}
	if !last.IsZero() {
		st.LastSync = last.UTC().Format(time.RFC3339)
	}
	st.Progress = e.progress()
	st.Message = statusLine(st)
	st.Keyring = e.cfg.SecretsWhere
	return st, nil
}

func statusLine(st Status) string {
	switch st.State {
	case StatePaused:
		return "Sync paused"
	case StateError:
		if st.Failed > 0 {
			return fmt.Sprintf("Sync problem: %d item(s) with errors", st.Failed)
		}
		return "Sync problem: see Synced with errors"
	case StateOffline:
		return "Offline: the cloud cannot be reached"
	case StateSyncing:
		return fmt.Sprintf("Syncing (%d left)", st.Pending)
	}
	if st.Sets == 0 {
		return "Nothing synced yet"
	}
	var b strings.Builder
	b.WriteString("Up to date")
	if st.Failed > 0 {
		fmt.Fprintf(&b, ", %d with errors", st.Failed)
	}
	return b.String()
}

// Unsettled says, in one line, why a status that Wait ended on is not "everything
// converged and nothing in Synced with errors" (SPEC §5 `wait`), or "" when it is: failed
// items, stopped sets, an account that needs sign-in, sets that cannot reach the cloud,
// and changes held by a pause. Changes pending in a set that syncs are not counted: Wait
// only ends once such sets converged, and a change reported after that (the watcher's echo
// of the engine's own writes) is the next pass's work, not a failure.
func (st Status) Unsettled() string {
	var parts []string
	if st.Failed > 0 {
		parts = append(parts, fmt.Sprintf("%d item(s) in Synced with errors", st.Failed))
	}
	var held, signIn, offline, pausedPending int
	for _, s := range st.SetStates {
		switch {
		case stopped(s.Set):
			held++
		case s.State == StateError:
			signIn++
		case s.State == StateOffline:
			offline++
		case s.State == StatePaused:
			pausedPending += s.Pending
		}
	}
	if held > 0 {
		parts = append(parts, fmt.Sprintf("%d set(s) stopped", held))
	}
	if signIn > 0 {
		parts = append(parts, fmt.Sprintf("%d set(s) waiting for sign-in", signIn))
	}
	if offline > 0 {
		parts = append(parts, fmt.Sprintf("%d set(s) cannot reach the cloud", offline))
	}
	if pausedPending > 0 {
		parts = append(parts, fmt.Sprintf("%d change(s) held by a pause", pausedPending))
	}
	if len(parts) == 0 {
		return ""
	}
	return strings.Join(parts, ", ") + " (cloudsync list --errors)"
}

// Wait blocks until every running, unpaused set has run a pass that looked after the call
// and found nothing to do: the sets have converged (failed items waiting for their retry
// time and stopped sets do not count as work). A pass looked after the call when it
// started after it, or when it began looking after it and looked at everything (the whole
// local tree and the cloud): the first pass after a start, running when `cloudsync wait`
// comes, counts when it had not begun looking yet, instead of a second one being run
// (issue 11: a second full pass at 10,000 files costs 0.2-0.3 s on Apache).
func (e *Engine) Wait(ctx context.Context) error {
	select { // an engine that has not started yet has work it has not looked at
	case <-e.ready:
	case <-ctx.Done():
		return ctx.Err()
	}
	stop := context.AfterFunc(ctx, func() {
		e.mu.Lock()
		e.passCond.Broadcast()
		e.mu.Unlock()
	})
	defer stop()
	for round := 0; ; round++ {
		e.mu.Lock()
		e.waitCalls++
		call := e.waitCalls
		want, relied := map[*runner]uint64{}, map[*runner]bool{}
		for _, r := range e.runners {
			want[r] = r.started + 1 // a pass started after the call
			if r.running && !r.looked && r.allWanted {
				relied[r] = true // the running pass will look at everything after the call
			} else {
				r.poke() // the running pass, if any, may have looked before the call
			}
		}
		converged := true
		for {
			if err := ctx.Err(); err != nil {
				e.mu.Unlock()
				return err
			}
			if e.runCtx != nil && e.runCtx.Err() != nil {
				e.mu.Unlock()
				return errors.New("the engine stopped")
			}
			done := true
			for r, n := range want {
				if e.runners[r.id] != r {
					continue // unsynced meanwhile
				}
				if r.finished >= n || r.doneLooked && r.doneAll && r.doneAt >= call {
					continue
				}
				done = false
				if relied[r] && !r.running {
					relied[r] = false
					r.poke() // the pass relied on ended without looking at everything
				}
			}
			if done {
				break
			}
			e.passCond.Wait()
		}
		for r := range want {
			if e.runners[r.id] == r && r.lastActions > 0 {
				converged = false
			}
		}
		e.mu.Unlock()
		if converged {
			return nil
		}
	}
}
