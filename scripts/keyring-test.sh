#!/usr/bin/env bash
# Runs the tests that need a real Secret Service: a private D-Bus session with an unlocked
# gnome-keyring. Tests in that group are marked by the CLOUDSYNC_KEYRING=1 environment.
set -euo pipefail
cd "$(dirname "$0")/.."
export HOME=$(mktemp -d) XDG_RUNTIME_DIR=$(mktemp -d)
chmod 700 "$XDG_RUNTIME_DIR"
trap 'rm -rf "$HOME" "$XDG_RUNTIME_DIR"' EXIT
exec dbus-run-session -- bash -c '
  set -euo pipefail
  printf %s test-keyring-pw | gnome-keyring-daemon --foreground --unlock --components=secrets >/dev/null 2>&1 &
  kr=$!
  trap "kill $kr 2>/dev/null || true" EXIT
  for i in $(seq 1 100); do
    if busctl --user list 2>/dev/null | grep -q org.freedesktop.secrets || \
       dbus-send --session --print-reply --dest=org.freedesktop.DBus /org/freedesktop/DBus org.freedesktop.DBus.NameHasOwner string:org.freedesktop.secrets 2>/dev/null | grep -q true; then break; fi
    sleep 0.1
  done
  CLOUDSYNC_KEYRING=1 go test -count=1 -timeout 10m -run Keyring ./...
'
