# Score an inventory against swgen's expected inventory (swgen --expected).
#   jq -n --slurpfile e EXPECTED.json --slurpfile a ASSETS.json -f tools/bench-score.jq
# ASSETS.json: an array of {mac, ips, gateway, ev: [{a: attribute, v: value in lower case}]},
# one per asset, made from `spanwatch show ID --json` (tools/bench.sh, tests/e2e/50-generator.sh).
# A host is found when an asset has its MAC (hosts on the LAN) or one of its IPs;
# a fact is found when that asset has evidence with the same attribute and value (any case).
($e[0]) as $exp | ($a[0]) as $got |
def ips: (.ips // [.ip]) | map(select(. != null));
def match($h):
	($h | ips) as $hips |
	[$got[] | select((($h.mac != null and $h.behind_router != true) and .mac == $h.mac)
	                 or (.ips as $g | any($hips[]; . as $i | $g | index($i))))];
[ $exp.hosts[] | . as $h | match($h) as $m |
  { ip: $h.ip, found: ($m | length > 0),
    facts: [ ($h.facts // {}) | to_entries[] | . as $f |
             { a: $f.key, v: $f.value, ip: $h.ip,
               ok: any($m[].ev[]; .a == $f.key and .v == ($f.value | tostring | ascii_downcase)) } ] } ]
| . as $r
| { hosts: ($r | length), found: ([$r[] | select(.found)] | length),
    facts: ([$r[].facts[]] | length), facts_found: ([$r[].facts[] | select(.ok)] | length),
    router: (if $exp.router_mac then any($got[]; .mac == $exp.router_mac and .gateway) else null end),
    by_attr: ([$r[].facts[]] | group_by(.a)
              | map({ (.[0].a): "\([.[] | select(.ok)] | length)/\(length)" }) | add // {}),
    missed_hosts: [$r[] | select(.found | not) | .ip],
    missed: ([$r[].facts[] | select(.ok | not)] | group_by(.a) | map(.[0] | "\(.a) \(.v | tojson) of \(.ip)")) }
