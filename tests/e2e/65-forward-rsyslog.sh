#!/bin/sh
# Syslog forwarding against a real rsyslog on loopback: events reach it
# RFC 5424-framed; while it is down they are spooled, and when it is back
# the backlog is replayed in order with nothing lost.
# Usage: tests/e2e/65-forward-rsyslog.sh BUILD_DIR
set -u
build=${1:-build}
name=65-forward-rsyslog
daemon=$build/spanwatchd
pcaps=${SW_PCAPS:-../shared/pcaps}
fail() { echo "$name: FAIL: $*"; [ -f "$tmp/rsyslog.log" ] && tail -5 "$tmp/rsyslog.log"; exit 1; }
command -v rsyslogd >/dev/null || { echo "$name: SKIP: rsyslogd not installed (make deps)"; exit 77; }
command -v python3 >/dev/null || { echo "$name: SKIP: python3 needed to pick a free port"; exit 77; }
[ -x "$daemon" ] || { echo "$name: SKIP: build $daemon first"; exit 77; }

tmp=$(mktemp -d)
rpid=
stop_rsyslog() { [ -n "$rpid" ] && kill "$rpid" 2>/dev/null && wait "$rpid" 2>/dev/null; rpid=; }
trap 'stop_rsyslog; rm -rf "$tmp"' EXIT INT TERM
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')

cat > "$tmp/rsyslog.conf" <<EOC
global(workDirectory="$tmp")
module(load="imtcp")
input(type="imtcp" port="$port" address="127.0.0.1")
template(name="raw" type="string" string="%msgid% %structured-data% %msg%\n")
:app-name, isequal, "spanwatch" action(type="omfile" file="$tmp/out" template="raw")
EOC
start_rsyslog() {
	rsyslogd -n -f "$tmp/rsyslog.conf" -i "$tmp/rsyslog.pid" >>"$tmp/rsyslog.log" 2>&1 &
	rpid=$!
	for i in $(seq 50); do
		python3 -c "import socket; socket.create_connection(('127.0.0.1',$port),1).close()" 2>/dev/null && return 0
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
echo "$name: ok ($a + $b spooled + $c events, none lost)"
