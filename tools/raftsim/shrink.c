/* shrink.c — the shrinker's trials (what "fails the same way" means) and
 * its schedule passes: expectations, duration, actions, client load. */
#include <assert.h>
#include <ctype.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "shrink.h"

/* The expectation's "why" with every number elided, up to where its
 * context starts (when and where it was seen: "saw #, needs >= #"), and the
 * side of the threshold the left-hand side fell on: a count that was too
 * high and one that was too low are two different failures. */
static void why_shape(const char *why, char *buf, size_t cap)
{
    /* When it failed is not why: "... at 1 s" and "... at 1.5 s" agree. */
    size_t len = strlen(why);
    const char *needs = strncmp(why, "saw ", 4) == 0 ? strstr(why, ", needs ") : NULL;
    if (needs) {
        const char *op = needs + strlen(", needs ");
        const char *value = op + strcspn(op, " ");
        value += strspn(value, " ");
        len = (size_t)(value - why) + strspn(value, "-0123456789");
    }
    size_t n = 0;
    for (const char *p = why; p < why + len && n + 1 < cap; p++) {
        bool num = isdigit((unsigned char)*p) ||
                   ((*p == '-' || *p == '.') && isdigit((unsigned char)p[1]));
        if (!num)
            buf[n++] = *p;
        else if (n == 0 || buf[n - 1] != '#')
            buf[n++] = '#';
    }
    buf[n] = '\0';
    long long lhs, rhs;
    char opname[4];
    if (needs && sscanf(why, "saw %lld, needs %3s %lld", &lhs, opname, &rhs) == 3 && n + 12 < cap)
        snprintf(buf + n, cap - n, " [lhs%srhs]", lhs < rhs ? "<" : lhs > rhs ? ">" : "=");
}

void failure_identity(const scenario *sc, const run_result *res, char *buf, size_t cap)
{
    if (res->passed) {
        snprintf(buf, cap, "%s", "");
    } else if (res->violation != SIM_V_NONE && !res->violation_expected) {
        snprintf(buf, cap, "violation:%s", sim_violation_name(res->violation));
    } else if (res->failed_expect >= 0 && (size_t)res->failed_expect < sc->n_expects) {
        const char *why = strstr(res->reason, " -- ");
        char shape[128];
        why_shape(why ? why + 4 : "", shape, sizeof shape);
        snprintf(buf, cap, "expect:%s -- %s", sc->expects[res->failed_expect].text, shape);
    } else {
        snprintf(buf, cap, "failed:%s", res->reason);
    }
}

/* Run the candidate in a child with the trial bounds in its config. */
static void trial_with(shrinker *s, const sim_action *acts, size_t n, const sim_config *cfg,
                       uint64_t bugs, trial *t)
{
    sim_action *saved_actions = s->sc->actions;
    size_t saved_n = s->sc->n_actions;
    sim_config saved_cfg = s->sc->cfg;
    s->sc->actions = (sim_action *)acts; /* borrowed for the trial only */
    s->sc->n_actions = n;
    s->sc->cfg = *cfg;
    s->sc->cfg.raft.bugs = bugs;
    if (s->event_bound)
        s->sc->cfg.max_events = s->event_bound;
    shrink_trial_run(s->sc, s->seed, s->wall_s, t);
    s->sc->actions = saved_actions;
    s->sc->n_actions = saved_n;
    s->sc->cfg = saved_cfg;
    s->runs++;
    if (t->kind == TRIAL_KILLED) {
        s->killed++;
        fprintf(stderr, "raftsim shrink: note: a trial ran over %us of wall time and was "
                        "killed (safety net); it counts as not reproducing\n", s->wall_s);
    }
}

bool shrink_try(shrinker *s, const sim_action *acts, size_t n, const sim_config *cfg)
{
    if (s->runs >= s->max_runs)
        return false;
    trial t;
    trial_with(s, acts, n, cfg, s->bugs, &t);
    if (t.kind == TRIAL_KILLED || t.kind == TRIAL_SETUP || strcmp(t.id, s->target) != 0)
        return false;
    if (s->oracle && s->runs < s->max_runs) {
        /* The oracle: with the bugs off the same candidate must pass, else
         * it fails for a reason the bug does not explain. */
        trial clean;
        trial_with(s, acts, n, cfg, 0, &clean);
        if (clean.kind != TRIAL_RAN || !clean.passed) {
            s->oracle_rejects++;
            if (s->verbose)
                fprintf(stderr, "shrink: rejected: fails without the bug too (%s)\n",
                        clean.id);
            return false;
        }
    } else if (s->oracle) {
        return false;
    }
    s->fail_ns = t.end_ns;
    s->best_hash = t.trace_hash;
    return true;
}

void shrink_adopt_scratch(shrinker *s, size_t n)
{
    sim_action *t = s->best;
    s->best = s->scratch;
    s->scratch = t;
    s->n_best = n;
}

