#!/bin/sh
# 20-proto-counts.sh - `spanwatchd -r` over every capture in ../shared/pcaps/
# against the tshark-derived per-protocol frame counts in proto-counts.txt
# (regenerate with tests/e2e/proto-counts.gen; its header lists the display
# filter behind every protocol name and why).
#
# Checked for each capture: every protocol the file has a filter for and
# spanwatchd supports: the layers eth..icmpv6 always, an application
# protocol once `spanwatchd --list-dissectors` names it.  Expected and
# reported counts must be equal (a protocol absent on either side is 0),
# except where proto-counts.except gives spanwatchd's count and why.
# Usage: tests/e2e/20-proto-counts.sh [BUILD_DIR]
set -u
build=${1:-build}
daemon=$build/spanwatchd
pcaps=${SW_PCAPS:-../shared/pcaps}
counts=tests/e2e/proto-counts.txt
except=tests/e2e/proto-counts.except
name=20-proto-counts
layers="eth vlan arp ipv4 ipv6 tcp udp icmp icmpv6"

[ -x "$daemon" ] || { echo "$name: SKIP: build $daemon first"; exit 77; }
[ -f "$counts" ] || { echo "$name: FAIL: $counts missing"; exit 1; }
ls "$pcaps"/*/*.pcap* >/dev/null 2>&1 || { echo "$name: SKIP: no captures in $pcaps"; exit 77; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM

dissectors=$("$daemon" --list-dissectors) || { echo "$name: FAIL: --list-dissectors failed"; exit 1; }
filtered=$(sed -n 's/^# filter \([a-z0-9_]*\)	.*/\1/p' "$counts")
checked=""
for p in $filtered; do
	for s in $layers $dissectors; do
		[ "$p" = "$s" ] && checked="$checked $p"
	done
done
[ -n "$checked" ] || { echo "$name: FAIL: no protocol of $counts is supported"; exit 1; }

ncap=0; bad=0
for cap in "$pcaps"/*/*.pcap "$pcaps"/*/*.pcapng; do
	[ -f "$cap" ] || continue
	rel=${cap#"$pcaps"/}
	ncap=$((ncap + 1))
	"$daemon" -r "$cap" --stats >"$tmp/out" 2>"$tmp/err"
	rc=$?
	if [ $rc -ne 0 ]; then
		echo "$name: $rel: spanwatchd exit $rc: $(head -n 3 "$tmp/err")"
		bad=$((bad + 1))
		continue
	fi
	grep -q "^$rel " "$counts" || { echo "$name: $rel: no counts in $counts (run proto-counts.gen)"; bad=$((bad + 1)); continue; }
	for p in $checked; do
		want=$(awk -v c="$rel" -v p="$p" '$1 == c && $2 == p { print $3 }' "$counts")
		got=$(awk -v p="proto.$p" '$1 == p { print $2 }' "$tmp/out")
		exc=$(awk -v c="$rel" -v p="$p" '$1 == c && $2 == p { sub(":", "", $3); print $3 }' "$except" 2>/dev/null)
		if [ -n "$exc" ]; then
			if [ "$exc" != "${got:-0}" ]; then
				echo "$name: $rel: $p: spanwatchd ${got:-0}, but $except says $exc (tshark ${want:-0}): update or remove the exception"
				bad=$((bad + 1))
			fi
		elif [ "${want:-0}" != "${got:-0}" ]; then
			echo "$name: $rel: $p: tshark ${want:-0}, spanwatchd ${got:-0}"
			bad=$((bad + 1))
		fi
	done
done
[ $ncap -gt 0 ] || { echo "$name: SKIP: no captures in $pcaps"; exit 77; }
echo "$name: $ncap captures, protocols checked:$checked; $bad mismatches"
[ $bad -eq 0 ]
