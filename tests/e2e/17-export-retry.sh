#!/bin/sh
# 17-export-retry.sh - the nightly export is the daemon's (export_at, on by
# default), a failed run is tried again with backoff and counted in
# `spanwatch status`, and once the export directory is writable again the
# next retry succeeds: status counts one failure and one success, and the
# files are there, each with its .sha256.
# Needs root (capture on lo; the daemon drops to nobody).  Takes about a
# minute (the export timer looks at the clock every 20 s; export_retry_s
# is 10 here).
# Usage: tests/e2e/17-export-retry.sh [BUILD_DIR]
set -u
build=${1:-build}
daemon=$build/spanwatchd
cli=$build/spanwatch
gen=$build/swgen
name=17-export-retry

[ -x "$daemon" ] && [ -x "$cli" ] && [ -x "$gen" ] || { echo "$name: SKIP: build first"; exit 77; }
[ "$(id -u)" = 0 ] || { echo "$name: SKIP: needs root to capture on lo"; exit 77; }
id nobody >/dev/null 2>&1 || { echo "$name: SKIP: no user nobody"; exit 77; }
command -v jq >/dev/null || { echo "$name: SKIP: jq needed"; exit 77; }
command -v sha256sum >/dev/null || { echo "$name: SKIP: sha256sum needed"; exit 77; }
tmp=$(mktemp -d)
pid=
trap '[ -z "$pid" ] || kill "$pid" 2>/dev/null; rm -rf "$tmp"' EXIT INT TERM
nfail=0
fail() { echo "$name: FAIL: $*"; nfail=$((nfail + 1)); }
status() { "$cli" -c /dev/null status --socket "$tmp/sock" --json --all; }
stat() { status | jq ".\"stat.export.$1\""; }
# Wait up to $2 seconds for the jq condition $1 on the status.
wait_for() {
	for i in $(seq 1 "$2"); do
		status | jq -e "$1" >/dev/null 2>&1 && return 0
		sleep 1
	done
	return 1
}

# The default configuration exports every night at 02:30.
"$daemon" -c /dev/null --help >/dev/null
grep -q '^#export_at = 02:30' packaging/spanwatch.conf || fail "the shipped configuration does not show the nightly default"

# Something to export: a generated plant, read into the database first.
chmod 0711 "$tmp"
mkdir "$tmp/var" "$tmp/exp"
"$gen" -o "$tmp/plant.pcap" -n 3000 -s 3 --hosts 20 2>/dev/null || { echo "$name: FAIL: swgen"; exit 1; }
"$daemon" -c /dev/null -r "$tmp/plant.pcap" --db "$tmp/var/db" >/dev/null 2>&1 ||
    { echo "$name: FAIL: spanwatchd -r"; exit 1; }
chown -R nobody "$tmp/var" "$tmp/exp"
chmod 0500 "$tmp/exp"		# there, but not writable: every export into it fails

# Start just after a minute begins, so the 20 s timer sees export_at's minute.
while [ "$(date +%S | sed 's/^0//')" -gt 5 ]; do sleep 1; done
hhmm=$(date +%H:%M)
printf '[store]\nflush_interval_ms = 200\n[export]\nexport_at = %s\nexport_dir = %s/exp\nexport_formats = ecs,csv\nexport_retry_s = 10\n' \
    "$hhmm" "$tmp" >"$tmp/conf"
"$daemon" -i lo -d -u nobody -c "$tmp/conf" --db "$tmp/var/db" --control "$tmp/sock" \
    -f 'udp port 9' 2>"$tmp/err" &
pid=$!
for i in 1 2 3 4 5 6 7 8 9 10; do [ -S "$tmp/sock" ] && break; sleep 0.3; done
[ -S "$tmp/sock" ] && kill -0 "$pid" 2>/dev/null || { cat "$tmp/err"; echo "$name: FAIL: no control socket"; exit 1; }

# The failure: counted, a retry scheduled, the log says when.
wait_for '."stat.export.runs_failed" >= 1' 40 || fail "the export into a read-only directory was not counted as failed"
retry=$(stat retry_in_s)
[ "${retry:-0}" -gt 0 ] && [ "${retry:-0}" -le 10 ] || fail "no retry scheduled within export_retry_s (10 s): $retry"
[ "$(stat failing)" = 1 ] || fail "stat.export.failing is not 1"
grep -q 'next try in 10 s' "$tmp/err" || fail "the log does not say when it tries again"
[ "$(stat runs_ok)" = 0 ] || fail "a failed run counted as ok"
ls "$tmp/exp" | grep -q . && fail "files in the read-only directory: $(ls "$tmp/exp")"

# The directory is writable again: the next retry (within 10 s plus a timer tick) succeeds.
chmod 0700 "$tmp/exp"
wait_for '."stat.export.runs_ok" >= 1' 60 || fail "the retry after the directory came back did not succeed"
[ "$(stat runs_ok)" = 1 ] || fail "runs_ok is $(stat runs_ok), not 1"
[ "$(stat runs_failed)" = 1 ] || fail "runs_failed is $(stat runs_failed), not 1 (one failure, then the success)"
[ "$(stat failing)" = 0 ] || fail "still failing after the success"
[ "$(stat retry_in_s)" = 0 ] || fail "a retry is still scheduled after the success: $(stat retry_in_s)"
grep -q 'written again after 1 failed run' "$tmp/err" || fail "the log does not say the export recovered"
kill -TERM "$pid"; wait "$pid"; pid=

# The files of the successful run: ECS and one CSV per record type, each committed.
ls "$tmp/exp"/spanwatch-*-ecs-*.ndjson >/dev/null 2>&1 || fail "no ECS file after the retry: $(ls "$tmp/exp")"
for t in assets services conversations events; do
	ls "$tmp/exp"/spanwatch-*-csv-*-"$t".csv >/dev/null 2>&1 || fail "no CSV $t file after the retry: $(ls "$tmp/exp")"
done
(cd "$tmp/exp" && sha256sum -c --quiet ./*.sha256) || fail "sha256sum -c after the retry"
nassets=$("$cli" -c /dev/null --db "$tmp/var/db" list --json | jq length)
nlines=$(grep -c '"dataset":"spanwatch.assets"' "$tmp/exp"/spanwatch-*-ecs-*.ndjson)
[ "$nassets" -gt 0 ] && [ "$nlines" = "$nassets" ] || fail "ECS holds $nlines assets, the database $nassets"

if [ $nfail -ne 0 ]; then
	echo "$name: $nfail failures"
	exit 1
fi
echo "$name: ok (1 failure, then 1 success with $nassets assets)"
