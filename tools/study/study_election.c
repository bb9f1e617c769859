/* study_election.c — study 1: time to detect and replace a crashed leader
 * (the experiment behind Figure 16 of the Raft paper, extended version).
 *
 * Setup, as in the paper: 5 servers; broadcast time about 15 ms (one-way
 * latency uniform 4–6 ms, so a round trip of ~10 ms, plus a 5 ms fsync before
 * a vote or an append is acknowledged); heartbeat = half the minimum election
 * timeout; PreVote and CheckQuorum off (the paper's algorithm).
 *
 * One trial, two passes over the same seed (the run is deterministic, so the
 * second pass replays the first exactly up to the moment it diverges):
 *   pass 1  boot (nodes 2..5 start a little after node 1, so even the
 *           150–150 line gets a first leader), wait for steady state, and
 *           note the time H0 of a heartbeat broadcast;
 *   pass 2  half a heartbeat after H0 a client write X reaches the leader
 *           while its links to two followers (A, B) are cut for 1 ms: X
 *           commits on the leader, C and D only. The next heartbeat H1
 *           reaches all four (an empty AppendEntries: the leader resends a
 *           lost entry only one heartbeat interval later), so the four
 *           survivors' timers are synchronised but A and B hold shorter logs
 *           and cannot win. The leader crashes at H1 + U[0, heartbeat).
 * Downtime = crash until a new leader is established (sim_metric leader != 0).
 *
 * Output: election.csv (one row per trial), election_summary.csv (per line). */
#include "study.h"

#include <stdlib.h>
#include <string.h>

enum { N_NODES = 5, CLIENT = N_NODES + 1 };
#define CAP_NS (60 * SIM_NS_PER_S) /* a trial with no leader after 60 s is censored */
#define MAX_ATTEMPTS 64      /* seeds tried per trial before giving up */

typedef struct line_spec {
    const char *label;
    uint32_t min_ms, max_ms;
    uint32_t trials, trials_quick;
} line_spec;

static const line_spec LINES[] = {
    {"150-150", 150, 150, 100, 10}, {"150-151", 150, 151, 1000, 50},
    {"150-155", 150, 155, 1000, 50}, {"150-175", 150, 175, 1000, 50},
    {"150-200", 150, 200, 1000, 50}, {"150-300", 150, 300, 1000, 50},
    {"12-24", 12, 24, 1000, 50},     {"25-50", 25, 50, 1000, 50},
    {"50-100", 50, 100, 1000, 50},   {"100-200", 100, 200, 1000, 50},
};
#define N_LINES (sizeof LINES / sizeof LINES[0])

typedef struct trial_result {
    uint64_t downtime_ns;
    bool censored, ok;
    uint32_t lagging;   /* survivors whose log was shorter than the longest at the crash */
    uint64_t terms;     /* terms begun between the crash and the new leader */
} trial_result;

static void make_config(sim_config *cfg, const line_spec *l, uint64_t client_start_ns)
{
    sim_config_default(cfg);
    cfg->n_nodes = N_NODES;
    cfg->raft.election_timeout_min_ns = MS(l->min_ms);
    cfg->raft.election_timeout_max_ns = MS(l->max_ms);
    cfg->raft.heartbeat_ns = MS(l->min_ms) / 2;
    cfg->raft.prevote = false;
    cfg->raft.check_quorum = false;
    cfg->net.latency = (sim_dist){SIM_DIST_UNIFORM, US(4000), US(6000)};
    cfg->disk.fsync = (sim_dist){SIM_DIST_CONST, US(2500), 0};
    cfg->n_clients = 1;
    cfg->clients[0] = study_closed_writer(1, 16);
    cfg->clients[0].max_ops = 1;
    cfg->clients[0].start_ns = client_start_ns;
    cfg->duration_ns = 1000 * SIM_NS_PER_S;
}

/* Actions common to both passes: staggered boot, and a fast client so the
 * write reaches the leader within a fraction of a millisecond. */
static void add_boot_actions(sim *s, const line_spec *l)
{
    for (sim_ep n = 2; n <= N_NODES; n++) {
        study_crash(s, 0, n);
        study_restart(s, MS(l->min_ms) / 5, n);
    }
    sim_dist fast = {SIM_DIST_CONST, US(50), 0};
    for (sim_ep n = 1; n <= N_NODES; n++) {
        study_set_link_latency(s, 0, CLIENT, n, fast);
        study_set_link_latency(s, 0, n, CLIENT, fast);
    }
}

