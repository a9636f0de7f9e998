package webdav

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/cloudsync/cloudsync/syncer/remote"
)

// A PROPFIND asks for the properties the server can answer and the client uses, no more:
// each one costs the server work for every entry of every listing a poll makes. Apache's
// mod_dav opens an item's dead-property database as soon as one property asked for is not
// one of its live properties (dav_get_props in modules/dav/main/props.c), and a listing of
// 10,000 files that asks for the Dublin Core properties takes Apache about 2.5 times as
// long as one asking for the DAV properties alone; the ownCloud properties on a server
// without them add a "404 Not Found" block to every entry (about a third of rclone's
// answers). allprop is never sent: it makes x/net/webdav servers (rclone) sniff each file's
// content type and Apache read every dead property.

// davProps are the DAV properties an Entry needs; every listing asks for them.
const davProps = `
    <d:resourcetype/>
    <d:getcontentlength/>
    <d:getlastmodified/>
    <d:getetag/>`

// ocProps are the ownCloud/Nextcloud extensions: file ids and checksums.
const ocProps = `
    <oc:fileid/>
    <oc:checksums/>`

// propfindXML is a PROPFIND body asking for props, whose prefixes ns declares besides d.
func propfindXML(ns, props string) string {
	return `<?xml version="1.0" encoding="utf-8"?>
<d:propfind xmlns:d="DAV:"` + ns + `>
  <d:prop>` + props + `
  </d:prop>
</d:propfind>`
}

const ocNS = ` xmlns:oc="http://owncloud.org/ns"`

// The PROPFIND bodies (see Client.propfindBody).
var (
	davPropfindBody     = propfindXML("", davProps)
	ocPropfindBody      = propfindXML(ocNS, davProps+ocProps)
	davMetaPropfindBody = propfindXML(metaNS, davProps+dcProps)
	ocMetaPropfindBody  = propfindXML(ocNS+metaNS, davProps+ocProps+dcProps)
)

// propfindBody is the PROPFIND body for c's server: the DAV properties; the ownCloud ones
// unless the probe found neither file ids nor checksums; the metadata ones (meta.go) where
// the probe found that the server keeps them.
func (c *Client) propfindBody() string {
	oc := c.ocProps()
	switch {
	case oc && c.keepsMeta():
		return ocMetaPropfindBody
	case oc:
		return ocPropfindBody
	case c.keepsMeta():
		return davMetaPropfindBody
	}
	return davPropfindBody
}

// davPropfindBody is propfindBody without the metadata properties (walkmeta.go).
func (c *Client) davPropfindBody() string {
	if c.ocProps() {
		return ocPropfindBody
	}
	return davPropfindBody
}

// ocProps reports whether listings ask for the ownCloud properties: unless the probe
// found neither file ids nor checksums.
func (c *Client) ocProps() bool {
	return c.caps.ProbedAt.IsZero() || c.caps.FileIDs || c.caps.Checksums
}

// maxListing bounds the multistatus body of one PROPFIND (about 400,000 entries).
const maxListing = 256 << 20

type multistatus struct {
	Responses []response `xml:"DAV: response"`
}

type response struct {
	Hrefs     []string   `xml:"DAV: href"`
	Status    string     `xml:"DAV: status"`
	Propstats []propstat `xml:"DAV: propstat"`
}

type propstat struct {
	Status string `xml:"DAV: status"`
	Prop   prop   `xml:"DAV: prop"`
}

type prop struct {
	ResourceType  *resourceType `xml:"DAV: resourcetype"`
	ContentLength string        `xml:"DAV: getcontentlength"`
	LastModified  string        `xml:"DAV: getlastmodified"`
	ETag          string        `xml:"DAV: getetag"`
	FileID        string        `xml:"http://owncloud.org/ns fileid"`
	Checksums     []string      `xml:"http://owncloud.org/ns checksums>checksum"`
	metaProps
}

type resourceType struct {
	Collection *struct{} `xml:"DAV: collection"`
}

