#!/bin/sh
# check-layering.sh - every #include "..." against the folder table.
#
# Each source folder may include headers only from the folders listed for it
# below (docs/ARCHITECTURE.md has the same table and the reasons).  A header
# is named by its file name alone, found in exactly one source folder; a path
# in an include ("../x.h", "store/x.h") is refused, so the folder a header
# lives in is the only thing that decides who may use it.  tests/ may include
# anything and is not checked.
#
# Usage: tools/check-layering.sh [FILE...]
#   without FILEs: every .c/.h of the source folders.  With FILEs (e.g. a
#   deliberately wrong file), those are checked as if they belonged to the
#   folder they are in (the name of their parent directory).
#   --graph prints which folder includes which (with counts) and exits.
# Exit 0 when every include is allowed; 1 with one "file:line: ..." line per
# forbidden include otherwise.
#
# Inside store/, the upper layers' headers are kept to their callers
# (store_includers below), so a back-call from a lower file (units.c
# calling into ingest.c) fails too.
#
# And one rule that is not about folders: all SQL belongs in store/.  A
# file outside store/ that includes <sqlite3.h> or names a sqlite3_
# function or type fails too (file:line and the rule): it calls a store
# function instead (store/store.h, store/q_*.h).
set -u
root=$(cd "$(dirname "$0")/.." && pwd) || exit 2

FOLDERS="core ident dissectors packet store export daemon cli tools"

allowed() {
	case $1 in
	core)       echo "core" ;;
	ident)      echo "core ident" ;;
	dissectors) echo "core dissectors" ;;
	packet)     echo "core dissectors packet" ;;
	store)      echo "core ident store" ;;
	export)     echo "core store export" ;;
	daemon)     echo "core ident dissectors packet store export daemon" ;;
	cli)        echo "core ident store export cli" ;;
	tools)      echo "core tools" ;;
	*)          echo "" ;;
	esac
}

# Inside store/ the write path calls one way: batch -> ingest -> model,
# batch -> assess -> model, everything -> stmt (docs/ARCHITECTURE.md,
# "Inside the store").  What only an upper layer may call is declared in
# a header of its own; the files of store/ that may include it are its own
# .c and its callers.  Everything else of store/ (store_int.h: the struct,
# the statements, the model, the events) any file of store/ may include.
store_includers() {
	case $1 in
	ingest.h)    echo "ingest.c batch.c" ;;
	assess.h)    echo "assess.c batch.c" ;;
	flood.h)     echo "flood.c ingest.c batch.c store.c" ;;
	units_int.h) echo "units.c ingest.c" ;;
	*)           echo "" ;;
	esac
}

# Private headers elsewhere: a table's internals that only the files named
# may include (tests/ may include anything).
private_includers() {
	case $1 in
	oui_int.h) echo "oui.c oui_cache.c" ;;
	*)         echo "" ;;
	esac
}

# The folder a source file belongs to: the directory it is in.
folder_of() {
	d=$(dirname "$1"); d=${d##*/}
	for f in $FOLDERS; do
		[ "$d" = "$f" ] && { echo "$f"; return; }
	done
}

# header name -> folder, for every header of the source folders
index=$(mktemp)
trap 'rm -f "$index"' EXIT INT TERM
for f in $FOLDERS; do
	for h in "$root/$f"/*.h "$root/$f"/*.c; do
		[ -f "$h" ] && echo "${h##*/} $f"
	done
done >"$index"

