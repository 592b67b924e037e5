# bench-real.sh - the real-traffic half of `make bench`, sourced by
# tools/bench.sh (it uses its timed, median, run_daemon, line and capture
# helpers and its $tmp, $dir, $pin, $RUNS).
#
# The capture is ../shared/bench/make-real-mix.sh's: every real public
# capture in ../shared/pcaps converted to pcap, appended, and repeated with
# the addresses rewritten per copy, so hosts and flows multiply like a
# larger plant.  It is built once and cached in BUILD/bench/, keyed by the
# list of captures and the script.  Without ../shared the section is skipped.

REAL=${BENCH_REAL:-1}
REAL_N=${BENCH_REAL_PACKETS:-1000000}
PROFILE=${BENCH_PROFILE:-1}
mix=$repo/../shared/bench/make-real-mix.sh

# real_capture MIN_PACKETS: path of the cached real-traffic capture
real_capture() {
	key=$( (cat "$mix"; find "$repo/../shared/pcaps" -name '*.pcap*' ! -name '*.json' -printf '%P %s\n' | sort) |
	    sha1sum | cut -c1-10)
	f=$dir/real-$key-n$1.pcap
	if [ ! -s "$f" ]; then
		rm -f "$dir"/real-*-n"$1".pcap
		t0=$(date +%s%N)
		bash "$mix" "$f.tmp" "$1" >&2 || { rm -f "$f.tmp"; return 1; }
		mv "$f.tmp" "$f"
		echo "bench: built $f in $(ms_since "$t0") ms" >&2
	fi
	echo "$f"
}

# real_lines: the table for the real capture (line() reads $pkts, $floor_s, $ndpi_s)
real_table() {
	echo
	printf '%-34s %6s %7s %11s %8s %8s %8s %8s  %s\n' "program" "CPU s" "wall s" "packets/s" "ns/pkt" "÷floor" "vs nDPI" "RSS MiB" "database"
	line rfloor "libpcap read loop (floor)"
	line rndpireader "ndpiReader -q -i"
	line rfull "spanwatchd -r (all, nDPI on)"
	line rnondpi "spanwatchd -r --no-ndpi"
}

