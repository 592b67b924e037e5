#!/bin/bash
# run.sh - build and run the libFuzzer targets (`make fuzz`, `make fuzz-long`).
#
# Every tests/fuzz/fuzz_<name>.c is a target, except fuzz_dissector.c (the
# generic harness that the per-dissector targets include).  Seeds are made
# at fuzz time, never committed and never copies of a capture file:
#   a dissector's target: its conversations cut from the shared captures
#     and from a capture swgen writes (tests/fuzz/seeds.c stream);
#   pipeline: each capture's first frames and its conversations one by one
#     (seeds.c frames); pcapng: each capture's first packets written as
#     pcapng (seeds.c pcapng) and the head of each .pcapng capture;
#   config: the shipped spanwatch.conf; tables: the shipped tables of oui/
#     (and the head of Debian's IEEE registry), each behind its selector
#     byte; ctl, store, goose, opcua: tests/fuzz/handmade.py.
# tests/fuzz/corpus/<name>/ may hold small hand-made inputs in the target's
# format for what no capture carries (DNP3 group 0, Modbus 43/14 over two
# responses); they are read, never written.
#
#   FUZZ_SECONDS   seconds per target (default 10; make fuzz-long: 600)
#   FUZZ_TARGETS   space-separated target names (default: all)
#   FUZZ_FLAGS     more libFuzzer flags for every target
#   SW_PCAPS       the shared captures (default ../shared/pcaps)
#   FUZZ_CC        a clang with libFuzzer (default clang)
#
# Targets run one after the other, each in one process (-jobs=1: the
# machine is shared).  Output under build-fuzz/: obj/ (instrumented
# library), fuzz_<name> binaries, seeds/<name>, corpus/<name> (inputs
# libFuzzer found, kept from run to run), crashes/<name>-*, logs/<name>.log,
# summary.tsv (target, seconds, executions, exec/s, coverage, features,
# corpus, crashes) also printed as a table.  Exit status 1 if any target
# failed to build or found a crash.
set -euo pipefail
cd "$(dirname "$0")/../.."

FUZZ_SECONDS=${FUZZ_SECONDS:-10}
PCAPS=${SW_PCAPS:-../shared/pcaps}
CC=${FUZZ_CC:-clang}
OUT=build-fuzz
JOBS=$(nproc 2>/dev/null || echo 2)

# The Makefile's own defines, include paths, warnings and libraries
# (`make print-flags`), so the fuzzed code is compiled as the build compiles it.
flags=$(make -s --no-print-directory print-flags CC="$CC")
flag() { sed -n "s/^$1 //p" <<<"$flags"; }
eval "CPPFLAGS=($(flag CPPFLAGS))"
eval "WARN=($(flag WARN))"
eval "PKG_CFLAGS=($(flag PKG_CFLAGS))"
eval "PKG_LIBS=($(flag LDLIBS))"
DIRS=(core ident dissectors packet store export daemon)
# shellcheck disable=SC2054
CFLAGS=(-std=c11 -O1 -g "${WARN[@]}" -fsanitize=address,undefined -fno-sanitize-recover=undefined
	-fno-omit-frame-pointer "${PKG_CFLAGS[@]}")

if ! command -v "$CC" >/dev/null 2>&1; then
	echo "fuzz: $CC not found (Debian: apt-get install clang libclang-rt-14-dev)" >&2
	exit 1
fi
mkdir -p "$OUT/obj" "$OUT/seeds" "$OUT/corpus" "$OUT/crashes" "$OUT/logs"

