package webdav

import (
	"bytes"
	"encoding/xml"
	"reflect"
	"testing"
)

// referenceMultistatus decodes b with encoding/xml, the reference the fast decoder follows.
func referenceMultistatus(b []byte) (multistatus, error) {
	var ms multistatus
	err := xml.NewDecoder(bytes.NewReader(b)).Decode(&ms)
	return ms, err
}

var multistatusSamples = []string{
	string(rcloneListing(3)),
	// Apache mod_dav: prefixes declared on the response, lp1 for live properties.
	`<?xml version="1.0" encoding="utf-8"?>
<D:multistatus xmlns:D="DAV:" xmlns:ns0="DAV:">
<D:response xmlns:lp1="DAV:" xmlns:lp2="http://apache.org/dav/props/">
<D:href>/dav/alice%40example.com/a%20b.txt</D:href>
<D:propstat>
<D:prop>
<lp1:resourcetype/>
<lp1:getcontentlength>5</lp1:getcontentlength>
<lp1:getetag>W/"5-661ea08204d88"</lp1:getetag>
</D:prop>
<D:status>HTTP/1.1 200 OK</D:status>
</D:propstat>
</D:response>
</D:multistatus>`,
	// ownCloud: a default namespace, oc: properties, checksums, an entity in the href.
	`<d:multistatus xmlns:d="DAV:" xmlns:oc="http://owncloud.org/ns"><d:response><d:href>/remote.php/dav/files/a/x&amp;y.txt</d:href>` +
		`<d:propstat><d:prop><d:resourcetype><d:collection/></d:resourcetype><oc:fileid>00000042oc</oc:fileid>` +
		`<oc:checksums><oc:checksum>SHA1:da39a3ee5e6b4b0d3255bfef95601890afd80709 MD5:d41d8cd98f00b204e9800998ecf8427e</oc:checksum></oc:checksums>` +
		`</d:prop><d:status>HTTP/1.1 200 OK</d:status></d:propstat></d:response></d:multistatus>`,
	// Apache with Dublin Core dead properties: a title with an entity, the others 404.
	`<?xml version="1.0" encoding="utf-8"?>
<D:multistatus xmlns:D="DAV:" xmlns:ns1="http://purl.org/dc/elements/1.1/" xmlns:ns0="DAV:">
<D:response xmlns:lp1="DAV:"><D:href>/dav/a.txt</D:href>
<D:propstat><D:prop><lp1:resourcetype/><lp1:getetag>"5-6"</lp1:getetag>
<ns1:title>R&amp;D
notes</ns1:title><ns1:creator></ns1:creator></D:prop><D:status>HTTP/1.1 200 OK</D:status></D:propstat>
<D:propstat><D:prop><ns1:description/></D:prop><D:status>HTTP/1.1 404 Not Found</D:status></D:propstat>
</D:response>
</D:multistatus>`,
	// A default namespace for DAV:, a response status, a numeric reference.
	`<multistatus xmlns="DAV:"><response><href>/f&#233;.txt</href><status>HTTP/1.1 404 Not Found</status></response></multistatus>`,
	// Nested unknown elements, a prefix redeclared below.
	`<a:multistatus xmlns:a="DAV:"><a:response><x:extra xmlns:x="urn:x"><x:deep>t</x:deep></x:extra>` +
		`<a:propstat xmlns:a="urn:not-dav"><a:prop><a:getetag>"no"</a:getetag></a:prop></a:propstat>` +
		`<a:propstat><a:prop><a:getetag>"yes"</a:getetag></a:prop></a:propstat></a:response></a:multistatus>`,
	// What the fast decoder leaves to encoding/xml.
	`<D:multistatus xmlns:D="DAV:"><D:response><D:href><![CDATA[/a<b]]></D:href></D:response></D:multistatus>`,
	`<?xml version="1.0" encoding="iso-8859-1"?><D:multistatus xmlns:D="DAV:"></D:multistatus>`,
	"<D:multistatus xmlns:D=\"DAV:\"><D:response><D:href>/a\r\nb</D:href></D:response></D:multistatus>",
	`<D:multistatus xmlns:D="DAV:"><D:response><D:href>/a</D:response></D:multistatus>`,
	`<D:multistatus xmlns:D="DAV:"><D:response><D:href>&nbsp;</D:href></D:response></D:multistatus>`,
	`<D:multistatus xmlns:D="DAV:"><D:response><D:href>/a`,
	`<D:multistatus xmlns:D="DAV:"><D:response><D:getetag>"x"<D:b/>y</D:getetag></D:response></D:multistatus>`,
	`<D:multistatus><D:response/></D:multistatus>`,
	`<D:multistatus xmlns:D="DAV:"><!-- a comment --></D:multistatus>`,
}