// davStatusOK reports whether a DAV:status line ("HTTP/1.1 200 OK") is a 2xx; an absent
// status counts as OK.
func davStatusOK(s string) bool {
	switch s { // what every listing is made of, without splitting it
	case "HTTP/1.1 200 OK":
		return true
	case "HTTP/1.1 404 Not Found":
		return false
	}
	f := strings.Fields(s)
	if len(f) < 2 {
		return true
	}
	n, err := strconv.Atoi(f[1])
	return err == nil && n >= 200 && n < 300
}

// decodeMultistatus parses a 207 body. Malformed or truncated XML is ErrBadResponse; a
// read error of the body itself (reset, unexpected EOF) is ErrNetwork.
func decodeMultistatus(op, p string, body io.Reader) (*multistatus, error) {
	return decodeMultistatusIn(op, p, body, new(listingBuf))
}

// listingBuf is what decoding one listing needs, kept for the next (Client.bufs): the
// body's buffer and the decoded structures, whose slices the fast decoder reuses. The
// decoded strings refer to neither, so entries made from them outlive it.
type listingBuf struct {
	body bytes.Buffer
	ms   multistatus
}

// kept reports whether lb is small enough to be kept for the next listing.
func (lb *listingBuf) kept() bool {
	return lb.body.Cap() <= 4<<20 && cap(lb.ms.Responses) <= 20_000
}

// decodeMultistatusIn is decodeMultistatus reading and decoding into lb; the answer is
// lb's until lb is used again.
func decodeMultistatusIn(op, p string, body io.Reader, lb *listingBuf) (*multistatus, error) {
	if err := readListing(op, p, body, lb); err != nil {
		return nil, err
	}
	return decodeListing(op, p, lb)
}

// readListing reads a 207 body into lb (a read error is ErrNetwork).
func readListing(op, p string, body io.Reader, lb *listingBuf) error {
	buf := &lb.body
	buf.Reset()
	if _, err := buf.ReadFrom(io.LimitReader(body, maxListing)); err != nil {
		return &remote.Error{Kind: remote.ErrNetwork, Op: op, Path: p, Status: http.StatusMultiStatus, Err: err}
	}
	return nil
}

// decodeListing decodes the body readListing read into lb (see decodeMultistatus).
func decodeListing(op, p string, lb *listingBuf) (*multistatus, error) {
	b := lb.body.Bytes()
	if fastMultistatus(b, &lb.ms) == nil {
		return &lb.ms, nil
	}
	lb.ms = multistatus{}
	ms := &lb.ms
	err := xml.NewDecoder(bytes.NewReader(b)).Decode(ms)
	if err == nil {
		return ms, nil
	}
	var syn *xml.SyntaxError
	if errors.As(err, &syn) || errors.Is(err, io.EOF) {
		return nil, &remote.Error{Kind: remote.ErrBadResponse, Op: op, Path: p, Status: http.StatusMultiStatus,
			Message: "invalid multistatus XML", Err: err}
	}
	return nil, &remote.Error{Kind: remote.ErrNetwork, Op: op, Path: p, Status: http.StatusMultiStatus, Err: err}
}

// plainRelPath is relPath for the hrefs most listings are made of: an absolute path that
// starts with the base's escaped path and has nothing to decode or resolve below it (no
// escape, query, fragment, dot segment, empty segment or backslash). It gives relPath's
// answer without parsing a URL (ok true), or leaves the href to relPath (ok false).
func (c *Client) plainRelPath(href string) (string, bool) {
	rest, ok := strings.CutPrefix(href, c.base.EscapedPath())
	if !ok {
		rest, ok = strings.CutPrefix(href, c.strictBase)
	}
	if !ok || !strings.HasPrefix(href, "/") || strings.ContainsAny(rest, "%?#\\ \t\r\n") {
		return "", false
	}
	rest = strings.TrimSuffix(rest, "/")
	if rest == "" {
		return "", true
	}
	for name := range strings.SplitSeq(rest, "/") {
		if name == "" || name == "." || name == ".." || remote.ValidateRemoteName(name) != nil {
			return "", false
		}
	}
	return rest, true
}

// errOutsideBase marks an href that does not lie under the base URL.
var errOutsideBase = errors.New("href outside the base URL")

