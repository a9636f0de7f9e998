package backends

import (
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/cloudsync/cloudsync/syncer/model"
	"github.com/cloudsync/cloudsync/syncer/remote"
)

// TestEveryRemoteCapsAHostileRetryAfter: whatever a server says in Retry-After (a huge
// number, a negative one, a date decades ahead, garbage), no registered remote reports a
// wait longer than remote.MaxRetryAfter or below zero, and the engine's back-off built on it
// stays within the cap too (issue 15: alfresco once believed any date).
func TestEveryRemoteCapsAHostileRetryAfter(t *testing.T) {
	for _, b := range Registry().All() {
		for _, ra := range []struct {
			header string
			want   time.Duration
		}{
			{"99999999999999999999", remote.MaxRetryAfter},
			{"86400000", remote.MaxRetryAfter},
			{"-3600", 0},
			{time.Now().AddDate(30, 0, 0).UTC().Format(http.TimeFormat), remote.MaxRetryAfter},
			{"tomorrow, maybe", 0},
			{"120", 2 * time.Minute},
		} {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Retry-After", ra.header)
				http.Error(w, "busy", http.StatusServiceUnavailable)
			}))
			rem, err := Registry().Dial(nil)(model.Account{Name: "a", Type: b.Type, URL: srv.URL, User: "u"}, "pw")
			if err != nil {
				t.Fatalf("%s: %v", b.Type, err)
			}
			_, err = rem.ReadDir(t.Context(), "")
			srv.Close()
			got := remote.RetryAfterOf(err)
			if err == nil || got != ra.want {
				t.Errorf("%s, Retry-After %q: err %v, retry after %v; want %v", b.Type, ra.header, err, got, ra.want)
			}
			if d := remote.RetryDelay(1, "x", got); d > remote.MaxRetryAfter || d < remote.RetryFirst*4/5 {
				t.Errorf("%s, Retry-After %q: back-off %v", b.Type, ra.header, d)
			}
		}
	}
}
