package sim

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"math/rand"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// faultTransport is the network-fault layer of docs/TESTING.md: an http.RoundTripper between
// the WebDAV client and the server that, while on, turns a share of the requests into one
// of the faults below. The base transport does the real exchange.
//
// What the faults model, and where the request stops:
//
//   - latency: the request waits a few milliseconds, then goes through.
//   - reset: the connection resets. Before the server saw the request, or after it,
//     mid-way through the response body (for a mutation: applied, response lost).
//   - cutput: a PUT's connection resets mid-way through the request body. x/net/webdav
//     writes PUT bodies in place, so the first bytes stay under the real name (as rclone
//     does): the engine must know it for its own partial upload, not a cloud edit.
//   - stall: nothing arrives any more, before the headers (ended after netHeaderTimeout,
//     as the transport's ResponseHeaderTimeout ends it in production) or mid-body (the
//     engine's stall timeout ends it, as a network failure).
//   - endless: the answer to a GET or PROPFIND goes on after its content and never ends (a
//     broken proxy, a server bug): a download must be cut at its listed size.
//   - truncate: the response body ends early with a clean EOF although Content-Length
//     said more (a close-delimited response cut short).
//   - 429 with Retry-After, 5xx (500, 502, 503, 504; a 502/504 may come after the server
//     applied a mutation), 401 (the session expired mid-run).
//   - badxml: a 207 whose body is not well-formed XML.
//   - empty: a Depth 1 PROPFIND answered with the folder itself only (the server's own
//     Depth 0 answer), as a server whose storage is briefly unavailable does.
//   - redirect: an HTTPS request answered with 307 to plain HTTP; the client must refuse
//     (insecure is a listener that counts the requests that nevertheless reach it).
type faultTransport struct {
	base     http.RoundTripper
	insecure string // http://host:port of the redirect target
	log      func(format string, args ...any)
	cut      func(sent, whole []byte) // told what a cutput left on the server

	mu     sync.Mutex
	rng    *rand.Rand
	on     bool
	rate   float64
	counts map[string]int // faults injected, by kind
}

// faultKinds with their weights: a stall costs a client timeout of wall time, so it is rarer.
// (cutput is not drawn here: it is a third of the faults that hit a PUT.)
var faultKinds = []struct {
	kind   string
	weight int
}{
	{"latency", 3}, {"reset", 3}, {"stall", 1}, {"truncate", 3}, {"429", 2}, {"5xx", 3},
	{"401", 1}, {"badxml", 2}, {"empty", 2}, {"redirect", 2}, {"endless", 2},
}

func newFaultTransport(base http.RoundTripper, seed int64, rate float64, insecure string, log func(string, ...any)) *faultTransport {
	return &faultTransport{base: base, insecure: insecure, log: log, rate: rate,
		rng: rand.New(rand.NewSource(seed * 7919)), counts: map[string]int{}}
}

// setOn turns the faults on or off.
func (f *faultTransport) setOn(on bool) {
	f.mu.Lock()
	f.on = on
	f.mu.Unlock()
}

// injected returns how many faults of each kind were injected.
func (f *faultTransport) injected() map[string]int {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := map[string]int{}
	for k, v := range f.counts {
		out[k] = v
	}
	return out
}

// pick decides the fault for req ("" for none), and a random number for its details.
func (f *faultTransport) pick(req *http.Request) (string, int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if !f.on || f.rng.Float64() >= f.rate {
		return "", 0
	}
	total := 0
	for _, k := range faultKinds {
		total += k.weight
	}
	n := f.rng.Intn(total)
	kind := ""
	for _, k := range faultKinds {
		if n < k.weight {
			kind = k.kind
			break
		}
		n -= k.weight
	}
	switch {
	case kind == "badxml" && req.Method != "PROPFIND",
		kind == "empty" && (req.Method != "PROPFIND" || req.Header.Get("Depth") != "1"),
		kind == "redirect" && req.URL.Scheme != "https":
		kind = "5xx"
	}
	if req.Method == http.MethodPut && req.Body != nil && f.rng.Intn(3) == 0 {
		kind = "cutput" // a third of the faults hitting an upload
	}
	f.counts[kind]++
	return kind, f.rng.Intn(1 << 30)

}

