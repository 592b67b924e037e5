#!/bin/sh
# 15-daemon-live.sh - spanwatchd live on the loopback interface: drops root
# to -u nobody (uid, groups, no capabilities, no_new_privs), answers
# `status` and `help` on its control socket, counts packets we send,
# re-reads its configuration on SIGHUP (logging what changed, keeping the
# old one when the new one is bad), flushes and exits 0 on SIGTERM.
# Needs root (capture and privilege drop) and python3 (socket client).
# Usage: tests/e2e/15-daemon-live.sh [BUILD_DIR]
set -u
build=${1:-build}
daemon=$build/spanwatchd
name=15-daemon-live

[ -x "$daemon" ] || { echo "$name: SKIP: build $daemon first"; exit 77; }
[ "$(id -u)" = 0 ] || { echo "$name: SKIP: needs root to capture on lo"; exit 77; }
command -v python3 >/dev/null || { echo "$name: SKIP: python3 needed"; exit 77; }
id nobody >/dev/null 2>&1 || { echo "$name: SKIP: no user nobody"; exit 77; }

tmp=$(mktemp -d)
pid=
trap '[ -z "$pid" ] || kill "$pid" 2>/dev/null; rm -rf "$tmp"' EXIT INT TERM
chown nobody "$tmp"
nfail=0
fail() { echo "$name: FAIL: $*"; nfail=$((nfail + 1)); }

ask() {	# ask COMMAND: the control socket's answer, up to the "." line
	python3 - "$tmp/sock" "$1" <<'PY'
import socket, sys
s = socket.socket(socket.AF_UNIX)
s.settimeout(5)
s.connect(sys.argv[1])
s.sendall(sys.argv[2].encode() + b"\n")
buf = b""
while not buf.endswith(b"\n.\n"):
    d = s.recv(65536)
    if not d:
        break
    buf += d
sys.stdout.write(buf.decode())
PY
}

printf '[store]\nflush_interval_ms = 200\n' >"$tmp/conf"
"$daemon" -i lo -d -u nobody -c "$tmp/conf" --db "$tmp/db" --control "$tmp/sock" \
    -w 2 -f 'udp and dst host 127.0.0.1' 2>"$tmp/err" &
pid=$!
for i in 1 2 3 4 5 6 7 8 9 10; do [ -S "$tmp/sock" ] && break; sleep 0.3; done
if [ ! -S "$tmp/sock" ]; then
	cat "$tmp/err"
	echo "$name: FAIL: no control socket"
	exit 1
fi

# Privileges: uid/gid nobody, no supplementary groups but its own, no caps.
st=/proc/$pid/status
grep -Eq "^Uid:[[:space:]]+$(id -u nobody)[[:space:]]+$(id -u nobody)[[:space:]]+$(id -u nobody)[[:space:]]+$(id -u nobody)$" "$st" ||
    fail "not running as nobody: $(grep ^Uid "$st")"
grep -Eq '^CapEff:[[:space:]]+0+$' "$st" || fail "capabilities kept: $(grep ^CapEff "$st")"
grep -Eq '^CapPrm:[[:space:]]+0+$' "$st" || fail "permitted capabilities kept: $(grep ^CapPrm "$st")"
grep -Eq '^NoNewPrivs:[[:space:]]+1$' "$st" || fail "no_new_privs not set"
# The capture process cannot transmit: its seccomp filter is on (mode 2)
# and checked itself (socket(AF_INET) and a send on the capture fail, EPERM).
grep -Eq '^Seccomp:[[:space:]]+2$' "$st" || fail "no seccomp filter: $(grep ^Seccomp "$st")"
# Every thread has it: the two packet workers (-w 2) and the store writer
# start before the filter, and the workers run the dissectors.
ntask=0
for t in /proc/$pid/task/*/status; do
	ntask=$((ntask + 1))
	grep -Eq '^Seccomp:[[:space:]]+2$' "$t" ||
	    fail "thread $(basename "$(dirname "$t")") ($(sed -n 's/^Name:[[:space:]]*//p' "$t")) runs without the seccomp filter"
done
[ "$ntask" -ge 4 ] || fail "$ntask threads, want the reader, two workers and the store writer at least"
grep -q 'sandbox: seccomp filter on' "$tmp/err" || fail "the sandbox did not report itself"
[ "$(stat -c %U "$tmp/db")" = nobody ] || fail "database not given to nobody"
[ "$(stat -c %a "$tmp/sock")" = 660 ] || fail "control socket mode $(stat -c %a "$tmp/sock"), want 660"

# Traffic the filter passes (UDP to 127.0.0.1) and some it does not (TCP).
python3 -c '
import socket
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for i in range(7):
    u.sendto(b"spanwatch-test", ("127.0.0.1", 40000 + i))
