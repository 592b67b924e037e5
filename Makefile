# spanwatch - network-passive OT asset discovery.
#
#   make            build spanwatchd, spanwatch and the capture generator
#   make demo       deps + build + generate a capture + inventory + risk summary
#   make check      deps + build + layering + the whole test suite (SANITIZE=1: ASan+UBSan)
#   make layering   which folder may include which (docs/ARCHITECTURE.md), literal fact names
#   make bench      throughput benchmark against a bare pcap loop and ndpiReader
#   make fuzz       libFuzzer targets (clang), FUZZ_SECONDS each (default 10)
#   make fuzz-long  the same, FUZZ_SECONDS default 600, with a summary (docs/FUZZING.md)
#   make soak       live soak on a veth pair in network namespaces (root, not in CI):
#                   SOAK_MINUTES (60) at SOAK_PPS (20000), verdict and plot in BUILD/soak
#   make peer-suites PEER_PCAPS=DIR  spanwatchd -r over tcpdump's, nDPI's and Zeek's
#                   test captures in DIR (tools/peer-suites.sh), compared with the counts
#   make install    PREFIX=/usr/local DESTDIR=
#   make deps       install the Debian packages needed to build and test (root),
#                   or print the apt-get line to run

PREFIX	?= /usr/local
DESTDIR	?=
# Units and the MemoryMax generator (the Debian package uses /lib/systemd).
SYSTEMDDIR ?= $(PREFIX)/lib/systemd
# The spanwatch user and its directories (sysusers.d, tmpfiles.d); the
# Debian package has debhelper install its own copies and sets this to no.
INSTALL_SYSUSERS ?= yes
CC	?= cc
SANITIZE ?= 0

PKGS	:= libpcap libnetfilter_queue sqlite3 libevent libevent_openssl openssl libndpi libloc \
	   jansson inih libpcre2-8 smartcols libseccomp

# Debian packages: build, test, demo.  `make deps` installs what is missing.
DEB_BUILD := build-essential pkg-config clang libpcap-dev libnetfilter-queue-dev \
	     libsqlite3-dev sqlite3 libevent-dev libndpi-dev libjansson-dev \
	     libinih-dev libpcre2-dev libssl-dev libsmartcols-dev ieee-data libgraphviz-dev libloc-dev \
	     libseccomp-dev
DEB_TEST  := check libclang-rt-14-dev libndpi-bin jq tshark iproute2 iptables rsyslog \
	     rsyslog-gnutls gnutls-bin debhelper lintian fakeroot dpkg-dev time python3 \
	     debootstrap systemd-container chromium graphviz libloc-database
DEB_ALL   := $(DEB_BUILD) $(DEB_TEST)

ifeq ($(SANITIZE),1)
# clang: its UBSan also catches what gcc's does not (arithmetic on a null
# pointer, even by zero).  CC=gcc make SANITIZE=1 still works.
ifeq ($(origin CC),default)
CC	:= clang
endif
BUILD	:= build-san
# Leaks inside Graphviz and fontconfig are theirs (tests/lsan.supp says why).
export LSAN_OPTIONS := suppressions=$(CURDIR)/tests/lsan.supp:print_suppressions=0
SANFLAGS := -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer
OPT	:= -O1 -g
else
BUILD	:= build
SANFLAGS :=
OPT	:= -O2 -g
endif

WARN	:= -Wall -Wextra -Wshadow -Wpointer-arith -Wstrict-prototypes \
	   -Wmissing-prototypes -Wmissing-declarations -Wcast-qual -Wsign-compare \
	   -Wformat=2 -Wno-format-nonliteral
