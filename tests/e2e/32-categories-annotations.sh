#!/bin/sh
# 32-categories-annotations.sh - one device category per asset, decided from
# its evidence, with the fact that decided it; the model from a SIMATIC
# order number; the operator's annotations kept when the captures are read
# again, shown by list and show, and in list --json / --csv; a field too
# long refused with its name and the limit.
# Usage: tests/e2e/32-categories-annotations.sh [BUILD_DIR]
set -u
build=${1:-build}
daemon=$build/spanwatchd
cli=$build/spanwatch
gen=$build/swgen
pcaps=${SW_PCAPS:-../shared/pcaps}
name=32-categories-annotations

[ -x "$daemon" ] && [ -x "$cli" ] && [ -x "$gen" ] || { echo "$name: SKIP: build first"; exit 77; }
command -v jq >/dev/null || { echo "$name: SKIP: jq needed"; exit 77; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
nfail=0
fail() { echo "$name: FAIL: $*"; nfail=$((nfail + 1)); }
cat_of() { "$cli" --db "$1" list --ip "$2" --json | jq -r '.[0].category'; }

# The generated plant (make demo's capture).
"$gen" -o "$tmp/plant.pcap" -n 20000 -s 7 --hosts 60 >/dev/null 2>&1 || fail "swgen"
"$daemon" -c /dev/null -r "$tmp/plant.pcap" --db "$tmp/db" >/dev/null 2>&1 || fail "spanwatchd -r"
"$cli" --db "$tmp/db" list --json >"$tmp/list.json" || fail "list --json"
# S7-315 (order number 6ES7 315-2EH14-0AB0): PLC, its model from the order number.
jq -e '[.[] | select(.vendor == "Siemens" and .model == "CPU 315-2 PN/DP (S7-300)" and
    .category == "plc" and ((.category_reason // "") | test("6ES7 315-2EH14")))] | length >= 1' \
    "$tmp/list.json" >/dev/null || fail "the S7-315 is not a PLC with its model"
# Phoenix Contact ILC 191 (device_type plc from a fingerprint rule): PLC.
jq -e '[.[] | select(.model == "ILC 191 ETH 2TX")][0].category == "plc"' "$tmp/list.json" \
    >/dev/null || fail "the ILC 191 is not a PLC"
jq -e '[.[] | select(.category == "rtu")] | length > 0' "$tmp/list.json" >/dev/null ||
    fail "no DNP3 outstation is an RTU"
jq -e '[.[] | select(.roles | index("gateway"))][0].category == "firewall_router"' \
    "$tmp/list.json" >/dev/null || fail "the gateway is not a firewall/router"
jq -e '[.[] | select(.category == null)] | length == 0' "$tmp/list.json" >/dev/null ||
    fail "an asset without a category"
n=$("$cli" --db "$tmp/db" list --category PLC,rtu --json | jq length)
m=$(jq '[.[] | select(.category == "plc" or .category == "rtu")] | length' "$tmp/list.json")
[ "$n" = "$m" ] && [ "$n" -gt 0 ] || fail "list --category PLC,rtu: $n, want $m"
"$cli" --db "$tmp/db" list --category robot >/dev/null 2>&1; [ $? -eq 2 ] ||
    fail "an unknown category is not a usage error"

# Koyo DirectLOGIC DL405 (a rule on its DHCP host name): PLC.
cap=$pcaps/enip/iti__EIP-IPAddressChangeAttempt.pcap
if [ -f "$cap" ]; then
	"$daemon" -c /dev/null -r "$cap" --db "$tmp/koyo.db" >/dev/null 2>&1
	[ "$(cat_of "$tmp/koyo.db" 192.168.10.131)" = plc ] || fail "the Koyo DL405 is not a PLC"
	[ "$(cat_of "$tmp/koyo.db" 192.168.10.120)" = plc ] || fail "the ControlLogix is not a PLC"
	[ "$(cat_of "$tmp/koyo.db" 192.168.10.253)" = network_device ] || fail "the Catalyst is not a network device"
fi

# Annotations: written, shown, exported in list's formats, kept across a re-read.
ip=$(jq -r '[.[] | select(.category == "camera")][0].ips[0]' "$tmp/list.json")
"$cli" --db "$tmp/db" annotate "$ip" --name "Gate camera" --zone DMZ --criticality low \
    --note "to be replaced" >/dev/null || fail "annotate"
"$cli" --db "$tmp/db" annotate "$ip" --note "" >/dev/null || fail "annotate --note ''"
"$daemon" -c /dev/null -r "$tmp/plant.pcap" --db "$tmp/db" >/dev/null 2>&1 || fail "second read"
a=$("$cli" --db "$tmp/db" list --ip "$ip" --json | jq -c '.[0].annotation | [.name, .zone, .criticality, .note]')
[ "$a" = '["Gate camera","DMZ","low",null]' ] || fail "annotation after a re-read: $a"
"$cli" --db "$tmp/db" show "$ip" | grep -Eq '^name +Gate camera$' || fail "show has no name"
COLUMNS=80 "$cli" --db "$tmp/db" list | grep -q 'Gate camera' || fail "list (80 columns) has no NAME"
"$cli" --db "$tmp/db" list --ip "$ip" --csv | head -1 | grep -q ',name,zone,criticality,note' ||
    fail "CSV header has no annotation columns"
"$cli" --db "$tmp/db" list --ip "$ip" --csv | grep -q ',Gate camera,DMZ,low,' || fail "CSV row has no annotation"
"$cli" --db "$tmp/db" annotate 10.99.99.99 --name x >/dev/null 2>&1; [ $? -eq 1 ] ||
    fail "annotating an unknown asset is not exit 1"
"$cli" --db "$tmp/nosuch.db" annotate 1 --name x >/dev/null 2>&1; [ -e "$tmp/nosuch.db" ] &&
    fail "annotate created a database"
# a field past ANNOTATION_FIELD_MAX is refused, named, and nothing is written (it was cut)
long=$(printf '%01100d' 0)
err=$("$cli" --db "$tmp/db" annotate "$ip" --name "Renamed" --note "$long" 2>&1 >/dev/null); rc=$?
[ $rc -eq 2 ] || fail "a 1100-byte note: exit $rc, want 2"
printf '%s\n' "$err" | grep -q 'note is 1100 bytes as stored; at most 1023 (ANNOTATION_FIELD_MAX)' ||
    fail "a 1100-byte note: the error does not name the field and the limit: $err"
a=$("$cli" --db "$tmp/db" list --ip "$ip" --json | jq -c '.[0].annotation | [.name, .note]')
[ "$a" = '["Gate camera",null]' ] || fail "a refused annotation changed it: $a"

if [ $nfail -ne 0 ]; then
	echo "$name: $nfail failures"
	exit 1
fi
echo "$name: ok"
