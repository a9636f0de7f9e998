// Package httpclient owns the HTTP client policy every HTTP-based remote (WebDAV, Alfresco)
// shares: transport timeouts without a total timeout (a 1 GiB upload may take an hour; the
// caller's context bounds each request) but with a stall timeout (an exchange that moves no
// byte for a minute is abandoned), TLS verification left on, and a redirect policy that
// refuses HTTPS→HTTP and never forwards credentials to another host. Written once because it
// is security-relevant: two copies would drift.
//
// It may import syncer/remote of this module.
package httpclient

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/cloudsync/cloudsync/syncer/remote"
)

// Transport timeouts of the default client.
const (
	DialTimeout           = 30 * time.Second
	TLSHandshakeTimeout   = 20 * time.Second
	ResponseHeaderTimeout = 2 * time.Minute // servers may hash a big PUT before answering
	MaxRedirects          = 10
)

// New returns a copy of hc (or a default client when hc is nil) whose redirect policy is
// CheckRedirect for the server at base and whose transport abandons an exchange that moves
// no byte for the stall timeout of its request's context (remote.StallTimeoutOf; the
// error is a *StallError).
func New(hc *http.Client, base *url.URL) *http.Client {
	var out http.Client
	if hc != nil {
		out = *hc
		if out.Transport == nil {
			out.Transport = http.DefaultTransport
		}
	} else {
		out.Transport = &http.Transport{
			Proxy:                 http.ProxyFromEnvironment,
			DialContext:           (&net.Dialer{Timeout: DialTimeout, KeepAlive: 30 * time.Second}).DialContext,
			TLSHandshakeTimeout:   TLSHandshakeTimeout,
			ResponseHeaderTimeout: ResponseHeaderTimeout,
			ExpectContinueTimeout: time.Second,
			IdleConnTimeout:       90 * time.Second,
			MaxIdleConnsPerHost:   8,
			ForceAttemptHTTP2:     true,
			// Content moves in 64 KiB writes and reads instead of net/http's 4 KiB: a
			// 1 GiB upload is 16,384 system calls, not 262,144 (issue 11).
			WriteBufferSize: 64 << 10,
			ReadBufferSize:  64 << 10,
		}
	}
	out.CheckRedirect = CheckRedirect(base)
	out.Transport = stallTransport{next: out.Transport}
	return &out
}

// CheckRedirect is the redirect policy for the server at base: at most MaxRedirects hops,
// none from HTTPS to plain HTTP (remote.ErrInsecureHTTP: the credentials and content would
// travel in clear), none that changes the method (the caller sees the redirect instead), and
// the Authorization header only to base's host.
func CheckRedirect(base *url.URL) func(req *http.Request, via []*http.Request) error {
	return func(req *http.Request, via []*http.Request) error {
		if len(via) >= MaxRedirects {
			return fmt.Errorf("stopped after %d redirects", MaxRedirects)
		}
		if req.Method != via[0].Method {
			// net/http turns a 301/302/303 of any method into a GET: a PROPFIND would read
			// a web page and a PUT would lose its upload. The caller gets the redirect.
			return http.ErrUseLastResponse
		}
		if req.URL.Scheme != "https" && (base.Scheme == "https" || via[len(via)-1].URL.Scheme == "https") {
			return remote.ErrInsecureHTTP
		}
		if !strings.EqualFold(req.URL.Host, base.Host) {
			req.Header.Del("Authorization")
		}
		return nil
	}
}

// RetryAfter is the delay a response's Retry-After header asks for (RFC 9110 §10.2.3:
// seconds or an HTTP date), relative to now: 0 when absent, unreadable or in the past, and
// at most remote.MaxRetryAfter, so a hostile or broken server cannot hold an item back
// without limit. Every HTTP remote reads the header here.
func RetryAfter(h http.Header, now time.Time) time.Duration {
	v := strings.TrimSpace(h.Get("Retry-After"))
	if v == "" {
		return 0
	}
	var d time.Duration
	if n, err := strconv.ParseInt(v, 10, 64); err == nil || errors.Is(err, strconv.ErrRange) {
		d = time.Duration(min(max(n, 0), int64(remote.MaxRetryAfter/time.Second))) * time.Second
	} else if t, err := http.ParseTime(v); err == nil {
		d = t.Sub(now)
	}
	return min(max(d, 0), remote.MaxRetryAfter)
}
