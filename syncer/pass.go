package syncer

import (
	"context"
	"errors"
	"fmt"
	"path"
	"slices"
	"strings"

	"github.com/cloudsync/cloudsync/syncer/exec"
	"github.com/cloudsync/cloudsync/syncer/model"
	"github.com/cloudsync/cloudsync/syncer/plan"
	"github.com/cloudsync/cloudsync/syncer/remote"
)

// A pass is one round of sync for one set: check the roots, scan the local tree, list the
// cloud folder, reconcile against the base, apply the safety guards, run the plan, and
// record each result as the new base. Everything it decides comes from plan.Reconcile; the
// pass only feeds it and enforces the set-wide rules of SPEC §4 that need more context than
// one item (missing roots, empty listings, mass deletes, back-off).

// syncOnce runs one pass of the runner's set. It returns the number of actions that did
// work (0 means converged) and the state the set is in afterwards.
func (r *runner) syncOnce(ctx context.Context) (int, string) {
	e := r.e
	// Request Sync's confirmation stays set until a pass gets past the guards it confirms
	// (see run); a pass that stops earlier (offline, paused) leaves it for the next one.
	force := r.force.Load()
	s, err := e.cfg.Store.GetSet(r.id)
	if err != nil {
		return 0, StateIdle // unsynced meanwhile
	}
	p := &pass{r: r, e: e, s: s, force: force, lfs: e.cfg.LocalFS(s.LocalRoot), own: ownPrefixes(s.LocalRoot, e.cfg.Protected)}
	// A set that may not sync now still scans, so that local changes show as pending.
	if e.isPaused() || s.Paused {
		p.observe(ctx)
		return 0, StatePaused
	}
	if a, err := e.cfg.Store.GetAccount(s.Account); err != nil || a.Paused {
		p.observe(ctx)
		return 0, StateError
	}
	p.signIns = e.signInsOf(s.Account)
	rem, _, err := e.remoteFor(s.Account)
	if err != nil {
		p.observe(ctx)
		if errors.Is(err, remote.ErrAuth) {
			e.authFailed(s.Account, p.signIns, err)
			return 0, StateError
		}
		return 0, r.setFailure(s, remote.ReasonOf(err, remote.ReasonNetwork), err.Error())
	}
	p.rem = rem
	if force {
		p.rereadMeta()
	}
	if ix, lk, dirty, ok := r.scoped(s, force, p.own); ok {
		return p.runScoped(ctx, ix, lk, dirty)
	}
	return p.run(ctx)
}

// pass holds what one pass of one set works with.
type pass struct {
	r     *runner
	e     *Engine
	s     model.Set
	rem   remote.Remote
	lfs   exec.LocalFS
	force bool
	// signIns is the account's sign-ins before the pass took its remote (Engine.authFailed).
	signIns uint64

	items    map[string]model.Item // by key
	unsynced map[string]string     // path → key of the items that never synced (failure records)
	// basePaths holds the paths of the synced items as loaded (scan and listing filters).
	basePaths map[string]bool
	pathIDs   bool     // the remote's ids are paths
	own       []string // set-relative folders holding cloudsync's own files (never synced)
	// unreadable holds what the local scan could not read, by set-relative path (see
	// unreadable.go); held the cloud folders the empty-listing guard holds (emptyguard.go).
	unreadable map[string]error
	held       map[string]int
	// unreadableKeys: the synced items at unreadable paths, failed by failUnreadable.
	unreadableKeys map[string]bool
	// Documents sets (documents.go): every folder of the home on each side, and the
	// documents moved out of it (path → item key).
	localDirs, cloudDirs map[string]plan.Node
	movedOut             map[string]string
	keyBase              string       // see newKey
	moved                []model.Item // items below a moved folder, rewritten, to be stored
	keySeq               int
	meta                 bool              // this pass syncs metadata (meta.go)
	noMeta               *remote.Meta      // shared by the cloud nodes without metadata
	transferred          int               // transfers done by the pass (all its plans)
	chunked              bool              // the pass runs its plan in chunks (chunks.go)
	made                 *exec.MadeFolders // cloud folders its plans made (execute.go)

	transfers // the transfer intents (transfers.go)
}

