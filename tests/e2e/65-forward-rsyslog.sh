#!/bin/sh
# Syslog forwarding against a real rsyslog on loopback: events reach it
# RFC 5424-framed; while it is down they are spooled, and when it is back
# the backlog is replayed in order with nothing lost.
# Then live (as root, in a network namespace of its own): the process that
# reads packets has its seccomp filter on while forwarding and cannot
# connect (Seccomp 2, no network socket), the forwarder is another process
# with its own filter and no packet socket; rsyslog restarted mid-run gets
# the later events; a forwarder killed with -9 is logged and started
# again, and later events still arrive; its supervisor killed stops
# spanwatchd with exit status 1 and a clear message.
# Usage: tests/e2e/65-forward-rsyslog.sh BUILD_DIR
set -u
build=${1:-build}
name=65-forward-rsyslog
daemon=$build/spanwatchd
pcaps=${SW_PCAPS:-../shared/pcaps}
fail() { echo "$name: FAIL: $*"; [ -f "${log:-}" ] && tail -8 "$log"; [ -f "$tmp/rsyslog.log" ] && tail -5 "$tmp/rsyslog.log"; exit 1; }
command -v rsyslogd >/dev/null || { echo "$name: SKIP: rsyslogd not installed (make deps)"; exit 77; }
command -v python3 >/dev/null || { echo "$name: SKIP: python3 needed to pick a free port"; exit 77; }
[ -x "$daemon" ] || { echo "$name: SKIP: build $daemon first"; exit 77; }

tmp=$(mktemp -d)
rpid=
dpid=
ns=
stop_rsyslog() { [ -n "$rpid" ] && kill "$rpid" 2>/dev/null && wait "$rpid" 2>/dev/null; rpid=; }
cleanup() {
	stop_rsyslog
	[ -z "$dpid" ] || kill "$dpid" 2>/dev/null
	[ -z "$ns" ] || ip netns del "$ns" 2>/dev/null
	[ -n "${KEEP:-}" ] || rm -rf "$tmp"
}
trap cleanup EXIT INT TERM
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')

cat > "$tmp/rsyslog.conf" <<EOC
global(workDirectory="$tmp")
module(load="imtcp")
input(type="imtcp" port="$port" address="127.0.0.1")
template(name="raw" type="string" string="%msgid% %structured-data% %msg%\n")
:app-name, isequal, "spanwatch" action(type="omfile" file="$tmp/out" template="raw")
EOC
inns=	# "ip netns exec NS" in the live part
start_rsyslog() {
	$inns rsyslogd -n -f "$tmp/rsyslog.conf" -i "$tmp/rsyslog.pid" >>"$tmp/rsyslog.log" 2>&1 &
	rpid=$!
	for i in $(seq 50); do
		$inns python3 -c "import socket; socket.create_connection(('127.0.0.1',$port),1).close()" 2>/dev/null && return 0
		sleep 0.1
	done
	fail "rsyslogd did not listen on $port"
}
cat > "$tmp/spanwatch.conf" <<EOC
[export]
sensor_name = sensor-test
[events]
# no learning period: every change is an alert and is forwarded
learning_hours = 0
[forward]
host = 127.0.0.1
port = $port
spool = $tmp/spool
EOC
run() {	# run CAPTURE: ingest it with forwarding configured; prints forward.queued
	"$daemon" -c "$tmp/spanwatch.conf" -r "$pcaps/$1" --stats --db "$tmp/db" >"$tmp/run.out" 2>>"$tmp/daemon.log" ||
		fail "spanwatchd -r $1"
	sed -n 's/^stat\.forward\.queued //p' "$tmp/run.out"
}
lines() { [ -f "$tmp/out" ] && wc -l < "$tmp/out" || echo 0; }
wait_lines() {
	for i in $(seq 50); do [ "$(lines)" -ge "$1" ] && return 0; sleep 0.1; done
	fail "expected $1 messages at the collector, got $(lines)"
}

