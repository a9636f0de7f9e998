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

	"github.com/cloudsync/cloudsync/syncer/remote"
)

var _ remote.Prober = (*Client)(nil)

// probePropfind asks the base folder for what tells servers apart: ids and checksums
// (ownCloud/Nextcloud), an ETag, the RFC 4331 quota and the RFC 3253 report set.
const probePropfind = `<?xml version="1.0" encoding="utf-8"?>
<d:propfind xmlns:d="DAV:" xmlns:oc="http://owncloud.org/ns">
  <d:prop>
    <d:resourcetype/>
    <d:getetag/>
    <oc:fileid/>
    <oc:checksums/>
    <d:quota-available-bytes/>
    <d:supported-report-set/>
  </d:prop>
</d:propfind>`

// probeProppatch sets and removes, in one request, a property in cloudsync's own namespace:
// a server that stores dead properties answers 200 for it, and nothing is left behind.
const probeProppatch = `<?xml version="1.0" encoding="utf-8"?>
<d:propertyupdate xmlns:d="DAV:" xmlns:cs="http://cloudsync.invalid/ns/probe">
  <d:set><d:prop><cs:probe>1</cs:probe></d:prop></d:set>
  <d:remove><d:prop><cs:probe/></d:prop></d:remove>
</d:propertyupdate>`

type probeMultistatus struct {
	Responses []struct {
		Propstats []struct {
			Status string `xml:"DAV: status"`
			Prop   struct {
				ETag      *string   `xml:"DAV: getetag"`
				FileID    *string   `xml:"http://owncloud.org/ns fileid"`
				Checksums *struct{} `xml:"http://owncloud.org/ns checksums"`
				Quota     *string   `xml:"DAV: quota-available-bytes"`
				Reports   []struct {
					Report struct {
						Inner []xml.Name `xml:",any"`
					} `xml:"DAV: report"`
				} `xml:"DAV: supported-report-set>supported-report"`
				Probe *struct{} `xml:"http://cloudsync.invalid/ns/probe probe"`
			} `xml:"DAV: prop"`
		} `xml:"DAV: propstat"`
	} `xml:"DAV: response"`
}

// Probe finds what the server at the base URL offers (see remote.Capabilities): OPTIONS
// (DAV class, Allow, Server), a PROPFIND Depth 0 of the base, and a PROPPATCH that sets and
// removes a cloudsync property of the base in one request. Only a refused login or a base
// that does not answer PROPFIND fails it; a request the server refuses means "not offered".
func (c *Client) Probe(ctx context.Context) (remote.Capabilities, error) {
	caps := remote.Capabilities{ProbedAt: time.Now().UTC()}
	var dav, allow string
	if h, err := c.probeOptions(ctx); err == nil {
		dav, allow, caps.Server = h.Get("DAV"), h.Get("Allow"), strings.TrimSpace(h.Get("Server"))
	} else if errors.Is(err, remote.ErrAuth) {
		return caps, err
	}
	caps.Locking = davClass(dav, "2") && (allow == "" || hasToken(allow, "LOCK"))
	ms, err := c.probeMultistatus(ctx, "PROPFIND", probePropfind)
	if err == nil && ms == nil {
		err = &remote.Error{Kind: remote.ErrBadResponse, Op: "PROPFIND", Message: "no multistatus for the base folder"}
	}
	if err != nil {
		return caps, err
	}
	folderETag := false
	for _, r := range ms.Responses {
		for _, ps := range r.Propstats {
			if !davStatusOK(ps.Status) {
				continue
			}
			pr := ps.Prop
			folderETag = folderETag || pr.ETag != nil && strings.TrimSpace(*pr.ETag) != ""
			caps.FileIDs = caps.FileIDs || pr.FileID != nil && strings.TrimSpace(*pr.FileID) != ""
			caps.Checksums = caps.Checksums || pr.Checksums != nil
			if pr.Quota != nil {
				n, err := strconv.ParseInt(strings.TrimSpace(*pr.Quota), 10, 64)
				caps.Quota = caps.Quota || err == nil && n >= 0
			}
			for _, rep := range pr.Reports {
				for _, n := range rep.Report.Inner {
					caps.SyncCollection = caps.SyncCollection || n.Space == "DAV:" && n.Local == "sync-collection"
				}
			}
		}
	}
	// ownCloud and Nextcloud (the servers with oc:fileid) propagate folder ETags to the root
	// and report oc:checksums for files (apps/dav's FilesPlugin); a folder answers 404 for
	// the latter, so the family stands for it.
	caps.FolderETags = caps.FileIDs && folderETag
	caps.Checksums = caps.Checksums || caps.FileIDs
	// nginx's dav module with dav-ext, recognised by its Server header and a base without
	// ETag or id (behind nginx as a proxy, a server with them is not it), lists no getetag
	// at all and leaves names starting with "." out of every folder listing
	// (ngx_http_dav_ext_propfind in ngx_http_dav_ext_module.c). Every other server tested
	// gives files an ETag, even those that give folders none (x/net/webdav, rclone).
	davExt := strings.HasPrefix(strings.ToLower(caps.Server), "nginx") && !folderETag && !caps.FileIDs
	caps.ETags = !davExt
	caps.HidesDotFiles = davExt
	if pm, err := c.probeMultistatus(ctx, "PROPPATCH", probeProppatch); err == nil && pm == nil {
		caps.DeadProperties = true // lighttpd answers a PROPPATCH that fully succeeded with 204
	} else if err == nil {
		for _, r := range pm.Responses {
			for _, ps := range r.Propstats {
				caps.DeadProperties = caps.DeadProperties || ps.Prop.Probe != nil && davStatusOK(ps.Status)
			}
		}
	}
	return caps, nil
}

// probeOptions sends OPTIONS to the base and returns the headers of a 2xx answer.
func (c *Client) probeOptions(ctx context.Context) (http.Header, error) {
	req, err := c.newRequest(ctx, http.MethodOptions, "", true, nil)
	if err != nil {
		return nil, err
	}
	resp, err := c.do(req, "", false, http.StatusOK, http.StatusNoContent)
	if err != nil {
		return nil, err
	}
	closeBody(resp)
	return resp.Header, nil
}

// probeMultistatus sends method with body to the base and decodes its 207 answer; a 200 or
// 204 answer without a body to decode gives nil.
func (c *Client) probeMultistatus(ctx context.Context, method, body string) (*probeMultistatus, error) {
	req, err := c.newRequest(ctx, method, "", true, strings.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/xml; charset=utf-8")
	req.Header.Set("Depth", "0")
	resp, err := c.do(req, "", false, http.StatusMultiStatus, http.StatusOK, http.StatusNoContent)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusMultiStatus {
		return nil, nil
	}
	var ms probeMultistatus
	if err := xml.NewDecoder(io.LimitReader(resp.Body, maxErrorBody*8)).Decode(&ms); err != nil {
		return nil, &remote.Error{Kind: remote.ErrBadResponse, Op: method, Status: resp.StatusCode, Message: "invalid multistatus XML", Err: err}
	}
	return &ms, nil
}

// davClass reports whether a DAV header ("1, 2, access-control") names class.
func davClass(header, class string) bool {
	for _, f := range strings.Split(header, ",") {
		if strings.TrimSpace(f) == class {
			return true
		}
	}
	return false
}

// hasToken reports whether a comma-separated header (Allow) holds tok, ignoring case.
func hasToken(header, tok string) bool {
	for _, f := range strings.Split(header, ",") {
		if strings.EqualFold(strings.TrimSpace(f), tok) {
			return true
		}
	}
	return false
}