// relPath turns an href from a multistatus (absolute URL, absolute path or relative
// reference, percent-encoded) into a canonical account-relative path. It refuses hrefs on
// another host or outside the base path (errOutsideBase), and names that remote refuses
// (an encoded "/", "\", NUL, "." or ".."): ErrInvalidName. Segments are decoded one by
// one, so "a%2Fb" is one (invalid) name, never two path elements.
func (c *Client) relPath(href string) (string, error) {
	if rel, ok := c.plainRelPath(href); ok {
		return rel, nil
	}
	u, err := url.Parse(strings.TrimSpace(href))
	if err != nil {
		return "", fmt.Errorf("%w: %q: %v", errOutsideBase, href, err)
	}
	u = c.base.ResolveReference(u) // also removes "." and ".." segments
	if !strings.EqualFold(u.Host, c.base.Host) {
		return "", fmt.Errorf("%w: %q names another host", errOutsideBase, href)
	}
	segs := strings.Split(u.EscapedPath(), "/")
	baseSegs := strings.Split(c.base.EscapedPath(), "/")
	baseSegs = baseSegs[:len(baseSegs)-1] // the base path ends with "/"
	if len(segs) > 0 && segs[len(segs)-1] == "" {
		segs = segs[:len(segs)-1]
	}
	if len(segs) < len(baseSegs) {
		return "", fmt.Errorf("%w: %q", errOutsideBase, href)
	}
	for i, bs := range baseSegs {
		a, err1 := url.PathUnescape(segs[i])
		b, _ := url.PathUnescape(bs)
		if err1 != nil || a != b {
			return "", fmt.Errorf("%w: %q", errOutsideBase, href)
		}
	}
	names := make([]string, 0, len(segs)-len(baseSegs))
	for _, s := range segs[len(baseSegs):] {
		name, err := url.PathUnescape(s)
		if err != nil {
			return "", fmt.Errorf("%w: bad escape in %q", remote.ErrInvalidName, href)
		}
		if err := remote.ValidateRemoteName(name); err != nil {
			return "", err
		}
		names = append(names, name)
	}
	return strings.Join(names, "/"), nil
}

// invalidChild returns the decoded last name of href when href is a direct child of folder
// p whose name fails remote.ValidateRemoteName but is still one path element (no "/").
func (c *Client) invalidChild(href, p string) (string, bool) {
	h := strings.TrimSuffix(strings.TrimSpace(href), "/")
	i := strings.LastIndex(h, "/")
	if i < 0 {
		return "", false
	}
	parent, err := c.relPath(h[:i+1])
	if err != nil || parent != p {
		return "", false
	}
	name, err := url.PathUnescape(h[i+1:])
	if err != nil || name == "" || name == "." || name == ".." || strings.Contains(name, "/") {
		return "", false
	}
	return name, true
}

// entryOf builds the Entry (account-relative path rel) from a response's 2xx properties,
// and says whether its ETag was weak. A weak ETag (W/"…") is kept without the W/: the
// server's weak and strong forms name the same version (RFC 9110 weak comparison), and
// Apache turns a file's ETag from weak to strong a second after each write.
func entryOf(rel string, r *response) (remote.Entry, bool) {
	var pr prop
	isDir := false
	for _, ps := range r.Propstats {
		if !davStatusOK(ps.Status) {
			continue
		}
		p := ps.Prop
		if p.ResourceType != nil && p.ResourceType.Collection != nil {
			isDir = true
		}
		pr.ContentLength = firstNonEmpty(pr.ContentLength, p.ContentLength)
		pr.LastModified = firstNonEmpty(pr.LastModified, p.LastModified)
		pr.ETag = firstNonEmpty(pr.ETag, p.ETag)
		pr.FileID = firstNonEmpty(pr.FileID, p.FileID)
		pr.Checksums = append(pr.Checksums, p.Checksums...)
		pr.metaProps.merge(p.metaProps)
	}
	e := remote.Entry{Path: rel, IsDir: isDir}
	if !isDir {
		e.Size, _ = strconv.ParseInt(strings.TrimSpace(pr.ContentLength), 10, 64)
	}
	if t, err := http.ParseTime(strings.TrimSpace(pr.LastModified)); err == nil {
		e.ModTime = t.UTC()
	}
	etag := strings.TrimSpace(pr.ETag)
	weak := strings.HasPrefix(etag, "W/")
	etag = strings.TrimPrefix(etag, "W/")
	switch {
	case etag != "":
		e.Version = etag
	case !e.ModTime.IsZero():
		// No ETag (rare, and folders on some servers): size and mtime stand in for it.
		e.Version = fmt.Sprintf("%s%d-%d", fallbackVersionPrefix, e.Size, e.ModTime.UnixNano())
	}
	if id := strings.TrimSpace(pr.FileID); id != "" {
		e.ID = id
	} else {
		e.ID, e.IDIsPath = rel, true
	}
	if !isDir {
		e.Hash = bestChecksum(pr.Checksums)
	}
	e.Meta = pr.metaProps.meta()
	return e, weak
}

