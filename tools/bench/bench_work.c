/* bench_work.c — the simulated workloads of the benchmarks (issue 7). Every
 * run keeps all safety checks on (they cannot be switched off) and fails the
 * benchmark if it finds a violation. */
#include <stdio.h>
#include <string.h>

#include "bench.h"

static int64_t metric(const sim *s, enum sim_metric m)
{
    sim_metric_ref ref = {.metric = m};
    int64_t v = 0;
    sim_metric(s, &ref, &v);
    return v;
}

/* The standard network: 0.5..1.5 ms one way, 1% loss; 1 ms fsync. */
static void base_config(sim_config *cfg, uint32_t nodes, uint64_t seconds)
{
    sim_config_default(cfg);
    cfg->n_nodes = nodes;
    raft_config_default(&cfg->raft, 1, nodes);
    cfg->net.latency = (sim_dist){.kind = SIM_DIST_UNIFORM, .a_ns = 500000, .b_ns = 1500000};
    cfg->net.drop_ppm = 10000;
    cfg->disk.fsync = (sim_dist){.kind = SIM_DIST_CONST, .a_ns = SIM_NS_PER_MS};
    cfg->duration_ns = seconds * SIM_NS_PER_S;
}

static sim *start(const sim_config *cfg, uint64_t seed, bench_result *out)
{
    char err[160];
    sim *s = sim_new(cfg, seed, err, sizeof err);
    if (!s)
        fprintf(stderr, "bench: %s\n", err);
    out->base_rss_kb = bench_rss_now_kb();
    return s;
}

/* Fill the totals and free the simulation. */
static void finish(sim *s, bool ok, double t0, double c0, bench_result *out)
{
    out->wall_s = bench_wall_now() - t0;
    out->cpu_s = bench_cpu_now() - c0;
    out->ok = ok && !sim_violation_get(s);
    if (!out->ok)
        sim_print_violation(s, stderr);
    out->events = sim_event_count(s);
    out->acked = (uint64_t)metric(s, SIM_M_ACKED);
    out->committed = (uint64_t)metric(s, SIM_M_COMMITTED);
    out->virtual_ns = sim_now(s);
    sim_free(s);
    out->peak_rss_kb = bench_peak_rss_kb();
}

static void run_to_end(const sim_config *cfg, uint64_t seed, bench_result *out)
{
    sim *s = start(cfg, seed, out);
    if (!s)
        return;
    double t0 = bench_wall_now(), c0 = bench_cpu_now();
    bool ok = sim_run(s);
    finish(s, ok, t0, c0, out);
}

/* 1 and 4: 1,000 writes/s of 64-byte records, no batching. */
void bench_standard(const void *arg, bench_result *out)
{
    const bench_params *p = arg;
    sim_config cfg;
    base_config(&cfg, p->nodes, p->seconds);
    cfg.raft.max_entries_per_msg = 1;
    cfg.n_clients = 1;
    cfg.clients[0] = (sim_client_config){.kind = SIM_CLIENT_OPEN, .rate_per_s = 1000,
                                         .payload_bytes = 64};
    run_to_end(&cfg, p->seed, out);
}

/* 2: four closed-loop writers with 64 writes outstanding each; batching and
 * pipelining at their defaults (64 entries per message, window 4). */
void bench_saturation(const void *arg, bench_result *out)
{
    const bench_params *p = arg;
    sim_config cfg;
    base_config(&cfg, p->nodes, p->seconds);
    cfg.n_clients = 4;
    for (uint32_t i = 0; i < cfg.n_clients; i++)
        cfg.clients[i] = (sim_client_config){.kind = SIM_CLIENT_CLOSED, .outstanding = 64,
                                             .payload_bytes = 64};
    run_to_end(&cfg, p->seed, out);
}

static bool client_action(sim *s, enum sim_action_kind kind, sim_ep ep)
{
    sim_action a = {.at_ns = sim_now(s), .kind = kind,
                    .target = {.kind = SIM_TARGET_EP, .ep = ep}};
    return sim_add_action(s, &a) == 0;
}

/* Run until `acked` writes are acknowledged (checked once per virtual
 * second), the end, a violation, or 60 virtual seconds without progress
 * (a stalled cluster fails the benchmark instead of spinning). */
