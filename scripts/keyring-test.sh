#!/usr/bin/env bash
# Runs the tests that need a real Secret Service: a private D-Bus session with an unlocked
# gnome-keyring, in a throw-away HOME. Tests in that group have "Keyring" in their name and
# are enabled by CLOUDSYNC_KEYRING=1 (package credentials) and CLOUDSYNC_KEYRING_TEST=1
# (the built daemon, cmd/cloudsync). The daemon test needs the binary: CLOUDSYNC_BIN (make
# test sets it), else the script builds one. A Keyring test that skips fails the script.
set -euo pipefail
cd "$(dirname "$0")/.."
for tool in dbus-run-session gnome-keyring-daemon secret-tool; do
  command -v "$tool" >/dev/null || { echo "keyring-test: $tool is missing; run make deps" >&2; exit 1; }
done
# Keep Go's caches where they are: only the keyring's HOME is new.
export GOCACHE=$(go env GOCACHE) GOMODCACHE=$(go env GOMODCACHE) GOPATH=$(go env GOPATH)
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
if [ -z "${CLOUDSYNC_BIN:-}" ]; then
  go build -o "$scratch/cloudsync" ./cmd/cloudsync
  export CLOUDSYNC_BIN=$scratch/cloudsync
fi
export HOME=$scratch/home XDG_RUNTIME_DIR=$scratch/run
mkdir -p "$HOME" "$XDG_RUNTIME_DIR"
chmod 700 "$HOME" "$XDG_RUNTIME_DIR"
unset CLOUDSYNC_HOME XDG_DATA_HOME XDG_CONFIG_HOME
export CLOUDSYNC_KEYRING=1 CLOUDSYNC_KEYRING_TEST=1 out=$scratch/go-test.out
dbus-run-session -- scripts/with-keyring.sh test-keyring-pw bash -c '
  set -euo pipefail
  rc=0
  go test -count=1 -timeout 10m -v -run Keyring ./... >"$out" 2>&1 || rc=$?
  grep -v -e "^testing: warning: no tests to run" -e "^PASS$" -e "no test files" "$out" || true
  exit $rc
'
if grep -E -- '--- SKIP: [A-Za-z]*Keyring' "$out"; then
  echo "keyring-test: a Keyring test skipped instead of running" >&2
  exit 1
fi
ran=$(grep -cE -- '--- PASS: [A-Za-z]*Keyring' "$out" || true)
if [ "$ran" -lt 3 ]; then
  echo "keyring-test: expected at least 3 Keyring tests to pass, $ran did" >&2
  exit 1
fi
echo "keyring-test: $ran Keyring tests passed against gnome-keyring"
