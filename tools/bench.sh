#!/bin/sh
# make bench: spanwatchd's throughput, memory and correctness on the
# project's own plant capture (tools/swgen.c), side by side with the floor
# (a bare libpcap read loop over the same file as programs usually write it,
# `swgen --loop-stock`), the same loop reading as spanwatchd does (1 MiB
# unlocked stdio buffer, `swgen --loop`: the strict floor), and the nearest
# peer (nDPI's `ndpiReader -q -i FILE`, which classifies flows and extracts
# no device identity).  Usage: tools/bench.sh BUILD_DIR
#
# Environment (defaults in brackets):
#   BENCH_PACKETS [1000000]  packets in the main capture (>= 1,000,000 for the targets)
#   BENCH_RUNS    [3]        runs of each program; the median is reported
#   BENCH_SEED    [1]        generator seed
#   BENCH_HOSTS   [300]      hosts in the plant
#   BENCH_NDPI    [1]        0: run spanwatchd only with --no-ndpi
#   BENCH_CPU     [1]        pin every program to this CPU (taskset); empty: no pinning
#   BENCH_CROWD   [100000]   distinct hosts of the memory-cap capture; 0: skip it
#   BENCH_LINEAR  [1]        0: skip the linearity check
#   BENCH_REAL    [1]        0: skip the real-traffic capture (built from ../shared/pcaps
#                            by ../shared/bench/make-real-mix.sh when that folder exists)
#   BENCH_REAL_PACKETS [1000000]  minimum packets of the real-traffic capture
#   BENCH_PROFILE [1]        0: skip the per-stage profile (callgrind, about a minute)
# Captures are generated once and cached in BUILD_DIR/bench/, keyed by the
# generator's source, the seed and the size.  Exit status 1 if a target is missed.
set -eu
build=${1:-build}
N=${BENCH_PACKETS:-1000000}
RUNS=${BENCH_RUNS:-3}
SEED=${BENCH_SEED:-1}
HOSTS=${BENCH_HOSTS:-300}
NDPI=${BENCH_NDPI:-1}
CPU=${BENCH_CPU-1}
CROWD=${BENCH_CROWD:-100000}
LINEAR=${BENCH_LINEAR:-1}

repo=$(pwd)
dir=$build/bench
mkdir -p "$dir"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/swbench.XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM

# Work on copies of the programs, so a rebuild during the run changes nothing.
for p in swgen spanwatchd spanwatch; do
	[ -x "$build/$p" ] || { echo "bench: $build/$p is not built (run make)"; exit 2; }
	cp "$build/$p" "$tmp/$p"
done
gen=$tmp/swgen
daemon=$tmp/spanwatchd
cli=$tmp/spanwatch
for p in /usr/bin/time jq ndpiReader; do
	command -v "$p" >/dev/null || { echo "bench: $p is missing (make deps)"; exit 2; }
done
pin=""
if [ -n "$CPU" ] && command -v taskset >/dev/null && [ "$CPU" -lt "$(nproc)" ]; then
	pin="taskset -c $CPU"
fi

# --- captures, cached by generator source + seed + size --------------------
genkey=$(cat tools/swgen*.c tools/swgen*.h 2>/dev/null | sha1sum | cut -c1-10)

# capture NAME PACKETS [swgen options]: path of the cached capture (generated if absent)
capture() {
	name=$1; n=$2; shift 2
	f=$dir/$name-$genkey-s$SEED-n$n.pcap
	if [ ! -s "$f" ] || [ ! -s "${f%.pcap}.json" ]; then
		rm -f "$dir/$name"-*-s$SEED-n$n.pcap "$dir/$name"-*-s$SEED-n$n.json
		t0=$(date +%s%N)
		"$gen" -o "$f.tmp" -n "$n" -s "$SEED" --expected "${f%.pcap}.json" "$@" >&2
		mv "$f.tmp" "$f"
		echo "bench: generated $f in $(ms_since "$t0") ms" >&2
	fi
	echo "$f"
}

ms_since() { echo $(( ($(date +%s%N) - $1) / 1000000 )); }

