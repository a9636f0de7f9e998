package webdav

import (
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/cloudsync/cloudsync/syncer/remote"
	"github.com/cloudsync/cloudsync/syncer/remote/webdav/davtest"
)

// TestMetaOnServersWithoutDeadProperties: nginx refuses PROPPATCH (405), rclone answers
// 403 for every property and 500 for its root, x/net/webdav over a folder stores none: the
// probe says so, the client says why in one sentence, SetMeta is ErrUnsupported without a
// request that could half-succeed, and listings carry no metadata.
func TestMetaOnServersWithoutDeadProperties(t *testing.T) {
	for _, name := range []string{davtest.Nginx, davtest.Rclone, davtest.XNet} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			c := sharedFolder(t, name)
			why := c.MetaUnsupported()
			if why == "" || !strings.Contains(why, "does not store") {
				t.Fatalf("MetaUnsupported() = %q, want a reason", why)
			}
			ctx := testCtx(t)
			e, err := c.Upload(ctx, "f.txt", nil, strings.NewReader("x"), 1)
			if err != nil {
				t.Fatal(err)
			}
			_, err = c.SetMeta(ctx, e, remote.Meta{Title: "t"})
			if !errors.Is(err, remote.ErrUnsupported) || !strings.Contains(err.Error(), "does not store") {
				t.Fatalf("SetMeta = %v, want unsupported with the reason", err)
			}
			if got, err := c.Stat(ctx, "f.txt"); err != nil || got.Meta != nil {
				t.Fatalf("Stat = %+v, %v; want no metadata", got, err)
			}
		})
	}
}

// TestMetaUnprobedAccountKeepsNone: a client that was never told what its server offers
// does not assume dead properties, and says how to find out.
func TestMetaUnprobedAccountKeepsNone(t *testing.T) {
	c := newTestClient(t, newXNetServer(t, nil, nil), nil)
	if why := c.MetaUnsupported(); !strings.Contains(why, "probe") {
		t.Fatalf("MetaUnsupported() = %q, want a reason naming the probe", why)
	}
}

// TestSetMetaChecksWhatTheServerKept: a server that answers 204 to PROPPATCH and stores
// nothing (as lighttpd does for all but the first property of a prop element) is caught by
// the Stat after it: ErrUnsupported naming what it kept, never a silent success.
func TestSetMetaChecksWhatTheServerKept(t *testing.T) {
	swallow := func(h http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Method == "PROPPATCH" {
				w.WriteHeader(http.StatusNoContent)
				return
			}
			h.ServeHTTP(w, r)
		})
	}
	c := newProbedClient(t, newXNetServer(t, nil, swallow))
	if why := c.MetaUnsupported(); why != "" {
		t.Fatalf("the probe took the 204 for stored properties? MetaUnsupported() = %q", why)
	}
	ctx := testCtx(t)
	e, err := c.Upload(ctx, "f.txt", nil, strings.NewReader("x"), 1)
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.SetMeta(ctx, e, remote.Meta{Title: "kept?", Author: "Ann"})
	if !errors.Is(err, remote.ErrUnsupported) || !strings.Contains(err.Error(), "kept no metadata") {
		t.Fatalf("SetMeta = %v, want unsupported saying what was kept", err)
	}
}

// TestProppatchBody: one set or remove element per property (lighttpd stores only the first
// property of a prop element), text escaped, a carriage return as a character reference.
func TestProppatchBody(t *testing.T) {
	got := proppatchBody(remote.Meta{Title: "a<b & \"c\"\r\n", Author: "Ann"})
	for _, want := range []string{
		`<d:set><d:prop><dc:title>a&lt;b &amp; "c"&#13;` + "\n" + `</dc:title></d:prop></d:set>`,
		`<d:remove><d:prop><dc:description/></d:prop></d:remove>`,
		`<d:set><d:prop><dc:creator>Ann</dc:creator></d:prop></d:set>`,
		`xmlns:dc="` + remote.DublinCoreNS + `"`,
	} {
		if !strings.Contains(got, want) {
			t.Errorf("proppatchBody lacks %s:\n%s", want, got)
		}
	}
}

// TestXNetMemoryTreeKeepsMetaBelowItsRoot pins what the conformance suite's x/net/webdav
// case relies on (it would skip MetadataRoundTrips otherwise): the memory tree refuses a
// PROPPATCH of its root (500), so an account there keeps none, and keeps properties of
// every folder below it.
func TestXNetMemoryTreeKeepsMetaBelowItsRoot(t *testing.T) {
	base := newXNetServer(t, nil, nil)
	if why := newProbedClient(t, base).MetaUnsupported(); why == "" {
		t.Errorf("an account at the memory tree's root was probed as keeping metadata")
	}
	if _, err := newTestClient(t, base, nil).Mkdir(testCtx(t), "home"); err != nil {
		t.Fatal(err)
	}
	if why := newProbedClient(t, base+"home/").MetaUnsupported(); why != "" {
		t.Errorf("an account below the root: MetaUnsupported() = %q, want it kept", why)
	}
}