/* Step until the leader broadcasts heartbeats (one event sending an
 * AppendEntries to every follower) at or after `after_ns`. Returns its time,
 * or 0 if the run ended or the deadline passed. */
static uint64_t next_broadcast(sim *s, uint64_t after_ns, uint64_t until_ns)
{
    int64_t before = study_metric_arg(s, SIM_M_MESSAGES, RAFT_MSG_APPEND_ENTRIES);
    while (sim_now(s) <= until_ns && sim_step(s)) {
        int64_t now = study_metric_arg(s, SIM_M_MESSAGES, RAFT_MSG_APPEND_ENTRIES);
        if (now - before >= N_NODES - 1 && sim_now(s) >= after_ns)
            return sim_now(s);
        before = now;
    }
    return 0;
}

/* Pass 1: leader and the time of a steady-state heartbeat broadcast. */
static bool probe(const line_spec *l, uint64_t seed, sim_ep *leader, uint64_t *h0)
{
    sim_config cfg;
    make_config(&cfg, l, 999 * SIM_NS_PER_S);
    sim *s = study_sim_new(&cfg, seed);
    add_boot_actions(s, l);
    *leader = study_run_until_leader(s, CAP_NS);
    uint64_t hb = cfg.raft.heartbeat_ns;
    *h0 = *leader ? next_broadcast(s, sim_now(s) + 3 * hb, sim_now(s) + CAP_NS) : 0;
    if (*h0 && (sim_ep)study_metric(s, SIM_M_LEADER) != *leader)
        *h0 = 0; /* leadership changed during the warm-up: try another seed */
    sim_free(s);
    return *h0 != 0;
}

static uint32_t count_lagging(const sim *s, sim_ep leader)
{
    int64_t len[N_NODES + 1], longest = 0;
    for (sim_ep n = 1; n <= N_NODES; n++) {
        len[n] = study_metric_node(s, SIM_M_LOG_LENGTH, n);
        if (n != leader && len[n] > longest)
            longest = len[n];
    }
    uint32_t lagging = 0;
    for (sim_ep n = 1; n <= N_NODES; n++)
        lagging += n != leader && len[n] < longest;
    return lagging;
}

/* Pass 2: the write, the synchronised heartbeat, the crash, the election. */
static trial_result run_trial(const line_spec *l, uint64_t seed, sim_ep leader, uint64_t h0)
{
    trial_result res = {0};
    sim_config cfg;
    uint64_t hb = MS(l->min_ms) / 2, write_ns = h0 + hb / 2;
    make_config(&cfg, l, write_ns);
    sim *s = study_sim_new(&cfg, seed);
    add_boot_actions(s, l);
    sim_ep lag[2], k = 0;
    for (sim_ep n = 1; n <= N_NODES && k < 2; n++)
        if (n != leader)
            lag[k++] = n;
    for (int i = 0; i < 2; i++) {
        study_cut(s, write_ns - US(10), leader, lag[i]);
        study_uncut(s, write_ns + MS(1), leader, lag[i]);
    }
    uint64_t h1 = next_broadcast(s, write_ns + MS(1), write_ns + CAP_NS);
    if (!h1 || (sim_ep)study_metric(s, SIM_M_LEADER) != leader)
        goto done;
    rng r;
    rng_init(&r, seed, 77);
    uint64_t crash_ns = h1 + rng_below(&r, hb);
    study_crash(s, crash_ns, leader);
    /* With very short timeouts leadership can change on its own before the
     * crash; such a trial measures nothing and is redrawn (and counted). */
    if (!sim_run_until(s, crash_ns - 1) || (sim_ep)study_metric(s, SIM_M_LEADER) != leader)
        goto done;
    if (!sim_run_until(s, crash_ns))
        goto done;
    int64_t term0 = study_metric_sel(s, SIM_M_TERM, SIM_SEL_ANY);
    bool counted = false;
    for (;;) {
        /* X, sent before the crash, is on every longer log within 7 ms (the
         * longest one-way delay is 6 ms; no timer can fire that early). */
        if (!counted && sim_now(s) >= crash_ns + MS(7)) {
            res.lagging = count_lagging(s, leader);
            counted = true;
        }
        int64_t now_leader = study_metric(s, SIM_M_LEADER);
        if (now_leader != 0 && (sim_ep)now_leader != leader)
            break;
        if (sim_now(s) - crash_ns > CAP_NS || !sim_step(s)) {
            res.censored = true;
            break;
        }
    }
    res.downtime_ns = res.censored ? CAP_NS : sim_now(s) - crash_ns;
    res.terms = (uint64_t)(study_metric_sel(s, SIM_M_TERM, SIM_SEL_ANY) - term0);
    res.ok = true;
done:
    sim_free(s);
    return res;
}

