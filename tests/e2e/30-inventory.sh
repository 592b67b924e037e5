#!/bin/sh
# 30-inventory.sh - the programs end to end, on every shared capture:
#   spanwatchd -r CAPTURE --db FILE; spanwatch --db FILE list --json / --csv / table; show
# Every expected host MAC (facts.hosts) and every expected unicast IP
# (facts.ip_addresses) must be in `list --json`, which must follow the
# documented schema (docs/JSON.md); CSV and table have one line per asset
# plus the header; `show --json` has the detail keys.  The field-by-field
# comparison with expected.json is tests/test_inventory.c.
# Usage: tests/e2e/30-inventory.sh [BUILD_DIR]
set -u
build=${1:-build}
daemon=$build/spanwatchd
cli=$build/spanwatch
pcaps=${SW_PCAPS:-../shared/pcaps}
name=30-inventory

fail() { echo "$name: FAIL: $*"; exit 1; }
[ -x "$daemon" ] && [ -x "$cli" ] || { echo "$name: SKIP: build $daemon and $cli first"; exit 77; }
command -v python3 >/dev/null || { echo "$name: SKIP: python3 needed to read JSON"; exit 77; }
ls "$pcaps"/*/*.expected.json >/dev/null 2>&1 || { echo "$name: SKIP: no captures in $pcaps"; exit 77; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM

# Run everything first, keep the outputs; one python run checks them all.
n=0
for exp in "$pcaps"/*/*.expected.json; do
	cap=${exp%.expected.json}
	n=$((n + 1))
	o=$tmp/$n
	db=$o.db
	echo "$exp" >"$o.exp"
	"$daemon" -r "$cap" --db "$db" >"$o.d.out" 2>&1 || { cat "$o.d.out"; fail "spanwatchd -r $cap: exit $?"; }
	"$cli" --db "$db" list --json >"$o.list.json" 2>"$o.err"
	rc=$?
	[ $rc -eq 0 ] || [ $rc -eq 1 ] || { cat "$o.err"; fail "$cap: list --json exit $rc"; }
	[ $rc -eq 0 ] || continue
	"$cli" --db "$db" list --csv >"$o.csv" || fail "$cap: list --csv exit $?"
	"$cli" --db "$db" list >"$o.table" || fail "$cap: list exit $?"
	id=$(sed -n 2p "$o.table" | cut -d' ' -f1)
	"$cli" --db "$db" show "$id" --json >"$o.show.json" || fail "$cap: show $id exit $?"
	"$cli" --db "$db" stats --json >"$o.stats.json" || fail "$cap: stats exit $?"
	"$cli" --db "$db" internet --json >"$o.inet.json"
	[ $? -le 1 ] || fail "$cap: internet exit $?"
done
[ $n -gt 0 ] || fail "no captures"

python3 - "$tmp" "$n" <<'EOF' || fail "inventory differs (above)"
import ipaddress, json, os, sys

tmp, n = sys.argv[1], int(sys.argv[2])
keys = ("id", "mac", "ips", "vendor", "model", "firmware", "serial", "hostname",
        "os", "roles", "protocols", "risk", "first_seen", "last_seen")

def host(ip):
    try:
        x = ipaddress.ip_address(ip)
    except ValueError:
        return False
    if x.version == 4:
        return not (x.packed[0] in (0, 127) or x.packed[0] >= 224)
    return not (x.is_multicast or x.is_unspecified or x.is_loopback)

def iso(v):
    return v is None or (len(v) == 20 and v[10] == "T" and v.endswith("Z"))

bad = []
for i in range(1, n + 1):
    o = "%s/%d" % (tmp, i)
    exp_path = open(o + ".exp").read().strip()
    cap = os.path.basename(exp_path)[:-len(".expected.json")]
    exp = json.load(open(exp_path))["facts"]
    inv = json.load(open(o + ".list.json"))
    def err(msg):
        bad.append("%s: %s" % (cap, msg))
    if not isinstance(inv, list):
        err("list --json is not an array")
        continue
    for a in inv:
        for k in keys:
            if k not in a:
                err("asset %s: key %s missing" % (a.get("id"), k))
        if not isinstance(a.get("ips"), list) or not isinstance(a.get("roles"), list) \
           or not isinstance(a.get("protocols"), list):
            err("asset %s: ips/roles/protocols not arrays" % a.get("id"))
        r = a.get("risk") or {}
        if r.get("level") not in ("unknown", "none", "elevated", "high") \
           or not isinstance(r.get("reasons"), list):
            err("asset %s: bad risk %r" % (a.get("id"), r))
        for t in ("first_seen", "last_seen"):
            if not iso(a.get(t)):
                err("asset %s: %s not ISO 8601 UTC: %r" % (a.get("id"), t, a.get(t)))
    macs = {a["mac"].lower() for a in inv if a.get("mac")}
    ips = {ipaddress.ip_address(x) for a in inv for x in a.get("ips", [])}
    for h in exp.get("hosts", []):
        m = h["mac"].lower()
        if int(m[:2], 16) & 1 or m == "00:00:00:00:00:00":
            continue
        if m not in macs:
            err("host MAC %s (%s) is not an asset" % (m, h.get("oui_vendor")))
    # outside the site networks and reached through a router: an endpoint, not an asset
    inet = json.load(open(o + ".inet.json"))
    outside = {ipaddress.ip_address(e["ip"]) for a in inet for e in a["exposure"]} | \
        {ipaddress.ip_address(e["ip"]) for a in inet for g in a["destinations"] for e in g["endpoints"]}
    for x in outside:
        if x.is_private or x in ips:
            err("endpoint %s is a site address or an asset too" % x)
    for ip in exp.get("ip_addresses", []):
        if host(ip) and ipaddress.ip_address(ip) not in ips | outside:
            err("IP %s is on no asset" % ip)
    for ip in ips:
        if not host(str(ip)):
            err("%s is an asset address but not a unicast host" % ip)
    if not inv:
        continue
    csv_lines = open(o + ".csv", newline="").read().split("\r\n")
    if csv_lines[-1] != "" or len(csv_lines) - 1 != len(inv) + 1:
        err("list --csv: %d records for %d assets" % (len(csv_lines) - 1, len(inv)))
    table = open(o + ".table").read().splitlines()
    if len(table) != len(inv) + 1:
        err("list: %d lines for %d assets" % (len(table), len(inv)))
    show = json.load(open(o + ".show.json"))
    for k in keys + ("evidence", "services", "peers", "addresses"):
        if k not in show:
            err("show --json: key %s missing" % k)
    for e in show.get("evidence", []):
        for k in ("attribute", "value", "source", "confidence", "first_seen", "last_seen", "count"):
            if k not in e:
                err("show --json: evidence key %s missing" % k)
    stats = json.load(open(o + ".stats.json"))
    if stats["counts"]["assets"] != len(inv):
        err("stats: %d assets, list: %d" % (stats["counts"]["assets"], len(inv)))
for b in bad:
    print("  " + b)
sys.exit(1 if bad else 0)
EOF
echo "$name: ok ($n captures)"