# --- the library, instrumented for coverage --------------------------------
obj_of() {
	echo "$OUT/obj/$(echo "$1" | tr / _ | sed 's/\.c$/.o/')"
}
srcs=()
for s in core/*.c ident/*.c dissectors/*.c packet/*.c store/*.c export/*.c daemon/*.c; do
	if [ -f "$s" ] && [ "$s" != daemon/main.c ]; then srcs+=("$s"); fi
done
newest_h=$(find "${DIRS[@]}" -name '*.h' -printf '%T@ %p\n' 2>/dev/null |
    sort -n | tail -1 | cut -d' ' -f2-)
stale=()
for s in "${srcs[@]}"; do
	o=$(obj_of "$s")
	if [ ! -f "$o" ] || [ "$s" -nt "$o" ] || [ "$newest_h" -nt "$o" ]; then
		stale+=("$s")
	fi
done
if [ "${#stale[@]}" -gt 0 ]; then
	echo "fuzz: compiling ${#stale[@]} library files"
	n=0
	for s in "${stale[@]}"; do
		o=$(obj_of "$s")
		rm -f "$o"
		"$CC" "${CPPFLAGS[@]}" "${CFLAGS[@]}" -fsanitize=fuzzer-no-link -c -o "$o" "$s" &
		n=$((n + 1))
		if [ "$n" -ge "$JOBS" ]; then
			wait
			n=0
		fi
	done
	wait
fi
# A file that does not compile (someone's work in progress) is left out;
# the link below fails only if a target needs it.
objs=()
for s in "${srcs[@]}"; do
	if [ -f "$(obj_of "$s")" ]; then
		objs+=("$(obj_of "$s")")
	else
		echo "fuzz: $s does not compile with $CC; left out" >&2
	fi
done
rm -f "$OUT/libsw-fuzz.a"
ar rcs "$OUT/libsw-fuzz.a" "${objs[@]}"

# --- the seed extractor (no libFuzzer main) --------------------------------
"$CC" "${CPPFLAGS[@]}" "${CFLAGS[@]}" -o "$OUT/seeds-tool" tests/fuzz/seeds.c \
    "$OUT/libsw-fuzz.a" "${PKG_LIBS[@]}"

mapfile -t captures < <(find "$PCAPS" -type f \( -name '*.pcap' -o -name '*.pcapng' \) 2>/dev/null | sort)
if [ "${#captures[@]}" -eq 0 ]; then
	echo "fuzz: no captures under $PCAPS: seeds only from swgen and handmade.py" >&2
fi
# The project's own generator adds what the shared captures lack (TLS, SSH,
# DNS, HTTP banners, C37.118 of a solar plant): a small capture, made once.
mkdir -p "$OUT/gen"
if [ ! -s "$OUT/gen/plant.pcap" ]; then
	if "$CC" "${CPPFLAGS[@]}" "${CFLAGS[@]}" -o "$OUT/swgen" tools/swgen*.c "$OUT/libsw-fuzz.a" \
	    "${PKG_LIBS[@]}" && "$OUT/swgen" -o "$OUT/gen/plant.pcap" -n 4000 --solar >/dev/null; then
		:
	else
		echo "fuzz: swgen failed; seeds from the shared captures only" >&2
		rm -f "$OUT/gen/plant.pcap"
	fi
fi
if [ -s "$OUT/gen/plant.pcap" ]; then captures+=("$OUT/gen/plant.pcap"); fi

# Seeds for target $1 into directory $2.
make_seeds() {
	local t=$1 dir=$2 f
	case $t in
	pipeline)
		[ "${#captures[@]}" -eq 0 ] || "$OUT/seeds-tool" frames "$dir" "${captures[@]}" ;;
	pcapng)
		[ "${#captures[@]}" -eq 0 ] || "$OUT/seeds-tool" pcapng "$dir" "${captures[@]}"
		for f in "${captures[@]}"; do
			case $f in *.pcapng) head -c 8192 "$f" >"$dir/head-$(basename "$f")" ;; esac
		done ;;
	pcapfile)
		for f in "${captures[@]}"; do
			case $f in *.pcap) head -c 8192 "$f" >"$dir/head-$(basename "$f")" ;; esac
		done ;;
	config)
		cp packaging/spanwatch.conf "$dir/" ;;
	tables)
		table_seed 0 "$dir/oui" <(head -40 /usr/share/ieee-data/oui.csv 2>/dev/null)
		table_seed 1 "$dir/cip_vendors" oui/cip_vendors.csv
		table_seed 1 "$dir/pn_vendors" oui/pn_vendors.csv
		table_seed 2 "$dir/fingerprints" oui/fingerprints.rules
		table_seed 3 "$dir/vendors" oui/vendors.csv
		table_seed 4 "$dir/risk" packaging/risk.conf
		table_seed 5 "$dir/registers" oui/registers.map
		table_seed 6 "$dir/services" oui/services.csv
		table_seed 14 "$dir/services_local" <(head -12 oui/services.csv)
		table_seed 7 "$dir/vendors_local" <(head -30 oui/vendors.csv) ;;
	ctl | store | goose | opcua)
		python3 tests/fuzz/handmade.py "$t" "$dir"
		if [ "$t" != ctl ] && [ "$t" != store ] && [ "${#captures[@]}" -gt 0 ]; then
			"$OUT/seeds-tool" stream "$t" "$dir" "${captures[@]}"
		fi ;;
	*)
		[ "${#captures[@]}" -eq 0 ] || "$OUT/seeds-tool" stream "$t" "$dir" "${captures[@]}" ;;
	esac
}

# A table seed: the selector byte $1 (fuzz_tables.c), then file $3.
table_seed() {
	{ printf "\\$(printf %03o "$1")"; cat "$3"; } >"$2"
}

# --- targets ---------------------------------------------------------------
if [ -n "${FUZZ_TARGETS:-}" ]; then
	read -r -a targets <<<"$FUZZ_TARGETS"
else
	targets=()
	for f in tests/fuzz/fuzz_*.c; do
		t=${f#tests/fuzz/fuzz_}
		t=${t%.c}
		if [ "$t" != dissector ]; then targets+=("$t"); fi
	done
fi

# "name value" of libFuzzer's final stats and last status line in log $1.
stat_of() {
	sed -n "s/^stat::$2: *//p" "$1" | tail -1
}
cov_of() {
	grep -Eo "cov: [0-9]+ ft: [0-9]+ corp: [0-9]+" "$1" | tail -1 |
	    awk '{ print $2 "\t" $4 "\t" $6 }'
}

