// Package remotetest is the conformance suite every remote.Remote passes (in the manner of
// rclone's fstests): one Run that checks the contracts written in package remote — Stat,
// ReadDir and List on nested trees, uploads that never overwrite by accident, new versions
// that keep the node, ranged reads, Mkdir and Move that never replace an existing name,
// case-only renames, recursive and idempotent-failing deletes, awkward names, empty and
// 1 MiB files, and List with prev after a deep change. It uses only the Remote interface,
// so an in-memory double and a real server are held to the same rules.
//
// It may import syncer/remote of this module.
package remotetest

import (
	"bytes"
	"context"
	"errors"
	"io"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/cloudsync/cloudsync/syncer/remote"
)

// subtestTimeout bounds each case, so a hanging server fails the case instead of the run.
const subtestTimeout = 60 * time.Second

// Run runs the conformance suite. newRemote must return a remote whose base is a fresh,
// empty folder for each call (each case calls it once); it may register cleanups on t.
//
// A remote that is a remote.Prober is probed first (subtest Abilities, which logs what the
// server offers): a case that needs an ability the server lacks is skipped with the reason,
// and the abilities it claims are checked (ClaimedAbilitiesHold). Without a probe every case
// runs.
func Run(t *testing.T, newRemote func(t *testing.T) remote.Remote) {
	t.Helper()
	var caps *remote.Capabilities
	t.Run("Abilities", func(t *testing.T) {
		p, ok := newRemote(t).(remote.Prober)
		if !ok {
			t.Skip("the remote has no probe: every case runs")
		}
		ctx, cancel := context.WithTimeout(context.Background(), subtestTimeout)
		defer cancel()
		c, err := p.Probe(ctx)
		if err != nil {
			t.Fatalf("Probe: %v", err)
		}
		caps = &c
		t.Logf("abilities of %q: %s", c.Server, Describe(c))
	})
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if c.needs != nil && caps != nil {
				if why := c.needs(*caps); why != "" {
					t.Skipf("skipped: the server lacks an ability: %s", why)
				}
			}
			ctx, cancel := context.WithTimeout(context.Background(), subtestTimeout)
			defer cancel()
			h := &H{T: t, R: newRemote(t), Ctx: ctx, Caps: caps}
			c.run(h)
		})
	}
}

// Describe lists the abilities c offers and lacks, for logs.
func Describe(c remote.Capabilities) string {
	var has, lacks []string
	for _, a := range []struct {
		name string
		ok   bool
	}{
		{"file ids", c.FileIDs}, {"ETags", c.ETags}, {"folder ETags that follow their subtree", c.FolderETags},
		{"checksums", c.Checksums}, {"dead properties", c.DeadProperties}, {"locking", c.Locking},
		{"sync-collection", c.SyncCollection}, {"quota", c.Quota}, {"listing dot-files", !c.HidesDotFiles},
	} {
		if a.ok {
			has = append(has, a.name)
		} else {
			lacks = append(lacks, a.name)
		}
	}
	return "offers " + strings.Join(has, ", ") + "; lacks " + strings.Join(lacks, ", ")
}

// H bundles what a case needs: the test, the remote under test and a bounded context.
// Its helpers fail the test on unexpected errors.
type H struct {
	*testing.T
	R   remote.Remote
	Ctx context.Context
	// Caps are the abilities the remote's probe found; nil when it has no probe.
	Caps *remote.Capabilities
}

// Mkdir creates folder p (its parent must exist).
func (h *H) Mkdir(p string) remote.Entry {
	h.Helper()
	e, err := h.R.Mkdir(h.Ctx, p)
	if err != nil {
		h.Fatalf("Mkdir(%q): %v", p, err)
	}
	if !e.IsDir || e.Path != p {
		h.Fatalf("Mkdir(%q) returned %+v, want a folder at that path", p, e)
	}
	return e
}

// Put uploads a new file p with content data.
func (h *H) Put(p, data string) remote.Entry {
	h.Helper()
	e, err := h.R.Upload(h.Ctx, p, nil, strings.NewReader(data), int64(len(data)))
	if err != nil {
		h.Fatalf("Upload(%q, new): %v", p, err)
	}
	if e.IsDir || e.Path != p || e.Size != int64(len(data)) {
		h.Fatalf("Upload(%q) returned %+v, want a file at that path of size %d", p, e, len(data))
	}
	return e
}

