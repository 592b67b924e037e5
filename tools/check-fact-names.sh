#!/bin/sh
# check-fact-names.sh - a dissector can hand on only literal names.
#
# The observation queue keeps the attribute and source pointers of what a
# dissector reports until the store's flush (dissectors/dissector.h), so
# they must be string literals.  The emitting macros paste "" name "" and
# the helpers' type, struct fact_name (core/obs.h), is made only by FN(),
# which does the same: a name built at run time must not compile.  This
# compiles one small dissector-like file: as it is (literals, a table, a
# helper passing a struct fact_name: must compile, warning-free), then with
# each wrong way in turned on (must be refused, with an error at that very
# line, or in a macro expanded there).  And nothing but FN() writes a struct fact_name: no compound
# literal of it and no assignment to its member outside core/obs.h.
#
# Usage: CC=cc tools/check-fact-names.sh
# Exit 0 when the build refuses every wrong name; 1 with one line per
# variant that compiled (or failed elsewhere) or per hand-made name.
set -u
root=$(cd "$(dirname "$0")/.." && pwd) || exit 2
cc=${CC:-cc}
tmp=$(mktemp -d) || exit 2
trap 'rm -rf "$tmp"' EXIT INT TERM
src=$tmp/names.c
flags="-std=c11 -D_GNU_SOURCE -iquote $root/core -iquote $root/dissectors -fsyntax-only"
nfail=0
fail() { echo "check-fact-names: $*"; nfail=$((nfail + 1)); }

cat >"$src" <<'EOF'
#include <stdio.h>

#include "dissector.h"

static const struct { int code; struct fact_name attr, src; } table[] = {
	{ 1, FN(A_MODEL), FN("check/table") },
};

static void
helper(struct diss_ctx *dc, struct fact_name src)
{
	diss_fact_fn(dc, SIDE_SRC, table[0].attr, "v", 1, src, CONF_STATED);
}

void	 check_names(struct diss_ctx *dc, const char *name, unsigned n);

void
check_names(struct diss_ctx *dc, const char *name, unsigned n)
{
	char buf[32];
	struct fact_name fn = FN("check/local");

	snprintf(buf, sizeof(buf), "check/%u", n);
	(void)name;
	diss_fact(dc, SIDE_SRC, A_NOTE, buf, 1, "check/literal", CONF_STATED);
	diss_factf(dc, SIDE_SRC, A_NOTE, SRC_MODBUS_UNIT "check", CONF_STATED, "%u", n);
	diss_op(dc, OP_START, OP_REQUEST, "check/op", buf, 0);
	diss_op_fn(dc, OP_START, OP_REQUEST, fn, NULL, 0);
	helper(dc, FN("check/helper"));
#ifdef BAD_FORMATTED_SRC
	diss_fact(dc, SIDE_SRC, A_NOTE, "v", 1, buf, CONF_STATED);
#endif
#ifdef BAD_FORMATTED_OP
	diss_op(dc, OP_START, OP_REQUEST, buf, NULL, 0);
#endif
#ifdef BAD_POINTER_ATTR
	diss_fact_str(dc, SIDE_SRC, name, "v", "check/literal", CONF_STATED);
#endif
#ifdef BAD_FN_OF_BUFFER
	helper(dc, FN(buf));
#endif
#ifdef BAD_POINTER_TO_FN_FORM
	diss_fact_fn(dc, SIDE_SRC, FN(A_NOTE), "v", 1, buf, CONF_STATED);
#endif
#ifdef BAD_POINTER_TO_HELPER
	helper(dc, name);
#endif
#ifdef BAD_LITERAL_PLUS_OFFSET
	diss_addr(dc, NULL, "check/addr" + n);
#endif
}
EOF

# the file as it is: legal, and clean
if ! out=$($cc $flags -Wall -Wextra -Werror "$src" 2>&1); then
	fail "the legal names do not compile:
$out"
fi

for v in $(sed -n 's/^#ifdef \(BAD_[A-Z_]*\)$/\1/p' "$src"); do
	line=$(($(grep -n "^#ifdef $v\$" "$src" | cut -d: -f1) + 1))
	if out=$($cc $flags -D"$v" "$src" 2>&1); then
		fail "$v compiles: a name that is not a literal reaches the queue:
$(sed -n "${line}p" "$src")"
	elif ! printf '%s\n' "$out" | grep -q "error" ||
	    ! printf '%s\n' "$out" | grep -q "names\.c:$line:"; then
		fail "$v is refused, but not on line $line:
$out"
	fi
done

# FN() is the only maker of a struct fact_name
if grep -rn --include='*.c' --include='*.h' -E \
    '\(struct fact_name\)[[:space:]]*\{|(\.|->)lit[[:space:]]*=[^=]|\{[[:space:]]*\.lit[[:space:]]*=' \
    "$root"/core "$root"/ident "$root"/dissectors "$root"/packet "$root"/store \
    "$root"/export "$root"/daemon "$root"/cli "$root"/tools |
    grep -v "^$root/core/obs\.h:" >"$tmp/made"; then
	fail "a struct fact_name made by hand, not by FN():
$(sed "s|^$root/||" "$tmp/made")"
fi

[ $nfail -eq 0 ] || exit 1
exit 0
