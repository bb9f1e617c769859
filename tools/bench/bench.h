/* bench.h — shared pieces of the benchmark driver (issue 7): one run's
 * measurements, timing helpers, running a measurement in a fresh child
 * process (so peak RSS is per run), medians, and the result table/CSV. */
#ifndef BENCH_H
#define BENCH_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "../../sim/world/sim.h"

enum { BENCH_MAX_RUNS = 64 };

/* What one run measured. `win_*` is a measurement window inside the run
 * (the log-length benchmark times only the part after the prefill). */
typedef struct bench_result {
    int ok;
    double wall_s, cpu_s;
    uint64_t events, acked, committed, virtual_ns;
    long peak_rss_kb;
    double win_wall_s, win_cpu_s;
    uint64_t win_events;
    long base_rss_kb; /* RSS before the work started (log-length: memory per entry) */
    uint64_t entries; /* log-length: entries held per node after the prefill */
} bench_result;

double bench_wall_now(void);
double bench_cpu_now(void);
long bench_peak_rss_kb(void);
long bench_rss_now_kb(void);

/* Run fn(arg, out) in a forked child; 0 on success (out filled, out->ok). */
typedef void (*bench_fn)(const void *arg, bench_result *out);
int bench_in_child(bench_fn fn, const void *arg, bench_result *out);

/* A figure over n runs: the median, and the lowest and highest run, so a
 * table shows how far a shared machine's speed moved while it was taken. */
typedef struct bench_stat {
    double median, lo, hi;
    int runs;
} bench_stat;
bench_stat bench_stats(double *v, int n); /* sorts v */
bench_stat bench_one(double value);        /* a single measurement (runs 1) */

/* ---- the workloads (bench_work.c) ---- */
typedef struct bench_params {
    uint32_t nodes;
    uint64_t seconds;  /* virtual duration (standard, saturation, cluster size) */
    uint64_t seed;
    uint64_t target;   /* head to head: writes; log length: prefill entries */
    uint64_t window_s; /* log length: virtual seconds measured after the prefill */
    bool idle_heartbeats; /* head to head: heartbeat-idle-only, as canonical/raft */
} bench_params;

void bench_standard(const void *arg, bench_result *out);   /* 1, 4 */
void bench_saturation(const void *arg, bench_result *out); /* 2 */
void bench_loglen(const void *arg, bench_result *out);     /* 3 (target 0 = fresh log) */
void bench_head2head(const void *arg, bench_result *out);  /* 7 */

/* ---- the result table (bench_table.c) ---- */
void bench_row(const char *bench, const char *metric, bench_stat s, const char *unit,
               const char *note);
int bench_write_csv(const char *path);
void bench_print_table(FILE *out);

#endif
