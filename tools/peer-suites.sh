#!/bin/sh
# peer-suites.sh - spanwatchd -r over other projects' test captures: the
# files tcpdump, nDPI and Zeek keep to break dissectors (truncated headers,
# lying lengths, out-of-bounds reads they once had).  Nothing is downloaded:
# the captures come from DIR, laid out as
#   DIR/tcpdump   tcpdump's tests/            (*.pcap, *.pcapng)
#   DIR/ndpi      nDPI's tests/cfgs/          (*/pcap/*.pcap, *.pcapng)
#   DIR/zeek      Zeek's testing/btest/Traces (*.pcap, *.pcapng, *.trace, *.gz)
# e.g. from clones: git -C tcpdump archive HEAD tests | tar -x -C DIR && mv DIR/tests DIR/tcpdump
# A suite whose folder is missing is skipped.
#
# Each file is read by its own spanwatchd -r --stats into a fresh database
# (from the tree, so oui/ is found), at most TIMEOUT (60) s each, JOBS (2)
# at a time.  Per suite it counts: files, files read (exit 0), files refused
# (exit 1: not a capture, a link type spanwatch does not read, a read error
# part-way), packets, packets counted malformed (counters named bad,
# malformed, invalid) and cut short (short, trunc), crashes (a signal, a
# timeout, any other exit status) and sanitizer findings (ASan, UBSan,
# LeakSanitizer reports; build with `make SANITIZE=1` and give build-san).
#
# The results, per file and per suite, are compared with EXPECTED
# (tools/peer-suites.expected, made from the suites at the commits named in
# it); --update writes it instead.  Exit status: 0 when no crash, no
# sanitizer finding and no difference from EXPECTED; 1 otherwise; 2 on a
# usage error.  Per-file logs of anything that went wrong: OUT/ (default
# BUILD/peer-suites).
#
# Usage: tools/peer-suites.sh BUILD DIR [--update]
#   make && tools/peer-suites.sh build /work/peer-pcaps
#   make SANITIZE=1 && tools/peer-suites.sh build-san /work/peer-pcaps
set -u
name=peer-suites
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)

# One file: "SUITE<TAB>PATH<TAB>OUTCOME<TAB>PACKETS<TAB>MALFORMED<TAB>SHORT<TAB>WHY REFUSED".
if [ "${1:-}" = --one ]; then
	b=$2; suite=$3; root=$4; logs=$5; f=$6
	rel=${f#"$root"/}
	w=$(mktemp -d) || exit 2
	in=$f
	case $f in *.gz) gzip -dc "$f" >"$w/in" 2>/dev/null; in=$w/in;; esac
	cd "$top" || exit 2
	timeout "${TIMEOUT:-60}" "$b/spanwatchd" -c /dev/null -r "$in" --db "$w/db" --stats \
	    >"$w/out" 2>"$w/err"
	rc=$?
	if grep -Eq 'ERROR: (Address|Leak|Memory|Thread)Sanitizer|runtime error:|SUMMARY: [A-Za-z]*Sanitizer' "$w/err"; then
		outcome=sanitizer
	elif [ $rc -eq 0 ]; then
		outcome=read
	elif [ $rc -eq 1 ]; then
		outcome=refused
	elif [ $rc -eq 124 ]; then
		outcome=timeout
	else
		outcome=crash-$rc
	fi
	case $outcome in
	read|refused) ;;
	*) mkdir -p "$logs/$suite"
	   l=$logs/$suite/$(echo "$rel" | tr / _).log
	   { echo "$f: exit $rc"; cat "$w/err"; } >"$l";;
	esac
	# why a file was refused, without its name: "link type 9 (PPP) is not supported"
	why=
	[ "$outcome" = refused ] && why=$(grep -v 'until it is fixed$' "$w/err" | tail -n 1 |
	    sed -e "s|^spanwatchd: ||" -e "s|$in: ||" -e 's/;.*//' -e 's/[0-9][0-9]* packets/N packets/g')
	awk -v s="$suite" -v p="$rel" -v o="$outcome" -v why="$why" '
	$1 == "stat.packets" { pk = $2 }
	$1 ~ /^stat\./ && $1 ~ /(bad|malformed|invalid)/ { bad += $2 }
	$1 ~ /^stat\./ && $1 ~ /(short|trunc)/ { cut += $2 }
	END { printf "%s\t%s\t%s\t%d\t%d\t%d\t%s\n", s, p, o, pk, bad, cut, why }' "$w/out"
	rm -rf "$w"
	exit 0
fi

