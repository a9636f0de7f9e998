//go:build linux

package localcloud

import (
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"

	"golang.org/x/net/webdav"
	"golang.org/x/sys/unix"
)

// WebDAV dead properties (PROPPATCH; RFC 4918 §9.2) are kept as user extended attributes
// of the served files, so they live and move with the files (MOVE is a rename; COPY copies
// them through DeadPropsHolder, see x/net/webdav copyProps) and other programs see them:
//
//   - Dublin Core title, description and creator (namespace http://purl.org/dc/elements/1.1/)
//     are user.dublincore.title, .description and .creator, holding the plain text, as the
//     freedesktop "Common Extended Attributes" convention names them (a value with markup
//     is kept the generic way below instead);
//   - any other property {NS}local is user.webdav.{NS}local, holding its xml:lang, a
//     newline, then its XML value as sent.
//
// A name longer than the 255 bytes an attribute name may have is refused for that
// property (403). On a file system without user attributes (tmpfs without user_xattr,
// FAT, some network mounts) the server keeps no dead properties: PROPPATCH answers 403 and
// DeadPropsSupported says why, once, at start.
const (
	dcNS       = "http://purl.org/dc/elements/1.1/"
	dcPrefix   = "user.dublincore."
	davPrefix  = "user.webdav."
	maxXattrNm = 255
)

var dcNames = map[string]bool{"title": true, "description": true, "creator": true}

// DeadPropsSupported reports whether dir's file system keeps user extended attributes
// (it sets and removes one on dir); the error says what is missing.
func DeadPropsSupported(dir string) error {
	const probe = "user.cloudsync.probe"
	if err := unix.Setxattr(dir, probe, []byte("1"), 0); err != nil {
		return fmt.Errorf("the file system of %s keeps no user extended attributes (%v): WebDAV dead properties (PROPPATCH) are refused", dir, err)
	}
	unix.Removexattr(dir, probe)
	return nil
}

// xattrFS is webdav.Dir whose files keep their dead properties in extended attributes.
type xattrFS struct{ webdav.Dir }

func (fs xattrFS) OpenFile(ctx context.Context, name string, flag int, perm os.FileMode) (webdav.File, error) {
	f, err := fs.Dir.OpenFile(ctx, name, flag, perm)
	if err != nil {
		return nil, err
	}
	if osf, ok := f.(*os.File); ok {
		return propFile{osf}, nil
	}
	return f, nil
}

// propFile is a served file with its dead properties. Attributes are read and written
// through the file's path (the open descriptor may be read-only; attribute access is
// checked against the file, not the descriptor's mode).
type propFile struct{ *os.File }

var _ webdav.DeadPropsHolder = propFile{}

func (f propFile) DeadProps() (map[xml.Name]webdav.Property, error) {
	names, err := listXattrs(f.Name())
	if err != nil {
		return nil, err
	}
	props := map[xml.Name]webdav.Property{}
	for _, attr := range names {
		v, err := getXattr(f.Name(), attr)
		if err != nil {
			continue // removed meanwhile
		}
		if p, ok := propertyOf(attr, v); ok {
			props[p.XMLName] = p
		}
	}
	return props, nil
}

func (f propFile) Patch(patches []webdav.Proppatch) ([]webdav.Propstat, error) {
	// All or nothing (RFC 4918 §9.2): names are checked before anything is written.
	var failed []webdav.Property
	for _, pp := range patches {
		for _, p := range pp.Props {
			if len(attrNameOf(p)) > maxXattrNm {
				failed = append(failed, webdav.Property{XMLName: p.XMLName})
			}
		}
	}
	if len(failed) > 0 {
		return dependent(patches, failed, http.StatusForbidden, "the property name is too long to keep"), nil
	}
	ok := webdav.Propstat{Status: http.StatusOK}
	for _, pp := range patches {
		for _, p := range pp.Props {
			var err error
			if pp.Remove {
				err = removeProp(f.Name(), p.XMLName)
			} else {
				attr, val := attrOf(p)
				removeProp(f.Name(), p.XMLName) // a value changing form changes attribute
				err = unix.Setxattr(f.Name(), attr, val, 0)
			}
			if err != nil {
				return dependent(patches, []webdav.Property{{XMLName: p.XMLName}}, http.StatusForbidden,
					"the server's file system refused the property: "+err.Error()), nil
			}
			ok.Props = append(ok.Props, webdav.Property{XMLName: p.XMLName})
		}
	}
	return []webdav.Propstat{ok}, nil
}

