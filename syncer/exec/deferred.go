package exec

import (
	"context"
	"path"
	"sort"
	"time"

	"github.com/cloudsync/cloudsync/syncer/remote"
)

// heldUploads are new files uploaded into fresh folders whose remote left the look at
// the stored file to the caller (remote.DeferLookup: Apache answers a PUT without an
// ETag), by account-relative folder. They are reported once one listing of their folder
// (PROPFIND Depth 1) gave their entries: N uploads into a folder cost N PUTs and one
// PROPFIND instead of N of each (issue 11).
type heldUploads map[string][]heldUpload

type heldUpload struct {
	i   int
	res Result
}

// maxHeld bounds the uploads held per folder: the folder is listed when it has that many.
const maxHeld = 1000

func (h heldUploads) empty() bool { return len(h) == 0 }

// hold keeps the result of upload i until its folder is listed.
func (s *scheduler) hold(ctx context.Context, i int, res Result) {
	if s.held == nil {
		s.held = heldUploads{}
	}
	dir := path.Dir("/" + s.r.remotePath(res.Action.To))[1:]
	s.held[dir] = append(s.held[dir], heldUpload{i, res})
	if len(s.held[dir]) >= maxHeld {
		s.resolveDir(ctx, dir)
	}
}

// resolveHeld lists every folder with held uploads, in order.
func (s *scheduler) resolveHeld(ctx context.Context) {
	dirs := make([]string, 0, len(s.held))
	for d := range s.held {
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
	ups := s.held[dir]
	delete(s.held, dir)
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
// PUT), else a look at the file alone (PROPFIND Depth 0, as without the listing), which
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
// which the server answered at pd.Date (a file's mtime is not later than that second).
func wrote(e remote.Entry, size int64, pd *remote.Pending) bool {
	if e.IsDir || e.Size != size {
		return false
	}
	return pd.Date.IsZero() || e.ModTime.IsZero() || !e.ModTime.After(pd.Date.Add(time.Second))
}
