#!/bin/bash
# run.sh - build and run the libFuzzer targets (`make fuzz`).
#
# Every tests/fuzz/fuzz_<name>.c is a target, except fuzz_dissector.c (the
# generic harness that the per-dissector targets include).  A target named
# after a dissector is seeded with that dissector's conversations from the
# shared captures; fuzz_pipeline with the captures' first frames.  Seeds are
# extracted at run time by tests/fuzz/seeds.c; no capture enters the tree.
# tests/fuzz/corpus/<name>/ may hold small hand-made inputs in the target's
# format for what no capture carries (DNP3 group 0, Modbus 43/14 over two
# responses); they are read, never written.
#
#   FUZZ_SECONDS   seconds per target (default 10)
#   FUZZ_TARGETS   space-separated target names (default: all)
#   SW_PCAPS       the shared captures (default ../shared/pcaps)
#   FUZZ_CC        a clang with libFuzzer (default clang)
#
# Output under build-fuzz/: obj/ (instrumented library), fuzz_<name>
# binaries, seeds/<name>, corpus/<name> (inputs libFuzzer found),
# crashes/<name>-*, logs/<name>.log.  Exit status 1 if any target failed.
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
	echo "fuzz: no captures under $PCAPS: targets start from an empty corpus" >&2
fi

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

failed=""
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
	if [ "${#captures[@]}" -gt 0 ]; then
		if [ "$t" = pipeline ]; then
			"$OUT/seeds-tool" frames "$OUT/seeds/$t" "${captures[@]}"
		else
			"$OUT/seeds-tool" stream "$t" "$OUT/seeds/$t" "${captures[@]}"
		fi
	fi
	# hand-made inputs for what no capture has (tests/fuzz/corpus/<name>)
	extra=()
	if [ -d "tests/fuzz/corpus/$t" ]; then extra=("tests/fuzz/corpus/$t"); fi
	nseeds=$(find "$OUT/seeds/$t" "${extra[@]}" -type f | wc -l)
	log="$OUT/logs/$t.log"
	if "$bin" -max_total_time="$FUZZ_SECONDS" -timeout=10 -rss_limit_mb=2048 \
	    -print_final_stats=1 -artifact_prefix="$OUT/crashes/$t-" \
	    "$OUT/corpus/$t" "$OUT/seeds/$t" "${extra[@]}" >"$log" 2>&1; then
		runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
		echo "fuzz $t: ok (${runs:-?} runs in ${FUZZ_SECONDS}s, $nseeds seeds)"
	else
		echo "fuzz $t: FAILED (log $log)"
		tail -40 "$log"
		failed="$failed $t"
	fi
done
if [ -n "$failed" ]; then
	echo "fuzz: failed:$failed"
	exit 1
fi
