#!/bin/sh
# 55-internet.sh - the calling-home plant end to end:
#   swgen --internet -o CAP --location-db LOC; spanwatchd -r CAP ([site] location_db = LOC);
#   spanwatch internet --json / table; list --json; show
# Each device is judged as docs/RISK.md says: a risk-country vendor's
# service is high whoever made the device (Kaspersky by name and by
# address, Sunlogin, Hik-Connect on AWS, Tuya's EU cloud on AWS,
# FusionSolar); ordinary vendors' clouds (Sunny Portal, Windows Update) are
# findings without risk; a connection into CN address space without a
# known service and a resolver in CN are elevated; the scanner is the
# PLC's exposure.  No outside address is an asset.
# Usage: tests/e2e/55-internet.sh [BUILD_DIR]
set -u
build=${1:-build}
daemon=$build/spanwatchd
cli=$build/spanwatch
gen=$build/swgen
name=55-internet

fail() { echo "$name: FAIL: $*"; exit 1; }
[ -x "$daemon" ] && [ -x "$cli" ] && [ -x "$gen" ] || { echo "$name: SKIP: build first"; exit 77; }
command -v jq >/dev/null || { echo "$name: SKIP: jq needed"; exit 77; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
"$gen" --internet -o "$tmp/cap.pcap" --location-db "$tmp/loc.db" 2>"$tmp/gen.err" ||
	{ cat "$tmp/gen.err"; fail "swgen --internet: exit $?"; }
printf '[site]\nlocation_db = %s\n' "$tmp/loc.db" >"$tmp/sw.conf"
"$daemon" -c "$tmp/sw.conf" -r "$tmp/cap.pcap" --db "$tmp/sw.db" >"$tmp/d.out" 2>&1 ||
	{ cat "$tmp/d.out"; fail "spanwatchd -r: exit $?"; }
"$cli" --db "$tmp/sw.db" internet --json >"$tmp/inet.json" || fail "internet --json: exit $?"
"$cli" --db "$tmp/sw.db" internet >"$tmp/inet.txt" || fail "internet: exit $?"
"$cli" --db "$tmp/sw.db" list --json >"$tmp/list.json" || fail "list --json: exit $?"

level() { jq -r --arg ip "$1" '.[] | select(.ip == $ip) | .level' "$tmp/inet.json"; }
reason() { jq -r --arg ip "$1" '.[] | select(.ip == $ip) | .reasons[].text' "$tmp/inet.json"; }
expect() {	# IP LEVEL TEXT: the asset's verdict and one of its reasons
	l=$(level "$1")
	[ "$l" = "$2" ] || fail "$1: level '$l', expected '$2'"
	reason "$1" | grep -qF "$3" || { reason "$1"; fail "$1: no reason with '$3'"; }
}
expect 192.168.10.10 high "runs Kaspersky (Kaspersky, RU; FCC-COVERED): resolves dnl-07.geo.kaspersky.com"
expect 192.168.10.10 high "runs Kaspersky network (Kaspersky, RU; FCC-COVERED): talks to 185.85.15.20 (AS200107"
expect 192.168.10.11 high "remote access by Sunlogin (Oray, CN)"
expect 192.168.10.20 high "talks to Hik-Connect (Hikvision, CN; FCC-COVERED) at litedev.hik-connect.com"
expect 192.168.10.21 high "talks to Tuya cloud (EU) (Tuya, CN) at a1.tuyaeu.com"
expect 192.168.10.30 high "talks to FusionSolar (Huawei, CN; FCC-COVERED) at eu5.fusionsolar.huawei.com"
expect 192.168.10.31 none "Sunny Portal (SMA Solar, DE) at www.sunnyportal.com (dns/query); an Internet service, no risk"
expect 192.168.10.12 none "Windows Update (Microsoft, US) at download.windowsupdate.com"
expect 192.168.10.40 elevated "connects to 222.186.10.10 in CN (AS4134 Chinanet) on http/8080 without a known service"
expect 192.168.10.40 elevated "exposed to the Internet: 167.94.138.50 (US, AS398722 CENSYS-ARIN-03)"
expect 192.168.10.41 elevated "resolves names through 114.114.114.114 outside the site (CN, AS21859"
# who runs the other end: the AS owner through the vendor table, the country of the address
owner=$(jq -r '.[] | select(.ip == "192.168.10.30") | .destinations[0] | "\(.owner) \(.country) \(.asn)"' "$tmp/inet.json")
[ "$owner" = "Huawei SG 136907" ] || fail "SmartLogger's destination: '$owner'"
owner=$(jq -r '.[] | select(.ip == "192.168.10.21") | .destinations[0] | "\(.owner) \(.country) \(.endpoints[0].names[0].name)"' "$tmp/inet.json")
[ "$owner" = "Amazon DE a1.tuyaeu.com" ] || fail "Tuya gateway's destination: '$owner'"
# nothing external in the inventory: 12 local hosts (router, resolver, ten devices)
n=$(jq length "$tmp/list.json")
[ "$n" = 11 ] || fail "list has $n assets, expected 11"
jq -r '.[].ips[]' "$tmp/list.json" | grep -v '^192\.168\.10\.' && fail "an outside address is an asset"
grep -q "probed from 167.94.138.50" "$tmp/inet.txt" || fail "the table does not show the scanner"
id=$(jq -r '.[] | select(.ips[0] == "192.168.10.30") | .id' "$tmp/list.json")
"$cli" --db "$tmp/sw.db" show "$id" >"$tmp/show.txt" || fail "show $id: exit $?"
grep -q "119.8.1.1" "$tmp/show.txt" || { cat "$tmp/show.txt"; fail "show lists no external endpoint"; }
svc=$("$cli" --db "$tmp/sw.db" risk --json | jq .summary.service_reasons)
[ "$svc" = 7 ] || fail "risk counts $svc assets with service reasons, expected 7"
# the exports carry the endpoints: ECS destination.* with geo and AS, related.hosts
mkdir "$tmp/exp"
"$cli" --db "$tmp/sw.db" export --format ecs --full -o "$tmp/exp" >/dev/null || fail "export: exit $?"
n=$(jq -c 'select(.destination.domain == "eu5.fusionsolar.huawei.com" and .destination.as.number == 136907
    and .destination.geo.country_iso_code == "SG" and (.related.hosts | index("eu5.fusionsolar.huawei.com")) != null
    and .network.direction == "outbound")' "$tmp"/exp/*.ndjson | wc -l)
[ "$n" = 1 ] || fail "ECS export: $n records of the SmartLogger's FusionSolar flow"
n=$(jq -c 'select(.network.direction == "inbound" and .source.ip == "167.94.138.50")' "$tmp"/exp/*.ndjson | wc -l)
[ "$n" = 2 ] || fail "ECS export: $n records of the scanner's probes"
echo "$name: ok"
