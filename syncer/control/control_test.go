package control

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/cloudsync/cloudsync/syncer"
	"github.com/cloudsync/cloudsync/syncer/model"
	"github.com/cloudsync/cloudsync/syncer/remote"
)

func ctxT(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// TestEveryMethodRoundTripsThroughTheSocket calls each API method through a real socket
// and checks the engine got the arguments and the caller got the answer, field for field.
func TestEveryMethodRoundTripsThroughTheSocket(t *testing.T) {
	f := newFake()
	_, c := serving(t, f)
	ctx := ctxT(t)
	addReq := syncer.AddAccountRequest{Name: "work", Type: "webdav", URL: "https://dav.example/files/a", User: "alice", Password: "pw", WebUI: "u", Test: true}
	setReq := syncer.CreateSetRequest{Paths: []string{"/home/alice/Docs"}, Account: "work", To: "Docs",
		Options: model.Options{IncludeSubfolders: false, Lock: true, AllowCloudDelete: false, DeleteLocalOnCloudDelete: true}}
	cases := []struct {
		method   string
		call     func() (any, error)
		wantArgs any
		want     any
	}{
		{"AddAccount", func() (any, error) { return c.AddAccount(ctx, addReq) }, addReq, fixAccount},
		{"ListAccounts", func() (any, error) { return c.ListAccounts(ctx) }, nil, []model.Account{fixAccount}},
		{"RemoveAccount", func() (any, error) { return nil, c.RemoveAccount(ctx, "work") }, "work", nil},
		{"CreateSet", func() (any, error) { return c.CreateSet(ctx, setReq) }, setReq, fixSet},
		{"ListSets", func() (any, error) { return c.ListSets(ctx) }, nil, []syncer.SetInfo{fixSetInfo}},
		{"ListItems", func() (any, error) { return c.ListItems(ctx, true) }, true, []syncer.ItemInfo{fixItem}},
		{"Info", func() (any, error) { return c.Info(ctx, "/home/alice/Docs/report.docx") }, "/home/alice/Docs/report.docx", fixItem},
		{"RequestSync", func() (any, error) { return nil, c.RequestSync(ctx, "/home/alice/Docs") }, "/home/alice/Docs", nil},
		{"Unsync", func() (any, error) { return nil, c.Unsync(ctx, "/home/alice/Docs", true) }, []any{"/home/alice/Docs", true}, nil},
		{"ViewURL", func() (any, error) { return c.ViewURL(ctx, "/home/alice/Docs/report.docx") }, "/home/alice/Docs/report.docx", fixItem.Cloud.URL},
		{"Pause", func() (any, error) { return nil, c.Pause(ctx, "a1b2c3d4e5f6") }, "a1b2c3d4e5f6", nil},
		{"Resume", func() (any, error) { return nil, c.Resume(ctx, "") }, "", nil},
		{"Status", func() (any, error) { return c.Status(ctx) }, nil, fixStatus},
		{"Browse", func() (any, error) { return c.Browse(ctx, "work", "Docs/sub") }, []string{"work", "Docs/sub"}, fixBrowse},
		{"MakeFolder", func() (any, error) { return nil, c.MakeFolder(ctx, "work", "Docs/new") }, []string{"work", "Docs/new"}, nil},
		{"GetSettings", func() (any, error) { return c.GetSettings(ctx) }, nil, fixSettings},
		{"PutSettings", func() (any, error) { return nil, c.PutSettings(ctx, fixSettings) }, fixSettings, nil},
		{"Events", func() (any, error) {
			evs, last, err := c.Events(ctx, 0)
			return []any{evs, last}, err
		}, int64(0), []any{fixEvents, int64(5)}},
		{"ShowWindow", func() (any, error) { return nil, c.ShowWindow(ctx, "preferences") }, "preferences", nil},
		{"SignIn", func() (any, error) { return nil, c.SignIn(ctx, "work", "new-pw") }, []string{"work", "new-pw"}, nil},
	}
	for _, tc := range cases {
		t.Run(tc.method, func(t *testing.T) {
			got, err := tc.call()
			if err != nil {
				t.Fatalf("%s: %v", tc.method, err)
			}
			if tc.want != nil && !reflect.DeepEqual(got, tc.want) {
				t.Errorf("%s answered\n %#v\nwant\n %#v", tc.method, got, tc.want)
			}
			if a := f.args(tc.method); !reflect.DeepEqual(a, tc.wantArgs) {
				t.Errorf("%s: engine got %#v, want %#v", tc.method, a, tc.wantArgs)
			}
		})
	}
	// Wait is the one method that blocks; it is covered by the cancellation tests.
	if n := reflect.TypeOf((*API)(nil)).Elem().NumMethod(); n != len(cases)+1 {
		t.Errorf("API has %d methods, the table covers %d: add the new ones", n, len(cases)+1)
	}
}

func TestEngineErrorsKeepTheirTextAndKind(t *testing.T) {
	cases := []struct {
		name string
		err  error
		kind error
	}{
		{"plain", errors.New("/home/alice/x is not in any sync set"), nil},
		{"auth", fmt.Errorf("sign-in refused by https://h for user %q: %w", "alice", remote.ErrAuth), remote.ErrAuth},
		{"remote error", &remote.Error{Kind: remote.ErrQuota, Op: "PUT", Path: "a.txt", Status: 507, Message: "full"}, remote.ErrQuota},
		{"not found", fmt.Errorf("browsing Docs: %w", remote.ErrNotFound), remote.ErrNotFound},
		{"unicode and quotes", errors.New(`name "Ünïcode ✓" clashes`), nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := newFake()
			f.err = tc.err
			_, c := serving(t, f)
			_, err := c.ListAccounts(ctxT(t))
			if err == nil || err.Error() != tc.err.Error() {
				t.Fatalf("error %q, want %q", err, tc.err.Error())
			}
			if tc.kind != nil && !errors.Is(err, tc.kind) {
				t.Errorf("errors.Is(%v, %v) is false across the socket", err, tc.kind)
			}
			for _, other := range []error{remote.ErrAuth, remote.ErrNotFound, remote.ErrQuota} {
				if other != tc.kind && errors.Is(err, other) {
					t.Errorf("error also matches %v", other)
				}
			}
		})
	}
}

