#!/bin/sh
# 70-risk-sighup.sh - a policy change reaches every verdict on SIGHUP,
# without a restart and without new traffic; a bad policy keeps the old one.
#
# spanwatchd captures live (-i, foreground) on one end of a veth pair inside
# a network namespace of its own; frames with a Hikvision source MAC are
# sent on the other end, so all traffic stays inside the namespace.  Then:
#   1. policy with [country CN]          -> `spanwatch risk --json`: high
#   2. policy rewritten with a bad line  -> SIGHUP: the log names FILE:LINE,
#      the old policy stays (a new camera is still evaluated high)
#   3. a good policy without countries, but the vendor table (the second
#      file) broken                      -> SIGHUP: the log names the vendor
#      table's FILE:LINE, every old table stays (both cameras still high)
#   4. policy + [accept asset MAC]       -> SIGHUP: the acceptance shows, level kept
#   5. policy without countries/listings -> SIGHUP: both cameras none
# Needs root (namespaces, capture); exits 77 otherwise.  Bounded: each wait
# is at most WAIT_S seconds, the whole run takes a few seconds.
# Usage: tests/e2e/70-risk-sighup.sh [BUILD_DIR]
set -u
build=${1:-build}
daemon=$build/spanwatchd
cli=$build/spanwatch
name=70-risk-sighup
WAIT_S=5
CAM1=44:19:b6:00:00:01		# Hangzhou Hikvision Digital Technology (IEEE MA-L 44:19:B6)
CAM2=44:19:b6:00:00:02

skip() { echo "$name: SKIP: $*"; exit 77; }
[ -x "$daemon" ] && [ -x "$cli" ] || skip "build $daemon and $cli first"
[ "$(id -u)" = 0 ] || skip "needs root to create a network namespace and capture on it (CI runs as root)"
command -v ip >/dev/null || skip "iproute2 (ip) needed"
command -v python3 >/dev/null || skip "python3 needed to send frames and read JSON"
getent passwd nobody >/dev/null || skip "user 'nobody' needed for spanwatchd to drop to"
# The interpreter itself, not a wrapper (pyenv shims take a second to start; we poll).
py=$(python3 -c 'import sys; print(sys.executable)')

tmp=$(mktemp -d)
ns=swrisk$$
pid=
log=$tmp/spanwatchd.log
cleanup() {
	if [ -n "$pid" ]; then
		kill "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
	fi
	ip netns del "$ns" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP
fail() {
	echo "$name: FAIL: $*"
	[ -f "$log" ] && sed "s/^/  spanwatchd: /" "$log" | tail -n 20
	exit 1
}

ip netns add "$ns" 2>"$tmp/ns.err" || skip "cannot create a network namespace: $(cat "$tmp/ns.err")"
ip -n "$ns" link add sw0 type veth peer name sw1 || fail "cannot create the veth pair"
ip -n "$ns" link set lo up && ip -n "$ns" link set sw0 up && ip -n "$ns" link set sw1 up ||
	fail "cannot bring the veth pair up"

# The daemon drops to nobody and re-reads these files on SIGHUP as nobody.
chown nobody "$tmp"
chmod 755 "$tmp"
cp oui/vendors.csv "$tmp/vendors.csv"
cat >"$tmp/spanwatch.conf" <<EOF
[store]
flush_interval_ms = 100
[ndpi]
enabled = no
[oui]
override = $tmp/no-override.csv
[risk]
policy = $tmp/risk.conf
vendors = $tmp/vendors.csv
EOF
policy() {	# write the policy atomically, as an editor or config management would
	cat >"$tmp/risk.conf.new" && mv "$tmp/risk.conf.new" "$tmp/risk.conf"
}
policy <<EOF
[policy]
flag_listings = FCC-COVERED NDAA-889

[country CN]
reason = test: named as running an offensive cyber programme
EOF

# Frames from a source MAC: Ethernet + IPv4 + UDP, sent raw on sw1.
send() {	# send MAC IP
	ip netns exec "$ns" "$py" - "$1" "$2" <<'EOF' || fail "cannot send frames on sw1"
import socket, struct, sys
mac = bytes.fromhex(sys.argv[1].replace(":", ""))
src = socket.inet_aton(sys.argv[2])
dst = socket.inet_aton("10.1.1.1")
payload = b"spanwatch e2e"
udp = struct.pack("!HHHH", 40000, 9999, 8 + len(payload), 0) + payload
ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), 1, 0, 64, 17, 0, src, dst)
s = sum(struct.unpack("!10H", ip))
s = (s & 0xffff) + (s >> 16)
s = (s & 0xffff) + (s >> 16)
ip = ip[:10] + struct.pack("!H", ~s & 0xffff) + ip[12:]
frame = bytes.fromhex("020000000001") + mac + b"\x08\x00" + ip + udp
sock = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
sock.bind(("sw1", 0))
for _ in range(3):
    sock.send(frame)
EOF
}

# "LEVEL|ACCEPTED" of the asset with this MAC in `risk --all --json`, "-" if absent.
verdict() {
	"$cli" --db "$tmp/sw.db" risk --all --json 2>/dev/null | "$py" -c '
import json, sys
try:
    doc = json.load(sys.stdin)
except ValueError:
    print("-"); sys.exit(0)
for a in doc["assets"]:
    if a["mac"] == sys.argv[1]:
        print("%s|%s|%s" % (a["level"], a["accepted"] or "", " ".join(r["rule"] for r in a["reasons"])))
        sys.exit(0)
print("-")' "$1"
}

