package webdav

import (
	"context"
	"fmt"
	"time"

	"github.com/cloudsync/cloudsync/syncer/remote"
)

// weakSettle is how long the upload of a file whose ETag is weak waits before it looks
// again: Apache marks a file's ETag weak during the second after each write (mod_dav_fs,
// ap_make_etag: the mtime is not older than the request), and turns it strong after that.
const weakSettle = 1100 * time.Millisecond

// replacedMeanwhile reports whether cur, the file at the upload's path now, is no longer the
// node replace describes.
func replacedMeanwhile(cur propfindResult, replace remote.Entry) bool {
	return cur.self.IsDir || cur.self.Version != replace.Version ||
		!replace.IDIsPath && replace.ID != "" && cur.self.ID != replace.ID
}

// changedError is the upload's ErrChanged for p.
func changedError(p string, replace remote.Entry, cur propfindResult) error {
	return &remote.Error{Kind: remote.ErrChanged, Op: "PUT", Path: p,
		Message: fmt.Sprintf("version %s is now %s", replace.Version, cur.self.Version)}
}

// strongAgain waits for the ETag of p to turn strong before a PUT replaces the file. A
// weak ETag cannot go in If-Match (RFC 9110 compares strongly), and without If-Match
// another client's write that lands between the PROPFIND check and the PUT is overwritten
// unseen. Apache's ETag is weak in the second after each write, so replacing a file written
// less than a second ago (by another client, or by this one a moment before) lost the
// other client's edit (TestACloudEditDuringAnUploadEndToEnd). It looks again after
// weakSettle, twice at most: the file must still be replace's version (ErrChanged
// otherwise). A server whose ETags stay weak is waited for once; its uploads then go
// without If-Match as before, checked by the PROPFIND alone.
func (c *Client) strongAgain(ctx context.Context, p string, replace remote.Entry, cur propfindResult) (propfindResult, error) {
	for range 2 {
		if !cur.weakETag || c.weakStays.Load() {
			return cur, nil
		}
		t := time.NewTimer(weakSettle)
		select {
		case <-ctx.Done():
			t.Stop()
			return cur, ctx.Err()
		case <-t.C:
		}
		var err error
		if cur, err = c.stat(ctx, p); err != nil {
			return cur, err
		}
		if replacedMeanwhile(cur, replace) {
			return cur, changedError(p, replace, cur)
		}
	}
	if cur.weakETag {
		c.weakStays.Store(true)
		c.log.Info("the server's ETags stay weak: uploads that replace a file cannot carry If-Match", "path", p)
	}
	return cur, nil
}
