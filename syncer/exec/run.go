package exec

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/cloudsync/cloudsync/syncer/plan"
	"github.com/cloudsync/cloudsync/syncer/remote"
)

// DefaultParallel is the number of actions Run executes at once when Env.Parallel is not set.
const DefaultParallel = 4

// ErrSkipped is wrapped by Result.Err of an action that was not run because an action it
// depends on failed or was skipped, or because the run was cancelled before it started.
// Nothing was touched; the next pass plans it again.
var ErrSkipped = errors.New("not run")

// ErrBadPlan is wrapped by Result.Err of an action Run refuses to start: an unknown or
// duplicate action ID, a dependency cycle, or an action whose snapshot lacks what its Op
// needs. It is a planner bug; nothing was touched.
var ErrBadPlan = errors.New("inconsistent plan")

// ErrPlannedFailure is wrapped by Result.Err of a plan.Fail action: the planner decided the
// item cannot be synced (Result.Reason says why).
var ErrPlannedFailure = errors.New("not synced")

// ErrKeptChanging is returned for an upload whose local file changed while it was being read
// in every attempt: no consistent version could be sent. It wraps ErrLocalChanged, so the
// engine treats it as "replan on the next pass" rather than as a failure of the item.
var ErrKeptChanging = fmt.Errorf("file kept changing during upload: %w", ErrLocalChanged)

// Env is what Run needs to execute one sync set's plan.
type Env struct {
	Local  LocalFS
	Remote remote.Remote
	// RemoteRoot is the set's cloud folder relative to the account's base; action paths
	// are relative to it.
	RemoteRoot string
	// Parallel bounds the number of actions running at once (DefaultParallel when <= 0).
	Parallel int
	// Transfers, when set, is a semaphore every upload, download and conflict takes a slot
	// of while it moves content: one engine-wide bound on parallel transfers across all the
	// runs that share it (issue 11), below Parallel, which also counts folders, moves and
	// deletions. nil: only Parallel bounds them.
	Transfers chan struct{}
	// Now names conflict copies (time.Now when nil).
	Now func() time.Time
	// Progress, when not nil, is told the bytes of file content moved by uploads and
	// downloads as they happen (SPEC §6 progress): path is the action's set-relative local
	// path, n the bytes just read or sent. It is called from the goroutines running
	// actions, concurrently and often (once per buffer), so it must be cheap and safe for
	// concurrent use. A retried transfer reports its bytes again.
	Progress func(path string, n int64)
	// Made, when set, holds the cloud folders (set-relative) that Mkdir made (not adopted)
	// in this run and in earlier runs sharing it: the chunks of one pass. A new file's
	// upload or a move into one of them is fresh (remote.InFreshFolder) as into a folder
	// made by an action it depends on: a chunk holds every change of a folder's content,
	// so the names written into it are one plan's (issue 11: 1,000 files moved into a new
	// folder in a chunked pass asked 3 PROPFINDs each).
	Made *MadeFolders
}

// MadeFolders is the set of Env.Made, safe for concurrent use.
type MadeFolders struct {
	mu sync.Mutex
	m  map[string]bool
}

