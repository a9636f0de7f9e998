package webdav

import (
	"context"
	"encoding/xml"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/cloudsync/cloudsync/syncer/remote"
	"github.com/cloudsync/cloudsync/syncer/remote/httpclient"
)

// maxErrorBody bounds how much of an error reply is read for its message.
const maxErrorBody = 8 << 10

// newRequest builds a request for method on account-relative path p with Basic auth.
func (c *Client) newRequest(ctx context.Context, method, p string, dir bool, body io.Reader) (*http.Request, error) {
	req, err := http.NewRequestWithContext(ctx, method, c.URL(p, dir).String(), body)
	if err != nil {
		return nil, &remote.Error{Kind: remote.ErrInvalidName, Op: method, Path: p, Err: err}
	}
	if c.user != "" {
		req.SetBasicAuth(c.user, c.password)
	}
	req.Header.Set("User-Agent", "cloudsync")
	return req, nil
}

// do sends req and returns the response when its status is one of ok; any other status is
// turned into a *remote.Error by httpError (the response body is then consumed and closed).
// noOverwrite tells kindOf that a 412 means the target exists (If-None-Match, Overwrite: F).
func (c *Client) do(req *http.Request, p string, noOverwrite bool, ok ...int) (*http.Response, error) {
	resp, err := c.hc.Do(req)
	c.wrote(req, p)
	if err != nil {
		return nil, transportError(req.Method, p, err)
	}
	for _, s := range ok {
		if resp.StatusCode == s {
			return resp, nil
		}
	}
	defer resp.Body.Close()
	if resp.StatusCode == http.StatusMultiStatus && (req.Method == "MOVE" || req.Method == "COPY" || req.Method == http.MethodDelete) {
		if err := multiStatusError(req.Method, p, resp, noOverwrite); err != nil {
			return nil, err
		}
		resp.Body = http.NoBody // the deferred Close closes the one read
		return resp, nil
	}
	return nil, httpError(req.Method, p, resp, noOverwrite)
}

// closeBody reads what is left of a success answer's body (at most maxErrorBody) and
// closes it: net/http reuses a connection only for a body read to its end, and Apache
// answers a MOVE or MKCOL 201 with a small HTML page. Unread, each such answer cost a new
// connection for the next request (issue 11: 1,000 moves, 1,000 connections).
func closeBody(resp *http.Response) {
	io.Copy(io.Discard, io.LimitReader(resp.Body, maxErrorBody))
	resp.Body.Close()
}

// multiStatusResult reads the 207 answer to a MOVE, COPY or DELETE of a folder: RFC 4918
// §9.6.1, §9.8.5 report a failure for some member this way (lighttpd also a MOVE refused by
// Overwrite: F, Apache a DELETE below a locked file). The first member status that is not
// a success is the request's error; a 207 that reports none is a success (nil).
func multiStatusError(op, p string, resp *http.Response, noOverwrite bool) error {
	ms, err := decodeMultistatus(op, p, resp.Body)
	if err != nil {
		return err
	}
	for _, r := range ms.Responses {
		if st := statusCode(r.Status); st >= 300 {
			href := ""
			if len(r.Hrefs) > 0 {
				href = strings.TrimSpace(r.Hrefs[0])
			}
			return &remote.Error{Kind: kindOf(op, st, noOverwrite), Op: op, Path: p, Status: st,
				Message: trimMessage(strings.TrimSpace(r.Status) + " for " + href)}
		}
	}
	return nil
}

// statusCode returns the code of a DAV:status line ("HTTP/1.1 423 Locked"), or 0.
func statusCode(line string) int {
	f := strings.Fields(line)
	if len(f) < 2 {
		return 0
	}
	n, _ := strconv.Atoi(f[1])
	return n
}

// transportError wraps an error from http.Client.Do (no response): a refused insecure
// redirect keeps its own kind; everything else (DNS, reset, TLS, timeouts, cancellation) is
// a network error that still unwraps to context.Canceled or the net error.
func transportError(op, p string, err error) error {
	if errors.Is(err, remote.ErrInsecureHTTP) {
		return &remote.Error{Kind: remote.ErrInsecureHTTP, Op: op, Path: p, Err: err}
	}
	return &remote.Error{Kind: remote.ErrNetwork, Op: op, Path: p, Err: err}
}

