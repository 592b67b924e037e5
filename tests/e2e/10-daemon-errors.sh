#!/bin/sh
# 10-daemon-errors.sh - spanwatchd's answers to bad input: arguments (exit 2),
# a missing capture, an unsupported link type, a truncated capture (file,
# offset and packet named, packets before it kept, exit 1), a bad
# configuration line (file:line), a corrupt database (exit 3), --version.
# Usage: tests/e2e/10-daemon-errors.sh [BUILD_DIR]
set -u
build=${1:-build}
daemon=$build/spanwatchd
pcaps=${SW_PCAPS:-../shared/pcaps}
name=10-daemon-errors
good=$pcaps/enip/iti__EIP-SoftwareUpload.pcap

[ -x "$daemon" ] || { echo "$name: SKIP: build $daemon first"; exit 77; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
nfail=0
fail() { echo "$name: FAIL: $*"; nfail=$((nfail + 1)); }

# expect RC PATTERN CMD...: exit code RC and PATTERN (grep -E) in stdout+stderr.
expect() {
	want_rc=$1 pat=$2; shift 2
	"$@" >"$tmp/out" 2>&1
	rc=$?
	if [ $rc -ne "$want_rc" ]; then
		fail "$*: exit $rc, want $want_rc: $(head -n 3 "$tmp/out")"
	elif ! grep -Eq -- "$pat" "$tmp/out"; then
		fail "$*: no /$pat/ in: $(head -n 3 "$tmp/out")"
	fi
}

# Arguments.
expect 2 "unrecognized option '--bogus'" "$daemon" --bogus
expect 2 "usage: spanwatchd" "$daemon" --bogus
expect 2 "choose one of -r, -i and --nfqueue" "$daemon" -r x.pcap -i eth0
expect 2 "--nfqueue: 'abc' is not a queue number" "$daemon" --nfqueue abc
expect 2 "unexpected argument 'extra'" "$daemon" -r x.pcap extra
expect 2 "requires an argument" "$daemon" -r
printf '' >"$tmp/empty.conf"
expect 2 "nothing to capture" "$daemon" -c "$tmp/empty.conf"
expect 0 "^spanwatchd $(cat VERSION 2>/dev/null || echo '[0-9.]+')\$" "$daemon" --version
expect 0 "^spanwatchd " "$daemon" -V
expect 0 "usage: spanwatchd" "$daemon" --help
expect 0 "^modbus\$" "$daemon" --list-dissectors

# Captures that cannot be read.
expect 1 "cannot read capture $tmp/none.pcap" "$daemon" -r "$tmp/none.pcap"
# A pcap header with link type 105 (IEEE 802.11) and no packets.
printf '\324\303\262\241\002\000\004\000\000\000\000\000\000\000\000\000\377\377\000\000\151\000\000\000' >"$tmp/wifi.pcap"
expect 1 "$tmp/wifi.pcap: link type 105 \(IEEE802_11\) is not supported" "$daemon" -r "$tmp/wifi.pcap"
printf 'not a capture at all, just text\n' >"$tmp/text.pcap"
expect 1 "cannot read capture $tmp/text.pcap" "$daemon" -r "$tmp/text.pcap"

# Configuration: missing when named, a bad line names file and line.
expect 1 "$tmp/missing.conf: No such file or directory" "$daemon" -c "$tmp/missing.conf" -r "$good"
printf '[capture]\nsnaplen = 65535\n[limits]\nflows_max = abc\n' >"$tmp/bad.conf"
expect 1 "$tmp/bad.conf:4: flows_max: 'abc' is not a number \(1024\.\.[0-9]+\)" "$daemon" -c "$tmp/bad.conf" -r "$good"
# A number that is one, but too large, is not "not a number".
printf '[limits]\nflows_max = 999999999999\n' >"$tmp/range.conf"
expect 1 "$tmp/range.conf:2: flows_max: 999999999999 is out of range \(1024\.\.[0-9]+\)" "$daemon" -c "$tmp/range.conf" -r "$good"
printf '[limits]\nflows_max = 12\n' >"$tmp/range.conf"
expect 1 "$tmp/range.conf:2: flows_max: 12 is out of range" "$daemon" -c "$tmp/range.conf" -r "$good"
expect 2 "--nfqueue: 70000 is out of range \(0-65535\)" "$daemon" --nfqueue 70000
printf '# comment\n[capture]\nintreface = eth0\n' >"$tmp/key.conf"
expect 1 "$tmp/key.conf:3: unknown key 'intreface' in \[capture\]" "$daemon" -c "$tmp/key.conf" -r "$good"

# -u with a user that does not exist.
expect 1 "user 'no-such-user-sw' does not exist" "$daemon" -r "$good" -u no-such-user-sw

if [ -f "$good" ]; then
	# The whole file, for reference.
	"$daemon" -r "$good" --stats >"$tmp/full.out" 2>&1 || fail "-r $good: exit $?"
	total=$(sed -n 's/^read .*: \([0-9]*\) packets in .*/\1/p' "$tmp/full.out")
	[ -n "$total" ] && [ "$total" -gt 0 ] || fail "no summary line for $good"

	# Truncated in the middle of a packet: error, offset, packets kept, exit 1.
	head -c 100000 "$good" >"$tmp/cut.pcap"
	"$daemon" -r "$tmp/cut.pcap" --stats --db "$tmp/cut.db" >"$tmp/cut.out" 2>"$tmp/cut.err"
	rc=$?
	[ $rc -eq 1 ] || fail "truncated capture: exit $rc, want 1"
	grep -Eq "$tmp/cut.pcap: .*truncated.* byte offset [0-9]+ after packet [0-9]+" "$tmp/cut.err" ||
	    fail "truncated capture: message lacks file/offset/packet: $(cat "$tmp/cut.err")"
	kept=$(sed -n 's/^read .*: \([0-9]*\) packets in .*/\1/p' "$tmp/cut.out")
	[ -n "$kept" ] && [ "$kept" -gt 0 ] && [ "$kept" -lt "${total:-0}" ] ||
	    fail "truncated capture: $kept packets kept of $total"
	grep -q "after packet $kept;" "$tmp/cut.err" || fail "truncated capture: packet number is not $kept"
	grep -Eq '^stat\.store\.applied [1-9]' "$tmp/cut.out" ||
	    fail "truncated capture: nothing stored before the error"

	# A database that is not one: the store's message, exit 3.
	printf 'this is not an SQLite database, it is text %0200d\n' 0 >"$tmp/bad.db"
	expect 3 "$tmp/bad.db is not a spanwatch database" "$daemon" -r "$good" --db "$tmp/bad.db"

	# A directory given as the database is named as one.
	expect 3 "$tmp is a directory, not a database file; give a file name such as $tmp/spanwatch.db" \
	    "$daemon" -r "$good" --db "$tmp"

	# Locked by another process for good: a few tries, then exit 3 naming the
	# database, the observations lost and what to do; no promise of a next try.
	"$daemon" -r "$good" --db "$tmp/locked.db" >/dev/null 2>&1 || fail "cannot make $tmp/locked.db"
	python3 -c 'import sqlite3, sys, time
c = sqlite3.connect(sys.argv[1], isolation_level=None, timeout=60)
c.execute("BEGIN IMMEDIATE")
print("locked", flush=True)
time.sleep(60)' "$tmp/locked.db" >"$tmp/lock.out" &
	locker=$!
	for i in $(seq 1 300); do grep -q locked "$tmp/lock.out" && break; sleep 0.1; done
	expect 3 "$good: [1-9][0-9]* observations from the [0-9]+ packets read could not be stored in $tmp/locked.db \(.*database is locked\); another process holds its write lock.*then read $good again" \
	    "$daemon" -r "$good" --db "$tmp/locked.db"
	grep -q "next try in 4 s" "$tmp/out" || fail "locked: no backoff to 4 s before giving up: $(cat "$tmp/out")"
	! grep -Eq "kept for the next try|observations wait, next try in 8" "$tmp/out" ||
	    fail "locked: a next try is promised that will not happen"
	kill "$locker"; wait "$locker" 2>/dev/null
	# Released within the tries: stored, exit 0.  The lock is let go once the
	# daemon has logged a failed try (not after a fixed time), so a loaded
	# machine cannot turn this into the locked-for-good case or no lock at all.
	python3 -c 'import os, sqlite3, sys, time
c = sqlite3.connect(sys.argv[1], isolation_level=None, timeout=60)
c.execute("BEGIN IMMEDIATE")
print("locked", flush=True)
end = time.time() + 60
while not os.path.exists(sys.argv[2]) and time.time() < end:
    time.sleep(0.05)' "$tmp/locked.db" "$tmp/release" >"$tmp/lock.out" &
	locker=$!
	for i in $(seq 1 300); do grep -q locked "$tmp/lock.out" && break; sleep 0.1; done
	grep -q locked "$tmp/lock.out" || fail "released lock: python did not take the lock within 30 s"
	"$daemon" -r "$good" --db "$tmp/locked.db" >"$tmp/out" 2>&1 &
	dpid=$!
	for i in $(seq 1 300); do grep -q "next try in" "$tmp/out" && break; sleep 0.1; done
	touch "$tmp/release"
	wait "$dpid"; rc=$?
	wait "$locker"
	[ $rc -eq 0 ] || fail "lock released: exit $rc, want 0: $(head -n 3 "$tmp/out")"
	grep -Eq "store: writing again after [0-9]+ failed tries" "$tmp/out" ||
	    fail "lock released: no 'writing again' in: $(head -n 3 "$tmp/out")"
	grep -Eq "^stat\.store\.failing 0|^stat\.store\.backlog [1-9]" "$tmp/out" &&
	    fail "lock released: the summary still shows a backlog"

	# A corrupt page under the schema (the assets table's root): exit 3 at once.
	"$daemon" -r "$good" --db "$tmp/page.db" >/dev/null 2>&1 || fail "cannot make $tmp/page.db"
	root=$(sqlite3 "$tmp/page.db" "SELECT rootpage FROM sqlite_master WHERE name = 'assets'")
	psize=$(sqlite3 "$tmp/page.db" "PRAGMA page_size")
	python3 -c 'import sys
f = open(sys.argv[1], "r+b"); f.seek((int(sys.argv[2]) - 1) * int(sys.argv[3])); f.write(b"\xff" * int(sys.argv[3]))' \
	    "$tmp/page.db" "$root" "$psize"
	expect 3 "could not be stored in $tmp/page.db \(.*malformed\); the file is damaged: move it aside .*restore a backup" \
	    "$daemon" -r "$good" --db "$tmp/page.db"
	grep -q "next try" "$tmp/out" && fail "corrupt: a retry is promised for a damaged file"

	# Off a terminal: nothing on stderr but errors, the summary on stdout.
	"$daemon" -r "$good" >/dev/null 2>"$tmp/quiet.err"
	[ ! -s "$tmp/quiet.err" ] || fail "stderr not empty off a terminal: $(head -c 200 "$tmp/quiet.err")"
	grep -Eq '^proto\.eth [0-9]+$' "$tmp/full.out" || fail "--stats has no proto.eth line"

	# Without --stats: findings, not counters.
	"$daemon" -r "$good" --db "$tmp/sum.db" >"$tmp/sum.out" 2>&1 || fail "-r --db: exit $?"
	grep -Eq '^read .*: [0-9]+ packets in ' "$tmp/sum.out" || fail "summary: no read line"
	grep -Eq '^[0-9]+ assets in .*sum\.db, [0-9]+ new in this run$' "$tmp/sum.out" ||
	    fail "summary: no asset count: $(head -c 300 "$tmp/sum.out")"
	grep -Eq '^  by category: ' "$tmp/sum.out" || fail "summary: no categories"
	grep -Eq '^  by risk: +[0-9]+ high, [0-9]+ elevated, [0-9]+ none, [0-9]+ unknown$' "$tmp/sum.out" ||
	    fail "summary: no risk levels"
	{ grep -qF '  spanwatch --db "$DB" list ' "$tmp/sum.out" ||
	    grep -qF "  spanwatch --db $tmp/sum.db list " "$tmp/sum.out"; } || fail "summary: no next step"
	grep -q "$tmp/sum.db" "$tmp/sum.out" || fail "summary: the database path is not named"
	grep -Eq '^(proto|stat)\.' "$tmp/sum.out" && fail "summary prints counters without --stats"
	[ "$(wc -l <"$tmp/sum.out")" -le 25 ] || fail "summary longer than 25 lines"
	"$daemon" -r "$good" >"$tmp/nodb.out" 2>&1
	grep -q 'Add --db FILE' "$tmp/nodb.out" || fail "summary without a database does not say how to keep one"
fi

# An interface that does not exist: the ones that do are listed (needs root:
# unprivileged, libpcap fails on the permission first).
if [ "$(id -u)" = 0 ]; then
	expect 1 "cannot capture on nosuch0: .*; interfaces here: .*\blo\b" "$daemon" -i nosuch0 -d \
	    --db "$tmp/if.db" --control "$tmp/if.sock"
fi

[ $nfail -eq 0 ] || exit 1
echo "$name: ok"
