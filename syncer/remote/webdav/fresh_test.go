package webdav

import (
	"context"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/cloudsync/cloudsync/syncer/remote"
)

// TestUploadIntoAFreshFolderSkipsTheLookFirst: a new file uploaded into a folder the engine
// just made (remote.InFreshFolder) goes without the PROPFIND that asks whether it exists;
// any other new file is looked for first (servers that ignore If-None-Match would
// overwrite it).
func TestUploadIntoAFreshFolderSkipsTheLookFirst(t *testing.T) {
	var mu sync.Mutex
	var seen []string
	count := func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			mu.Lock()
			seen = append(seen, r.Method+" "+r.URL.Path)
			mu.Unlock()
			next.ServeHTTP(w, r)
		})
	}
	c := newTestClient(t, newXNetServer(t, nil, count), nil)
	ctx := context.Background()
	if _, err := c.Mkdir(ctx, "d"); err != nil {
		t.Fatal(err)
	}
	before := func(name string, ctx context.Context) []string {
		mu.Lock()
		seen = nil
		mu.Unlock()
		if _, err := c.Upload(ctx, "d/"+name, nil, strings.NewReader("x"), 1); err != nil {
			t.Fatal(err)
		}
		mu.Lock()
		defer mu.Unlock()
		var out []string
		for _, s := range seen {
			if strings.HasPrefix(s, "PUT") {
				break
			}
			out = append(out, s)
		}
		return out
	}
	if got := before("fresh.txt", remote.InFreshFolder(ctx)); len(got) != 0 {
		t.Fatalf("upload into a fresh folder asked %v first", got)
	}
	if got := before("other.txt", ctx); len(got) != 1 || !strings.HasPrefix(got[0], "PROPFIND") {
		t.Fatalf("an ordinary new file was not looked for first: %v", got)
	}
}

// TestListingAsksOnlyForWhatTheServerHas: a client that knows its server has neither file
// ids nor checksums asks for the DAV properties only; one that does not know asks for the
// ownCloud ones too.
func TestListingAsksOnlyForWhatTheServerHas(t *testing.T) {
	var mu sync.Mutex
	var bodies []string
	capture := func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Method == "PROPFIND" {
				b, _ := io.ReadAll(r.Body)
				mu.Lock()
				bodies = append(bodies, string(b))
				mu.Unlock()
				r.Body = io.NopCloser(strings.NewReader(string(b)))
			}
			next.ServeHTTP(w, r)
		})
	}
	url := newXNetServer(t, nil, capture)
	for _, c := range []struct {
		client *Client
		oc     bool
	}{{newTestClient(t, url, nil), true}, {newProbedClient(t, url), false}} {
		mu.Lock()
		bodies = nil
		mu.Unlock()
		if _, err := c.client.List(context.Background(), "", nil); err != nil {
			t.Fatal(err)
		}
		mu.Lock()
		got := strings.Contains(bodies[len(bodies)-1], "owncloud")
		mu.Unlock()
		if got != c.oc {
			t.Fatalf("listing asks for ownCloud properties: %v, want %v", got, c.oc)
		}
	}
}

// TestMoveAnsweredCreatedIsNotCheckedAgain: a probed server that answers a MOVE with 201
// Created moved the file (x/net, as Apache and rclone): no PROPFIND of the source follows;
// an unprobed client still checks it is gone (lighttpd answers 201 for a copy that kept
// it, and is recognised by its Server header once probed). A probed client asks nothing
// after the MOVE of a file: the entry it returns is the one the server lists.
func TestMoveAnsweredCreatedIsNotCheckedAgain(t *testing.T) {
	var mu sync.Mutex
	var seen []string
	count := func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			mu.Lock()
			seen = append(seen, r.Method+" "+r.URL.Path)
			mu.Unlock()
			next.ServeHTTP(w, r)
		})
	}
	url := newXNetServer(t, nil, count)
	for i, c := range []struct {
		client *Client
		check  bool
	}{{newTestClient(t, url, nil), true}, {newProbedClient(t, url), false}} {
		ctx := context.Background()
		name := "f" + string(rune('0'+i))
		if _, err := c.client.Upload(ctx, name+".txt", nil, strings.NewReader("x"), 1); err != nil {
			t.Fatal(err)
		}
		e, err := c.client.Stat(ctx, name+".txt") // as a listing gives it
		if err != nil {
			t.Fatal(err)
		}
		mu.Lock()
		seen = nil
		mu.Unlock()
		got, err := c.client.Move(ctx, e, name+"-moved.txt")
		if err != nil {
			t.Fatal(err)
		}
		mu.Lock()
		checked, asked := false, false
		after := false
		for _, s := range seen {
			after = after || strings.HasPrefix(s, "MOVE")
			checked = checked || after && strings.HasPrefix(s, "PROPFIND") && strings.HasSuffix(s, "/"+name+".txt")
			asked = asked || after && strings.HasPrefix(s, "PROPFIND")
		}
		mu.Unlock()
		if checked != c.check || asked != c.check {
			t.Fatalf("source looked at after the MOVE: %v, anything asked: %v, want %v (%v)", checked, asked, c.check, seen)
		}
		// The entry a probed client makes up is the one the server lists.
		want, err := c.client.Stat(ctx, name+"-moved.txt")
		if err != nil {
			t.Fatal(err)
		}
		if got.Path != want.Path || got.ID != want.ID || got.IDIsPath != want.IDIsPath || got.Version != want.Version ||
			got.Size != want.Size || !got.ModTime.Equal(want.ModTime) || got.IsDir != want.IsDir {
			t.Fatalf("Move returned %+v, the server lists %+v", got, want)
		}
	}
}
