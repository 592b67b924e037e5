#!/bin/sh
# soak.sh - spanwatchd live for a long time at a steady packet rate: does
# anything grow that should not, is anything lost?
#
# Two network namespaces joined by a veth pair (no real interface is
# touched, nothing leaves the machine): spanwatchd captures on swsoak0 in
# swsoak-cap, dropped to nobody; tcpreplay sends into swsoak1 from swsoak-tx
# at PPS packets/s for MINUTES (its --duration, and a timeout as a guard).
# The traffic, looped: swgen's generated plant (300 hosts, every OT
# protocol) followed by every Ethernet capture in ../shared/pcaps (SW_PCAPS),
# three times with addresses rewritten per copy (tcprewrite --seed), as the
# bench's real mix.  Each loop brings the same hosts back; flows expire and
# come again, operations repeat as new bursts.
#
# Every 10 s one CSV row (OUT/soak.csv): the daemon's RSS, the database and
# its WAL, kernel and queue drops, observations stored, assets, open file
# descriptors, packets received and CPU seconds.  At the end the verdict
# (OUT/verdict.txt, and the exit status):
#   - RSS, the database and its WAL level off: over the last half of the
#     run each grows by at most RSS_TOL_PCT (5), DB_TOL_PCT (10) and
#     DB_TOL_PCT per cent of its value at the half, judged by a least-squares
#     line through those samples (one page allocation is not a trend; a WAL
#     that is never checkpointed is);
#   - no unexplained loss: kernel and interface drops, observation-queue and
#     worker-ring drops, failed store batches and rejected observations are
#     all 0, and the daemon received every packet tcpreplay says it sent;
#   - the daemon still answers `spanwatch status`, and exits 0 on SIGTERM.
# Prints a plot to OUT/soak.svg when gnuplot is there.
#
# Usage (root): tools/soak.sh BUILD [MINUTES] [PPS] [OUT]
#   make soak [SOAK_MINUTES=60] [SOAK_PPS=20000]   (needs tcpreplay, gnuplot-nox, wireshark-common)
set -u
b=${1:?usage: tools/soak.sh BUILD [MINUTES] [PPS] [OUT]}
minutes=${2:-60}
pps=${3:-20000}
out=${4:-$b/soak}
pcaps=${SW_PCAPS:-$(dirname "$0")/../../shared/pcaps}
rss_tol=${RSS_TOL_PCT:-5}
db_tol=${DB_TOL_PCT:-10}
interval=10
name=soak

die() { echo "$name: $*" >&2; exit 2; }
[ "$(id -u)" = 0 ] || die "needs root (network namespaces, capture)"
for t in ip tcpreplay tcprewrite editcap mergecap capinfos; do
	command -v $t >/dev/null || die "needs $t (apt-get install iproute2 tcpreplay wireshark-common)"
done
for p in spanwatchd spanwatch swgen; do [ -x "$b/$p" ] || die "build $b/$p first"; done
id nobody >/dev/null 2>&1 || die "needs the user nobody"
case $minutes in *[!0-9]*|'') die "MINUTES is not a whole number: $minutes";; esac
[ "$minutes" -ge 1 ] || die "MINUTES must be at least 1"

