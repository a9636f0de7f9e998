package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
)

// The curl references: what one curl process (one connection, requests one after another)
// takes for the same work on the same server in the same run. curl reads its requests from
// a config file (the password is in it, mode 0600, never on a command line).

// curlProps asks for the properties cloudsync asks for, so a listing costs the server the
// same work.
const curlProps = `<?xml version="1.0" encoding="utf-8"?><d:propfind xmlns:d="DAV:" xmlns:oc="http://owncloud.org/ns"><d:prop><d:resourcetype/><d:getcontentlength/><d:getlastmodified/><d:getetag/><oc:fileid/><oc:checksums/></d:prop></d:propfind>`

// curlConf builds a curl config file: one operation per entry of ops (separated by
// "next"), each a list of "key = value" lines.
type curlConf struct {
	auth string // user:password
	b    strings.Builder
	n    int
}

func newCurl(srv *server) *curlConf { return &curlConf{auth: srv.user + ":" + srv.pass} }

func (c *curlConf) op(lines ...string) {
	if c.n > 0 {
		c.b.WriteString("next\n")
	}
	c.n++
	c.b.WriteString("silent\nshow-error\nfail\n")
	c.b.WriteString("user = " + quote(c.auth) + "\n")
	for _, l := range lines {
		c.b.WriteString(l + "\n")
	}
}

func quote(s string) string { return `"` + strings.ReplaceAll(s, `"`, `\"`) + `"` }

// run runs curl with the config and returns its wall time.
func (c *curlConf) run(ctx context.Context, scratch string) (time.Duration, error) {
	f, err := os.CreateTemp(scratch, "curl-*.conf")
	if err != nil {
		return 0, err
	}
	defer os.Remove(f.Name())
	if _, err := f.WriteString(c.b.String()); err != nil {
		f.Close()
		return 0, err
	}
	f.Close()
	cmd := exec.CommandContext(ctx, "curl", "--config", f.Name())
	start := time.Now()
	out, err := cmd.CombinedOutput()
	el := time.Since(start)
	if err != nil {
		return el, fmt.Errorf("curl: %v: %s", err, firstLines(string(out), 5))
	}
	return el, nil
}

func firstLines(s string, n int) string {
	l := strings.SplitN(s, "\n", n+1)
	if len(l) > n {
		l = l[:n]
	}
	return strings.Join(l, "\n")
}

// curlUpload uploads the files (slash paths relative to localRoot) into folder under the
// server, creating folder and dirs first (MKCOL), in one curl process.
func curlUpload(ctx context.Context, srv *server, scratch, localRoot, folder string, dirs, files []string) (time.Duration, error) {
	c := newCurl(srv)
	mk := []string{`request = "MKCOL"`}
	for _, d := range append([]string{""}, dirs...) {
		mk = append(mk, "url = "+quote(srv.URL+joinURL(folder, d)+"/"), `output = "/dev/null"`)
	}
	c.op(mk...)
	var up []string
	for _, f := range files {
		up = append(up, "upload-file = "+quote(filepath.Join(localRoot, filepath.FromSlash(f))),
			"url = "+quote(srv.URL+joinURL(folder, f)), `output = "/dev/null"`)
	}
	c.op(up...)
	return c.run(ctx, scratch)
}

// curlList lists folder and the dirs below it with PROPFIND Depth 1, one request each.
func curlList(ctx context.Context, srv *server, scratch, folder string, dirs []string) (time.Duration, error) {
	c := newCurl(srv)
	l := []string{`request = "PROPFIND"`, `header = "Depth: 1"`, `header = "Content-Type: application/xml"`, "data = " + quote(curlProps)}
	for _, d := range append([]string{""}, dirs...) {
		l = append(l, "url = "+quote(srv.URL+joinURL(folder, d)+"/"), `output = "/dev/null"`)
	}
	c.op(l...)
	return c.run(ctx, scratch)
}

// curlMoves creates folder to and moves each of files (account-relative) into it, one MOVE
// per file.
func curlMoves(ctx context.Context, srv *server, scratch, to string, files []string) (time.Duration, error) {
	c := newCurl(srv)
	c.op(`request = "MKCOL"`, "url = "+quote(srv.URL+to+"/"), `output = "/dev/null"`)
	for _, f := range files {
		c.op(`request = "MOVE"`, "header = "+quote("Destination: "+srv.URL+joinURL(to, pathBase(f))),
			`header = "Overwrite: F"`, "url = "+quote(srv.URL+f), `output = "/dev/null"`)
	}
	return c.run(ctx, scratch)
}

// curlPut uploads one local file to account-relative p.
func curlPut(ctx context.Context, srv *server, scratch, local, p string) (time.Duration, error) {
	c := newCurl(srv)
	c.op("upload-file = "+quote(local), "url = "+quote(srv.URL+p), `output = "/dev/null"`)
	return c.run(ctx, scratch)
}

// curlGet downloads account-relative p into local.
func curlGet(ctx context.Context, srv *server, scratch, p, local string) (time.Duration, error) {
	c := newCurl(srv)
	c.op("url = "+quote(srv.URL+p), "output = "+quote(local))
	return c.run(ctx, scratch)
}

func joinURL(a, b string) string {
	switch {
	case a == "":
		return b
	case b == "":
		return a
	}
	return a + "/" + b
}

func pathBase(p string) string {
	if i := strings.LastIndexByte(p, '/'); i >= 0 {
		return p[i+1:]
	}
	return p
}
