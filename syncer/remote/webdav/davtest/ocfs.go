package davtest

import (
	"context"
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/hex"
	"encoding/xml"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"os"
	"path"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	xwebdav "golang.org/x/net/webdav"
)

// ocFS dresses golang.org/x/net/webdav's memory file system as an ownCloud/Nextcloud
// server for the client's tests, with the behaviour of Nextcloud's apps/dav the client
// relies on: every node gets an oc:fileid that survives renames (FilesPlugin), files an ETag that changes on every write, folders a getetag that changes whenever
// anything below them changes (the file cache's etag propagation to the root), files
// oc:checksums, folders DAV:quota-available-bytes (RFC 4331), and a PUT answers with ETag,
// OC-ETag and OC-FileId headers (FilesPlugin::afterMethod… / File::put). It exists because
// no such server can run here, and the client's id and List-reuse paths must be exercised
// against a real WebDAV handler, not canned XML. (No chunked upload: the client sends none.)
type ocFS struct {
	xwebdav.FileSystem
	mu    sync.Mutex
	ids   map[string]string // cleaned path → file id
	gen   map[string]int    // cleaned file path → write generation
	seq   int
	props atomic.Int64 // PROPFIND requests served (see ocServer.propfinds)
	// tags caches folders' propagated ETags (treeTag), as Nextcloud's file cache stores
	// them: a write drops the tags of the folders above it. epoch counts the drops, so
	// that a tag computed while a write happened is not kept.
	tags     map[string]string
	epoch    uint64
	computed atomic.Int64 // folder tags computed (not taken from the cache)
}

// newOCFS dresses fs (nil: a fresh memory tree) as ownCloud.
func newOCFS(fs xwebdav.FileSystem) *ocFS {
	if fs == nil {
		fs = xwebdav.NewMemFS()
	}
	o := &ocFS{FileSystem: fs, ids: map[string]string{}, gen: map[string]int{}, tags: map[string]string{}}
	o.ids["/"] = "1"
	o.seq = 1
	return o
}

// changed drops the cached tags of name and the folders above it (all of them: every
// cached tag, when all). Callers hold mu.
func (o *ocFS) changed(name string, all bool) {
	o.epoch++
	if all {
		clear(o.tags)
		return
	}
	for {
		delete(o.tags, name)
		if name == "/" {
			return
		}
		name = path.Dir(name)
	}
}

func clean(name string) string { return path.Clean("/" + name) }

func (o *ocFS) assign(name string) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.assignLocked(name)
}

// assignLocked gives name an id when it has none. Callers hold mu.
func (o *ocFS) assignLocked(name string) {
	if _, ok := o.ids[name]; !ok {
		o.seq++
		o.ids[name] = fmt.Sprintf("%08d", o.seq)
	}
	o.changed(name, false)
}

// served is the id of a node the server is serving: one that has none (written into the
// folder on disk directly, as in the benchmark's served folder) gets one, as Nextcloud's
// scanner gives a file it finds.
func (o *ocFS) served(name string) string {
	o.mu.Lock()
	defer o.mu.Unlock()
	if _, ok := o.ids[name]; !ok {
		o.assignLocked(name)
	}
	return o.ids[name]
}

func (o *ocFS) id(name string) string {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.ids[name]
}

func (o *ocFS) Mkdir(ctx context.Context, name string, perm os.FileMode) error {
	if err := o.FileSystem.Mkdir(ctx, name, perm); err != nil {
		return err
	}
	o.assign(clean(name))
	return nil
}

func (o *ocFS) OpenFile(ctx context.Context, name string, flag int, perm os.FileMode) (xwebdav.File, error) {
	f, err := o.FileSystem.OpenFile(ctx, name, flag, perm)
	if err != nil {
		return nil, err
	}
	n := clean(name)
	if flag&(os.O_WRONLY|os.O_RDWR) != 0 {
		o.assign(n)
		o.mu.Lock()
		o.gen[n]++
		o.changed(n, false)
		o.mu.Unlock()
	}
	return &ocFile{File: f, o: o, name: n}, nil
}

func (o *ocFS) RemoveAll(ctx context.Context, name string) error {
	if err := o.FileSystem.RemoveAll(ctx, name); err != nil {
		return err
	}
	n := clean(name)
	o.mu.Lock()
	defer o.mu.Unlock()
	o.changed(n, true)
	for k := range o.ids {
		if k == n || strings.HasPrefix(k, n+"/") {
			delete(o.ids, k)
			delete(o.gen, k)
		}
	}
	return nil
}

