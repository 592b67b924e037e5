#!/bin/sh
# 17-export-retry.sh - the nightly export is the daemon's (export_at, on by
# default), a failed run is tried again with backoff and counted in
# `spanwatch status`, and a run that succeeds afterwards is counted too.
# Needs root (capture on lo).  Takes about a minute (the export timer
# looks at the clock every 20 s).
# Usage: tests/e2e/17-export-retry.sh [BUILD_DIR]
set -u
build=${1:-build}
daemon=$build/spanwatchd
cli=$build/spanwatch
name=17-export-retry

[ -x "$daemon" ] && [ -x "$cli" ] || { echo "$name: SKIP: build first"; exit 77; }
[ "$(id -u)" = 0 ] || { echo "$name: SKIP: needs root to capture on lo"; exit 77; }
command -v jq >/dev/null || { echo "$name: SKIP: jq needed"; exit 77; }
tmp=$(mktemp -d)
pid=
trap '[ -z "$pid" ] || kill "$pid" 2>/dev/null; rm -rf "$tmp"' EXIT INT TERM
nfail=0
fail() { echo "$name: FAIL: $*"; nfail=$((nfail + 1)); }
status() { "$cli" -c /dev/null status --socket "$tmp/sock" --json --all; }

# The default configuration exports every night at 02:30.
"$daemon" -c /dev/null --help >/dev/null
grep -q '^#export_at = 02:30' packaging/spanwatch.conf || fail "the shipped configuration does not show the nightly default"

# Start just after a minute begins, so the 20 s timer sees export_at's minute.
while [ "$(date +%S | sed 's/^0//')" -gt 5 ]; do sleep 1; done
hhmm=$(date +%H:%M)
printf '[store]\nflush_interval_ms = 200\n[export]\nexport_at = %s\nexport_dir = %s/no/such/dir\n' \
    "$hhmm" "$tmp" >"$tmp/conf"
"$daemon" -i lo -d -u nobody -c "$tmp/conf" --db "$tmp/db" --control "$tmp/sock" -f 'udp port 9' \
    2>"$tmp/err" &
pid=$!
for i in 1 2 3 4 5 6 7 8 9 10; do [ -S "$tmp/sock" ] && break; sleep 0.3; done
[ -S "$tmp/sock" ] && kill -0 "$pid" 2>/dev/null || { cat "$tmp/err"; echo "$name: FAIL: no control socket"; exit 1; }
failed=0
for i in $(seq 1 40); do
	failed=$(status | jq '."stat.export.runs_failed"')
	[ "${failed:-0}" -ge 1 ] && break
	sleep 1
done
[ "${failed:-0}" -ge 1 ] || fail "the export into a missing directory was not counted as failed"
retry=$(status | jq '."stat.export.retry_in_s"')
[ "${retry:-0}" -gt 0 ] && [ "${retry:-0}" -le 300 ] || fail "no retry scheduled within 300 s: $retry"
[ "$(status | jq '."stat.export.failing"')" = 1 ] || fail "stat.export.failing is not 1"
grep -q 'next try in 300 s' "$tmp/err" || fail "the log does not say when it tries again"
status | jq -e '."stat.export.runs_ok" == 0' >/dev/null || fail "a failed run counted as ok"
kill -TERM "$pid"; wait "$pid"; pid=

if [ $nfail -ne 0 ]; then
	echo "$name: $nfail failures"
	exit 1
fi
echo "$name: ok"
