package alfrescotest

import (
	"errors"
	"fmt"
	"net/http"
	"path"
	"strings"
)

// systemUser acts for the helper methods: another client of the repository with write
// access everywhere (locks still apply to it, as to any other user).
const systemUser = "System"

// Library is direct access to one site's documentLibrary, for tests that change the cloud
// side as another client would. Paths are slash-separated and relative to the
// documentLibrary; "" is the documentLibrary itself. Every change follows the same rules as
// the API (name rules, case-insensitive clashes, locks, timestamps, versions, trashcan).
type Library struct {
	s   *Server
	key string
}

// Library returns the documentLibrary of a site added with AddSite.
func (s *Server) Library(networkID, siteID string) *Library {
	return &Library{s: s, key: networkID + "/" + siteID}
}

func (l *Library) root() (*node, error) {
	l.s.settle(false)
	st := l.s.sites[l.key]
	if st == nil {
		return nil, fmt.Errorf("no site %s", l.key)
	}
	return st.doclib, nil
}

func (l *Library) find(p string) (*node, error) {
	root, err := l.root()
	if err != nil {
		return nil, err
	}
	n := root
	for _, el := range split(p) {
		c := child(n, el)
		if c == nil || c.name != el {
			return nil, fmt.Errorf("%s: no such node", p)
		}
		n = c
	}
	return n, nil
}

func split(p string) []string {
	var out []string
	for _, el := range strings.Split(p, "/") {
		if el != "" {
			out = append(out, el)
		}
	}
	return out
}

func (l *Library) mkdirAll(p string) (*node, error) {
	n, err := l.root()
	if err != nil {
		return nil, err
	}
	for _, el := range split(p) {
		c := child(n, el)
		if c == nil {
			var e *apiError
			if c, e = l.s.create(systemUser, n, el, "cm:folder", nil, false); e != nil {
				return nil, e
			}
		}
		if !c.folder {
			return nil, fmt.Errorf("%s is a file", el)
		}
		n = c
	}
	return n, nil
}

// Mkdir creates folder p and its missing parents.
func (l *Library) Mkdir(p string) error {
	l.s.mu.Lock()
	defer l.s.mu.Unlock()
	_, err := l.mkdirAll(p)
	return err
}

// Write creates file p (and missing parent folders) or stores data as new content of it,
// as another client of the repository (Share, WebDAV) would: a new version when the file's
// cm:autoVersion is on, else the same version label with a new modifiedAt.
func (l *Library) Write(p string, data []byte) error { return l.WriteAs(systemUser, p, data) }

// WriteAs is Write done by user (who owns what it creates), with user's permissions.
func (l *Library) WriteAs(user, p string, data []byte) error {
	l.s.mu.Lock()
	defer l.s.mu.Unlock()
	dir, err := l.mkdirAll(path.Dir("/" + p))
	if err != nil {
		return err
	}
	name := path.Base(p)
	if c := child(dir, name); c != nil {
		if c.name != name {
			return nameClash(name)
		}
		if e := l.s.setContent(user, c, append([]byte(nil), data...), versioning{}); e != nil {
			return e
		}
		return nil
	}
	_, e := l.s.create(user, dir, name, "cm:content", append([]byte(nil), data...), false)
	if e != nil {
		return e
	}
	return nil
}

// SetVersioning makes file p versionable or not, and sets its cm:autoVersion and
// cm:autoVersionOnUpdateProps (no version is made by it; its modifiedAt changes).
func (l *Library) SetVersioning(p string, versionable, autoVersion, onUpdateProps bool) error {
	return l.edit(p, func(n *node) *apiError {
		if !versionable {
			n.major, n.minor = 0, 0
		} else if n.versionLabel() == "" {
			n.major, n.minor = 1, 0
		}
		n.autoVersion, n.autoVersionProps = autoVersion, onUpdateProps
		n.modified = l.s.now()
		return nil
	})
}

// SetTitle changes p's cm:title: a metadata-only edit (see Server.propsChanged).
func (l *Library) SetTitle(p, title string) error {
	return l.edit(p, func(n *node) *apiError { return l.s.setProps(systemUser, n, map[string]any{"cm:title": title}) })
}

// SetProperties changes p's properties as another client's PUT nodes/{id} does (cm:title,
// cm:description, cm:author: a string sets, nil unsets; see Server.setProps).
func (l *Library) SetProperties(p string, props map[string]any) error {
	return l.edit(p, func(n *node) *apiError { return l.s.setProps(systemUser, n, props) })
}

// AddLink creates a link called p to target (both library paths) of type typ: "cm:link",
// "app:filelink" (what Share's "Create link" makes for a file) or "app:folderlink".
func (l *Library) AddLink(p, target, typ string) error {
	if !linkTypes[typ] {
		return fmt.Errorf("%s is not a link type", typ)
	}
	l.s.mu.Lock()
	defer l.s.mu.Unlock()
	t, err := l.find(target)
	if err != nil {
		return err
	}
	dir, err := l.mkdirAll(path.Dir("/" + p))
	if err != nil {
		return err
	}
	n, e := l.s.create(systemUser, dir, path.Base(p), typ, nil, false)
	if e != nil {
		return e
	}
	n.linkTo = t
	return nil
}

// Checkout checks file p out for user (see Server.checkout) and returns the working
// copy's path.
func (l *Library) Checkout(p, user string) (string, error) {
	var wc *node
	err := l.edit(p, func(n *node) *apiError {
		var e *apiError
		wc, e = l.s.checkout(user, n)
		return e
	})
	if err != nil {
		return "", err
	}
	return path.Join(path.Dir("/"+p), wc.name)[1:], nil
}

