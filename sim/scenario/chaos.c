/* chaos.c — expand a `chaos { ... }` block into concrete timed actions.
 *
 * Deterministic in (chaos, cfg, seed). Every fault kind draws from its own
 * stream (RNG_STREAM_CHAOS + kind * 64), and every occurrence makes the same
 * draws whether or not it is emitted, so turning one kind on or off — or a
 * max-down limit skipping a crash — never moves another kind's schedule.
 * Intervals are uniform in [mean/2, 3*mean/2] (integer math). Every fault is
 * paired with its end: a crash with a restart, a partition or isolation with
 * a heal, a cut with an uncut, a drop burst with the old drop rate; ends are
 * clamped to the end of the run (or the liveness heal time). */
#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "../world/rng.h"
#include "scenario.h"

enum chaos_kind {
    CHAOS_CRASH, CHAOS_PARTITION, CHAOS_ISOLATE, CHAOS_CUT, CHAOS_PAUSE,
    CHAOS_DROP_BURST, CHAOS_DRIFT, CHAOS_TRANSFER, CHAOS__COUNT
};

typedef struct chaos_gen {
    const sim_chaos *ch;
    const sim_config *cfg;
    uint64_t seed;
    uint64_t start_ns, stop_ns; /* faults start in [start, stop) */
    uint64_t end_ns;            /* every fault is over by then */
    sim_action *out;
    size_t n, cap;
    bool oom;
} chaos_gen;

static void emit(chaos_gen *g, const sim_action *a)
{
    if (g->oom)
        return;
    if (g->n == g->cap) {
        size_t cap = g->cap ? g->cap * 2 : 64;
        sim_action *na = realloc(g->out, cap * sizeof *na);
        if (!na) {
            g->oom = true;
            return;
        }
        g->out = na;
        g->cap = cap;
    }
    g->out[g->n] = *a;
    g->out[g->n].from_chaos = true;
    g->out[g->n].line = (uint32_t)g->n; /* sort key for a stable sort; zeroed later */
    g->n++;
}

/* Uniform in [lo, hi], in the coarsest unit (1 ms, 1 us, 1 ns) that both
 * ends are multiples of, so replay files read "at 2114ms", not nanoseconds. */
static uint64_t draw(rng *r, uint64_t lo, uint64_t hi)
{
    uint64_t q = lo % SIM_NS_PER_MS == 0 && hi % SIM_NS_PER_MS == 0 ? SIM_NS_PER_MS
                 : lo % 1000 == 0 && hi % 1000 == 0                ? 1000 : 1;
    return rng_range(r, lo / q, hi / q) * q;
}

static uint64_t interval(rng *r, uint64_t mean)
{
    return draw(r, mean / 2, mean + mean / 2);
}

static uint64_t clamp_end(const chaos_gen *g, uint64_t t, uint64_t d)
{
    return t + d < g->end_ns ? t + d : g->end_ns;
}

static sim_target node(sim_ep ep)
{
    return (sim_target){ SIM_TARGET_EP, ep };
}

static sim_action act(uint64_t at, enum sim_action_kind kind)
{
    return (sim_action){ .at_ns = at, .kind = kind };
}

/* Crashes respect max_down: the down intervals already scheduled are
 * tracked per node; a crash aimed at the leader occupies a slot too, and is
 * paired with `restart all` because nobody knows in advance who it hits. */
static void gen_crash(chaos_gen *g, rng *r)
{
    uint32_t n = g->cfg->n_nodes;
    uint32_t max_down = g->ch->max_down ? g->ch->max_down : (n - 1) / 2;
    uint64_t down_until[SIM_MAX_NODES + 1] = { 0 }; /* [0]: leader crashes */
    uint64_t leader_until[SIM_MAX_NODES] = { 0 };
    for (uint64_t t = g->start_ns + interval(r, g->ch->crash_every_ns); t < g->stop_ns;
         t += interval(r, g->ch->crash_every_ns)) {
        bool at_leader = rng_chance_ppm(r, (uint32_t)g->ch->crash_leader_ppm);
        uint64_t pick = rng_below(r, n);
        uint64_t d = draw(r, g->ch->down_min_ns, g->ch->down_max_ns);
        uint32_t down = 0, up[SIM_MAX_NODES], n_up = 0;
        for (uint32_t i = 1; i <= n; i++)
            if (down_until[i] > t)
                down++;
            else
                up[n_up++] = i;
        for (uint32_t i = 0; i < max_down; i++)
            down += leader_until[i] > t;
        if (down >= max_down || n_up == 0)
            continue;
        uint64_t end = clamp_end(g, t, d);
        sim_action crash = act(t, SIM_ACT_CRASH), restart = act(end, SIM_ACT_RESTART);
        if (at_leader) {
            uint32_t slot = 0;
            while (leader_until[slot] > t)
                slot++;
            assert(slot < max_down);
            leader_until[slot] = end;
            crash.target = (sim_target){ SIM_TARGET_LEADER, 0 };
            restart.target = (sim_target){ SIM_TARGET_ALL, 0 };
        } else {
            sim_ep ep = up[pick % n_up];
            down_until[ep] = end;
            crash.target = restart.target = node(ep);
        }
        emit(g, &crash);
        emit(g, &restart);
    }
}

