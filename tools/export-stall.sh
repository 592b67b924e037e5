#!/bin/sh
# export-stall.sh - does a scheduled export stall packet processing?
#
# spanwatchd captures on one end of a veth pair while tcpreplay sends a
# capture at a steady rate into the other end, inside a network namespace
# of its own; with EXPORT=yes the daemon's export_at is the current minute,
# so its timer (every 20 s) starts an export of every format of the given
# database during the 40 s of traffic.  Prints the capture's received and
# kernel-dropped packets and the exports logged.  Run it with and without
# the export: drops that only the export run shows are the export's.
#
# Usage (root): tools/export-stall.sh BUILD DB CAPTURE PPS yes|no
#   e.g. swgen --crowd -o crowd.pcap -n 1000000 --hosts 100000;
#        spanwatchd -r crowd.pcap --db big.db (100,000 assets);
#        tools/export-stall.sh build big.db crowd.pcap 20000 yes
set -u
b=$1; db=$2; cap=$3; pps=$4; exp=$5
cli=$(dirname "$0")/../build/spanwatch
[ -x "$cli" ] || cli=$b/spanwatch
d=$(mktemp -d)
trap 'kill $rp $dp 2>/dev/null; ip netns del swstall 2>/dev/null; ip link del swst0 2>/dev/null; rm -rf "$d"' EXIT INT TERM
rp=; dp=
cp "$db" "$d/live.db"
chown -R nobody:nogroup "$d"; chmod 777 "$d"
ip netns add swstall
ip link add swst0 type veth peer name swst1
ip link set swst1 netns swstall
ip link set swst0 up
ip netns exec swstall ip link set swst1 up
# the timer first looks 20 s after the start: begin early in a minute
while [ "$exp" = yes ] && [ "$(date +%S)" -ge 25 ]; do sleep 1; done
if [ "$exp" = yes ]; then at=$(date +%H:%M); else at=""; fi
printf '[capture]\ninterface = swst0\n[store]\ndatabase = %s/live.db\n[daemon]\nuser = nobody\ncontrol_socket = %s/ctl.sock\n[export]\nexport_at = %s\nexport_dir = %s/out\nexport_formats = ecs,cef,csv\nsensor_name = stall\n' \
    "$d" "$d" "$at" "$d" >"$d/sw.conf"
"$b/spanwatchd" -d -c "$d/sw.conf" >"$d/d.log" 2>&1 &
dp=$!
sleep 1
ip netns exec swstall tcpreplay -q -i swst1 --pps="$pps" --loop=0 "$cap" >/dev/null 2>&1 &
rp=$!
sleep 40
kill $rp; wait $rp 2>/dev/null; rp=
sleep 1
"$cli" status --socket "$d/ctl.sock" --all | grep -E 'capture\.(received|kernel_drops)'
grep 'export ' "$d/d.log"
