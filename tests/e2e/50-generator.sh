#!/bin/sh
# The capture generator (tools/swgen*.c) that `make demo` and `make bench` use:
#   - the same seed gives the same bytes (capture and expected inventory); another seed does not;
#   - -n is exact;
#   - Wireshark (tshark) finds every protocol the generator claims to write, and flags as
#     malformed no more frames than the generator deliberately broke;
#   - the expected inventory lists every host, with MAC or router, IP and identity facts;
#   - `--crowd` writes N distinct hosts;
#   - spanwatchd over the capture finds every expected host and identity fact, and its
#     --stats counters count the broken frames as swgen says they do (malformed_by_counter:
#     equal for what a frame shows, at most swgen's for a PDU held until its flow ends).
# Usage: tests/e2e/50-generator.sh BUILD_DIR
set -u
build=${1:-build}
gen=$build/swgen
fail() { echo "50-generator: $*"; exit 1; }
skip() { echo "$*"; exit 77; }
[ -x "$gen" ] || fail "$gen is not built"
command -v tshark >/dev/null || skip "tshark is not installed (make deps)"
command -v jq >/dev/null || skip "jq is not installed (make deps)"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/sw-gen.XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM

# --- determinism --------------------------------------------------------------
"$gen" -o "$tmp/a.pcap" -n 30000 -s 5 --hosts 120 --expected "$tmp/a.json" 2>/dev/null || fail "swgen failed"
"$gen" -o "$tmp/b.pcap" -n 30000 -s 5 --hosts 120 --expected "$tmp/b.json" 2>/dev/null || fail "swgen failed (2nd run)"
"$gen" -o "$tmp/c.pcap" -n 30000 -s 6 --hosts 120 2>/dev/null || fail "swgen failed (seed 6)"
cmp -s "$tmp/a.pcap" "$tmp/b.pcap" || fail "seed 5 twice gave different captures"
cmp -s "$tmp/a.json" "$tmp/b.json" || fail "seed 5 twice gave different expected inventories"
cmp -s "$tmp/a.pcap" "$tmp/c.pcap" && fail "seeds 5 and 6 gave the same capture"

# --- -n is exact, and the inventory says so --------------------------------------
n=$(tshark -r "$tmp/a.pcap" -q -z io,phs 2>/dev/null | awk '$1 == "eth" { sub("frames:", "", $2); print $2 }')
[ "$n" = 30000 ] || fail "-n 30000 wrote $n frames"
[ "$(jq .packets "$tmp/a.json")" = 30000 ] || fail "expected inventory says $(jq .packets "$tmp/a.json") packets"

# --- Wireshark decodes what the generator writes ----------------------------------
tshark -r "$tmp/a.pcap" -q -z io,phs >"$tmp/phs" 2>/dev/null || fail "tshark cannot read the capture"
for p in vlan arp lldp mbtcp modbus dnp3 iec60870_104 iec60870_asdu enip s7comm bvlc bacapp \
    http tls ssh dhcp; do
	grep -q "^ *$p  *frames:" "$tmp/phs" || { cat "$tmp/phs"; fail "tshark finds no $p"; }
done
# Frames Wireshark calls malformed or bogus: only the ones swgen broke on purpose.
bad=$(tshark -r "$tmp/a.pcap" -Y '_ws.malformed || _ws.expert.severity == "Error"' 2>/dev/null | wc -l)
broken=$(jq .malformed_frames "$tmp/a.json")
[ "$broken" -gt 0 ] || fail "the capture has no deliberately malformed frames"
[ "$bad" -le "$broken" ] || {
	tshark -r "$tmp/a.pcap" -Y '_ws.malformed || _ws.expert.severity == "Error"' 2>/dev/null | head -n 10
	fail "tshark flags $bad frames, swgen broke only $broken"
}
# Identity facts as Wireshark reads them, for one protocol each.
dev=$(tshark -r "$tmp/a.pcap" -Y 'modbus.mei == 14' -T fields -e modbus.object_str_value 2>/dev/null | tr ',' '\n' | sort -u)
jq -r '.hosts[].facts.vendor // empty' "$tmp/a.json" | sort -u | while read -r v; do
	printf '%s\n' "$dev" | grep -qxF "$v" && echo ok
done | grep -q ok || fail "no Modbus device identification VendorName that the inventory expects"
sni=$(tshark -r "$tmp/a.pcap" -Y 'tls.handshake.type == 1' -T fields -e tls.handshake.extensions_server_name 2>/dev/null | grep -c .)
[ "$sni" -gt 0 ] || fail "no TLS ClientHello with an SNI"
crc=$(tshark -r "$tmp/a.pcap" -o dnp3.check_crc:TRUE -Y 'dnp3.hdr.CRC.status == 2 || dnp3.data_chunk_crc.status == 2' 2>/dev/null | wc -l)
[ "$crc" -le "$broken" ] || fail "$crc DNP3 frames with a bad CRC"

# --- the expected inventory -------------------------------------------------------
[ "$(jq '.hosts | length' "$tmp/a.json")" = 120 ] || fail "--hosts 120 but $(jq '.hosts | length' "$tmp/a.json") hosts expected"
jq -e '[.hosts[] | select(.ip == null or (.mac == null and .behind_router != true))] | length == 0' "$tmp/a.json" >/dev/null ||
	fail "a host without IP, or without MAC on the LAN"