func (p *pass) run(ctx context.Context) (int, string) {
	e, s := p.e, p.s
	if err := p.loadItems(); err != nil {
		return 0, p.r.setFailure(s, remote.ReasonLocalIO, "reading the sync state: "+err.Error())
	}
	p.r.setIndex(buildIndex(p.items)) // from here on it follows every write (indexingStore)
	p.undoneMoves(nil)
	p.noteBelowFailedMoves()
	p.publishItems()
	defer p.publishItems()
	if err := p.loadIntents(); err != nil {
		return 0, p.r.setFailure(s, remote.ReasonLocalIO, "reading the sync state: "+err.Error())
	}
	hadItems := false
	for _, it := range p.items {
		if it.HasBase && !it.Local.Gone && !it.Local.Excl {
			hadItems = true
			break
		}
	}
	// A missing, unmounted or replaced local root stops the set: nothing is deleted
	// anywhere (FAILURE-MODES 1). A root emptied by the user is not suspicious in itself;
	// the mass-delete threshold guards that case.
	p.r.beginLook(true)
	if err := p.lfs.RootOK(false); err != nil {
		p.hold(true)
		return 0, p.r.setFailure(s, remote.ReasonLocalIO,
			fmt.Sprintf("the local folder %s is missing or not mounted; nothing is synced until it is back: %v", s.LocalRoot, err))
	}
	if ok, state := p.checkRootID(hadItems); !ok {
		return 0, state
	}
	p.removeLeftoverTemps()
	p.decideMeta()
	local, err := p.scanLocal(ctx)
	if err != nil {
		if ctx.Err() != nil {
			return 0, StateIdle
		}
		return 0, p.r.setFailure(s, remote.ReasonLocalIO, "reading the local folder failed, nothing was synced: "+err.Error())
	}
	p.noteLocal(slices.Values(local))
	remoteNodes, state, ok := p.listRemote(ctx)
	if !ok {
		return 0, state
	}
	p.forgetVanished(local, remoteNodes)
	if s.Kind == model.KindDocuments {
		local, remoteNodes = p.homeSnapshots(local, remoteNodes)
	}
	p.checkInterruptedUploads(ctx, local, remoteNodes)
	in := plan.Input{Base: p.bases(), Local: local, Remote: remoteNodes, Options: p.options()}
	if err := p.confirmMoves(ctx, &in); err != nil {
		if ctx.Err() != nil {
			return 0, StateIdle
		}
		// The listing was seen: what it shows changed is pending, although no plan runs
		// (the moves it may hold are unconfirmed; a plan of them is good enough for that).
		p.notePlan(plan.Reconcile(in), plan.Plan{})
		e.cfg.Log.Info("cloud unreachable", "set", s.ID, "err", err)
		return 0, StateOffline
	}
	p.r.noteLook(true, "all", len(p.items))
	pl := plan.Reconcile(in)
	pl = p.failUnreadable(pl)
	full := pl
	pl = p.dropBackedOff(pl)
	pl = p.dropUnverified(pl)
	p.notePlan(full, pl)
	if n, total := p.deletes(pl); !p.force && n > e.cfg.MassDeleteMin && float64(n) > e.cfg.MassDeleteRatio*float64(total) {
		p.holdDeletes(n, total)
		p.redirty()
		return 0, StateError
	}
	if p.force {
		p.r.force.Store(false) // the confirmation is used by this pass
	}
	work, clean := p.execute(ctx, pl)
	p.settleIntents()
	p.redirty()
	p.finish(clean)
	return work, StateIdle
}

// checkRootID compares the local root's file id with the one recorded for the set. Another
// id means the folder now is a different one: an unmounted share shows its empty mount
// point (another device), a folder deleted and recreated has another inode. The set then
// stops until the user confirms with Request Sync, which records the new id.
func (p *pass) checkRootID(hadItems bool) (bool, string) {
	e, s := p.e, p.s
	root, err := p.lfs.Stat("")
	if err != nil {
		p.hold(true)
		return false, p.r.setFailure(s, remote.ReasonLocalIO, fmt.Sprintf("reading the local folder %s failed: %v", s.LocalRoot, err))
	}
	if root.ID == s.LocalRootID {
		return true, ""
	}
	if s.LocalRootID != "" && hadItems && !p.force {
		p.hold(true)
		return false, p.r.setFailure(s, remote.ReasonLocalIO, fmt.Sprintf(
			"the local folder %s is not the one that was synced: it was replaced, or the disk or share it was on is not mounted. "+
				"Nothing was deleted. When this folder is the right one, confirm with Request Sync", s.LocalRoot))
	}
	found := false
	_, err = e.updateSet(s.ID, func(cur *model.Set) bool { found = true; cur.LocalRootID = root.ID; return true })
	if !found {
		return false, StateIdle // unsynced meanwhile
	}
	if err != nil {
		return false, p.r.setFailure(s, remote.ReasonLocalIO, "storing the sync state failed: "+err.Error())
	}
	p.s.LocalRootID = root.ID
	return true, ""
}

