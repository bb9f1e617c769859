/* bench.h — raftctl's load generator (bench.c) and what it borrows from main.c. */
#ifndef RAFTCTL_BENCH_H
#define RAFTCTL_BENCH_H

#include "ctl.h"

/* The leader's id (asking every node), or 0 with a message. */
uint32_t bench_find_leader(ctl *c);
/* Run the load; prints one key=value line. Exit status 0, 1 or 2. */
int bench_run(ctl *c, uint32_t clients, uint32_t batch, uint32_t size, double seconds,
              uint64_t id_base);

#endif