failed=""
summary="$OUT/summary.tsv"
printf "target\tseconds\texecs\texec_per_s\tcov\tft\tcorpus\tcrashes\n" >"$summary"
for t in "${targets[@]}"; do
	bin="$OUT/fuzz_$t"
	if ! "$CC" "${CPPFLAGS[@]}" "${CFLAGS[@]}" -fsanitize=fuzzer -Itests/fuzz -o "$bin" \
	    "tests/fuzz/fuzz_$t.c" "$OUT/libsw-fuzz.a" "${PKG_LIBS[@]}"; then
		echo "fuzz $t: BUILD FAILED"
		failed="$failed $t"
		continue
	fi
	rm -rf "$OUT/seeds/$t"
	mkdir -p "$OUT/seeds/$t" "$OUT/corpus/$t"
	make_seeds "$t" "$OUT/seeds/$t"
	# hand-made inputs for what no capture has (tests/fuzz/corpus/<name>)
	extra=()
	if [ -d "tests/fuzz/corpus/$t" ]; then extra=("tests/fuzz/corpus/$t"); fi
	nseeds=$(find "$OUT/seeds/$t" "${extra[@]}" -type f | wc -l)
	log="$OUT/logs/$t.log"
	crashes_before=$(find "$OUT/crashes" -name "$t-*" | wc -l)
	# The entropic schedule's bookkeeping over the pipeline's ~15,000
	# features was half its time: off, it runs twice the inputs a second.
	own=""
	if [ "$t" = pipeline ]; then own="-entropic=0"; fi
	# shellcheck disable=SC2086
	if "$bin" -max_total_time="$FUZZ_SECONDS" -timeout=10 -rss_limit_mb=2048 \
	    -print_final_stats=1 -artifact_prefix="$OUT/crashes/$t-" $own ${FUZZ_FLAGS:-} \
	    "$OUT/corpus/$t" "$OUT/seeds/$t" "${extra[@]}" >"$log" 2>&1; then
		status=ok
	else
		status=FAILED
		failed="$failed $t"
	fi
	runs=$(stat_of "$log" number_of_executed_units)
	rate=$(stat_of "$log" average_exec_per_sec)
	crashes=$(( $(find "$OUT/crashes" -name "$t-*" | wc -l) - crashes_before ))
	cov=$(cov_of "$log")
	printf "%s\t%s\t%s\t%s\t%s\t%s\n" "$t" "$FUZZ_SECONDS" "${runs:-0}" "${rate:-0}" \
	    "${cov:-0	0	0}" "$crashes" >>"$summary"
	echo "fuzz $t: $status (${runs:-?} runs in ${FUZZ_SECONDS}s, ${rate:-?}/s, $nseeds seeds)"
	if [ "$status" != ok ]; then
		tail -40 "$log"
	fi
done
column -t -s "$(printf '\t')" "$summary"
if [ -n "$failed" ]; then
	echo "fuzz: failed:$failed"
	exit 1
fi
