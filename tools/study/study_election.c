/* study_election.c — study 1: time to detect and replace a crashed leader
 * (the experiment behind Figure 16 of the Raft paper, extended version).
 *
 * Setup, as in the paper (§9.3; five servers on a 1 Gb LAN with SSDs):
 * one-way latency uniform 50–250 us (a LAN), every disk write made durable by
 * an fsync drawn from N(3.5 ms, 0.8 ms) (its own stream per disk), each
 * node's clock off by a rate drawn from [-50, +50] ppm (its own stream per
 * node), heartbeat = half the minimum election timeout, PreVote and
 * CheckQuorum off, and the timer rules of the paper's implementation,
 * LogCabin: election timeouts drawn in whole milliseconds, and a candidate
 * that steps down keeps its deadline (raft_config.stepdown_timer = LEADER).
 * Why 3.5 ms and not the paper's "broadcast time ~15 ms": see the ablation
 * below and reports/ (a 15 ms disk write on the election path gives medians
 * of seconds for 150–155 ms, not 287 ms).
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
 * Output: election.csv (one row per trial), election_summary.csv (per line),
 * election_ablation.csv (the lines with a value stated in the paper, with
 * one knob of the world turned back at a time; cap 60 s instead of 1,200 s).
 * ELECTION_* environment variables override the world for exploration (see
 * env_world); a run with ELECTION_LINES set writes no ablation. */
#include "study.h"

#include <stdlib.h>
#include <string.h>

enum { N_NODES = 5, CLIENT = N_NODES + 1 };
#define WARMUP_CAP_NS (60 * SIM_NS_PER_S) /* no steady state within this: next seed */
#define CAP_NS (1200 * SIM_NS_PER_S)        /* the paper world's cap on one downtime */
#define ABLATION_CAP_NS (60 * SIM_NS_PER_S)  /* the ablation's (cheaper) cap */
#define MAX_ATTEMPTS 64      /* seeds tried per trial before giving up */

/* The simulated world of one run of the study. */
typedef struct world {
    sim_dist latency;         /* one-way delay of every link */
    sim_dist fsync;           /* one disk write */
    int32_t drift_max_ppm;    /* per-node clock rate error, drawn in [-max, +max] */
    uint8_t stepdown_timer;   /* enum raft_stepdown_timer */
    uint64_t timeout_step_ns; /* election timeouts in whole steps (0 = any ns) */
    uint64_t cap_ns;          /* a trial with no new leader after this is censored */
} world;

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

/* The paper's cluster (see the header comment): LAN links, an SSD's fsync. */
static const world PAPER_WORLD = {
    .latency = {SIM_DIST_UNIFORM, US(50), US(250)},
    .fsync = {SIM_DIST_NORMAL, US(3500), US(800)},
    .drift_max_ppm = STUDY_DRIFT_PPM,
    .stepdown_timer = RAFT_STEPDOWN_RESET_LEADER,
    .timeout_step_ns = MS(1),
    .cap_ns = CAP_NS,
};

/* The ablation: the paper world with one knob turned back. */
typedef struct variant {
    const char *name;
    void (*apply)(world *w);
} variant;

static void old_links(world *w) /* this study's world before issue 18 */
{
    w->latency = (sim_dist){SIM_DIST_UNIFORM, US(4000), US(6000)};
    w->fsync = (sim_dist){SIM_DIST_CONST, US(2500), 0};
}
static void no_drift(world *w) { w->drift_max_ppm = 0; }
static void raftsim_rule(world *w) { w->stepdown_timer = RAFT_STEPDOWN_RESET_NOT_FOLLOWER; }
static void etcd_rule(world *w) { w->stepdown_timer = RAFT_STEPDOWN_RESET_ALWAYS; }
static void ns_draws(world *w) { w->timeout_step_ns = 0; }
static void slow_disk(world *w) { w->fsync = (sim_dist){SIM_DIST_NORMAL, US(14000), US(2000)}; }
static void no_change(world *w) { (void)w; }

