/* study_latency.c — study 2: commit latency CDFs under several network
 * settings, with the lower bound (one leader-follower round trip plus one
 * fsync) for each.
 *
 * 5 nodes, fsync 1 ms, Raft defaults (timeouts 150–300 ms, heartbeat 50 ms,
 * PreVote and CheckQuorum on). One closed-loop client with one operation in
 * flight, co-located with the cluster (zero latency, no loss on its own links),
 * so what is measured is the cluster's commit path. With one operation in
 * flight the client issues the next write the moment the previous one is
 * acknowledged, so each write's latency is the time between two consecutive
 * acknowledgements — exact, and read from the public metric `acked` alone.
 *
 * Output: latency.csv (setting,op,latency_us), latency_summary.csv. */
#include "study.h"

#include <stdlib.h>

enum { N_NODES = 5, CLIENT = N_NODES + 1 };
#define FSYNC_NS MS(1)

typedef struct setting {
    const char *label;
    sim_dist latency;
    uint32_t drop_ppm;
} setting;

static const setting SETTINGS[] = {
    {"1ms", {SIM_DIST_CONST, MS(1), 0}, 0},
    {"4-6ms", {SIM_DIST_UNIFORM, MS(4), MS(6)}, 0},
    {"4-6ms drop 1%", {SIM_DIST_UNIFORM, MS(4), MS(6)}, 10000},
    {"4-6ms drop 5%", {SIM_DIST_UNIFORM, MS(4), MS(6)}, 50000},
    {"pareto 2ms mean 5ms", {SIM_DIST_PARETO, MS(2), MS(5)}, 0},
};
#define N_SETTINGS (sizeof SETTINGS / sizeof SETTINGS[0])

static uint64_t min_latency_ns(const sim_dist *d)
{
    return d->kind == SIM_DIST_NORMAL ? 0 : d->a_ns;
}

static sim *make_sim(const setting *st, uint64_t duration_ns, uint64_t seed)
{
    sim_config cfg;
    sim_config_default(&cfg);
    cfg.n_nodes = N_NODES;
    cfg.net.latency = st->latency;
    cfg.net.drop_ppm = st->drop_ppm;
    cfg.disk.fsync = (sim_dist){SIM_DIST_CONST, FSYNC_NS, 0};
    cfg.n_clients = 1;
    cfg.clients[0] = study_closed_writer(1, 64);
    cfg.clients[0].start_ns = SIM_NS_PER_S;
    cfg.clients[0].timeout_ns = MS(100);
    cfg.duration_ns = duration_ns;
    sim *s = study_sim_drifting(&cfg, seed);
    study_colocate_client(s, CLIENT);
    return s;
}

int main(int argc, char **argv)
{
    study_args args;
    study_parse_args(&args, "latency", argc, argv);
    uint64_t duration = (args.quick ? 4 : 20) * SIM_NS_PER_S;
    FILE *csv = study_open_csv(&args, "");
    FILE *sum = study_open_csv(&args, "_summary");
    fprintf(csv, "setting,op,latency_us\n");
    fprintf(sum, "setting,lower_bound_us,ops,p50_us,p90_us,p99_us,max_us,sim_p50_us\n");
    for (size_t i = 0; i < N_SETTINGS; i++) {
        const setting *st = &SETTINGS[i];
        sim *s = make_sim(st, duration, 1000 + i);
        size_t cap = 1 << 16, n = 0;
        uint64_t *lat = malloc(cap * sizeof *lat);
        int64_t acked = 0;
        uint64_t last_ack = 0;
        while (lat && sim_step(s)) {
            int64_t a = study_metric(s, SIM_M_ACKED);
            if (a == acked)
                continue;
            if (acked > 0 && a == acked + 1 && n < cap)
                lat[n++] = (sim_now(s) - last_ack) / 1000;
            acked = a;
            last_ack = sim_now(s);
            if (a % 1000 == 0)
                fprintf(stderr, "[latency] %s: %lld writes, %llu ms of %llu\n", st->label,
                        (long long)a, (unsigned long long)(sim_now(s) / MS(1)),
                        (unsigned long long)(duration / MS(1)));
        }
        if (!lat)
            return 2;
        for (size_t k = 0; k < n; k++)
            fprintf(csv, "%s,%zu,%llu\n", st->label, k, (unsigned long long)lat[k]);
        uint64_t bound_us = (2 * min_latency_ns(&st->latency) + FSYNC_NS) / 1000;
        study_sort_u64(lat, n);
        fprintf(sum, "%s,%llu,%zu,%llu,%llu,%llu,%llu,%llu\n", st->label,
                (unsigned long long)bound_us, n,
                (unsigned long long)study_percentile(lat, n, 500),
                (unsigned long long)study_percentile(lat, n, 900),
                (unsigned long long)study_percentile(lat, n, 990),
                (unsigned long long)study_percentile(lat, n, 1000),
                (unsigned long long)(study_metric(s, SIM_M_LATENCY_P50) / 1000));
        free(lat);
        study_sim_free(s);
    }
    study_close_csv(csv);
    study_close_csv(sum);
    return 0;
}
