package webdav

import (
	"bytes"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"testing"
)

// An entry the client must skip is logged once, not on every listing: at 1 s polling a
// hostile or invalid name gave a warning each second (issue 9).
func TestSkippedEntryIsLoggedOnceNotPerListing(t *testing.T) {
	body := `<?xml version="1.0"?><d:multistatus xmlns:d="DAV:">` +
		`<d:response><d:href>/dav/</d:href><d:propstat><d:prop><d:resourcetype><d:collection/></d:resourcetype></d:prop>` +
		`<d:status>HTTP/1.1 200 OK</d:status></d:propstat></d:response>` +
		`<d:response><d:href>/dav/..%2F..%2Fetc%2Fpasswd</d:href><d:propstat><d:prop><d:resourcetype/></d:prop>` +
		`<d:status>HTTP/1.1 200 OK</d:status></d:propstat></d:response>` +
		`<d:response><d:href>/elsewhere/x.txt</d:href><d:propstat><d:prop><d:resourcetype/></d:prop>` +
		`<d:status>HTTP/1.1 200 OK</d:status></d:propstat></d:response>` +
		`</d:multistatus>`
	c := faultServer(t, func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusMultiStatus)
		io.WriteString(w, body)
	})
	var logs bytes.Buffer
	c.log = slog.New(slog.NewTextHandler(&logs, nil))
	for range 5 {
		if _, err := c.ReadDir(testCtx(t), ""); err != nil {
			t.Fatal(err)
		}
	}
	if n := strings.Count(logs.String(), "level=WARN"); n != 2 {
		t.Fatalf("5 listings logged %d warnings, want one per skipped entry (2):\n%s", n, logs.String())
	}
}
