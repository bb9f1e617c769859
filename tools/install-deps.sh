#!/bin/sh
# Install what raftsim needs from Debian's packages, and nothing else.
# Usage: tools/install-deps.sh [test|report|browser|fuzz|valgrind|bench]...
#        (default: test)
#
# Every group maps to a probe (a file or command that shows the package is
# present) and to the Debian package that provides it. Only missing packages
# are installed; `apt-get update` runs at most once per call.
set -eu

want=${*:-test}
missing=""

need() { # need PROBE PACKAGE: queue PACKAGE unless PROBE exists
    probe=$1 pkg=$2
    case $probe in
        /*) [ -e "$probe" ] && return 0 ;;
        *) command -v "$probe" >/dev/null 2>&1 && return 0 ;;
    esac
    missing="$missing $pkg"
}

for group in $want; do
    case $group in
        test)    need /usr/include/criterion/criterion.h libcriterion-dev
                 need pkg-config pkg-config ;;
        report)  need /usr/lib/python3/dist-packages/matplotlib python3-matplotlib ;;
        browser) need chromium chromium ;;
        fuzz)    need clang clang
                 need /usr/lib/llvm-14/lib/clang/14.0.6/lib/linux/libclang_rt.fuzzer-x86_64.a libclang-rt-14-dev ;;
        valgrind) need valgrind valgrind ;;
        bench)   need valgrind valgrind
                 need pkg-config pkg-config
                 need /usr/include/raft/fixture.h libraft-dev ;;
        *) echo "install-deps: unknown group '$group' (test|report|browser|fuzz|valgrind|bench)" >&2; exit 2 ;;
    esac
done

[ -z "$missing" ] && exit 0

if [ -r /etc/debian_version ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "install-deps: installing:$missing" >&2
    apt-get update -qq >&2
    # shellcheck disable=SC2086
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing >&2
else
    echo "install-deps: please install these Debian/Ubuntu packages (or your system's equivalents):$missing" >&2
    echo "install-deps: e.g.  sudo apt-get update && sudo apt-get install$missing" >&2
    exit 1
fi
