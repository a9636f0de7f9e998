package exec

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"io/fs"
	"path"
	"strings"
	"time"

	"github.com/cloudsync/cloudsync/syncer/plan"
	"github.com/cloudsync/cloudsync/syncer/remote"
)

// errChangedWhileRead is what an upload's reader returns instead of EOF when the local file
// changed while it was read, so that the backend aborts the upload instead of storing a torn
// version.
var errChangedWhileRead = errors.New("local file changed while it was read")

// download fetches remote Path into local To through a staged temp file, committed only if
// the local target is still what the plan saw (a.Local, or absent). Same content already
// in place: nothing is written (Identical).
func (r *planRunner) download(ctx context.Context, res Result) Result {
	a := res.Action
	if a.Remote == nil {
		return badPlan(res, "no remote snapshot")
	}
	if a.Remote.IsDir {
		return r.mkdirLocal(res)
	}
	st, rres, ok := r.fetch(ctx, res)
	if !ok {
		return rres
	}
	defer st.Discard()
	res.Remote, res.Hash = at(a.Remote, a.Path), st.Hash()
	if a.Local != nil && a.Local.Hash != "" && a.Local.Hash == st.Hash() {
		cur, err := r.env.Local.Stat(a.To)
		if err == nil && sameLocal(cur, *a.Local) {
			res.Local, res.Identical = at(&cur, a.To), true
			return res
		}
	}
	r.stageMeta(&res, st)
	n, err := st.Commit(a.Local, "", time.Time{})
	if err != nil {
		return localFailure(res, "commit", err, remote.ReasonMissingDestination)
	}
	res.Local = at(&n, a.To)
	return res
}

// fetch streams remote Path into a staged file beside local To and verifies it against the
// listing (size when known, sha256 when the server gave one). ok false: res describes the
// failure and nothing is staged.
func (r *planRunner) fetch(ctx context.Context, res Result) (Staged, Result, bool) {
	a := res.Action
	e := r.entry(a.Remote, a.Path)
	rc, err := r.env.Remote.Open(ctx, e, 0)
	if err != nil {
		return nil, remoteFailure(res, "open", err, remote.ReasonTargetDeleted), false
	}
	rr := &resumeReader{ctx: ctx, rem: r.env.Remote, e: e, rc: rc}
	st, err := r.env.Local.Stage(ctx, a.To, r.counted(rr, a.To))
	rr.rc.Close()
	switch {
	case rr.err != nil:
		if st != nil {
			st.Discard()
		}
		return nil, remoteFailure(res, "read", rr.err, remote.ReasonTargetDeleted), false
	case err != nil:
		return nil, localFailure(res, "stage", err, remote.ReasonMissingDestination), false
	}
	if a.Remote.Size > 0 && st.Size() != a.Remote.Size {
		err = fmt.Errorf("%w: received %d bytes, the listing said %d", remote.ErrChanged, st.Size(), a.Remote.Size)
	} else if h, ok := sha256Of(a.Remote.Hash); ok && !strings.EqualFold(h, st.Hash()) {
		err = fmt.Errorf("%w: content does not match the server's sha256", remote.ErrChanged)
	}
	if err != nil {
		st.Discard()
		return nil, remoteFailure(res, "verify", err, remote.ReasonTargetDeleted), false
	}
	return st, res, true
}

// sameLocal reports whether cur is still the file or folder snapshot n describes.
func sameLocal(cur, n plan.Node) bool {
	return cur.ID == n.ID && cur.IsDir == n.IsDir && (n.IsDir || cur.Version == n.Version)
}

