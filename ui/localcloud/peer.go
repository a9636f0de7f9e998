package localcloud

import (
	"bufio"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"os"
	"strconv"
	"strings"
)

// The local cloud's pages open in the browser without a password for the person whose
// computer it is (View in Cloud), and only for them: a request on 127.0.0.1 is from this
// user when the kernel says the client's end of the TCP connection belongs to this user's
// uid. Linux lists every TCP socket with its owner's uid in /proc/net/tcp and
// /proc/net/tcp6 (proc(5)); the client's socket is the row whose local address is the
// request's remote address and whose remote address is the server's. Elsewhere, and when
// the row cannot be found, the password is asked as before. Files under the local cloud
// are this user's own (0700 under the app's data dir), so this reveals nothing the user
// could not read anyway.

// sameUser reports whether r comes over a loopback TCP connection whose client socket
// belongs to uid.
func sameUser(r *http.Request, uid int) bool {
	client, err := netip.ParseAddrPort(r.RemoteAddr)
	if err != nil || !client.Addr().IsLoopback() {
		return false
	}
	srvAddr, ok := r.Context().Value(http.LocalAddrContextKey).(net.Addr)
	if !ok {
		return false
	}
	server, err := netip.ParseAddrPort(srvAddr.String())
	if err != nil {
		return false
	}
	for _, table := range []string{"/proc/net/tcp", "/proc/net/tcp6"} {
		f, err := os.Open(table)
		if err != nil {
			continue
		}
		owner, found := socketOwner(f, client, server)
		f.Close()
		if found {
			return owner == uid
		}
	}
	return false
}

// socketOwner finds the socket local→remote in a /proc/net/tcp{,6} table and returns its
// owner's uid.
func socketOwner(table io.Reader, local, remote netip.AddrPort) (int, bool) {
	sc := bufio.NewScanner(table)
	sc.Scan() // the header
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) < 8 {
			continue
		}
		l, err1 := parseProcAddr(f[1])
		r, err2 := parseProcAddr(f[2])
		if err1 != nil || err2 != nil || !sameAddr(l, local) || !sameAddr(r, remote) {
			continue
		}
		uid, err := strconv.Atoi(f[7])
		if err != nil {
			return 0, false
		}
		return uid, true
	}
	return 0, false
}

// sameAddr compares addresses, an IPv4 address equal to its IPv4-mapped IPv6 form.
func sameAddr(a, b netip.AddrPort) bool {
	return a.Port() == b.Port() && a.Addr().Unmap() == b.Addr().Unmap()
}

// parseProcAddr reads "0100007F:1F90" (IPv4) or 32 hex digits and a port (IPv6): the
// address as the kernel's 32-bit words in host byte order, the port in hex.
func parseProcAddr(s string) (netip.AddrPort, error) {
	host, port, ok := strings.Cut(s, ":")
	if !ok {
		return netip.AddrPort{}, fmt.Errorf("bad address %q", s)
	}
	p, err := strconv.ParseUint(port, 16, 16)
	if err != nil {
		return netip.AddrPort{}, err
	}
	b, err := hex.DecodeString(host)
	if err != nil || (len(b) != 4 && len(b) != 16) {
		return netip.AddrPort{}, fmt.Errorf("bad address %q", s)
	}
	for i := 0; i < len(b); i += 4 { // each 32-bit word from host order to network order
		binary.BigEndian.PutUint32(b[i:], binary.NativeEndian.Uint32(b[i:]))
	}
	a, _ := netip.AddrFromSlice(b)
	return netip.AddrPortFrom(a, uint16(p)), nil
}

// ownerBrowse serves dir read-only (file contents and folder listings, as a browser shows
// them) to requests without credentials from this user's own processes, and passes every
// other request to next. The Host header must name the server's loopback address itself,
// so a web page whose name was made to resolve to 127.0.0.1 (DNS rebinding) is not served.
func ownerBrowse(dir string, next http.Handler) http.Handler {
	files := http.FileServer(http.Dir(dir))
	uid := os.Getuid()
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, _, hasAuth := r.BasicAuth(); !hasAuth && (r.Method == http.MethodGet || r.Method == http.MethodHead) &&
			hostIsServer(r) && sameUser(r, uid) {
			w.Header().Set("Cache-Control", "no-store")
			files.ServeHTTP(w, r)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// hostIsServer reports whether r's Host is the loopback address the server listens on.
func hostIsServer(r *http.Request) bool {
	srvAddr, ok := r.Context().Value(http.LocalAddrContextKey).(net.Addr)
	if !ok {
		return false
	}
	_, port, err := net.SplitHostPort(srvAddr.String())
	if err != nil {
		return false
	}
	host, hport, err := net.SplitHostPort(r.Host)
	if err != nil || hport != port {
		return false
	}
	ip := net.ParseIP(host)
	return host == "localhost" || (ip != nil && ip.IsLoopback())
}
