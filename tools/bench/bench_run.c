/* bench_run.c — run each benchmark the chosen number of times and record
 * the medians and ranges (wall-clock AND CPU figures: the machine may be
 * shared, and CPU time is the steadier of the two). */
#include <stdio.h>
#include <string.h>

#include "bench.h"
#include "bench_main.h"

static bool selected(const bench_opts *o, const char *name)
{
    if (!o->only)
        return true;
    size_t n = strlen(name);
    for (const char *p = o->only; (p = strstr(p, name)) != NULL; p += n)
        if ((p == o->only || p[-1] == ',') && (p[n] == ',' || p[n] == '\0'))
            return true;
    return false;
}

static int runs_for(const bench_opts *o, int full, int quick)
{
    if (o->runs)
        return o->runs;
    return o->quick ? quick : full;
}

/* runs x fn(params) in children; -1 if any run failed. */
static int measure(bench_fn fn, const bench_params *p, int runs, bench_result *rs)
{
    for (int i = 0; i < runs; i++) {
        if (bench_in_child(fn, p, &rs[i]) != 0) {
            fprintf(stderr, "bench: run %d of %d failed\n", i + 1, runs);
            return -1;
        }
    }
    return 0;
}

/* num(r) / den(r) over the runs: median and range. */
typedef double (*field_fn)(const bench_result *r);
static bench_stat med(const bench_result *rs, int runs, field_fn num, field_fn den)
{
    double v[BENCH_MAX_RUNS];
    for (int i = 0; i < runs; i++) {
        double d = den ? den(&rs[i]) : 1;
        v[i] = num(&rs[i]) / (d > 0 ? d : 1e-12);
    }
    return bench_stats(v, runs);
}

/* Per round i: (num(a[i]) / den(a[i])) / (num(b[i]) / den(b[i])), for
 * runs that took turns, so a change in the machine's speed hits both alike. */
static bench_stat ratio(const bench_result *a, const bench_result *b, int runs, field_fn num,
                        field_fn den)
{
    double v[BENCH_MAX_RUNS];
    for (int i = 0; i < runs; i++)
        v[i] = (num(&a[i]) / den(&a[i])) / (num(&b[i]) / den(&b[i]));
    return bench_stats(v, runs);
}

static double f_wall(const bench_result *r) { return r->wall_s; }
static double f_cpu(const bench_result *r) { return r->cpu_s; }
static double f_wall_us(const bench_result *r) { return r->wall_s * 1e6; }
static double f_cpu_us(const bench_result *r) { return r->cpu_s * 1e6; }
static double f_events(const bench_result *r) { return (double)r->events; }
static double f_acked(const bench_result *r) { return (double)r->acked; }
static double f_virtual(const bench_result *r) { return (double)r->virtual_ns / 1e9; }
static double f_rss_mib(const bench_result *r) { return (double)r->peak_rss_kb / 1024.0; }
static double f_win_wall_ns(const bench_result *r) { return r->win_wall_s * 1e9; }
static double f_win_cpu_ns(const bench_result *r) { return r->win_cpu_s * 1e9; }
static double f_win_events(const bench_result *r) { return (double)r->win_events; }

