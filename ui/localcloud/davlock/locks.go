package davlock

import (
	"cmp"
	"crypto/rand"
	"fmt"
	"path"
	"slices"
	"strings"
	"sync"
	"time"
)

// Scope is a write lock's scope (RFC 4918 §6.1): any number of shared locks may cover a
// resource together; an exclusive lock covers it alone.
type Scope uint8

const (
	Exclusive Scope = iota
	Shared
)

func (s Scope) String() string {
	if s == Shared {
		return "shared"
	}
	return "exclusive"
}

// Lock is one write lock. Paths are cleaned, decoded URL paths ("/a/b"); the lock's scope
// is its root, and with Infinite every resource below it (RFC 4918 §6.1, §9.10.3).
type Lock struct {
	Token    string
	Root     string
	Href     string // the root as the LOCK request named it (escaped), for DAV:lockroot
	Scope    Scope
	Infinite bool
	Owner    string    // the DAV:owner element's content, as namespace-complete XML
	Expires  time.Time // never the zero time for a granted lock
}

// Covers reports whether p is in the lock's scope.
func (l *Lock) Covers(p string) bool {
	return l.Root == p || l.Infinite && below(l.Root, p)
}

// below reports whether p is strictly inside the collection dir.
func below(dir, p string) bool {
	if dir == "/" {
		return p != "/"
	}
	return strings.HasPrefix(p, dir+"/")
}

func within(dir, p string) bool { return p == dir || below(dir, p) }

// Need is a resource a request changes, and what the change reaches; the locks covering
// what it reaches are those whose tokens the request must submit (RFC 4918 §7.4–§7.6).
type Need struct {
	Path string
	// Member: the request adds or removes Path as a member of its parent collection, which
	// a lock on the parent, of any depth, protects (RFC 4918 §7.5).
	Member bool
	// Tree: Path's whole subtree goes (DELETE, MOVE, an overwritten destination), so
	// locks rooted below it count too (§9.6.1, §9.9.2).
	Tree bool
}

// Hold is a path a request in progress is changing, alone with its subtree when
// Infinite. Holds keep two such requests, and a new lock, off the same resources for as
// long as the request runs, as x/net/webdav's temporary locks did.
type Hold struct {
	Path     string
	Infinite bool
}

func (a Hold) overlaps(b Hold) bool {
	return a.Path == b.Path || a.Infinite && below(a.Path, b.Path) || b.Infinite && below(b.Path, a.Path)
}

// MaxTimeout caps a lock's timeout: a client asking for Infinite (or nothing) gets a week
// (RFC 4918 §10.7 lets the server choose) and must refresh to keep it.
const MaxTimeout = 7 * 24 * time.Hour

// Manager is the lock table of one server. Its zero value is not usable: use NewManager.
type Manager struct {
	mu    sync.Mutex
	now   func() time.Time
	locks map[string]*Lock // by token
	holds map[*Hold]bool
}

// NewManager returns an empty lock table reading time from now.
func NewManager(now func() time.Time) *Manager {
	return &Manager{now: now, locks: map[string]*Lock{}, holds: map[*Hold]bool{}}
}

// Do runs f with the table held still: what f reads and decides through tx stays true
// until f returns. f must not keep tx.
func (m *Manager) Do(f func(tx *Tx) error) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	now := m.now()
	for tok, l := range m.locks {
		if !now.Before(l.Expires) {
			delete(m.locks, tok)
		}
	}
	return f(&Tx{m: m, now: now})
}

// Tx is the lock table inside Manager.Do.
type Tx struct {
	m   *Manager
	now time.Time
}

// Now is the time of the transaction.
func (tx *Tx) Now() time.Time { return tx.now }

// Covering returns the locks whose scope includes p, by root then token.
func (tx *Tx) Covering(p string) []Lock {
	var out []Lock
	for _, l := range tx.m.locks {
		if l.Covers(p) {
			out = append(out, *l)
		}
	}
	slices.SortFunc(out, func(a, b Lock) int {
		return cmp.Or(strings.Compare(a.Root, b.Root), strings.Compare(a.Token, b.Token))
	})
	return out
}

// Tokens are the tokens of the locks covering p.
func (tx *Tx) Tokens(p string) []string {
	var out []string
	for _, l := range tx.Covering(p) {
		out = append(out, l.Token)
	}
	return out
}

// Lookup returns the lock with this token.
func (tx *Tx) Lookup(token string) (Lock, bool) {
	l, ok := tx.m.locks[token]
	if !ok {
		return Lock{}, false
	}
	return *l, true
}