/* A random split of the nodes into two non-empty sides (Fisher-Yates);
 * each client joins a random side. */
static void random_split(chaos_gen *g, rng *r, sim_action *a)
{
    uint32_t n = g->cfg->n_nodes, order[SIM_MAX_NODES];
    for (uint32_t i = 0; i < n; i++)
        order[i] = i + 1;
    for (uint32_t i = n - 1; i > 0; i--) {
        uint32_t j = (uint32_t)rng_below(r, i + 1), tmp = order[i];
        order[i] = order[j];
        order[j] = tmp;
    }
    uint32_t k = (uint32_t)rng_range(r, 1, n / 2);
    a->n_groups = 2;
    for (uint32_t i = 0; i < n; i++) {
        sim_epset *side = &a->groups[i < k ? 0 : 1];
        side->bits[(order[i] - 1) / 64] |= UINT64_C(1) << ((order[i] - 1) % 64);
    }
    for (uint32_t c = 0; c < g->cfg->n_clients; c++) {
        sim_ep ep = n + c + 1;
        sim_epset *side = &a->groups[rng_below(r, 2)];
        side->bits[(ep - 1) / 64] |= UINT64_C(1) << ((ep - 1) % 64);
    }
}

/* Faults that last a while and do not overlap their own kind. */
static void gen_spell(chaos_gen *g, rng *r, enum chaos_kind kind, uint64_t mean, uint64_t lo,
                      uint64_t hi)
{
    uint32_t n = g->cfg->n_nodes;
    for (uint64_t t = g->start_ns + interval(r, mean); t < g->stop_ns;) {
        uint64_t d = draw(r, lo, hi);
        sim_ep a = (sim_ep)rng_below(r, n) + 1, b = (sim_ep)rng_below(r, n - 1) + 1;
        b += b >= a; /* a distinct second node */
        sim_action start = act(t, SIM_ACT_HEAL), end = act(clamp_end(g, t, d), SIM_ACT_HEAL);
        if (kind == CHAOS_PARTITION) {
            start.kind = SIM_ACT_PARTITION;
            random_split(g, r, &start);
        } else if (kind == CHAOS_ISOLATE) {
            start.kind = SIM_ACT_ISOLATE;
            start.target = node(a);
        } else if (kind == CHAOS_CUT) {
            start.kind = SIM_ACT_CUT;
            end.kind = SIM_ACT_UNCUT;
            start.target = end.target = node(a);
            start.target2 = end.target2 = node(b);
        } else {
            assert(kind == CHAOS_PAUSE);
            start.kind = SIM_ACT_PAUSE;
            start.target = node(a);
            start.dur_ns = end.at_ns - t;
        }
        bool possible = n >= 2 || kind == CHAOS_PAUSE;
        if (possible && end.at_ns > t) {
            emit(g, &start);
            if (kind != CHAOS_PAUSE) /* a pause with a length resumes by itself */
                emit(g, &end);
        }
        uint64_t next = t + interval(r, mean);
        t = next > end.at_ns ? next : end.at_ns + 1;
    }
}

static void gen_instant(chaos_gen *g, rng *r, enum chaos_kind kind, uint64_t mean)
{
    uint32_t n = g->cfg->n_nodes;
    for (uint64_t t = g->start_ns + interval(r, mean); t < g->stop_ns; t += interval(r, mean)) {
        sim_ep ep = (sim_ep)rng_below(r, n) + 1;
        uint64_t spread = 2 * (uint64_t)g->ch->drift_max_ppm;
        int64_t ppm = (int64_t)rng_range(r, 0, spread) - g->ch->drift_max_ppm;
        sim_action a = act(t, kind == CHAOS_DRIFT ? SIM_ACT_DRIFT : SIM_ACT_TRANSFER);
        if (kind == CHAOS_DRIFT) {
            a.target = node(ep);
            a.value = ppm;
        } else {
            a.target2 = node(ep);
        }
        emit(g, &a);
    }
}