# 1. collector up: events arrive
start_rsyslog
a=$(run modbus/icsnpp-modbus__modbus_example.pcap)
[ "${a:-0}" -gt 0 ] || fail "no events queued for forwarding"
wait_lines "$a"
grep -q '^asset_new \[spanwatch@32473 sensor="sensor-test"' "$tmp/out" || fail "message not RFC 5424 with our structured data: $(head -1 "$tmp/out")"
# 2. collector down: events are spooled
stop_rsyslog
b=$(run enip/iti__enip_test.pcap)
[ "${b:-0}" -gt 0 ] || fail "no events queued while the collector was down"
[ -s "$tmp/spool" ] || fail "nothing spooled while the collector was down"
[ "$(lines)" -eq "$a" ] || fail "messages arrived while the collector was down?"
# 3. collector back: the backlog and the new events arrive, in order
start_rsyslog
c=$(run dhcp/zeek__dhcp.pcap)
wait_lines $((a + b + c))
sleep 0.5
[ "$(lines)" -eq $((a + b + c)) ] || fail "expected $((a + b + c)) messages, got $(lines) (lost or duplicated)"
first_b=$(grep -n '10.1.1.164\|00:19:07:24:3c:ca' "$tmp/out" | head -1 | cut -d: -f1)
first_c=$(grep -n '90:b1:1c:99:49:29\|00:0c:29:40:0e:ef' "$tmp/out" | head -1 | cut -d: -f1)
[ -n "$first_b" ] && [ -n "$first_c" ] && [ "$first_b" -lt "$first_c" ] ||
	fail "backlog not replayed before newer events (b at ${first_b:-none}, c at ${first_c:-none})"
echo "$name: file: ok ($a + $b spooled + $c events, none lost)"

# 4. Live, in a network namespace: frames sent on one end of a veth pair,
# spanwatchd capturing on the other, rsyslog on the namespace's loopback.
live_skip() { echo "$name: live: SKIP: $*"; echo "$name: ok (file part; live part skipped)"; exit 0; }
[ "$(id -u)" = 0 ] || live_skip "needs root for a network namespace and capture"
command -v ip >/dev/null || live_skip "iproute2 (ip) needed"
getent passwd nobody >/dev/null || live_skip "user 'nobody' needed"
ns=swfwd$$
ip netns add "$ns" 2>/dev/null || { ns=; live_skip "cannot create a network namespace"; }
ip -n "$ns" link add sw0 type veth peer name sw1 && ip -n "$ns" link set lo up &&
	ip -n "$ns" link set sw0 up && ip -n "$ns" link set sw1 up || fail "cannot set up the veth pair"
inns="ip netns exec $ns"
stop_rsyslog
rm -f "$tmp/out" "$tmp/spool" "$tmp/spool.offset"
chown nobody "$tmp"
chmod 755 "$tmp"
cat >> "$tmp/spanwatch.conf" <<EOC
[store]
flush_interval_ms = 100
[ndpi]
enabled = no
EOC
log=$tmp/live.log
ask() {	# ask: the control socket's status answer
	$inns python3 - "$tmp/ctl.sock" <<'PY'
import socket, sys
s = socket.socket(socket.AF_UNIX)
s.settimeout(5)
s.connect(sys.argv[1])
s.sendall(b"status\n")
buf = b""
while not buf.endswith(b"\n.\n"):
    d = s.recv(65536)
    if not d:
        break
    buf += d
sys.stdout.write(buf.decode())
PY
}
counter() { ask | sed -n "s/^stat\.$1 //p"; }
# The forwarder reports its counters at most every FWD_REPORT_MS (250 ms, far
# more under ASan): status may lag what the log already says, so poll.
counter_is() { [ "$(counter "$1")" = "$2" ]; }
counter_ge() { v=$(counter "$1"); [ "${v:-0}" -ge "$2" ]; }
send() {	# send MAC IP: three UDP frames from that sender on sw1
	$inns python3 - "$1" "$2" <<'PY' || fail "cannot send frames on sw1"
import socket, struct, sys
mac = bytes.fromhex(sys.argv[1].replace(":", ""))
src, dst = socket.inet_aton(sys.argv[2]), socket.inet_aton("10.9.9.1")
udp = struct.pack("!HHHH", 40000, 9999, 8 + 4, 0) + b"e2e!"
ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), 1, 0, 64, 17, 0, src, dst)
s = sum(struct.unpack("!10H", ip))
s = (s & 0xffff) + (s >> 16)
ip = ip[:10] + struct.pack("!H", ~(s + (s >> 16)) & 0xffff) + ip[12:]
sock = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
sock.bind(("sw1", 0))
for _ in range(3):
    sock.send(bytes.fromhex("020000000001") + mac + b"\x08\x00" + ip + udp)
PY
}
arrived() { grep -q "^asset_new .*$1" "$tmp/out" 2>/dev/null; }
wait_for() {	# wait_for SECONDS WHAT COMMAND...
	t=$1 what=$2
	shift 2
	for i in $(seq $((t * 10))); do "$@" && return 0; sleep 0.1; done
	tail -20 "$log"
	fail "live: timed out after ${t}s waiting for $what"
}
seccomp_on() { grep -Eq '^Seccomp:[[:space:]]+2$' "/proc/$1/status"; }
# the inodes of every packet socket in the namespace
packet_inodes() { $inns cat /proc/net/packet | awk 'NR > 1 { print $NF }'; }
holds_packet_socket() {
	for ino in $(packet_inodes); do
		ls -l "/proc/$1/fd" 2>/dev/null | grep -q "socket:\[$ino\]" && return 0
	done
	return 1
}