// conflict resolves an edit/edit conflict: the cloud version takes local To, the local
// version is kept beside it as a conflict copy (made before the name is replaced), unless
// both contents are equal, or the cloud's content is still the base's (Action.BaseHash: only
// its metadata changed), when the local edit is uploaded instead. A local folder in the
// way is renamed to a conflict copy first.
func (r *planRunner) conflict(ctx context.Context, res Result) Result {
	a := res.Action
	if a.Remote == nil {
		return badPlan(res, "no remote snapshot")
	}
	if a.Remote.IsDir && (a.Local == nil || a.Local.IsDir) {
		return r.mkdirLocal(res) // folders merge: nothing to keep apart
	}
	if a.Local != nil && a.Local.IsDir != a.Remote.IsDir {
		// File versus folder: move the local item out of the way, then take the cloud's.
		cur, err := r.env.Local.Stat(a.To)
		if err != nil || !sameLocal(cur, *a.Local) {
			return localFailure(res, "re-check", recheckErr(err), remote.ReasonNone)
		}
		backup := r.env.Local.FreeName(a.To, r.env.Now())
		if _, err := r.env.Local.Rename(a.To, backup); err != nil {
			return localFailure(res, "keep conflict copy", err, remote.ReasonMissingDestination)
		}
		// The name is free now: take the cloud's item as if it were new locally.
		fresh := res
		fresh.Action.Local, fresh.Local = nil, nil
		var out Result
		if a.Remote.IsDir {
			out = r.mkdirLocal(fresh)
		} else {
			out = r.download(ctx, fresh)
		}
		out.Action, out.ConflictCopy = res.Action, backup
		return out
	}
	st, rres, ok := r.fetch(ctx, res)
	if !ok {
		return rres
	}
	defer st.Discard()
	res.Remote, res.Hash = at(a.Remote, a.Path), st.Hash()
	backup := ""
	if a.Local != nil {
		cur, localHash, err := r.localHash(*a.Local, a.To)
		if err != nil {
			return localFailure(res, "hash local version", err, remote.ReasonNone)
		}
		if localHash == st.Hash() {
			res.Local, res.Identical = at(&cur, a.To), true
			return res
		}
		if a.BaseHash != "" && st.Hash() == a.BaseHash {
			// The cloud still has the content of the last sync: its version moved for
			// something else (a move, a title edit). Only the local side was edited.
			up := res
			up.Action.Op, up.Action.Path, up.Action.To = plan.Upload, a.To, a.Path
			out := r.upload(ctx, up)
			out.Action = a
			return out
		}
		backup = r.env.Local.FreeName(a.To, r.env.Now())
	}
	r.stageMeta(&res, st)
	n, err := st.Commit(a.Local, backup, time.Time{})
	if err != nil {
		return localFailure(res, "commit", err, remote.ReasonMissingDestination)
	}
	res.Local, res.ConflictCopy = at(&n, a.To), backup
	return res
}

// conflictUpload resolves a cloud change that may be this engine's own interrupted upload
// (plan.ConflictUpload): the cloud version of To is first kept as a new local-only conflict
// copy beside Path (staged, verified and committed like a download), then local Path is
// uploaded over To. The copy exists before the upload replaces the cloud's bytes, so
// neither version is lost if either step fails.
func (r *planRunner) conflictUpload(ctx context.Context, res Result) Result {
	a := res.Action
	if a.Remote == nil || a.Local == nil || a.Remote.IsDir || a.Local.IsDir {
		return badPlan(res, "conflict-upload needs a local and a remote file")
	}
	backup := r.env.Local.FreeName(a.Path, r.env.Now())
	keep := res
	keep.Action.Path, keep.Action.To = a.To, backup // read the cloud's To, stage beside local Path
	st, failed, ok := r.fetch(ctx, keep)
	if !ok {
		failed.Action = a
		return failed
	}
	if ms, ok := st.(MetaStaged); ok && a.Remote.Meta != nil && !a.Remote.Meta.IsZero() {
		_ = ms.SetMeta(*a.Remote.Meta) // the copy keeps the cloud version's metadata; best effort
	}
	_, err := st.Commit(nil, "", time.Time{})
	st.Discard()
	if err != nil {
		return localFailure(res, "keep conflict copy", err, remote.ReasonMissingDestination)
	}
	out := r.upload(ctx, res)
	out.ConflictCopy = backup
	return out
}

// localHash returns the current state of local file p, which must still be snapshot n
// (ErrLocalChanged otherwise), and its content hash: n.Hash when the scan computed it,
// else read from the file.
func (r *planRunner) localHash(n plan.Node, p string) (plan.Node, string, error) {
	cur, err := r.env.Local.Stat(p)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			err = fmt.Errorf("%w: %w", ErrLocalChanged, err)
		}
		return cur, "", err
	}
	if !sameLocal(cur, n) {
		return cur, "", ErrLocalChanged
	}
	if n.Hash != "" {
		return cur, n.Hash, nil
	}
	f, opened, err := r.env.Local.Open(p)
	if err != nil {
		return cur, "", err
	}
	defer f.Close()
	if !sameLocal(opened, n) {
		return cur, "", ErrLocalChanged
	}
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return cur, "", err
	}
	return opened, hex.EncodeToString(h.Sum(nil)), nil
}