// fallbackVersionPrefix starts a Version made from size and mtime; it is not an ETag and
// is never sent in If-Match.
const fallbackVersionPrefix = "size-mtime:"

func firstNonEmpty(a, b string) string {
	if strings.TrimSpace(a) != "" {
		return a
	}
	return b
}

// bestChecksum picks the strongest checksum of an oc:checksums value ("SHA1:ab… MD5:cd…
// ADLER32:…", one or several elements) as "sha256:hex", "sha1:hex" or "md5:hex"; "" when
// none is usable. Malformed values are ignored.
func bestChecksum(values []string) string {
	best, bestRank := "", 0
	for _, v := range values {
		for _, f := range strings.Fields(v) {
			algo, sum, ok := strings.Cut(f, ":")
			if !ok {
				continue
			}
			algo, sum = strings.ToLower(algo), strings.ToLower(sum)
			rank, size := 0, 0
			switch algo {
			case "sha256":
				rank, size = 3, 32
			case "sha1":
				rank, size = 2, 20
			case "md5":
				rank, size = 1, 16
			}
			if b, err := hex.DecodeString(sum); rank == 0 || err != nil || len(b) != size {
				continue
			}
			if rank > bestRank {
				best, bestRank = algo+":"+sum, rank
			}
		}
	}
	return best
}

// propfindResult is what one PROPFIND says about the requested path and its children.
type propfindResult struct {
	self remote.Entry
	// weakETag: self's ETag was weak (W/"…"; Apache marks a file's ETag weak during the
	// second after it was written). self.Version holds it without the W/, so the version
	// does not change when the server makes it strong; If-Match must not carry it yet.
	weakETag bool
	children []remote.Entry
}

// propfind runs PROPFIND with depth "0" or "1" on account-relative folder or file p and
// returns p's own entry and (depth 1) its direct children, paths account-relative and
// sorted as the server sent them. dir addresses p as a folder (URL with a trailing slash,
// as folder listings must be on servers such as nginx); a file is addressed without one
// (Apache answers 400 and lighttpd 403 to "f.txt/"). Children with invalid names, and
// anything outside p, are skipped (and logged); the listing itself never fails because of
// one bad name.
func (c *Client) propfind(ctx context.Context, p, depth string, dir bool) (propfindResult, error) {
	res, _, err := c.propfindKept(ctx, p, depth, dir, false, nil, false)
	return res, err
}

