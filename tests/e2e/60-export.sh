#!/bin/sh
# 60-export.sh - `spanwatch export` end to end (docs/EXPORT.md):
#   spanwatchd -r CAPTURE --db FILE (several captures); spanwatch export
#   --format ecs|cef|csv -o DIR; sha256sum -c on every .sha256; every ECS
#   line is JSON with the ECS fields and maps onto the index template;
#   a second run finds nothing new; a run killed with SIGKILL after the
#   rename is redone in full on the next run, each event exactly once.
# The format details and hostile strings are tests/test_export.c.
# Usage: tests/e2e/60-export.sh [BUILD_DIR]
set -u
build=${1:-build}
daemon=$build/spanwatchd
cli=$build/spanwatch
pcaps=${SW_PCAPS:-../shared/pcaps}
name=60-export

fail() { echo "$name: FAIL: $*"; exit 1; }
[ -x "$daemon" ] && [ -x "$cli" ] || { echo "$name: SKIP: build $daemon and $cli first"; exit 77; }
command -v python3 >/dev/null || { echo "$name: SKIP: python3 needed to read JSON"; exit 77; }
command -v sha256sum >/dev/null || { echo "$name: SKIP: sha256sum needed"; exit 77; }
ls "$pcaps"/*/*.pcap >/dev/null 2>&1 || { echo "$name: SKIP: no captures in $pcaps"; exit 77; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
db=$tmp/sw.db
for cap in "$pcaps"/modbus/*.pcap "$pcaps"/enip/*.pcap "$pcaps"/dhcp/*.pcap; do
	[ -f "$cap" ] || continue
	"$daemon" -c /dev/null -r "$cap" --db "$db" >/dev/null 2>&1 || fail "spanwatchd -r $cap"
done
[ -f "$db" ] || fail "no database written"

x() { "$cli" -c /dev/null --db "$db" export --sensor e2e-sensor --site lab "$@"; }

for f in ecs cef csv; do
	x --format "$f" -o "$tmp/out" >"$tmp/$f.log" 2>&1 || { cat "$tmp/$f.log"; fail "export $f"; }
	grep -q "^$f: .* -> " "$tmp/$f.log" || fail "export $f wrote nothing: $(cat "$tmp/$f.log")"
	x --format "$f" -o "$tmp/out" >"$tmp/$f.2.log" 2>&1 || fail "second export $f"
	grep -q "^$f: nothing new" "$tmp/$f.2.log" || fail "second $f run not empty: $(cat "$tmp/$f.2.log")"
done
(cd "$tmp/out" && sha256sum -c --quiet ./*.sha256) || fail "sha256sum -c"
[ "$(ls "$tmp/out" | grep -c '\.sha256$')" = 3 ] || fail "expected 3 .sha256 files: $(ls "$tmp/out")"

# Killed after the rename, before the cursor (tests/test_export.c kills a
# run at each step through its test seam): here the state such a kill
# leaves, a data file without .sha256 and no cursor for it.  The next run
# removes the orphan and exports everything again.
x --format cef -o "$tmp/crash" >/dev/null 2>&1 || fail "export before the kill"
rm -f "$tmp/crash"/*.sha256
python3 -c 'import sqlite3, sys; c = sqlite3.connect(sys.argv[1]); c.execute("DELETE FROM meta WHERE key LIKE ?", ("export.cursor.cef:%",)); c.commit()' "$db" ||
	fail "cannot rewind the cursor"
[ "$(ls "$tmp/crash" | grep -c '\.cef$')" = 1 ] || fail "no orphan after the kill"
x --format cef -o "$tmp/crash" >"$tmp/crash.log" 2>&1 || fail "export after the kill"
grep -q "removed 1 file" "$tmp/crash.log" || fail "orphan not reported: $(cat "$tmp/crash.log")"
(cd "$tmp/crash" && sha256sum -c --quiet ./*.sha256) || fail "sha256sum -c after the kill"

python3 - "$tmp" "$db" packaging/elasticsearch/spanwatch-index-template.json <<'PY' || exit 1
import glob, json, sqlite3, sys
tmp, db, tpl = sys.argv[1:4]
def fail(m):
    print("60-export: FAIL:", m); sys.exit(1)
def paths(props, pre=""):
    out = set()
    for k, v in props.items():
        out |= paths(v["properties"], pre + k + ".") if "properties" in v else {pre + k}
    return out
mapped = paths(json.load(open(tpl))["template"]["mappings"]["properties"])
def flat(o, pre, out):
    for k, v in o.items():
        if isinstance(v, dict): flat(v, pre + k + ".", out)
        else: out[pre + k] = v
    return out
con = sqlite3.connect(db)
nassets = con.execute("select count(*) from assets").fetchone()[0]
nevents = con.execute("select count(*) from events").fetchone()[0]
(ecs,) = glob.glob(tmp + "/out/*.ndjson")
datasets = {}
for i, line in enumerate(open(ecs, encoding="ascii"), 1):
    try:
        r = flat(json.loads(line), "", {})
    except ValueError as e:
        fail("%s:%d: not JSON: %s" % (ecs, i, e))
    for k in ("@timestamp", "event.kind", "event.category", "event.type", "event.action",
              "event.dataset", "observer.name", "observer.type", "spanwatch.site"):
        if k not in r: fail("%s:%d: no %s" % (ecs, i, k))
    if r["observer.name"] != "e2e-sensor" or r["spanwatch.site"] != "lab":
        fail("%s:%d: sensor/site not named" % (ecs, i))
    unmapped = set(r) - mapped
    if unmapped: fail("%s:%d: not in the index template: %s" % (ecs, i, sorted(unmapped)))
    datasets[r["event.dataset"]] = datasets.get(r["event.dataset"], 0) + 1
if datasets.get("spanwatch.assets") != nassets: fail("assets %s != %d" % (datasets, nassets))
if datasets.get("spanwatch.events") != nevents: fail("events %s != %d" % (datasets, nevents))
(cef,) = glob.glob(tmp + "/crash/*.cef")
ids = [l.split(" externalId=")[1].split(" ")[0] for l in open(cef) if " externalId=" in l]
if len(ids) != nevents or len(set(ids)) != nevents:
    fail("after the kill: %d event records, %d distinct, %d events" % (len(ids), len(set(ids)), nevents))
for l in open(cef):
    if not l.startswith("CEF:0|spanwatch|spanwatch|"): fail("bad CEF line: " + l[:80])
print("60-export: %d ECS records, %d events once each after a kill" % (sum(datasets.values()), nevents))
PY
exit 0
