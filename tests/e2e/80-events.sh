#!/bin/sh
# 80-events.sh - change events end to end (spanwatch events --json):
#   * on an EtherNet/IP capture with 12 assets, a first read gives one
#     asset_new per asset and at most a few other events per asset;
#   * reading the same capture again into the same database adds no event;
#   * every event follows docs/JSON.md ("Events"), and --kind/--asset filter;
#   * --ip, --subnet (the asset's, an operation's client or server address)
#     and --kind, repeated or comma-separated, keep exactly the events
#     python picks from the whole list;
#   * `spanwatch baseline --accept` ends the learning period;
#   * --follow shows the events the daemon writes while it runs.
# Usage: tests/e2e/80-events.sh [BUILD_DIR]
set -u
build=${1:-build}
daemon=$build/spanwatchd
cli=$build/spanwatch
pcaps=${SW_PCAPS:-../shared/pcaps}
name=80-events
cap=$pcaps/enip/iti__EIP-IPAddressChangeAttempt.pcap

fail() { echo "$name: FAIL: $*"; exit 1; }
[ -x "$daemon" ] && [ -x "$cli" ] || { echo "$name: SKIP: build $daemon and $cli first"; exit 77; }
command -v python3 >/dev/null || { echo "$name: SKIP: python3 needed to read JSON"; exit 77; }
[ -f "$cap" ] || { echo "$name: SKIP: no $cap"; exit 77; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
db=$tmp/db

"$daemon" -r "$cap" --db "$db" >/dev/null 2>&1 || fail "spanwatchd -r $cap"
"$cli" --db "$db" events --json >"$tmp/first.json" || fail "events --json exit $?"
"$cli" --db "$db" list --json >"$tmp/list.json" || fail "list --json exit $?"
"$daemon" -r "$cap" --db "$db" >/dev/null 2>&1 || fail "spanwatchd -r $cap (again)"
"$cli" --db "$db" events --json >"$tmp/second.json" || fail "events --json exit $?"
"$cli" --db "$db" events --json --kind asset_new >"$tmp/kind.json" || fail "events --kind exit $?"
"$cli" --db "$db" events --json --asset 3 >"$tmp/asset.json" || fail "events --asset exit $?"
"$cli" --db "$db" events >"$tmp/table" || fail "events (table) exit $?"
"$cli" --db "$db" baseline --json >"$tmp/bl1.json" || fail "baseline --json exit $?"
"$cli" --db "$db" baseline --accept >/dev/null || fail "baseline --accept exit $?"
"$cli" --db "$db" baseline --json >"$tmp/bl2.json" || fail "baseline --json exit $?"

python3 - "$tmp" <<'PY' || exit 1
import json, sys, collections
t = sys.argv[1]
ld = lambda n: json.load(open(f"{t}/{n}"))
first, second, assets = ld("first.json"), ld("second.json"), ld("list.json")
def fail(msg):
    print("80-events: FAIL:", msg); sys.exit(1)
keys = {"id", "ts", "kind", "asset", "severity", "baseline", "detail"}
for e in first:
    if not keys <= e.keys(): fail(f"event {e.get('id')} lacks {keys - e.keys()}")
    if not (e["ts"].endswith("Z") and "T" in e["ts"]): fail(f"ts {e['ts']} is not ISO 8601 UTC")
    if e["kind"] != "operation" and not {"field", "old", "new"} <= e.keys(): fail(f"change {e['id']} lacks old/new")
ids = [e["id"] for e in first]
if ids != sorted(ids): fail("events not oldest first")
per = collections.Counter((e["kind"], e["asset"]) for e in first)
new = [k for k in per if k[0] == "asset_new"]
if len(new) != len(assets) or any(per[k] != 1 for k in new):
    fail(f"{len(new)} assets with asset_new for {len(assets)} assets: {per}")
other = collections.Counter(e["asset"] for e in first if e["kind"] != "asset_new")
if other and max(other.values()) > 3: fail(f"more than 3 other events on one asset: {other}")
if len(first) > 2 * len(assets): fail(f"{len(first)} events for {len(assets)} assets")
if len(second) != len(first): fail(f"reading the capture again added {len(second) - len(first)} events")
if not all(e["baseline"] for e in first): fail("a change of the first read is not in the learning period")
kind = ld("kind.json")
if len(kind) != len(new) or any(e["kind"] != "asset_new" for e in kind): fail("--kind asset_new")
if any(e["asset"] != 3 and 3 not in (e.get("client", {}).get("id"), e.get("server", {}).get("id"))
       for e in ld("asset.json")): fail("--asset 3 shows another asset's events")
b1, b2 = ld("bl1.json"), ld("bl2.json")
if b1["state"] != "learning" or b2["state"] != "alerting" or b2["accepted"] is None:
    fail(f"baseline states {b1['state']} -> {b2['state']}")
print(f"80-events: {len(first)} events for {len(assets)} assets "
      f"({dict(collections.Counter(e['kind'] for e in first))}); re-read adds 0")
PY
# The shared filters: what python picks from the whole list, and nothing else.
filters() {
python3 - "$cli" "$1" <<'PY' || exit 1
import ipaddress, json, subprocess, sys
cli, db = sys.argv[1:3]
def fail(msg):
    print("80-events: FAIL:", msg); sys.exit(1)
def events(*args):
    p = subprocess.run([cli, "--db", db, "events", "--json", *args], capture_output=True, text=True)
    if p.returncode not in (0, 1): fail(f"events {' '.join(args)}: exit {p.returncode}: {p.stderr}")
    return json.loads(p.stdout)
def addrs(e):
    a = [e.get("asset_ip"), (e.get("client") or {}).get("ip"), (e.get("server") or {}).get("ip")]
    if e.get("field") == "ip": a += [e.get("old"), e.get("new")]
    return [ipaddress.ip_address(x) for x in a if x]
def within(e, nets):
    return any(a in n for a in addrs(e) for n in nets)
def check(args, want):
    got = [e["id"] for e in events(*args)]
    if got != [e["id"] for e in want]: fail(f"events {' '.join(args)}: {got}, expected {[e['id'] for e in want]}")
    return len(got)
every = events()
ops = [e for e in every if e["kind"] == "operation"]
moved = [e for e in every if e.get("field") == "ip" and e.get("old")]
# an operation's client and server, else an address change's old and new address
one, two = (ops[0]["client"]["ip"], ops[0]["server"]["ip"]) if ops else (moved[0]["old"], moved[0]["new"])
net = str(ipaddress.ip_network(two + "/28", strict=False))
ipn = ipaddress.ip_network
n = {}
n["ip"] = check(["--ip", one], [e for e in every if within(e, [ipn(one)])])
n["two"] = check(["--ip", f"{one},{two}"], [e for e in every if within(e, [ipn(one), ipn(two)])])
n["subnet"] = check(["--subnet", net], [e for e in every if within(e, [ipn(net)])])
n["kinds"] = check(["--kind", "operation,asset_new"], [e for e in every if e["kind"] in ("operation", "asset_new")])
check(["--kind", "operation", "--kind", "asset_new"], [e for e in every if e["kind"] in ("operation", "asset_new")])
kind = "operation" if ops else "address_changed"
n["both"] = check(["--kind", kind, "--subnet", two + "/32"],
    [e for e in every if e["kind"] == kind and within(e, [ipn(two)])])
if not (0 < n["ip"] < len(every)) or n["both"] == 0: fail(f"filters that keep nothing or everything: {n}")
if events("--subnet", "203.0.113.0/24"): fail("--subnet of a network with no asset kept events")
p = subprocess.run([cli, "--db", db, "events", "--kind", "operation,reboot"], capture_output=True, text=True)
if p.returncode != 2 or "reboot" not in p.stderr: fail(f"--kind reboot: exit {p.returncode}: {p.stderr}")
print(f"80-events: filters keep {n} of {len(every)} events")
PY
}
filters "$db"
# --follow prints what is there, then what the daemon writes while it runs
ops=$pcaps/operations/iti__cold_restart_and_response.pcap
if [ -f "$ops" ]; then
	timeout 6 "$cli" --db "$db" events --follow --json >"$tmp/follow" 2>&1 &
	fpid=$!
	sleep 1.5
	"$daemon" -r "$ops" --db "$db" >/dev/null 2>&1 || fail "spanwatchd -r $ops"
	wait $fpid
	before=$(python3 -c "import json;print(len(json.load(open('$tmp/second.json'))))")
	got=$(wc -l <"$tmp/follow")
	[ "$got" -gt "$before" ] || fail "--follow printed $got lines, $before were there before"
	tail -n 1 "$tmp/follow" | grep -q '"operation":"restart_cold"' ||
		fail "--follow did not show the new operation: $(tail -n 1 "$tmp/follow")"
	filters "$db"	# now with the operation: its client and server
fi
lines=$(wc -l <"$tmp/table")
[ "$lines" -eq $(( $(python3 -c "import json;print(len(json.load(open('$tmp/first.json'))))") + 1 )) ] ||
	fail "table has $lines lines"
echo "$name: ok"
