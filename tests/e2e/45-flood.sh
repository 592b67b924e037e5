#!/bin/sh
# 45-flood.sh - a flood of spoofed senders (swgen --spoof) against the
# default settings: one flood event, no spoofed asset in the database, and
# the real devices' inventory as without the flood (tools/flood-proof.sh;
# docs/RELIABILITY.md has the 1,000,000-sender run).
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
echo "$name: ok"
