#!/bin/sh
# 26-deterministic.sh - the same file read twice gives the same database.
# `spanwatchd -r` flushes the store every FILE_FLUSH_PACKETS packets (or
# when the queue fills), not on the wall clock, and the repeat filter hashes
# by what it sees, not by where ASLR put a string: a busy machine and an
# idle one write the same batches.  A generated plant of 300,000 packets
# (several batches) is read twice; every table must be the same, row for
# row, but for risk.evaluated (the wall-clock time of the verdict).
# Usage: tests/e2e/26-deterministic.sh [BUILD_DIR]
set -u
build=${1:-build}
daemon=$build/spanwatchd
gen=$build/swgen
name=26-deterministic

fail() { echo "$name: FAIL: $*"; exit 1; }
[ -x "$daemon" ] && [ -x "$gen" ] || { echo "$name: SKIP: build $daemon and $gen first"; exit 77; }
command -v sqlite3 >/dev/null || { echo "$name: SKIP: sqlite3 needed (make deps)"; exit 77; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
"$gen" -o "$tmp/plant.pcap" -n 300000 -s 3 --hosts 200 2>/dev/null || fail "swgen failed"

# Batches end every 1,000 queued observations: the flows' reports of a
# flush go to the store writer as one batch, so with the default (8,192)
# this capture is a single batch.
printf '[store]\nflush_max_obs = 1000\n' >"$tmp/conf"
for i in 1 2; do
	"$daemon" -c "$tmp/conf" -r "$tmp/plant.pcap" --stats --db "$tmp/$i.db" >"$tmp/$i.out" 2>&1 ||
	    { tail -n 5 "$tmp/$i.out"; fail "spanwatchd -r, run $i: exit $?"; }
	sqlite3 "$tmp/$i.db" "UPDATE risk SET evaluated = 0" || fail "run $i: no risk table"
	sqlite3 "$tmp/$i.db" .dump >"$tmp/$i.sql"
done
batches=$(awk '$1 == "stat.store.batches" { print $2 }' "$tmp/1.out")
[ "${batches:-0}" -ge 4 ] || fail "one read was ${batches:-no} batches: too few to test their boundaries"
[ "$(grep -c '^INSERT INTO assets ' "$tmp/1.sql")" -ge 200 ] || fail "fewer than 200 assets stored"
if ! cmp -s "$tmp/1.sql" "$tmp/2.sql"; then
	diff "$tmp/1.sql" "$tmp/2.sql" | head -n 10
	fail "two reads of one file gave different databases"
fi
echo "$name: two reads of 300000 packets ($batches batches each): the same database"