'
sleep 1
ask status >"$tmp/status"
tail -n 1 "$tmp/status" | grep -qx '\.' || fail "status does not end with a . line"
grep -Eq '^proto\.udp 7$' "$tmp/status" || fail "status: proto.udp is not 7: $(grep -E '^proto\.(udp|tcp|icmp) ' "$tmp/status" | tr '\n' ' ')"
grep -Eq '^proto\.tcp 0$' "$tmp/status" || fail "status: BPF filter let TCP through"
grep -Eq '^stat\.capture\.kernel_drops [0-9]+$' "$tmp/status" || fail "status: no kernel drops counter"
grep -Eq '^stat\.store\.batches [1-9]' "$tmp/status" || fail "status: no store flush yet"
ask help | grep -q '^commands: .*status' || fail "help does not list status"
ask frobnicate | grep -q '^error: unknown command' || fail "unknown command not refused"
[ -z "$(ask quit)" ] || fail "quit answered something"
# The CLI asks the same socket: counters by name, zero ones left out unless --all.
cli=$build/spanwatch
"$cli" -c /dev/null status --socket "$tmp/sock" >"$tmp/cli-status" || fail "spanwatch status failed"
grep -q '^spanwatchd is running' "$tmp/cli-status" || fail "spanwatch status: no running line"
grep -Eq '^proto\.udp +7$' "$tmp/cli-status" || fail "spanwatch status: proto.udp is not 7"
grep -Eq '^proto\.tcp ' "$tmp/cli-status" && fail "spanwatch status shows a zero counter without --all"
"$cli" -c /dev/null status --socket "$tmp/sock" --all | grep -Eq '^proto\.tcp +0$' ||
    fail "spanwatch status --all: no proto.tcp 0"
[ "$("$cli" -c /dev/null status --socket "$tmp/sock" --json | jq '."proto.udp"')" = 7 ] ||
    fail "spanwatch status --json: proto.udp is not 7"
"$cli" -c /dev/null status --socket "$tmp/nosuch" 2>"$tmp/cli-err"
[ $? -eq 3 ] || fail "spanwatch status on a missing socket: exit is not 3"
grep -q 'cannot reach spanwatchd' "$tmp/cli-err" || fail "spanwatch status: no clear error for a missing socket"

# The database locked by another process for 4 s: the backlog waits, `status` shows
# it with the next try; once the lock is gone the batch is written.
applied=$(sed -n 's/^stat\.store\.applied //p' "$tmp/status")
python3 -c 'import sqlite3, sys, time
c = sqlite3.connect(sys.argv[1], isolation_level=None)
c.execute("BEGIN IMMEDIATE")
print("locked", flush=True)
time.sleep(4)' "$tmp/db" >"$tmp/lock.out" &
locker=$!
for i in 1 2 3 4 5 6 7 8 9 10; do grep -q locked "$tmp/lock.out" && break; sleep 0.2; done
python3 -c '
import socket
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for i in range(5):
    u.sendto(b"spanwatch-test", ("127.0.0.1", 41000 + i))
'
# (polled: a status asked at the very moment of a retry shows no next try)
seen=
for i in 1 2 3 4 5 6 7 8 9 10; do
	sleep 0.3
	ask status >"$tmp/status.locked"
	grep -Eq '^stat\.store\.failing [1-9]' "$tmp/status.locked" &&
	    grep -Eq '^stat\.store\.backlog [1-9]' "$tmp/status.locked" &&
	    grep -Eq '^stat\.store\.retry_in_ms [1-9]' "$tmp/status.locked" && { seen=1; break; }
done
[ -n "$seen" ] || fail "locked: status never showed a failing store, its backlog and the next try:" \
    "$(grep -E '^stat\.store\.(failing|backlog|retry_in_ms) ' "$tmp/status.locked" | tr '\n' ' ')"
grep -q 'database is locked; another process holds its write lock.*observations wait, next try in' "$tmp/err" ||
    fail "locked: no log line with the reason and the next try"
wait "$locker"
sleep 5
ask status >"$tmp/status.after"
grep -Eq '^stat\.store\.failing 0$' "$tmp/status.after" || fail "lock released: store still failing"
grep -Eq '^stat\.store\.backlog 0$' "$tmp/status.after" || fail "lock released: backlog left"
now=$(sed -n 's/^stat\.store\.applied //p' "$tmp/status.after")
[ "$now" -gt "$applied" ] || fail "lock released: nothing written ($applied -> $now applied)"
grep -q 'store: writing again after' "$tmp/err" || fail "lock released: recovery not logged"

# SIGHUP: a changed key is logged; a bad file is refused and logged.
printf '[store]\nflush_interval_ms = 300\n' >"$tmp/conf"
kill -HUP "$pid"; sleep 0.5
grep -q 'reload: store.flush_interval_ms: 200 -> 300' "$tmp/err" || fail "reload did not log the change"
printf '[store]\nflush_interval_ms = soon\n' >"$tmp/conf"
kill -HUP "$pid"; sleep 0.5
grep -q "reload: $tmp/conf:2: flush_interval_ms: 'soon' is not a number" "$tmp/err" ||
    fail "bad reload not reported with its line"
grep -q 'keeping the running configuration' "$tmp/err" || fail "bad reload did not keep the old configuration"
kill -0 "$pid" 2>/dev/null || fail "daemon died on a bad reload"

# SIGTERM: flush, remove the socket, exit 0.
kill -TERM "$pid"
wait "$pid"
rc=$?
pid=
[ $rc -eq 0 ] || fail "exit $rc after SIGTERM"
[ ! -e "$tmp/sock" ] || fail "control socket left behind"
if [ $nfail -ne 0 ]; then
	sed "s/^/$name: daemon: /" "$tmp/err"
	exit 1
fi
echo "$name: ok"