// Checkin checks the working copy of p in, with data as its new content (nil: unchanged).
func (l *Library) Checkin(p string, data []byte) error {
	return l.edit(p, func(n *node) *apiError {
		if n.workingCopy == nil {
			return errf(http.StatusConflict, "Node %s is not checked out", n.id)
		}
		if data != nil {
			n.workingCopy.content = append([]byte(nil), data...)
		}
		l.s.checkin(n.workingCopy.wcOwner, n.workingCopy)
		return nil
	})
}

// CancelCheckout deletes p's working copy and unlocks p.
func (l *Library) CancelCheckout(p string) error {
	return l.edit(p, func(n *node) *apiError {
		if n.workingCopy == nil {
			return errf(http.StatusConflict, "Node %s is not checked out", n.id)
		}
		l.s.endCheckout(n)
		return nil
	})
}

// edit runs f on the node at p with the server locked.
func (l *Library) edit(p string, f func(n *node) *apiError) error {
	l.s.mu.Lock()
	defer l.s.mu.Unlock()
	n, err := l.find(p)
	if err != nil {
		return err
	}
	if e := f(n); e != nil {
		return e
	}
	return nil
}

// Rename moves and/or renames from to to, creating to's missing parent folders.
func (l *Library) Rename(from, to string) error {
	l.s.mu.Lock()
	defer l.s.mu.Unlock()
	n, err := l.find(from)
	if err != nil {
		return err
	}
	dir, err := l.mkdirAll(path.Dir("/" + to))
	if err != nil {
		return err
	}
	if e := l.s.move(systemUser, n, dir, path.Base(to)); e != nil {
		return e
	}
	return nil
}

// Remove moves p (a folder with its subtree) to the trashcan.
func (l *Library) Remove(p string) error {
	l.s.mu.Lock()
	defer l.s.mu.Unlock()
	n, err := l.find(p)
	if err != nil {
		return err
	}
	if p == "" || n.typ != "cm:folder" && n.typ != "cm:content" {
		return errors.New("the documentLibrary itself cannot be removed")
	}
	if e := l.s.remove(systemUser, n, false); e != nil {
		return e
	}
	return nil
}

// Restore puts back the node most recently deleted from path p, into its original folder,
// as the trashcan's restore does: it keeps its old modifiedAt.
func (l *Library) Restore(p string) error {
	l.s.mu.Lock()
	defer l.s.mu.Unlock()
	dir, err := l.find(path.Dir("/" + p))
	if err != nil {
		return err
	}
	for i := len(l.s.trash) - 1; i >= 0; i-- {
		n := l.s.trash[i]
		if n.parent == dir && n.name == path.Base(p) && l.s.nodes[n.id] == n {
			if _, taken := dir.children[strings.ToLower(n.name)]; taken {
				return nameClash(n.name)
			}
			l.s.putBack(n, dir, systemUser)
			return nil
		}
	}
	return fmt.Errorf("%s: not in the trashcan", p)
}

// Lock locks file p for owner (FULL: nobody may change it; otherwise the owner still may).
func (l *Library) Lock(p, owner string, full bool) error {
	l.s.mu.Lock()
	defer l.s.mu.Unlock()
	n, err := l.find(p)
	if err != nil {
		return err
	}
	n.lockOwner, n.lockFull = owner, full
	return nil
}

// Unlock removes a lock from p.
func (l *Library) Unlock(p string) error {
	l.s.mu.Lock()
	defer l.s.mu.Unlock()
	n, err := l.find(p)
	if err != nil {
		return err
	}
	n.lockOwner, n.lockFull = "", false
	return nil
}

// Read returns the content of file p.
func (l *Library) Read(p string) ([]byte, bool) {
	l.s.mu.Lock()
	defer l.s.mu.Unlock()
	n, err := l.find(p)
	if err != nil || !n.isFile() {
		return nil, false
	}
	return append([]byte(nil), n.content...), true
}

// ID returns p's node id, "" when p does not exist.
func (l *Library) ID(p string) string {
	l.s.mu.Lock()
	defer l.s.mu.Unlock()
	n, err := l.find(p)
	if err != nil {
		return ""
	}
	return n.id
}

// Version returns file p's version label ("" when absent or unversioned).
func (l *Library) Version(p string) string {
	l.s.mu.Lock()
	defer l.s.mu.Unlock()
	n, err := l.find(p)
	if err != nil {
		return ""
	}
	return n.versionLabel()
}

// Files maps every path below folder p (relative to p) to its content; folders map to "/".
// Links are left out (they hold no content). It is empty when p does not exist.
func (l *Library) Files(p string) map[string]string {
	l.s.mu.Lock()
	defer l.s.mu.Unlock()
	out := map[string]string{}
	n, err := l.find(p)
	if err != nil {
		return out
	}
	var walk func(n *node, rel string)
	walk = func(n *node, rel string) {
		for _, c := range n.children {
			cp := path.Join(rel, c.name)
			if c.isLink() {
				continue
			}
			if c.folder {
				out[cp] = "/"
				walk(c, cp)
			} else {
				out[cp] = string(c.content)
			}
		}
	}
	walk(n, "")
	return out
}

// Trashed returns the contents of every file in the trashcan (deleted on their own or
// with a deleted folder), for "nothing is lost" checks.
func (s *Server) Trashed() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	var walk func(n *node)
	walk = func(n *node) {
		if n.isFile() {
			out = append(out, string(n.content))
		}
		for _, c := range n.children {
			walk(c)
		}
	}
	for _, n := range s.trash {
		if _, kept := s.nodes[n.id]; kept {
			walk(n)
		}
	}
	return out
}
