package exec

import (
	"context"
	"path"
	"sort"
	"time"

	"github.com/cloudsync/cloudsync/syncer/plan"
	"github.com/cloudsync/cloudsync/syncer/remote"
)

// heldUploads are new files uploaded into fresh folders whose remote left the look at
// the stored file to the caller (remote.DeferLookup: Apache answers a PUT without an
// ETag), by account-relative folder. They are reported once one listing of their folder
// (PROPFIND Depth 1) gave their entries, once the folder's last upload ran: N uploads into a folder cost N PUTs and one
// PROPFIND instead of N of each (issue 11).
type heldUploads struct {
	by   map[string][]heldUpload
	left map[string]int // uploads into each folder not run yet
}

type heldUpload struct {
	i   int
	res Result
}

// maxHeld bounds the uploads held per folder: the folder is listed when it has that many.
const maxHeld = 1000

func (h heldUploads) empty() bool { return len(h.by) == 0 }

// upDir is the account-relative folder upload a writes into.
func (s *scheduler) upDir(a plan.Action) string { return path.Dir("/" + s.r.remotePath(a.To))[1:] }

// countUploads counts the uploads into each folder, so a folder is listed as soon as the
// last of them ran (plan order keeps a folder's files together).
func (s *scheduler) countUploads() {
	s.held = heldUploads{by: map[string][]heldUpload{}, left: map[string]int{}}
	for _, a := range s.acts {
		if a.Op == plan.Upload {
			s.held.left[s.upDir(a)]++
		}
	}
}

// hold keeps the result of upload i until its folder is listed.
func (s *scheduler) hold(ctx context.Context, i int, res Result) {
	dir := s.upDir(res.Action)
	s.held.by[dir] = append(s.held.by[dir], heldUpload{i, res})
	if len(s.held.by[dir]) >= maxHeld {
		s.resolveDir(ctx, dir)
	}
}

// uploaded notes that action i ran; when it was the last upload into its folder, the
// folder's held uploads are resolved.
func (s *scheduler) uploaded(ctx context.Context, i int) {
	a := s.acts[i]
	if a.Op != plan.Upload {
		return
	}
	dir := s.upDir(a)
	if s.held.left[dir]--; s.held.left[dir] <= 0 && len(s.held.by[dir]) > 0 {
		s.resolveDir(ctx, dir)
	}
}

// resolveHeld lists every folder with held uploads, in order.
func (s *scheduler) resolveHeld(ctx context.Context) {
	dirs := make([]string, 0, len(s.held.by))
	for d := range s.held.by {
		dirs = append(dirs, d)
	}
	sort.Strings(dirs)
	for _, d := range dirs {
		s.resolveDir(ctx, d)
	}
}

// resolveDir lists folder dir once, gives each upload held there the entry listed for it,
// then reports it and readies what depends on it.
func (s *scheduler) resolveDir(ctx context.Context, dir string) {
	ups := s.held.by[dir]
	delete(s.held.by, dir)
	listed := map[string]remote.Entry{}
	if entries, err := s.r.env.Remote.ReadDir(ctx, dir); err == nil {
		for _, e := range entries {
			listed[remote.Clean(e.Path)] = e
		}
	}
	for _, u := range ups {
		res := s.r.resolveUpload(ctx, u.res, listed)
		s.report(res)
		s.finished(u.i, res)
	}
}

// resolveUpload gives a held upload the stored file's entry: the one listed when it is
// the file this upload wrote (same size, mtime not later than the server's answer to the
// PUT, pd.Until), else a look at the file alone (PROPFIND Depth 0, as without the listing), which
// fails when it shows another file than the one written: a stranger's content is never
// recorded as this upload's.
func (r *planRunner) resolveUpload(ctx context.Context, res Result, listed map[string]remote.Entry) Result {
	pd, size := res.pending, res.Remote.Size
	res.pending = nil
	dst := remote.Clean(r.remotePath(res.Action.To))
	e, ok := listed[dst]
	if !ok || !wrote(e, size, pd) {
		var err error
		e, err = r.env.Remote.Stat(ctx, dst)
		if err == nil && !wrote(e, size, pd) {
			err = &remote.Error{Kind: remote.ErrChanged, Op: "PROPFIND", Path: dst,
				Message: "the stored file is not the one this upload wrote (size or mtime differ)"}
		}
		if err != nil {
			return remoteFailure(res, "upload", err, remote.ReasonMissingDestination)
		}
	}
	res.Remote = r.node(e)
	return res
}

// wrote reports whether listed entry e can be the file an upload of size bytes stored,
// which the server answered by pd.Until (a file's mtime is not later than that second).
func wrote(e remote.Entry, size int64, pd *remote.Pending) bool {
	if e.IsDir || e.Size != size {
		return false
	}
	return pd.Until.IsZero() || e.ModTime.IsZero() || !e.ModTime.After(pd.Until.Add(time.Second))
}
