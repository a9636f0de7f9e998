package scenario

import (
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
)

// CutUploads, while on, breaks every upload halfway through its request body: the server
// sees the connection end early (as after a crash or a network failure) and keeps what it
// keeps (rclone and x/net/webdav write uploads in place, so the first half stays under the
// real name; Apache, lighttpd and nginx write to a temporary file and drop it). The client
// sees its connection drop, never the server's answer.
func (m *Meter) CutUploads(on bool) {
	m.mu.Lock()
	m.cut = on
	m.mu.Unlock()
}

// cutUpload serves upload r with the first half of its body only, then drops the client's
// connection instead of passing the answer on.
func cutUpload(w http.ResponseWriter, r *http.Request, next http.Handler) {
	r.Body = &halfBody{r: r.Body, left: r.ContentLength / 2}
	next.ServeHTTP(httptest.NewRecorder(), r)
	if hj, ok := w.(http.Hijacker); ok {
		if conn, _, err := hj.Hijack(); err == nil {
			conn.Close()
			return
		}
	}
	http.Error(w, "connection cut", http.StatusBadGateway)
}

// errCut ends the body of an upload CutUploads breaks.
var errCut = errors.New("scenario: upload cut halfway")

// halfBody yields the first left bytes of a request body, then errCut.
type halfBody struct {
	r    io.ReadCloser
	left int64
}

func (h *halfBody) Read(p []byte) (int, error) {
	if h.left <= 0 {
		return 0, errCut
	}
	if int64(len(p)) > h.left {
		p = p[:h.left]
	}
	n, err := h.r.Read(p)
	h.left -= int64(n)
	if err == io.EOF {
		err = errCut
	}
	return n, err
}

func (h *halfBody) Close() error { return h.r.Close() }
