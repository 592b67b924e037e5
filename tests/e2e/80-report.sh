#!/bin/sh
# 80-report.sh - `spanwatch report` and `spanwatch map` from a database
# spanwatchd wrote from the generator's plant capture (tools/swgen.c, as
# `make demo`), checked by a parser and by a real browser:
#   1. the HTML is well formed, self-contained, and its numbers are those of
#      `spanwatch risk --json` and `events --json`; every flagged asset is in the Cybercheck
#      section with its maker and country (report-check.py html)
#   2. the map as SVG (well-formed XML), DOT (read back by Graphviz) and
#      PNG; --zone and --around draw part of it
#   2b. an operator's annotation (name, zone, criticality, note) shows in the
#      report and the map; the category chart equals `list --json`
#   3. headless chromium renders the report and the SVG map: the DOM has the
#      sections and the map, the screenshots are not blank
#   4. hostile device strings (<script>, quotes, U+202E, a 10 kB name)
#      planted in a copy of the database stay text in HTML, SVG and DOT
#   5. swgen's calling-home plant (--internet): every device of `spanwatch
#      internet --json` in the report with the owners it talks to, and one
#      cloud per owner in the map
# Usage: tests/e2e/80-report.sh [BUILD_DIR]
set -u
build=${1:-build}
name=80-report
cli=$build/spanwatch
here=$(dirname "$0")
check="python3 $here/report-check.py"

skip() { echo "$name: SKIP: $*"; exit 77; }
fail() { echo "$name: FAIL: $*"; exit 1; }
[ -x "$cli" ] && [ -x "$build/spanwatchd" ] && [ -x "$build/swgen" ] || skip "build first"
command -v python3 >/dev/null || skip "python3 needed"
command -v sqlite3 >/dev/null || skip "sqlite3 needed to plant hostile strings"
browser=$(command -v chromium || command -v chromium-browser || true)
[ -n "$browser" ] || skip "chromium needed (Debian package chromium, in DEB_TEST)"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
db=$tmp/plant.db

"$build/swgen" -o "$tmp/plant.pcap" -n 20000 -s 7 --hosts 60 >/dev/null || fail "swgen"
"$build/spanwatchd" -c /dev/null -r "$tmp/plant.pcap" --db "$db" >/dev/null 2>&1 || fail "spanwatchd -r"

# --- 1. the report, parsed ------------------------------------------------------
"$cli" -c /dev/null --db "$db" risk --json >"$tmp/risk.json"
[ $? -le 1 ] || fail "risk --json"
"$cli" -c /dev/null --db "$db" report -o "$tmp/report.html" --site "Plant Noord" --sensor span-1 ||
	fail "report exited $?"
"$cli" -c /dev/null --db "$db" events --json >"$tmp/events.json" || fail "events --json"
$check html "$tmp/report.html" "$tmp/risk.json" --events "$tmp/events.json" || fail "the report's HTML (above)"
grep -q 'Plant Noord' "$tmp/report.html" || fail "the site is not on the cover"

# --- 2. the map -------------------------------------------------------------------
"$cli" -c /dev/null --db "$db" map -o "$tmp/map.svg" || fail "map exited $?"
python3 -c 'import sys, xml.etree.ElementTree as E; E.parse(sys.argv[1])' "$tmp/map.svg" ||
	fail "the SVG map is not well-formed XML"