void shrink_note(const shrinker *s, const char *what)
{
    if (s->verbose)
        fprintf(stderr, "shrink: %s (%zu actions, run %u)\n", what, s->n_best, s->runs);
}

/* The original's run, and the bounds every trial gets from it. */
static int first_trial(shrinker *s)
{
    trial t;
    trial_with(s, s->best, s->n_best, &s->cfg, s->bugs, &t);
    if (t.kind == TRIAL_SETUP) {
        fprintf(stderr, "raftsim shrink: the simulator rejected the scenario: %s\n", t.id + 6);
        return EXIT_USAGE;
    }
    s->orig_hash = t.trace_hash;
    s->orig_crashed = t.kind == TRIAL_CRASHED;
    if (t.kind == TRIAL_KILLED || t.passed)
        return EXIT_FAIL;
    snprintf(s->target, sizeof s->target, "%s", t.id);
    s->fail_ns = t.end_ns;
    s->best_hash = t.trace_hash;
    /* An event bound from the original's event rate over the whole run: a
     * deterministic limit, so which reduction is kept never depends on the
     * machine's speed. Not when the failure IS the event limit. */
    bool is_limit = strcmp(s->target, "violation:event-limit") == 0;
    if (!is_limit && !s->cfg.max_events && t.kind == TRIAL_RAN && t.end_ns > 0) {
        uint64_t span = s->cfg.duration_ns + (s->cfg.liveness ? s->cfg.converge_within_ns : 0);
        uint64_t per_ms = t.events / (t.end_ns / SIM_NS_PER_MS + 1) + 1;
        uint64_t bound = per_ms * (span / SIM_NS_PER_MS + 1) * SHRINK_EVENT_BOUND_FACTOR;
        s->event_bound = bound > SHRINK_MIN_EVENT_BOUND ? bound : SHRINK_MIN_EVENT_BOUND;
    }
    return 0;
}

/* The oracle is usable only if the original passes with the bugs off. */
static void check_oracle(shrinker *s)
{
    s->oracle = s->bugs != 0 && raft_bugs_compiled();
    if (!s->oracle)
        return;
    trial clean;
    trial_with(s, s->best, s->n_best, &s->cfg, 0, &clean);
    if (clean.kind != TRIAL_RAN || !clean.passed) {
        fprintf(stderr, "raftsim shrink: warning: the original fails without the bug too (%s);"
                        " reductions cannot be checked against the correct core\n",
                clean.kind == TRIAL_RAN ? clean.id : "it did not finish");
        s->oracle = false;
    }
}

int shrink_init(shrinker *s, scenario *sc, uint64_t seed, unsigned max_runs, unsigned wall_s,
                bool verbose)
{
    memset(s, 0, sizeof *s);
    s->sc = sc;
    s->seed = seed;
    s->max_runs = max_runs;
    s->wall_s = wall_s;
    s->verbose = verbose;
    s->cfg = sc->cfg;
    s->bugs = sc->cfg.raft.bugs;
    s->cap = sc->n_actions ? sc->n_actions : 1;
    s->best = calloc(s->cap, sizeof *s->best);
    s->scratch = calloc(s->cap, sizeof *s->scratch);
    if (!s->best || !s->scratch) {
        fprintf(stderr, "raftsim shrink: out of memory\n");
        return EXIT_USAGE;
    }
    if (sc->n_actions)
        memcpy(s->best, sc->actions, sc->n_actions * sizeof *s->best);
    s->n_best = sc->n_actions;
    int rc = first_trial(s);
    if (rc != 0)
        return rc;
    check_oracle(s);
    /* Without the oracle, an expectation's threshold was set for the load
     * the scenario had: lowering the load could make it fail for that
     * reason alone, so the load stays. */
    s->keep_load = !s->oracle && strncmp(s->target, "expect:", 7) == 0;
    s->params.down_before = s->params.down_after =
        shrink_down_time(s->best, s->n_best, s->cfg.duration_ns);
    return 0;
}

void shrink_free(shrinker *s)
{
    free(s->best);
    free(s->scratch);
    s->best = s->scratch = NULL;
}

/* Drop every expectation except the one that fails (or, for an invariant or
 * a crash, every comparison): a kept expectation's threshold would no longer
 * fit the reduced run. The scenario's array is compacted in place. */
void shrink_expects(shrinker *s)
{
    scenario *sc = s->sc;
    size_t n = sc->n_expects, kept = 0;
    if (n == 0)
        return;
    expectation *all = sc->expects;
    expectation *keep = malloc(n * sizeof *keep);
    if (!keep)
        return;
    for (size_t i = 0; i < n; i++) {
        char id[SHRINK_ID_LEN];
        snprintf(id, sizeof id, "expect:%s -- ", all[i].text);
        bool target = strncmp(s->target, id, strlen(id)) == 0;
        if (target || (all[i].kind == EXPECT_VIOLATION && strncmp(s->target, "expect:", 7) != 0))
            keep[kept++] = all[i];
    }
    if (kept < n) {
        sc->expects = keep;
        sc->n_expects = kept;
        bool same = shrink_try(s, s->best, s->n_best, &s->cfg);
        sc->expects = all;
        sc->n_expects = n;
        if (same) {
            memcpy(all, keep, kept * sizeof *keep);
            sc->n_expects = kept;
            shrink_note(s, "dropped the expectations that do not fail");
        }
    }
    free(keep);
}

