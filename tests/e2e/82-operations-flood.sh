#!/bin/sh
# 82-operations-flood.sh - operations in volume, end to end through
# spanwatchd and `spanwatch events --json`, on captures built here:
#   * a SCADA master writing a register (Modbus fc 6) once a second, 10,000
#     times, each answered: one operation event, count 10,000, outcome ok;
#     after 20 minutes of silence the next write is a new event;
#   * 1,000,000 writes to distinct registers from one client: one event,
#     its detail bounded ("+N more"), the daemon's memory bounded.
# Usage: tests/e2e/82-operations-flood.sh [BUILD_DIR]
set -u
build=${1:-build}
daemon=$build/spanwatchd
cli=$build/spanwatch
name=82-operations-flood

fail() { echo "$name: FAIL: $*"; exit 1; }
[ -x "$daemon" ] && [ -x "$cli" ] || { echo "$name: SKIP: build $daemon and $cli first"; exit 77; }
command -v python3 >/dev/null || { echo "$name: SKIP: python3 needed"; exit 77; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM

# A TCP session 10.9.0.1:40000 -> 10.9.0.2:502 with Modbus write single
# register requests and their echoes, one per STEP seconds of packet time.
python3 - "$tmp" <<'PY'
import struct, sys
tmp = sys.argv[1]
CLI_MAC, SRV_MAC = bytes.fromhex("020000000901"), bytes.fromhex("020000000902")
CLI_IP, SRV_IP = bytes([10, 9, 0, 1]), bytes([10, 9, 0, 2])

def csum(b):
    if len(b) % 2: b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16: s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff

def frame(c2s, seq, ack, flags, payload=b""):
    src, dst = (CLI_IP, SRV_IP) if c2s else (SRV_IP, CLI_IP)
    sp, dp = (40000, 502) if c2s else (502, 40000)
    tcp = struct.pack("!HHIIBBHHH", sp, dp, seq, ack, 5 << 4, flags, 65535, 0, 0) + payload
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(tcp), 0, 0x4000, 64, 6, 0, src, dst)
    ip = ip[:10] + struct.pack("!H", csum(ip)) + ip[12:]
    eth = (SRV_MAC + CLI_MAC if c2s else CLI_MAC + SRV_MAC) + b"\x08\x00"
    return eth + ip + tcp

class Pcap:
    def __init__(self, path):
        self.f = open(path, "wb")
        self.f.write(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1))
    def put(self, t_us, b):
        self.f.write(struct.pack("<IIII", t_us // 1000000, t_us % 1000000, len(b), len(b)) + b)

def session(path, writes, step_us, gap_after=None, distinct=False):
    p = Pcap(path)
    t = 1700000000 * 1000000
    cs, ss = 1000, 5000
    p.put(t, frame(True, cs, 0, 0x02)); cs += 1
    p.put(t + 10, frame(False, ss, cs, 0x12)); ss += 1
    p.put(t + 20, frame(True, cs, ss, 0x10))
    for i in range(writes):
        t += step_us
        if gap_after is not None and i == gap_after:
            t += 20 * 60 * 1000000
        reg = i % 65536 if distinct else 40
        unit = (i // 65536) % 256 if distinct else 1
        pdu = struct.pack("!BHH", 6, reg, i & 0xffff)
        req = struct.pack("!HHHB", i & 0xffff, 0, len(pdu) + 1, unit) + pdu
        p.put(t, frame(True, cs, ss, 0x18, req)); cs += len(req)
        p.put(t + 500, frame(False, ss, cs, 0x18, req)); ss += len(req)
    p.f.close()

session(f"{tmp}/poll.pcap", 10001, 1000000, gap_after=10000)
session(f"{tmp}/flood.pcap", 1000000, 1000, distinct=True)
PY
[ -s "$tmp/poll.pcap" ] || fail "could not build the captures"

"$daemon" -r "$tmp/poll.pcap" --db "$tmp/poll.db" >"$tmp/poll.out" 2>&1 || fail "spanwatchd -r poll.pcap"
"$cli" --db "$tmp/poll.db" events --json --kind operation >"$tmp/poll.json" || fail "events exit $?"
/usr/bin/time -f '%M' -o "$tmp/flood.rss" "$daemon" -r "$tmp/flood.pcap" --stats --db "$tmp/flood.db" \
    >"$tmp/flood.out" 2>&1 || fail "spanwatchd -r flood.pcap"
"$cli" --db "$tmp/flood.db" events --json --kind operation >"$tmp/flood.json" || fail "events exit $?"

python3 - "$tmp" <<'PY' || exit 1
import json, sys
t = sys.argv[1]
def fail(m):
    print("82-operations-flood: FAIL:", m); sys.exit(1)
poll = json.load(open(f"{t}/poll.json"))
if len(poll) != 2: fail(f"{len(poll)} operation events for a polling loop and one write after a silence")
a, b = poll
if (a["operation"], a["protocol"], a["count"], a["responses"], a["outcome"]) != ("control_operate", "modbus", 10000, 10000, "ok"):
    fail(f"the loop's event: {a}")
if (a["client"]["ip"], a["server"]["ip"]) != ("10.9.0.1", "10.9.0.2"): fail(f"parties {a['client']} {a['server']}")
if a["ts"] != "2023-11-14T22:13:21Z" or b["count"] != 1: fail(f"first time {a['ts']}, second event count {b['count']}")
flood = json.load(open(f"{t}/flood.json"))
if len(flood) != 1 or flood[0]["count"] != 1000000: fail(f"flood: {[(e['count']) for e in flood]}")
d = flood[0]["detail"]
if "more" not in d or len(d.encode()) > 400: fail(f"flood detail not bounded: {len(d)} bytes: {d[:80]}")
rss = int(open(f"{t}/flood.rss").read().split()[-1])
print(f"82-operations-flood: 10,000 polled writes = 1 event (count {a['count']}), a write after 20 min = a 2nd; "
      f"1,000,000 distinct writes = 1 event, detail {len(d)} bytes, peak RSS {rss // 1024} MiB")
if rss > 400 * 1024: fail(f"peak RSS {rss} KiB")
PY
grep -Eq '^stat\.operations\.details_dropped [1-9]' "$tmp/flood.out" || fail "the dropped details are not counted"
echo "$name: ok"