func (f *faultTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	kind, r := f.pick(req)
	if kind == "" {
		return f.base.RoundTrip(req)
	}
	what := req.Method + " " + req.URL.Path
	mutating := req.Method != http.MethodGet && req.Method != "PROPFIND"
	switch kind {
	case "latency":
		d := time.Duration(1+r%30) * time.Millisecond
		f.log("  net: %s: +%v latency", what, d)
		if err := sleep(req.Context(), d); err != nil {
			closeBody(req)
			return nil, err
		}
		return f.base.RoundTrip(req)
	case "reset":
		if r%2 == 0 {
			f.log("  net: %s: connection reset before the server saw it", what)
			closeBody(req)
			return nil, resetErr()
		}
		resp, err := f.base.RoundTrip(req)
		if err != nil {
			return nil, err
		}
		if mutating {
			f.log("  net: %s: applied, connection reset before the response (%d)", what, resp.StatusCode)
			drain(resp)
			return nil, resetErr()
		}
		f.log("  net: %s: connection reset mid-body", what)
		return withBody(resp, &cutBody{data: readAll(resp), err: resetErr()}), nil
	case "cutput":
		whole, err := io.ReadAll(req.Body)
		closeBody(req)
		if err != nil || len(whole) == 0 {
			return nil, resetErr()
		}
		// The server gets the first bytes only; it stores them as a complete (shorter) PUT,
		// which is what it does with a body cut by a reset, without the race.
		sent := whole[:r%len(whole)]
		cut := req.Clone(req.Context())
		cut.Body, cut.ContentLength = io.NopCloser(bytes.NewReader(sent)), int64(len(sent))
		cut.GetBody = nil
		resp, err := f.base.RoundTrip(cut)
		if err != nil {
			return nil, err
		}
		drain(resp)
		f.log("  net: %s: connection reset mid-request body: the server keeps %d of %d bytes (%d)", what, len(sent), len(whole), resp.StatusCode)
		if f.cut != nil && resp.StatusCode < 300 {
			f.cut(sent, whole)
		}
		return nil, resetErr()
	case "stall":
		if r%2 == 0 {
			f.log("  net: %s: stalled before the response", what)
			closeBody(req)
			select {
			case <-req.Context().Done():
				return nil, req.Context().Err()
			case <-time.After(netHeaderTimeout):
				return nil, headerTimeout{}
			}
		}
		resp, err := f.base.RoundTrip(req)
		if err != nil {
			return nil, err
		}
		f.log("  net: %s: stalled mid-body (%d)", what, resp.StatusCode)
		return withBody(resp, &cutBody{data: readAll(resp), ctx: req.Context()}), nil
	case "endless":
		resp, err := f.base.RoundTrip(req)
		if err != nil || mutating {
			return resp, err
		}
		f.log("  net: %s: the answer goes on without end (%d)", what, resp.StatusCode)
		return withBody(resp, &endlessBody{data: readAll(resp)}), nil
	case "truncate":
		resp, err := f.base.RoundTrip(req)
		if err != nil {
			return nil, err
		}
		data := readAll(resp)
		if len(data) < 2 {
			return withBody(resp, &cutBody{data: data, err: io.EOF}), nil
		}
		f.log("  net: %s: body truncated to %d of %d bytes (%d)", what, len(data)/2, len(data), resp.StatusCode)
		out := withBody(resp, &cutBody{data: data[:len(data)/2], err: io.EOF})
		out.ContentLength = int64(len(data))
		return out, nil
	case "429":
		closeBody(req)
		ra := strconv.Itoa(1 + r%300)
		f.log("  net: %s: 429, Retry-After %s", what, ra)
		return reply(req, http.StatusTooManyRequests, http.Header{"Retry-After": {ra}}, "slow down"), nil
	case "5xx":
		codes := []int{500, 502, 503, 504}
		code := codes[r%len(codes)]
		if mutating && (code == 502 || code == 504) && r%3 == 0 {
			resp, err := f.base.RoundTrip(req)
			if err != nil {
				return nil, err
			}
			f.log("  net: %s: applied (%d), answered %d", what, resp.StatusCode, code)
			drain(resp)
			return reply(req, code, nil, "gateway"), nil
		}
		closeBody(req)
		f.log("  net: %s: %d", what, code)
		return reply(req, code, nil, "injected server error"), nil
	case "401":
		closeBody(req)
		f.log("  net: %s: 401 (session expired)", what)
		return reply(req, http.StatusUnauthorized, http.Header{"Www-Authenticate": {`Basic realm="test"`}}, "unauthorized"), nil
	case "badxml":
		resp, err := f.base.RoundTrip(req)
		if err != nil {
			return nil, err
		}
		drain(resp)
		f.log("  net: %s: 207 with invalid XML", what)
		bad := `<?xml version="1.0"?><D:multistatus xmlns:D="DAV:"><D:response><D:href>/Docs/</D:href><D:propstat><D:prop>` +
			`<D:getetag>"x"</D:getetag></D:prop></D:propstat></D:response><D:response><D:href>&bogus;</D:multistatus`
		return reply(req, http.StatusMultiStatus, http.Header{"Content-Type": {"application/xml"}}, bad), nil
	case "empty":
		f.log("  net: %s: empty listing (the folder itself only)", what)
		r2 := req.Clone(req.Context())
		r2.Header.Set("Depth", "0")
		return f.base.RoundTrip(r2)
	case "redirect":
		closeBody(req)
		f.log("  net: %s: 307 to plain HTTP", what)
		return reply(req, http.StatusTemporaryRedirect, http.Header{"Location": {f.insecure + req.URL.RequestURI()}}, ""), nil
	}
	closeBody(req)
	return nil, fmt.Errorf("sim: unknown fault kind %q", kind)
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func closeBody(req *http.Request) {
	if req.Body != nil {
		req.Body.Close()
	}
}

func drain(resp *http.Response) {
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
}

func readAll(resp *http.Response) []byte {
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	return b
}

// netHeaderTimeout ends a request the fault transport stalls before its headers, as the
// transport's ResponseHeaderTimeout ends one in production (httpclient: 2 minutes): short
// enough that the stalls of 300 seeds stay within the layer's time budget.
const netHeaderTimeout = 3 * time.Second

// netClientTimeout is the http.Client timeout the engine's WebDAV client gets: a backstop
// no loopback request reaches, however loaded the machine. It was the stall's end (3 s)
// for every request, and on a loaded machine (load 6-11) a request without a fault
// exceeded it: the connection test of the account, made before faults are on, failed
// (TestNetworkFaults/35 and /69: "could not connect ... Client.Timeout exceeded").
const netClientTimeout = 30 * time.Second

// netClient is the engine's http.Client over the fault transport ft.
func netClient(ft *faultTransport) *http.Client {
	return &http.Client{Transport: ft, Timeout: netClientTimeout}
}

// A request without a fault is not bounded by the stall's end: one answered after
// netHeaderTimeout (a loaded machine) still succeeds.
func TestNetClientWaitsForASlowAnswer(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		time.Sleep(netHeaderTimeout + 300*time.Millisecond)
		fmt.Fprint(w, "late")
	}))
	t.Cleanup(srv.Close)
	ft := newFaultTransport(srv.Client().Transport, 1, 1, "", t.Logf) // faults off: never setOn
	resp, err := netClient(ft).Get(srv.URL)
	if err != nil {
		t.Fatalf("a slow answer without a fault failed: %v", err)
	}
	resp.Body.Close()
}