// loadItems reads the set's items.
func (p *pass) loadItems() error {
	p.items, p.unsynced, p.basePaths = map[string]model.Item{}, map[string]string{}, map[string]bool{}
	return p.e.cfg.Store.ListItems(p.s.ID, func(it model.Item) bool {
		p.items[it.Key] = it
		if it.HasBase {
			p.basePaths[it.Path] = true
		} else {
			p.unsynced[it.Path] = it.Key
		}
		return true
	})
}

// scanLocal scans the local tree and keeps what belongs to the set: everything but the
// registered conflict copies (local-only until renamed) for a folder set, the member
// documents for a documents set.
func (p *pass) scanLocal(ctx context.Context) ([]plan.Node, error) {
	known := map[string]model.Item{}
	conflicts := map[string]string{} // conflict copy path → owning item key
	for _, it := range p.items {
		if it.HasBase && it.Local.ID != "" {
			known[it.Local.ID] = it
		}
		for _, c := range it.Conflicts {
			conflicts[c] = it.Key
		}
	}
	dirty := p.takeDirty()
	p.unreadable, p.localDirs = map[string]error{}, map[string]plan.Node{}
	docs := p.s.Kind == model.KindDocuments
	whole := !docs || p.r.homeWalkDue(dirty)
	var nodes []plan.Node
	var err error
	for {
		opts := exec.ScanOptions{
			IncludeSubfolders: p.s.Kind == model.KindFolder && p.s.Options.IncludeSubfolders || docs,
			Known: func(id string) (string, string, bool) {
				it, ok := known[id]
				if !ok || it.IsDir {
					return "", "", false
				}
				return it.Local.Version, it.Hash, true
			},
			Unreadable: func(q string, err error) { p.unreadable[q] = err },
			Meta:       p.meta,
			BadMeta:    p.badMeta,
		}
		if docs {
			opts.Select = p.docSelect(known, whole)
		}
		nodes, err = p.lfs.Scan(ctx, opts)
		if err != nil || whole || !p.missingMember(nodes) {
			break
		}
		whole, p.unreadable = true, map[string]error{} // a document left its folder: look in the whole home
	}
	if err == nil && docs && whole {
		p.r.homeWalked()
	}
	if err != nil {
		p.restoreDirty(dirty)
		return nil, err
	}
	seen := map[string]bool{}
	out := nodes[:0]
	for _, n := range nodes {
		seen[n.Path] = true
		if p.localOnly(n.Path, conflicts) || isOwn(n.Path, p.own) {
			continue
		}
		if docs && n.IsDir {
			p.localDirs[n.Path] = n
			continue
		}
		if docs && !p.isMember(n, known) {
			continue
		}
		out = append(out, n)
	}
	out = p.keepUnreadable(out)
	// Forget conflict copies the user removed or renamed (a renamed copy syncs as new).
	for c, key := range conflicts {
		if !seen[c] && !p.underUnreadable(c) {
			it := p.items[key]
			it.Conflicts = without(it.Conflicts, c)
			p.items[key] = it
			p.put(it)
		}
	}
	return out, nil
}

// inConflictCopy reports whether p is a registered conflict copy or lies inside one (a
// folder kept as a conflict copy keeps its content local-only with it; listing the
// content without its folder would hand the planner orphans).
// localOnly reports whether local path q is, or is inside, a conflict copy: one the engine
// registered, or any item named like one that is not a synced item (SPEC §3: a conflict
// copy is not uploaded unless the user renames it). The name rule also covers a copy whose
// registration was lost (a crash between keeping the copy and recording it, a restored
// state): such a copy may even carry a synced item's file id (the copy is a hard link of the
// replaced file), and must not be read as that item renamed.
func (p *pass) localOnly(q string, conflicts map[string]string) bool {
	for {
		if _, ok := conflicts[q]; ok {
			return true
		}
		if exec.IsConflictCopyName(path.Base(q)) && !p.basePaths[q] {
			return true
		}
		if !strings.Contains(q, "/") {
			return false
		}
		q = path.Dir(q)
	}
}

