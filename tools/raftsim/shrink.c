/* shrink.c — the shrinker's trial runs and its reduction passes. */
#include <assert.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "shrink.h"

void failure_identity(const scenario *sc, const run_result *res, char *buf, size_t cap)
{
    if (res->passed)
        snprintf(buf, cap, "%s", "");
    else if (res->violation != SIM_V_NONE && !res->violation_expected)
        snprintf(buf, cap, "violation:%s", sim_violation_name(res->violation));
    else if (res->failed_expect >= 0 && (size_t)res->failed_expect < sc->n_expects)
        snprintf(buf, cap, "expect:%s", sc->expects[res->failed_expect].text);
    else
        snprintf(buf, cap, "failed:%s", res->reason);
}

/* Run sc with the given schedule and config; fills *res. False on a setup
 * error (a candidate the simulator rejects simply does not reproduce). */
static bool trial_run(shrinker *s, const sim_action *acts, size_t n, const sim_config *cfg,
                      run_result *res)
{
    sim_action *saved_actions = s->sc->actions;
    size_t saved_n = s->sc->n_actions;
    sim_config saved_cfg = s->sc->cfg;
    s->sc->actions = (sim_action *)acts; /* borrowed for the trial only */
    s->sc->n_actions = n;
    s->sc->cfg = *cfg;
    run_options opt = { .verbosity = -1 };
    char err[256];
    memset(res, 0, sizeof *res);
    int rc = run_scenario(s->sc, s->seed, &opt, res, err, sizeof err);
    s->sc->actions = saved_actions;
    s->sc->n_actions = saved_n;
    s->sc->cfg = saved_cfg;
    s->runs++;
    return rc == 0;
}

bool shrink_try(shrinker *s, const sim_action *acts, size_t n, const sim_config *cfg)
{
    if (s->runs >= s->max_runs)
        return false;
    run_result res;
    if (!trial_run(s, acts, n, cfg, &res))
        return false;
    char id[SHRINK_ID_LEN];
    failure_identity(s->sc, &res, id, sizeof id);
    bool same = id[0] && strcmp(id, s->target) == 0;
    if (same) {
        s->fail_ns = res.end_ns;
        s->best_hash = res.trace_hash;
    }
    run_result_free(&res);
    return same;
}

void shrink_adopt_scratch(shrinker *s, size_t n)
{
    sim_action *t = s->best;
    s->best = s->scratch;
    s->scratch = t;
    s->n_best = n;
}

int shrink_init(shrinker *s, scenario *sc, uint64_t seed, unsigned max_runs, bool verbose)
{
    memset(s, 0, sizeof *s);
    s->sc = sc;
    s->seed = seed;
    s->max_runs = max_runs;
    s->verbose = verbose;
    s->cfg = sc->cfg;
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
    run_result res;
    if (!trial_run(s, s->best, s->n_best, &s->cfg, &res)) {
        fprintf(stderr, "raftsim shrink: the simulator rejected the scenario\n");
        return EXIT_USAGE;
    }
    failure_identity(sc, &res, s->target, sizeof s->target);
    s->fail_ns = res.end_ns;
    s->best_hash = res.trace_hash;
    run_result_free(&res);
    return s->target[0] ? 0 : EXIT_FAIL;
}

void shrink_free(shrinker *s)
{
    free(s->best);
    free(s->scratch);
    s->best = s->scratch = NULL;
}

static void note(const shrinker *s, const char *what)
{
    if (s->verbose)
        fprintf(stderr, "shrink: %s (%zu actions, run %u)\n", what, s->n_best, s->runs);
}

/* Cut the run to just after the failure; actions after the end never run. */
void shrink_duration(shrinker *s)
{
    uint64_t end = (s->fail_ns / SIM_NS_PER_MS + 1) * SIM_NS_PER_MS;
    if (end >= s->cfg.duration_ns)
        return;
    sim_config cfg = s->cfg;
    cfg.duration_ns = end;
    size_t n = 0;
    for (size_t i = 0; i < s->n_best; i++)
        if (s->best[i].at_ns <= end)
            s->scratch[n++] = s->best[i];
    if (shrink_try(s, s->scratch, n, &cfg)) {
        s->cfg = cfg;
        shrink_adopt_scratch(s, n);
        note(s, "shortened the run");
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
            note(s, "removed actions");
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
    for (;;) {
        sim_config cfg = s->cfg;
        uint64_t v = load_get(&cfg.clients[client], f);
        if (v <= 1 || s->runs >= s->max_runs)
            return;
        load_set(&cfg.clients[client], f, v / 2);
        if (!shrink_try(s, s->best, s->n_best, &cfg))
            return;
        s->cfg = cfg;
        note(s, "lowered client load");
    }
}

void shrink_clients(shrinker *s)
{
    for (size_t c = 0; c < s->cfg.n_clients; c++) {
        halve_load(s, c, LOAD_RATE);
        halve_load(s, c, LOAD_OUTSTANDING);
        halve_load(s, c, LOAD_MAX_OPS);
    }
}