graph=0
if [ "${1:-}" = "--graph" ]; then graph=1; shift; fi
if [ $# -eq 0 ]; then
	cd "$root" || exit 2
	for f in $FOLDERS; do
		for s in "$f"/*.c "$f"/*.h; do [ -f "$s" ] && set -- "$@" "$s"; done
	done
fi

# Every quoted include as "file folder line header" (one awk for all files),
# then judged against the table.
bad=$(mktemp)
edges=$(mktemp)
trap 'rm -f "$index" "$bad" "$edges"' EXIT INT TERM
for src in "$@"; do
	from=$(folder_of "$src")
	[ -n "$from" ] || { echo "$src: not in a source folder ($FOLDERS)" >>"$bad"; continue; }
	echo "$src $from"
done |
awk -v index_file="$index" '
	BEGIN { while ((getline l < index_file) > 0) { split(l, f, " "); home[f[1]] = f[2] } }
	NF == 2 && $1 !~ /:/ {
		src = $1; from = $2; n = 0
		while ((getline line < src) > 0) {
			n++
			if (line !~ /^[ \t]*#[ \t]*include[ \t]*"/) continue
			h = line; sub(/^[^"]*"/, "", h); sub(/".*$/, "", h)
			print src, from, n, h, (h in home) ? home[h] : "-"
		}
		close(src); next
	}
	{ print }' |
while read -r src from line hdr to; do
	case $src in *:*) echo "$src $from $line $hdr $to" >>"$bad"; continue ;; esac
	case $hdr in
	*/*) echo "$src:$line: #include \"$hdr\": a path in an include (name the header by its file name only)" >>"$bad"; continue ;;
	esac
	if [ "$to" = - ]; then
		echo "$src:$line: #include \"$hdr\": no such header in the source folders (system headers go in <>)" >>"$bad"
		continue
	fi
	echo "$from $to" >>"$edges"
	case " $(allowed "$from") " in
	*" $to "*) ;;
	*) echo "$src:$line: #include \"$hdr\": $from/ may not include $to/ ($from/ may include: $(allowed "$from"))" >>"$bad" ;;
	esac
	who=$(private_includers "$hdr")
	if [ -n "$who" ]; then
		case " $who " in
		*" ${src##*/} "*) ;;
		*) echo "$src:$line: #include \"$hdr\": a private header, only $who may include it" >>"$bad" ;;
		esac
	fi
	if [ "$from" = store ] && [ "$to" = store ]; then
		who=$(store_includers "$hdr")
		case " ${who:-${src##*/}} " in
		*" ${src##*/} "*) ;;
		*) echo "$src:$line: #include \"$hdr\": inside store/ only $who may include $hdr (calls go batch -> ingest -> model, batch -> assess -> model, all -> stmt)" >>"$bad" ;;
		esac
	fi
done

# SQLite outside store/: the include, or any sqlite3_ name in the code (a
# comment or a string that merely mentions one is not code, but the check
# does not parse C: keep such words out of comments outside store/).
for src in "$@"; do
	[ "$(folder_of "$src")" = store ] && continue
	awk -v src="$src" '
		/^[ \t]*#[ \t]*include[ \t]*[<"]sqlite3\.h[>"]/ {
			printf "%s:%d: #include <sqlite3.h>: SQLite outside store/ (all SQL belongs in store/: call a store function, store/q_*.h)\n", src, FNR
			next
		}
		match($0, /sqlite3_[A-Za-z0-9_]*/) {
			printf "%s:%d: %s: SQLite outside store/ (all SQL belongs in store/: call a store function, store/q_*.h)\n", src, FNR, substr($0, RSTART, RLENGTH)
		}' "$src"
done >>"$bad"

if [ $graph -eq 1 ]; then
	# "folder -> folder (includes), ...", in pipeline order
	sort "$edges" | uniq -c | awk -v order="$FOLDERS" '
		BEGIN { n = split(order, f, " "); for (i = 1; i <= n; i++) rank[f[i]] = i }
		$2 != $3 { out[$2] = out[$2] (out[$2] == "" ? "" : ", ") $3 " (" $1 ")" }
		END { for (i = 1; i <= n; i++) if (f[i] in out) printf "%-10s -> %s\n", f[i], out[f[i]] }'
	exit 0
fi
if [ -s "$bad" ]; then
	cat "$bad"
	echo "layering: $(wc -l <"$bad") forbidden include(s) or SQLite use(s) outside store/; the table is in docs/ARCHITECTURE.md"
	exit 1
fi
exit 0