// isMember reports whether local node n belongs to a documents set: a paired document
// (by id, so it stays paired when renamed) or a chosen document not synced yet.
func (p *pass) isMember(n plan.Node, known map[string]model.Item) bool {
	_, ok := known[n.ID]
	return ok || p.isDocPath(n.Path)
}

// emptyListingGuard is the number of synced cloud items from which an empty cloud listing
// is not believed without confirmation (FAILURE-MODES 2). A set of one item may lose it.
const emptyListingGuard = 2

// listRemote lists the set's cloud folder. ok false: the pass stops with state; the set's
// failure is recorded. Guards: a vanished cloud root (FAILURE-MODES 23) and an empty
// listing where the base expects items (FAILURE-MODES 2) stop the set instead of being
// read as deletions, unless the user confirmed with Request Sync.
func (p *pass) listRemote(ctx context.Context) ([]plan.Node, string, bool) {
	s := p.s
	hadRemote := 0
	for _, it := range p.items {
		if it.HasBase && !it.Remote.Gone && !it.Remote.Excl {
			hadRemote++
		}
	}
	entries, state, ok := p.listEntries(ctx, hadRemote)
	if !ok {
		return nil, state, false
	}
	docs := s.Kind == model.KindDocuments
	memberIDs, movedVersions := map[string]bool{}, map[string]bool{}
	if docs {
		listed := make(map[string]bool, len(entries))
		for _, en := range entries {
			listed[p.remoteNode(en).ID] = true
		}
		for _, it := range p.items {
			if it.HasBase && it.Remote.ID != "" {
				memberIDs[it.Remote.ID] = true
				if !listed[it.Remote.ID] && !it.IsDir {
					movedVersions[it.Remote.Version] = true
				}
			}
		}
	}
	p.cloudDirs = map[string]plan.Node{}
	out := make([]plan.Node, 0, len(entries))
	for _, en := range entries {
		if en.IDIsPath {
			p.pathIDs = true
		}
		n := p.remoteNode(en)
		if p.leftOutOfCloud(n.Path) {
			continue
		}
		if docs && n.IsDir {
			p.cloudDirs[n.Path] = n
			continue
		}
		if docs && !p.cloudMember(n, memberIDs, movedVersions) {
			continue
		}
		out = append(out, n)
	}
	out = p.holdEmptied(out)
	p.r.setPrevRemote(p.keptListing(entries))
	p.r.setPathIDs(p.pathIDs)
	return out, StateIdle, true
}

// isDocPath reports whether rel is a chosen document of a documents set, or the path of a
// synced item (a document replaced in place by a safe save: the planner pairs it by path).
func (p *pass) isDocPath(rel string) bool {
	return p.basePaths[rel] || slices.Contains(p.s.Documents, rel)
}

// leftOutOfCloud reports whether a cloud entry at set-relative path rel is not looked at:
// one of cloudsync's own files, or a name never synced (office temp and lock files, as
// the local scan leaves them out). The full listing and the walk both ask it.
func (p *pass) leftOutOfCloud(rel string) bool {
	return isOwn(rel, p.own) || ignoredPath(rel)
}

// remoteNode converts a listing entry (root-relative) to a snapshot node. Path ids are made
// account-relative, so that they match the ids exec reports for uploads and moves.
func (p *pass) remoteNode(en remote.Entry) plan.Node {
	n := plan.Node{Path: remote.Clean(en.Path), IsDir: en.IsDir, ID: en.ID, Version: en.Version, Size: en.Size, ModTime: en.ModTime,
		Unsupported: en.Unsupported != "", Why: en.Unsupported}
	if en.IDIsPath || en.ID == "" {
		if root := p.s.RemoteRoot; !(root != "" && len(en.ID) == len(root)+1+len(n.Path) && en.ID[len(root)] == '/' &&
			en.ID[:len(root)] == root && en.ID[len(root)+1:] == n.Path && remote.Clean(root) == root) {
			// (else the id is already root/path, both clean, which JoinAs would return as it
			// is: n.Path is clean, and asking it again cost every entry of a poll a scan)
			n.ID = remote.JoinAs(en.ID, root, n.Path)
		}
	}
	if h, ok := strings.CutPrefix(en.Hash, "sha256:"); ok {
		n.Hash = strings.ToLower(h)
	}
	p.withMeta(&n, en)
	return n
}

