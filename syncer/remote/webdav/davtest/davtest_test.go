package davtest

import (
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestMain(m *testing.M) { os.Exit(Main(m)) }

// TestEveryServerServesWhatIsWrittenIntoItsFolder starts each server, writes a file into a
// fresh folder directly (as another client of the cloud would), and reads it over HTTP;
// then writes one over HTTP and finds it on disk.
func TestEveryServerServesWhatIsWrittenIntoItsFolder(t *testing.T) {
	for _, name := range Names {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			s := Shared(t, name)
			t.Logf("%s at %s", s.Version, s.URL)
			url, dir := s.NewFolder(t)
			f := filepath.Join(dir, "direct.txt")
			if err := os.WriteFile(f, []byte("direct"), 0o644); err != nil {
				t.Fatal(err)
			}
			if err := s.Adopt(f); err != nil {
				t.Fatal(err)
			}
			if got := do(t, http.MethodGet, url+"direct.txt", "", http.StatusOK); got != "direct" {
				t.Errorf("GET = %q", got)
			}
			do(t, http.MethodPut, url+"put.txt", "over http", http.StatusCreated)
			if b, err := os.ReadFile(filepath.Join(dir, "put.txt")); err != nil || string(b) != "over http" {
				t.Errorf("put.txt on disk = %q, %v", b, err)
			}
			if err := os.WriteFile(f, []byte("changed"), 0o644); err != nil {
				t.Fatal(err)
			}
			do(t, http.MethodDelete, url+"direct.txt", "", http.StatusNoContent)
		})
	}
}

func do(t *testing.T, method, url, body string, want int) string {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.SetBasicAuth(User, Password)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != want {
		t.Fatalf("%s %s = %d (%s), want %d", method, url, resp.StatusCode, b, want)
	}
	return string(b)
}