/* Cut the run to just after the failure (actions after the end never run);
 * then, for a failure that needs the whole run (liveness), halve it. */
void shrink_duration(shrinker *s)
{
    for (unsigned k = 0; k <= SHRINK_MAX_HALVINGS && s->runs < s->max_runs; k++) {
        /* A crashed trial left no failure time: only halving applies. */
        uint64_t end = s->orig_crashed ? s->cfg.duration_ns
                                       : (s->fail_ns / SIM_NS_PER_MS + 1) * SIM_NS_PER_MS;
        if ((k > 0 || end >= s->cfg.duration_ns) && s->keep_load)
            return; /* a shorter run is a lighter load: see keep_load */
        if (k > 0 || end >= s->cfg.duration_ns)
            end = s->cfg.duration_ns / 2 / SIM_NS_PER_MS * SIM_NS_PER_MS;
        if (end == 0 || end >= s->cfg.duration_ns)
            return;
        sim_config cfg = s->cfg;
        cfg.duration_ns = end;
        if (cfg.liveness && cfg.heal_at_ns > end)
            cfg.heal_at_ns = end;
        size_t n = 0;
        for (size_t i = 0; i < s->n_best; i++)
            if (s->best[i].at_ns <= end)
                s->scratch[n++] = s->best[i];
        if (!shrink_try(s, s->scratch, n, &cfg))
            return;
        s->cfg = cfg;
        shrink_adopt_scratch(s, n);
        shrink_note(s, "shortened the run");
    }
}

/* Try removing best[at, at + len); adopt the shorter schedule if it fails. */
static bool try_remove(shrinker *s, size_t at, size_t len)
{
    assert(at + len <= s->n_best);
    memcpy(s->scratch, s->best, at * sizeof *s->best);
    memcpy(s->scratch + at, s->best + at + len, (s->n_best - at - len) * sizeof *s->best);
    if (!shrink_try(s, s->scratch, s->n_best - len, &s->cfg))
        return false;
    shrink_adopt_scratch(s, s->n_best - len);
    return true;
}

/* Delta debugging over the schedule: chunks of n, n/2, n/4, ..., 1. */
void shrink_actions(shrinker *s)
{
    size_t chunk = s->n_best;
    while (chunk >= 1 && s->n_best > 0 && s->runs < s->max_runs) {
        bool removed = false;
        for (size_t at = 0; at < s->n_best && s->runs < s->max_runs;) {
            size_t len = chunk < s->n_best - at ? chunk : s->n_best - at;
            if (try_remove(s, at, len))
                removed = true;
            else
                at += len;
        }
        if (removed)
            shrink_note(s, "removed actions");
        if (chunk == 1 && !removed)
            break;
        if (chunk > 1)
            chunk /= 2;
    }
}

enum load_field { LOAD_RATE, LOAD_OUTSTANDING, LOAD_MAX_OPS };

static uint64_t load_get(const sim_client_config *c, enum load_field f)
{
    return f == LOAD_RATE ? c->rate_per_s : f == LOAD_OUTSTANDING ? c->outstanding : c->max_ops;
}

static void load_set(sim_client_config *c, enum load_field f, uint64_t v)
{
    if (f == LOAD_RATE)
        c->rate_per_s = (uint32_t)v;
    else if (f == LOAD_OUTSTANDING)
        c->outstanding = (uint32_t)v;
    else
        c->max_ops = v;
}

/* Halve one client load setting while the failure persists. */
static void halve_load(shrinker *s, size_t client, enum load_field f)
{
    for (unsigned k = 0; k < SHRINK_MAX_HALVINGS; k++) {
        sim_config cfg = s->cfg;
        uint64_t v = load_get(&cfg.clients[client], f);
        if (v <= 1 || s->runs >= s->max_runs)
            return;
        load_set(&cfg.clients[client], f, v / 2);
        if (!shrink_try(s, s->best, s->n_best, &cfg))
            return;
        s->cfg = cfg;
        shrink_note(s, "lowered client load");
    }
}

void shrink_clients(shrinker *s)
{
    if (s->keep_load)
        return;
    for (size_t c = 0; c < s->cfg.n_clients; c++) {
        halve_load(s, c, LOAD_RATE);
        halve_load(s, c, LOAD_OUTSTANDING);
        halve_load(s, c, LOAD_MAX_OPS);
    }
}
