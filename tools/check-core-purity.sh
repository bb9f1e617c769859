#!/bin/sh
# Prove that core/ is I/O-free: its library must not reference any clock,
# socket, thread, file or libc-randomness symbol. Usage: check-core-purity.sh LIB.a
set -eu
lib=${1:?usage: check-core-purity.sh build/libraftcore.a}
forbidden='clock_gettime|gettimeofday|time|clock|rand|random|srand|srandom|drand48|lrand48|getrandom|arc4random|pthread_.*|thrd_.*|mtx_.*|socket|connect|bind|listen|accept|send|sendto|sendmsg|recv|recvfrom|recvmsg|read|write|open|openat|close|fopen|fclose|fread|fwrite|fprintf|printf|puts|fputs|fflush|fsync|fdatasync|sleep|usleep|nanosleep|select|poll|epoll_.*|getenv|exit|abort_handler'
# What the library needs from outside: symbols some object uses and none defines.
defined=$(nm --defined-only "$lib" | awk 'NF==3 {print $3}' | sort -u)
external=$(nm -u "$lib" | awk 'NF>=2 {print $NF}' | sed 's/@.*//' | sort -u |
           grep -vxF "$defined" || true)
bad=$(echo "$external" | grep -Ex "$forbidden" || true)
if [ -n "$bad" ]; then
    echo "core purity: FAILED — $lib references:" $bad >&2
    exit 1
fi
echo "core purity: ok — $lib needs only:" $external