static const variant VARIANTS[] = {
    {"paper world (all on)", no_change},
    {"links 4-6 ms + fsync 2.5 ms (before)", old_links},
    {"fsync 14 ms (15 ms broadcast in disk)", slow_disk},
    {"perfect clocks (no drift)", no_drift},
    {"timer rule: raftsim default", raftsim_rule},
    {"timer rule: etcd", etcd_rule},
    {"timeouts to the ns (not whole ms)", ns_draws},
};
#define N_VARIANTS (sizeof VARIANTS / sizeof VARIANTS[0])
/* The lines with a value stated in the paper's text. */
static const char *const ABLATION_LINES[] = {"150-150", "150-155", "150-200", "12-24"};
#define N_ABLATION_LINES (sizeof ABLATION_LINES / sizeof ABLATION_LINES[0])

typedef struct trial_result {
    uint64_t downtime_ns;
    bool censored, ok;
    uint32_t lagging;   /* survivors whose log was shorter than the longest at the crash */
    uint64_t terms;     /* terms begun between the crash and the new leader */
} trial_result;

static void make_config(sim_config *cfg, const world *w, const line_spec *l,
                        uint64_t client_start_ns)
{
    sim_config_default(cfg);
    cfg->n_nodes = N_NODES;
    cfg->raft.election_timeout_min_ns = MS(l->min_ms);
    cfg->raft.election_timeout_max_ns = MS(l->max_ms);
    cfg->raft.heartbeat_ns = MS(l->min_ms) / 2;
    cfg->raft.prevote = false;
    cfg->raft.check_quorum = false;
    cfg->raft.stepdown_timer = w->stepdown_timer;
    cfg->raft.election_timeout_step_ns = w->timeout_step_ns;
    cfg->net.latency = w->latency;
    cfg->disk.fsync = w->fsync;
    cfg->n_clients = 1;
    cfg->clients[0] = study_closed_writer(1, 16);
    cfg->clients[0].max_ops = 1;
    cfg->clients[0].start_ns = client_start_ns;
    cfg->duration_ns = 1000 * SIM_NS_PER_S;
}

/* Actions common to both passes: staggered boot, and a fast client so the
 * write reaches the leader within a fraction of a millisecond. */
