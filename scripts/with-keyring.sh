#!/usr/bin/env bash
# usage: with-keyring.sh PASSWORD COMMAND [ARG...]
# Runs COMMAND beside a real Secret Service: a gnome-keyring unlocked with PASSWORD in the
# current D-Bus session (call it under dbus-run-session), ready before COMMAND starts and
# stopped when it ends. The exit status is COMMAND's. Used by keyring-test.sh, gui-test.sh
# and bench.sh, so the keyring is started one way.
set -euo pipefail
pw=$1
shift
printf %s "$pw" | gnome-keyring-daemon --foreground --unlock --components=secrets >/dev/null 2>&1 &
kr=$!
trap 'kill $kr 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do
  if dbus-send --session --print-reply --dest=org.freedesktop.DBus /org/freedesktop/DBus \
       org.freedesktop.DBus.NameHasOwner string:org.freedesktop.secrets 2>/dev/null | grep -q true; then break; fi
  sleep 0.1
done
"$@"