start_rsyslog
$inns "$daemon" -d -i sw0 -f udp -u nobody -c "$tmp/spanwatch.conf" --db "$tmp/live.db" \
    --control "$tmp/ctl.sock" >"$log" 2>&1 &
dpid=$!
wait_for 10 "spanwatchd to capture" grep -q "capturing on sw0" "$log"
fpid=$(counter forward.pid)
for i in $(seq 20); do [ -n "$fpid" ] && break; sleep 0.1; fpid=$(counter forward.pid); done
[ -n "$fpid" ] || { ask | grep forward; fail "live: status shows no forward.pid"; }
supervisor=$(sed -n 's/^PPid:[[:space:]]*//p' "/proc/$fpid/status")
[ "$(sed -n 's/^PPid:[[:space:]]*//p' "/proc/$supervisor/status")" = "$dpid" ] ||
	fail "live: the forwarder $fpid is not the child of a child of spanwatchd $dpid"
seccomp_on "$dpid" || fail "live: the packet process has no seccomp filter while forwarding: $(grep ^Seccomp "/proc/$dpid/status")"
seccomp_on "$fpid" || fail "live: the forwarder has no seccomp filter"
grep -q "sandbox: seccomp filter on" "$log" || fail "live: the packet process did not log its filter"
grep -q "forward: forwarder process $supervisor: seccomp filter on" "$log" || fail "live: the forwarder did not log its filter"
holds_packet_socket "$dpid" || fail "live: test broken: spanwatchd's capture socket not found in /proc/net/packet"
holds_packet_socket "$fpid" && fail "live: the forwarder holds a packet socket"
holds_packet_socket "$supervisor" && fail "live: the forwarder's supervisor holds a packet socket"
# the packet process holds no IP socket (its forwarding goes over a UNIX socketpair)
for f in /proc/$dpid/net/tcp /proc/$dpid/net/tcp6; do
	for ino in $(awk 'NR > 1 { print $10 }' "$f"); do
		ls -l "/proc/$dpid/fd" | grep -q "socket:\[$ino\]" && fail "live: the packet process holds a TCP socket"
	done
done

send 02:aa:00:00:00:01 10.9.9.11
wait_for 10 "the first live event at rsyslog" arrived 02:aa:00:00:00:01
wait_for 5 "forward.connected 1 in status" counter_is forward.connected 1

# rsyslog restarts: the forwarder connects again, later events arrive
stop_rsyslog
start_rsyslog
send 02:aa:00:00:00:02 10.9.9.12
wait_for 20 "an event after rsyslog restarted" arrived 02:aa:00:00:00:02
wait_for 5 "forward.reconnects of at least 1 in status after rsyslog restarted" counter_ge forward.reconnects 1

# the forwarder killed: logged, started again, later events arrive
kill -9 "$fpid"
wait_for 5 "the forwarder's death in the log" grep -q "forward: the forwarder (pid $fpid) was killed by signal 9 (Killed); starting it again" "$log"
for i in $(seq 50); do
	npid=$(counter forward.pid)
	[ -n "$npid" ] && [ "$npid" != "$fpid" ] && break
	sleep 0.1
done
[ -n "$npid" ] && [ "$npid" != "$fpid" ] || fail "live: no new forwarder after the kill (forward.pid ${npid:-none})"
seccomp_on "$npid" || fail "live: the restarted forwarder has no seccomp filter"
wait_for 5 "forward.restarts 1 in status" counter_is forward.restarts 1
send 02:aa:00:00:00:03 10.9.9.13
wait_for 15 "an event after the forwarder was restarted" arrived 02:aa:00:00:00:03
kill -0 "$dpid" || fail "live: spanwatchd ended when its forwarder was killed"

# the supervisor killed: spanwatchd stops with a clear error
kill -9 "$supervisor"
for i in $(seq 50); do kill -0 "$dpid" 2>/dev/null || break; sleep 0.1; done
kill -0 "$dpid" 2>/dev/null && fail "live: spanwatchd still runs without a forwarder"
wait "$dpid"
rc=$?
dpid=
[ "$rc" = 1 ] || fail "live: exit status $rc after the forwarder's supervisor was killed, expected 1"
grep -q "forward: the forwarder process was killed by signal 9 (Killed); events are no longer forwarded: stopping" "$log" ||
	fail "live: no clear message when the forwarder's supervisor died: $(tail -3 "$log")"
echo "$name: ok ($a + $b spooled + $c events from files, none lost; live: Seccomp 2 in both processes, delivered across an rsyslog restart and a forwarder restart)"