func TestSocketIsPrivate(t *testing.T) {
	dir := filepath.Join(shortDir(t), "run")
	if err := os.Mkdir(dir, 0o755); err != nil { // a pre-existing, too open folder
		t.Fatal(err)
	}
	sock := filepath.Join(dir, "control.sock")
	ln, err := Listen(sock)
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	fi, err := os.Stat(sock)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Type() != os.ModeSocket || fi.Mode().Perm() != 0o600 {
		t.Errorf("socket mode %v, want a socket with 0600", fi.Mode())
	}
	di, _ := os.Stat(dir)
	if di.Mode().Perm() != 0o700 {
		t.Errorf("socket folder mode %v, want 0700", di.Mode().Perm())
	}
	fresh := filepath.Join(shortDir(t), "a", "b", "control.sock")
	ln2, err := Listen(fresh)
	if err != nil {
		t.Fatal(err)
	}
	defer ln2.Close()
	if di, _ := os.Stat(filepath.Dir(fresh)); di.Mode().Perm() != 0o700 {
		t.Errorf("created socket folder mode %v, want 0700", di.Mode().Perm())
	}
}

func TestSecondListenRefusedWhileAnEngineIsLive(t *testing.T) {
	f := newFake()
	sock, c := serving(t, f)
	ln, err := Listen(sock)
	if err == nil {
		ln.Close()
		t.Fatal("second Listen succeeded while the first engine is live")
	}
	if !errors.Is(err, ErrAlreadyRunning) || !strings.Contains(err.Error(), "already running") {
		t.Fatalf("error %q, want already running", err)
	}
	// The live engine's socket is untouched.
	if _, err := c.Status(ctxT(t)); err != nil {
		t.Fatalf("first engine no longer answers: %v", err)
	}
}

