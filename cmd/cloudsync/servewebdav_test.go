package main

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestServeWebDAVUsageErrors(t *testing.T) {
	dir := t.TempDir()
	cases := []struct {
		name string
		args []string
		want int
	}{
		{"no dir", []string{"serve-webdav"}, 2},
		{"user without password-stdin", []string{"serve-webdav", dir, "--user", "u"}, 2},
		{"password-stdin without user", []string{"serve-webdav", dir, "--password-stdin"}, 2},
		{"missing dir", []string{"serve-webdav", filepath.Join(dir, "nope")}, 1},
		{"unknown command", []string{"frobnicate"}, 2},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var out, errb bytes.Buffer
			if got := run(c.args, strings.NewReader(""), &out, &errb); got != c.want {
				t.Fatalf("exit %d, want %d (stderr %q)", got, c.want, errb.String())
			}
			if errb.Len() == 0 {
				t.Fatal("no message on stderr")
			}
		})
	}
}

func TestServeWebDAVEmptyPasswordRefused(t *testing.T) {
	var out, errb bytes.Buffer
	got := run([]string{"serve-webdav", t.TempDir(), "--addr", "127.0.0.1:0", "--user", "u", "--password-stdin"},
		strings.NewReader("\n"), &out, &errb)
	if got != 1 || !strings.Contains(errb.String(), "no password") {
		t.Fatalf("exit %d, stderr %q", got, errb.String())
	}
}

// TestServeWebDAVBinaryServesFolderWithAuth starts the built binary as a user would, with
// the password on stdin, and talks WebDAV to it on 127.0.0.1.
func TestServeWebDAVBinaryServesFolderWithAuth(t *testing.T) {
	bin := os.Getenv("CLOUDSYNC_BIN")
	if bin == "" {
		t.Skip("CLOUDSYNC_BIN not set: run through `make test`, which builds the binary")
	}
	dir := t.TempDir()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, "serve-webdav", dir, "--addr", addr, "--user", "alice", "--password-stdin")
	cmd.Stdin = strings.NewReader("s3cret-canary\n")
	stdout, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { cmd.Process.Signal(os.Interrupt); cmd.Wait() }()
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil || !strings.Contains(line, "http://"+addr+"/") {
		t.Fatalf("first line %q, %v", line, err)
	}
	if args := strings.Join(cmd.Args, " "); strings.Contains(args, "s3cret-canary") {
		t.Fatal("password on the command line")
	}
	hc := &http.Client{Timeout: 5 * time.Second}
	do := func(method, p, pw string, body string) *http.Response {
		req, _ := http.NewRequest(method, "http://"+addr+"/"+p, strings.NewReader(body))
		req.SetBasicAuth("alice", pw)
		resp, err := hc.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { resp.Body.Close() })
		return resp
	}
	if r := do("PUT", "hello.txt", "wrong", "x"); r.StatusCode != http.StatusUnauthorized {
		t.Fatalf("wrong password: %d", r.StatusCode)
	}
	if _, err := os.Stat(filepath.Join(dir, "hello.txt")); !os.IsNotExist(err) {
		t.Fatal("unauthorised PUT wrote a file")
	}
	if r := do("PUT", "hello.txt", "s3cret-canary", "hi there"); r.StatusCode/100 != 2 {
		t.Fatalf("PUT: %d", r.StatusCode)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "hello.txt")); string(b) != "hi there" {
		t.Fatalf("file content %q", b)
	}
	r := do("GET", "hello.txt", "s3cret-canary", "")
	if b, _ := io.ReadAll(r.Body); string(b) != "hi there" {
		t.Fatalf("GET %q", b)
	}
	req, _ := http.NewRequest("PROPFIND", "http://"+addr+"/", nil)
	req.SetBasicAuth("alice", "s3cret-canary")
	req.Header.Set("Depth", "1")
	resp, err := hc.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 207 || !strings.Contains(string(b), "hello.txt") {
		t.Fatalf("PROPFIND %d %s", resp.StatusCode, b)
	}
}
