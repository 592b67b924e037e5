#!/bin/sh
# 85-report-10k.sh - the report of a 10,000-asset plant in under 10 s and
# under 200 MiB, measured with /usr/bin/time -v.
#
# The database: swgen --crowd (10,008 hosts, each a Modbus client of one of
# eight PLCs) read by spanwatchd; then one asset in ten is marked high
# (Hikvision, CN) and one in a hundred accepted, so the Cybercheck section
# has a thousand flagged assets to group.  The map in the report collapses
# (over 300 assets: one node per zone and level); `map` is timed as well.
# Usage: tests/e2e/85-report-10k.sh [BUILD_DIR]
set -u
build=${1:-build}
name=85-report-10k
cli=$build/spanwatch
MAX_S=10
MAX_KB=$((200 * 1024))
# The targets are the release build's: AddressSanitizer's shadow memory and
# quarantine about double the heap, and its checks slow every access.
if grep -qa __asan_init "$build/spanwatch" 2>/dev/null; then	# clang links ASan in
	MAX_S=30
	MAX_KB=$((600 * 1024))
fi

skip() { echo "$name: SKIP: $*"; exit 77; }
fail() { echo "$name: FAIL: $*"; exit 1; }
[ -x "$cli" ] && [ -x "$build/spanwatchd" ] && [ -x "$build/swgen" ] || skip "build first"
[ -x /usr/bin/time ] || skip "/usr/bin/time needed (Debian package time)"
command -v sqlite3 >/dev/null || skip "sqlite3 needed"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
db=$tmp/crowd.db
"$build/swgen" --crowd -o "$tmp/crowd.pcap" -n 120000 --hosts 10000 -s 3 >/dev/null 2>&1 || fail "swgen --crowd"
"$build/spanwatchd" -c /dev/null -r "$tmp/crowd.pcap" --db "$db" >/dev/null 2>&1 || fail "spanwatchd -r"
sqlite3 "$db" "
UPDATE risk SET level = 'high', vendor = 'Hikvision', country = 'CN',
  reason = '[{\"text\":\"Hikvision is headquartered in CN\",\"source\":\"oui\",\"value\":\"Hikvision\",\"rule\":\"oui/vendors.csv:25 (Hikvision)\"}]'
  WHERE asset_id % 10 = 0;
UPDATE risk SET accepted = 'risk accepted on 2026-11-01 by OT security: isolated VLAN (risk.conf:30)'
  WHERE asset_id % 100 = 0;" || fail "cannot mark flagged assets"
assets=$(sqlite3 "$db" 'SELECT count(*) FROM assets')
[ "$assets" -ge 10000 ] || fail "only $assets assets in the crowd database"

measure() {	# LABEL COMMAND...: sets secs, kb
	label=$1
	shift
	/usr/bin/time -v "$@" 2>"$tmp/time.txt" >/dev/null || { cat "$tmp/time.txt"; fail "$label exited non-zero"; }
	wall=$(sed -n 's/.*Elapsed (wall clock) time (h:mm:ss or m:ss): //p' "$tmp/time.txt")
	kb=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$tmp/time.txt")
	secs=$(echo "$wall" | awk -F: '{ s = 0; for (i = 1; i <= NF; i++) s = s * 60 + $i; print s }')
	echo "$name: $label: ${secs} s, $((kb / 1024)) MiB max RSS ($assets assets)"
}
measure "report" "$cli" -c /dev/null --db "$db" report -o "$tmp/report.html"
awk -v s="$secs" -v m="$MAX_S" 'BEGIN { exit !(s < m) }' || fail "report took $secs s (limit $MAX_S s)"
[ "$kb" -lt "$MAX_KB" ] || fail "report used $((kb / 1024)) MiB (limit $((MAX_KB / 1024)) MiB)"
rows=$(grep -c '<tr id="asset-' "$tmp/report.html")
[ "$rows" -eq "$assets" ] || fail "the inventory lists $rows of $assets assets"
grep -q 'data-summary="high">1000<' "$tmp/report.html" || fail "the summary does not count 1000 high"
measure "map (collapsed)" "$cli" -c /dev/null --db "$db" map -o "$tmp/map.svg"
grep -q 'controllers' "$tmp/map.svg" || fail "the collapsed map has no group of controllers"
echo "$name: ok"
