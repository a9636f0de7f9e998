package webdav

import (
	"bytes"
	"fmt"
	"testing"
)

// rcloneListing is a PROPFIND Depth 1 answer the way rclone serve webdav writes it for a
// folder of n files (the benchmark tree's folders hold 100).
func rcloneListing(n int) []byte {
	var b bytes.Buffer
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?><D:multistatus xmlns:D="DAV:"><D:response><D:href>/dav/d00001/</D:href><D:propstat><D:prop><D:resourcetype><D:collection xmlns:D="DAV:"/></D:resourcetype><D:getlastmodified>Sat, 05 Dec 2026 21:29:34 GMT</D:getlastmodified></D:prop><D:status>HTTP/1.1 200 OK</D:status></D:propstat><D:propstat><D:prop><D:getcontentlength></D:getcontentlength><D:getetag></D:getetag><fileid xmlns="http://owncloud.org/ns"></fileid><checksums xmlns="http://owncloud.org/ns"></checksums></D:prop><D:status>HTTP/1.1 404 Not Found</D:status></D:propstat></D:response>`)
	for i := range n {
		fmt.Fprintf(&b, `<D:response><D:href>/dav/d00001/f%07d.bin</D:href><D:propstat><D:prop><D:resourcetype></D:resourcetype><D:getcontentlength>4096</D:getcontentlength><D:getlastmodified>Sat, 05 Dec 2026 21:29:33 GMT</D:getlastmodified><D:getetag>"18ee78d8ac67fe8%04d"</D:getetag></D:prop><D:status>HTTP/1.1 200 OK</D:status></D:propstat><D:propstat><D:prop><fileid xmlns="http://owncloud.org/ns"></fileid><checksums xmlns="http://owncloud.org/ns"></checksums></D:prop><D:status>HTTP/1.1 404 Not Found</D:status></D:propstat></D:response>`, i, i)
	}
	b.WriteString(`</D:multistatus>`)
	return b.Bytes()
}

// BenchmarkDecodeFolderOf100 decodes one folder's listing of 100 files: a listing of
// 100,000 files is 1,000 of these.
func BenchmarkDecodeFolderOf100(b *testing.B) {
	body := rcloneListing(100)
	b.SetBytes(int64(len(body)))
	for b.Loop() {
		ms, err := decodeMultistatus("PROPFIND", "d00001", bytes.NewReader(body))
		if err != nil || len(ms.Responses) != 101 {
			b.Fatal(err)
		}
		for i := range ms.Responses {
			entryOf("x", &ms.Responses[i])
		}
	}
}
