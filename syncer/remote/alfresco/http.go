package alfresco

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"time"

	"github.com/cloudsync/cloudsync/syncer/remote"
	"github.com/cloudsync/cloudsync/syncer/remote/httpclient"
)

// Transport timeouts of the default client; the caller's context bounds each request.
const (
	maxErrorBody = 8 << 10
	// ticketRefresh is the idle time after which a ticket is renewed before a request whose
	// body cannot be sent twice: Alfresco expires tickets after an hour of inactivity.
	ticketRefresh = 30 * time.Minute
)

// TimeLayout is Alfresco's timestamp layout: 2019-09-02T12:24:52.887+0000 (milliseconds,
// offset without a colon), which time.RFC3339 does not parse.
const TimeLayout = "2006-01-02T15:04:05.000-0700"

// ParseTime parses an Alfresco timestamp, also accepting RFC 3339 and a form without
// milliseconds.
func ParseTime(s string) (time.Time, error) {
	for _, layout := range []string{TimeLayout, time.RFC3339Nano, "2006-01-02T15:04:05-0700"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("%w: bad timestamp %q", remote.ErrBadResponse, s)
}

// call is one API request.
type call struct {
	method string
	url    string
	op     string // e.g. "GET nodes/{id}/children", for errors
	path   string // the remote path involved, for errors
	ctype  string
	// body returns the request body; nil for none. replayable: it can be called again
	// for a retry after a re-login.
	body       func() (io.Reader, int64)
	replayable bool
	header     http.Header
	ok         []int
}

// coreURL returns the core API URL of an entity path in a network; query may be nil.
func (c *Client) coreURL(network, entity string, query url.Values) string {
	u := *c.api
	u.Path += "/" + network + "/public/alfresco/versions/1/" + entity
	u.RawPath = ""
	if esc := c.api.EscapedPath() + "/" + url.PathEscape(network) + "/public/alfresco/versions/1/" + escapeEntity(entity); esc != u.EscapedPath() {
		u.RawPath = esc
	}
	if query != nil {
		u.RawQuery = query.Encode()
	}
	return u.String()
}

func escapeEntity(p string) string {
	segs := strings.Split(p, "/")
	for i, s := range segs {
		segs[i] = url.PathEscape(s)
	}
	return strings.Join(segs, "/")
}

// do sends a request with the ticket; a 401 signs in again once and retries (a request
// whose body cannot be replayed fails instead with a retryable error after the re-login).
// It returns the response when its status is one of cl.ok; otherwise an error from kindOf.
func (c *Client) do(ctx context.Context, cl call) (*http.Response, error) {
	if !cl.replayable && cl.body != nil {
		c.mu.Lock()
		stale := c.ticket != "" && time.Since(c.lastUse) > ticketRefresh
		gen := c.gen
		c.mu.Unlock()
		if stale {
			if err := c.relogin(ctx, gen); err != nil {
				return nil, err
			}
		}
	}
	for attempt := 0; ; attempt++ {
		tk, gen, err := c.currentTicket(ctx)
		if err != nil {
			return nil, err
		}
		var body io.Reader
		var size int64
		if cl.body != nil {
			body, size = cl.body()
		}
		req, err := http.NewRequestWithContext(ctx, cl.method, cl.url, body)
		if err != nil {
			return nil, &remote.Error{Kind: remote.ErrInvalidName, Op: cl.op, Path: cl.path, Err: err}
		}
		if cl.body != nil {
			req.ContentLength = size
		}
		for k, v := range cl.header {
			req.Header[k] = v
		}
		if cl.ctype != "" {
			req.Header.Set("Content-Type", cl.ctype)
		}
		req.Header.Set("Accept", "application/json")
		req.Header.Set("User-Agent", "cloudsync")
		req.Header.Set("Authorization", "Basic "+base64.StdEncoding.EncodeToString([]byte(tk)))
		resp, err := c.hc.Do(req)
		if err != nil {
			return nil, transportError(ctx, cl, err)
		}
		if resp.StatusCode == http.StatusUnauthorized && attempt == 0 {
			drain(resp)
			if err := c.relogin(ctx, gen); err != nil {
				return nil, err
			}
			if cl.body != nil && !cl.replayable {
				return nil, &remote.Error{Kind: remote.ErrNetwork, Op: cl.op, Path: cl.path, Status: http.StatusUnauthorized,
					Message: "the ticket expired during the request; signed in again, the request will be retried"}
			}
			continue
		}
		for _, ok := range cl.ok {
			if resp.StatusCode == ok {
				c.mu.Lock()
				c.lastUse = time.Now()
				c.mu.Unlock()
				return resp, nil
			}
		}
		return nil, statusError(cl.op, cl.path, resp)
	}
}

func transportError(ctx context.Context, cl call, err error) error {
	if ctx.Err() != nil {
		return fmt.Errorf("%s %s: %w", cl.op, cl.path, ctx.Err())
	}
	if errors.Is(err, remote.ErrInsecureHTTP) {
		return &remote.Error{Kind: remote.ErrInsecureHTTP, Op: cl.op, Path: cl.path, Err: err}
	}
	return &remote.Error{Kind: remote.ErrNetwork, Op: cl.op, Path: cl.path, Err: err}
}

func drain(resp *http.Response) {
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, maxErrorBody))
	resp.Body.Close()
}