# real_profile CAPTURE: the share of each stage in spanwatchd's instructions
# (callgrind counts instructions: the same on a busy or an idle machine)
real_profile() {
	command -v valgrind >/dev/null || { echo "  (no valgrind: profile skipped)"; return 0; }
	fresh_db "$tmp/prof.db"
	if ! valgrind --tool=callgrind --callgrind-out-file="$tmp/cg.out" \
	    "$daemon" -c "$conf_on" -r "$1" --db "$tmp/prof.db" >"$tmp/cg.log" 2>&1; then
		echo "  (the profile run failed under valgrind; its last lines:)"
		grep -v '^==' "$tmp/cg.log" | tail -n 3 | sed 's/^/    /'
		return 0
	fi
	callgrind_annotate --threshold=100 --inclusive=yes "$tmp/cg.out" 2>/dev/null >"$tmp/cg.incl"
	callgrind_annotate "$tmp/cg.out" 2>/dev/null >"$tmp/cg.self"
	total=$(awk '/PROGRAM TOTALS/ { gsub(",", "", $1); print $1; exit }' "$tmp/cg.incl")
	echo
	echo "per-stage profile (callgrind, instructions inclusive, $(( total / pkts )) per packet in all):"
	awk -v t="$total" -v p="$pkts" '
	function stage(name, pat) { if (match($0, pat) && !(name in seen)) { seen[name] = 1; v = $1; gsub(",", "", v);
		printf "  %-28s %5.1f%%  %6d instr/packet\n", name, 100 * v / t, v / p } }
	{ stage("read (pcapfile.c or libpcap)", "(:pcapfile_next|pcap_next_ex) \\[")
	  stage("decode", ":decode_packet \\[")
	  stage("flows", ":flow_lookup \\[")
	  stage("TCP reassembly", ":reasm_segment \\[")
	  stage("nDPI", ":classify_packet \\[")
	  stage("store (SQLite, asset model)", ":store_ingest \\[")
	  stage("risk assessment", ":assess_touched \\[")
	  if (match($0, /dissectors\/[a-z0-9_]+\.c:[a-z0-9_]+_parse \[/)) {
		n = substr($0, RSTART + 11); sub(/\.c:.*/, "", n); stage("dissector " n, "dissectors/" n "\\.c:[a-z0-9_]+_parse \\[") } }' "$tmp/cg.incl"
	echo "top 15 symbols (self):"
	awk '/file:function/ { on = 1; getline; next } on && NF && n < 15 { n++; sub(/ \[.*/, ""); printf "  %s\n", $0 }' "$tmp/cg.self"
}

real_section() {
	[ "$REAL" != 0 ] || return 0
	if [ ! -f "$mix" ]; then
		echo; echo "real traffic: skipped ($mix not found)"; return 0
	fi
	for t in editcap mergecap capinfos tcprewrite; do
		command -v $t >/dev/null || { echo; echo "real traffic: skipped ($t missing: apt-get install tcpreplay wireshark-common)"; return 0; }
	done
	rcap=$(real_capture "$REAL_N") || { echo "real traffic: building the capture failed"; return 1; }
	gen_pkts=$pkts
	pkts=$("$gen" --loop "$rcap" | awk '{ print $3 }')
	echo
	echo "== real traffic: $(basename "$rcap") ($pkts packets, $(du -m "$rcap" | cut -f1) MB: every capture in ../shared/pcaps, addresses rewritten per copy)"
	cat "$rcap" >/dev/null
	i=0
	while [ $i -lt "$RUNS" ]; do
		timed rfloor "$gen" --loop-stock "$rcap"
		timed rndpireader ndpiReader -q -i "$rcap"
		run_daemon rfull "$conf_on" "$rcap"
		run_daemon rnondpi "$conf_off" "$rcap"
		i=$((i + 1))
	done
	g_floor=$floor_s; g_ndpi=$ndpi_s
	floor_s=$(median "$tmp/rfloor" 1)
	ndpi_s=$(median "$tmp/rndpireader" 1)
	real_table
	echo "  assets: $("$cli" --db "$tmp/rfull.db" stats --json | jq .counts.assets), observations stored: $(awk '$1 == "stat.store.applied" { print $2 }' "$tmp/rfull.summary")"

	real_startup
	real_cores
	real_linear "$rcap"
	[ "$PROFILE" = 0 ] || real_profile "$rcap"

	echo
	awk -v p="$pkts" -v s="$(median "$tmp/rfull" 1)" -v f="$floor_s" -v d="$ndpi_s" -v r="$(median "$tmp/rfull" 2)" \
	    -v w="$(median "$tmp/rstartup" 3)" 'BEGIN {
		ok = 1
		printf "targets (real traffic, all + nDPI): "
		c = (s * 1.5 <= d); ok = ok && c; printf ">= 1.5x faster than ndpiReader %s (%.2fx); ", c ? "ok" : "MISSED", d / s
		c = (s <= 4 * f); ok = ok && c; printf "<= 4x the floor %s (%.1fx; stretch 3x %s); ", c ? "ok" : "MISSED", s / f, (s <= 3 * f) ? "ok" : "missed"
		c = (r < 100 * 1024); ok = ok && c; printf "peak RSS < 100 MiB %s (%.0f MiB); ", c ? "ok" : "MISSED", r / 1024
		c = (w < 0.050); ok = ok && c; printf "1-packet run < 50 ms %s (%.0f ms)\n", c ? "ok" : "MISSED", w * 1000
		exit ok ? 0 : 1 }' || fail=1
	pkts=$gen_pkts; floor_s=$g_floor; ndpi_s=$g_ndpi
}

