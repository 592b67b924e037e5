#!/bin/sh
# The generator's solar park (swgen --solar) read by spanwatchd: inverters,
# a battery and a meter named by their SunSpec registers, a Modbus gateway
# whose three RS-485 units (two Huawei SUN2000 by Huawei's register map, a
# GoodWe ET by GoodWe's) are assets of their own behind it, each with its
# maker, model, serial and risk; the gateway keeps its own identity; the
# substation's PDC shows its PMUs as stations (C37.118).
# Usage: tests/e2e/55-solar.sh BUILD_DIR
set -u
build=${1:-build}
fail() { echo "55-solar: $*"; exit 1; }
skip() { echo "$*"; exit 77; }
command -v jq >/dev/null || skip "jq is not installed (make deps)"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/sw-solar.XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM

"$build/swgen" -o "$tmp/s.pcap" -n 8000 -s 3 --hosts 40 --solar --expected "$tmp/s.json" \
    2>/dev/null || fail "swgen --solar failed"
"$build/spanwatchd" -c /dev/null -r "$tmp/s.pcap" --db "$tmp/s.db" >/dev/null 2>&1 ||
    fail "spanwatchd -r failed"
"$build/spanwatch" --db "$tmp/s.db" list --json >"$tmp/list.json" || fail "spanwatch list failed"

gw=$(jq -r '.hosts[] | select(.modbus_units) | .ip' "$tmp/s.json")
[ -n "$gw" ] || fail "the expected inventory names no gateway"
# every unit the generator put behind the gateway, with its identity
jq -c '.hosts[] | select(.modbus_units) | .modbus_units[]' "$tmp/s.json" | while read -r u; do
	unit=$(echo "$u" | jq .unit)
	got=$(jq -c --arg ip "$gw" --argjson unit "$unit" '[.[] | select(.behind.ip == $ip and
	    .behind.unit == $unit) | {vendor, model, serial}] | .[0]' "$tmp/list.json")
	want=$(echo "$u" | jq -c '{vendor, model, serial}')
	[ "$got" = "$want" ] || fail "unit $unit behind $gw: got $got, want $want"
done || exit 1
[ "$(jq --arg ip "$gw" '[.[] | select(.behind.ip == $ip)] | length' "$tmp/list.json")" = 3 ] ||
	fail "not three units behind $gw"
# the units' risk is their own: Huawei and GoodWe are Chinese makers
[ "$(jq --arg ip "$gw" '[.[] | select(.behind.ip == $ip and .risk.level == "high")] | length' \
    "$tmp/list.json")" = 3 ] || fail "the units behind $gw are not all high risk"
# the gateway keeps its own maker (43/14 and its OUI), none of its units'
[ "$(jq -r --arg ip "$gw" '.[] | select(.ips == [$ip] and .behind == null) | .vendor' \
    "$tmp/list.json")" = Moxa ] || fail "the gateway $gw lost its own identity"
"$build/spanwatch" --db "$tmp/s.db" list --columns id,mac,ip,vendor,model | grep -q "^[0-9]* *- *$gw unit 3 *GoodWe *GW10K-ET" ||
	fail "list does not show unit 3 with the gateway's IP"
"$build/spanwatch" --db "$tmp/s.db" show "$gw" | grep -q "MODBUS UNITS BEHIND IT (3)" ||
	fail "show of the gateway does not list its units"
# SunSpec devices speaking Modbus/TCP themselves: the maker is their own
# (as the vendor table names it: SunSpec's "SMA" is SMA Solar)
for dev in "SMA Solar|STP 25000TL-30" "BYD|Battery-Box Premium HVS" "Janitza|UMG 604-PRO"; do
	v=${dev%%|*}; m=${dev#*|}
	[ "$(jq --arg v "$v" --arg m "$m" '[.[] | select(.vendor == $v and .model == $m and
	    .behind == null)] | length' "$tmp/list.json")" = 1 ] || fail "no $dev from SunSpec"
done
# BYD (Shenzhen) is in the vendor table: its risk names the country from there, not only the OUI's
[ "$(jq -r '.[] | select(.vendor == "BYD") | .risk.country' "$tmp/list.json")" = CN ] ||
	fail "BYD's risk has no country: $(jq -c '.[] | select(.vendor == "BYD") | .risk' "$tmp/list.json")"
jq -e '.[] | select(.vendor == "BYD") | .risk.reasons | any(test("not in the vendor table"))' \
    "$tmp/list.json" >/dev/null && fail "BYD still judged as a maker missing from the vendor table"
# the substation PDC (C37.118) with its two PMUs as stations
pdc=$(jq -r '[.[] | select(.roles | index("pdc"))] | .[0].ips[0]' "$tmp/list.json")
[ "$pdc" != null ] || fail "no asset with the role pdc"
"$build/spanwatch" --db "$tmp/s.db" show --json "$pdc" >"$tmp/pdc.json" || fail "show $pdc failed"
[ "$(jq '[.evidence[] | select(.attribute == "c37118_station") | .value] | sort' -c "$tmp/pdc.json")" = \
    '["FEEDER 12 (id 302)","SOLAR PARK 150KV (id 301)"]' ] || fail "the PDC's stations are wrong"
echo "55-solar: ok"