static int bench_1_standard(const bench_opts *o)
{
    int runs = runs_for(o, 5, 3);
    bench_params p = {.nodes = 5, .seconds = o->quick ? 10 : 60, .seed = o->seed};
    bench_result rs[BENCH_MAX_RUNS] = {0};
    if (measure(bench_standard, &p, runs, rs) != 0)
        return -1;
    const char *b = "standard";
    char note[96];
    snprintf(note, sizeof note, "%llu s virtual, %llu events/run", (unsigned long long)p.seconds,
             (unsigned long long)rs[0].events);
    bench_row(b, "wall seconds per run", med(rs, runs, f_wall, NULL), "s", note);
    bench_row(b, "CPU seconds per run", med(rs, runs, f_cpu, NULL), "s", NULL);
    bench_row(b, "events per wall second", med(rs, runs, f_events, f_wall), "1/s",
              "target >= 3,000,000");
    bench_row(b, "events per CPU second", med(rs, runs, f_events, f_cpu), "1/s", NULL);
    bench_row(b, "virtual seconds per wall second", med(rs, runs, f_virtual, f_wall), "x",
              "target >= 150 (60 s in < 0.4 s)");
    bench_row(b, "virtual seconds per CPU second", med(rs, runs, f_virtual, f_cpu), "x", NULL);
    bench_row(b, "committed writes per wall second", med(rs, runs, f_acked, f_wall), "1/s", NULL);
    bench_row(b, "peak RSS", med(rs, runs, f_rss_mib, NULL), "MiB", NULL);
    return 0;
}

static int bench_2_saturation(const bench_opts *o)
{
    int runs = runs_for(o, 5, 3);
    bench_params p = {.nodes = 5, .seconds = o->quick ? 2 : 10, .seed = o->seed};
    bench_result rs[BENCH_MAX_RUNS] = {0};
    if (measure(bench_saturation, &p, runs, rs) != 0)
        return -1;
    const char *b = "saturation";
    char note[96];
    snprintf(note, sizeof note, "4 x 64 outstanding, batch 64, window 4; %llu s virtual",
             (unsigned long long)p.seconds);
    bench_row(b, "committed writes per wall second", med(rs, runs, f_acked, f_wall), "1/s", note);
    bench_row(b, "committed writes per CPU second", med(rs, runs, f_acked, f_cpu), "1/s", NULL);
    bench_row(b, "committed writes per virtual second", med(rs, runs, f_acked, f_virtual),
              "1/s", NULL);
    bench_row(b, "events per CPU second", med(rs, runs, f_events, f_cpu), "1/s", NULL);
    bench_row(b, "peak RSS", med(rs, runs, f_rss_mib, NULL), "MiB", NULL);
    return 0;
}

/* Bytes resident per entry per node, beyond the entry's own bytes. */
static void loglen_memory(const bench_result *full, const bench_result *fresh, uint32_t nodes)
{
    const double entry_bytes = 28 + 8; /* log-buffer command header + 8-byte payload */
    double grown = (double)(full->peak_rss_kb - fresh->peak_rss_kb) * 1024.0;
    double per = grown / ((double)nodes * (double)full->entries);
    char note[96];
    snprintf(note, sizeof note, "%llu entries x %u nodes; entry = 36 B (28 B header + 8 B)",
             (unsigned long long)full->entries, nodes);
    bench_row("loglen", "resident bytes per entry per node", bench_one(per), "B", note);
    bench_row("loglen", "overhead beyond the entry bytes", bench_one(per - entry_bytes), "B",
              "target <= 100");
    bench_row("loglen", "RSS of the filled cluster", bench_one((double)full->peak_rss_kb / 1024.0),
              "MiB", "target < 1024 at 1M entries");
}

