#!/bin/sh
# inventory-diff.sh - the inventory of two builds, compared capture by capture.
#
# For every capture under the captures folder (recursively), each build's
# `spanwatchd -r CAPTURE` writes a fresh database; then `spanwatch list --json`
# and `spanwatch show ID --json` of every listed asset must be byte-identical
# between the two builds.  Only what must differ between two runs is
# normalised: the database path and the generation time, if an output carries
# them.  A refactoring that claims to keep behaviour runs this against the
# build of the commit it started from.
#
# Usage: tools/inventory-diff.sh OLD_BUILD_DIR NEW_BUILD_DIR [CAPTURES_DIR]
#   e.g. tools/inventory-diff.sh /work/wt-base/build build ../shared/pcaps
# Exit 0 when every capture's inventory is the same, 1 otherwise (the first
# lines of each difference are printed), 2 on a usage or run error.
set -u
old=${1:-}; new=${2:-}
pcaps=${3:-${SW_PCAPS:-../shared/pcaps}}
name=inventory-diff
[ -n "$old" ] && [ -n "$new" ] || { echo "usage: $0 OLD_BUILD NEW_BUILD [CAPTURES]" >&2; exit 2; }
for b in "$old" "$new"; do
	[ -x "$b/spanwatchd" ] && [ -x "$b/spanwatch" ] ||
		{ echo "$name: $b: no spanwatchd/spanwatch there" >&2; exit 2; }
done
[ -d "$pcaps" ] || { echo "$name: $pcaps: no such folder" >&2; exit 2; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM

# The database path and a generation time are the only run-dependent parts.
normalise() {
	sed -e "s|$1|DB|g" \
	    -e 's/"generated\(_at\)\{0,1\}": *"[^"]*"/"generated": "T"/g'
}

# inventory BUILD CAPTURE OUTDIR: every asset's list and show, in one file.
inventory() {
	b=$1; cap=$2; out=$3
	db=$out.db
	rm -f "$db" "$db-wal" "$db-shm"
	"$b/spanwatchd" -r "$cap" --db "$db" >"$out.daemon" 2>&1 ||
		{ echo "spanwatchd exit $?: $(tail -n 2 "$out.daemon")"; return 1; }
	{
		echo "== list --json"
		"$b/spanwatch" --db "$db" list --json 2>&1
		echo "== rc $?"
		for id in $("$b/spanwatch" --db "$db" list --json 2>/dev/null |
		    jq -r '.[].id' 2>/dev/null); do
			echo "== show $id --json"
			"$b/spanwatch" --db "$db" show "$id" --json 2>&1
			echo "== rc $?"
		done
	} | normalise "$db" >"$out.inv"
}

n=0; bad=0; assets=0
for cap in $(find "$pcaps" -type f \( -name '*.pcap' -o -name '*.pcapng' \) | LC_ALL=C sort); do
	n=$((n + 1))
	rel=${cap#"$pcaps"/}
	inventory "$old" "$cap" "$tmp/old" || { echo "$name: $rel: old: failed"; bad=$((bad + 1)); continue; }
	inventory "$new" "$cap" "$tmp/new" || { echo "$name: $rel: new: failed"; bad=$((bad + 1)); continue; }
	k=$(grep -c '^== show ' "$tmp/new.inv")
	assets=$((assets + k))
	if ! cmp -s "$tmp/old.inv" "$tmp/new.inv"; then
		echo "$name: $rel: inventory differs:"
		diff -u "$tmp/old.inv" "$tmp/new.inv" | sed -n '3,23p'
		bad=$((bad + 1))
	fi
done
[ $n -gt 0 ] || { echo "$name: no captures under $pcaps" >&2; exit 2; }
if [ $bad -ne 0 ]; then
	echo "$name: $bad of $n captures differ"
	exit 1
fi
echo "$name: $n captures, $assets assets: list --json and show --json identical"
