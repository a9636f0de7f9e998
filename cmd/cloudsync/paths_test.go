package main

import (
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/cloudsync/cloudsync/syncer/control"
)

func TestResolvePaths(t *testing.T) {
	long := "/home/" + strings.Repeat("x", 100)
	cases := []struct {
		name string
		env  map[string]string
		want paths
	}{
		{"CLOUDSYNC_HOME holds everything",
			map[string]string{"CLOUDSYNC_HOME": "/srv/cs", "XDG_RUNTIME_DIR": "/run/user/1", "HOME": "/home/a"},
			paths{Config: "/srv/cs/config", State: "/srv/cs/state", Logs: "/srv/cs/logs", Socket: "/srv/cs/run/control.sock"}},
		{"XDG dirs",
			map[string]string{"HOME": "/home/a", "XDG_CONFIG_HOME": "/cfg", "XDG_DATA_HOME": "/data", "XDG_STATE_HOME": "/st", "XDG_RUNTIME_DIR": "/run/user/1"},
			paths{Config: "/cfg/cloudsync", State: "/data/cloudsync/state", Logs: "/st/cloudsync", Socket: "/run/user/1/cloudsync/control.sock"}},
		{"defaults under HOME, socket in the data dir without XDG_RUNTIME_DIR",
			map[string]string{"HOME": "/home/a"},
			paths{Config: "/home/a/.config/cloudsync", State: "/home/a/.local/share/cloudsync/state",
				Logs: "/home/a/.local/state/cloudsync", Socket: "/home/a/.local/share/cloudsync/run/control.sock"}},
		{"relative XDG values are ignored (XDG base dir spec)",
			map[string]string{"HOME": "/home/a", "XDG_DATA_HOME": "rel", "XDG_STATE_HOME": "rel", "XDG_RUNTIME_DIR": "rel"},
			paths{Config: "/home/a/.config/cloudsync", State: "/home/a/.local/share/cloudsync/state",
				Logs: "/home/a/.local/state/cloudsync", Socket: "/home/a/.local/share/cloudsync/run/control.sock"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := resolvePaths(func(k string) string { return tc.env[k] })
			if err != nil || got != tc.want {
				t.Fatalf("got %+v, %v\nwant %+v", got, err, tc.want)
			}
		})
	}
	t.Run("too long socket path falls back to a short private one", func(t *testing.T) {
		get := func(k string) string { return map[string]string{"CLOUDSYNC_HOME": long}[k] }
		p, err := resolvePaths(get)
		if err != nil {
			t.Fatal(err)
		}
		if p.State != long+"/state" {
			t.Errorf("state %s", p.State)
		}
		if control.CheckSocketPath(p.Socket) != nil || !strings.HasPrefix(p.Socket, "/tmp/cloudsync-") {
			t.Fatalf("socket %s", p.Socket)
		}
		again, _ := resolvePaths(get)
		other, _ := resolvePaths(func(k string) string { return map[string]string{"CLOUDSYNC_HOME": long + "y"}[k] })
		if again.Socket != p.Socket || other.Socket == p.Socket {
			t.Errorf("fallback socket must be stable per home and differ between homes: %s %s %s", p.Socket, again.Socket, other.Socket)
		}
		if !strings.Contains(p.Socket, "cloudsync-"+strconv.Itoa(os.Getuid())+"/") {
			t.Errorf("fallback %s is not per user", p.Socket)
		}
	})
}
