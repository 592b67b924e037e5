#!/bin/sh
# 40-reader-while-writer.sh - the CLI reads while the daemon writes.
#
# spanwatchd ingests the biggest shared capture again and again into one
# database while `spanwatch list --json` runs in a loop.  Every CLI run
# must exit 0 and print one valid JSON array; no "locked" may reach the
# user.  Usage: tests/e2e/40-reader-while-writer.sh [BUILD_DIR]
set -u
build=${1:-build}
daemon=$build/spanwatchd
cli=$build/spanwatch
pcaps=${SW_PCAPS:-../shared/pcaps}
cap=$pcaps/enip/iti__EIP-IPAddressChangeAttempt.pcap
seconds=${SW_RW_SECONDS:-6}

name=40-reader-while-writer
fail() { echo "$name: FAIL: $*"; exit 1; }
[ -x "$daemon" ] && [ -x "$cli" ] || { echo "$name: SKIP: build $daemon and $cli first"; exit 77; }
[ -r "$cap" ] || { echo "$name: SKIP: no capture $cap"; exit 77; }
command -v python3 >/dev/null || { echo "$name: SKIP: python3 needed to validate JSON"; exit 77; }

tmp=$(mktemp -d)
wpid=
cleanup() {
	[ -z "$wpid" ] || kill "$wpid" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT INT TERM
db=$tmp/spanwatch.db

# One ingest first so the schema exists before the first reader.
"$daemon" -r "$cap" --db "$db" >"$tmp/d0.out" 2>&1 || { cat "$tmp/d0.out"; fail "first ingest failed"; }

# Writer: ingest again until the stop file appears.
(
	n=0
	while [ ! -e "$tmp/stop" ]; do
		"$daemon" -r "$cap" --db "$db" >>"$tmp/d.out" 2>&1 || { echo "rc $?" >"$tmp/d.failed"; exit 1; }
		n=$((n + 1))
		echo $n >"$tmp/d.count"
	done
) &
wpid=$!

# Readers: keep every output; validate them all in one python run after
# (python3 starts slowly; the readers must run while the writer writes).
runs=0
end=$(( $(date +%s) + seconds ))
while [ "$(date +%s)" -lt "$end" ]; do
	runs=$((runs + 1))
	"$cli" --db "$db" list --json >"$tmp/out.$runs" 2>"$tmp/err.$runs"
	rc=$?
	if grep -qi locked "$tmp/out.$runs" "$tmp/err.$runs"; then
		cat "$tmp/err.$runs"; fail "run $runs: 'locked' reached the user"
	fi
	[ $rc -eq 0 ] || { cat "$tmp/err.$runs"; fail "run $runs: exit $rc"; }
done
touch "$tmp/stop"
wait "$wpid"
wrc=$?
wpid=
[ ! -e "$tmp/d.failed" ] || { tail -n 20 "$tmp/d.out"; fail "daemon failed while readers ran"; }
[ $wrc -eq 0 ] || fail "writer exit $wrc"
grep -qi locked "$tmp/d.out" && { grep -i locked "$tmp/d.out" | head; fail "daemon reported 'locked'"; }
python3 - "$tmp" "$runs" <<'EOF' || fail "invalid JSON (above)"
import json, sys
tmp, runs = sys.argv[1], int(sys.argv[2])
for i in range(1, runs + 1):
    path = "%s/out.%d" % (tmp, i)
    try:
        v = json.load(open(path))
        assert isinstance(v, list) and len(v) > 0, "not a non-empty array"
        for a in v:
            for k in ("id", "mac", "ips", "vendor", "roles", "protocols", "risk",
                      "first_seen", "last_seen"):
                assert k in a, "missing key " + k
    except Exception as e:
        print("run %d: %s: %s" % (i, e, open(path).read(300)))
        sys.exit(1)
EOF
writes=$(cat "$tmp/d.count" 2>/dev/null || echo 0)
[ "$runs" -ge 5 ] || fail "only $runs CLI runs"
[ "$writes" -ge 1 ] || fail "the daemon finished no ingest while the CLI ran"
echo "$name: ok ($runs CLI runs during $writes ingests)"
