#!/bin/sh
# 05-layering.sh - tools/check-layering.sh passes on the tree and fails, with
# file:line and the rule broken, on each kind of forbidden include: a
# dissector including the store and the pipeline, the store including the
# pipeline, anything including the CLI, a path in an include, an unknown
# quoted header, a file of store/ including an upper layer's header (a
# back-call inside the store); and on SQLite outside store/ (the include, or a sqlite3_
# call in the CLI, the daemon, the export).
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
# inside store/: the write path calls one way (a hook calling back into ingest)
bad store "inside store/ only ingest.c batch.c may include ingest.h" ingest.h
bad store "inside store/ only assess.c batch.c may include assess.h" assess.h
bad store "inside store/ only units.c ingest.c may include units_int.h" units_int.h
mkdir -p "$tmp/up/store"
printf '#include "ingest.h"\n#include "assess.h"\n#include "flood.h"\n' >"$tmp/up/store/batch.c"
out=$("$check" "$tmp/up/store/batch.c" 2>&1) || fail "batch.c including ingest.h, assess.h, flood.h refused: $out"

# SQLite outside store/: the include, and a call, each with file:line and the rule.
sqlite_rule="SQLite outside store/ (all SQL belongs in store/"
mkdir -p "$tmp/cli" "$tmp/daemon" "$tmp/export"
printf '/* a CLI that opens the database itself */\n#include <stdio.h>\n#include <sqlite3.h>\n' \
    >"$tmp/cli/sql.c"
printf '#include "store.h"\n\nstatic int\ncount(struct sqlite3 *db)\n{\n\treturn sqlite3_exec(db, "SELECT 1", 0, 0, 0);\n}\n' \
    >"$tmp/daemon/sql.c"
printf 'static void *h;\nstatic void f(void) { sqlite3_close(h); }\n' >"$tmp/export/sql.c"
out=$("$check" "$tmp/cli/sql.c" "$tmp/daemon/sql.c" "$tmp/export/sql.c" 2>&1)
rc=$?
[ $rc -eq 1 ] || fail "SQLite outside store/: exit $rc, want 1: $out"
printf '%s\n' "$out" | grep -qF "$tmp/cli/sql.c:3: #include <sqlite3.h>: $sqlite_rule" ||
	fail "a CLI including sqlite3.h: no file:line and rule in: $out"
printf '%s\n' "$out" | grep -qF "$tmp/daemon/sql.c:6: sqlite3_exec: $sqlite_rule" ||
	fail "the daemon calling sqlite3_exec: no file:line and rule in: $out"
printf '%s\n' "$out" | grep -qF "$tmp/export/sql.c:2: sqlite3_close: $sqlite_rule" ||
	fail "the export calling sqlite3_close: no file:line and rule in: $out"
# the store may
mkdir -p "$tmp/store"
printf '#include <sqlite3.h>\n#include "store.h"\nstatic void f(sqlite3 *db) { sqlite3_close(db); }\n' \
    >"$tmp/store/sql.c"
out=$("$check" "$tmp/store/sql.c" 2>&1) || fail "the store using SQLite refused: $out"
# and the tree has none outside store/
if grep -rn --include='*.c' --include='*.h' -E '#[[:space:]]*include[[:space:]]*<sqlite3\.h>|sqlite3_' \
    core ident dissectors packet export daemon cli tools >"$tmp/left"; then
	fail "SQLite outside store/: $(cat "$tmp/left")"
fi

# and an allowed one passes
mkdir -p "$tmp/store"
printf '#include "obs.h"\n#include "oui.h"\n#include "store.h"\n' >"$tmp/store/fine.c"
out=$("$check" "$tmp/store/fine.c" 2>&1) || fail "store including core, ident, store refused: $out"

[ $nfail -eq 0 ] || exit 1
echo "$name: ok"
