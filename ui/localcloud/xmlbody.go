package localcloud

import (
	"bytes"
	"encoding/xml"
	"errors"
	"io"
	"net/http"
	"strings"
)

// maxXMLBody bounds the request bodies checkXMLBody reads (PROPFIND, PROPPATCH, LOCK
// bodies are small).
const maxXMLBody = 1 << 20

// checkXMLBody answers 400 Bad Request to a PROPFIND, PROPPATCH or LOCK whose XML body
// undeclares a namespace prefix (xmlns:p=""), which Namespaces in XML 1.0 forbids
// (§5 "the empty string … cannot be used as a namespace name" for a prefix) and RFC 4918
// asks a server to refuse (litmus props "propfind_invalid2"); encoding/xml, and so
// x/net/webdav, accept it.
func checkXMLBody(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.Method {
		case "PROPFIND", "PROPPATCH", "LOCK":
		default:
			next.ServeHTTP(w, r)
			return
		}
		body, err := io.ReadAll(io.LimitReader(r.Body, maxXMLBody+1))
		r.Body.Close()
		if err != nil || len(body) > maxXMLBody {
			http.Error(w, "request body unreadable or too large", http.StatusBadRequest)
			return
		}
		if err := undeclaredPrefix(body); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		next.ServeHTTP(w, r)
	})
}

func undeclaredPrefix(body []byte) error {
	d := xml.NewDecoder(bytes.NewReader(body))
	for {
		t, err := d.RawToken()
		if err != nil {
			return nil // the end, or a syntax error x/net/webdav reports itself
		}
		if se, ok := t.(xml.StartElement); ok {
			for _, a := range se.Attr {
				if a.Name.Space == "xmlns" && strings.TrimSpace(a.Value) == "" {
					return errors.New("invalid XML: the namespace prefix " + a.Name.Local + " is declared empty")
				}
			}
		}
	}
}
