// Package localcloud owns the built-in WebDAV server: the handler behind
// `cloudsync serve-webdav` and the "Try it with a local cloud" server the desktop app starts
// on 127.0.0.1 with its files under the app's data dir (SPEC §6). It imports no GUI code.
//
// It may import ui/localcloud/davlock of this module.
package localcloud

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"golang.org/x/net/webdav"

	"github.com/cloudsync/cloudsync/ui/localcloud/davlock"
)

// Handler serves dir over WebDAV (golang.org/x/net/webdav), with Basic auth when user is
// not empty. The comparison is constant-time; the password is never logged. Dead
// properties (PROPPATCH) are kept as extended attributes of the served files
// (deadprops.go) where dir's file system has user attributes; locks, shared and
// exclusive, and the If header are davlock's.
func Handler(dir, user, password string) http.Handler {
	var fs webdav.FileSystem = webdav.Dir(dir)
	if DeadPropsSupported(dir) == nil {
		fs = xattrFS{webdav.Dir(dir)}
	}
	dav := checkXMLBody(davlock.New(fs))
	if user == "" {
		return dav
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		u, p, ok := r.BasicAuth()
		if !ok || subtle.ConstantTimeCompare([]byte(u), []byte(user)) != 1 ||
			subtle.ConstantTimeCompare([]byte(p), []byte(password)) != 1 {
			w.Header().Set("WWW-Authenticate", `Basic realm="cloudsync"`)
			http.Error(w, "authentication required", http.StatusUnauthorized)
			return
		}
		dav.ServeHTTP(w, r)
	})
}

// Server is a running WebDAV server.
type Server struct {
	URL string // http://127.0.0.1:PORT/
	srv *http.Server
	ln  net.Listener
}

// Start serves dir on addr ("127.0.0.1:0" picks a free port) until Close. It refuses
// addresses that are not loopback: the local cloud is for this machine only.
func Start(dir, addr, user, password string) (*Server, error) {
	return start(dir, addr, Handler(dir, user, password))
}

// startOwned is Start for the app's local cloud: its pages also open in the browser of
// the user whose cloud it is without the password, which they never saw (View in Cloud).
func startOwned(dir, addr, user, password string) (*Server, error) {
	return start(dir, addr, ownerBrowse(dir, Handler(dir, user, password)))
}

func start(dir, addr string, h http.Handler) (*Server, error) {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, fmt.Errorf("local cloud address %q: %w", addr, err)
	}
	if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() {
		return nil, fmt.Errorf("local cloud address %q: only loopback addresses are allowed", addr)
	}
	if st, err := os.Stat(dir); err != nil || !st.IsDir() {
		return nil, fmt.Errorf("local cloud: %s is not a folder", dir)
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("local cloud: %w", err)
	}
	s := &Server{URL: "http://" + ln.Addr().String() + "/", ln: ln,
		srv: &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}}
	go s.srv.Serve(ln) //nolint:errcheck // returns ErrServerClosed after Close
	return s, nil
}

// Close stops the server, waiting for requests in flight until ctx ends.
func (s *Server) Close(ctx context.Context) error {
	err := s.srv.Shutdown(ctx)
	if errors.Is(err, http.ErrServerClosed) {
		return nil
	}
	return err
}

// Secrets is where the local cloud's password lives: the OS keyring, under the account
// name (the same entry the engine reads for the account).
type Secrets interface {
	Set(account, secret string) error
	Get(account string) (string, error)
}

// AccountName and User are the account and login the desktop app creates for the local
// cloud.
const (
	AccountName = "local-cloud"
	User        = "cloudsync"
)

// Local is the local cloud of one installation: files under Dir/files, the address it
// listens on in Dir/addr (kept so the account's URL stays valid across restarts), and the
// password in the keyring only.
type Local struct {
	Dir     string
	Secrets Secrets
}

// Exists reports whether the local cloud was set up before (so the app starts it again).
func (l Local) Exists() bool {
	_, err := os.Stat(filepath.Join(l.Dir, "addr"))
	return err == nil
}

// Create sets up a new local cloud: a fresh random password in the keyring, a folder for
// its files, and a free port on 127.0.0.1. It returns the running server and the password,
// for the app to add the account (which stores the same password under the same name).
func (l Local) Create() (*Server, string, error) {
	if err := os.MkdirAll(filepath.Join(l.Dir, "files"), 0o700); err != nil {
		return nil, "", fmt.Errorf("local cloud: %w", err)
	}
	b := make([]byte, 24)
	if _, err := rand.Read(b); err != nil {
		return nil, "", fmt.Errorf("local cloud password: %w", err)
	}
	password := base64.RawURLEncoding.EncodeToString(b)
	srv, err := startOwned(filepath.Join(l.Dir, "files"), "127.0.0.1:0", User, password)
	if err != nil {
		return nil, "", err
	}
	if err := l.Secrets.Set(AccountName, password); err != nil {
		srv.Close(context.Background())
		return nil, "", err
	}
	addr := strings.TrimSuffix(strings.TrimPrefix(srv.URL, "http://"), "/")
	if err := os.WriteFile(filepath.Join(l.Dir, "addr"), []byte(addr+"\n"), 0o600); err != nil {
		srv.Close(context.Background())
		return nil, "", fmt.Errorf("local cloud: %w", err)
	}
	return srv, password, nil
}

// Open starts the local cloud set up earlier, on its saved address, with the password
// from the keyring.
func (l Local) Open() (*Server, error) {
	b, err := os.ReadFile(filepath.Join(l.Dir, "addr"))
	if err != nil {
		return nil, fmt.Errorf("local cloud: %w", err)
	}
	password, err := l.Secrets.Get(AccountName)
	if err != nil {
		return nil, fmt.Errorf("local cloud: %w", err)
	}
	return startOwned(filepath.Join(l.Dir, "files"), strings.TrimSpace(string(b)), User, password)
}

// Service is the local cloud as one running cloudsync holds it: the daemon and the app
// start it with the engine when it was set up before (so its sync sets are never offline
// for want of it, and the engine's first pass finds it up), and "Try it with a local
// cloud" creates it on first use. Safe for concurrent use.
type Service struct {
	Local
	Log *slog.Logger

	mu  sync.Mutex
	srv *Server
}

// StartIfSetUp starts the local cloud when it was set up before; it does nothing
// otherwise.
func (s *Service) StartIfSetUp() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.srv != nil || !s.Exists() {
		return nil
	}
	srv, err := s.Open()
	if err != nil {
		return err
	}
	s.srv = srv
	if s.Log != nil {
		s.Log.Info("local cloud started", "url", srv.URL)
	}
	return nil
}

// Ensure returns the running local cloud's address, user and password, creating and
// starting it first when needed. The password comes from (and goes to) the keyring only.
func (s *Service) Ensure() (url, user, password string, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.srv == nil && s.Exists() {
		if srv, err := s.Open(); err == nil {
			s.srv = srv
		}
	}
	if s.srv != nil {
		if pw, err := s.Secrets.Get(AccountName); err == nil {
			return s.srv.URL, User, pw, nil
		}
		s.closeLocked() // its password is gone from the keyring: make a new one
	}
	srv, pw, err := s.Create()
	if err != nil {
		return "", "", "", err
	}
	s.srv = srv
	if s.Log != nil {
		s.Log.Info("local cloud created", "url", srv.URL, "files", filepath.Join(s.Dir, "files"))
	}
	return srv.URL, User, pw, nil
}

// Close stops the local cloud.
func (s *Service) Close() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.closeLocked()
}

func (s *Service) closeLocked() {
	if s.srv == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	s.srv.Close(ctx)
	s.srv = nil
}
