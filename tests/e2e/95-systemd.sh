#!/bin/sh
# The packaged service under a real systemd: a minimal Debian 12 (debootstrap,
# cached in build/) boots in systemd-nspawn with its own network namespace;
# the package is installed there with apt, a veth pair stands in for the SPAN
# port, and the checks run in the container through nsenter:
#  - [daemon] memory_max reaches `systemctl show -p MemoryMax` through
#    spanwatch-generator, and a bad value leaves the unit's 1G;
#  - spanwatchd.service starts on the configured interface, runs as user
#    spanwatch with no capability beyond CAP_NET_RAW and CAP_NET_ADMIN,
#    no_new_privs and a seccomp filter, and its control socket is in
#    /run/spanwatch/;
#  - a member of the spanwatch group runs `spanwatch list` without root and
#    sees the asset the daemon found; a user outside the group cannot;
#  - reload (SIGHUP) keeps the same process; the instance unit
#    spanwatchd@IFACE runs beside it; stop exits cleanly (status 0);
#  - `systemd-analyze security` scores the unit (printed, and at most 2.5);
#  - with [forward] host set the service still starts and stays up: the
#    syslog forwarder is a process of its own (supervisor and sender) that
#    the unit's filter lets run, all three processes run as spanwatch with
#    no capability and a seccomp filter, and status shows it running;
# It installs packages (debootstrap, systemd-container) and downloads a root
# file system, so it runs in CI (CI=true) or when SW_TEST_SYSTEMD=1, as root.
set -eu
if [ "${CI:-}" != true ] && [ "${SW_TEST_SYSTEMD:-}" != 1 ]; then
	echo "SKIP: systemd boot test runs in CI or with SW_TEST_SYSTEMD=1"
	exit 77
fi
if [ "$(id -u)" != 0 ]; then
	echo "SKIP: needs root to boot a container"
	exit 77
fi