b=${1:?usage: tools/peer-suites.sh BUILD DIR [--update]}
dir=${2:?usage: tools/peer-suites.sh BUILD DIR [--update]}
update=${3:-}
expected=${EXPECTED:-$here/peer-suites.expected}
[ -x "$b/spanwatchd" ] || { echo "$name: build $b/spanwatchd first" >&2; exit 2; }
[ -d "$dir" ] || { echo "$name: $dir: no such folder" >&2; exit 2; }
b=$(cd "$b" && pwd)
dir=$(cd "$dir" && pwd)
out=${OUT:-$b/peer-suites}
rm -rf "$out"
mkdir -p "$out/logs"
# Sanitizer builds: report every finding to stderr, leaks included; the
# suppressions are the test suite's (libraries' own leaks, none of ours).
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1}
export LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$top/tests/lsan.supp:print_suppressions=0}

: >"$out/files.tsv"
for suite in tcpdump ndpi zeek; do
	[ -d "$dir/$suite" ] || { echo "$name: $suite: no $dir/$suite, skipped"; continue; }
	find "$dir/$suite" -type f \( -name '*.pcap' -o -name '*.pcapng' -o -name '*.cap' \
	    -o -name '*.trace' -o -name '*.pcap.gz' -o -name '*.trace.gz' \) | LC_ALL=C sort |
	    xargs -r -n 1 -P "${JOBS:-2}" sh "$here/peer-suites.sh" --one "$b" "$suite" \
	        "$dir/$suite" "$out/logs" >>"$out/files.tsv"
done
LC_ALL=C sort -o "$out/files.tsv" "$out/files.tsv"

# Per suite: files, read, refused, packets, malformed, short, crashes, sanitizer.
awk -F'\t' '
{ s = $1; files[s]++; pk[s] += $4; bad[s] += $5; cut[s] += $6
  if ($3 == "read") rd[s]++; else if ($3 == "refused") rf[s]++
  else if ($3 == "sanitizer") san[s]++; else cr[s]++ }
END { for (s in files)
	printf "suite %s files %d read %d refused %d packets %d malformed %d short %d crashes %d sanitizer %d\n",
	    s, files[s], rd[s], rf[s], pk[s], bad[s], cut[s], cr[s], san[s] }' "$out/files.tsv" |
    LC_ALL=C sort >"$out/suites.txt"
{
	cat "$out/suites.txt"
	awk -F'\t' '{ printf "file %s/%s %s packets %d malformed %d short %d\n", $1, $2, $3, $4, $5, $6 }' \
	    "$out/files.tsv"
} >"$out/results.txt"

awk -F'\t' '$3 == "refused" { print $1 ": " $7 }' "$out/files.tsv" | LC_ALL=C sort | uniq -c |
    sort -rn >"$out/refused.txt"
echo "$name: $(wc -l <"$out/files.tsv") files; why files were refused: $out/refused.txt"
echo "suite    files   read refused    packets  malformed    short crashes sanitizer"
awk '{ printf "%-7s %6d %6d %7d %10d %10d %8d %7d %9d\n", $2, $4, $6, $8, $10, $12, $14, $16, $18 }' \
    "$out/suites.txt"
rc=0
bad=$(awk '$16 + $18 > 0' "$out/suites.txt")
if [ -n "$bad" ]; then
	echo "$name: FAIL: crashes or sanitizer findings; logs in $out/logs:"
	find "$out/logs" -type f | sed 's/^/  /'
	rc=1
fi

if [ "$update" = --update ]; then
	{
		sed -n '/^#/p' "$expected" 2>/dev/null
		cat "$out/results.txt"
	} >"$expected.new" && mv "$expected.new" "$expected"
	echo "$name: wrote $expected"
elif [ -f "$expected" ]; then
	# only the suites this run had: a developer may have one of them
	suites=$(awk '{ print $2 }' "$out/suites.txt" | tr '\n' ' ')
	grep -v '^#' "$expected" | awk -v ss="$suites" '
	BEGIN { n = split(ss, a, " "); for (i = 1; i <= n; i++) want[a[i]] = 1 }
	$1 == "suite" && want[$2] { print; next }
	$1 == "file" { split($2, p, "/"); if (want[p[1]]) print }' >"$out/expected.txt"
	if diff -u "$out/expected.txt" "$out/results.txt" >"$out/diff.txt"; then
		echo "$name: the same as $expected"
	else
		echo "$name: differs from $expected (- expected, + this run):"
		grep '^[-+][a-z]' "$out/diff.txt" | head -n 40
		rc=1
	fi
else
	echo "$name: no $expected to compare with (--update writes it)"
fi
exit $rc
