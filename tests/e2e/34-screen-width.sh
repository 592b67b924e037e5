#!/bin/sh
# 34-screen-width.sh - every screen fits the terminal: on the demo's plant
# (swgen --solar, as `make demo` makes it), swgen's and spanwatchd -r's
# summaries and the commands list, show, risk (also --all), vendors,
# services, conversations, events, internet, stats, baseline, status and
# every command's help (and internet on swgen --internet's calling-home
# plant, whose names and reasons run long), run with COLUMNS=80 and COLUMNS=120 (the width the
# CLI takes for a terminal), have no line wider than that, counted in
# characters.  Piped without COLUMNS a table may be wider (every cell
# whole); that is checked too, so the width really comes from COLUMNS.
# Usage: tests/e2e/34-screen-width.sh [BUILD_DIR]
set -u
build=${1:-build}
daemon=$build/spanwatchd
cli=$build/spanwatch
gen=$build/swgen
name=34-screen-width

fail() { echo "$name: FAIL: $*"; exit 1; }
[ -x "$daemon" ] && [ -x "$cli" ] && [ -x "$gen" ] || { echo "$name: SKIP: build first"; exit 77; }
command -v python3 >/dev/null || { echo "$name: SKIP: python3 needed"; exit 77; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
db=$tmp/demo.db
sw() { "$cli" -c /dev/null --db "$db" "$@"; }

# The lines of one screen into $tmp/screens/WIDTH/NAME (stdout and stderr).
screen() {
	w=$1 n=$2; shift 2
	mkdir -p "$tmp/screens/$w"
	COLUMNS=$w "$@" >"$tmp/screens/$w/$n" 2>&1
}

"$gen" -o "$tmp/demo.pcap" -n 20000 -s 7 --hosts 60 --solar 2>"$tmp/swgen" || fail "swgen"
"$gen" --internet -o "$tmp/inet.pcap" 2>/dev/null || fail "swgen --internet"
"$daemon" -c /dev/null -r "$tmp/inet.pcap" --db "$tmp/inet.db" >/dev/null 2>&1 || fail "spanwatchd -r inet.pcap"
for w in 80 120; do
	mkdir -p "$tmp/screens/$w"
	cp "$tmp/swgen" "$tmp/screens/$w/swgen"
	rm -f "$db" "$db-wal" "$db-shm"
	screen "$w" spanwatchd "$daemon" -c /dev/null -r "$tmp/demo.pcap" --db "$db"
	[ -s "$db" ] || fail "spanwatchd -r wrote no database"
	screen "$w" list sw list
	screen "$w" show sw show 10.10.0.10
	screen "$w" risk sw risk
	screen "$w" risk-all sw risk --all
	screen "$w" vendors "$cli" -c /dev/null vendors
	screen "$w" services sw services
	screen "$w" conversations sw conversations
	screen "$w" events sw events
	screen "$w" internet sw internet
	screen "$w" internet-plant "$cli" -c /dev/null --db "$tmp/inet.db" internet
	screen "$w" stats sw stats
	screen "$w" baseline sw baseline
	screen "$w" status "$cli" -c /dev/null status --socket "$tmp/no-such-socket-in-a-rather-long-directory-name"
	screen "$w" help "$cli" help
	for c in list show risk vendors services conversations events internet status stats export \
	    report map annotate baseline oui; do
		screen "$w" "help-$c" "$cli" help "$c"
	done
done
sw list >"$tmp/piped-list"	# no COLUMNS, not a terminal: every cell whole

python3 - "$tmp" <<'PY' || exit 1
import os, sys
tmp = sys.argv[1]
def fail(m):
    print("34-screen-width: FAIL:", m); sys.exit(1)
seen = 0
for w in (80, 120):
    d = os.path.join(tmp, "screens", str(w))
    for n in sorted(os.listdir(d)):
        lines = open(os.path.join(d, n), encoding="utf-8", errors="replace").read().splitlines()
        if not lines: fail(f"{n} at {w} columns printed nothing")
        for i, l in enumerate(lines, 1):
            if len(l) > w: fail(f"{n} at {w} columns, line {i} is {len(l)} wide: {l[:120]}")
        seen += len(lines)
    risk = open(os.path.join(d, "risk"), encoding="utf-8").read()
    if "RISK SUMMARY: " not in risk or "https://" not in risk: fail(f"risk at {w}: no summary or no source address")
widest = max(len(l) for l in open(os.path.join(tmp, "piped-list"), encoding="utf-8").read().splitlines())
if widest <= 80: fail(f"list piped without COLUMNS is only {widest} wide: the width does not come from COLUMNS")
print(f"34-screen-width: ok ({seen} lines at 80 and 120 columns; piped list {widest} wide)")
PY
