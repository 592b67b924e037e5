#!/bin/sh
# flood-proof.sh - a flood of spoofed senders against the default settings:
# the same plant capture with and without SPOOFED frames from random source
# MACs and IPs (swgen --spoof), each read by spanwatchd into a fresh
# database; prints both databases' sizes, assets and events, the flood
# event, peak memory, and compares the two inventories: the same assets,
# none of their services lost, and how many are identical in every
# identifying field.
# Usage: tools/flood-proof.sh [BUILD_DIR] [SPOOFED] [BASE_PACKETS] [HOSTS]
# Exit 0 when no asset or service is lost or added, a flood event is there
# and the flooded database is under 64 MiB; 1 otherwise.
set -u
build=${1:-build}
spoofed=${2:-1000000}
base_pkts=${3:-300000}
hosts=${4:-200}
tmp=${FLOOD_DIR:-$(mktemp -d)}
[ -n "${FLOOD_DIR:-}" ] || trap 'rm -rf "$tmp"' EXIT INT TERM
mkdir -p "$tmp"
for t in jq sqlite3; do
	command -v $t >/dev/null || { echo "flood-proof: needs $t"; exit 77; }
done
fail=0

"$build/swgen" -o "$tmp/base.pcap" -n "$base_pkts" --hosts "$hosts" 2>&1 | sed 's/^/  /'
"$build/swgen" --spoof "$spoofed" -r "$tmp/base.pcap" -o "$tmp/flood.pcap" 2>&1 | sed 's/^/  /'
for c in base flood; do
	rm -f "$tmp/$c.db"*
	# an empty configuration: the built-in defaults, as installed
	: >"$tmp/empty.conf"
	command time -f '%M' -o "$tmp/$c.rss" "$build/spanwatchd" -c "$tmp/empty.conf" \
	    -r "$tmp/$c.pcap" --db "$tmp/$c.db" >"$tmp/$c.out" 2>"$tmp/$c.err"
	rc=$?
	[ $rc -eq 0 ] || { echo "flood-proof: spanwatchd -r $c.pcap: exit $rc"; cat "$tmp/$c.err"; fail=1; }
	"$build/spanwatch" --db "$tmp/$c.db" list --json |
	    jq -S '[.[] | del(.id) | .risk |= (if . then del(.evaluated) else . end)] | sort_by(.mac, .ips)' \
	    >"$tmp/$c.list.json"
	"$build/spanwatch" --db "$tmp/$c.db" services --json | jq -S 'map(del(.id, .asset_id)) | sort_by(tostring)' \
	    >"$tmp/$c.services.json"
	size=$(stat -c %s "$tmp/$c.db")
	wal=$(stat -c %s "$tmp/$c.db-wal" 2>/dev/null || echo 0)
	printf '%s: %s packets, database %s bytes (+%s WAL), %s assets, events: %s; peak RSS %s KiB\n' \
	    "$c" "$(sed -n 's/^read .*: \([0-9]*\) packets in .*/\1/p' "$tmp/$c.out")" "$size" "$wal" \
	    "$(jq length "$tmp/$c.list.json")" \
	    "$(sqlite3 "$tmp/$c.db" "SELECT group_concat(kind || ' ' || n, ', ') FROM (SELECT kind, count(*) n FROM events GROUP BY kind ORDER BY kind)")" \
	    "$(cat "$tmp/$c.rss")"
done
grep -E '^stat\.(flood|store)\.' "$tmp/flood.out" | sed 's/^/  flood run: /'
flood=$(sqlite3 "$tmp/flood.db" "SELECT detail FROM events WHERE kind = 'flood'")
[ -n "$flood" ] || { echo "flood-proof: FAIL: no flood event"; fail=1; }
echo "flood event: $flood"
size=$(( $(stat -c %s "$tmp/flood.db") + $(stat -c %s "$tmp/flood.db-wal" 2>/dev/null || echo 0) ))
[ "$size" -lt $((64 << 20)) ] || { echo "flood-proof: FAIL: flooded database $size bytes >= 64 MiB"; fail=1; }
# What identifies each device, and every service, without times: the
# fact cache that suppresses repeats is shared with the flood, so a real
# device's sightings may be written more often during it.
jq -c '.[] | {mac, ips: (.ips | sort), vendor, model, firmware, serial, hostname, os,
    roles: (.roles | sort), protocols: (.protocols | sort), gateway}' "$tmp/base.list.json" | sort >"$tmp/base.ident"
jq -c '.[] | {mac, ips: (.ips | sort), vendor, model, firmware, serial, hostname, os,
    roles: (.roles | sort), protocols: (.protocols | sort), gateway}' "$tmp/flood.list.json" | sort >"$tmp/flood.ident"
for c in base flood; do
	jq -c '.[] | [.mac // .ip, .transport, .port, .protocol, .role]' "$tmp/$c.services.json" | sort >"$tmp/$c.svc"
	jq -r '.[] | .mac // .ips[0]' "$tmp/$c.list.json" | sort >"$tmp/$c.keys"
done
lost_assets=$(comm -23 "$tmp/base.keys" "$tmp/flood.keys" | wc -l)
extra_assets=$(comm -13 "$tmp/base.keys" "$tmp/flood.keys" | wc -l)
lost_svc=$(comm -23 "$tmp/base.svc" "$tmp/flood.svc" | wc -l)
extra_svc=$(comm -13 "$tmp/base.svc" "$tmp/flood.svc" | wc -l)
same=$(comm -12 "$tmp/base.ident" "$tmp/flood.ident" | wc -l)
echo "assets: $(wc -l <"$tmp/base.keys") without the flood, $(wc -l <"$tmp/flood.keys") with it;" \
    "$lost_assets lost, $extra_assets added"
echo "identity (addresses, vendor, model, firmware, serial, hostname, OS, roles, protocols):" \
    "$same of $(wc -l <"$tmp/base.ident") assets identical"
echo "services: $(wc -l <"$tmp/base.svc") without the flood; $lost_svc lost, $extra_svc added"
comm -3 "$tmp/base.ident" "$tmp/flood.ident" | cut -c1-300 | sed 's/^/  differs: /'
comm -13 "$tmp/base.svc" "$tmp/flood.svc" | sed 's/^/  service added: /'
comm -23 "$tmp/base.svc" "$tmp/flood.svc" | sed 's/^/  service lost: /'
[ "$lost_assets" -eq 0 ] && [ "$extra_assets" -eq 0 ] && [ "$lost_svc" -eq 0 ] ||
    { echo "flood-proof: FAIL: the real devices' inventory changed"; fail=1; }
exit $fail