func (o *ocFS) Rename(ctx context.Context, oldName, newName string) error {
	if err := o.FileSystem.Rename(ctx, oldName, newName); err != nil {
		return err
	}
	from, to := clean(oldName), clean(newName)
	o.mu.Lock()
	defer o.mu.Unlock()
	o.changed(from, true)
	ids, gens := map[string]string{}, map[string]int{}
	for k, v := range o.ids {
		if k == from || strings.HasPrefix(k, from+"/") {
			ids[to+strings.TrimPrefix(k, from)] = v
			gens[to+strings.TrimPrefix(k, from)] = o.gen[k]
			delete(o.ids, k)
			delete(o.gen, k)
		}
	}
	for k, v := range ids {
		o.ids[k] = v
		o.gen[k] = gens[k]
	}
	return nil
}

func (o *ocFS) Stat(ctx context.Context, name string) (os.FileInfo, error) {
	fi, err := o.FileSystem.Stat(ctx, name)
	if err != nil {
		return nil, err
	}
	return &ocInfo{FileInfo: fi, o: o, name: clean(name)}, nil
}

// fileTag is a file's ETag: its id and write generation.
func (o *ocFS) fileTag(name string) string {
	o.served(name)
	o.mu.Lock()
	defer o.mu.Unlock()
	return fmt.Sprintf(`"%s-%d"`, o.ids[name], o.gen[name])
}

// treeTag is a folder's propagated ETag: a hash over its subtree's names and file tags.
func (o *ocFS) treeTag(ctx context.Context, name string) (string, error) {
	o.mu.Lock()
	tag, ok := o.tags[name]
	epoch := o.epoch
	o.mu.Unlock()
	if ok {
		return tag, nil
	}
	tag, err := o.computeTag(ctx, name)
	if err != nil {
		return "", err
	}
	o.mu.Lock()
	if o.epoch == epoch {
		o.tags[name] = tag
	}
	o.mu.Unlock()
	return tag, nil
}

// computeTag is treeTag without the cache.
func (o *ocFS) computeTag(ctx context.Context, name string) (string, error) {
	o.computed.Add(1)
	f, err := o.FileSystem.OpenFile(ctx, name, os.O_RDONLY, 0)
	if err != nil {
		return "", err
	}
	infos, err := f.Readdir(0)
	f.Close()
	if err != nil {
		return "", err
	}
	sort.Slice(infos, func(i, j int) bool { return infos[i].Name() < infos[j].Name() })
	h := sha256.New()
	fmt.Fprintf(h, "%s\n", o.served(name))
	for _, fi := range infos {
		child := path.Join(name, fi.Name())
		tag := o.fileTag(child)
		if fi.IsDir() {
			if tag, err = o.treeTag(ctx, child); err != nil {
				return "", err
			}
		}
		fmt.Fprintf(h, "%s %s\n", fi.Name(), tag)
	}
	return `"` + hex.EncodeToString(h.Sum(nil))[:20] + `"`, nil
}

type ocInfo struct {
	os.FileInfo
	o    *ocFS
	name string
}

// ETag implements xwebdav.ETager for files.
func (i *ocInfo) ETag(ctx context.Context) (string, error) { return i.o.fileTag(i.name), nil }

type ocFile struct {
	xwebdav.File
	o    *ocFS
	name string
}

func (f *ocFile) Stat() (os.FileInfo, error) {
	fi, err := f.File.Stat()
	if err != nil {
		return nil, err
	}
	return &ocInfo{FileInfo: fi, o: f.o, name: f.name}, nil
}

func (f *ocFile) Readdir(n int) ([]fs.FileInfo, error) {
	infos, err := f.File.Readdir(n)
	for i, fi := range infos {
		infos[i] = &ocInfo{FileInfo: fi, o: f.o, name: path.Join(f.name, fi.Name())}
	}
	return infos, err
}