static void gen_drop_burst(chaos_gen *g, rng *r)
{
    const sim_chaos *ch = g->ch;
    for (uint64_t t = g->start_ns + interval(r, ch->drop_burst_every_ns); t < g->stop_ns;) {
        uint64_t end = clamp_end(g, t, ch->drop_burst_ns);
        sim_action on = act(t, SIM_ACT_SET), off = act(end, SIM_ACT_SET);
        on.param = off.param = SIM_PARAM_DROP;
        on.value = ch->drop_burst_ppm;
        off.value = g->cfg->net.drop_ppm;
        if (end > t) {
            emit(g, &on);
            emit(g, &off);
        }
        uint64_t next = t + interval(r, ch->drop_burst_every_ns);
        t = next > end ? next : end + 1;
    }
}

static int by_time(const void *x, const void *y)
{
    const sim_action *a = x, *b = y;
    if (a->at_ns != b->at_ns)
        return a->at_ns < b->at_ns ? -1 : 1;
    return a->line < b->line ? -1 : a->line > b->line;
}

static void generate(chaos_gen *g)
{
    const sim_chaos *ch = g->ch;
    rng r[CHAOS__COUNT];
    for (int k = 0; k < CHAOS__COUNT; k++)
        rng_init(&r[k], g->seed, RNG_STREAM_CHAOS + (uint64_t)k * 64);
    if (ch->crash_every_ns)
        gen_crash(g, &r[CHAOS_CRASH]);
    if (ch->partition_every_ns)
        gen_spell(g, &r[CHAOS_PARTITION], CHAOS_PARTITION, ch->partition_every_ns,
                  ch->partition_min_ns, ch->partition_max_ns);
    if (ch->isolate_every_ns)
        gen_spell(g, &r[CHAOS_ISOLATE], CHAOS_ISOLATE, ch->isolate_every_ns,
                  ch->isolate_min_ns, ch->isolate_max_ns);
    if (ch->cut_every_ns)
        gen_spell(g, &r[CHAOS_CUT], CHAOS_CUT, ch->cut_every_ns, ch->cut_min_ns,
                  ch->cut_max_ns);
    if (ch->pause_every_ns)
        gen_spell(g, &r[CHAOS_PAUSE], CHAOS_PAUSE, ch->pause_every_ns, ch->pause_min_ns,
                  ch->pause_max_ns);
    if (ch->drop_burst_every_ns)
        gen_drop_burst(g, &r[CHAOS_DROP_BURST]);
    if (ch->drift_every_ns)
        gen_instant(g, &r[CHAOS_DRIFT], CHAOS_DRIFT, ch->drift_every_ns);
    if (ch->transfer_every_ns)
        gen_instant(g, &r[CHAOS_TRANSFER], CHAOS_TRANSFER, ch->transfer_every_ns);
}

/* Refuse a block that would draw more than CHAOS_MAX_FAULTS faults of one
 * kind (intervals are at least mean / 2 apart). */
enum { CHAOS_MAX_FAULTS = 1000000 };
static bool too_many_faults(const chaos_gen *g)
{
    const sim_chaos *ch = g->ch;
    const uint64_t every[] = { ch->crash_every_ns,   ch->partition_every_ns,
                               ch->isolate_every_ns, ch->cut_every_ns,
                               ch->pause_every_ns,   ch->drop_burst_every_ns,
                               ch->drift_every_ns,   ch->transfer_every_ns };
    uint64_t window = g->stop_ns > g->start_ns ? g->stop_ns - g->start_ns : 0;
    for (size_t k = 0; k < sizeof every / sizeof every[0]; k++)
        if (every[k] && window / (every[k] / 2 + 1) > CHAOS_MAX_FAULTS)
            return true;
    return false;
}

int scenario_expand_chaos(const scenario *sc, uint64_t seed, sim_action **out, size_t *n)
{
    const sim_config *cfg = &sc->cfg;
    chaos_gen g = { .ch = &sc->chaos, .cfg = cfg, .seed = seed };
    *out = NULL;
    *n = 0;
    if (!sc->chaos.on || sc->chaos_expanded || cfg->n_nodes == 0)
        return 0;
    g.end_ns = cfg->liveness && cfg->heal_at_ns < cfg->duration_ns ? cfg->heal_at_ns
                                                                    : cfg->duration_ns;
    g.start_ns = sc->chaos.start_ns;
    g.stop_ns = sc->chaos.stop_ns && sc->chaos.stop_ns < g.end_ns ? sc->chaos.stop_ns : g.end_ns;
    if (too_many_faults(&g))
        return -1;
    generate(&g);
    if (g.oom) {
        free(g.out);
        return -1;
    }
    if (g.n)
        qsort(g.out, g.n, sizeof *g.out, by_time);
    for (size_t i = 0; i < g.n; i++)
        g.out[i].line = 0;
    *out = g.out;
    *n = g.n;
    return 0;
}
