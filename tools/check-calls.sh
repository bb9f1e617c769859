#!/bin/sh
# check-calls.sh — the calls between files go the way docs/ARCHITECTURE.md
# ("Inside each floor the files depend one way too") and sim/world/world.h
# say, read from the objects' symbol tables (gcc-nm reads LTO objects too):
#
# core/
#   - nothing calls back into raft.c, except proto.c (the hosts' table of
#     operations, whose entries are raft.c's entry points);
#   - raft_host.c calls no other raft_*.c file;
#   - the leaves (progress, quorum, log, msg, chunks) call no raft_*.c file.
# sim/world/, top first (world.h); a file calls only files at its level or
# below, and a leaf only leaves:
#   0 sim · 1 action, action_bind, liveness, report · 2 node · 3 node_io
#   · 4 node_client, node_fsync · 5 node_clock · 6 client
#   · 7 liveness_majority · 8 world · 9 every other file (the leaves:
#   check*, history, metrics, trace, net*, disk, blob, queue, dist, names, ...)
#
# Usage: tools/check-calls.sh BUILD (the build folder: BUILD/core/*.o,
# BUILD/sim/world/*.o), run from the repository's top. Prints every call against the order as
# "caller.o -> callee.o (symbol)" and exits 1 if there is one.
set -eu
build=${1:?usage: check-calls.sh BUILD}
NM=${NM:-gcc-nm}
tmp=${TMPDIR:-/tmp}/check-calls.$$
trap 'rm -f "$tmp"' EXIT

# One line per symbol: D FLOOR/FILE SYMBOL (defined) or U FLOOR/FILE SYMBOL
# (used), FLOOR being core or world (both have a names.c).
: >"$tmp"
# The objects of today's sources (an object whose source was deleted may linger).
for c in core/*.c sim/world/*.c; do
    o=$build/${c%.c}.o
    [ -f "$o" ] || { echo "check-calls: $o missing (build first)" >&2; exit 2; }
    case $c in core/*) f=core/$(basename "$c" .c) ;; *) f=world/$(basename "$c" .c) ;; esac
    "$NM" --defined-only "$o" | awk -v f="$f" 'NF == 3 && $2 ~ /^[TDBRC]$/ {print "D", f, $3}' >>"$tmp"
    "$NM" -u "$o" | awk -v f="$f" '{print "U", f, $NF}' >>"$tmp"
done

awk '
function level(f) { # sim/world/world.h, top first
    if (f == "world/sim") return 0
    if (f == "world/action" || f == "world/action_bind" || f == "world/liveness" ||
        f == "world/report") return 1
    if (f == "world/node") return 2
    if (f == "world/node_io") return 3
    if (f == "world/node_client" || f == "world/node_fsync") return 4
    if (f == "world/node_clock") return 5
    if (f == "world/client") return 6
    if (f == "world/liveness_majority") return 7
    if (f == "world/world") return 8
    return 9
}
function is_raft(f) { return f == "core/raft" || f ~ /^core\/raft_/ }
function is_leaf(f) {
    return f == "core/progress" || f == "core/quorum" || f == "core/log" || f == "core/msg" ||
           f == "core/chunks"
}
$1 == "D" { file[$3] = $2; next }
$1 == "U" { n++; from[n] = $2; sym[n] = $3 }
END {
    bad = 0
    for (i = 1; i <= n; i++) {
        a = from[i]; s = sym[i]
        if (!(s in file)) continue          # the C library
        b = file[s]
        if (a == b) continue
        why = ""
        if (a ~ /^core\// && b ~ /^world\//)
            why = "core calls sim/world"
        else if (b == "core/raft" && a ~ /^core\// && a != "core/proto")
            why = "calls back into raft.c"
        else if (a == "core/raft_host" && is_raft(b))
            why = "raft_host.c calls another raft_*.c file"
        else if (is_leaf(a) && is_raft(b))
            why = "a leaf calls a raft_*.c file"
        else if (a ~ /^world\// && b ~ /^world\// && level(b) < level(a))
            why = "calls a file above it (sim/world/world.h)"
        if (why != "") {
            printf "%s.o -> %s.o (%s): %s\n", a, b, s, why > "/dev/stderr"
            bad++
        }
    }
    exit bad ? 1 : 0
}
' "$tmp" || { echo "calls: FAILED — calls against docs/ARCHITECTURE.md's order" >&2; exit 1; }
echo "calls: ok — core/ and sim/world/ call only down their order"
