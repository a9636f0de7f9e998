package exec

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"

	"github.com/cloudsync/cloudsync/syncer/plan"
	"github.com/cloudsync/cloudsync/syncer/remote"
)

// Content checks the engine makes before planning, where a listing's metadata cannot tell
// two contents apart: a cloud file that may be an interrupted upload of a local one, and a
// cloud "move" on a server whose versions are only mtime+size.

// HashRemote returns the SHA-256 (hex) of remote file n (set-relative n.Path below the set's
// cloud folder root): the hash the listing gave, else read from the server. A file longer
// than n.Size is not read to its end: it changed since the listing (remote.ErrChanged).
func HashRemote(ctx context.Context, rem remote.Remote, root string, n plan.Node) (string, error) {
	if h, ok := sha256Of(n.Hash); ok {
		return h, nil
	}
	r := &planRunner{env: Env{Remote: rem, RemoteRoot: remote.Clean(root)}}
	rc, err := rem.Open(ctx, r.entry(&n, n.Path), 0)
	if err != nil {
		return "", err
	}
	defer rc.Close()
	h := sha256.New()
	got, err := io.Copy(h, io.LimitReader(rc, n.Size+1))
	switch {
	case err != nil:
		return "", err
	case got != n.Size:
		return "", fmt.Errorf("%s: %w: read %d bytes, the listing said %d", n.Path, remote.ErrChanged, got, n.Size)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// HashLocalPrefix returns the SHA-256 (hex) of the first size bytes of local file n. The
// file must still be n (same id and version) and hold at least size bytes, else the error
// wraps ErrLocalChanged.
func HashLocalPrefix(lfs LocalFS, n plan.Node, size int64) (string, error) {
	f, opened, err := lfs.Open(n.Path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	if !sameLocal(opened, n) || opened.Size < size {
		return "", fmt.Errorf("%s: %w", n.Path, ErrLocalChanged)
	}
	h := sha256.New()
	if _, err := io.CopyN(h, f, size); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}
