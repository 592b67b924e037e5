#!/bin/sh
# 16-nfqueue.sh - spanwatchd on an NFQUEUE passes traffic and sees it.
# Two network namespaces joined by a veth pair; in the first, an iptables
# rule queues everything arriving on the veth to queue 7 WITHOUT bypass, so
# a packet only gets through if spanwatchd gives it a verdict.  Checks: no
# reply while nobody listens (the rule works); with spanwatchd listening,
# every UDP echo is answered, after it dropped root to nobody keeping only
# CAP_NET_ADMIN (the kernel checks it on every verdict message); both hosts
# are in the inventory, the sender with the MAC of its interface (NFQUEUE
# gives the network layer and the sender's hardware address apart); it
# flushes and exits 0 on SIGTERM.
# Needs root, iproute2, iptables and python3.
# Usage: tests/e2e/16-nfqueue.sh [BUILD_DIR]
set -u
build=${1:-build}
daemon=$build/spanwatchd
cli=$build/spanwatch
name=16-nfqueue

[ -x "$daemon" ] || { echo "$name: SKIP: build $daemon first"; exit 77; }
[ "$(id -u)" = 0 ] || { echo "$name: SKIP: needs root for namespaces and NFQUEUE"; exit 77; }
for p in ip python3; do
	command -v $p >/dev/null || { echo "$name: SKIP: $p needed"; exit 77; }
done
ipt=
for p in iptables-legacy iptables; do
	command -v $p >/dev/null && { ipt=$p; break; }
done
[ -n "$ipt" ] || { echo "$name: SKIP: iptables needed (make deps)"; exit 77; }
id nobody >/dev/null 2>&1 || { echo "$name: SKIP: no user nobody"; exit 77; }

a=swq$$a b=swq$$b
tmp=$(mktemp -d)
pid= echo_pid=
cleanup() {
	[ -z "$pid" ] || kill "$pid" 2>/dev/null
	[ -z "$echo_pid" ] || kill "$echo_pid" 2>/dev/null
	ip netns del "$a" 2>/dev/null
	ip netns del "$b" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT INT TERM
chown nobody "$tmp"
nfail=0
fail() { echo "$name: FAIL: $*"; nfail=$((nfail + 1)); }

ip netns add "$a" && ip netns add "$b" &&
ip link add swqa$$ type veth peer name swqb$$ &&
ip link set swqa$$ netns "$a" && ip link set swqb$$ netns "$b" &&
ip -n "$a" addr add 10.77.0.1/24 dev swqa$$ && ip -n "$b" addr add 10.77.0.2/24 dev swqb$$ &&
ip -n "$a" link set swqa$$ up && ip -n "$b" link set swqb$$ up &&
ip -n "$a" link set lo up || { echo "$name: SKIP: cannot make network namespaces here"; exit 77; }

# A UDP echo server in the first namespace.
ip netns exec "$a" python3 -c '
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("10.77.0.1", 9999))
while True:
    d, a = s.recvfrom(100)
    s.sendto(d, a)
' &
echo_pid=$!
sleep 0.3

echoes() {	# echoes N: how many of N datagrams came back from the first namespace
	ip netns exec "$b" python3 - "$1" <<'PY'
import socket, sys
ok = 0
for i in range(int(sys.argv[1])):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.settimeout(1.0)
    s.sendto(b"spanwatch %d" % i, ("10.77.0.1", 9999))
    try:
        s.recvfrom(100)
        ok += 1
    except socket.timeout:
        pass
    s.close()
print(ok)
PY
}

[ "$(echoes 3)" = 3 ] || { echo "$name: FAIL: no echo even without a queue"; exit 1; }
if ! ip netns exec "$a" $ipt -A INPUT -i swqa$$ -j NFQUEUE --queue-num 7 2>"$tmp/ipt"; then
	echo "$name: SKIP: this kernel cannot queue packets ($(cat "$tmp/ipt"))"
	exit 77
fi
[ "$(echoes 2)" = 0 ] || fail "packets passed the queue with nobody listening"

ip netns exec "$a" "$daemon" -d --nfqueue 7 -u nobody --db "$tmp/db" 2>"$tmp/err" &
pid=$!
for i in 1 2 3 4 5 6 7 8 9 10; do grep -q 'capturing on nfqueue' "$tmp/err" && break; sleep 0.3; done
grep -q 'capturing on nfqueue' "$tmp/err" || fail "spanwatchd did not start on the queue"

n=$(echoes 10)
[ "$n" = 10 ] || fail "$n of 10 echoes answered through spanwatchd (verdicts refused?)"
st=/proc/$pid/status
grep -Eq "^Uid:[[:space:]]+$(id -u nobody)[[:space:]]" "$st" || fail "not running as nobody: $(grep ^Uid "$st")"
grep -Eq '^CapEff:[[:space:]]+0*1000$' "$st" || fail "effective capabilities not CAP_NET_ADMIN alone: $(grep ^CapEff "$st")"
grep -Eq '^CapPrm:[[:space:]]+0*1000$' "$st" || fail "permitted capabilities not CAP_NET_ADMIN alone: $(grep ^CapPrm "$st")"
grep -Eq '^NoNewPrivs:[[:space:]]+1$' "$st" || fail "no_new_privs not set"
# verdicts go out on the netlink socket, yet the process cannot transmit
grep -Eq '^Seccomp:[[:space:]]+2$' "$st" || fail "no seccomp filter: $(grep ^Seccomp "$st")"
grep -q 'sandbox: seccomp filter on' "$tmp/err" || fail "the sandbox did not report itself"

kill -TERM "$pid"
wait "$pid"
rc=$?
pid=
[ $rc -eq 0 ] || fail "exit $rc after SIGTERM"
"$cli" --db "$tmp/db" list --csv >"$tmp/list"
for ip in 10.77.0.1 10.77.0.2; do
	grep -q ",$ip," "$tmp/list" || fail "$ip not in the inventory: $(cat "$tmp/list")"
done
mac=$(ip -n "$b" -o link show swqb$$ | sed -n 's/.*link\/ether \([0-9a-f:]*\).*/\1/p')
grep -q ",$mac,10.77.0.2," "$tmp/list" || fail "10.77.0.2 not with its MAC $mac: $(cat "$tmp/list")"
if [ $nfail -ne 0 ]; then
	sed "s/^/$name: daemon: /" "$tmp/err"
	exit 1
fi
echo "$name: ok"