// dependent answers a failed PROPPATCH: status for the properties that failed, 424 for
// the others.
func dependent(patches []webdav.Proppatch, failed []webdav.Property, status int, why string) []webdav.Propstat {
	isFailed := map[xml.Name]bool{}
	for _, p := range failed {
		isFailed[p.XMLName] = true
	}
	other := webdav.Propstat{Status: http.StatusFailedDependency}
	for _, pp := range patches {
		for _, p := range pp.Props {
			if !isFailed[p.XMLName] {
				other.Props = append(other.Props, webdav.Property{XMLName: p.XMLName})
			}
		}
	}
	out := []webdav.Propstat{{Status: status, Props: failed, ResponseDescription: why}}
	if len(other.Props) > 0 {
		out = append(out, other)
	}
	return out
}

// attrOf is where and how a property is kept.
func attrOf(p webdav.Property) (string, []byte) {
	if p.XMLName.Space == dcNS && dcNames[p.XMLName.Local] && p.Lang == "" {
		if text, ok := plainText(p.InnerXML); ok {
			return dcPrefix + p.XMLName.Local, []byte(text)
		}
	}
	return davAttr(p.XMLName), append([]byte(p.Lang+"\n"), p.InnerXML...)
}

func attrNameOf(p webdav.Property) string { a, _ := attrOf(p); return a }

func davAttr(n xml.Name) string { return davPrefix + "{" + n.Space + "}" + n.Local }

// removeProp removes a property under either of its forms; a property that is not there
// is no error (RFC 4918 §14.23: removing a nonexistent property is not an error).
func removeProp(path string, n xml.Name) error {
	names := []string{davAttr(n)}
	if n.Space == dcNS && dcNames[n.Local] {
		names = append(names, dcPrefix+n.Local)
	}
	for _, a := range names {
		if err := unix.Removexattr(path, a); err != nil && !errors.Is(err, unix.ENODATA) {
			return err
		}
	}
	return nil
}

// propertyOf reads a property back from an attribute; ok is false for other attributes.
func propertyOf(attr string, v []byte) (webdav.Property, bool) {
	if local, ok := strings.CutPrefix(attr, dcPrefix); ok && dcNames[local] {
		var b bytes.Buffer
		xml.EscapeText(&b, v)
		return webdav.Property{XMLName: xml.Name{Space: dcNS, Local: local}, InnerXML: b.Bytes()}, true
	}
	rest, ok := strings.CutPrefix(attr, davPrefix+"{")
	if !ok {
		return webdav.Property{}, false
	}
	i := strings.LastIndexByte(rest, '}')
	lang, val, ok2 := bytes.Cut(v, []byte("\n"))
	if i < 0 || !ok2 {
		return webdav.Property{}, false
	}
	return webdav.Property{XMLName: xml.Name{Space: rest[:i], Local: rest[i+1:]}, Lang: string(lang), InnerXML: val}, true
}

// plainText is the text of an XML value made only of character data.
func plainText(inner []byte) (string, bool) {
	d := xml.NewDecoder(bytes.NewReader(inner))
	var b strings.Builder
	for {
		t, err := d.Token()
		if err != nil {
			return b.String(), errors.Is(err, io.EOF)
		}
		cd, ok := t.(xml.CharData)
		if !ok {
			return "", false
		}
		b.Write(cd)
	}
}

func listXattrs(path string) ([]string, error) {
	n, err := unix.Listxattr(path, nil)
	if err != nil || n == 0 {
		if errors.Is(err, unix.ENOTSUP) {
			return nil, nil
		}
		return nil, err
	}
	buf := make([]byte, n)
	if n, err = unix.Listxattr(path, buf); err != nil {
		return nil, err
	}
	var out []string
	for _, s := range strings.Split(string(buf[:n]), "\x00") {
		if strings.HasPrefix(s, "user.") {
			out = append(out, s)
		}
	}
	return out, nil
}

func getXattr(path, attr string) ([]byte, error) {
	n, err := unix.Getxattr(path, attr, nil)
	if err != nil {
		return nil, err
	}
	buf := make([]byte, n)
	n, err = unix.Getxattr(path, attr, buf)
	return buf[:n], err
}
