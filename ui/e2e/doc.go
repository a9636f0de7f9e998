// Package e2e holds the desktop app's real-window test (scripts/gui-test.sh runs it under
// Xvfb, a private D-Bus session and an unlocked gnome-keyring; `make test` calls it). It
// drives the built `cloudsync` binary through its windows (xdotool), its tray
// (StatusNotifierItem + com.canonical.dbusmenu over D-Bus) and the installed
// file-manager actions, and receives its notifications on a fake
// org.freedesktop.Notifications. The package has no non-test code.
//
// Its tests may import any package of this module.
package e2e