// Tree creates the folders and files of spec: paths ending in "/" are folders, others
// files whose content is their own path. Parents come first in spec.
func (h *H) Tree(spec ...string) map[string]remote.Entry {
	h.Helper()
	out := map[string]remote.Entry{}
	for _, s := range spec {
		if p, ok := strings.CutSuffix(s, "/"); ok {
			out[p] = h.Mkdir(p)
		} else {
			out[s] = h.Put(s, "content of "+s)
		}
	}
	return out
}

// Stat returns the entry at p, failing the test on any error.
func (h *H) Stat(p string) remote.Entry {
	h.Helper()
	e, err := h.R.Stat(h.Ctx, p)
	if err != nil {
		h.Fatalf("Stat(%q): %v", p, err)
	}
	if e.Path != p {
		h.Fatalf("Stat(%q).Path = %q", p, e.Path)
	}
	return e
}

// Read returns the content of the file at p, read from offset.
func (h *H) Read(p string, offset int64) string {
	h.Helper()
	rc, err := h.R.Open(h.Ctx, h.Stat(p), offset)
	if err != nil {
		h.Fatalf("Open(%q, %d): %v", p, offset, err)
	}
	defer rc.Close()
	b, err := io.ReadAll(rc)
	if err != nil {
		h.Fatalf("reading %q from %d: %v", p, offset, err)
	}
	return string(b)
}

// WantContent fails the test unless the file at p holds want.
func (h *H) WantContent(p, want string) {
	h.Helper()
	if got := h.Read(p, 0); got != want {
		h.Errorf("content of %q = %q, want %q", p, short(got), short(want))
	}
}

// WantGone fails the test unless Stat(p) says ErrNotFound.
func (h *H) WantGone(p string) {
	h.Helper()
	if e, err := h.R.Stat(h.Ctx, p); !errors.Is(err, remote.ErrNotFound) {
		h.Errorf("Stat(%q) = %+v, %v; want ErrNotFound", p, e, err)
	}
}

// WantKind fails the test unless err wraps kind.
func (h *H) WantKind(what string, err, kind error) {
	h.Helper()
	if !errors.Is(err, kind) {
		h.Errorf("%s: err = %v, want %v", what, err, kind)
	}
}

// List returns the paths of List(root, prev), sorted, and the entries by path.
func (h *H) List(root string, prev []remote.Entry) ([]string, map[string]remote.Entry, []remote.Entry) {
	h.Helper()
	es, err := h.R.List(h.Ctx, root, prev)
	if err != nil {
		h.Fatalf("List(%q): %v", root, err)
	}
	return paths(es), byPath(h, es), es
}

// ReadDirPaths returns the sorted paths ReadDir(p) reports.
func (h *H) ReadDirPaths(p string) []string {
	h.Helper()
	es, err := h.R.ReadDir(h.Ctx, p)
	if err != nil {
		h.Fatalf("ReadDir(%q): %v", p, err)
	}
	return paths(es)
}

// WantID checks the id rule after a path change: kept where ids are not paths, the new
// account-relative path where they are.
func (h *H) WantID(what string, before, after remote.Entry) {
	h.Helper()
	switch {
	case after.ID == "":
		h.Errorf("%s: empty ID", what)
	case after.IDIsPath && after.ID != after.Path:
		h.Errorf("%s: path id %q, want %q", what, after.ID, after.Path)
	case !after.IDIsPath && after.ID != before.ID:
		h.Errorf("%s: ID changed from %q to %q; ids must survive moves and new versions", what, before.ID, after.ID)
	}
}

func paths(es []remote.Entry) []string {
	out := make([]string, 0, len(es))
	for _, e := range es {
		out = append(out, e.Path)
	}
	slices.Sort(out)
	return out
}

func byPath(h *H, es []remote.Entry) map[string]remote.Entry {
	h.Helper()
	m := map[string]remote.Entry{}
	for _, e := range es {
		if _, dup := m[e.Path]; dup {
			h.Errorf("path %q listed twice", e.Path)
		}
		m[e.Path] = e
	}
	return m
}

func equal(a, b []string) bool { return slices.Equal(a, b) }

func short(s string) string {
	if len(s) > 80 {
		return s[:80] + "…"
	}
	return s
}

func bytesReader(b []byte) io.Reader { return bytes.NewReader(b) }
