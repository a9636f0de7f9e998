package webdav

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"os"
	"path"
	"strings"
	"testing"

	xwebdav "golang.org/x/net/webdav"

	"github.com/cloudsync/cloudsync/syncer/remote"
	"github.com/cloudsync/cloudsync/syncer/remote/remotetest"
)

// ciResolver finds names case-insensitively in an x/net/webdav file system, the way
// Alfresco's or IIS's WebDAV servers do.
type ciResolver struct{ fs xwebdav.FileSystem }

// resolve returns the stored path that name (cleaned, "/"-rooted) designates when every
// element is matched ignoring case, and whether it exists. For a missing last element the
// parent is still resolved.
func (c ciResolver) resolve(ctx context.Context, name string) (string, bool) {
	cur := "/"
	parts := strings.Split(strings.Trim(name, "/"), "/")
	if parts[0] == "" {
		return "/", true
	}
	for i, el := range parts {
		found := ""
		if f, err := c.fs.OpenFile(ctx, cur, os.O_RDONLY, 0); err == nil {
			infos, _ := f.Readdir(0)
			f.Close()
			for _, fi := range infos {
				if fi.Name() == el {
					found = el
					break
				}
				if found == "" && strings.EqualFold(fi.Name(), el) {
					found = fi.Name()
				}
			}
		}
		if found == "" {
			return path.Join(append([]string{cur}, parts[i:]...)...), false
		}
		cur = path.Join(cur, found)
	}
	return cur, true
}

// newCaseInsensitiveServer serves x/net/webdav with case-insensitive lookups: request
// paths resolve ignoring case, MKCOL and MOVE (Overwrite: F) refuse a name taken by any
// case variant, the node itself included, so a plain case-only MOVE gets 412.
func newCaseInsensitiveServer(t *testing.T) string {
	t.Helper()
	fs := xwebdav.NewMemFS()
	ci := ciResolver{fs}
	prefix := strings.TrimSuffix(davPrefix, "/")
	wrap := func(h http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			ctx := r.Context()
			name := path.Clean("/" + strings.TrimPrefix(r.URL.Path, prefix))
			real, exists := ci.resolve(ctx, name)
			switch r.Method {
			case "MKCOL":
				if exists {
					http.Error(w, "exists", http.StatusMethodNotAllowed)
					return
				}
			case "MOVE", "COPY":
				du, err := url.Parse(r.Header.Get("Destination"))
				if err != nil {
					http.Error(w, "bad destination", http.StatusBadRequest)
					return
				}
				dest := path.Clean("/" + strings.TrimPrefix(du.Path, prefix))
				dreal, dexists := ci.resolve(ctx, dest)
				if dexists && r.Header.Get("Overwrite") == "F" {
					http.Error(w, "destination exists", http.StatusPreconditionFailed)
					return
				}
				// Keep the requested spelling of the new name, in the stored parent.
				dreal = path.Join(path.Dir(dreal), path.Base(dest))
				du.Path, du.RawPath = prefix+dreal, ""
				r.Header.Set("Destination", du.String())
			}
			if strings.HasSuffix(r.URL.Path, "/") && real != "/" {
				real += "/"
			}
			r.URL.Path, r.URL.RawPath = prefix+real, ""
			h.ServeHTTP(w, r)
		})
	}
	return newXNetServer(t, fs, wrap)
}

// TestConformanceCaseInsensitiveServer runs the suite against a case-insensitive server:
// a case-only rename must still work (through a temporary name).
func TestConformanceCaseInsensitiveServer(t *testing.T) {
	t.Parallel()
	remotetest.Run(t, func(t *testing.T) remote.Remote {
		return newTestClient(t, newCaseInsensitiveServer(t), nil)
	})
}

func TestCaseOnlyRenameOnCaseInsensitiveServerKeepsContent(t *testing.T) {
	c := newTestClient(t, newCaseInsensitiveServer(t), nil)
	ctx := testCtx(t)
	buildTree(t, c, "report.txt", "other.txt")
	e, err := c.Stat(ctx, "report.txt")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Move(ctx, e, "Report.txt"); err != nil {
		t.Fatalf("case-only rename: %v", err)
	}
	es, err := c.ReadDir(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range es {
		names = append(names, e.Path)
	}
	if got := strings.Join(names, ","); got != "Report.txt,other.txt" && got != "other.txt,Report.txt" {
		t.Fatalf("after case-only rename the folder holds %q", names)
	}
	// A real clash with another node is still a clash, never a rename through a temp name.
	o, err := c.Stat(ctx, "other.txt")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Move(ctx, o, "REPORT.txt"); !errors.Is(err, remote.ErrNameClash) {
		t.Fatalf("moving other.txt onto a case variant of Report.txt = %v, want a name clash", err)
	}
	if got, _ := c.Stat(ctx, "other.txt"); got.Path != "other.txt" {
		t.Fatalf("other.txt after the refused move: %+v", got)
	}
}