nodes=$(grep -c 'class="node' "$tmp/map.svg")
assets=$(sqlite3 "$db" 'SELECT count(*) FROM assets')
[ "$nodes" -ge "$((assets - 2))" ] || fail "map: $nodes nodes for $assets assets"
grep -q 'HIGH RISK' "$tmp/map.svg" || fail "no flagged node marked in the map"
"$cli" -c /dev/null --db "$db" map --format dot -o "$tmp/map.dot" || fail "map --format dot"
# -o naming something that is not a regular file (a FIFO here, /dev/stdout
# in use) is written in place, not replaced by a renamed temporary file.
mkfifo "$tmp/fifo"
cat "$tmp/fifo" >"$tmp/fifo.out" &
reader=$!
"$cli" -c /dev/null --db "$db" map --format dot -o "$tmp/fifo" || fail "map -o FIFO exited $?"
[ -p "$tmp/fifo" ] || { kill "$reader"; fail "map -o FIFO replaced the FIFO with a file"; }
wait "$reader"
cmp -s "$tmp/fifo.out" "$tmp/map.dot" || head -c 9 "$tmp/fifo.out" | grep -q '^digraph' ||
	fail "map -o FIFO: the reader got no map"
grep -q '^digraph' "$tmp/map.dot" || fail "the DOT output is not a digraph"
if command -v neato >/dev/null; then
	neato -n2 -Tsvg "$tmp/map.dot" -o "$tmp/redraw.svg" 2>/dev/null || fail "Graphviz cannot read the DOT back"
fi
"$cli" -c /dev/null --db "$db" map --format png -o "$tmp/map.png" || fail "map --format png"
$check pngsize "$tmp/map.png" || fail "the PNG map"
"$cli" -c /dev/null --db "$db" map --zone "VLAN 40" -o "$tmp/zone.svg" || fail "map --zone"
zn=$(grep -c 'class="node' "$tmp/zone.svg")
[ "$zn" -gt 0 ] && [ "$zn" -lt "$nodes" ] || fail "--zone drew $zn of $nodes nodes"
grep -q 'VLAN 40' "$tmp/zone.svg" || fail "--zone: the zone is not drawn"
flagged=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["assets"][0]["id"])' "$tmp/risk.json")
"$cli" -c /dev/null --db "$db" map --around "$flagged" -o "$tmp/around.svg" || fail "map --around"
an=$(grep -c 'class="node' "$tmp/around.svg")
[ "$an" -gt 1 ] && [ "$an" -lt "$nodes" ] || fail "--around drew $an of $nodes nodes"
"$cli" -c /dev/null --db "$db" map --collapse 10 -o "$tmp/collapsed.svg" || fail "map --collapse"
cn=$(grep -c 'class="node' "$tmp/collapsed.svg")
[ "$cn" -lt 20 ] || fail "--collapse 10 still drew $cn nodes"
grep -q 'flagged' "$tmp/collapsed.svg" || fail "the collapsed map does not count flagged assets"

# --- 2b. the operator's annotation and the device categories ------------------------------
cp "$db" "$tmp/annotated.db"
"$cli" -c /dev/null --db "$tmp/annotated.db" annotate "$flagged" --name "Gate camera 3" \
    --zone "Perimeter fence" --criticality "low" --note "replacement ordered" >/dev/null ||
	fail "annotate"
"$cli" -c /dev/null --db "$tmp/annotated.db" report -o "$tmp/annotated.html" || fail "report (annotated)"
"$cli" -c /dev/null --db "$tmp/annotated.db" list --json >"$tmp/list.json" || fail "list --json"
python3 - "$tmp/annotated.html" "$tmp/list.json" "$flagged" <<'EOF' || fail "annotation or categories in the report"
import json, re, sys
html, assets, flagged = open(sys.argv[1]).read(), json.load(open(sys.argv[2])), sys.argv[3]
problems = []
row = re.search(r'<tr id="asset-%s">(.*?)</tr>' % flagged, html, re.S)
if not row or "Gate camera 3" not in row.group(1) or "Perimeter fence" not in row.group(1):
    problems.append("the inventory row lacks the operator's name or zone")
if "criticality: low" not in html or "note: replacement ordered" not in html:
    problems.append("the Cybercheck block lacks the criticality or the note")
