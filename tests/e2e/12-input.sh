#!/bin/sh
# 12-input.sh - what -r reads: several files (-r a -r b, or a directory) in
# the order of their first packets; pcapng with several interfaces of
# different link types, snapshot lengths and timestamp resolutions, in
# either byte order (mergecap's default output); clear errors for what it
# cannot read.
# Usage: tests/e2e/12-input.sh [BUILD_DIR]
set -u
build=${1:-build}
daemon=$build/spanwatchd
cli=$build/spanwatch
pcaps=${SW_PCAPS:-../shared/pcaps}
name=12-input

[ -x "$daemon" ] && [ -x "$cli" ] || { echo "$name: SKIP: build first"; exit 77; }
command -v python3 >/dev/null || { echo "$name: SKIP: python3 needed"; exit 77; }
a=$pcaps/dnp3/iti__read_and_response.pcap
b=$pcaps/modbus/iti__modbusSmall.pcap
[ -f "$a" ] && [ -f "$b" ] || { echo "$name: SKIP: no captures in $pcaps"; exit 77; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
nfail=0
fail() { echo "$name: FAIL: $*"; nfail=$((nfail + 1)); }
packets() { sed -n 's/^read .*: \([0-9]*\) packets in .*/\1/p' "$1"; }

"$daemon" -c /dev/null -r "$a" --stats >"$tmp/a.out" 2>&1 || fail "-r $a"
"$daemon" -c /dev/null -r "$b" --stats >"$tmp/b.out" 2>&1 || fail "-r $b"
na=$(packets "$tmp/a.out"); nb=$(packets "$tmp/b.out")

# Two files, given newest first: read oldest first, every packet once.
"$daemon" -c /dev/null -r "$a" -r "$b" --db "$tmp/ab.db" >"$tmp/ab.out" 2>&1 || fail "-r a -r b: exit $?"
[ "$(packets "$tmp/ab.out")" = $((na + nb)) ] || fail "-r a -r b: $(packets "$tmp/ab.out") packets, want $((na + nb))"
grep -q "^read 2 files ($b \.\.\. $a)" "$tmp/ab.out" || fail "-r a -r b: not in time order: $(head -1 "$tmp/ab.out")"
"$cli" --db "$tmp/ab.db" list --proto modbus --json | grep -q '"modbus_server"' || fail "-r a -r b: no Modbus server"
"$cli" --db "$tmp/ab.db" list --proto dnp3 --json | grep -q '"dnp3_outstation"' || fail "-r a -r b: no DNP3 outstation"

# A directory: its capture files, not the rest.
mkdir "$tmp/dir"
cp "$a" "$b" "$tmp/dir/"
echo "not a capture" >"$tmp/dir/README"
"$daemon" -c /dev/null -r "$tmp/dir" --stats >"$tmp/dir.out" 2>&1 || fail "-r DIR: exit $?"
[ "$(packets "$tmp/dir.out")" = $((na + nb)) ] || fail "-r DIR: $(packets "$tmp/dir.out") packets"
mkdir "$tmp/empty"
"$daemon" -c /dev/null -r "$tmp/empty" >"$tmp/e.out" 2>&1; [ $? -ne 0 ] || fail "an empty directory is not an error"
grep -q "no capture files" "$tmp/e.out" || fail "an empty directory: no clear message"
echo junk >"$tmp/junk.pcap"
"$daemon" -c /dev/null -r "$a" -r "$tmp/junk.pcap" >"$tmp/j.out" 2>&1; [ $? -eq 1 ] ||
    fail "a file that is no capture: exit is not 1"
grep -q "cannot read capture $tmp/junk.pcap" "$tmp/j.out" || fail "a file that is no capture: no clear message"

# mergecap's default output (pcapng, one interface per input, different snap lengths)
if command -v mergecap >/dev/null; then
	mergecap -w "$tmp/merged.pcapng" "$a" "$b" || fail "mergecap"
	"$daemon" -c /dev/null -r "$tmp/merged.pcapng" --stats >"$tmp/m.out" 2>&1 || fail "mergecap output: exit $?"
	[ "$(packets "$tmp/m.out")" = $((na + nb)) ] || fail "mergecap output: $(packets "$tmp/m.out") packets, want $((na + nb))"
fi

# pcapng written here: Ethernet and raw-IP interfaces, nanosecond stamps, a
# big-endian second section, unknown blocks; then a block that lies.
python3 - "$a" "$tmp" <<'PY'
import struct, sys
src, tmp = sys.argv[1], sys.argv[2]
d = open(src, 'rb').read()
magic, = struct.unpack('<I', d[:4])
e = '<' if magic == 0xa1b2c3d4 else '>'
off, pkts = 24, []
while off + 16 <= len(d):
    s, us, cl, ol = struct.unpack(e + 'IIII', d[off:off + 16])
    pkts.append((s * 1000000 + us, d[off + 16:off + 16 + cl], ol)); off += 16 + cl
def blk(o, t, body):
    body += b'\0' * (-len(body) % 4)
    return struct.pack(o + 'II', t, len(body) + 12) + body + struct.pack(o + 'I', len(body) + 12)
def opt(o, code, val):
    return struct.pack(o + 'HH', code, len(val)) + val + b'\0' * (-len(val) % 4)
def section(o, ps):
    out = blk(o, 0x0a0d0d0a, struct.pack(o + 'IHHq', 0x1a2b3c4d, 1, 0, -1))
    out += blk(o, 1, struct.pack(o + 'HHI', 1, 0, 262144))                       # Ethernet, us
    out += blk(o, 1, struct.pack(o + 'HHI', 101, 0, 1500) + opt(o, 9, b'\x09') + opt(o, 0, b''))  # raw IP, ns
    out += blk(o, 0x0bad, b'custom block, skipped')
    for i, (ts, data, ol) in enumerate(ps):
        raw = i % 2 == 1 and data[12:14] == b'\x08\x00'
        iface, t = (1, ts * 1000) if raw else (0, ts)
        data = data[14:] if raw else data
        ol = ol - 14 if raw else ol
        out += blk(o, 6, struct.pack(o + 'IIIII', iface, t >> 32, t & 0xffffffff, len(data), ol) + data)
    return out
half = len(pkts) // 2
open(tmp + '/multi.pcapng', 'wb').write(section('<', pkts[:half]) + section('>', pkts[half:]))
good = section('<', pkts[:4])
bad = bytearray(good + blk('<', 6, struct.pack('<IIIII', 0, 0, 0, 4000, 4000) + b'x' * 8))
open(tmp + '/lying.pcapng', 'wb').write(bytes(bad))
open(tmp + '/count', 'w').write(str(len(pkts)))
PY
"$daemon" -c /dev/null -r "$tmp/multi.pcapng" --stats >"$tmp/multi.out" 2>&1 || fail "pcapng with two link types: exit $?"
[ "$(packets "$tmp/multi.out")" = "$(cat "$tmp/count")" ] || fail "pcapng with two link types: $(packets "$tmp/multi.out") packets"
grep -Eq '^proto\.dnp3 [1-9]' "$tmp/multi.out" || fail "pcapng with two link types: no DNP3 decoded"
[ "$(sed -n 's/^proto\.ipv4 //p' "$tmp/multi.out")" = "$(sed -n 's/^proto\.ipv4 //p' "$tmp/a.out")" ] ||
    fail "pcapng with two link types: IPv4 count differs from the pcap's"
"$daemon" -c /dev/null -r "$tmp/lying.pcapng" --stats >"$tmp/lying.out" 2>&1; [ $? -eq 1 ] ||
    fail "a lying pcapng block: exit is not 1"
grep -q "lies about its length\|cut short" "$tmp/lying.out" || fail "a lying pcapng block: no clear message: $(cat "$tmp/lying.out")"
[ "$(packets "$tmp/lying.out")" = 4 ] || fail "a lying pcapng block: the 4 packets before it not kept"

if [ $nfail -ne 0 ]; then
	echo "$name: $nfail failures"
	exit 1
fi
echo "$name: ok"