// kindOf is the one mapping from an HTTP status of a WebDAV request to remote's error kinds.
// method decides the statuses RFC 4918 gives a meaning per method (405 on MKCOL: the name
// exists; 409 on MKCOL, PUT, MOVE, COPY: the parent folder is missing); noOverwrite says the
// request was conditional on the target not existing, so 412 means ErrNameClash rather
// than ErrChanged.
func kindOf(method string, status int, noOverwrite bool) error {
	if status < 400 {
		// A success or redirect the request did not expect: a login page, a proxy, not
		// a WebDAV server.
		return remote.ErrBadResponse
	}
	switch status {
	case http.StatusBadRequest:
		// Nextcloud and ownCloud answer 400 to a name they refuse. Elsewhere the server
		// refused the request itself (a method or header it does not take): a retry will
		// not help, and it is not a network failure.
		if method == http.MethodPut || method == "MKCOL" || method == "MOVE" || method == "COPY" {
			return remote.ErrInvalidName
		}
		return remote.ErrUnsupported
	case http.StatusUnauthorized:
		return remote.ErrAuth
	case http.StatusForbidden:
		return remote.ErrPermission
	case http.StatusNotFound, http.StatusGone:
		return remote.ErrNotFound
	case http.StatusMethodNotAllowed:
		if method == "MKCOL" || method == http.MethodPut && noOverwrite {
			return remote.ErrNameClash
		}
		return remote.ErrUnsupported
	case http.StatusConflict:
		if method == "MKCOL" || method == http.MethodPut || method == "MOVE" || method == "COPY" {
			return remote.ErrNotFound
		}
		return remote.ErrServer
	case http.StatusPreconditionFailed:
		if noOverwrite {
			return remote.ErrNameClash
		}
		return remote.ErrChanged
	case http.StatusRequestedRangeNotSatisfiable:
		return remote.ErrChanged
	case http.StatusRequestEntityTooLarge:
		return remote.ErrTooLarge
	case http.StatusRequestURITooLong:
		return remote.ErrInvalidName
	case http.StatusUnsupportedMediaType, http.StatusNotImplemented:
		return remote.ErrUnsupported
	case http.StatusLocked, http.StatusFailedDependency:
		return remote.ErrLocked
	case http.StatusInsufficientStorage:
		return remote.ErrQuota
	case http.StatusTooManyRequests, http.StatusRequestTimeout,
		http.StatusBadGateway, http.StatusGatewayTimeout:
		return remote.ErrNetwork
	}
	return remote.ErrServer
}

// httpError builds the *remote.Error for a response with an unexpected status: its kind
// (kindOf), the Retry-After delay and a trimmed message from the body.
func httpError(op, p string, resp *http.Response, noOverwrite bool) error {
	e := &remote.Error{
		Kind:       kindOf(op, resp.StatusCode, noOverwrite),
		Op:         op,
		Path:       p,
		Status:     resp.StatusCode,
		RetryAfter: httpclient.RetryAfter(resp.Header, time.Now()),
	}
	body, _ := io.ReadAll(io.LimitReader(resp.Body, maxErrorBody))
	e.Message = serverMessage(body)
	return e
}

// serverMessage extracts the human message of an error body: the s:message of a
// Sabre/Nextcloud <d:error>, or else the body's text, whitespace collapsed and cut to 200
// characters. HTML pages give their text without tags.
func serverMessage(body []byte) string {
	var se struct {
		Message string `xml:"http://sabredav.org/ns message"`
	}
	if xml.Unmarshal(body, &se) == nil && strings.TrimSpace(se.Message) != "" {
		return trimMessage(se.Message)
	}
	s := string(body)
	if strings.Contains(s, "<") {
		s = stripTags(s)
	}
	return trimMessage(s)
}

func stripTags(s string) string {
	var b strings.Builder
	in := false
	for _, r := range s {
		switch {
		case r == '<':
			in = true
		case r == '>':
			in = false
			b.WriteByte(' ')
		case !in:
			b.WriteRune(r)
		}
	}
	return b.String()
}

func trimMessage(s string) string {
	s = strings.Join(strings.Fields(strings.ToValidUTF8(s, "?")), " ")
	const limit = 200
	if utf8.RuneCountInString(s) > limit {
		s = string([]rune(s)[:limit]) + "…"
	}
	return s
}
