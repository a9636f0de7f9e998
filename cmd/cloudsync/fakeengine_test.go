package main

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cloudsync/cloudsync/syncer"
	"github.com/cloudsync/cloudsync/syncer/control"
	"github.com/cloudsync/cloudsync/syncer/model"
	"github.com/cloudsync/cloudsync/syncer/remote"
)

// fakeEngine is a test double of the engine behind a real control socket: it records
// what the CLI asked. Methods not overridden here are not used by these tests (the nil
// embedded API would fail the call).
type fakeEngine struct {
	control.API
	mu     sync.Mutex
	got    map[string]any
	failed error
}

func (f *fakeEngine) rec(m string, v any) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.got[m] = v
	return f.failed
}

func (f *fakeEngine) last(m string) any {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.got[m]
}

var fakeItem = syncer.ItemInfo{Path: "/data/Docs/report.docx", Set: "a1b2c3d4e5f6", Status: model.StatusFailed,
	Reason: remote.ReasonNameClash, Details: "MOVE Docs/report.docx: name already exists (HTTP 412)",
	Cloud:    syncer.Cloud{Account: "work", Location: "Docs/report.docx", URL: "https://dav.example/Docs/report.docx"},
	LastSync: "2026-11-22T10:15:00Z"}

func (f *fakeEngine) CreateSet(ctx context.Context, r syncer.CreateSetRequest) (model.Set, error) {
	return model.Set{ID: "a1b2c3d4e5f6", Kind: model.KindFolder, Account: r.Account, LocalRoot: r.Paths[0], RemoteRoot: r.To}, f.rec("CreateSet", r)
}

func (f *fakeEngine) ListItems(ctx context.Context, errorsOnly bool) ([]syncer.ItemInfo, error) {
	return []syncer.ItemInfo{fakeItem}, f.rec("ListItems", errorsOnly)
}

func (f *fakeEngine) Info(ctx context.Context, p string) (syncer.ItemInfo, error) {
	return fakeItem, f.rec("Info", p)
}

func (f *fakeEngine) ViewURL(ctx context.Context, p string) (string, error) {
	return fakeItem.Cloud.URL, f.rec("ViewURL", p)
}

func (f *fakeEngine) Unsync(ctx context.Context, p string, rm bool) error {
	return f.rec("Unsync", []any{p, rm})
}

func (f *fakeEngine) RequestSync(ctx context.Context, p string) error { return f.rec("RequestSync", p) }
func (f *fakeEngine) Pause(ctx context.Context, set string) error     { return f.rec("Pause", set) }

func (f *fakeEngine) AddAccount(ctx context.Context, r syncer.AddAccountRequest) (model.Account, error) {
	return model.Account{Name: r.Name, Type: r.Type, URL: r.URL, User: r.User}, f.rec("AddAccount", r)
}

func (f *fakeEngine) Wait(ctx context.Context) error {
	f.rec("Wait", nil)
	<-ctx.Done()
	return ctx.Err()
}

// withFakeEngine serves a fakeEngine on the socket of a fresh CLOUDSYNC_HOME.
func withFakeEngine(t *testing.T) *fakeEngine {
	t.Helper()
	home := noEngineHome(t)
	p, err := resolvePaths(func(k string) string {
		if k == "CLOUDSYNC_HOME" {
			return home
		}
		return ""
	})
	if err != nil {
		t.Fatal(err)
	}
	ln, err := control.Listen(p.Socket)
	if err != nil {
		t.Fatal(err)
	}
	f := &fakeEngine{got: map[string]any{}}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- control.Serve(ctx, ln, f) }()
	t.Cleanup(func() {
		cancel()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			t.Error("fake engine did not stop")
		}
	})
	return f
}