static int bench_3_loglen(const bench_opts *o)
{
    int runs = runs_for(o, 5, 1);
    bench_params p = {.nodes = 5, .seed = o->seed, .window_s = o->quick ? 2 : 20,
                      .target = o->quick ? 100000 : 1000000};
    bench_params fresh = p;
    fresh.target = 0;
    bench_result rf[BENCH_MAX_RUNS] = {0}, rl[BENCH_MAX_RUNS] = {0};
    for (int i = 0; i < runs; i++) /* interleaved, so load drift hits both alike */
        if (measure(bench_loglen, &fresh, 1, &rf[i]) != 0 || measure(bench_loglen, &p, 1, &rl[i]))
            return -1;
    const char *b = "loglen";
    char note[96];
    snprintf(note, sizeof note, "standard load for %llu s virtual after the fill",
             (unsigned long long)p.window_s);
    bench_row(b, "CPU ns per event, fresh log", med(rf, runs, f_win_cpu_ns, f_win_events), "ns",
              note);
    bench_row(b, "CPU ns per event, long log", med(rl, runs, f_win_cpu_ns, f_win_events), "ns",
              NULL);
    bench_row(b, "long / fresh (CPU)", ratio(rl, rf, runs, f_win_cpu_ns, f_win_events), "x",
              "median of each round's ratio; target <= 1.3");
    bench_row(b, "wall ns per event, fresh log", med(rf, runs, f_win_wall_ns, f_win_events), "ns",
              NULL);
    bench_row(b, "wall ns per event, long log", med(rl, runs, f_win_wall_ns, f_win_events), "ns",
              NULL);
    bench_row(b, "long / fresh (wall)", ratio(rl, rf, runs, f_win_wall_ns, f_win_events), "x",
              NULL);
    bench_row(b, "fill time (CPU)", med(rl, runs, f_cpu, NULL), "s",
              "closed loop, batched, 8-byte writes");
    loglen_memory(&rl[0], &rf[0], p.nodes);
    return 0;
}

/* 4: the sizes take turns, one run of each per round, so a change in the
 * machine's speed (a shared host's can swing 1.5x within minutes) hits every
 * size alike; the 51 / 5 figures are medians of each round's own ratio. */
static int bench_4_cluster(const bench_opts *o)
{
    enum { N_SIZES = 6 };
    static const uint32_t sizes[N_SIZES] = {3, 5, 9, 15, 31, 51};
    int runs = runs_for(o, 5, 1);
    bench_result rs[N_SIZES][BENCH_MAX_RUNS] = {{{0}}};
    bench_params p = {.seconds = o->quick ? 2 : 10, .seed = o->seed};
    for (int i = 0; i < runs; i++)
        for (int k = 0; k < N_SIZES; k++) {
            p.nodes = sizes[k];
            if (measure(bench_standard, &p, 1, &rs[k][i]) != 0)
                return -1;
        }
    char note[64];
    snprintf(note, sizeof note, "standard load, %llu s virtual, sizes interleaved",
             (unsigned long long)p.seconds);
    for (int k = 0; k < N_SIZES; k++) {
        char metric[48];
        snprintf(metric, sizeof metric, "%u nodes: wall us per committed write", sizes[k]);
        bench_row("cluster", metric, med(rs[k], runs, f_wall_us, f_acked), "us",
                  k == 0 ? note : NULL);
        snprintf(metric, sizeof metric, "%u nodes: CPU us per committed write", sizes[k]);
        bench_row("cluster", metric, med(rs[k], runs, f_cpu_us, f_acked), "us", NULL);
    }
    const bench_result *r5 = rs[1], *r51 = rs[N_SIZES - 1];
    bench_row("cluster", "51 / 5 nodes (wall)", ratio(r51, r5, runs, f_wall, f_acked), "x",
              "median of each round's ratio; target <= 12");
    bench_row("cluster", "51 / 5 nodes (CPU)", ratio(r51, r5, runs, f_cpu, f_acked), "x",
              "target <= 12");
    return 0;
}

/* 7: the head-to-head work three ways, taking turns in each round: ours with
 * Raft's classic heartbeat on every interval ("h2h"), ours with heartbeats
 * only to idle followers ("h2h-idle", what canonical/raft does), and
 * canonical/raft itself ("h2h-ref", tools/bench/reference/), when it is built.
 * The ours / reference figures are medians of each round's own ratio, so a
 * change in the machine's speed hits both sides of a ratio alike. */
enum { H2H, H2H_IDLE, H2H_REF, H2H_KINDS };
static const char *const h2h_name[H2H_KINDS] = {"h2h", "h2h-idle", "h2h-ref"};