// DeadProps implements xwebdav.DeadPropsHolder: oc:fileid for all, getetag and
// quota-available-bytes for folders (x/net/webdav gives folders neither), oc:checksums for
// files.
func (f *ocFile) DeadProps() (map[xml.Name]xwebdav.Property, error) {
	ctx := context.Background()
	fi, err := f.File.Stat()
	if err != nil {
		return nil, err
	}
	oc := "http://owncloud.org/ns"
	m := map[xml.Name]xwebdav.Property{}
	add := func(space, local, inner string) {
		n := xml.Name{Space: space, Local: local}
		m[n] = xwebdav.Property{XMLName: n, InnerXML: []byte(inner)}
	}
	add(oc, "fileid", f.o.served(f.name))
	if fi.IsDir() {
		add("DAV:", "quota-available-bytes", "10737418240")
		tag, err := f.o.treeTag(ctx, f.name)
		if err != nil {
			return nil, err
		}
		add("DAV:", "getetag", tag)
		return m, nil
	}
	rf, err := f.o.FileSystem.OpenFile(ctx, f.name, os.O_RDONLY, 0)
	if err != nil {
		return nil, err
	}
	defer rf.Close()
	s1, m5 := sha1.New(), md5.New()
	if _, err := io.Copy(io.MultiWriter(s1, m5), rf); err != nil {
		return nil, err
	}
	add(oc, "checksums", fmt.Sprintf(`<checksum xmlns="%s">SHA1:%x MD5:%x ADLER32:0badc0de</checksum>`, oc, s1.Sum(nil), m5.Sum(nil)))
	return m, nil
}

func (f *ocFile) Patch(patches []xwebdav.Proppatch) ([]xwebdav.Propstat, error) {
	var ps xwebdav.Propstat
	ps.Status = http.StatusForbidden
	for _, p := range patches {
		ps.Props = append(ps.Props, p.Props...)
	}
	return []xwebdav.Propstat{ps}, nil
}

// OCServer is a running ownCloud-like server (see ocFS).
type OCServer struct {
	// URL is the base URL of the tree (Prefix on 127.0.0.1).
	URL string
	fs  *ocFS
}

// Propfinds returns how many PROPFIND requests the server has answered.
func (s *OCServer) Propfinds() int64 { return s.fs.props.Load() }

// ServeOC starts an ownCloud-like server on 127.0.0.1 until t ends: ocFS behind
// x/net/webdav and Basic auth, with If-Match and If-None-Match on PUT enforced and the
// OC-FileId and OC-ETag headers of a PUT's answer, as Nextcloud does. front, when given,
// wraps the whole server (a meter in front of it).
func ServeOC(t testing.TB, front ...func(http.Handler) http.Handler) *OCServer {
	t.Helper()
	url, stop, o, err := serveOC(nil, front...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { stop() })
	return &OCServer{URL: url, fs: o}
}

// serveOC serves ocFS over fs (nil: a fresh memory tree) on a fresh 127.0.0.1 port (see
// ServeOC).
func serveOC(fs xwebdav.FileSystem, front ...func(http.Handler) http.Handler) (string, func() error, *ocFS, error) {
	o := newOCFS(fs)
	prefix := strings.TrimSuffix(Prefix, "/")
	wrap := func(h http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			name := clean(strings.TrimPrefix(r.URL.Path, prefix))
			switch r.Method {
			case "PROPFIND":
				o.props.Add(1)
			case http.MethodPut:
				fi, err := o.FileSystem.Stat(r.Context(), name)
				exists := err == nil
				if r.Header.Get("If-None-Match") == "*" && exists {
					http.Error(w, "exists", http.StatusPreconditionFailed)
					return
				}
				if im := r.Header.Get("If-Match"); im != "" && (!exists || fi.IsDir() || im != o.fileTag(name)) {
					http.Error(w, "etag mismatch", http.StatusPreconditionFailed)
					return
				}
				w = &ocPutWriter{ResponseWriter: w, o: o, name: name}
			}
			h.ServeHTTP(w, r)
		})
	}
	h := XNetHandler(o, wrap)
	for _, f := range front {
		h = f(h)
	}
	url, stop, err := serve(h)
	return url, stop, o, err
}

// FileSystem is the server's tree, for a test that changes it directly as another client
// of the server would (ids follow renames; every write is a new version).
func (s *OCServer) FileSystem() xwebdav.FileSystem { return s.fs }

// ID returns the oc:fileid of the node at name ("/"-rooted), "" when there is none.
func (s *OCServer) ID(name string) string { return s.fs.id(clean(name)) }

// ocPutWriter adds Nextcloud's OC-FileId and OC-ETag headers to a successful PUT's answer
// (written once the file holds the new content).
type ocPutWriter struct {
	http.ResponseWriter
	o    *ocFS
	name string
}

func (w *ocPutWriter) WriteHeader(code int) {
	if code/100 == 2 {
		w.Header().Set("OC-FileId", w.o.id(w.name)+"ocinstance")
		w.Header().Set("OC-ETag", w.o.fileTag(w.name))
	}
	w.ResponseWriter.WriteHeader(code)
}
