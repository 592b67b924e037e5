#!/bin/sh
# 60-export.sh - `spanwatch export` end to end (docs/EXPORT.md):
#   spanwatchd -r CAPTURE --db FILE (several captures); spanwatch export
#   --format ecs|cef|csv -o DIR; sha256sum -c on every .sha256; every ECS
#   line is JSON with the ECS fields and maps onto the index template;
#   CSV is one file per record type, each a rectangle that python's csv
#   module reads, with a known asset's IP, MAC and vendor on its row;
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
# ECS and CEF: one file each; CSV: one per record type
[ "$(ls "$tmp/out" | grep -c '\.sha256$')" = 6 ] || fail "expected 6 .sha256 files: $(ls "$tmp/out")"
for t in assets services conversations events; do
	ls "$tmp/out"/spanwatch-e2e_sensor-csv-*-"$t".csv >/dev/null 2>&1 || fail "no CSV file of $t: $(ls "$tmp/out")"
	grep -q "^  $tmp/out/spanwatch-e2e_sensor-csv-.*-$t\.csv\$" "$tmp/csv.log" || fail "$t file not reported: $(cat "$tmp/csv.log")"
done
"$cli" -c /dev/null --db "$db" list --json >"$tmp/list.json" || fail "spanwatch list --json"

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
import csv, glob, json, sqlite3, sys
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
# CSV: each file a rectangle of its own record type's columns, as csv reads it
counts = {"assets": nassets, "events": nevents,
          "services": con.execute("select count(*) from services").fetchone()[0]}
rows = {}
for path in glob.glob(tmp + "/out/*.csv"):
    kind = path.rsplit("-", 1)[1][:-len(".csv")]
    with open(path, newline="", encoding="utf-8") as f:
        table = list(csv.reader(f, strict=True))
    hdr, body = table[0], table[1:]
    if hdr[:3] != ["sensor", "site", "timestamp"]: fail("%s: header %s" % (path, hdr[:3]))
    for i, row in enumerate(body, 2):
        if len(row) != len(hdr): fail("%s:%d: %d fields, header has %d" % (path, i, len(row), len(hdr)))
        if row[0] != "e2e-sensor" or row[1] != "lab": fail("%s:%d: sensor/site %s" % (path, i, row[:2]))
    if ("event_kind" in hdr) != (kind == "events") or ("packets" in hdr) != (kind == "conversations"):
        fail("%s: columns of another record type: %s" % (path, hdr))
    rows[kind] = [dict(zip(hdr, r)) for r in body]
for kind, n in counts.items():
    if len(rows.get(kind, [])) != n: fail("CSV %s: %d rows, database has %d" % (kind, len(rows.get(kind, [])), n))
# a known asset, as `spanwatch list --json` shows it, on its own row
listed = [a for a in json.load(open(tmp + "/list.json")) if a.get("vendor") and a.get("mac") and a.get("ips")]
if not listed: fail("no asset with vendor, MAC and IP to look for")
byid = {r["asset_id"]: r for r in rows["assets"]}
for a in listed:
    r = byid.get(str(a["id"]))
    if r is None: fail("asset %s not in the CSV" % a["id"])
    got, want = (r["mac"], r["ips"].split(";"), r["vendor"]), (a["mac"], a["ips"], a["vendor"])
    if got != want or r["ip"] not in a["ips"]:
        fail("asset %s: CSV has %s, list has %s" % (a["id"], got, want))
rock = [r for r in rows["assets"] if r["vendor"] == "Rockwell Automation" and r["model"] == "1756-ENBT/A"]
if not rock: fail("the Rockwell 1756-ENBT/A of the EtherNet/IP capture is not in the CSV")
print("60-export: %d ECS records, %d events once each after a kill; CSV %s, %d assets by IP/MAC/vendor"
      % (sum(datasets.values()), nevents, {k: len(v) for k, v in rows.items()}, len(listed)))
PY
exit 0
