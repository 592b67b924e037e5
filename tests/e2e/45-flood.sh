#!/bin/sh
# 45-flood.sh - a flood of spoofed senders (swgen --spoof) against the
# default settings: one flood event, no spoofed asset in the database, and
# the real devices' inventory as without the flood (tools/flood-proof.sh;
# docs/RELIABILITY.md has the 1,000,000-sender run).  Then a first start on
# a plant of 5,000 devices all seen in its first second (swgen --crowd) is
# no flood, and a flood of 20,000 spoofed senders at the next start on the
# same database is one, with none of them kept.
# Usage: tests/e2e/45-flood.sh [BUILD_DIR]
set -u
build=${1:-build}
name=45-flood
[ -x "$build/swgen" ] || { echo "$name: SKIP: build $build/swgen first"; exit 77; }
out=$(sh tools/flood-proof.sh "$build" 60000 40000 60 2>&1)
rc=$?
[ $rc -eq 77 ] && { echo "$name: SKIP: $out"; exit 77; }
if [ $rc -ne 0 ]; then
	printf '%s\n' "$out" | sed "s/^/$name: /"
	echo "$name: FAIL"
	exit 1
fi
printf '%s\n' "$out" | grep -q '^flood: .* 61 assets, events: .*flood 1' ||
    { printf '%s\n' "$out" | sed "s/^/$name: /"; echo "$name: FAIL: not 61 assets and one flood event"; exit 1; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
: >"$tmp/empty.conf"
"$build/swgen" --crowd -o "$tmp/crowd.pcap" -n 60000 --hosts 5000 >/dev/null 2>&1 || { echo "$name: FAIL: swgen --crowd"; exit 1; }
"$build/swgen" -o "$tmp/base.pcap" -n 20000 --hosts 20 >/dev/null 2>&1 &&
    "$build/swgen" --spoof 20000 -r "$tmp/base.pcap" -o "$tmp/spoof.pcap" >/dev/null 2>&1 ||
    { echo "$name: FAIL: swgen --spoof"; exit 1; }
db=$tmp/plant.db
q() { sqlite3 "$db" "$1"; }
"$build/spanwatchd" -c "$tmp/empty.conf" -r "$tmp/crowd.pcap" --db "$db" >/dev/null 2>"$tmp/err" ||
    { cat "$tmp/err"; echo "$name: FAIL: spanwatchd -r crowd.pcap"; exit 1; }
plant=$(q "SELECT count(*) FROM assets")
[ "$plant" -ge 5000 ] || { echo "$name: FAIL: first start: $plant assets, expected the 5,000 devices and their PLCs"; exit 1; }
[ "$(q "SELECT count(*) FROM events WHERE kind = 'flood'")" = 0 ] ||
    { echo "$name: FAIL: a first start on 5,000 devices raised a flood event: $(q "SELECT detail FROM events WHERE kind = 'flood'")"; exit 1; }
"$build/spanwatchd" -c "$tmp/empty.conf" -r "$tmp/spoof.pcap" --db "$db" >/dev/null 2>"$tmp/err" ||
    { cat "$tmp/err"; echo "$name: FAIL: spanwatchd -r spoof.pcap"; exit 1; }
floods=$(q "SELECT count(*) FROM events WHERE kind = 'flood'")
after=$(q "SELECT count(*) FROM assets")
[ "$floods" = 1 ] || { echo "$name: FAIL: 20,000 spoofed senders after the first start: $floods flood events"; exit 1; }
# the plant, and the spoofed capture's 20 real hosts and their gateway: none of the spoofed
[ "$after" -le $((plant + 25)) ] || { echo "$name: FAIL: $after assets after the flood, $plant before: spoofed senders kept"; exit 1; }
echo "$name: ok (flood-proof; a first start on $plant devices: no flood; 20,000 spoofed senders later: 1 flood, $((after - plant)) assets added)"