# A one-packet file, whole run (start-up, one packet, the store, exit);
# the daemon's own "start-up" figure is the time to the first packet.
real_startup() {
	one=$tmp/one.pcap
	editcap -r "$rcap" "$one" 1 2>/dev/null
	i=0
	while [ $i -lt $((RUNS * 3)) ]; do
		run_daemon rstartup "$conf_on" "$one"
		awk '$1 == "stat.daemon.startup_us" { print $2 / 1e6 }' "$tmp/rstartup.summary" >>"$tmp/rstartup.first"
		i=$((i + 1))
	done
	first="-"
	[ -s "$tmp/rstartup.first" ] && first=$(median "$tmp/rstartup.first" 1)
	awk -v w="$(median "$tmp/rstartup" 3)" -v c="$(median "$tmp/rstartup" 1)" -v f="$first" 'BEGIN {
		printf "\nstart-up: a 1-packet file in %.0f ms wall (%.2f CPU s)", w * 1000, c
		if (f != "-") printf ", first packet after %.1f ms", f * 1000
		printf " (median of %d runs)\n", '"$((RUNS * 3))"' }'
}

# Cores: the same full run unpinned (every core of the machine), one
# packet worker and two, wall time; the store writer is a thread of its
# own either way.  And whether the two inventories are the same.
real_cores() {
	[ "$(nproc)" -ge 2 ] || { echo "cores: one CPU, skipped"; return 0; }
	pinned=$pin
	pin=
	i=0
	while [ $i -lt "$RUNS" ]; do
		run_daemon rw1 "$conf_on" "$rcap"
		fresh_db "$tmp/rw2.db"
		timed rw2 "$daemon" -c "$conf_on" -r "$rcap" -w 2 --stats --db "$tmp/rw2.db"
		i=$((i + 1))
	done
	pin=$pinned
	awk -v a="$(median "$tmp/rw1" 3)" -v b="$(median "$tmp/rw2" 3)" -v ca="$(median "$tmp/rw1" 1)" \
	    -v cb="$(median "$tmp/rw2" 1)" -v p="$pkts" -v n="$(nproc)" 'BEGIN {
		printf "\ncores (%d CPUs, unpinned, wall): -w 1 %.2f s (%.0f packets/s, %.2f CPU s: packet path + store writer), ", n, a, p / a, ca
		printf "-w 2 %.2f s (%.0f packets/s, %.2f CPU s): %.2fx\n", b, p / b, cb, a / b }'
	a1=$("$cli" --db "$tmp/rw1.db" stats --json | jq .counts.assets)
	a2=$("$cli" --db "$tmp/rw2.db" stats --json | jq .counts.assets)
	echo "  assets: $a1 with one worker, $a2 with two$( [ "$a1" = "$a2" ] && echo " (the same count)" || echo " (not the same: docs/BENCHMARK.md, \"Workers\")")"
}

# 10x the packets of the same traffic in no more than 11x the time
real_linear() {
	[ "$LINEAR" != 0 ] || return 0
	scap=$(real_capture $((REAL_N / 10))) || return 0
	spk=$("$gen" --loop "$scap" | awk '{ print $3 }')
	i=0
	while [ $i -lt "$RUNS" ]; do
		run_daemon rsmall "$conf_on" "$scap"
		i=$((i + 1))
	done
	awk -v a="$(median "$tmp/rsmall" 1)" -v b="$(median "$tmp/rfull" 1)" -v z="$(median "$tmp/rstartup" 1)" \
	    -v pa="$spk" -v pb="$pkts" 'BEGIN {
		r = (a - z > 0) ? (b - z) / (a - z) : 0; x = pb / pa
		printf "linearity (real traffic, all + nDPI, CPU s less %.2f s start-up): %d packets %.2f s, %d packets %.2f s: ", z, pa, a - z, pb, b - z
		printf "%.1fx the packets in %.2fx the time (limit %.1fx) %s\n", x, r, x * 1.1, (r <= x * 1.1) ? "ok" : "MISSED"
		exit (r <= x * 1.1) ? 0 : 1 }' || fail=1
}

real_section
