package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/godbus/dbus/v5"
)

const notifyUsage = "also tell the outcome in a desktop notification (for file-manager actions, which show no output)"

// withNotify runs a command; with --notify (on: the file managers' actions, which
// show neither standard output nor errors), what it says on failure, and with okToo on
// success too, also becomes a desktop notification titled "cloudsync: title". The
// notification goes over D-Bus directly, so it does not depend on notify-send being
// installed; when no notification server answers, that is said on standard error.
func (e *env) withNotify(c *command, on bool, title string, okToo bool, run func(e *env) int) int {
	if !on {
		return run(e)
	}
	var out, errb bytes.Buffer
	inner := *e
	inner.stdout, inner.stderr = io.MultiWriter(e.stdout, &out), io.MultiWriter(e.stderr, &errb)
	code := run(&inner)
	msg := strings.TrimSpace(errb.String())
	if code == exitOK {
		if !okToo {
			return code
		}
		msg = strings.TrimSpace(out.String())
	} else {
		msg = strings.TrimPrefix(msg, "cloudsync "+c.name+": ")
	}
	if err := desktopNotify("cloudsync: "+title, msg); err != nil {
		fmt.Fprintf(e.stderr, "cloudsync %s: could not show a notification: %v\n", c.name, err)
	}
	return code
}

// desktopNotify shows a notification through org.freedesktop.Notifications.
func desktopNotify(title, body string) error {
	conn, err := dbus.ConnectSessionBus()
	if err != nil {
		return err
	}
	defer conn.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	hints := map[string]dbus.Variant{"desktop-entry": dbus.MakeVariant("io.github.cloudsync.cloudsync")}
	return conn.Object("org.freedesktop.Notifications", "/org/freedesktop/Notifications").CallWithContext(ctx,
		"org.freedesktop.Notifications.Notify", 0, "cloudsync", uint32(0), "io.github.cloudsync.cloudsync",
		title, body, []string{}, hints, int32(-1)).Err
}