mirror=${SW_DEBIAN_MIRROR:-http://deb.debian.org/debian}
work=build/systemd-test
name=$(basename "$work")
npid=
fails=0
pass() { echo "PASS: $*"; }
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
die() { echo "FAIL: $*"; exit 1; }

cleanup() {
	if [ -n "$npid" ] && kill -0 "$npid" 2>/dev/null; then
		kill -TERM "$npid" 2>/dev/null	# nspawn halts the container
		i=0
		while kill -0 "$npid" 2>/dev/null && [ $i -lt 30 ]; do sleep 1; i=$((i + 1)); done
		kill -KILL "$npid" 2>/dev/null || true
		wait "$npid" 2>/dev/null || true
	fi
	# nspawn's mounts live in its own namespace and die with it; this
	# directory it leaves when /run is not a tmpfs.
	rm -rf "/run/systemd/nspawn/propagate/$name"
	rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

if ! command -v debootstrap >/dev/null || ! command -v systemd-nspawn >/dev/null; then
	apt-get update -qq >/dev/null 2>&1 || true
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
	    debootstrap systemd-container >/dev/null 2>&1 || die "apt-get install debootstrap systemd-container"
fi

# The package, rebuilt only when a source is newer than it.
deb=$(ls build/deb/spanwatch_*_*.deb 2>/dev/null | head -n 1 || true)
if [ -z "$deb" ] || [ -n "$(find daemon dissectors db oui tools packaging docs Makefile VERSION \
    -newer "$deb" -type f 2>/dev/null | head -n 1)" ]; then
	make deb >/dev/null || die "make deb"
	deb=$(ls build/deb/spanwatch_*_*.deb | head -n 1)
fi

# The root file system: systemd, iproute2 and the package's dependencies
# (first alternative of each), so apt installs it without a network.  Cached
# per package list; an older cache is removed.
deps=$(dpkg-deb -f "$deb" Depends | tr ',' '\n' | sed -e 's/|.*//' -e 's/(.*)//' -e 's/[[:space:]]//g' |
    grep -v '^$' | sort -u | tr '\n' ',')
include="systemd,systemd-sysv,dbus,iproute2,${deps%,}"
root=build/systemd-root-$(printf '%s' "$include" | md5sum | cut -c1-10)
if [ ! -d "$root" ]; then
	rm -rf build/systemd-root-*
	echo "debootstrap bookworm into $root (once; cached)"
	debootstrap --variant=minbase --include="$include" bookworm "$root.tmp" "$mirror" \
	    >build/debootstrap.log 2>&1 || { tail -n 20 build/debootstrap.log; die "debootstrap (log: build/debootstrap.log)"; }
	mv "$root.tmp" "$root"
fi

rm -rf "$work"
cp -a "$root" "$work"
cp "$deb" "$work/root/spanwatch.deb"
ln -sf /dev/null "$work/etc/systemd/system/console-getty.service"
ln -sf /dev/null "$work/etc/systemd/system/getty@tty1.service"

# --keep-unit --register=no: the host needs no systemd or machined.
systemd-nspawn -q -D "$work" --keep-unit --register=no --private-network -b --console=pipe \
    </dev/null >build/systemd-test.log 2>&1 &
npid=$!
cpid=
i=0
while [ $i -lt 60 ]; do
	kill -0 "$npid" 2>/dev/null || { cat build/systemd-test.log; die "systemd-nspawn exited"; }
	cpid=$(pgrep -P "$npid" | head -n 1 || true)
	if [ -n "$cpid" ]; then
		state=$(nsenter -t "$cpid" -a systemctl is-system-running 2>/dev/null || true)
		case $state in running | degraded) break ;; esac
	fi
	sleep 1; i=$((i + 1))
done
[ $i -lt 60 ] || die "container did not boot in 60 s (state: ${state:-none})"
inside() { nsenter -t "$cpid" -a "$@"; }
prop() { inside systemctl show -p "$2" --value "$1"; }
pass "$(inside systemctl --version | head -n 1) booted in the container ($state)"
[ "$state" = running ] || inside systemctl --failed --no-pager

out=$(inside env DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
    /root/spanwatch.deb 2>&1) || { echo "$out" | tail -n 20; die "apt-get install the package"; }
inside systemctl is-enabled spanwatchd >/dev/null 2>&1 && fail "the package enabled spanwatchd" ||
	pass "package installed, spanwatchd not enabled by it"

# The SPAN port: sw0 has no address; traffic sent from its peer sw1 arrives on it.
inside ip link add sw0 type veth peer name sw1 || die "veth pair"
inside ip link set sw0 up
inside ip link set sw1 up
inside ip addr add 192.0.2.10/24 dev sw1
conf=/etc/spanwatch/spanwatch.conf

# A bad memory_max: the generator writes nothing; the unit keeps its own.
printf '\n[daemon]\nmemory_max = 12k\n' | inside sh -c "cat >>$conf"
inside systemctl daemon-reload
mm=$(prop spanwatchd MemoryMax)
[ "$mm" = 1073741824 ] && pass "bad memory_max: MemoryMax stays the unit's 1G" ||
	fail "bad memory_max: MemoryMax=$mm, want 1073741824"
inside sed -i '$d' "$conf"
printf '[capture]\ninterface = sw0\n[daemon]\nmemory_max = 768M\n' | inside sh -c "cat >>$conf"
inside systemctl daemon-reload
mm=$(prop spanwatchd MemoryMax)
[ "$mm" = 805306368 ] && pass "memory_max = 768M: MemoryMax=$mm" || fail "MemoryMax=$mm, want 805306368 (768M)"
inside systemctl cat spanwatchd | grep -q '^# /run/systemd/generator/spanwatchd.service.d/50-memory.conf' ||
	fail "no generator drop-in in systemctl cat"

inside systemctl start spanwatchd || fail "systemctl start spanwatchd"
sleep 3
st=$(inside systemctl is-active spanwatchd || true)
[ "$st" = active ] && [ "$(prop spanwatchd NRestarts)" = 0 ] && pass "spanwatchd.service active" || {
	fail "spanwatchd.service is $st (restarts: $(prop spanwatchd NRestarts))"
	inside journalctl -u spanwatchd --no-pager | tail -n 20
}
pid=$(prop spanwatchd MainPID)
status=$(inside cat "/proc/$pid/status" 2>/dev/null || true)
uid=$(inside id -u spanwatch); gid=$(inside id -g spanwatch)
field() { echo "$status" | awk -v k="$1:" '$1 == k { $1 = ""; sub(/^ /, ""); print }'; }
[ "$(field Uid)" = "$uid $uid $uid $uid" ] && [ "$(field Gid)" = "$gid $gid $gid $gid" ] &&
	pass "runs as spanwatch ($uid:$gid)" || fail "ids: Uid $(field Uid) Gid $(field Gid), want $uid:$gid"
# CAP_NET_ADMIN is bit 12, CAP_NET_RAW bit 13.  The unit grants both; once
# the capture is open the daemon keeps none (a pcap capture needs none after
# the socket is open; only NFQUEUE keeps NET_ADMIN, see 16-nfqueue.sh).
capbnd=$(field CapBnd); capeff=$(field CapEff); capprm=$(field CapPrm); capamb=$(field CapAmb)
if [ "$capbnd" = 0000000000003000 ] && [ $((0x$capeff)) = 0 ] && [ $((0x$capprm)) = 0 ] && [ $((0x$capamb)) = 0 ]; then
	pass "capabilities: bounding $capbnd (the unit's), none effective, permitted or ambient after the capture opened"
else
	fail "capabilities: bounding $capbnd effective $capeff permitted $capprm ambient $capamb"
fi
[ "$(field NoNewPrivs)" = 1 ] && [ "$(field Seccomp)" = 2 ] && pass "no_new_privs and a seccomp filter" ||
	fail "NoNewPrivs $(field NoNewPrivs) Seccomp $(field Seccomp)"
inside journalctl -u spanwatchd --no-pager | grep -q sw0 || fail "the journal does not name sw0"
# its own filter too, on top of the unit's (the unit must allow seccomp(2))
inside journalctl -u spanwatchd --no-pager | grep -q 'sandbox: seccomp filter on' &&
    pass "spanwatchd installed its own seccomp filter (no socket that can send)" ||
    fail "the journal has no 'sandbox: seccomp filter on' line"
inside test -S /run/spanwatch/spanwatchd.sock && pass "control socket /run/spanwatch/spanwatchd.sock" ||
	fail "no control socket in /run/spanwatch: $(inside ls -la /run/spanwatch 2>&1)"

# Traffic on the SPAN port: an ARP request from 192.0.2.10 (nobody answers).
inside bash -c 'for i in 1 2 3; do echo x >/dev/udp/192.0.2.20/9; sleep 0.5; done' 2>/dev/null || true
sleep 2

inside useradd -m -G spanwatch operator1
inside useradd -m outsider1
out=$(inside runuser -u operator1 -- spanwatch list 2>&1) && echo "$out" | grep -q 192.0.2.10 &&
	pass "operator in group spanwatch: spanwatch list shows 192.0.2.10" ||
	fail "spanwatch list as operator1: $out"
out=$(inside runuser -u outsider1 -- spanwatch list 2>&1) &&
	fail "a user outside the group read the inventory: $out" ||
	pass "a user outside the group cannot read it"

inside systemctl reload spanwatchd || {
	fail "systemctl reload"
	inside journalctl -u spanwatchd --no-pager | tail -n 10
}
sleep 2
[ "$(inside systemctl is-active spanwatchd || true)" = active ] && [ "$(prop spanwatchd MainPID)" = "$pid" ] &&
    inside journalctl -u spanwatchd --no-pager -o cat | grep -q '^spanwatchd: reload: ' &&
	pass "reload (SIGHUP): re-read, same process, still active" ||
	fail "reload: not active, a new process, or no 'reload:' line from spanwatchd in the journal"

# One instance per SPAN port, beside the main service.
inside ip link add sw2 type veth peer name sw3
inside ip link set sw2 up
inside systemctl start spanwatchd@sw2 || fail "systemctl start spanwatchd@sw2"
sleep 3
if [ "$(inside systemctl is-active spanwatchd@sw2 || true)" = active ] &&
    inside test -S /run/spanwatch/sw2.sock && [ "$(prop spanwatchd@sw2 MemoryMax)" = 805306368 ]; then
	pass "spanwatchd@sw2 active, socket /run/spanwatch/sw2.sock, MemoryMax 768M"
else
	fail "spanwatchd@sw2: $(inside systemctl is-active spanwatchd@sw2 || true)," \
	    "MemoryMax $(prop spanwatchd@sw2 MemoryMax), /run/spanwatch: $(inside ls /run/spanwatch 2>&1 | tr '\n' ' ')"
	inside journalctl -u spanwatchd@sw2 --no-pager | tail -n 10
fi
inside systemctl stop spanwatchd@sw2
inside test -S /run/spanwatch/spanwatchd.sock && [ "$(inside systemctl is-active spanwatchd || true)" = active ] &&
	pass "stopping the instance leaves spanwatchd and its socket" ||
	fail "stopping spanwatchd@sw2 removed /run/spanwatch/spanwatchd.sock or stopped spanwatchd"

score=$(inside systemd-analyze security spanwatchd.service --no-pager 2>&1 | tail -n 1)
echo "INFO: systemd-analyze security: $score"
n=$(echo "$score" | sed -n 's/.*: \([0-9][0-9]*\.[0-9]\).*/\1/p')
[ -n "$n" ] && awk -v n="$n" 'BEGIN { exit !(n <= 2.5) }' && pass "exposure $n (at most 2.5)" ||
	fail "exposure score '$score' above 2.5"

# The syslog forwarder under the unit (no collector listens: it retries).
printf '[forward]\nhost = 127.0.0.1\nport = 5514\n' | inside sh -c "cat >>$conf"
inside systemctl restart spanwatchd || fail "systemctl restart spanwatchd with [forward]"
sleep 3
pid=$(prop spanwatchd MainPID)
sup=$(inside pgrep -P "$pid" | head -n 1 || true)
snd=$(inside pgrep -P "${sup:-0}" | head -n 1 || true)
fwd_ok=1
for p in "$pid" "$sup" "$snd"; do
	s=$(inside cat "/proc/${p:-0}/status" 2>/dev/null || true)
	f() { echo "$s" | awk -v k="$1:" '$1 == k { $1 = ""; sub(/^ /, ""); print }'; }
	[ -n "$p" ] && [ "$(f Uid)" = "$uid $uid $uid $uid" ] && [ $((0x$(f CapEff))) = 0 ] &&
	    [ "$(f Seccomp)" = 2 ] && [ "$(f NoNewPrivs)" = 1 ] || {
		fwd_ok=0
		fail "forwarding: process '${p:-none}': Uid $(f Uid) CapEff $(f CapEff) Seccomp $(f Seccomp)"
	}
done
st=$(inside spanwatch status --all 2>&1 || true)
[ $fwd_ok = 1 ] && [ "$(inside systemctl is-active spanwatchd || true)" = active ] &&
    echo "$st" | grep -Eq '^stat\.forward\.running +1$' && echo "$st" | grep -Eq "^stat\.forward\.pid +$snd\$" &&
    inside journalctl -u spanwatchd --no-pager -o cat | grep -q "forward: forwarder process $sup: seccomp filter on" &&
	pass "forwarding: sensor $pid, forwarder $sup and sender $snd, each Seccomp 2, uid spanwatch, no capability" || {
	fail "forwarding under the unit: $(echo "$st" | grep forward | tr '\n' ' ')"
	inside journalctl -u spanwatchd --no-pager | tail -n 10
}

# A stopped unit is unloaded at once (its ExecMain* reset): read the journal.
inside systemctl stop spanwatchd
log=$(inside journalctl -u spanwatchd --no-pager -o cat)
if echo "$log" | grep -q 'flushing and stopping' && echo "$log" | tail -n 3 | grep -q 'Deactivated successfully' &&
    ! echo "$log" | grep -q 'Main process exited'; then
	pass "stop: spanwatchd flushed and exited 0"
else
	fail "stop: $(echo "$log" | tail -n 5)"
fi

[ $fails = 0 ] || die "$fails check(s) failed"
echo "PASS: spanwatchd runs hardened under systemd"
