package control

import (
	"errors"
	"fmt"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"time"
)

// ErrNoEngine is returned (wrapped or as is) by Dial and by calls of a Client when no
// engine answers on the socket.
var ErrNoEngine = errors.New("no cloudsync engine is running: start `cloudsync` or `cloudsync daemon`")

// ErrAlreadyRunning is wrapped by Listen when a live engine already answers on the socket.
var ErrAlreadyRunning = errors.New("cloudsync is already running")

// MaxSocketPath is the longest Unix socket path the kernel accepts (sun_path is 108 bytes
// on Linux, including the terminating NUL; 104 on the BSDs and macOS).
const MaxSocketPath = 103

// probeTimeout bounds the connect that tells a live engine from a stale socket file.
const probeTimeout = 2 * time.Second

// CheckSocketPath returns a clear error when p is too long to be a Unix socket path.
func CheckSocketPath(p string) error {
	if len(p) > MaxSocketPath {
		return fmt.Errorf("control socket path %s is %d bytes long; Unix sockets allow at most %d", p, len(p), MaxSocketPath)
	}
	return nil
}

// Listen creates the control socket at sockPath for the engine: the parent folder is
// created with mode 0700 (an existing one is tightened to 0700), the socket gets mode 0600.
//
// When a live engine already answers on sockPath, Listen fails with ErrAlreadyRunning
// and leaves that engine's socket alone. A stale socket (left by an engine that died) is
// removed and replaced. Anything else at sockPath is not touched: Listen fails.
// Closing the listener removes the socket file.
func Listen(sockPath string) (net.Listener, error) {
	if err := CheckSocketPath(sockPath); err != nil {
		return nil, err
	}
	dir := filepath.Dir(sockPath)
	if err := PrivateDir(dir); err != nil {
		return nil, err
	}
	if fi, err := os.Lstat(sockPath); err == nil {
		if fi.Mode().Type() != fs.ModeSocket {
			return nil, fmt.Errorf("%s exists and is not a socket; remove it or choose another CLOUDSYNC_HOME", sockPath)
		}
		if live(sockPath) {
			return nil, fmt.Errorf("%w (control socket %s)", ErrAlreadyRunning, sockPath)
		}
		if err := os.Remove(sockPath); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("removing the stale control socket %s: %w", sockPath, err)
		}
	}
	ln, err := net.Listen("unix", sockPath)
	if err != nil {
		return nil, fmt.Errorf("creating the control socket: %w", err)
	}
	// The folder is 0700 already, so the moment between bind and chmod exposes nothing.
	if err := os.Chmod(sockPath, 0o600); err != nil {
		ln.Close()
		return nil, fmt.Errorf("restricting the control socket %s: %w", sockPath, err)
	}
	return ln, nil
}

// PrivateDir makes sure dir exists, belongs to this user and has mode 0700.
func PrivateDir(dir string) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("creating %s: %w", dir, err)
	}
	fi, err := os.Lstat(dir)
	if err != nil {
		return err
	}
	if !fi.IsDir() {
		return fmt.Errorf("%s is not a folder", dir)
	}
	if uid, ok := ownerOf(fi); ok && uid != os.Getuid() {
		return fmt.Errorf("%s belongs to another user (uid %d); refusing to put the control socket there", dir, uid)
	}
	if fi.Mode().Perm() != 0o700 {
		if err := os.Chmod(dir, 0o700); err != nil {
			return fmt.Errorf("restricting %s to its owner: %w", dir, err)
		}
	}
	return nil
}

// live reports whether something accepts connections on the socket.
func live(sockPath string) bool {
	c, err := net.DialTimeout("unix", sockPath, probeTimeout)
	if err != nil {
		return false
	}
	c.Close()
	return true
}
