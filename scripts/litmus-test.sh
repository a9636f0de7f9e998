#!/usr/bin/env bash
# Runs Debian's litmus (the WebDAV conformance suites of the neon project) against
# `cloudsync serve-webdav` with Basic auth, suites basic, copymove, props and locks, and
# fails on any failed test (warnings are printed, not failures). Used by `make test`.
#
# usage: scripts/litmus-test.sh BINARY
set -euo pipefail
bin=${1:?usage: litmus-test.sh BINARY}
command -v litmus >/dev/null || { echo "litmus-test: litmus is not installed (make deps installs it)" >&2; exit 1; }

dir=$(mktemp -d); out=$(mktemp); log=$(mktemp -d)
trap 'kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; rm -rf "$dir" "$out" "$log"' EXIT
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
echo "litmus-password" | "$bin" serve-webdav "$dir" --addr "127.0.0.1:$port" --user litmus --password-stdin >"$log/serve.out" 2>"$log/serve.err" &
pid=$!
for _ in $(seq 1 100); do grep -q serving "$log/serve.out" 2>/dev/null && break; sleep 0.05; done
if grep -q "warning" "$log/serve.err"; then cat "$log/serve.err" >&2; fi
(cd "$log" && TESTS="basic copymove props locks" timeout 300 litmus "http://127.0.0.1:$port/" litmus litmus-password) >"$out" 2>&1 || true
grep -E '^<- summary' "$out"
# litmus redraws each line with carriage returns: the test name follows the last one.
failed=$(tr '\r' '\n' <"$out" | grep -E '^ *[0-9]+\. [a-z_0-9]+\.* FAIL' | sed -E 's/^ *[0-9]+\. ([a-z_0-9]+).*/\1/' | sort -u | tr '\n' ' ' || true)
summaries=$(grep -c '^<- summary' "$out" || true)
clean=$(grep -cE '^<- summary .* [0-9]+ passed, 0 failed\.' "$out" || true)
if [[ $summaries -ne 4 || $clean -ne 4 || -n $failed ]]; then
	echo "litmus-test: failed: ${failed:-a suite did not run or did not pass}" >&2
	cat "$out" >&2
	exit 1
fi
warnings=$(tr '\r' '\n' <"$out" | grep -E 'WARNING' || true)
if [[ -n $warnings ]]; then echo "litmus-test: warnings:"$'\n'"$warnings"; fi
echo "litmus-test: serve-webdav passes every test of basic, copymove, props and locks"