# --- timing -----------------------------------------------------------------
# A run's figures are appended to $tmp/LABEL as "cpu_seconds rss_kb wall_seconds":
# CPU time (user + system) and peak RSS from GNU time, wall time from date(1).
# Every contender is single-threaded, so CPU time is the time on one core; it
# is the figure compared, as it varies less than wall time on a busy machine.
timed() {
	label=$1; shift
	t0=$(date +%s%N)
	if ! /usr/bin/time -f '%M %U %S' -o "$tmp/rss" $pin "$@" >"$tmp/out" 2>"$tmp/err"; then
		echo "bench: $label failed: $*"; tail -n 5 "$tmp/err"; exit 1
	fi
	t1=$(date +%s%N)
	echo "$(( t1 - t0 )) $(tail -n 1 "$tmp/rss")" |
	    awk '{ printf "%.2f %d %.6f\n", $3 + $4, $2, $1 / 1e9 }' >>"$tmp/$label"
}

median() {	# median of column $2 of file $1
	awk -v c="$2" '{ print $c }' "$1" | sort -g |
	    awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

limit() { sed -n "s/^#define $1[[:space:]]*\([^/]*[^/[:space:]]\).*/\1/p" core/sw_limits.h; }

fresh_db() { rm -f "$1" "$1-wal" "$1-shm"; }

# The daemon's configuration: the repository's risk policy and vendor table,
# no operator OUI override, nDPI on or off.
config() {
	cat >"$tmp/spanwatch-$1.conf" <<EOF
[ndpi]
enabled = $1
[oui]
override = $tmp/no-override.csv
[risk]
policy = $repo/packaging/risk.conf
vendors = $repo/oui/vendors.csv
EOF
	echo "$tmp/spanwatch-$1.conf"
}
conf_on=$(config yes)
conf_off=$(config no)

# LABEL CONF CAPTURE: one run into a fresh database.  Besides the wall time,
# keep the daemon's own figure for the packet loop ("read FILE: N packets in
# T s"), which leaves out start-up (OUI registry, vendor tables, schema).
run_daemon() {
	fresh_db "$tmp/$1.db"
	timed "$1" "$daemon" -c "$2" -r "$3" --stats --db "$tmp/$1.db"
	cp "$tmp/out" "$tmp/$1.summary"
	awk '/^read / { for (i = 1; i < NF; i++) if ($i == "in") print $(i + 1) }' "$tmp/out" >>"$tmp/$1.loop"
}

# --- correctness: the expected inventory against `spanwatch list/show --json` ---
# Every asset's evidence, one object per asset.
evidence() {
	"$cli" --db "$1" list --json | jq -r '.[].id' | while read -r id; do
		"$cli" --db "$1" show "$id" --json
	done | jq -s '[.[] | {mac, ips, gateway,
	    ev: ([.evidence[] | {a: .attribute, v: (.value | ascii_downcase)}]
	         + [{a: "vendor", v: ((.vendor // "") | ascii_downcase)},
	            {a: "model", v: ((.model // "") | ascii_downcase)},
	            {a: "firmware", v: ((.firmware // "") | ascii_downcase)},
	            {a: "hostname", v: ((.hostname // "") | ascii_downcase)}])}]'
}

# score EXPECTED.json ASSETS.json: found/expected hosts and facts, by attribute
score() { jq -n --slurpfile e "$1" --slurpfile a "$2" -f "$repo/tools/bench-score.jq"; }

# --- the runs ---------------------------------------------------------------
cap=$(capture plant "$N" --hosts "$HOSTS")
exp=${cap%.pcap}.json
pkts=$("$gen" --loop "$cap" | awk '{ print $3 }')
echo "== spanwatch benchmark: $(basename "$cap") ($pkts packets, $(du -m "$cap" | cut -f1) MB, $HOSTS hosts, seed $SEED)"
echo "   load average $(cut -d' ' -f1-3 /proc/loadavg) at the start; $(uname -m), $(nproc) CPUs ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')), ${pin:-not pinned}, $RUNS runs each, median shown"
echo "   spanwatch $(cat VERSION 2>/dev/null || echo dev) ($(git rev-parse --short HEAD 2>/dev/null || echo '?')$(git diff --quiet 2>/dev/null || echo '+dirty')), $(ndpiReader -h 2>&1 | head -n 1 | sed 's/Welcome to //')"

cat "$cap" >/dev/null	# warm the page cache for every contender alike
i=0
while [ $i -lt "$RUNS" ]; do
	timed floor "$gen" --loop-stock "$cap"
	timed strict "$gen" --loop "$cap"
	timed ndpireader ndpiReader -q -i "$cap"
	[ "$NDPI" = 0 ] || run_daemon full "$conf_on" "$cap"
	run_daemon nondpi "$conf_off" "$cap"
	i=$((i + 1))
done

floor_s=$(median "$tmp/floor" 1)
strict_s=$(median "$tmp/strict" 1)
ndpi_s=$(median "$tmp/ndpireader" 1)

line() {	# LABEL NAME
	[ -s "$tmp/$1" ] || return 0
	s=$(median "$tmp/$1" 1); rss=$(median "$tmp/$1" 2); wall=$(median "$tmp/$1" 3)
	db="-"
	[ -f "$tmp/$1.db" ] && db="$(( $(stat -c %s "$tmp/$1.db") / 1024 )) KiB"
	loop="-"
	[ -s "$tmp/$1.loop" ] && loop=$(median "$tmp/$1.loop" 1)
	awk -v n="$2" -v p="$pkts" -v s="$s" -v f="$floor_s" -v d="$ndpi_s" -v r="$rss" -v db="$db" -v l="$loop" -v w="$wall" 'BEGIN {
		printf "%-34s %6.2f %7.2f %11.0f %8.0f %7.2fx %7.2fx %8.1f  %-9s", n, s, w, p / s, s * 1e9 / p,
		    s / f, d / s, r / 1024, db
		if (l != "-") printf "  (packet loop %.2f s wall)", l
		printf "\n" }'
}
echo
printf '%-34s %6s %7s %11s %8s %8s %8s %8s  %s\n' "program" "CPU s" "wall s" "packets/s" "ns/pkt" "÷floor" "vs nDPI" "RSS MiB" "database"
line floor "libpcap read loop (floor)"
line strict "  the same, reading as spanwatchd"
line ndpireader "ndpiReader -q -i"
line full "spanwatchd -r (all, nDPI on)"
line nondpi "spanwatchd -r --no-ndpi"
echo "(packets/s and ns/pkt per CPU second, one core; ÷floor: CPU time relative to the bare loop"
echo " (swgen --loop-stock: pcap_open_offline, stdio's 4 KiB buffer; the strict line reads with"
echo " spanwatchd's 1 MiB unlocked buffer, swgen --loop);"
echo " vs nDPI: how many times faster than ndpiReader; medians of $RUNS runs)"

# Per-stage breakdown from the three programs' medians (cheap, not a profile).
nondpi_s=$(median "$tmp/nondpi" 1)
if [ -s "$tmp/full" ]; then full_s=$(median "$tmp/full" 1); else full_s=$nondpi_s; fi
awk -v p="$pkts" -v f="$strict_s" -v o="$nondpi_s" -v a="$full_s" 'BEGIN {
	printf "\nper packet: read %.0f ns, decode+flows+dissectors+store %.0f ns, nDPI %.0f ns\n",
	    f * 1e9 / p, (o - f) * 1e9 / p, (a - o) * 1e9 / p }'

# --- correctness -----------------------------------------------------------
best=full; [ -s "$tmp/full" ] || best=nondpi
evidence "$tmp/$best.db" >"$tmp/assets.json"
score "$exp" "$tmp/assets.json" >"$tmp/score.json"
echo
jq -r --arg n "$(jq length "$tmp/assets.json")" '"correctness: \(.found) of \(.hosts) expected hosts found as assets (\($n) assets in the database), " +
    "\(.facts_found) of \(.facts) identity facts, router as gateway: \(.router)\n  facts by attribute: " +
    (.by_attr | to_entries | map("\(.key) \(.value)") | join(", ")) +
    (if (.missed | length) > 0 then "\n  not found, e.g.: " + (.missed | join("; ")) else "" end)' "$tmp/score.json"
grep -E '^(stat\.)?(decode\.|pipeline\.)?(malformed|truncated|flows_evicted|obs_dropped)|dropped|evicted' "$tmp/$best.summary" |
    sed 's/^/  /' | head -n 8 || true

# --- linearity: 10x the packets must take at most 11x the time --------------
fail=0
if [ "$LINEAR" != 0 ]; then
	# CPU time less start-up (OUI registry, vendor tables, schema), which
	# would flatter the small run: start-up is the time for 1,000 packets.
	small=$((N / 10))
	scap=$(capture plant "$small" --hosts "$HOSTS")
	tcap=$(capture plant 1000 --hosts "$HOSTS")
	i=0
	while [ $i -lt "$RUNS" ]; do
		run_daemon small "$conf_off" "$scap"
		run_daemon startup "$conf_off" "$tcap"
		i=$((i + 1))
	done
	spkts=$("$gen" --loop "$scap" | awk '{ print $3 }')
	echo
	awk -v a="$(median "$tmp/small" 1)" -v b="$nondpi_s" -v z="$(median "$tmp/startup" 1)" \
	    -v pa="$spkts" -v pb="$pkts" 'BEGIN {
		r = (a - z > 0) ? (b - z) / (a - z) : 0; x = pb / pa
		printf "linearity (spanwatchd --no-ndpi, CPU s less %.2f s start-up): %d packets %.2f s, %d packets %.2f s:\n", z, pa, a - z, pb, b - z
		printf "  %.1fx the packets in %.2fx the time (limit %.1fx) %s (CPU times have a 10 ms resolution)\n",
		    x, r, x * 1.1, (r <= x * 1.1) ? "ok" : "MISSED"
		exit (r <= x * 1.1) ? 0 : 1 }' || fail=1
fi

# --- memory with many distinct hosts: bounded by the caps --------------------
if [ "$CROWD" != 0 ]; then
	ccap=$(capture crowd "$N" --crowd --hosts "$CROWD")
	run_daemon crowd "$conf_on" "$ccap"
	awk -v h="$CROWD" -v s="$(median "$tmp/crowd" 1)" -v r="$(median "$tmp/crowd" 2)" -v p="$N" 'BEGIN {
		printf "\n%d distinct hosts (swgen --crowd, %d packets, spanwatchd with nDPI): %.2f CPU s, peak RSS %.1f MiB\n", h, p, s, r / 1024 }'
	echo "  assets in the database: $("$cli" --db "$tmp/crowd.db" stats --json | jq .counts.assets)"
	grep -E '^(stat\.)?[a-z_.]*(evicted|dropped)' "$tmp/crowd.summary" | sed 's/^/  /' | head -n 8 || true
	echo "  caps (core/sw_limits.h): flows $(limit FLOW_MAX_DEFAULT), assets cached $(limit ASSET_MAX_DEFAULT)," \
	    "reassembly $(limit REASM_MAX_TOTAL) bytes, observation queue $(limit OBSQ_MAX)"
fi

# --- targets on the generated capture ----------------------------------------
echo
[ -s "$tmp/full" ] && tgt=full || tgt=nondpi
awk -v p="$pkts" -v s="$(median "$tmp/$tgt" 1)" -v f="$floor_s" -v d="$ndpi_s" -v r="$(median "$tmp/$tgt" 2)" -v t="$tgt" -v x="$strict_s" 'BEGIN {
	ok = 1
	printf "targets (%s): ", t
	c = (s < d); ok = ok && c; printf "faster than ndpiReader %s; ", c ? "ok" : "MISSED"
	c = (p / s >= 1.7e6); ok = ok && c; printf ">= 1.7 M packets/s %s; ", c ? "ok" : "MISSED"
	c = (s <= 6 * f); ok = ok && c; printf "within 6x of the floor %s (%.1fx; %.1fx the strict floor); ", c ? "ok" : "MISSED", s / f, s / x
	c = (r < 100 * 1024); ok = ok && c; printf "peak RSS < 100 MiB %s\n", c ? "ok" : "MISSED"
	exit ok ? 0 : 1 }' || fail=1

. "$repo/tools/bench-real.sh"

echo "command: make bench   (BENCH_PACKETS=$N BENCH_RUNS=$RUNS BENCH_SEED=$SEED BENCH_HOSTS=$HOSTS BENCH_NDPI=$NDPI BENCH_REAL=${BENCH_REAL:-1} BENCH_REAL_PACKETS=${BENCH_REAL_PACKETS:-1000000})"
exit $fail