// upload sends local file Path to remote To (a new version of a.Remote when set). The file
// is hashed as it is read; if it changed while being read the reader fails before EOF so
// the backend aborts, and if it changed after the read the upload is repeated with the new
// content (at most remote.UploadAttempts in all). On success Result.Local is the local version
// whose content the remote now holds, even if the file changed again after the last
// attempt: the next pass then sees a plain local edit.
//
// FAILURE-MODES 19 (a zero-byte file with the base's mtime must not replace good remote
// content) is not checked here: an action does not carry the base's size and mtime, so the
// planner, which has them, must turn that case into a Fail.
func (r *planRunner) upload(ctx context.Context, res Result) Result {
	a := res.Action
	if a.Local != nil && a.Local.IsDir {
		return badPlan(res, "upload of a folder")
	}
	dst := r.remotePath(a.To)
	var replace *remote.Entry
	if a.Remote != nil {
		e := r.entry(a.Remote, a.To)
		replace = &e
	}
	for attempt := 1; ; attempt++ {
		if pd := remote.PendingOf(ctx); pd != nil && pd.Deferred {
			// The last attempt left the look at what it stored to the folder's listing
			// (remote.DeferLookup); this one replaces it, and needs its entry now.
			pd.Deferred = false
			e := r.resolveUpload(ctx, Result{Action: a, Remote: res.Remote, pending: pd}, nil)
			if e.Err != nil {
				return e
			}
			ent := r.entry(e.Remote, a.To)
			replace, res.Remote = &ent, e.Remote
		}
		f, opened, err := r.env.Local.Open(a.Path)
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				err = fmt.Errorf("%w: %w", ErrLocalChanged, err)
			}
			return localFailure(res, "open", err, remote.ReasonNone)
		}
		if opened.IsDir || (a.Local != nil && opened.ID != a.Local.ID) {
			f.Close()
			return localFailure(res, "open", fmt.Errorf("%w: %s is another item now", ErrLocalChanged, a.Path), remote.ReasonNone)
		}
		ur := &uploadReader{r: f, left: opened.Size, h: sha256.New(), verify: func() bool {
			cur, err := r.env.Local.Stat(a.Path)
			return err == nil && sameLocal(cur, opened)
		}}
		e, err := r.env.Remote.Upload(ctx, dst, replace, r.counted(ur, a.Path), opened.Size)
		f.Close()
		if err == nil {
			replace = &e
			res.Remote = r.node(e)
		}
		switch {
		case ur.changed:
			if attempt < remote.UploadAttempts && ctx.Err() == nil {
				continue
			}
			return localFailure(res, "read", ErrKeptChanging, remote.ReasonNone)
		case ur.readErr != nil:
			return localFailure(res, "read", ur.readErr, remote.ReasonNone)
		case err != nil:
			return remoteFailure(res, "upload", err, r.notFoundAt(ctx, a.To, replace != nil))
		}
		res.Local, res.Hash = at(&opened, a.Path), hex.EncodeToString(ur.h.Sum(nil))
		res.Local.Hash = res.Hash
		if attempt < remote.UploadAttempts && ctx.Err() == nil {
			if cur, err := r.env.Local.Stat(a.Path); err == nil && cur.ID == opened.ID && cur.Version != opened.Version {
				continue // changed after it was read: send the newer content
			}
		}
		return res
	}
}

// notFoundAt decides what a not-found from a mutation of set-relative p means: the folder
// p goes into is gone (missing_destination), or — when the item itself existed before
// (itemExisted) and its folder is still there — the item was deleted (target_deleted).
func (r *planRunner) notFoundAt(ctx context.Context, p string, itemExisted bool) remote.Reason {
	if !itemExisted {
		return remote.ReasonMissingDestination
	}
	if _, err := r.env.Remote.Stat(ctx, r.remotePath(path.Dir("/" + p)[1:])); errors.Is(err, remote.ErrNotFound) {
		return remote.ReasonMissingDestination
	}
	return remote.ReasonTargetDeleted
}