// headerTimeout is what the transport returns when no response headers came in time
// (http.Transport's ResponseHeaderTimeout).
type headerTimeout struct{}

func (headerTimeout) Error() string   { return "net/http: timeout awaiting response headers" }
func (headerTimeout) Timeout() bool   { return true }
func (headerTimeout) Temporary() bool { return true }

// resetErr is what a read or write on a connection the peer reset returns.
func resetErr() error {
	return &net.OpError{Op: "read", Net: "tcp", Err: syscall.ECONNRESET}
}

// withBody returns resp with body b (its length unknown).
func withBody(resp *http.Response, b io.ReadCloser) *http.Response {
	out := *resp
	out.Body = b
	out.ContentLength = -1
	out.Header = resp.Header.Clone()
	out.Header.Del("Content-Length")
	return &out
}

// reply is a response made here, without the server.
func reply(req *http.Request, code int, h http.Header, body string) *http.Response {
	if h == nil {
		h = http.Header{}
	}
	return &http.Response{
		Status: fmt.Sprintf("%d %s", code, http.StatusText(code)), StatusCode: code,
		Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Header: h, Body: io.NopCloser(strings.NewReader(body)), ContentLength: int64(len(body)),
		Request: req,
	}
}

// cutBody yields data, then err; with ctx set, it then blocks until ctx ends (a stall).
// Half of data comes before a stall or reset, so the reader has started.
type cutBody struct {
	data []byte
	err  error
	ctx  context.Context
	n    int
}

func (b *cutBody) Read(p []byte) (int, error) {
	limit := len(b.data)
	if b.ctx != nil || b.err != io.EOF {
		limit = len(b.data) / 2
	}
	if b.n < limit {
		n := copy(p, b.data[b.n:limit])
		b.n += n
		return n, nil
	}
	if b.ctx != nil {
		<-b.ctx.Done()
		return 0, b.ctx.Err()
	}
	return 0, b.err
}

func (b *cutBody) Close() error { return nil }

// endlessBody yields data, then zero bytes without end.
type endlessBody struct {
	data []byte
	n    int
}

func (b *endlessBody) Read(p []byte) (int, error) {
	if b.n < len(b.data) {
		n := copy(p, b.data[b.n:])
		b.n += n
		return n, nil
	}
	clear(p)
	return len(p), nil
}

func (b *endlessBody) Close() error { return nil }

func destination(r *http.Request) string {
	if d := r.Header.Get("Destination"); d != "" {
		if i := strings.Index(d, "/Docs"); i >= 0 {
			d = d[i:]
		}
		return " → " + d
	}
	return ""
}

type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (r *statusRecorder) WriteHeader(code int) {
	r.status = code
	r.ResponseWriter.WriteHeader(code)
}