static void h2h_rows(int k, const bench_result *rs, int runs, uint64_t writes)
{
    const char *b = h2h_name[k];
    char note[112];
    snprintf(note, sizeof note, "%llu writes, 1 outstanding, 15 ms links, 10 ms fsync%s",
             (unsigned long long)writes,
             k == H2H_IDLE  ? ", heartbeat-idle-only"
             : k == H2H_REF ? "; canonical/raft 0.15 fixture"
                            : "");
    bench_row(b, "committed writes per wall second", med(rs, runs, f_acked, f_wall), "1/s", note);
    bench_row(b, "committed writes per CPU second", med(rs, runs, f_acked, f_cpu), "1/s",
              k == H2H_REF ? NULL : "target >= 200,000 (wall)");
    bench_row(b, "events per wall second", med(rs, runs, f_events, f_wall), "1/s",
              k == H2H_REF ? "events = raft_fixture_step calls" : NULL);
    bench_row(b, "events per CPU second", med(rs, runs, f_events, f_cpu), "1/s", NULL);
    bench_row(b, "events per committed write", med(rs, runs, f_events, f_acked), "", NULL);
}

/* Per round: (ours' writes per wall second) / (the reference's). */
static void h2h_ratio_row(int k, const bench_result *ours, const bench_result *ref, int runs)
{
    char metric[64];
    snprintf(metric, sizeof metric, "%s / canonical/raft, writes (wall)", h2h_name[k]);
    bench_row("h2h-ref", metric, ratio(ours, ref, runs, f_acked, f_wall), "x",
              "median of each round's ratio; 200,000 vs ~100,000 is 2x");
}

static int bench_7_head2head(const bench_opts *o)
{
    bool on[H2H_KINDS] = {selected(o, "h2h"), selected(o, "h2h-idle"), false};
    on[H2H_REF] = o->reference && (on[H2H] || on[H2H_IDLE] || selected(o, "h2h-ref"));
    if (!on[H2H] && !on[H2H_IDLE] && !on[H2H_REF])
        return 0;
    int runs = runs_for(o, 5, 3);
    uint64_t writes = o->quick ? 10000 : 100000;
    static bench_result rs[H2H_KINDS][BENCH_MAX_RUNS];
    for (int i = 0; i < runs; i++)
        for (int k = 0; k < H2H_KINDS; k++) {
            bench_params p = {.nodes = 5, .seed = o->seed, .target = writes,
                              .idle_heartbeats = k == H2H_IDLE};
            int rc = !on[k]        ? 0
                     : k == H2H_REF ? bench_reference(o->reference, writes, &rs[k][i])
                                    : measure(bench_head2head, &p, 1, &rs[k][i]);
            if (rc != 0)
                return -1;
        }
    for (int k = 0; k < H2H_KINDS; k++)
        if (on[k])
            h2h_rows(k, rs[k], runs, writes);
    for (int k = H2H; on[H2H_REF] && k <= H2H_IDLE; k++)
        if (on[k])
            h2h_ratio_row(k, rs[k], rs[H2H_REF], runs);
    return 0;
}

int bench_run_all(const bench_opts *o)
{
    int failed = 0;
    if (selected(o, "standard"))
        failed += bench_1_standard(o) != 0;
    if (selected(o, "saturation"))
        failed += bench_2_saturation(o) != 0;
    if (selected(o, "loglen"))
        failed += bench_3_loglen(o) != 0;
    if (selected(o, "cluster"))
        failed += bench_4_cluster(o) != 0;
    if (selected(o, "sweep") && o->raftsim)
        failed += bench_sweep(o, runs_for(o, 5, 1), o->sweep_seeds ? o->sweep_seeds
                                                                   : o->quick ? 20 : 200) != 0;
    if ((selected(o, "sweep") || selected(o, "explore")) && o->raftsim)
        failed += bench_explore(o, runs_for(o, 5, 1), o->sweep_seeds ? o->sweep_seeds
                                                                     : o->quick ? 20 : 200) != 0;
    failed += bench_7_head2head(o) != 0;
    return failed;
}