jq -e '[.hosts[] | select(.behind_router)] | length > 0' "$tmp/a.json" >/dev/null || fail "no host behind the router"
jq -e '.router_mac | test("^[0-9a-f]{2}(:[0-9a-f]{2}){5}$")' "$tmp/a.json" >/dev/null || fail "no router MAC"
for k in vendor firmware hostname; do
	jq -e --arg k "$k" '[.hosts[].facts[$k] // empty] | length > 0' "$tmp/a.json" >/dev/null || fail "no host with a $k fact"
done
# every MAC is from a real vendor block: the OUI registry knows its first three bytes
if [ -r /usr/share/ieee-data/oui.csv ]; then
	jq -r '.hosts[].mac // empty' "$tmp/a.json" | cut -c1-8 | tr -d : | tr a-f A-F | sort -u |
	while read -r o; do grep -q "^MA-L,$o," /usr/share/ieee-data/oui.csv || echo "$o"; done >"$tmp/unknown"
	[ ! -s "$tmp/unknown" ] || fail "MAC blocks not in the IEEE registry: $(tr '\n' ' ' <"$tmp/unknown")"
fi

# --- --crowd ----------------------------------------------------------------------
"$gen" --crowd -o "$tmp/crowd.pcap" -n 6000 --hosts 500 -s 1 --expected "$tmp/crowd.json" 2>/dev/null ||
	fail "swgen --crowd failed"
macs=$(tshark -r "$tmp/crowd.pcap" -Y arp -T fields -e arp.src.hw_mac 2>/dev/null | sort -u | wc -l)
[ "$macs" = 500 ] || fail "--crowd --hosts 500: $macs distinct ARP senders"
[ "$(jq '.hosts | length' "$tmp/crowd.json")" = 508 ] || fail "--crowd inventory: $(jq '.hosts | length' "$tmp/crowd.json") hosts, not 500 + 8 PLCs"

# --- spanwatchd finds what the generator put on the wire ----------------------------
[ -x "$build/spanwatchd" ] && [ -x "$build/spanwatch" ] || skip "spanwatchd/spanwatch not built"
cat >"$tmp/sw.conf" <<CONF
[ndpi]
enabled = no
[oui]
override = $tmp/no-override.csv
[risk]
policy = $(pwd)/packaging/risk.conf
vendors = $(pwd)/oui/vendors.csv
CONF
"$build/spanwatchd" -c "$tmp/sw.conf" -r "$tmp/a.pcap" --db "$tmp/a.db" >"$tmp/d.out" 2>&1 ||
	{ tail -n 20 "$tmp/d.out"; fail "spanwatchd -r failed"; }
# The broken frames, counter by counter (the sum is swgen's malformed_frames).
"$build/spanwatchd" -c "$tmp/sw.conf" -r "$tmp/a.pcap" --db "$tmp/stats.db" --stats >"$tmp/stats" 2>&1 ||
	fail "spanwatchd -r --stats failed"
[ "$(jq '[.malformed_by_counter[]] | add' "$tmp/a.json")" = "$broken" ] ||
	fail "malformed_by_counter does not add up to malformed_frames ($broken)"
for c in $(jq -r '.malformed_by_counter | keys[]' "$tmp/a.json"); do
	want=$(jq ".malformed_by_counter[\"$c\"]" "$tmp/a.json")
	got=$(awk -v c="$c" '$1 == c { print $2 }' "$tmp/stats")
	case $c in
	stat.modbus.truncated)	# counted once per stream direction as its flow ends: a
		# length past the data stalls the stream, which swallows later broken frames
		[ "${got:-0}" -ge 1 ] && [ "${got:-0}" -le "$want" ] ||
			fail "$c: spanwatchd ${got:-0}, swgen broke $want (want 1..$want)" ;;
	*)	[ "${got:-0}" = "$want" ] || fail "$c: spanwatchd counts ${got:-0}, swgen broke $want" ;;
	esac
done
"$build/spanwatch" --db "$tmp/a.db" list --json | jq -r '.[].id' | while read -r id; do
	"$build/spanwatch" --db "$tmp/a.db" show "$id" --json
done | jq -s '[.[] | {mac, ips, gateway,
    ev: ([.evidence[] | {a: .attribute, v: (.value | ascii_downcase)}]
         + [{a: "vendor", v: ((.vendor // "") | ascii_downcase)}, {a: "model", v: ((.model // "") | ascii_downcase)},
            {a: "firmware", v: ((.firmware // "") | ascii_downcase)}, {a: "hostname", v: ((.hostname // "") | ascii_downcase)}])}]' \
    >"$tmp/assets.json" || fail "spanwatch list/show --json failed"
jq -n --slurpfile e "$tmp/a.json" --slurpfile a "$tmp/assets.json" -f tools/bench-score.jq >"$tmp/score.json" ||
	fail "scoring failed"
jq -c . "$tmp/score.json"
jq -e '.found == .hosts' "$tmp/score.json" >/dev/null || fail "hosts not found: $(jq -c .missed_hosts "$tmp/score.json")"
jq -e '.router == true' "$tmp/score.json" >/dev/null || fail "the router is not a gateway asset"
jq -e '.facts_found == .facts' "$tmp/score.json" >/dev/null || fail "identity facts not found: $(jq -c .missed "$tmp/score.json")"
echo "50-generator: ok"