// Missing returns a lock a request changing needs must show the token of, and has not:
// for each resource the change reaches (the path, its parent when Member, the roots of
// locks below it when Tree), one token of the locks covering it must be submitted, which
// is the token of its exclusive lock, or of any one of its shared locks (RFC 4918 §6.2: a
// shared lock lets its holder use the resource beside the other holders).
func (tx *Tx) Missing(needs []Need, submitted []string) (Lock, bool) {
	have := map[string]bool{}
	for _, t := range submitted {
		have[t] = true
	}
	for _, n := range needs {
		reached := []string{n.Path}
		if n.Member && n.Path != "/" {
			reached = append(reached, path.Dir(n.Path))
		}
		if n.Tree {
			for _, l := range tx.m.locks {
				if below(n.Path, l.Root) {
					reached = append(reached, l.Root)
				}
			}
		}
		for _, p := range reached {
			covering := tx.Covering(p)
			if len(covering) > 0 && !slices.ContainsFunc(covering, func(l Lock) bool { return have[l.Token] }) {
				return covering[0], true
			}
		}
	}
	return Lock{}, false
}

// ConflictError is a lock or a request in progress that keeps a new lock or request off.
type ConflictError struct {
	Lock *Lock // the conflicting lock; nil for a request in progress
}

func (e *ConflictError) Error() string {
	if e.Lock == nil {
		return "another request is changing this resource"
	}
	return fmt.Sprintf("%s is locked (%s)", e.Lock.Root, e.Lock.Scope)
}

// Hold marks holds as in progress until release is called, or fails with a
// *ConflictError when another request in progress overlaps one of them.
func (tx *Tx) Hold(holds ...Hold) (release func(), err error) {
	for _, h := range holds {
		for o := range tx.m.holds {
			if h.overlaps(*o) {
				return nil, &ConflictError{}
			}
		}
	}
	mine := make([]*Hold, len(holds))
	for i := range holds {
		mine[i] = &holds[i]
		tx.m.holds[mine[i]] = true
	}
	m := tx.m
	return func() {
		m.mu.Lock()
		defer m.mu.Unlock()
		for _, h := range mine {
			delete(m.holds, h)
		}
	}, nil
}

// Create grants l (Token and Expires are set here, from timeout, capped at MaxTimeout)
// unless it conflicts (RFC 4918 §6.1, §9.10.5): an exclusive lock with any lock whose
// scope overlaps it, a shared lock with an exclusive one; or with a request in progress.
// The error is then a *ConflictError.
func (tx *Tx) Create(l Lock, timeout time.Duration) (Lock, error) {
	for _, o := range tx.m.locks {
		overlap := o.Covers(l.Root) || l.Infinite && below(l.Root, o.Root)
		if overlap && (o.Scope == Exclusive || l.Scope == Exclusive) {
			return Lock{}, &ConflictError{Lock: o}
		}
	}
	for h := range tx.m.holds {
		if h.overlaps(Hold{Path: l.Root, Infinite: l.Infinite}) {
			return Lock{}, &ConflictError{}
		}
	}
	l.Token = newToken()
	l.Expires = tx.expiry(timeout)
	tx.m.locks[l.Token] = &l
	return l, nil
}

// Refresh restarts the lock's timeout.
func (tx *Tx) Refresh(token string, timeout time.Duration) (Lock, bool) {
	l, ok := tx.m.locks[token]
	if !ok {
		return Lock{}, false
	}
	l.Expires = tx.expiry(timeout)
	return *l, true
}

// Remove removes the lock (UNLOCK, or a LOCK undone).
func (tx *Tx) Remove(token string) { delete(tx.m.locks, token) }

// Prune removes the locks rooted at or below dir whose root mapped says no longer maps
// to a resource: a lock lives on its URL (RFC 4918 §6.7), and goes with it (§9.6.1 DELETE,
// §9.9.2 MOVE's source).
func (tx *Tx) Prune(dir string, mapped func(p string) bool) {
	for tok, l := range tx.m.locks {
		if within(dir, l.Root) && !mapped(l.Root) {
			delete(tx.m.locks, tok)
		}
	}
}

func (tx *Tx) expiry(timeout time.Duration) time.Time {
	if timeout <= 0 || timeout > MaxTimeout {
		timeout = MaxTimeout
	}
	return tx.now.Add(timeout)
}

// newToken is a fresh lock token, a urn:uuid (RFC 4918 §6.5 recommends it; RFC 9562 §5.4
// random UUID).
func newToken() string {
	var b [16]byte
	rand.Read(b[:]) // never fails (crypto/rand)
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("urn:uuid:%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}