/* One trial with the first seed (from a deterministic sequence) whose warm-up
 * reaches steady state; every line and trial has its own seeds. */
static trial_result trial(size_t line, uint32_t t, uint64_t *seed_out, uint32_t *redrawn)
{
    for (uint64_t attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
        *redrawn += attempt > 0;
        uint64_t seed = (uint64_t)(line + 1) * 1000000 + (uint64_t)t * MAX_ATTEMPTS + attempt + 1;
        sim_ep leader;
        uint64_t h0;
        if (!probe(&LINES[line], seed, &leader, &h0))
            continue;
        trial_result r = run_trial(&LINES[line], seed, leader, h0);
        if (r.ok) {
            *seed_out = seed;
            return r;
        }
    }
    fprintf(stderr, "study_election: line %s trial %u: no seed reached steady state\n",
            LINES[line].label, (unsigned)t);
    exit(1);
}

static void summarise(FILE *sum, const line_spec *l, uint64_t *down_us, uint32_t n,
                      uint32_t censored, uint32_t lagging2, uint32_t redrawn)
{
    uint64_t total = 0;
    for (uint32_t i = 0; i < n; i++)
        total += down_us[i];
    study_sort_u64(down_us, n);
    fprintf(sum, "%s,%u,%u,%u,%llu,%llu,%llu,%llu,%u,%u,%u\n", l->label, l->min_ms, l->max_ms, n,
            (unsigned long long)study_percentile(down_us, n, 500),
            (unsigned long long)(n ? total / n : 0),
            (unsigned long long)study_percentile(down_us, n, 990),
            (unsigned long long)study_percentile(down_us, n, 1000), censored, lagging2,
            redrawn);
}

int main(int argc, char **argv)
{
    study_args args;
    study_parse_args(&args, "election", argc, argv);
    FILE *csv = study_open_csv(&args, "");
    FILE *sum = study_open_csv(&args, "_summary");
    fprintf(csv, "line,timeout_min_ms,timeout_max_ms,trial,seed,downtime_us,censored,"
                 "lagging,terms\n");
    fprintf(sum, "line,timeout_min_ms,timeout_max_ms,trials,median_us,mean_us,p99_us,"
                 "worst_us,censored,two_lagging,redrawn\n");
    for (size_t li = 0; li < N_LINES; li++) {
        const line_spec *l = &LINES[li];
        uint32_t n = args.quick ? l->trials_quick : l->trials;
        uint64_t *down_us = calloc(n, sizeof *down_us);
        if (!down_us)
            return 2;
        uint32_t censored = 0, lagging2 = 0, redrawn = 0;
        for (uint32_t t = 0; t < n; t++) {
            uint64_t seed = 0;
            trial_result r = trial(li, t, &seed, &redrawn);
            down_us[t] = r.downtime_ns / 1000;
            censored += r.censored;
            lagging2 += r.lagging == 2;
            fprintf(csv, "%s,%u,%u,%u,%llu,%llu,%d,%u,%llu\n", l->label, l->min_ms, l->max_ms,
                    t, (unsigned long long)seed, (unsigned long long)down_us[t], r.censored,
                    r.lagging, (unsigned long long)r.terms);
            study_progress(&args, l->label, t + 1, n);
        }
        summarise(sum, l, down_us, n, censored, lagging2, redrawn);
        free(down_us);
    }
    study_close_csv(csv);
    study_close_csv(sum);
    return 0;
}