// currentTicket returns the ticket, signing in first when there is none.
func (c *Client) currentTicket(ctx context.Context) (string, int, error) {
	c.mu.Lock()
	tk, gen := c.ticket, c.gen
	c.mu.Unlock()
	if tk != "" {
		return tk, gen, nil
	}
	if err := c.relogin(ctx, gen); err != nil {
		return "", 0, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.ticket, c.gen, nil
}

// relogin signs in again unless another request already did since generation gen.
// Concurrent callers share one login.
func (c *Client) relogin(ctx context.Context, gen int) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.gen != gen && c.ticket != "" {
		return nil
	}
	tk, err := c.login(ctx)
	if err != nil {
		return err
	}
	c.ticket, c.lastUse = tk, time.Now()
	c.gen++
	return nil
}

// login creates a ticket (POST …/authentication/versions/1/tickets). Alfresco answers a
// wrong user or password with 403 (or 401), both mapped to remote.ErrAuth.
func (c *Client) login(ctx context.Context) (string, error) {
	const op = "POST tickets"
	body, _ := json.Marshal(map[string]string{"userId": c.user, "password": c.password})
	u := *c.api
	u.Path += "/-default-/public/authentication/versions/1/tickets"
	u.RawPath = ""
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u.String(), bytes.NewReader(body))
	if err != nil {
		return "", &remote.Error{Kind: remote.ErrNetwork, Op: op, Err: err}
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", "cloudsync")
	resp, err := c.hc.Do(req)
	if err != nil {
		return "", transportError(ctx, call{op: op}, err)
	}
	defer resp.Body.Close()
	switch resp.StatusCode {
	case http.StatusCreated, http.StatusOK:
	case http.StatusBadRequest, http.StatusUnauthorized, http.StatusForbidden:
		e := statusError(op, "", resp)
		e.Kind, e.Message = remote.ErrAuth, fmt.Sprintf("sign-in refused for user %q: %s", c.user, e.Message)
		return "", e
	default:
		return "", statusError(op, "", resp)
	}
	var out struct {
		Entry struct {
			ID string `json:"id"`
		} `json:"entry"`
	}
	if err := json.NewDecoder(io.LimitReader(resp.Body, 1<<20)).Decode(&out); err != nil || out.Entry.ID == "" {
		return "", &remote.Error{Kind: remote.ErrBadResponse, Op: op, Status: resp.StatusCode, Message: "no ticket in the reply", Err: err}
	}
	return out.Entry.ID, nil
}

// kindOf is the one mapping from an Alfresco status code (and, for 409, its message) to an
// error kind (REAL-ALFRESCO.md §12.2). Alfresco's errorKey is not a code: for 409 it is the message.
func kindOf(status int, msg string) error {
	switch status {
	case http.StatusUnauthorized:
		return remote.ErrAuth
	case http.StatusForbidden:
		return remote.ErrPermission
	case http.StatusNotFound:
		return remote.ErrNotFound
	case http.StatusConflict:
		m := strings.ToLower(msg)
		if strings.Contains(m, "locked") && !strings.Contains(m, "duplicate child name") && !strings.Contains(m, "already exists") {
			return remote.ErrLocked
		}
		if strings.Contains(m, "checked out") {
			return remote.ErrLocked
		}
		return remote.ErrNameClash
	case http.StatusRequestEntityTooLarge:
		return remote.ErrTooLarge
	case http.StatusUnprocessableEntity:
		return remote.ErrInvalidName
	case http.StatusInsufficientStorage:
		return remote.ErrQuota
	case http.StatusMethodNotAllowed, http.StatusNotImplemented, http.StatusUnsupportedMediaType:
		return remote.ErrUnsupported
	case http.StatusPreconditionFailed, http.StatusRequestedRangeNotSatisfiable:
		return remote.ErrChanged
	}
	if status >= 500 || status == http.StatusTooManyRequests || status == http.StatusRequestTimeout {
		return remote.ErrServer
	}
	return remote.ErrBadResponse
}

var logID = regexp.MustCompile(`^\d{8} `)

// statusError reads Alfresco's error body (tolerating an empty or non-JSON one) and builds
// the error of resp's status.
func statusError(op, p string, resp *http.Response) *remote.Error {
	defer resp.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(resp.Body, maxErrorBody))
	msg := strings.TrimSpace(string(b))
	var env struct {
		Error struct {
			BriefSummary string `json:"briefSummary"`
			ErrorKey     string `json:"errorKey"`
		} `json:"error"`
	}
	if json.Unmarshal(b, &env) == nil && (env.Error.BriefSummary != "" || env.Error.ErrorKey != "") {
		msg = logID.ReplaceAllString(env.Error.BriefSummary, "")
		if msg == "" {
			msg = env.Error.ErrorKey
		}
	} else if strings.HasPrefix(msg, "<") || len(msg) > 300 {
		msg = ""
	}
	return &remote.Error{Kind: kindOf(resp.StatusCode, msg), Op: op, Path: p, Status: resp.StatusCode, Message: msg,
		RetryAfter: httpclient.RetryAfter(resp.Header, time.Now())}
}

// decode reads a JSON reply into v.
func decode(op, p string, resp *http.Response, v any) error {
	defer resp.Body.Close()
	if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
		return &remote.Error{Kind: remote.ErrBadResponse, Op: op, Path: p, Status: resp.StatusCode, Err: err}
	}
	return nil
}