# wait_for DESCRIPTION COMMAND...: run COMMAND every 0.2 s until it succeeds, for WAIT_S seconds.
wait_for() {
	what=$1
	shift
	end=$(( $(date +%s) + WAIT_S ))
	while ! "$@"; do
		[ "$(date +%s)" -lt "$end" ] || fail "timed out after ${WAIT_S}s waiting for $what"
		# it may have become true just as the daemon exited (the SIGTERM wait)
		kill -0 "$pid" 2>/dev/null || "$@" || fail "spanwatchd exited while waiting for $what"
		sleep 0.2
	done
}
level_is() { verdict "$1" | grep -q "^$2|"; }
accepted_has() { verdict "$1" | grep -q "^$2|[^|]*$3"; }
log_has() { grep -q -- "$1" "$log"; }
reloads() { grep -c "reload: configuration and risk tables re-read" "$log"; }
reloaded() { [ "$(reloads)" -ge "$1" ]; }

ip netns exec "$ns" "$daemon" -d -i sw0 -c "$tmp/spanwatch.conf" --db "$tmp/sw.db" -u nobody \
    --control "$tmp/ctl.sock" >"$log" 2>&1 &
pid=$!
wait_for "spanwatchd to capture" log_has "capturing on sw0"

# 1. A Hikvision camera by its MAC block: high, not accepted.
send "$CAM1" 10.1.1.5
wait_for "$CAM1 evaluated high" level_is "$CAM1" high
v=$(verdict "$CAM1")
case $v in
high\|\|*"$tmp/risk.conf:"*"[country CN]; $tmp/vendors.csv:"*"(Hikvision)"*) ;;
*) fail "step 1: $CAM1: expected high, not accepted, citing the policy and the vendor row; got: $v" ;;
esac

# 2. A bad policy: SIGHUP keeps the old one and the log names the file and line.
policy <<EOF
[policy]
flag_listings = FCC-COVERED NDAA-889

[country CN]
reason = still fine

[country China]
reason = not an ISO 3166 code
EOF
kill -HUP "$pid"
wait_for "the bad policy to be reported" log_has "$tmp/risk.conf:8: \[country China\]"
wait_for "the reload after the bad policy" reloaded 1
send "$CAM2" 10.1.1.6	# evaluated under the policy kept
wait_for "$CAM2 evaluated high under the old policy" level_is "$CAM2" high
level_is "$CAM1" high || fail "step 2: $CAM1 changed after a bad policy: $(verdict "$CAM1")"

# 3. The policy is fine and would clear both cameras, but the vendor table
#    is broken: a reload is all or nothing, so the old policy stays too.
policy <<EOF
[policy]
flag_listings =
EOF
bad_line=$(( $(wc -l <"$tmp/vendors.csv") + 1 ))
{ cat oui/vendors.csv; echo "Broken Maker,only two columns"; } >"$tmp/vendors.csv.new" &&
	mv "$tmp/vendors.csv.new" "$tmp/vendors.csv"
kill -HUP "$pid"
wait_for "the broken vendor table to be reported" log_has "$tmp/vendors.csv:$bad_line: "
log_has "keeping all the previous tables" || fail "step 3: the log does not say the tables were kept"
wait_for "the reload after the broken vendor table" reloaded 2
level_is "$CAM1" high || fail "step 3: $CAM1 changed with a broken vendor table: $(verdict "$CAM1")"
level_is "$CAM2" high || fail "step 3: $CAM2 changed with a broken vendor table: $(verdict "$CAM2")"
cp oui/vendors.csv "$tmp/vendors.csv.new" && mv "$tmp/vendors.csv.new" "$tmp/vendors.csv"

# 4. An accepted risk: shown after SIGHUP, level kept, no new traffic.
policy <<EOF
[policy]
flag_listings = FCC-COVERED NDAA-889

[country CN]
reason = test: named as running an offensive cyber programme

[accept asset $CAM1]
justification = isolated camera VLAN 40, replacement planned Q3
date = 2026-11-01
by = OT security
EOF
kill -HUP "$pid"
wait_for "the acceptance of $CAM1" accepted_has "$CAM1" high "isolated camera VLAN 40"
accepted_has "$CAM1" high "2026-11-01 by OT security" || fail "step 4: $(verdict "$CAM1")"
level_is "$CAM2" high || fail "step 4: $CAM2 should stay high, not accepted: $(verdict "$CAM2")"
verdict "$CAM2" | grep -q "^high||" || fail "step 4: $CAM2 accepted too: $(verdict "$CAM2")"

# 5. No risk countries, no flagged listings: both cameras none.
policy <<EOF
[policy]
flag_listings =
EOF
kill -HUP "$pid"
wait_for "$CAM1 to become none" level_is "$CAM1" none
wait_for "$CAM2 to become none" level_is "$CAM2" none
"$cli" --db "$tmp/sw.db" risk >/dev/null 2>&1
[ $? -eq 1 ] || fail "step 5: spanwatch risk should exit 1 with nothing flagged"

# One daemon all along, re-read four times, nothing lost.
kill -0 "$pid" 2>/dev/null || fail "spanwatchd is gone"
[ "$(grep -c 'capturing on sw0' "$log")" -eq 1 ] || fail "spanwatchd started more than once"
[ "$(reloads)" -eq 4 ] || fail "expected 4 reloads, log has $(reloads)"
kill -TERM "$pid"
gone() {	# exited (a zombie until waited for counts as gone)
	st=$(cut -d' ' -f3 "/proc/$pid/stat" 2>/dev/null)
	[ -z "$st" ] || [ "$st" = Z ]
}
wait_for "spanwatchd to stop on SIGTERM" gone
wait "$pid"
rc=$?
pid=
[ $rc -eq 0 ] || fail "spanwatchd exited $rc on SIGTERM"
echo "$name: ok"