static bool run_until_acked(sim *s, uint64_t acked)
{
    uint64_t seen = 0, stalled_s = 0;
    for (;;) {
        uint64_t now_acked = (uint64_t)metric(s, SIM_M_ACKED);
        if (now_acked >= acked)
            return true;
        stalled_s = now_acked > seen ? 0 : stalled_s + 1;
        seen = now_acked;
        if (stalled_s > 60 || !sim_run_until(s, sim_now(s) + SIM_NS_PER_S)) {
            fprintf(stderr, "bench: stopped at %llu of %llu acknowledged writes\n",
                    (unsigned long long)now_acked, (unsigned long long)acked);
            return false;
        }
    }
}

/* 3: c1 (closed loop, 8-byte writes, batched) fills the log with `target`
 * entries — snapshots off, so every node holds all of them — then c2 runs the
 * standard 1,000 writes/s: 5 s to warm up, then window_s virtual seconds,
 * which are timed. With target 0 the same runs on a fresh log (after 1 s to
 * elect a leader). */
void bench_loglen(const void *arg, bench_result *out)
{
    const bench_params *p = arg;
    sim_config cfg;
    base_config(&cfg, p->nodes, 1000000);
    cfg.raft.snapshot_threshold = 0;
    cfg.n_clients = 2;
    cfg.clients[0] = (sim_client_config){.kind = SIM_CLIENT_CLOSED, .outstanding = 256,
                                         .payload_bytes = 8, .max_ops = p->target,
                                         .start_ns = p->target ? 0 : UINT64_MAX / 2};
    cfg.clients[1] = (sim_client_config){.kind = SIM_CLIENT_OPEN, .rate_per_s = 1000,
                                         .payload_bytes = 64, .start_ns = SIM_NS_PER_MS};
    sim *s = start(&cfg, p->seed, out);
    if (!s)
        return;
    sim_ep c2 = p->nodes + 2;
    double t0 = bench_wall_now(), c0 = bench_cpu_now();
    bool ok = client_action(s, SIM_ACT_CLIENT_STOP, c2) &&
              sim_run_until(s, SIM_NS_PER_S) && run_until_acked(s, p->target);
    out->entries = (uint64_t)metric(s, SIM_M_COMMITTED);
    long rss = bench_rss_now_kb();
    /* c2 warms up for 5 s in both cases, then the window is timed. */
    ok = ok && client_action(s, SIM_ACT_CLIENT_START, c2) &&
         sim_run_until(s, sim_now(s) + 5 * SIM_NS_PER_S);
    uint64_t e0 = sim_event_count(s);
    double w0 = bench_wall_now(), wc0 = bench_cpu_now();
    ok = ok && sim_run_until(s, sim_now(s) + p->window_s * SIM_NS_PER_S);
    out->win_wall_s = bench_wall_now() - w0;
    out->win_cpu_s = bench_cpu_now() - wc0;
    out->win_events = sim_event_count(s) - e0;
    finish(s, ok, t0, c0, out);
    out->peak_rss_kb = rss; /* memory of the filled log, before the window */
}

/* 7: the canonical/raft comparison: 5 nodes, one client with one 8-byte
 * write outstanding, `target` writes, 15 ms each way, 10 ms fsync; with
 * `idle_heartbeats`, heartbeats go only to idle followers, as in canonical/raft. */
void bench_head2head(const void *arg, bench_result *out)
{
    const bench_params *p = arg;
    sim_config cfg;
    sim_config_default(&cfg);
    cfg.n_nodes = p->nodes;
    raft_config_default(&cfg.raft, 1, p->nodes);
    cfg.raft.heartbeat_idle_only = p->idle_heartbeats;
    cfg.net.latency = (sim_dist){.kind = SIM_DIST_CONST, .a_ns = 15 * SIM_NS_PER_MS};
    cfg.disk.fsync = (sim_dist){.kind = SIM_DIST_CONST, .a_ns = 10 * SIM_NS_PER_MS};
    cfg.duration_ns = 1000000 * SIM_NS_PER_S;
    cfg.n_clients = 1;
    cfg.clients[0] = (sim_client_config){.kind = SIM_CLIENT_CLOSED, .outstanding = 1,
                                         .payload_bytes = 8, .max_ops = p->target};
    sim *s = start(&cfg, p->seed, out);
    if (!s)
        return;
    double t0 = bench_wall_now(), c0 = bench_cpu_now();
    bool ok = run_until_acked(s, p->target);
    finish(s, ok, t0, c0, out);
}
