/* study_heatmap.c — study 8: where it breaks. Committed throughput and p99
 * commit latency over a grid of message drop rate x partition frequency.
 *
 * 5 nodes, one-way latency uniform 1–3 ms, fsync 1 ms, Raft defaults
 * (timeouts 150–300 ms, heartbeat 50 ms, PreVote and CheckQuorum on), one
 * closed-loop writer with 8 writes in flight whose links to the nodes never
 * fail. Every `period` a random 1 or 2 nodes are cut off from the rest for
 * half a period (drawn from the study's own stream, seeded per run), then the
 * network heals. Throughput is counted from 1 s (after the first election).
 *
 * Output: heatmap.csv  drop_pct,partition_every_ms,seed,acked_per_s,p99_us */
#include "study.h"

#include <stdlib.h>

enum { N_NODES = 5, CLIENT = N_NODES + 1 };
#define MEASURE_FROM_NS SIM_NS_PER_S

static const uint32_t DROP_PCT[] = {0, 1, 2, 5, 10, 20};
static const uint32_t PERIOD_MS[] = {0, 4000, 2000, 1000, 500}; /* 0 = never */
#define N_DROP (sizeof DROP_PCT / sizeof *DROP_PCT)
#define N_PERIOD (sizeof PERIOD_MS / sizeof *PERIOD_MS)

static void schedule_partitions(sim *s, uint64_t period_ns, uint64_t end_ns, uint64_t seed)
{
    rng r;
    rng_init(&r, seed, 88);
    for (uint64_t t = period_ns; period_ns && t + period_ns / 2 < end_ns; t += period_ns) {
        sim_epset side = {{0, 0}};
        uint64_t size = 1 + rng_below(&r, 2);
        while (size > 0) {
            sim_ep n = (sim_ep)(1 + rng_below(&r, N_NODES));
            if (!study_epset_has(&side, n)) {
                study_epset_add(&side, n);
                size--;
            }
        }
        /* The client keeps its links: it is in neither group. */
        sim_action a = {.at_ns = t, .kind = SIM_ACT_PARTITION, .n_groups = 2};
        a.groups[0] = side;
        for (sim_ep n = 1; n <= N_NODES; n++)
            if (!study_epset_has(&side, n))
                study_epset_add(&a.groups[1], n);
        if (sim_add_action(s, &a) != 0) {
            fprintf(stderr, "study_heatmap: partition rejected\n");
            exit(2);
        }
        study_heal(s, t + period_ns / 2);
    }
}

static void run_cell(FILE *csv, uint32_t drop_pct, uint32_t period_ms, uint64_t seed,
                     uint64_t end_ns)
{
    sim_config cfg;
    sim_config_default(&cfg);
    cfg.n_nodes = N_NODES;
    cfg.net.latency = (sim_dist){SIM_DIST_UNIFORM, MS(1), MS(3)};
    cfg.net.drop_ppm = drop_pct * 10000;
    cfg.disk.fsync = (sim_dist){SIM_DIST_CONST, MS(1), 0};
    cfg.n_clients = 1;
    cfg.clients[0] = study_closed_writer(8, 64);
    cfg.clients[0].start_ns = MS(500);
    cfg.clients[0].timeout_ns = MS(100);
    cfg.duration_ns = end_ns;
    sim *s = study_sim_drifting(&cfg, seed);
    study_colocate_client(s, CLIENT);
    schedule_partitions(s, MS(period_ms), end_ns, seed);
    sim_run_until(s, MEASURE_FROM_NS);
    int64_t acked0 = study_metric(s, SIM_M_ACKED);
    sim_run_until(s, end_ns);
    uint64_t ms = (end_ns - MEASURE_FROM_NS) / MS(1);
    int64_t acked = study_metric(s, SIM_M_ACKED) - acked0;
    fprintf(csv, "%u,%u,%llu,%llu,%lld\n", drop_pct, period_ms, (unsigned long long)seed,
            (unsigned long long)((uint64_t)acked * 1000 / ms),
            (long long)(study_metric(s, SIM_M_LATENCY_P99) / 1000));
    study_sim_free(s);
}

int main(int argc, char **argv)
{
    study_args args;
    study_parse_args(&args, "heatmap", argc, argv);
    uint32_t seeds = args.quick ? 1 : 3;
    uint64_t end_ns = args.quick ? MS(2500) : MS(6000);
    FILE *csv = study_open_csv(&args, "");
    fprintf(csv, "drop_pct,partition_every_ms,seed,acked_per_s,p99_us\n");
    uint64_t done = 0, total = N_DROP * N_PERIOD * seeds;
    for (size_t d = 0; d < N_DROP; d++)
        for (size_t p = 0; p < N_PERIOD; p++)
            for (uint32_t k = 0; k < seeds; k++) {
                run_cell(csv, DROP_PCT[d], PERIOD_MS[p], 8000 + d * 100 + p * 10 + k, end_ns);
                study_progress(&args, "cells x seeds", ++done, total);
            }
    study_close_csv(csv);
    return 0;
}
