#!/bin/sh
# 25-workers.sh - two packet-path threads find the inventory one finds.
# Every shared capture is read with -w 1 and with -w 2; `list --json` and
# every asset's `show --json` must agree: the same assets, addresses,
# identity facts with their sources, services, peers with their packet and
# byte totals, roles, risk and first-seen times.  What may differ, and is
# left out: database ids, sighting counts and last-seen times (each worker
# has its own repeat filter, so a fact repeated within its refresh window is
# re-reported at another moment), and the order of lists.
# Usage: tests/e2e/25-workers.sh [BUILD_DIR]
set -u
build=${1:-build}
daemon=$build/spanwatchd
cli=$build/spanwatch
pcaps=${SW_PCAPS:-../shared/pcaps}
name=25-workers

fail() { echo "$name: FAIL: $*"; exit 1; }
[ -x "$daemon" ] && [ -x "$cli" ] || { echo "$name: SKIP: build $daemon and $cli first"; exit 77; }
command -v jq >/dev/null || { echo "$name: SKIP: jq needed"; exit 77; }
ls "$pcaps"/*/*.expected.json >/dev/null 2>&1 || { echo "$name: SKIP: no captures in $pcaps"; exit 77; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
norm='walk(if type == "object" then del(.id, .count, .asset_id, .peer_id, .last_seen)
    elif type == "array" then sort_by(tostring) else . end)'

# inventory DB OUT: every asset, normalised
inventory() {
	"$cli" --db "$1" list --json | jq -r '.[].id' | while read -r id; do
		"$cli" --db "$1" show "$id" --json
	done | jq -S -s "[.[] | $norm] | sort_by(tostring)" >"$2"
}

n=0
for exp in "$pcaps"/*/*.expected.json; do
	cap=${exp%.expected.json}
	n=$((n + 1))
	for w in 1 2; do
		"$daemon" -w $w -r "$cap" --stats --db "$tmp/w$w.db" >"$tmp/w$w.out" 2>&1 ||
		    { tail -n 5 "$tmp/w$w.out"; fail "spanwatchd -w $w -r $cap: exit $?"; }
		inventory "$tmp/w$w.db" "$tmp/w$w.json"
	done
	[ -s "$tmp/w1.json" ] || fail "$cap: no inventory with one worker"
	grep -q '^stat.daemon.workers 2$' "$tmp/w2.out" || fail "$cap: -w 2 did not run two workers"
	if ! cmp -s "$tmp/w1.json" "$tmp/w2.json"; then
		diff "$tmp/w1.json" "$tmp/w2.json" | head -n 20
		fail "$cap: two workers found another inventory than one"
	fi
	rm -f "$tmp"/w?.db*
done

# A file is read losslessly with two workers too: 30,000 new hosts in
# 200,000 packets (swgen --crowd), not one observation dropped, and as
# many assets as with one worker.  A reader a ring ahead of a worker
# (8 MiB of small packets) used to overflow the worker's queue here.
gen=$build/swgen
if [ -x "$gen" ]; then
	"$gen" --crowd --hosts 30000 -n 200000 -o "$tmp/crowd.pcap" 2>/dev/null || fail "swgen --crowd failed"
	for w in 1 2; do
		"$daemon" -w $w -r "$tmp/crowd.pcap" --stats --db "$tmp/c$w.db" >"$tmp/c$w.out" 2>&1 ||
		    { tail -n 5 "$tmp/c$w.out"; fail "spanwatchd -w $w -r crowd: exit $?"; }
		dropped=$(awk '$1 == "stat.obs.dropped" { print $2 }' "$tmp/c$w.out")
		[ "${dropped:-0}" = 0 ] || fail "crowd, -w $w: $dropped observations dropped reading a file"
	done
	a1=$("$cli" --db "$tmp/c1.db" stats --json | jq .counts.assets)
	a2=$("$cli" --db "$tmp/c2.db" stats --json | jq .counts.assets)
	[ "$a1" = "$a2" ] && [ "$a1" -gt 30000 ] || fail "crowd: $a1 assets with one worker, $a2 with two"
	extra=", and a crowd of $a1 hosts with none dropped"
fi
echo "$name: $n captures, the same inventory with 1 and 2 workers${extra:-}"
