package syncer

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"path/filepath"
	"sort"
	"strings"

	"github.com/cloudsync/cloudsync/syncer/model"
	"github.com/cloudsync/cloudsync/syncer/remote"
)

// CreateSet pairs one local folder (folder set) or one or more files of one folder
// (documents set) with a cloud folder, creating missing cloud folders on the way, and
// starts syncing it. Overlapping sets are refused.
func (e *Engine) CreateSet(ctx context.Context, r CreateSetRequest) (model.Set, error) {
	var s model.Set
	if len(r.Paths) == 0 {
		return s, errors.New("name a folder or one or more files to sync")
	}
	if err := CheckCloudFolder(r.To); err != nil {
		return s, err
	}
	since := e.signInsOf(r.Account)
	rem, _, err := e.remoteFor(r.Account)
	if err != nil {
		return s, err
	}
	abs := make([]string, len(r.Paths))
	dirs := 0
	for i, p := range r.Paths {
		if !filepath.IsAbs(p) {
			return s, fmt.Errorf("%s: the path must be absolute", p)
		}
		abs[i] = filepath.Clean(p)
		isDir, err := e.localKind(abs[i])
		if err != nil {
			return s, err
		}
		if isDir {
			dirs++
		}
	}
	s = model.Set{Account: r.Account, Options: r.Options, RemoteRoot: remote.Clean(r.To),
		Created: e.cfg.Now(), Installation: e.cfg.Store.InstallationID(), Trusted: true}
	switch {
	case dirs == 1 && len(abs) == 1:
		s.Kind, s.LocalRoot = model.KindFolder, abs[0]
	case dirs == 0:
		s.Kind, s.LocalRoot = model.KindDocuments, filepath.Dir(abs[0])
		s.Options.IncludeSubfolders = false
		for _, p := range abs {
			if filepath.Dir(p) != s.LocalRoot {
				return s, errors.New("documents synced together must be in one folder")
			}
			s.Documents = append(s.Documents, filepath.Base(p))
		}
	default:
		return s, errors.New("sync one folder, or one or more files, per command")
	}
	if err := e.checkProtected(s); err != nil {
		return s, err
	}
	if err := e.checkOverlap(s); err != nil {
		return s, err
	}
	if s.RemoteRoot == "" {
		return s, errors.New("choose a cloud folder (--to)")
	}
	if err := remote.MkdirAll(ctx, rem, s.RemoteRoot); err != nil {
		if errors.Is(err, remote.ErrAuth) {
			e.authFailed(r.Account, since, err)
		}
		return s, fmt.Errorf("preparing the cloud folder %s: %w", s.RemoteRoot, err)
	}
	if en, err := rem.Stat(ctx, s.RemoteRoot); err == nil {
		if !en.IsDir {
			return s, fmt.Errorf("the cloud path %s is a file, not a folder", s.RemoteRoot)
		}
		s.RemoteRootID = en.ID
	}
	s.ID = newID()
	if err := e.cfg.Store.PutSet(s); err != nil {
		return s, err
	}
	e.mu.Lock()
	e.startRunnerLocked(s)
	e.mu.Unlock()
	return s, nil
}

// localKind tells whether abs is a folder (true) or a regular file, through the LocalFS
// seam: a folder is a usable set root; anything else is looked up in its parent folder.
// Symbolic links and special files are refused as unsupported.
func (e *Engine) localKind(abs string) (bool, error) {
	if e.cfg.LocalFS(abs).RootOK(false) == nil {
		return true, nil
	}
	n, err := e.cfg.LocalFS(filepath.Dir(abs)).Stat(filepath.Base(abs))
	switch {
	case err != nil:
		return false, fmt.Errorf("%s: %w", abs, err)
	case n.Unsupported:
		return false, fmt.Errorf("%s is a symbolic link or special file: %w", abs, remote.ErrUnsupported)
	case n.IsDir:
		return false, fmt.Errorf("%s is a folder that cannot be used: %w", abs, remote.ErrUnsupported)
	}
	return false, nil
}

// checkOverlap refuses a set whose local root or documents are inside, or contain, the
// root of an existing folder set (one local file must belong to one set).
func (e *Engine) checkOverlap(s model.Set) error {
	sets, err := e.cfg.Store.ListSets()
	if err != nil {
		return err
	}
	for _, o := range sets {
		if o.Kind == model.KindFolder && (within(s.LocalRoot, o.LocalRoot) || (s.Kind == model.KindFolder && within(o.LocalRoot, s.LocalRoot))) {
			return fmt.Errorf("%s overlaps the sync set of %s", s.LocalRoot, o.LocalRoot)
		}
		if o.Kind == model.KindDocuments && s.Kind == model.KindFolder && within(o.LocalRoot, s.LocalRoot) {
			return fmt.Errorf("%s contains documents already synced from %s", s.LocalRoot, o.LocalRoot)
		}
		if o.Kind == model.KindDocuments && s.Kind == model.KindDocuments && o.LocalRoot == s.LocalRoot {
			for _, d := range s.Documents {
				for _, od := range o.Documents {
					if d == od {
						return fmt.Errorf("%s is already synced", filepath.Join(s.LocalRoot, d))
					}
				}
			}
		}
	}
	return nil
}

