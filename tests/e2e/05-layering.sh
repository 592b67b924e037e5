#!/bin/sh
# 05-layering.sh - tools/check-layering.sh passes on the tree and fails, with
# file:line and the rule broken, on each kind of forbidden include: a
# dissector including the store and the pipeline, the store including the
# pipeline, anything including the CLI, a path in an include, an unknown
# quoted header.
# Usage: tests/e2e/05-layering.sh [BUILD_DIR]   (the build is not needed)
set -u
name=05-layering
check=tools/check-layering.sh
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
nfail=0
fail() { echo "$name: FAIL: $*"; nfail=$((nfail + 1)); }

out=$("$check" 2>&1) || fail "the tree breaks the layering:
$out"

# bad FOLDER PATTERN INCLUDE: a file in FOLDER with that include must fail
# and name the line and the rule.
bad() {
	mkdir -p "$tmp/$1"
	printf '/* a wrong include */\n#include <stdio.h>\n#include "%s"\n' "$3" >"$tmp/$1/wrong.c"
	out=$("$check" "$tmp/$1/wrong.c" 2>&1)
	rc=$?
	[ $rc -eq 1 ] || fail "$1 including $3: exit $rc, want 1: $out"
	printf '%s\n' "$out" | grep -q "^$tmp/$1/wrong.c:3: #include \"$3\": $2" ||
		fail "$1 including $3: no file:line and rule in: $out"
}
bad dissectors "dissectors/ may not include store/" store.h
bad dissectors "dissectors/ may not include packet/" flow.h
bad dissectors "dissectors/ may not include ident/" vendor_ids.h
bad store "store/ may not include packet/" pipeline.h
bad export "export/ may not include cli/" cli.h
bad daemon "daemon/ may not include cli/" cli.h
bad core "core/ may not include dissectors/" dissector.h
bad packet "a path in an include" "../store/store.h"
bad cli "no such header" "nonexistent.h"

# and an allowed one passes
mkdir -p "$tmp/store"
printf '#include "obs.h"\n#include "oui.h"\n#include "store.h"\n' >"$tmp/store/fine.c"
out=$("$check" "$tmp/store/fine.c" 2>&1) || fail "store including core, ident, store refused: $out"

[ $nfail -eq 0 ] || exit 1
echo "$name: ok"