groups = {"plc": "PLC, RTU, IED", "rtu": "PLC, RTU, IED", "ied": "PLC, RTU, IED",
          "hmi": "HMI, engineering, SCADA", "engineering_workstation": "HMI, engineering, SCADA",
          "scada_server": "HMI, engineering, SCADA", "historian": "HMI, engineering, SCADA",
          "network_device": "network", "firewall_router": "network", "camera": "camera",
          "inverter_energy": "inverter, energy", "it_host": "IT"}
want = {}
for a in assets:
    g = groups.get(a["category"] or "unknown", "unknown")
    want[g] = want.get(g, 0) + 1
chart = re.search(r'<svg id="chart-kinds".*?</svg>', html, re.S).group(0)
got = dict((l, int(v)) for l, v in re.findall(
    r'class="cl">([^<]*)</text><rect[^>]*/><text[^>]*class="cv">(\d+)<', chart))
if "Assets per category" not in chart or got != want:
    problems.append(f"category chart {got}, list --json {want}")
for p in problems: print("FAIL:", p)
sys.exit(1 if problems else 0)
EOF
"$cli" -c /dev/null --db "$tmp/annotated.db" map -o "$tmp/annotated.svg" || fail "map (annotated)"
grep -q '>Perimeter fence</text>' "$tmp/annotated.svg" || fail "the map has no box for the operator's zone"
grep -q '>Gate camera 3</text>' "$tmp/annotated.svg" || fail "the map does not label the asset by its name"

# --- 3. a real browser --------------------------------------------------------------
render() {	# FILE OUT_PREFIX WIDTH HEIGHT
	prof=$(mktemp -d)
	timeout 120 "$browser" --headless --no-sandbox --disable-gpu --disable-background-networking \
	    --disable-component-update --disable-sync --no-first-run --user-data-dir="$prof" \
	    --hide-scrollbars --window-size="$3,$4" --screenshot="$2.png" "file://$1" >/dev/null 2>&1
	timeout 120 "$browser" --headless --no-sandbox --disable-gpu --disable-background-networking \
	    --disable-component-update --disable-sync --no-first-run --user-data-dir="$prof" \
	    --dump-dom "file://$1" >"$2.dom" 2>/dev/null
	rm -rf "$prof"
	[ -s "$2.png" ] && [ -s "$2.dom" ] || fail "chromium did not render $1"
}
render "$tmp/report.html" "$tmp/shot-report" 1000 2400
$check dom "$tmp/shot-report.dom" report || fail "the report in the browser"
$check png "$tmp/shot-report.png" || fail "the report's screenshot"
render "$tmp/map.svg" "$tmp/shot-map" 1600 900
$check dom "$tmp/shot-map.dom" map || fail "the map in the browser"
$check png "$tmp/shot-map.png" || fail "the map's screenshot"

# --- 4. hostile device strings ---------------------------------------------------------
cp "$db" "$tmp/hostile.db"
long=$(python3 -c 'print("A" * 10240)')
rlo=$(printf '\342\200\256')	# U+202E RIGHT-TO-LEFT OVERRIDE
sqlite3 "$tmp/hostile.db" <<EOF || fail "cannot plant the hostile strings"
INSERT INTO evidence (asset_id, attribute, value, source, confidence, first_seen, last_seen)
  VALUES ($flagged, 'hostname', '<script>alert(1)</script>', 'test/hostile', 100, 1, 1),
         ($flagged, 'model', '"''><b>x</b> gpj${rlo}exe.scr $long', 'test/hostile', 100, 1, 1);