// within reports whether p is dir or below it.
func within(p, dir string) bool {
	return p == dir || strings.HasPrefix(p, strings.TrimSuffix(dir, "/")+"/")
}

func newID() string {
	var b [6]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// findSet returns the set a local path belongs to (its root, or inside it) and the
// set-relative path; a set may also be named by its id.
func (e *Engine) findSet(p string) (model.Set, string, error) {
	sets, err := e.cfg.Store.ListSets()
	if err != nil {
		return model.Set{}, "", err
	}
	for _, s := range sets {
		if s.ID == p {
			return s, "", nil
		}
	}
	p = filepath.Clean(p)
	sort.Slice(sets, func(i, j int) bool { return len(sets[i].LocalRoot) > len(sets[j].LocalRoot) })
	for _, s := range sets {
		if s.Kind == model.KindFolder && within(p, s.LocalRoot) {
			rel, _ := filepath.Rel(s.LocalRoot, p)
			if rel == "." {
				rel = ""
			}
			return s, filepath.ToSlash(rel), nil
		}
		if s.Kind == model.KindDocuments {
			if p == s.LocalRoot {
				continue
			}
			rel, err := filepath.Rel(s.LocalRoot, p)
			if err == nil && !strings.HasPrefix(rel, "..") && e.hasItemPath(s, filepath.ToSlash(rel)) {
				return s, filepath.ToSlash(rel), nil
			}
		}
	}
	return model.Set{}, "", fmt.Errorf("%s is not in any sync set", p)
}

func (e *Engine) hasItemPath(s model.Set, rel string) bool {
	for _, d := range s.Documents {
		if d == rel {
			return true
		}
	}
	found := false
	_ = e.cfg.Store.ListItems(s.ID, func(it model.Item) bool {
		found = it.Path == rel
		return !found
	})
	return found
}

// ListSets returns every set with its state and counts.
func (e *Engine) ListSets(ctx context.Context) ([]SetInfo, error) {
	sets, err := e.cfg.Store.ListSets()
	if err != nil {
		return nil, err
	}
	sort.Slice(sets, func(i, j int) bool { return sets[i].LocalRoot < sets[j].LocalRoot })
	out := make([]SetInfo, 0, len(sets))
	for _, s := range sets {
		out = append(out, e.setInfo(s))
	}
	return out, nil
}

// setInfo describes set s from the counters its runner keeps (view.go): no item is read
// from the store, so the answer is immediate whatever the set's size and whatever a pass
// is doing.
func (e *Engine) setInfo(s model.Set) SetInfo {
	si := SetInfo{Set: e.withLastSync(s), State: e.setState(s), Progress: e.setProgress(s.ID)}
	e.mu.Lock()
	if r := e.runners[s.ID]; r != nil {
		v := &r.view
		si.Items, si.Pending, si.Failed, si.Conflicts = v.items, v.pending(), v.failed, v.conflicts
		if r.lastPass.Local != "" {
			lp := r.lastPass
			si.LastPass = &lp
		}
	}
	e.mu.Unlock()
	return si
}

// setState is the state of one set: error, offline, paused, syncing or idle.
func (e *Engine) setState(s model.Set) string {
	if a, err := e.cfg.Store.GetAccount(s.Account); err == nil && a.Paused {
		return StateError
	}
	if stopped(s) {
		return StateError
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.paused || s.Paused {
		return StatePaused
	}
	r := e.runners[s.ID]
	if r == nil {
		return StateIdle
	}
	if r.running && r.total > 0 {
		return StateSyncing
	}
	if r.lastState == StateOffline {
		return StateOffline
	}
	return StateIdle
}

// stopped reports whether a set-wide failure stops the set: a missing root, an unexpected
// empty listing, or deletions held back for confirmation.
func stopped(s model.Set) bool { return s.Error != "" || s.PendingDeletes > 0 }

// CheckCloudFolder checks a cloud folder as given to `sync --to` (or the Sync to Cloud
// dialog) before anything is created: "." and ".." segments are refused instead of being
// resolved ("../x" is not "x"; the user meant a place the account cannot name), and so are
// NUL and other control characters. Leading, trailing and repeated slashes are fine.
func CheckCloudFolder(to string) error {
	for _, seg := range strings.Split(to, "/") {
		if seg == "." || seg == ".." {
			return fmt.Errorf("the cloud folder %q has a %q segment; name the folder from the account's top, without . or ..: %w",
				to, seg, remote.ErrInvalidName)
		}
	}
	for _, c := range to {
		if c < 0x20 || c == 0x7f {
			return fmt.Errorf("the cloud folder %q contains a control character: %w", to, remote.ErrInvalidName)
		}
	}
	return nil
}
