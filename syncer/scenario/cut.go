package scenario

import (
	"errors"
	"io"
)

// CutUploads, while on, breaks every upload halfway through its request body: the server
// sees the connection end early (as after a crash or a network failure) and keeps what it
// keeps (rclone and x/net/webdav write uploads in place, so the first half stays under the
// real name; Apache, lighttpd and nginx write to a temporary file and drop it); the client
// gets an error.
func (m *Meter) CutUploads(on bool) {
	m.mu.Lock()
	m.cut = on
	m.mu.Unlock()
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