# gcc: an snprintf whose result is ignored and may be cut.  Level 1, not 2:
# level 2 also flags every call whose return value is checked (65 in this
# tree: `n += snprintf(...)` joins bounded by `n < size`, `%.*s` with a
# run-time length), i.e. truncations already handled.  A cut we want goes
# through str_cutf (core/strcut.h), which marks it.  clang has no such warning.
ifeq ($(findstring clang,$(shell $(CC) --version 2>/dev/null)),)
WARN	+= -Wformat-truncation=1
endif
HARDEN	:= -fstack-protector-strong -fPIE
# _FORTIFY_SOURCE's checked copies hide overflows from ASan: not in a sanitizer build.
ifneq ($(SANITIZE),1)
HARDEN	+= -D_FORTIFY_SOURCE=2
endif
SW_ETC	:= $(if $(filter /usr,$(PREFIX)),,$(PREFIX))/etc/spanwatch
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   = $(shell pkg-config --libs $(PKGS) 2>/dev/null)
# The folders, in pipeline order (docs/ARCHITECTURE.md; `make layering` checks
# which may include which).
SRC_DIRS := core ident dissectors packet store export daemon cli tools
CPPFLAGS += -D_GNU_SOURCE $(addprefix -iquote ,$(SRC_DIRS)) \
	    -DSW_DATADIR='"$(PREFIX)/share/spanwatch"' \
	    -DSW_SYSCONFDIR='"$(SW_ETC)"' \
	    -DSW_VERSION='"$(VERSION)"'
CFLAGS	+= -std=c11 $(OPT) $(WARN) $(HARDEN) $(SANFLAGS) -MMD -MP $(PKG_CFLAGS)
LDFLAGS	+= -pie -Wl,-z,relro,-z,now $(SANFLAGS)
LDLIBS	+= $(PKG_LIBS) -lm -lpthread
# The map's layout (cli/cli_map.c): Graphviz's libraries, linked into the CLI only.
GV_CFLAGS = $(shell pkg-config --cflags libgvc 2>/dev/null)
GV_LIBS	  = $(shell pkg-config --libs libgvc 2>/dev/null)

VERSION	:= $(shell cat VERSION 2>/dev/null || echo 0.0.0)

