#!/bin/sh
# check-make-help.sh — every target that Makefile and mk/*.mk define has a
# line in `make help`: somewhere one of its rules ends in `## what it does`.
# Targets named in capitals (FORCE) are the makefiles' own plumbing.
#
#   tools/check-make-help.sh MAKEFILE...
set -u
[ $# -ge 1 ] || { echo "usage: $0 MAKEFILE..." >&2; exit 2; }
awk '
    /^[a-zA-Z0-9_-]+:/ && !/^[^:]*:=/ {
        name = $0; sub(/:.*/, "", name)
        if (name ~ /^[A-Z_]+$/) next
        if (!(name in where)) where[name] = FILENAME ":" FNR
        if ($0 ~ /## /) documented[name] = 1
    }
    END {
        bad = 0
        for (name in where)
            if (!(name in documented)) {
                print where[name] ": error: target `" name "` has no `## description` for make help" > "/dev/stderr"
                bad = 1
            }
        exit bad
    }
' "$@" && echo "make help: every target described"
