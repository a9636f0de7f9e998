package davlock

import (
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"net/http"
	"os"
	"syscall"

	"golang.org/x/net/webdav"
)

// x/net/webdav answers DAV:lockdiscovery with 404 (its LockSystem cannot list locks) and
// DAV:supportedlock with exclusive locks only. A file's dead properties take precedence
// over live ones in its PROPFIND, so discoveryFS adds lockdiscovery to every file's dead
// properties, listing this server's locks; supportedlock is kept live (a dead one would
// be listed twice by allprop) and rewritten on its way out by supportedLockWriter.

var (
	lockDiscoveryName = xml.Name{Space: "DAV:", Local: "lockdiscovery"}
	supportedLockName = xml.Name{Space: "DAV:", Local: "supportedlock"}
)

// discoveryFS is a FileSystem whose files list the locks covering them.
type discoveryFS struct {
	webdav.FileSystem
	locks *Manager
}

// OpenFile opens a folder read-only when asked to open it read-write: x/net/webdav opens
// a PROPPATCH's target with O_RDWR (prop.go patch), which a folder cannot be opened as
// (EISDIR), so every PROPPATCH of a folder was a 500; dead properties are not written
// through the descriptor anyway.
func (fs discoveryFS) OpenFile(ctx context.Context, name string, flag int, perm os.FileMode) (webdav.File, error) {
	f, err := fs.FileSystem.OpenFile(ctx, name, flag, perm)
	if errors.Is(err, syscall.EISDIR) && flag&(os.O_CREATE|os.O_TRUNC|os.O_APPEND) == 0 {
		f, err = fs.FileSystem.OpenFile(ctx, name, os.O_RDONLY, 0)
	}
	if err != nil {
		return nil, err
	}
	return discoveryFile{File: f, name: cleanPath(name), locks: fs.locks}, nil
}

type discoveryFile struct {
	webdav.File
	name  string
	locks *Manager
}

var _ webdav.DeadPropsHolder = discoveryFile{}

// DeadProps are the file's own (when its file system keeps any) and DAV:lockdiscovery.
func (f discoveryFile) DeadProps() (map[xml.Name]webdav.Property, error) {
	props := map[xml.Name]webdav.Property{}
	if h, ok := f.File.(webdav.DeadPropsHolder); ok {
		own, err := h.DeadProps()
		if err != nil {
			return nil, err
		}
		for n, p := range own {
			props[n] = p
		}
	}
	var value string
	f.locks.Do(func(tx *Tx) error {
		value = lockDiscovery(tx.Covering(f.name), tx.Now())
		return nil
	})
	props[lockDiscoveryName] = webdav.Property{XMLName: lockDiscoveryName, InnerXML: []byte(value)}
	return props, nil
}

// Patch passes the patches to the file's own dead properties. x/net/webdav refuses a
// PROPPATCH of the live lock properties before it gets here; a COPY copies every dead
// property of its source (x/net/webdav copyProps), lockdiscovery included, which is
// dropped here: "a COPY method invocation MUST NOT duplicate any write locks active on the
// source" (RFC 4918 §7.6).
func (f discoveryFile) Patch(patches []webdav.Proppatch) ([]webdav.Propstat, error) {
	var kept []webdav.Proppatch
	for _, pp := range patches {
		var props []webdav.Property
		for _, p := range pp.Props {
			if p.XMLName != lockDiscoveryName && p.XMLName != supportedLockName {
				props = append(props, p)
			}
		}
		if len(props) > 0 {
			kept = append(kept, webdav.Proppatch{Remove: pp.Remove, Props: props})
		}
	}
	if len(kept) == 0 {
		return []webdav.Propstat{{Status: http.StatusOK}}, nil
	}
	if h, ok := f.File.(webdav.DeadPropsHolder); ok {
		return h.Patch(kept)
	}
	// As x/net/webdav answers for a file without dead properties: all forbidden.
	st := webdav.Propstat{Status: http.StatusForbidden}
	for _, pp := range kept {
		for _, p := range pp.Props {
			st.Props = append(st.Props, webdav.Property{XMLName: p.XMLName})
		}
	}
	return []webdav.Propstat{st}, nil
}

// xnetSupportedLock is x/net/webdav's value of DAV:supportedlock (prop.go
// findSupportedLock), which supportedLockWriter replaces. A test checks that PROPFIND
// lists both scopes, so a change upstream is seen.
const xnetSupportedLock = `<D:lockentry xmlns:D="DAV:"><D:lockscope><D:exclusive/></D:lockscope><D:locktype><D:write/></D:locktype></D:lockentry>`

// supportedLockWriter passes a PROPFIND response through, replacing x/net/webdav's
// supportedlock value with supportedLock. It holds back at most len(xnetSupportedLock)-1
// bytes, which flush writes.
type supportedLockWriter struct {
	http.ResponseWriter
	pending []byte
}

func (w *supportedLockWriter) Write(p []byte) (int, error) {
	buf := append(w.pending, p...)
	w.pending = nil
	old := []byte(xnetSupportedLock)
	var out []byte
	for {
		i := bytes.Index(buf, old)
		if i < 0 {
			break
		}
		out = append(append(out, buf[:i]...), supportedLock...)
		buf = buf[i+len(old):]
	}
	if keep := len(old) - 1; len(buf) > keep {
		out = append(out, buf[:len(buf)-keep]...)
		buf = buf[len(buf)-keep:]
	}
	w.pending = append([]byte(nil), buf...)
	if len(out) > 0 {
		if _, err := w.ResponseWriter.Write(out); err != nil {
			return 0, err
		}
	}
	return len(p), nil
}

// flush writes what Write held back.
func (w *supportedLockWriter) flush() {
	if len(w.pending) > 0 {
		w.ResponseWriter.Write(w.pending)
		w.pending = nil
	}
}

func (w *supportedLockWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
