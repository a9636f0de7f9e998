package localcloud

import (
	"context"
	"errors"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

type memSecrets map[string]string

func (m memSecrets) Set(a, s string) error { m[a] = s; return nil }
func (m memSecrets) Get(a string) (string, error) {
	if s, ok := m[a]; ok {
		return s, nil
	}
	return "", errors.New("not found")
}

func get(t *testing.T, url, user, pw string) int {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "PROPFIND", url, nil)
	req.Header.Set("Depth", "1")
	if user != "" {
		req.SetBasicAuth(user, pw)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode
}

func TestLocalCloudKeepsItsPasswordInTheKeyringAndItsAddressAcrossRestarts(t *testing.T) {
	dir := t.TempDir()
	sec := memSecrets{}
	l := Local{Dir: dir, Secrets: sec}
	if l.Exists() {
		t.Fatal("exists before Create")
	}
	srv, pw, err := l.Create()
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(srv.URL, "http://127.0.0.1:") || sec[AccountName] != pw || len(pw) < 20 {
		t.Fatalf("url %s, keyring %q, password length %d", srv.URL, sec[AccountName], len(pw))
	}
	if got := get(t, srv.URL, User, pw); got != http.StatusMultiStatus {
		t.Errorf("PROPFIND with the password: %d", got)
	}
	if got := get(t, srv.URL, User, "nope"); got != http.StatusUnauthorized {
		t.Errorf("PROPFIND with a wrong password: %d", got)
	}
	// The password is nowhere under the data dir.
	filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			if b, _ := os.ReadFile(p); strings.Contains(string(b), pw) {
				t.Errorf("%s holds the password", p)
			}
		}
		return nil
	})
	url := srv.URL
	if err := srv.Close(t.Context()); err != nil {
		t.Fatal(err)
	}
	if !l.Exists() {
		t.Fatal("not remembered")
	}
	srv2, err := l.Open()
	if err != nil {
		t.Fatal(err)
	}
	defer srv2.Close(context.Background())
	if srv2.URL != url {
		t.Errorf("restarted at %s, want the same address %s", srv2.URL, url)
	}
}

func TestStartRefusesNonLoopbackAddresses(t *testing.T) {
	for _, addr := range []string{"0.0.0.0:0", "192.0.2.1:80", "nonsense"} {
		if _, err := Start(t.TempDir(), addr, "", ""); err == nil {
			t.Errorf("%s accepted", addr)
		}
	}
}
