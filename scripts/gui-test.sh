#!/usr/bin/env bash
# The desktop app's real-window run (issues 4 and 13, "Done when"): a fresh HOME, a private
# D-Bus session, an unlocked gnome-keyring and an Xvfb display; the test itself is ui/e2e
# (Go, godbus + xdotool + ImageMagick). Screenshots and the app's logs go to artifacts/.
# Needs CLOUDSYNC_BIN (the built binary) and CLOUDSYNC_INSTALL_PREFIX (a `make install`
# PREFIX). The app under test is the same code built with the uicheck tag, which makes it
# report broken text (glyphs its fonts lack, clipped labels) and what each window shows.
#
# usage: gui-test.sh            the real-window test
#        gui-test.sh bench      the idle tray app benchmark (make bench)
set -euo pipefail
cd "$(dirname "$0")/.."
: "${CLOUDSYNC_BIN:?set CLOUDSYNC_BIN to the built cloudsync}"
mode=${1:-test}
if [ "$mode" != bench ]; then
  : "${CLOUDSYNC_INSTALL_PREFIX:?set CLOUDSYNC_INSTALL_PREFIX to a make install PREFIX}"
fi
mkdir -p artifacts
export CLOUDSYNC_ARTIFACTS=$PWD/artifacts
# The Go caches stay where they were (HOME changes below).
export GOCACHE=${GOCACHE:-$(go env GOCACHE)} GOMODCACHE=${GOMODCACHE:-$(go env GOMODCACHE)} GOPATH=${GOPATH:-$(go env GOPATH)}
# Build the test binary and the checking app first, outside the fake session.
go test -c -o artifacts/.gui-e2e.test ./ui/e2e
go build -tags uicheck -o artifacts/.cloudsync-uicheck ./cmd/cloudsync
export CLOUDSYNC_APP_BIN=$PWD/artifacts/.cloudsync-uicheck
export HOME=$(mktemp -d) XDG_RUNTIME_DIR=$(mktemp -d)   # a fresh HOME: no ~/.cache yet
chmod 700 "$XDG_RUNTIME_DIR"
if [ "$mode" = bench ]; then
  run='./artifacts/.gui-e2e.test -test.run ^$ -test.bench IdleTrayApp -test.benchtime 1x -test.timeout 30m -test.v'
else
  run='./artifacts/.gui-e2e.test -test.v -test.count=1 -test.timeout 10m'
fi
export run
unset DBUS_SESSION_BUS_ADDRESS DISPLAY WAYLAND_DISPLAY XDG_CONFIG_HOME XDG_DATA_HOME CLOUDSYNC_HOME BROWSER
trap 'rm -rf "$HOME" "$XDG_RUNTIME_DIR"' EXIT
dbus-run-session -- xvfb-run -a -s "-screen 0 1280x800x24" \
  scripts/with-keyring.sh gui-test-keyring-pw bash -c 'CLOUDSYNC_GUI_E2E=1 $run'