// forgetRemoteBases drops every base of the set before its cloud folder is recreated, so
// the next plan uploads the local items as new instead of reading their absence in the
// cloud as deletions.
func (p *pass) forgetRemoteBases() error {
	del := make([]string, 0, len(p.items))
	for k := range p.items {
		del = append(del, k)
	}
	if err := p.e.cfg.Store.PutItems(p.s.ID, nil, del); err != nil {
		return err
	}
	p.items, p.basePaths = map[string]model.Item{}, map[string]bool{}
	p.r.setPrevRemote(nil)
	return nil
}

// bases turns the stored items into the planner's base.
func (p *pass) bases() []plan.Base {
	out := make([]plan.Base, 0, len(p.items))
	for _, it := range p.items {
		if !it.HasBase {
			continue
		}
		out = append(out, plan.Base{
			Key: it.Key, Path: it.Path, IsDir: it.IsDir,
			LocalID: it.Local.ID, LocalVersion: it.Local.Version,
			RemoteID: it.Remote.ID, RemoteVersion: it.Remote.Version,
			Hash:      it.Hash,
			LocalSize: it.Local.Size, LocalModTime: it.Local.ModTime, RemoteSize: it.Remote.Size,
			RemoteGone: it.Remote.Gone, LocalGone: it.Local.Gone, Restore: it.Restore,
			Excluded: it.Local.Excl || it.Remote.Excl,
			Meta:     it.Meta,
		})
	}
	return out
}

// options are the planner options of the set. Bases are trusted only when they were
// written under this installation and a clean pass ran since (SPEC §4: copied or restored
// state dirs turn differences into conflicts, never deletions).
func (p *pass) options() plan.Options {
	s := p.s
	o := plan.Options{
		AllowCloudDelete:         s.Options.AllowCloudDelete,
		DeleteLocalOnCloudDelete: s.Options.DeleteLocalOnCloudDelete,
		TrustBase:                s.Trusted && s.Installation == p.e.cfg.Store.InstallationID(),
		WatchedSince:             p.e.started,
		Meta:                     p.meta,
	}
	o.RemoteIDsArePaths = p.pathIDs
	if n, ok := remote.As[remote.Namer](p.rem); ok {
		o.FoldName, o.ValidRemoteName = n.FoldName, n.ValidateName
	}
	return o
}

// deletes counts the deleting actions of pl and the set's synced items.
func (p *pass) deletes(pl plan.Plan) (n, total int) {
	l, r := pl.Deletes()
	for _, it := range p.items {
		if it.HasBase && !it.Local.Excl && !it.Remote.Excl {
			total++
		}
	}
	return l + r, total
}

// finish records the end of a pass: the set's failure is cleared, and after a clean pass
// its bases are trusted under this installation and the time of the last sync moves on.
func (p *pass) finish(clean bool) {
	e := p.e
	visible := false
	_, err := e.updateSet(p.s.ID, func(s *model.Set) bool {
		// Only a change a person can see is announced ("changed" wakes the desktop app): a
		// cleared failure, a first sync. The time of the last sync moves on every clean
		// pass, but announcing it would wake the app every poll interval for nothing.
		visible = s.Error != "" || s.PendingDeletes != 0 || s.ErrorDetails != "" || (clean && s.LastSync.IsZero())
		store := visible
		s.Error, s.ErrorDetails, s.PendingDeletes = "", "", 0
		if clean && p.pruneDocuments(s) {
			store = true
		}
		if clean {
			if !s.Trusted || s.Installation != e.cfg.Store.InstallationID() {
				s.Trusted, s.Installation = true, e.cfg.Store.InstallationID()
				store = true
			}
			now := e.cfg.Now()
			if store {
				s.LastSync = now // (stored with the rest)
			}
			p.r.syncedAt(now, s.LastSync)
		}
		return store
	})
	if err != nil {
		if visible { // (else the set is gone: unsynced meanwhile)
			e.cfg.Log.Error("storing set", "set", p.s.ID, "err", err)
		}
		return
	}
	if visible {
		e.changed()
	}
}

func without(list []string, x string) []string {
	out := list[:0:0]
	for _, v := range list {
		if v != x {
			out = append(out, v)
		}
	}
	return out
}
