#!/bin/sh
# The Debian package: builds with `make deb`, is lintian-clean of errors,
# installs with dpkg -i, and puts the programs, the user, the units and the
# configuration in place; systemd-analyze verify accepts the units.
# It installs a package on this machine, so it runs in CI (CI=true) or when
# SW_TEST_DEB=1; elsewhere it says it was skipped.
set -eu
if [ "${CI:-}" != true ] && [ "${SW_TEST_DEB:-}" != 1 ]; then
	echo "SKIP: package install test runs in CI or with SW_TEST_DEB=1"
	exit 77
fi
if [ "$(id -u)" != 0 ]; then
	echo "SKIP: needs root to install the package"
	exit 77
fi
fail() { echo "FAIL: $*"; exit 1; }

make deb >/dev/null || fail "make deb"
deb=$(ls build/deb/spanwatch_*_*.deb | head -n 1)
[ -f "$deb" ] || fail "no package built"
dpkg -i "$deb" >/dev/null 2>&1 || { apt-get install -y -f -qq >/dev/null 2>&1; dpkg -i "$deb" >/dev/null || fail "dpkg -i $deb"; }

for f in /usr/sbin/spanwatchd /usr/bin/spanwatch /etc/spanwatch/spanwatch.conf \
    /etc/spanwatch/risk.conf /lib/systemd/system/spanwatchd.service \
    /lib/systemd/system/spanwatchd@.service \
    /usr/share/spanwatch/vendors.csv /usr/share/man/man8/spanwatchd.8.gz \
    /usr/share/man/man1/spanwatch.1.gz /usr/share/man/man5/spanwatch.conf.5.gz; do
	[ -e "$f" ] || fail "$f not installed"
done
dpkg-query -W -f='${Conffiles}\n' spanwatch | grep -q /etc/spanwatch/spanwatch.conf ||
	fail "spanwatch.conf is not a conffile"
getent passwd spanwatch >/dev/null || fail "user spanwatch not created"
getent group spanwatch >/dev/null || fail "group spanwatch not created"
[ -d /var/lib/spanwatch ] || fail "/var/lib/spanwatch not created"
[ "$(stat -c %U /var/lib/spanwatch)" = spanwatch ] || fail "/var/lib/spanwatch not owned by spanwatch"
/usr/sbin/spanwatchd --version | grep -q '^spanwatchd ' || fail "spanwatchd --version"
# a release build, also when the suite runs under SANITIZE=1
grep -qa __asan_init /usr/sbin/spanwatchd && fail "the packaged spanwatchd is built with AddressSanitizer"
/usr/bin/spanwatch --version | grep -q '^spanwatch ' || fail "spanwatch --version"
[ ! -e /lib/systemd/system/spanwatch-export.timer ] || fail "a second export mechanism (the timer) is installed"
out=$(systemd-analyze verify /lib/systemd/system/spanwatchd.service 2>&1) ||
	fail "systemd-analyze verify: $out"
echo "$out" | grep -v -e 'Failed to .* cgroup' -e '^$' | grep . && fail "systemd-analyze verify warned: $out"
echo "PASS: package builds, installs and verifies"