// TestSyncMapsFlagsToOptions: each option flag changes exactly its option, from the SPEC
// defaults, and relative paths reach the engine absolute.
func TestSyncMapsFlagsToOptions(t *testing.T) {
	f := withFakeEngine(t)
	t.Chdir(t.TempDir())
	wd, _ := os.Getwd()
	def := model.DefaultOptions()
	cases := []struct {
		flags []string
		want  func(o *model.Options)
	}{
		{nil, func(o *model.Options) {}},
		{[]string{"--no-subfolders"}, func(o *model.Options) { o.IncludeSubfolders = false }},
		{[]string{"--lock"}, func(o *model.Options) { o.Lock = true }},
		{[]string{"--keep-cloud-on-delete"}, func(o *model.Options) { o.AllowCloudDelete = false }},
		{[]string{"--delete-local-on-cloud-delete"}, func(o *model.Options) { o.DeleteLocalOnCloudDelete = true }},
	}
	for _, tc := range cases {
		args := append([]string{"sync", "Docs", "--account", "work", "b.txt", "--to", "Team/Docs"}, tc.flags...)
		code, out, errOut := runCLI(t, "", args...)
		if code != exitOK || !strings.Contains(out, "a1b2c3d4e5f6") {
			t.Fatalf("%v: exit %d, %q %q", tc.flags, code, out, errOut)
		}
		want := def
		tc.want(&want)
		got := f.last("CreateSet").(syncer.CreateSetRequest)
		wantReq := syncer.CreateSetRequest{Paths: []string{filepath.Join(wd, "Docs"), filepath.Join(wd, "b.txt")},
			Account: "work", To: "Team/Docs", Options: want}
		if !reflect.DeepEqual(got, wantReq) {
			t.Errorf("%v: engine got %+v, want %+v", tc.flags, got, wantReq)
		}
	}
}

func TestInfoJSONHasTheSpecFields(t *testing.T) {
	f := withFakeEngine(t)
	t.Chdir(t.TempDir())
	wd, _ := os.Getwd()
	code, out, errOut := runCLI(t, "", "info", "--json", "report.docx")
	if code != exitOK {
		t.Fatalf("exit %d %q", code, errOut)
	}
	if got := f.last("Info"); got != filepath.Join(wd, "report.docx") {
		t.Errorf("engine asked about %v", got)
	}
	var m map[string]any
	if err := json.Unmarshal([]byte(out), &m); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	for _, k := range []string{"path", "status", "reason", "details", "cloud", "last_sync", "conflicts"} {
		if _, ok := m[k]; !ok {
			t.Errorf("info --json lacks %q: %s", k, out)
		}
	}
	cloud, _ := m["cloud"].(map[string]any)
	for _, k := range []string{"account", "location", "url"} {
		if _, ok := cloud[k]; !ok {
			t.Errorf("cloud lacks %q", k)
		}
	}
	if c, ok := m["conflicts"].([]any); !ok || len(c) != 0 {
		t.Errorf("conflicts = %#v, want an empty list (not null)", m["conflicts"])
	}
	if m["status"] != "failed" || m["reason"] != "name_clash" {
		t.Errorf("status/reason %v/%v", m["status"], m["reason"])
	}
	// The human form names the same things.
	_, out, _ = runCLI(t, "", "info", "report.docx")
	for _, s := range []string{"failed", "name_clash", "HTTP 412", "work", "Docs/report.docx", "2026-11-22T10:15:00Z"} {
		if !strings.Contains(out, s) {
			t.Errorf("info output lacks %q:\n%s", s, out)
		}
	}
}

func TestListErrorsAsksForFailedItemsOnly(t *testing.T) {
	f := withFakeEngine(t)
	code, out, _ := runCLI(t, "", "list", "--errors")
	if code != exitOK || f.last("ListItems") != true || !strings.Contains(out, "name_clash") {
		t.Fatalf("exit %d, errorsOnly %v, out %q", code, f.last("ListItems"), out)
	}
	code, out, _ = runCLI(t, "", "list", "--json")
	var items []syncer.ItemInfo
	if code != exitOK || f.last("ListItems") != false || json.Unmarshal([]byte(out), &items) != nil || len(items) != 1 {
		t.Fatalf("exit %d, out %q", code, out)
	}
}

func TestEngineErrorExitsOneWithItsMessage(t *testing.T) {
	f := withFakeEngine(t)
	f.failed = &remote.Error{Kind: remote.ErrNotFound, Op: "PROPFIND", Path: "Nope"}
	code, out, errOut := runCLI(t, "", "request-sync", "/data/Docs")
	if code != exitFail || out != "" || errOut != "cloudsync request-sync: PROPFIND Nope: not found\n" {
		t.Fatalf("exit %d, stdout %q, stderr %q", code, out, errOut)
	}
}

