/* bench_main.h — options of the benchmark driver and the runner of all
 * benchmarks (bench_run.c, bench_sweep.c). */
#ifndef BENCH_MAIN_H
#define BENCH_MAIN_H

#include <stdbool.h>
#include <stdint.h>

typedef struct bench_opts {
    bool quick;            /* BENCH_QUICK=1: a smoke run, smaller figures */
    int runs;              /* 0 = the default per benchmark */
    const char *only;      /* comma-separated benchmark names, NULL = all */
    const char *csv;
    uint64_t seed;
    const char *raftsim;   /* binary for the sweep benchmark */
    const char *scenario;  /* scenario the sweep benchmark runs */
    const char *reference; /* benchmark 7's reference program, NULL = not measured */
    int sweep_seeds;       /* 0 = default */
    uint64_t inproc_s;     /* --inproc: one standard run here (for callgrind) */
    uint64_t inproc_h2h;   /* --inproc-h2h: one head-to-head run here */
    bool idle_heartbeats;  /* --idle-heartbeats: that run with heartbeat-idle-only */
} bench_opts;

/* Runs every selected benchmark, adding rows; returns how many failed. */
int bench_run_all(const bench_opts *o);
/* 5: seeds per hour of `raftsim sweep`; returns 0 or -1. */
int bench_sweep(const bench_opts *o, int runs, int seeds);
/* Beside it: seeds per hour of `raftsim explore` over the default space. */
int bench_explore(const bench_opts *o, int runs, int seeds);
/* 7's reference: one run of PROGRAM WRITES (canonical/raft); 0 or -1. */
struct bench_result;
int bench_reference(const char *program, uint64_t writes, struct bench_result *out);

#endif