func TestStaleSocketIsReplaced(t *testing.T) {
	sock := filepath.Join(shortDir(t), "control.sock")
	old, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	old.(*net.UnixListener).SetUnlinkOnClose(false)
	old.Close() // an engine that died: the file stays, nobody answers
	if _, err := os.Stat(sock); err != nil {
		t.Fatal(err)
	}
	if _, err := Dial(sock); !errors.Is(err, ErrNoEngine) {
		t.Fatalf("Dial on a stale socket: %v, want ErrNoEngine", err)
	}
	ln, err := Listen(sock)
	if err != nil {
		t.Fatalf("Listen over a stale socket: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- Serve(ctx, ln, newFake()) }()
	c, err := Dial(sock)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Status(ctxT(t)); err != nil {
		t.Fatal(err)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if _, err := os.Lstat(sock); !os.IsNotExist(err) {
		t.Errorf("socket file left behind after Serve stopped: %v", err)
	}
}

func TestListenLeavesNonSocketFilesAlone(t *testing.T) {
	sock := filepath.Join(shortDir(t), "control.sock")
	if err := os.WriteFile(sock, []byte("precious"), 0o600); err != nil {
		t.Fatal(err)
	}
	if ln, err := Listen(sock); err == nil {
		ln.Close()
		t.Fatal("Listen replaced a regular file")
	}
	if b, _ := os.ReadFile(sock); string(b) != "precious" {
		t.Fatal("the file was changed")
	}
}

func TestDialWithoutEngineFailsFastWithClearMessage(t *testing.T) {
	start := time.Now()
	_, err := Dial(filepath.Join(shortDir(t), "run", "control.sock"))
	if err == nil || err.Error() != "no cloudsync engine is running: start `cloudsync` or `cloudsync daemon`" {
		t.Fatalf("error %q", err)
	}
	if time.Since(start) > time.Second {
		t.Errorf("Dial took %v", time.Since(start))
	}
	// A client whose engine went away says the same.
	_, err = NewClient(filepath.Join(shortDir(t), "x.sock")).Status(ctxT(t))
	if !errors.Is(err, ErrNoEngine) {
		t.Fatalf("call without engine: %v", err)
	}
}

func TestTooLongSocketPathIsAClearError(t *testing.T) {
	long := "/tmp/" + strings.Repeat("d", 120) + "/control.sock"
	for name, f := range map[string]func() error{
		"Listen": func() error { _, err := Listen(long); return err },
		"Dial":   func() error { _, err := Dial(long); return err },
	} {
		if err := f(); err == nil || !strings.Contains(err.Error(), "at most") {
			t.Errorf("%s: %v, want a too-long error", name, err)
		}
	}
}

func TestCancelledWaitReturnsPromptlyOnBothSides(t *testing.T) {
	f := newFake()
	_, c := serving(t, f)
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() { errc <- c.Wait(ctx) }()
	time.Sleep(100 * time.Millisecond) // let the call reach the engine
	cancel()
	select {
	case err := <-errc:
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("Wait: %v, want context.Canceled", err)
		}
	case <-time.After(2 * time.Second):
		t.Fatal("Wait did not return after its ctx was cancelled")
	}
	select {
	case <-f.waitEnded:
	case <-time.After(2 * time.Second):
		t.Fatal("the engine's Wait kept waiting after the caller cancelled")
	}
}

func TestWaitDeadlineReachesTheEngine(t *testing.T) {
	f := newFake()
	_, c := serving(t, f)
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	start := time.Now()
	err := c.Wait(ctx)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Wait: %v, want deadline exceeded", err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Fatalf("Wait took %v", d)
	}
	select {
	case <-f.waitEnded:
	case <-time.After(2 * time.Second):
		t.Fatal("the engine's Wait did not see the deadline")
	}
}

func TestEventsLongPollEndsEmptyAtTheDeadline(t *testing.T) {
	f := newFake()
	_, c := serving(t, f)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	start := time.Now()
	evs, last, err := c.Events(ctx, 5)
	if err != nil || len(evs) != 0 || last != 7 {
		t.Fatalf("Events = %v, %d, %v; want none, 7, nil", evs, last, err)
	}
	if d := time.Since(start); d < time.Second || d > 10*time.Second {
		t.Fatalf("long-poll lasted %v", d)
	}
}

func TestServeStopCancelsCallsInFlight(t *testing.T) {
	f := newFake()
	sock := filepath.Join(shortDir(t), "control.sock")
	ln, err := Listen(sock)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- Serve(ctx, ln, f) }()
	c, err := Dial(sock)
	if err != nil {
		t.Fatal(err)
	}
	errc := make(chan error, 1)
	go func() { errc <- c.Wait(ctxT(t)) }()
	time.Sleep(100 * time.Millisecond)
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(2 * time.Second):
		t.Fatal("Serve did not stop promptly with a Wait in flight")
	}
	select {
	case err := <-errc:
		if err == nil {
			t.Fatal("Wait succeeded although the engine stopped")
		}
	case <-time.After(2 * time.Second):
		t.Fatal("Wait did not return after the engine stopped")
	}
}

// TestBadRequestDoesNotEchoItsBody: a malformed body (which may hold a password) is not
// quoted back, so it cannot end up in a log of the caller either.
func TestBadRequestDoesNotEchoItsBody(t *testing.T) {
	sock, _ := serving(t, newFake())
	hc := &http.Client{Transport: &http.Transport{DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
		return (&net.Dialer{}).DialContext(ctx, "unix", sock)
	}}, Timeout: 5 * time.Second}
	resp, err := hc.Post("http://cloudsync/v1/add_account", "application/json", strings.NewReader(`{"password":"hunter2-canary",`))
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusBadRequest || strings.Contains(string(b), "hunter2") {
		t.Fatalf("answer %d %s", resp.StatusCode, b)
	}
}