func TestAccountAddSendsThePasswordFromStdinOnly(t *testing.T) {
	f := withFakeEngine(t)
	code, _, errOut := runCLI(t, "s3cret with spaces\r\n", "account", "add", "work", "--type", "webdav",
		"--url", "https://dav.example/", "--user", "alice", "--password-stdin")
	if code != exitOK {
		t.Fatalf("exit %d %q", code, errOut)
	}
	if r := f.last("AddAccount").(syncer.AddAccountRequest); r.Password != "s3cret with spaces" || r.Name != "work" {
		t.Fatalf("engine got %+v", r)
	}
	code, _, errOut = runCLI(t, "", "account", "add", "work", "--type", "webdav",
		"--url", "https://dav.example/", "--user", "alice", "--password-stdin")
	if code != exitFail || !strings.Contains(errOut, "no password") {
		t.Fatalf("empty stdin: exit %d %q", code, errOut)
	}
}

func TestUnsyncAndPauseReachTheEngineWithAbsolutePaths(t *testing.T) {
	f := withFakeEngine(t)
	t.Chdir(t.TempDir())
	wd, _ := os.Getwd()
	if code, _, e := runCLI(t, "", "unsync", "--remove-from-cloud", "Docs"); code != exitOK {
		t.Fatal(e)
	}
	if got := f.last("Unsync"); !reflect.DeepEqual(got, []any{filepath.Join(wd, "Docs"), true}) {
		t.Errorf("Unsync got %v", got)
	}
	if code, _, e := runCLI(t, "", "pause", "Docs"); code != exitOK {
		t.Fatal(e)
	}
	if got := f.last("Pause"); got != filepath.Join(wd, "Docs") {
		t.Errorf("Pause got %v", got)
	}
	if code, _, e := runCLI(t, "", "pause"); code != exitOK || f.last("Pause") != "" {
		t.Fatalf("pause all: %v %q", f.last("Pause"), e)
	}
}

func TestWaitTimesOutWithExitOne(t *testing.T) {
	withFakeEngine(t)
	start := time.Now()
	code, _, errOut := runCLI(t, "", "wait", "--timeout", "300ms")
	if code != exitFail || !strings.Contains(errOut, "still syncing after 300ms") {
		t.Fatalf("exit %d %q", code, errOut)
	}
	if d := time.Since(start); d > 3*time.Second {
		t.Fatalf("wait took %v", d)
	}
}

// TestViewInCloudHonoursBROWSER: the first $BROWSER entry that fails is skipped, the next
// gets the address ("%s" replaced), and nothing goes through a shell.
func TestViewInCloudHonoursBROWSER(t *testing.T) {
	withFakeEngine(t)
	dir := t.TempDir()
	got := filepath.Join(dir, "opened")
	script := filepath.Join(dir, "browser")
	if err := os.WriteFile(script, []byte("#!/bin/sh\nprintf '%s\\n' \"$@\" > "+got+"\n"), 0o700); err != nil {
		t.Fatal(err)
	}
	t.Setenv("BROWSER", "false:"+script+" --new-tab %s")
	code, out, errOut := runCLI(t, "", "view-in-cloud", "/data/Docs/report.docx")
	if code != exitOK || out != "Opening "+fakeItem.Cloud.URL+" in the browser.\n" {
		t.Fatalf("exit %d, %q %q", code, out, errOut)
	}
	b, err := os.ReadFile(got)
	if err != nil || string(b) != "--new-tab\n"+fakeItem.Cloud.URL+"\n" {
		t.Fatalf("browser got %q (%v)", b, err)
	}
	if code, out, _ := runCLI(t, "", "view-in-cloud", "--print-url", "/data/Docs/report.docx"); code != exitOK || out != fakeItem.Cloud.URL+"\n" {
		t.Fatalf("--print-url: %d %q", code, out)
	}
	// View in Cloud is not silent: the browser command's own output shows too.
	t.Setenv("BROWSER", "echo")
	if code, out, _ := runCLI(t, "", "view-in-cloud", "/data/Docs/report.docx"); code != exitOK ||
		out != "Opening "+fakeItem.Cloud.URL+" in the browser.\n"+fakeItem.Cloud.URL+"\n" {
		t.Fatalf("BROWSER=echo: %d %q", code, out)
	}
}