// counted reports what is read from rd as progress of path (Env.Progress), or returns rd
// when nobody listens.
func (r *planRunner) counted(rd io.Reader, path string) io.Reader {
	if r.env.Progress == nil {
		return rd
	}
	return &progressReader{r: rd, path: path, f: r.env.Progress}
}

// progressReader passes reads through, reporting their sizes.
type progressReader struct {
	r    io.Reader
	path string
	f    func(string, int64)
}

func (p *progressReader) Read(b []byte) (int, error) {
	n, err := p.r.Read(b)
	if n > 0 {
		p.f(p.path, int64(n))
	}
	return n, err
}

// uploadReader feeds exactly left bytes of a local file to an upload, hashing them. At the
// end it re-checks the file (verify); a file that changed, shrank or failed to read yields an
// error instead of EOF, so the backend does not store a torn version.
type uploadReader struct {
	r       io.Reader
	left    int64
	h       hash.Hash
	verify  func() bool
	checked bool
	changed bool
	readErr error
}

func (u *uploadReader) Read(p []byte) (int, error) {
	if u.changed {
		return 0, errChangedWhileRead
	}
	if u.readErr != nil {
		return 0, u.readErr
	}
	if u.left <= 0 {
		return 0, u.end()
	}
	if int64(len(p)) > u.left {
		p = p[:u.left]
	}
	n, err := u.r.Read(p)
	u.h.Write(p[:n])
	u.left -= int64(n)
	switch {
	case err == io.EOF && u.left > 0:
		u.changed = true // shrank while read
		return n, errChangedWhileRead
	case err != nil && err != io.EOF:
		u.readErr = err
		return n, err
	case u.left == 0:
		return n, u.end()
	}
	return n, nil
}

func (u *uploadReader) end() error {
	if !u.checked {
		u.checked = true
		u.changed = !u.verify()
	}
	if u.changed {
		return errChangedWhileRead
	}
	return io.EOF
}

// resumeReader reads a remote file and, when the stream breaks with a network error,
// reopens it at the offset already read (at most remote.DownloadResumes times) after checking that
// the remote version did not change meanwhile. It reads at most one byte more than e.Size
// (the listed size). err keeps the remote error that ended it.
type resumeReader struct {
	ctx     context.Context
	rem     remote.Remote
	e       remote.Entry
	rc      io.ReadCloser
	off     int64
	resumes int
	err     error
}

func (rr *resumeReader) Read(p []byte) (int, error) {
	// Never more than one byte past the listed size: an answer longer than the listing
	// (a server whose body never ends) is cut there and fails as a network error.
	if most := rr.e.Size - rr.off + 1; most >= 0 && int64(len(p)) > most {
		p = p[:most]
	}
	for {
		n, err := rr.rc.Read(p)
		rr.off += int64(n)
		if over := rr.off - rr.e.Size; over > 0 {
			rr.err = &remote.Error{Kind: remote.ErrNetwork, Op: "GET", Path: rr.e.Path,
				Message: fmt.Sprintf("the server sent more than the %d bytes the listing said", rr.e.Size)}
			return n - int(over), rr.err
		}
		if err == nil || err == io.EOF {
			return n, err
		}
		if !rr.resume(err) {
			rr.err = err
			return n, err
		}
		if n > 0 {
			return n, nil
		}
	}
}

// resume reopens the stream after err; false when err is not worth it or reopening failed.
func (rr *resumeReader) resume(err error) bool {
	if rr.resumes >= remote.DownloadResumes || rr.ctx.Err() != nil || remote.ReasonOf(err, "") != remote.ReasonNetwork {
		return false
	}
	if rr.e.Version != "" {
		cur, serr := rr.rem.Stat(rr.ctx, rr.e.Path)
		if serr != nil || cur.Version != rr.e.Version {
			return false
		}
	}
	rc, oerr := rr.rem.Open(rr.ctx, rr.e, rr.off)
	if oerr != nil {
		return false
	}
	rr.resumes++
	rr.rc.Close()
	rr.rc = rc
	return true
}

// sha256Of returns the hex SHA-256 carried by a remote node's Hash: "sha256:HEX", or bare
// hex (the form snapshot nodes use). Other checksum kinds give ok false.
func sha256Of(h string) (string, bool) {
	h = strings.TrimPrefix(h, "sha256:")
	if len(h) != 64 {
		return "", false
	}
	if _, err := hex.DecodeString(h); err != nil {
		return "", false
	}
	return h, true
}