# Everything but the programs' main files goes into one static library.
LIB_SRCS := $(wildcard core/*.c ident/*.c dissectors/*.c packet/*.c store/*.c export/*.c) \
	    $(filter-out daemon/main.c,$(wildcard daemon/*.c))
CLI_SRCS := $(wildcard cli/*.c)
GEN_SRCS := $(wildcard tools/swgen*.c)
TEST_SRCS := $(wildcard tests/test_*.c)
TEST_SUPPORT := $(filter-out $(TEST_SRCS),$(wildcard tests/*.c))

LIB	:= $(BUILD)/libspanwatch.a
LIB_OBJS := $(LIB_SRCS:%.c=$(BUILD)/%.o)
DAEMON	:= $(BUILD)/spanwatchd
CLI	:= $(BUILD)/spanwatch
GEN	:= $(BUILD)/swgen
TESTS	:= $(TEST_SRCS:tests/%.c=$(BUILD)/tests/%)
TEST_SUPPORT_OBJS := $(TEST_SUPPORT:%.c=$(BUILD)/%.o)

PROGS	:= $(DAEMON) $(CLI) $(if $(GEN_SRCS),$(GEN))

.SECONDARY:
.PHONY: all check check-unit check-e2e layering print-flags demo deps bench fuzz fuzz-long install clean deb \
	soak peer-suites
all: $(PROGS)
	@# Stable paths for scripts and docs: ./spanwatchd, ./spanwatch, ./swgen
	@for p in $(notdir $(PROGS)); do ln -sf $(BUILD)/$$p $$p; done

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) -c -o $@ $<

$(LIB): $(LIB_OBJS)
	@rm -f $@
	ar rcs $@ $^

$(DAEMON): $(BUILD)/daemon/main.o $(LIB)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(CLI): $(CLI_SRCS:%.c=$(BUILD)/%.o) $(LIB)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS) $(GV_LIBS)

$(BUILD)/cli/cli_map.o: CFLAGS += $(GV_CFLAGS)

$(GEN): $(GEN_SRCS:%.c=$(BUILD)/%.o) $(LIB)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/tests/%: $(BUILD)/tests/%.o $(TEST_SUPPORT_OBJS) $(LIB)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS) $(shell pkg-config --libs check)

# --- set-up -------------------------------------------------------------
deps:
	@missing=$$(for p in $(DEB_ALL); do dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q 'install ok installed' || echo $$p; done); \
	if [ -z "$$missing" ]; then exit 0; fi; \
	if [ "$$(id -u)" = 0 ]; then \
		echo "deps: installing $$missing"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	else \
		echo "deps: missing Debian packages; run as root:"; \
		echo "  apt-get install $$missing"; exit 1; \
	fi

# --- tests --------------------------------------------------------------
# Unit tests (check) then the end-to-end scripts in tests/e2e/.
check: deps
	$(MAKE) --no-print-directory all
	$(MAKE) --no-print-directory layering check-unit check-e2e

# The flags of this build, one "NAME value" line each, shell-quoted as in a
# recipe, for scripts that compile on their own (tests/fuzz/run.sh):
#   make -s print-flags CC=clang
print-flags:
	$(info CPPFLAGS $(CPPFLAGS))
	$(info WARN $(WARN))
	$(info PKG_CFLAGS $(PKG_CFLAGS))
	$(info LDLIBS $(LDLIBS))
	@:

# Every #include "..." against the folder table (docs/ARCHITECTURE.md), and
# the dissector contract's names: only a literal compiles (dissector.h).
layering:
	@tools/check-layering.sh && echo "layering: every include allowed"
	@CC='$(CC)' tools/check-fact-names.sh && echo "layering: only literal fact names compile"

check-unit: $(TESTS)
	@tests/run-unit $(BUILD) $(TESTS)

check-e2e: $(PROGS)
	@tests/run-e2e $(BUILD)

# --- demo ---------------------------------------------------------------
demo: deps
	$(MAKE) --no-print-directory all
	@tools/demo.sh $(BUILD)

# The real-traffic half needs the mix builder's tools; the profile valgrind.
bench: DEB_ALL += tcpreplay wireshark-common valgrind
bench: deps
	$(MAKE) --no-print-directory all
	@tools/bench.sh $(BUILD)

fuzz: deps
	@tests/fuzz/run.sh

# A campaign: every target for FUZZ_SECONDS (10 minutes unless given), one
# at a time; the corpora grow in build-fuzz/corpus/ from run to run.
fuzz-long: deps
	@FUZZ_SECONDS=$${FUZZ_SECONDS:-600} tests/fuzz/run.sh

# Long runs a developer starts by hand; CI runs neither (docs/RELIABILITY.md).
SOAK_MINUTES ?= 60
SOAK_PPS ?= 20000
soak: DEB_ALL += tcpreplay gnuplot-nox wireshark-common
soak: deps
	$(MAKE) --no-print-directory all
	@tools/soak.sh $(BUILD) $(SOAK_MINUTES) $(SOAK_PPS)

peer-suites: all
	@[ -n "$(PEER_PCAPS)" ] || { echo "peer-suites: give PEER_PCAPS=DIR (tools/peer-suites.sh says what it holds)"; exit 2; }
	@tools/peer-suites.sh $(BUILD) $(PEER_PCAPS)

install: all
	install -d $(DESTDIR)$(PREFIX)/sbin $(DESTDIR)$(PREFIX)/bin \
		$(DESTDIR)$(PREFIX)/share/spanwatch $(DESTDIR)$(PREFIX)/share/man/man1 \
		$(DESTDIR)$(PREFIX)/share/man/man5 $(DESTDIR)$(PREFIX)/share/man/man8
	install -m 0755 $(DAEMON) $(DESTDIR)$(PREFIX)/sbin/spanwatchd
	[ ! -f $(CLI) ] || install -m 0755 $(CLI) $(DESTDIR)$(PREFIX)/bin/spanwatch
	for f in oui/*.csv oui/*.rules oui/*.map; do [ ! -f $$f ] || install -m 0644 $$f $(DESTDIR)$(PREFIX)/share/spanwatch/; done
	for f in docs/man/*.1; do [ ! -f $$f ] || install -m 0644 $$f $(DESTDIR)$(PREFIX)/share/man/man1/; done
	for f in docs/man/*.5; do [ ! -f $$f ] || install -m 0644 $$f $(DESTDIR)$(PREFIX)/share/man/man5/; done
	for f in docs/man/*.8; do [ ! -f $$f ] || install -m 0644 $$f $(DESTDIR)$(PREFIX)/share/man/man8/; done
	install -d $(DESTDIR)$(SYSTEMDDIR)/system $(DESTDIR)$(SYSTEMDDIR)/system-generators
	for f in packaging/systemd/*.service; do \
		sed -e 's|/usr/sbin/|$(PREFIX)/sbin/|g' -e 's|/usr/bin/|$(PREFIX)/bin/|g' \
		    -e 's|/etc/spanwatch/|$(SW_ETC)/|g' $$f >$(DESTDIR)$(SYSTEMDDIR)/system/$${f##*/} && \
		chmod 0644 $(DESTDIR)$(SYSTEMDDIR)/system/$${f##*/} || exit 1; \
	done
	sed -e 's|/etc/spanwatch/|$(SW_ETC)/|g' packaging/systemd/spanwatch-generator \
	    >$(DESTDIR)$(SYSTEMDDIR)/system-generators/spanwatch-generator
	chmod 0755 $(DESTDIR)$(SYSTEMDDIR)/system-generators/spanwatch-generator
	@# the configuration, unless the operator's is already there
	install -d $(DESTDIR)$(SW_ETC)
	for f in spanwatch.conf risk.conf; do \
		[ -e $(DESTDIR)$(SW_ETC)/$$f ] || install -m 0644 packaging/$$f $(DESTDIR)$(SW_ETC)/$$f; \
	done
ifeq ($(INSTALL_SYSUSERS),yes)
	install -D -m 0644 packaging/debian/spanwatch.sysusers $(DESTDIR)$(PREFIX)/lib/sysusers.d/spanwatch.conf
	install -D -m 0644 packaging/debian/spanwatch.tmpfiles $(DESTDIR)$(PREFIX)/lib/tmpfiles.d/spanwatch.conf
	@# installed on this machine: create the user and the directories now
	if [ -z "$(DESTDIR)" ] && command -v systemd-sysusers >/dev/null; then \
		systemd-sysusers $(PREFIX)/lib/sysusers.d/spanwatch.conf && \
		systemd-tmpfiles --create $(PREFIX)/lib/tmpfiles.d/spanwatch.conf; \
	fi
endif

# Debian package from a copy of the tree (packaging/debian becomes debian/).
deb:
	rm -rf build/deb && mkdir -p build/deb/spanwatch-$(VERSION)
	tar --exclude=./build --exclude=./build-san --exclude=./build-fuzz --exclude=./.git \
	    -cf - . | tar -xf - -C build/deb/spanwatch-$(VERSION)
	cp -r packaging/debian build/deb/spanwatch-$(VERSION)/debian
	cd build/deb/spanwatch-$(VERSION) && $(MAKE) clean >/dev/null && \
	    dpkg-buildpackage -us -uc -b >../build.log 2>&1 || { tail -n 40 ../build.log; exit 1; }
	lintian --fail-on error build/deb/spanwatch_$(VERSION)_*.deb
	@ls -l build/deb/*.deb

clean:
	rm -rf build build-san build-fuzz spanwatchd spanwatch swgen

# Only the dependency files of our own objects: build/ also holds other trees
# (the package build, test roots) whose files may happen to end in .d.
ALL_SRCS := $(LIB_SRCS) daemon/main.c $(CLI_SRCS) $(GEN_SRCS) $(TEST_SRCS) $(TEST_SUPPORT)
-include $(wildcard $(ALL_SRCS:%.c=build/%.d) $(ALL_SRCS:%.c=build-san/%.d))
