package webdav

import (
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cloudsync/cloudsync/syncer/remote"
	"github.com/cloudsync/cloudsync/syncer/remote/webdav/davtest"
)

// lockBody is a LOCK request for an exclusive write lock.
const lockBody = `<?xml version="1.0" encoding="utf-8"?><d:lockinfo xmlns:d="DAV:">` +
	`<d:lockscope><d:exclusive/></d:lockscope><d:locktype><d:write/></d:locktype>` +
	`<d:owner>another client</d:owner></d:lockinfo>`

// TestLockedFileFailsAsLockedWithTheServersAnswer: on every real server that takes locks, a
// file another client locked cannot be replaced or deleted, and the error the user sees is
// locked (423) with the server's status in the details, not network.
func TestLockedFileFailsAsLockedWithTheServersAnswer(t *testing.T) {
	for _, name := range realServers {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			c := sharedFolder(t, name)
			if !c.caps.Locking {
				t.Skipf("skipped: %s takes no locks", name)
			}
			ctx := testCtx(t)
			e, err := c.Upload(ctx, "f.txt", nil, strings.NewReader("v1"), 2)
			if err != nil {
				t.Fatal(err)
			}
			req, err := c.newRequest(ctx, "LOCK", "f.txt", false, strings.NewReader(lockBody))
			if err != nil {
				t.Fatal(err)
			}
			req.Header.Set("Content-Type", "application/xml; charset=utf-8")
			req.Header.Set("Timeout", "Second-60")
			resp, err := c.do(req, "f.txt", false, http.StatusOK, http.StatusCreated)
			if err != nil {
				t.Fatalf("LOCK: %v", err)
			}
			resp.Body.Close()
			_, err = c.Upload(ctx, "f.txt", &e, strings.NewReader("v2 from us"), 10)
			wantLocked(t, "Upload onto a locked file", err)
			wantLocked(t, "Delete of a locked file", c.Delete(ctx, e))
		})
	}
}

func wantLocked(t *testing.T, what string, err error) {
	t.Helper()
	if !errors.Is(err, remote.ErrLocked) || remote.ReasonOf(err, remote.ReasonTargetDeleted) != remote.ReasonLocked ||
		remote.StatusOf(err) != http.StatusLocked || !strings.Contains(err.Error(), "423") {
		t.Errorf("%s: %v (reason %q), want locked with HTTP 423 in the details", what, err, remote.ReasonOf(err, ""))
	}
}

// TestReadOnlyFolderIsRefusedAndNothingChanges: a folder the server's user may not write
// (another account's share, a read-only mount), on the servers that run as their own user
// (as root, Apache, lighttpd and nginx serve as www-data). MKCOL and DELETE are refused with
// 403: permission_denied. PUT and MOVE get a bare 500 from all three (their logs say
// "Permission denied"), which is all the client can report: a server error with its status,
// retried with back-off. lighttpd copies a file it cannot move and answers 204: the client
// notices, removes the copy and reports permission_denied. Nothing is ever changed.
func TestReadOnlyFolderIsRefusedAndNothingChanges(t *testing.T) {
	for _, name := range []string{davtest.Apache, davtest.Lighttpd, davtest.Nginx} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			srv := davtest.Shared(t, name)
			if os.Geteuid() != 0 {
				t.Skipf("skipped: %s runs as this user, who owns the folder", name)
			}
			url, dir := srv.NewFolder(t)
			c := newProbedClient(t, url)
			ctx := testCtx(t)
			if _, err := c.Mkdir(ctx, "ro"); err != nil {
				t.Fatal(err)
			}
			e, err := c.Upload(ctx, "ro/f.txt", nil, strings.NewReader("v1"), 2)
			if err != nil {
				t.Fatal(err)
			}
			if err := os.Chmod(filepath.Join(dir, "ro"), 0o555); err != nil {
				t.Fatal(err)
			}
			_, err = c.Upload(ctx, "ro/new.txt", nil, strings.NewReader("x"), 1)
			wantRefused(t, "Upload into a read-only folder", err)
			_, err = c.Mkdir(ctx, "ro/sub")
			wantPermission(t, "Mkdir in a read-only folder", err)
			wantPermission(t, "Delete from a read-only folder", c.Delete(ctx, e))
			_, err = c.Move(ctx, e, "moved.txt")
			wantRefused(t, "Move out of a read-only folder", err)
			got, err := c.List(ctx, "", nil)
			if err != nil {
				t.Fatal(err)
			}
			if p := paths(got); strings.Join(p, ",") != "ro,ro/f.txt" {
				t.Errorf("after the refusals the folder holds %q, want only ro/f.txt", p)
			}
		})
	}
}

func paths(es []remote.Entry) []string {
	var out []string
	for _, e := range es {
		out = append(out, e.Path)
	}
	return out
}

// wantRefused accepts permission_denied, or a server error that carries its status.
func wantRefused(t *testing.T, what string, err error) {
	t.Helper()
	if remote.ReasonOf(err, "") == remote.ReasonPermissionDenied {
		return
	}
	if !errors.Is(err, remote.ErrServer) || remote.StatusOf(err) != http.StatusInternalServerError || !strings.Contains(err.Error(), "500") {
		t.Errorf("%s: %v, want permission_denied or the server's 500 in the details", what, err)
	}
}

func wantPermission(t *testing.T, what string, err error) {
	t.Helper()
	if remote.ReasonOf(err, remote.ReasonTargetDeleted) != remote.ReasonPermissionDenied || remote.StatusOf(err) != http.StatusForbidden {
		t.Errorf("%s: %v (reason %q, HTTP %d), want permission_denied with the server's 403",
			what, err, remote.ReasonOf(err, ""), remote.StatusOf(err))
	}
}
