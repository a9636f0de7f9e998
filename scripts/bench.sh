#!/usr/bin/env bash
# Runs the end-to-end benchmark (go run ./bench, issue 11) as a user runs cloudsync: the
# daemon keeps the account password in a real Secret Service (gnome-keyring in a private
# D-Bus session, unlocked), so a restarted daemon finds it again. Arguments go to the
# benchmark (e.g. -sizes 10000 -servers rclone); CLOUDSYNC_BENCH_1M=1 adds the
# 1,000,000-file run. Needs CLOUDSYNC_BIN (make bench sets it).
set -euo pipefail
cd "$(dirname "$0")/.."
: "${CLOUDSYNC_BIN:?set CLOUDSYNC_BIN to the built binary (make bench does)}"
export GOCACHE=$(go env GOCACHE) GOMODCACHE=$(go env GOMODCACHE) GOPATH=$(go env GOPATH)
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
go build -o "$scratch/bench" ./bench
if ! command -v dbus-run-session >/dev/null || ! command -v gnome-keyring-daemon >/dev/null; then
  echo "bench: no dbus-run-session or gnome-keyring-daemon; the daemon keeps passwords in memory" >&2
  exec "$scratch/bench" "$@"
fi
export HOME=$scratch/home XDG_RUNTIME_DIR=$scratch/run
mkdir -p "$HOME" "$XDG_RUNTIME_DIR"
chmod 700 "$HOME" "$XDG_RUNTIME_DIR"
unset CLOUDSYNC_HOME XDG_DATA_HOME XDG_CONFIG_HOME CLOUDSYNC_KEYRING
dbus-run-session -- scripts/with-keyring.sh bench-keyring-pw "$scratch/bench" "$@"