mkdir -p "$out"
out=$(cd "$out" && pwd)
b=$(cd "$b" && pwd)
rm -f "$out"/soak.csv "$out"/verdict.txt "$out"/daemon.log
run=$(mktemp -d)
chmod 755 "$run"
dp=; rp=
cleanup() {
	[ -z "$rp" ] || kill "$rp" 2>/dev/null
	[ -z "$dp" ] || kill "$dp" 2>/dev/null
	ip netns del swsoak-tx 2>/dev/null
	ip netns del swsoak-cap 2>/dev/null
	rm -rf "$run"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# --- the traffic ------------------------------------------------------------
echo "$name: building the traffic in $run"
"$b/swgen" -o "$run/plant.pcap" -n 200000 --hosts 300 -s 21 >/dev/null || die "swgen failed"
n=0
for f in "$pcaps"/*/*.pcap "$pcaps"/*/*.pcapng; do
	[ -e "$f" ] || continue
	p=$run/s$(printf %03d $n).pcap
	editcap -F pcap "$f" "$p" 2>/dev/null || continue
	# only Ethernet: the veth carries Ethernet frames
	if [ "$(capinfos -E -T "$p" 2>/dev/null | awk -F'\t' 'NR==2{print $2}')" = ether ]; then
		n=$((n + 1))
	else
		rm -f "$p"
	fi
done
parts=$run/plant.pcap
if [ $n -gt 0 ]; then
	mergecap -a -F pcap -w "$run/shared.pcap" "$run"/s[0-9]*.pcap || die "mergecap failed"
	for s in 1 2 3; do
		tcprewrite --seed=$s --fixcsum -i "$run/shared.pcap" -o "$run/shared-$s.pcap" ||
		    die "tcprewrite failed"
		parts="$parts $run/shared-$s.pcap"
	done
else
	echo "$name: no shared captures in $pcaps: the generated plant only"
fi
# shellcheck disable=SC2086
mergecap -a -F pcap -w "$run/traffic.pcap" $parts || die "mergecap failed"
loop_pkts=$(capinfos -c -M "$run/traffic.pcap" | awk -F: '/Number of packets/{gsub(/ /,"",$2); print $2}')
echo "$name: one loop is $loop_pkts packets (the plant, $n shared captures x 3)," \
    "$(( loop_pkts / pps )) s at $pps packets/s"

# --- the namespaces and the daemon -------------------------------------------
ip netns add swsoak-cap || die "ip netns add failed"
ip netns add swsoak-tx || die "ip netns add failed"
ip link add swsoak0 netns swsoak-cap type veth peer name swsoak1 netns swsoak-tx ||
    die "cannot create the veth pair"
for ns in cap:swsoak0 tx:swsoak1; do
	# no IPv6: the kernel's own router solicitations would be packets nobody sent
	ip netns exec swsoak-${ns%%:*} sysctl -qw net.ipv6.conf.${ns#*:}.disable_ipv6=1
	# frames of the captures up to 9000 bytes (jumbo); larger ones tcpreplay
	# cannot send and counts as failed, not as sent
	ip netns exec swsoak-${ns%%:*} ip link set ${ns#*:} mtu 9000 up
done
chown nobody "$run"
cat >"$run/sw.conf" <<EOF
[capture]
interface = swsoak0
[store]
database = $run/soak.db
[daemon]
user = nobody
control_socket = $run/ctl.sock
EOF
# from the tree, so the daemon finds oui/ (vendors, rules, register maps)
cd "$(dirname "$0")/.." || die "cannot enter the tree"
ip netns exec swsoak-cap "$b/spanwatchd" -d -c "$run/sw.conf" >"$out/daemon.log" 2>&1 &
dp=$!
for i in $(seq 1 50); do [ -S "$run/ctl.sock" ] && break; sleep 0.2; done
[ -S "$run/ctl.sock" ] || { cat "$out/daemon.log"; die "the daemon did not start"; }
dpid=$(pgrep -P "$dp" -x spanwatchd || echo "$dp")  # ip netns exec execs, so usually $dp

status() { "$b/spanwatch" -c /dev/null status --socket "$run/ctl.sock" --all 2>/dev/null; }
val() { awk -v k="$1" '$1 == k { print $2; f = 1 } END { if (!f) print 0 }' "$run/st"; }
sz() { stat -c %s "$1" 2>/dev/null || echo 0; }

# --- the traffic runs, the samples are taken ----------------------------------
secs=$((minutes * 60))
ip netns exec swsoak-tx timeout $((secs + 30)) tcpreplay -i swsoak1 --pps="$pps" --loop=0 \
    --duration=$secs "$run/traffic.pcap" >"$out/tcpreplay.log" 2>&1 &
rp=$!
echo "t_s,rss_kib,db_bytes,wal_bytes,kernel_drops,queue_drops,observations,assets,open_fds,received,cpu_s" \
    >"$out/soak.csv"
clk=$(getconf CLK_TCK)
start=$(date +%s)
echo "$name: $minutes min at $pps packets/s; samples every ${interval} s in $out/soak.csv"
while kill -0 "$rp" 2>/dev/null; do
	sleep $interval
	t=$(( $(date +%s) - start ))
	status >"$run/st" || { echo "$name: status did not answer at ${t} s"; : >"$run/st"; }
	rss=$(awk '/^VmRSS:/ { print $2 }' /proc/"$dpid"/status 2>/dev/null || echo 0)
	cpu=$(awk -v c="$clk" '{ printf "%.1f", ($14 + $15) / c }' /proc/"$dpid"/stat 2>/dev/null || echo 0)
	fds=$(ls /proc/"$dpid"/fd 2>/dev/null | wc -l)
	qd=$(( $(val stat.obs.dropped) + $(val stat.workers.ring_drops) ))
	echo "$t,${rss:-0},$(sz "$run/soak.db"),$(sz "$run/soak.db-wal"),$(val stat.capture.kernel_drops),$qd,$(val stat.store.applied),$(( $(val stat.store.assets_created) - $(val stat.store.pruned_assets) )),$fds,$(val stat.capture.received),$cpu" \
	    >>"$out/soak.csv"
done
wait "$rp"
rc_replay=$?
rp=
sleep 3	# the last packets through the ring, the last flush
status >"$run/st"; rc_status=$?
cp "$run/st" "$out/status-end.txt"
kill -TERM "$dp"; wait "$dp"; rc_daemon=$?; dp=
cp "$run/soak.db" "$out/soak.db" 2>/dev/null

# --- the verdict ---------------------------------------------------------------
sent=$(awk '/^Actual:/ { print $2; exit }' "$out/tcpreplay.log")
sent=${sent:-0}
failed_tx=$(awk '/Failed packets:/ { print $3; exit }' "$out/tcpreplay.log")
received=$(val stat.capture.received)
loss="capture.kernel_drops=$(val stat.capture.kernel_drops)"
loss="$loss capture.interface_drops=$(val stat.capture.interface_drops)"
loss="$loss obs.dropped=$(val stat.obs.dropped) workers.ring_drops=$(val stat.workers.ring_drops)"
loss="$loss store.failed_batches=$(val stat.store.failed_batches)"
for k in $(awk '$1 ~ /^stat\.store\.rejected_/ { print $1 }' "$run/st"); do
	loss="$loss ${k#stat.}=$(val "$k")"
done
{
	echo "soak: $minutes min at $pps packets/s ($(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores," \
	    "load average $(cut -d' ' -f1-3 /proc/loadavg))"
	echo "traffic: $loop_pkts packets a loop; tcpreplay sent $sent (failed ${failed_tx:-?}, exit $rc_replay)," \
	    "the daemon received $received"
	awk -F, -v rt="$rss_tol" -v dt="$db_tol" '
	NR == 1 { next }
	{ t[++n] = $1; rss[n] = $2; db[n] = $3; wal[n] = $4 }
	function trend(v, label, tol,   i, h, m, sx, sy, sxx, sxy, k, slope, grow, base, pct) {
		h = int(n / 2) + 1; k = 0
		for (i = h; i <= n; i++) { sx += t[i]; sy += v[i]; sxx += t[i]*t[i]; sxy += t[i]*v[i]; k++ }
		if (k < 3) { printf "%s: too few samples\n", label; bad = 1; return }
		slope = (k*sxy - sx*sy) / (k*sxx - sx*sx)
		base = v[h]; grow = slope * (t[n] - t[h]); pct = base > 0 ? 100 * grow / base : 0
		printf "%s: %d at the half (%d s), %d at the end (%d s), max %d; trend over the last half %+.1f%% (tolerance %d%%): %s\n",
		    label, v[h], t[h], v[n], t[n], max(v), pct, tol, pct <= tol ? "levels off" : "GROWS"
		if (pct > tol) bad = 1
	}
	function max(v,   i, m) { m = 0; for (i = 1; i <= n; i++) if (v[i] > m) m = v[i]; return m }
	END { trend(rss, "RSS (KiB)", rt); trend(db, "database (bytes)", dt); trend(wal, "WAL (bytes)", dt)
	      exit bad }
	' "$out/soak.csv"
	rc_trend=$?
	echo "loss counters: $loss"
	echo "spanwatch status at the end: exit $rc_status; spanwatchd on SIGTERM: exit $rc_daemon"
	ok=1
	[ $rc_trend -eq 0 ] || ok=0
	echo "$loss" | tr ' ' '\n' | grep -qv '=0$' && { ok=0; echo "FAIL: packets or observations lost"; }
	[ "$sent" -gt 0 ] && [ "$received" -eq "$sent" ] ||
	    { ok=0; echo "FAIL: received $received of the $sent packets sent"; }
	[ $rc_status -eq 0 ] || { ok=0; echo "FAIL: the daemon did not answer status"; }
	[ $rc_daemon -eq 0 ] || { ok=0; echo "FAIL: spanwatchd exited $rc_daemon"; }
	[ $ok -eq 1 ] && echo "verdict: PASS" || echo "verdict: FAIL"
} >"$out/verdict.txt"
cat "$out/verdict.txt"

if command -v gnuplot >/dev/null; then
	gnuplot <<EOF || echo "$name: gnuplot failed; the CSV is there"
set terminal svg size 800,420 font "sans,11" background "white"
set output "$out/soak.svg"
set datafile separator ","
set key top left
set xlabel "minutes"
set ylabel "MiB"
set y2label "assets"
set y2tics
set ytics nomirror
set yrange [0:*]
set y2range [0:*]
set grid
set title "spanwatchd live, $minutes min at $pps packets/s (tools/soak.sh)"
plot "$out/soak.csv" using (\$1/60):(\$2/1024) every ::1 with lines lw 2 title "RSS", \
     "" using (\$1/60):(\$3/1048576) every ::1 with lines lw 2 title "database", \
     "" using (\$1/60):(\$4/1048576) every ::1 with lines title "WAL", \
     "" using (\$1/60):8 every ::1 axes x1y2 with lines dt 2 title "assets (right)"
EOF
	echo "$name: plot in $out/soak.svg"
fi
grep -q 'verdict: PASS' "$out/verdict.txt"