// propfindKept is propfind for a walk (listcache.go): with keep, it also returns the
// answer's listing to keep for the next walk, and when the answer has the digest of kept
// (the last walk's listing of p, or nil) it returns kept's result without decoding it.
// davOnly (with keep and kept) asks for the DAV properties alone and returns kept's
// result, metadata included, only when the answer says what kept says but for the
// metadata; else the answer's result without metadata and no listing (walkmeta.go).
func (c *Client) propfindKept(ctx context.Context, p, depth string, dir, keep bool, kept *listing, davOnly bool) (propfindResult, *listing, error) {
	p = remote.Clean(p)
	body := c.propfindBody()
	if davOnly {
		body = c.davPropfindBody()
	}
	req, err := c.newRequest(ctx, "PROPFIND", p, dir, strings.NewReader(body))
	if err != nil {
		return propfindResult{}, nil, err
	}
	req.Header.Set("Depth", depth)
	req.Header.Set("Content-Type", "application/xml; charset=utf-8")
	resp, err := c.do(req, p, false, http.StatusMultiStatus)
	if err != nil {
		return propfindResult{}, nil, err
	}
	defer resp.Body.Close()
	lb, _ := c.bufs.Get().(*listingBuf)
	if lb == nil {
		lb = new(listingBuf)
	}
	defer func() {
		if lb.kept() { // a huge answer's buffers are not kept
			c.bufs.Put(lb)
		}
	}()
	if err := readListing("PROPFIND", p, resp.Body, lb); err != nil {
		return propfindResult{}, nil, err
	}
	var sum, canon [sha256.Size]byte
	if davOnly {
		return c.davAnswer(p, lb, kept)
	}
	if keep {
		body := lb.body.Bytes()
		if sum = sha256.Sum256(body); kept.has(sum) {
			return kept.result(c.spare.get()), kept, nil
		}
		if canon = answerSum(body, sum); kept.hasCanon(canon) {
			l := kept.also(sum, canon) // (canon is one of its canons already)
			return l.result(c.spare.get()), l, nil
		}
	}
	res, err := c.resultOf(p, depth, lb)
	if err != nil {
		return propfindResult{}, nil, err
	}
	if c.onDecode != nil {
		c.onDecode(p, !kept.says(res))
	}
	if keep {
		return res, kept.next(sum, canon, res), nil
	}
	return res, nil, nil
}

// resultOf decodes the answer readListing read into lb: what a PROPFIND with depth of p
// says about p and its children.
func (c *Client) resultOf(p, depth string, lb *listingBuf) (propfindResult, error) {
	ms, err := decodeListing("PROPFIND", p, lb)
	if err != nil {
		return propfindResult{}, err
	}
	c.decoded.Add(1)
	res := propfindResult{children: make([]remote.Entry, 0, len(ms.Responses))}
	found := false
	for i := range ms.Responses {
		r := &ms.Responses[i]
		if len(r.Hrefs) == 0 {
			continue
		}
		rel, err := c.relPath(r.Hrefs[0])
		if errors.Is(err, remote.ErrInvalidName) && depth != "0" && davStatusOK(r.Status) {
			// A child whose name cannot be a local name ("a\b", NUL) is still listed, so the
			// engine reports it as invalid_name instead of silently never seeing it; it is
			// never used to build a local path. Names that would change the path structure
			// (an encoded "/") cannot be represented and are skipped below.
			if name, ok := c.invalidChild(r.Hrefs[0], p); ok {
				e, _ := entryOf(childPath(p, name), r)
				res.children = append(res.children, e)
				continue
			}
		}
		if err != nil {
			c.warned.Warn(c.log, r.Hrefs[0], err.Error(), "webdav: skipping an entry the server listed", "folder", p, "href", r.Hrefs[0], "err", err)
			continue
		}
		ok := davStatusOK(r.Status)
		switch {
		case rel == p || depth == "0" && len(ms.Responses) == 1 && strings.EqualFold(rel, p):
			if !ok {
				return propfindResult{}, &remote.Error{Kind: remote.ErrNotFound, Op: "PROPFIND", Path: p,
					Message: strings.TrimSpace(r.Status)}
			}
			res.self, res.weakETag = entryOf(rel, r)
			found = true
		case depth != "0" && ok && pathDir(rel) == p:
			e, _ := entryOf(rel, r)
			res.children = append(res.children, e)
		default:
			c.warned.Warn(c.log, r.Hrefs[0], "outside "+p, "webdav: skipping an entry outside the listed folder", "folder", p, "href", r.Hrefs[0])
		}
	}
	if !found {
		return propfindResult{}, &remote.Error{Kind: remote.ErrBadResponse, Op: "PROPFIND", Path: p,
			Status: http.StatusMultiStatus, Message: "the response does not describe the requested path"}
	}
	return res, nil
}

// childPath joins folder p and a name without cleaning the name (it may be invalid).
func childPath(p, name string) string {
	if p == "" {
		return name
	}
	return p + "/" + name
}
