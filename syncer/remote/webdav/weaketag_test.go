package webdav

import (
	"errors"
	"io"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/cloudsync/cloudsync/syncer/remote"
	"github.com/cloudsync/cloudsync/syncer/remote/webdav/davtest"
)

// beforePut is a RoundTripper that runs hook before the first PUT it carries.
type beforePut struct {
	next http.RoundTripper
	once atomic.Bool
	hook func(*http.Request)
}

func (b *beforePut) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Method == http.MethodPut && b.once.CompareAndSwap(false, true) {
		b.hook(r)
	}
	return b.next.RoundTrip(r)
}

// TestAFileWrittenASecondAgoIsReplacedOnlyIfUnchanged: on Apache the ETag of a file is
// weak in the second after each write, and a weak ETag cannot go in If-Match; replacing
// such a file sent a PUT without it, so another client's write landing between the check
// and the PUT was overwritten unseen. The upload now waits for the ETag to turn strong
// (weaketag.go), so the PUT carries If-Match, the server refuses it (ErrChanged) and the
// other client's content stays. lighttpd's ETags are strong at once: no wait.
func TestAFileWrittenASecondAgoIsReplacedOnlyIfUnchanged(t *testing.T) {
	for _, name := range []string{davtest.Apache, davtest.Lighttpd} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			url, _ := davtest.Shared(t, name).NewFolder(t)
			c, other := newProbedClient(t, url), newProbedClient(t, url)
			ctx := t.Context()
			if _, err := c.Upload(ctx, "f.txt", nil, strings.NewReader("v1"), 2); err != nil {
				t.Fatal(err)
			}
			e, err := c.Stat(ctx, "f.txt") // within the second of the write
			if err != nil {
				t.Fatal(err)
			}
			var ifMatch atomic.Value
			tr := &beforePut{next: c.hc.Transport, hook: func(r *http.Request) {
				ifMatch.Store(r.Header.Get("If-Match"))
				cur, err := other.Stat(ctx, "f.txt")
				if err == nil {
					_, err = other.Upload(ctx, "f.txt", &cur, strings.NewReader("theirs"), 6)
				}
				if err != nil {
					t.Errorf("the other client's write: %v", err)
				}
			}}
			if tr.next == nil {
				tr.next = http.DefaultTransport
			}
			c.hc.Transport = tr
			_, err = c.Upload(ctx, "f.txt", &e, strings.NewReader("mine"), 4)
			if !errors.Is(err, remote.ErrChanged) {
				t.Errorf("replacing a file another client wrote meanwhile: %v, want ErrChanged", err)
			}
			if v, _ := ifMatch.Load().(string); v == "" {
				t.Errorf("the PUT carried no If-Match")
			}
			now, err := other.Stat(ctx, "f.txt")
			if err != nil {
				t.Fatal(err)
			}
			rc, err := other.Open(ctx, now, 0)
			if err != nil {
				t.Fatal(err)
			}
			got, _ := io.ReadAll(rc)
			rc.Close()
			if string(got) != "theirs" {
				t.Errorf("the server holds %q, want the other client's %q", got, "theirs")
			}
		})
	}
}