static void add_boot_actions(sim *s, const world *w, const line_spec *l, uint64_t seed)
{
    study_drift_all(s, seed, N_NODES, w->drift_max_ppm);
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
static bool probe(const world *w, const line_spec *l, uint64_t seed, sim_ep *leader,
                  uint64_t *h0)
{
    sim_config cfg;
    make_config(&cfg, w, l, 999 * SIM_NS_PER_S);
    sim *s = study_sim_new(&cfg, seed);
    add_boot_actions(s, w, l, seed);
    *leader = study_run_until_leader(s, WARMUP_CAP_NS);
    uint64_t hb = cfg.raft.heartbeat_ns;
    *h0 = *leader ? next_broadcast(s, sim_now(s) + 3 * hb, sim_now(s) + WARMUP_CAP_NS) : 0;
    if (*h0 && (sim_ep)study_metric(s, SIM_M_LEADER) != *leader)
        *h0 = 0; /* leadership changed during the warm-up: try another seed */
    study_sim_free(s);
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
static trial_result run_trial(const world *w, const line_spec *l, uint64_t seed, sim_ep leader,
                              uint64_t h0)
{
    trial_result res = {0};
    sim_config cfg;
    uint64_t hb = MS(l->min_ms) / 2, write_ns = h0 + hb / 2;
    make_config(&cfg, w, l, write_ns);
    sim *s = study_sim_new(&cfg, seed);
    add_boot_actions(s, w, l, seed);
    sim_ep lag[2], k = 0;
    for (sim_ep n = 1; n <= N_NODES && k < 2; n++)
        if (n != leader)
            lag[k++] = n;
    for (int i = 0; i < 2; i++) {
        study_cut(s, write_ns - US(10), leader, lag[i]);
        study_uncut(s, write_ns + MS(1), leader, lag[i]);
    }
    uint64_t h1 = next_broadcast(s, write_ns + MS(1), write_ns + WARMUP_CAP_NS);
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
        if (!counted && sim_now(s) >= crash_ns + MS(1)) {
            res.lagging = count_lagging(s, leader);
            counted = true;
        }
        int64_t now_leader = study_metric(s, SIM_M_LEADER);
        if (now_leader != 0 && (sim_ep)now_leader != leader)
            break;
        if (sim_now(s) - crash_ns > w->cap_ns || !sim_step(s)) {
            res.censored = true;
            break;
        }
    }
    res.downtime_ns = res.censored ? w->cap_ns : sim_now(s) - crash_ns;
    res.terms = (uint64_t)(study_metric_sel(s, SIM_M_TERM, SIM_SEL_ANY) - term0);
    res.ok = true;
done:
    study_sim_free(s);
    return res;
}

/* One trial with the first seed (from a deterministic sequence) whose warm-up
 * reaches steady state; every line and trial has its own seeds. */
static trial_result trial(const world *w, size_t line, uint32_t t, uint64_t *seed_out,
                          uint32_t *redrawn)
{
    for (uint64_t attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
        *redrawn += attempt > 0;
        uint64_t seed = (uint64_t)(line + 1) * 1000000 + (uint64_t)t * MAX_ATTEMPTS + attempt + 1;
        sim_ep leader;
        uint64_t h0;
        if (!probe(w, &LINES[line], seed, &leader, &h0))
            continue;
        trial_result r = run_trial(w, &LINES[line], seed, leader, h0);
        if (r.ok) {
            *seed_out = seed;
            return r;
        }
    }
    return (trial_result){.ok = false}; /* no seed reached steady state */
}

/* One line's downtimes (us, sorted on return) in world `w`; `csv` may be NULL. */
typedef struct line_stats {
    uint32_t n, censored, lagging2, redrawn;
    bool unstable; /* a trial found no seed with a steady leader: the line stopped there */
    uint64_t median, mean, p99, worst;
} line_stats;

static line_stats run_line(const study_args *args, const world *w, size_t li, uint32_t n,
                           FILE *csv, const char *what)
{
    const line_spec *l = &LINES[li];
    line_stats st = {.n = n};
    uint64_t *down_us = calloc(n ? n : 1, sizeof *down_us), total = 0;
    if (!down_us)
        exit(2);
    for (uint32_t t = 0; t < n; t++) {
        uint64_t seed = 0;
        trial_result r = trial(w, li, t, &seed, &st.redrawn);
        if (!r.ok) { /* this world cannot keep a leader with these timeouts */
            st.unstable = true;
            st.n = n = t;
            break;
        }
        down_us[t] = r.downtime_ns / 1000;
        total += down_us[t];
        st.censored += r.censored;
        st.lagging2 += r.lagging == 2;
        if (csv)
            fprintf(csv, "%s,%u,%u,%u,%llu,%llu,%d,%u,%llu\n", l->label, l->min_ms, l->max_ms,
                    t, (unsigned long long)seed, (unsigned long long)down_us[t], r.censored,
                    r.lagging, (unsigned long long)r.terms);
        study_progress(args, what, t + 1, n);
    }
    study_sort_u64(down_us, n);
    st.median = study_percentile(down_us, n, 500);
    st.mean = n ? total / n : 0;
    st.p99 = study_percentile(down_us, n, 990);
    st.worst = study_percentile(down_us, n, 1000);
    free(down_us);
    return st;
}

/* Exploration only (documented in reports/README.md): override the world
 * from the environment, e.g. ELECTION_FSYNC=n:7000:1500 (kind c|u|n|p, then
 * the two parameters in us), ELECTION_LATENCY, ELECTION_DRIFT_PPM,
 * ELECTION_RULE (0|1|2), ELECTION_STEP_US, ELECTION_LINES=150-155,12-24. */
static void env_dist(const char *name, sim_dist *d)
{
    const char *v = getenv(name);
    char kind;
    unsigned long long a = 0, b = 0;
    if (!v || sscanf(v, "%c:%llu:%llu", &kind, &a, &b) < 2)
        return;
    d->kind = kind == 'u' ? SIM_DIST_UNIFORM : kind == 'n' ? SIM_DIST_NORMAL
            : kind == 'p' ? SIM_DIST_PARETO : SIM_DIST_CONST;
    d->a_ns = US(a);
    d->b_ns = US(b);
}

static void env_world(world *w)
{
    env_dist("ELECTION_LATENCY", &w->latency);
    env_dist("ELECTION_FSYNC", &w->fsync);
    const char *v;
    if ((v = getenv("ELECTION_DRIFT_PPM")))
        w->drift_max_ppm = atoi(v);
    if ((v = getenv("ELECTION_RULE")))
        w->stepdown_timer = (uint8_t)atoi(v);
    if ((v = getenv("ELECTION_STEP_US")))
        w->timeout_step_ns = US(strtoull(v, NULL, 10));
}

static bool line_selected(const line_spec *l)
{
    const char *v = getenv("ELECTION_LINES");
    if (!v)
        return true;
    size_t n = strlen(l->label);
    for (const char *p = strstr(v, l->label); p; p = strstr(p + 1, l->label))
        if ((p == v || p[-1] == ',') && (p[n] == ',' || p[n] == 0))
            return true;
    return false;
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
    world w = PAPER_WORLD;
    env_world(&w);
    for (size_t li = 0; li < N_LINES; li++) {
        const line_spec *l = &LINES[li];
        if (!line_selected(l))
            continue;
        line_stats st = run_line(&args, &w, li, args.quick ? l->trials_quick : l->trials, csv,
                                 l->label);
        if (st.unstable) {
            fprintf(stderr, "study_election: line %s trial %u: no seed reached steady state\n",
                    l->label, (unsigned)st.n);
            return 1;
        }
        fprintf(sum, "%s,%u,%u,%u,%llu,%llu,%llu,%llu,%u,%u,%u\n", l->label, l->min_ms,
                l->max_ms, st.n, (unsigned long long)st.median, (unsigned long long)st.mean,
                (unsigned long long)st.p99, (unsigned long long)st.worst, st.censored,
                st.lagging2, st.redrawn);
    }
    study_close_csv(csv);
    study_close_csv(sum);
    if (getenv("ELECTION_LINES"))
        return 0; /* an exploration run: no ablation */
    FILE *abl = study_open_csv(&args, "_ablation");
    fprintf(abl, "variant,line,trials,median_us,mean_us,p99_us,worst_us,censored,unstable\n");
    for (size_t v = 0; v < N_VARIANTS; v++) {
        world vw = w;
        VARIANTS[v].apply(&vw);
        vw.cap_ns = ABLATION_CAP_NS;
        for (size_t a = 0; a < N_ABLATION_LINES; a++) {
            size_t li = 0;
            while (strcmp(LINES[li].label, ABLATION_LINES[a]) != 0)
                li++;
            const line_spec *l = &LINES[li];
            line_stats st = run_line(&args, &vw, li, args.quick ? l->trials_quick : l->trials,
                                     NULL, VARIANTS[v].name);
            fprintf(abl, "%s,%s,%u,%llu,%llu,%llu,%llu,%u,%d\n", VARIANTS[v].name, l->label,
                    st.n, (unsigned long long)st.median, (unsigned long long)st.mean,
                    (unsigned long long)st.p99, (unsigned long long)st.worst, st.censored,
                    st.unstable);
        }
    }
    study_close_csv(abl);
    return 0;
}