UPDATE conversations SET protocol = 'mod"bus</title><script>' WHERE rowid = (SELECT min(rowid) FROM conversations);
EOF
"$cli" -c /dev/null --db "$tmp/hostile.db" report -o "$tmp/hostile.html" || fail "report (hostile)"
$check html "$tmp/hostile.html" "$tmp/risk.json" --hostile || fail "hostile strings in the HTML"
"$cli" -c /dev/null --db "$tmp/hostile.db" map -o "$tmp/hostile.svg" || fail "map (hostile)"
python3 - "$tmp/hostile.svg" <<'EOF' || fail "hostile strings in the SVG map"
import sys, xml.etree.ElementTree as E
t = open(sys.argv[1], encoding="utf-8").read()
root = E.fromstring(t)
ns = "{http://www.w3.org/2000/svg}"
bad = [e.tag for e in root.iter() if e.tag in (ns + "script", ns + "b", "script", "b")]
texts = "".join(e.text or "" for e in root.iter(ns + "text"))
problems = []
if bad: problems.append(f"elements from device strings: {bad}")
if "\u202e" in t: problems.append("raw U+202E")
if "<script>alert(1)</script>" not in texts: problems.append("the <script> name is not shown as text")
if "<U+202E>" not in texts: problems.append("U+202E not shown as <U+202E>")
if max(len(e.text or "") for e in root.iter(ns + "text")) > 200: problems.append("a label not cut")
for p in problems: print("FAIL:", p)
sys.exit(1 if problems else 0)
EOF
"$cli" -c /dev/null --db "$tmp/hostile.db" map --format dot -o "$tmp/hostile.dot" || fail "map dot (hostile)"
python3 - "$tmp/hostile.dot" <<'EOF' || fail "hostile strings in the DOT map"
import re, sys
t = open(sys.argv[1], encoding="utf-8").read()
problems = []
if "\u202e" in t: problems.append("raw U+202E")
# every quote inside a quoted DOT string is escaped: strip the strings, no quote may remain
rest = re.sub(r'"(?:[^"\\]|\\.)*"', "", t, flags=re.S)
if '"' in rest: problems.append("an unbalanced quote")
if "<script>alert(1)</script>" not in t: problems.append("the <script> label is missing")
for p in problems: print("FAIL:", p)
sys.exit(1 if problems else 0)
EOF
if command -v neato >/dev/null; then
	neato -n2 -Tsvg "$tmp/hostile.dot" -o /dev/null 2>/dev/null || fail "Graphviz cannot read the hostile DOT back"
fi
# --- 5. the internet side: swgen's calling-home plant -----------------------------------
"$build/swgen" --internet -o "$tmp/inet.pcap" --location-db "$tmp/loc.db" >/dev/null 2>&1 ||
	fail "swgen --internet"
printf '[site]\nlocation_db = %s\n' "$tmp/loc.db" >"$tmp/inet.conf"
"$build/spanwatchd" -c "$tmp/inet.conf" -r "$tmp/inet.pcap" --db "$tmp/inet.db" >/dev/null 2>&1 ||
	fail "spanwatchd -r (internet)"
"$cli" -c "$tmp/inet.conf" --db "$tmp/inet.db" internet --json >"$tmp/inet.json" || fail "internet --json"
"$cli" -c "$tmp/inet.conf" --db "$tmp/inet.db" risk --json >"$tmp/inet-risk.json"
"$cli" -c "$tmp/inet.conf" --db "$tmp/inet.db" report -o "$tmp/inet.html" || fail "report (internet)"
$check html "$tmp/inet.html" "$tmp/inet-risk.json" --internet "$tmp/inet.json" ||
	fail "the internet side of the report"
"$cli" -c "$tmp/inet.conf" --db "$tmp/inet.db" map -o "$tmp/inet.svg" || fail "map (internet)"
clouds=$(python3 - "$tmp/inet.json" <<'EOF'
import json, sys
owners = set()
for a in json.load(open(sys.argv[1])):
    for g in a["destinations"] + a["exposure"]:
        owners.add((g.get("owner") or g.get("as_name") or f"AS{g.get('asn')}", g.get("country")))
print(len(owners))
EOF
)
drawn=$(grep -c '>Internet</text>' "$tmp/inet.svg")
[ "$drawn" -eq "$clouds" ] || fail "the map draws $drawn clouds for $clouds owners"
echo "$name: ok (report $(wc -c <"$tmp/report.html") bytes, map $nodes nodes, $clouds clouds)"
