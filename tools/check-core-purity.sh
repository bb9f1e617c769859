#!/bin/sh
# Prove that core/ is I/O-free: its library must not reference any clock,
# socket, thread, file or libc-randomness symbol. Usage: check-core-purity.sh LIB.a
set -eu
lib=${1:?usage: check-core-purity.sh build/libraftcore.a}
forbidden='clock_gettime|gettimeofday|time|clock|rand|random|srand|srandom|drand48|lrand48|getrandom|arc4random|pthread_.*|thrd_.*|mtx_.*|socket|connect|bind|listen|accept|send|sendto|sendmsg|recv|recvfrom|recvmsg|read|write|open|openat|close|fopen|fclose|fread|fwrite|fprintf|printf|puts|fputs|fflush|fsync|fdatasync|sleep|usleep|nanosleep|select|poll|epoll_.*|getenv|exit|abort_handler'
# Undefined symbols are what the library needs from outside.
bad=$(nm -u "$lib" | awk '{print $NF}' | sed 's/@.*//' | grep -Ex "$forbidden" | sort -u || true)
if [ -n "$bad" ]; then
    echo "core purity: FAILED — $lib references:" $bad >&2
    exit 1
fi
echo "core purity: ok — $lib uses no clock, socket, thread, file or randomness symbol"
nm -u "$lib" | awk '{print $NF}' | sort -u | tr '\n' ' ' | sed 's/^/core purity: external symbols: /'; echo