func (f *MadeFolders) add(p string) {
	if f == nil {
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.m == nil {
		f.m = map[string]bool{}
	}
	f.m[p] = true
}

// Has reports whether set-relative cloud folder p was made (nil holds nothing).
func (f *MadeFolders) Has(p string) bool {
	if f == nil {
		return false
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.m[p]
}

// Result is the outcome of one action, as handed to Run's done callback. The caller records
// the new base from it (STYLE rule 5: recording comes last, after the action's effects are
// durable).
type Result struct {
	Action plan.Action
	// Err is nil when the action did what it says. It wraps ErrLocalChanged (the local
	// file changed since the scan; nothing was overwritten or removed), ErrSkipped,
	// ErrBadPlan, ErrPlannedFailure, a remote error kind, or a local I/O error.
	Err error
	// Reason is the user-visible failure reason: remote.ReasonOf for remote errors, with
	// target_deleted or missing_destination for a not-found depending on what was missing;
	// for local errors name_clash (name taken), permission_denied, invalid_name,
	// missing_destination (a local folder to write into vanished) or local_io. It is empty
	// when Err is nil, for a cancellation, for ErrSkipped/ErrBadPlan, and for
	// ErrLocalChanged (a race the next pass resolves, not a failure of the item).
	// Fail and MarkGone actions carry their planned Reason (MarkGone with Err nil).
	Reason remote.Reason
	// Skipped: the action was not run (Err wraps ErrSkipped or ErrBadPlan).
	Skipped bool
	// Local and Remote describe the item's two sides after the action (nil when absent
	// there); Remote.Path is set-relative. For an action that failed or was skipped they
	// are the plan's snapshot entries, and must not be recorded as a base.
	Local  *plan.Node
	Remote *plan.Node
	// Hash is the SHA-256 (hex) of the file content both sides now hold, when known.
	Hash string
	// ConflictCopy is the set-relative path of the local-only copy a Conflict kept.
	ConflictCopy string
	// Identical: a Conflict or Download found the local content already equal to the
	// remote's, so nothing was written and no conflict copy was kept.
	Identical bool

	lm, rm sideMeta // what the content step left as each side's metadata (meta.go)
	// pending: the upload left the look at the stored file to one listing of its folder
	// (remote.DeferLookup); Remote is only what it wrote until the scheduler resolves it.
	pending *remote.Pending
	made    bool // a MkdirRemote made its folder (not adopted: see Env.Made)
}

// Run executes p's actions over their dependency graph (Action.After), at most
// env.Parallel at a time (transfers also within env.Transfers), folder creations first,
// then in plan order among the ready ones. It returns when every action
// has been reported: done is called exactly once per action, from any goroutine, but never
// concurrently (Run serializes the calls), and an action's done call returns before any
// action depending on it starts, so the caller can record bases in dependency order.
//
// An action whose dependency failed or was skipped is not run (Skipped). When ctx is
// cancelled Run starts nothing more; running actions see ctx and stop, and the actions
// not started are reported Skipped with Err wrapping ctx.Err(). Run leaves no goroutine
// behind. done may be nil.
func Run(ctx context.Context, env Env, p plan.Plan, done func(Result)) {
	if env.Parallel <= 0 {
		env.Parallel = DefaultParallel
	}
	if env.Now == nil {
		env.Now = time.Now
	}
	env.RemoteRoot = remote.Clean(env.RemoteRoot)
	var mu sync.Mutex
	s := &scheduler{
		r: &planRunner{env: env, localOwner: localOwners(p)},
		report: func(res Result) {
			mu.Lock()
			defer mu.Unlock()
			if done != nil {
				done(res)
			}
		},
	}
	s.run(ctx, p.Actions)
}

type actState int

const (
	stWaiting actState = iota
	stReady
	stRunning
	stDone // succeeded
	stFailed
)

// scheduler is Run's bookkeeping: one goroutine (Run's) owns every field.
type scheduler struct {
	r       *planRunner
	report  func(Result)
	acts    []plan.Action
	state   []actState
	waiting []int   // unfinished dependencies per action
	users   [][]int // indexes of the actions depending on each action
	ready   []int   // indexes, kept sorted (plan order)
	// readyDirs are the ready folder creations, started before anything else ready: a new
	// folder unblocks the transfers of its content, so the pipeline never waits on one.
	readyDirs []int
	byID      map[int]int // action ID → index
	held      heldUploads // done uploads waiting for their folder's listing (deferred.go)
}

// isDirOp reports whether a makes a folder.
func isDirOp(a plan.Action) bool { return a.Op == plan.MkdirRemote || a.Op == plan.MkdirLocal }

// isTransfer reports whether a moves file content (Env.Transfers).
func isTransfer(a plan.Action) bool {
	switch a.Op {
	case plan.Upload, plan.Download, plan.Conflict, plan.ConflictUpload:
		return true
	}
	return false
}

// next takes the ready action to start: a folder creation first, else the first in plan
// order.
func (s *scheduler) next() int {
	if len(s.readyDirs) > 0 {
		i := s.readyDirs[0]
		s.readyDirs = s.readyDirs[1:]
		return i
	}
	i := s.ready[0]
	s.ready = s.ready[1:]
	return i
}

// do runs action i, within an engine-wide transfer slot when it moves content; fresh says
// it uploads a new file into a folder this run made (inFreshFolder, decided by the caller:
// do runs on a worker goroutine and must not read the scheduler's state).
func (s *scheduler) do(ctx context.Context, i int, fresh bool) Result {
	a := s.acts[i]
	if slots := s.r.env.Transfers; slots != nil && isTransfer(a) {
		select {
		case slots <- struct{}{}:
			defer func() { <-slots }()
		case <-ctx.Done():
			return Result{Action: a, Local: a.Local, Remote: a.Remote, Skipped: true, Err: fmt.Errorf("%w: %w", ErrSkipped, ctx.Err())}
		}
	}
	if !fresh {
		return s.r.do(ctx, a)
	}
	ctx = remote.InFreshFolder(ctx)
	if a.Op != plan.Upload || a.Meta != nil && *a.Meta != zeroMeta {
		return s.r.do(ctx, a) // metadata to set on the stored file needs its entry now
	}
	pd := &remote.Pending{}
	res := s.r.do(remote.DeferLookup(ctx, pd), a)
	if pd.Deferred && res.Err == nil && !res.Skipped {
		res.pending = pd
	}
	return res
}

// inFreshFolder reports whether a is a new file's upload or a cloud move into a folder
// that a cloud folder creation of this run made (one of its dependencies, done): see
// remote.InFreshFolder.
func (s *scheduler) inFreshFolder(a plan.Action) bool {
	if !(a.Op == plan.Upload && a.Remote == nil || a.Op == plan.MoveRemote) {
		return false
	}
	dir := path.Dir(a.To)
	if s.r.env.Made.Has(dir) {
		return true
	}
	for _, id := range a.After {
		j, ok := s.byID[id]
		if ok && s.acts[j].Op == plan.MkdirRemote && s.acts[j].To == dir && s.state[j] == stDone {
			return true
		}
	}
	return false
}

type completion struct {
	i   int
	res Result
}

func (s *scheduler) run(ctx context.Context, acts []plan.Action) {
	n := len(acts)
	s.acts, s.state, s.waiting, s.users = acts, make([]actState, n), make([]int, n), make([][]int, n)
	byID := make(map[int]int, n)
	s.byID = byID
	var bad []int
	for i, a := range acts {
		if _, dup := byID[a.ID]; dup {
			bad = append(bad, i)
			continue
		}
		byID[a.ID] = i
	}
	for i, a := range acts {
		for _, id := range a.After {
			j, ok := byID[id]
			if !ok || j == i {
				bad = append(bad, i)
				continue
			}
			s.waiting[i]++
			s.users[j] = append(s.users[j], i)
		}
	}
	for _, i := range bad {
		if s.state[i] == stWaiting {
			s.fail(i, Result{Action: acts[i], Skipped: true, Local: acts[i].Local, Remote: acts[i].Remote,
				Err: fmt.Errorf("%w: action %d has a duplicate ID or an unknown dependency", ErrBadPlan, acts[i].ID)})
		}
	}
	for i := range acts {
		if s.state[i] == stWaiting && s.waiting[i] == 0 {
			s.state[i] = stReady
			s.insertReady(i)
		}
	}

	s.countUploads()
	// Buffered for every action, so a worker never blocks on sending its completion.
	doneCh := make(chan completion, n)
	running := 0
	for {
		for running < s.r.env.Parallel && len(s.ready)+len(s.readyDirs) > 0 && ctx.Err() == nil {
			i := s.next()
			s.state[i] = stRunning
			running++
			fresh := s.inFreshFolder(s.acts[i])
			go func(i int) {
				res := s.do(ctx, i, fresh)
				if res.pending == nil { // a held upload is reported when its folder is listed
					s.report(res) // before the completion: dependents start after done returned
				}
				doneCh <- completion{i, res}
			}(i)
		}
		if running == 0 {
			if s.held.empty() {
				break
			}
			s.resolveHeld(ctx) // nothing else to run: list the folders written into
			continue
		}
		c := <-doneCh
		running--
		if c.res.pending != nil {
			s.hold(ctx, c.i, c.res)
		} else {
			s.finished(c.i, c.res)
		}
		s.uploaded(ctx, c.i)
	}

	// Whatever is left was cancelled before it started, or sits on a dependency cycle.
	for i, a := range acts {
		if s.state[i] != stWaiting && s.state[i] != stReady {
			continue
		}
		err := fmt.Errorf("%w: action %d is on a dependency cycle", ErrBadPlan, a.ID)
		if ctx.Err() != nil {
			err = fmt.Errorf("%w: %w", ErrSkipped, ctx.Err())
		}
		s.state[i] = stFailed
		s.report(Result{Action: a, Skipped: true, Err: err, Local: a.Local, Remote: a.Remote})
	}
}

// finished marks action i done (readying its dependents) or failed (skipping them), after
// its result was reported.
func (s *scheduler) finished(i int, res Result) {
	if res.Err != nil || res.Skipped {
		s.state[i] = stFailed
		s.skipUsers(i)
		return
	}
	s.state[i] = stDone
	if res.made {
		s.r.env.Made.add(s.acts[i].To)
	}
	for _, u := range s.users[i] {
		s.waiting[u]--
		if s.waiting[u] == 0 && s.state[u] == stWaiting {
			s.state[u] = stReady
			s.insertReady(u)
		}
	}
}

// fail reports action i as not done and skips everything depending on it.
func (s *scheduler) fail(i int, res Result) {
	s.state[i] = stFailed
	s.report(res)
	s.skipUsers(i)
}

func (s *scheduler) skipUsers(i int) {
	for _, u := range s.users[i] {
		if s.state[u] != stWaiting && s.state[u] != stReady {
			continue
		}
		if s.state[u] == stReady {
			s.removeReady(u)
		}
		a := s.acts[u]
		s.fail(u, Result{Action: a, Skipped: true, Local: a.Local, Remote: a.Remote,
			Err: fmt.Errorf("%w: depends on action %d (%s %s), which did not complete",
				ErrSkipped, s.acts[i].ID, s.acts[i].Op, s.acts[i].Path)})
	}
}

func (s *scheduler) insertReady(i int) {
	list := &s.ready
	if isDirOp(s.acts[i]) {
		list = &s.readyDirs
	}
	k := sort.SearchInts(*list, i)
	*list = append(*list, 0)
	copy((*list)[k+1:], (*list)[k:])
	(*list)[k] = i
}

func (s *scheduler) removeReady(i int) {
	list := &s.ready
	if isDirOp(s.acts[i]) {
		list = &s.readyDirs
	}
	if k := sort.SearchInts(*list, i); k < len(*list) && (*list)[k] == i {
		*list = append((*list)[:k], (*list)[k+1:]...)
	}
}

// planRunner runs single actions; it is shared by Run's workers and holds no mutable state.
type planRunner struct {
	env Env
	// localOwner maps the local ids the plan's actions carry to their item's key: the plan
	// knows those local items as those items (see localStillGone).
	localOwner map[string]string
}

// remotePath is the account-relative path of set-relative p.
func (r *planRunner) remotePath(p string) string { return remote.Join(r.env.RemoteRoot, p) }

// setPath is the set-relative path of account-relative p (p itself if it is outside the
// set's folder, which a well-behaved remote never returns).
func (r *planRunner) setPath(p string) string {
	p, root := remote.Clean(p), r.env.RemoteRoot
	switch {
	case root == "":
		return p
	case p == root:
		return ""
	case strings.HasPrefix(p, root+"/"):
		return p[len(root)+1:]
	}
	return p
}

// entry is the remote.Entry of snapshot node n, now at set-relative path p (an action's
// path, which accounts for the moves it depends on). IDIsPath is guessed from the id being
// the node's path (set- or account-relative): plan.Node does not carry the flag, and
// backends with path ids address entries by Path anyway.
func (r *planRunner) entry(n *plan.Node, p string) remote.Entry {
	e := remote.Entry{Path: r.remotePath(p)}
	if n != nil {
		e.ID, e.IsDir, e.Size, e.Version = n.ID, n.IsDir, n.Size, n.Version
		e.IDIsPath = n.ID == n.Path || n.ID == r.remotePath(n.Path)
	}
	return e
}

// node converts an entry returned by the remote to a set-relative snapshot node. A
// "sha256:" checksum becomes Hash (hex), the form local nodes use.
func (r *planRunner) node(e remote.Entry) *plan.Node {
	n := &plan.Node{Path: r.setPath(e.Path), IsDir: e.IsDir, ID: e.ID, Version: e.Version, Size: e.Size, ModTime: e.ModTime}
	if h, ok := strings.CutPrefix(e.Hash, "sha256:"); ok {
		n.Hash = strings.ToLower(h)
	}
	return n
}

// at returns a copy of n with Path p (nil for nil n).
func at(n *plan.Node, p string) *plan.Node {
	if n == nil {
		return nil
	}
	c := *n
	c.Path = p
	return &c
}

// remoteFailure fills res for a failed remote call; notFound is the reason for ErrNotFound.
func remoteFailure(res Result, what string, err error, notFound remote.Reason) Result {
	res.Err = fmt.Errorf("%s %s: %s: %w", res.Action.Op, res.Action.Path, what, err)
	res.Reason = remote.ReasonOf(err, notFound)
	return res
}

// localFailure fills res for a failed local operation; notFound is the reason for a missing
// path (usually missing_destination: a local folder to write into vanished).
func localFailure(res Result, what string, err error, notFound remote.Reason) Result {
	res.Err = fmt.Errorf("%s %s: %s: %w", res.Action.Op, res.Action.Path, what, err)
	res.Reason = localReason(err, notFound)
	return res
}

// localReason classifies a LocalFS error.
func localReason(err error, notFound remote.Reason) remote.Reason {
	switch {
	case err == nil, errors.Is(err, ErrLocalChanged), errors.Is(err, context.Canceled):
		return remote.ReasonNone
	case errors.Is(err, ErrExist), errors.Is(err, fs.ErrExist):
		return remote.ReasonNameClash
	case errors.Is(err, fs.ErrNotExist):
		return notFound
	case errors.Is(err, fs.ErrPermission):
		return remote.ReasonPermissionDenied
	case errors.Is(err, remote.ErrInvalidName):
		return remote.ReasonInvalidName
	}
	return remote.ReasonLocalIO
}

// badPlan reports an action whose snapshot lacks what its Op needs.
func badPlan(res Result, why string) Result {
	res.Skipped = true
	res.Err = fmt.Errorf("%w: %s %s: %s", ErrBadPlan, res.Action.Op, res.Action.Path, why)
	return res
}