// TestFastMultistatusMatchesEncodingXML: on the bodies servers send, the fast decoder gives
// what encoding/xml gives, and it hands the rest to encoding/xml (decodeMultistatus then
// returns the reference's answer or error).
func TestFastMultistatusMatchesEncodingXML(t *testing.T) {
	fast := 0
	for i, sample := range multistatusSamples {
		checkFastMultistatus(t, []byte(sample))
		var ms multistatus
		if fastMultistatus([]byte(sample), &ms) == nil {
			fast++
		} else if i < 6 {
			t.Errorf("sample %d, a body servers send, went to encoding/xml", i)
		}
	}
	if fast < 6 {
		t.Fatalf("the fast decoder answered %d samples", fast)
	}
}

func checkFastMultistatus(t *testing.T, b []byte) {
	t.Helper()
	want, werr := referenceMultistatus(b)
	var got multistatus
	if err := fastMultistatus(b, &got); err != nil {
		return // encoding/xml decides
	}
	if werr != nil {
		t.Fatalf("fast decoder accepted what encoding/xml refuses (%v): %q", werr, b)
	}
	if !reflect.DeepEqual(normalize(got), normalize(want)) {
		t.Fatalf("fast decoder differs on %q:\n got %+v\nwant %+v", b, got, want)
	}
	// Decoded into the structures of earlier listings (as propfind reuses them), b gives
	// the same: nothing of them shows through.
	var reused multistatus
	for _, earlier := range []string{multistatusSamples[0], multistatusSamples[1], string(b)} {
		if err := fastMultistatus([]byte(earlier), &reused); err != nil {
			reused = multistatus{}
		}
	}
	if !reflect.DeepEqual(normalize(reused), normalize(want)) {
		t.Fatalf("fast decoder into reused structures differs on %q:\n got %+v\nwant %+v", b, reused, want)
	}
}

// normalize maps nil and empty slices alike (encoding/xml leaves them nil).
func normalize(ms multistatus) multistatus {
	if len(ms.Responses) == 0 {
		ms.Responses = nil
	}
	for i := range ms.Responses {
		r := &ms.Responses[i]
		if len(r.Hrefs) == 0 {
			r.Hrefs = nil
		}
		if len(r.Propstats) == 0 {
			r.Propstats = nil
		}
		for j := range r.Propstats {
			if len(r.Propstats[j].Prop.Checksums) == 0 {
				r.Propstats[j].Prop.Checksums = nil
			}
		}
	}
	return ms
}

func FuzzFastMultistatusMatchesEncodingXML(f *testing.F) {
	for _, s := range multistatusSamples {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) { checkFastMultistatus(t, b) })
}

// TestPlainRelPathAgreesWithRelPath: the shortcut for plain hrefs gives what the full URL
// resolution gives, and leaves every other href to it.
func TestPlainRelPathAgreesWithRelPath(t *testing.T) {
	for _, base := range []string{"http://h/dav/alice@example.com/", "http://h/", "http://h/a%20b/"} {
		c, err := New(Config{URL: base})
		if err != nil {
			t.Fatal(err)
		}
		for _, href := range []string{"/dav/alice@example.com/x/y.txt", "/dav/alice@example.com/", "/dav/alice%40example.com/x",
			"/x/y/", "/x//y", "/x/./y", "/x/../y", "/a%20b/c", "/a b/c", "/x/y?q=1", "http://h/x", "x/y", "/x/a%2Fb",
			"/dav/alice@example.com/x\\y", "/x/..", "/", "/a%20b/", "/dav/alice@example.com/ x", "/dav/alice@example.com/CON",
			"/dav/alice%40example.com/d/f.txt", "/dav/alice%40example.com/"} {
			got, ok := c.plainRelPath(href)
			if !ok {
				continue
			}
			want, err := c.relPath(href)
			if err != nil || got != want {
				t.Errorf("base %s, href %q: shortcut %q, relPath %q (%v)", base, href, got, want, err)
			}
		}
	}
}
