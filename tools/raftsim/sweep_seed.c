/* sweep_seed.c — what a sweep worker does with one seed. */
#include <inttypes.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "../../core/hash.h"
#include "sweep.h"

bool sweep_seed_in_shard(const sweep_config *cfg, uint64_t seed)
{
    return (seed - cfg->first) % cfg->shard_count == cfg->shard_index - 1;
}

void sweep_replay_path(const sweep_config *cfg, uint64_t seed, char *buf, size_t cap)
{
    snprintf(buf, cap, "%s/%s-seed%" PRIu64 ".replay", cfg->out_dir, cfg->stem, seed);
}

/* Rerun a share of the seeds (chosen by a hash of the seed, so the choice is
 * itself deterministic) and compare trace hashes. */
static bool wants_determinism_check(const sweep_config *cfg, uint64_t seed)
{
    if (cfg->det_ppm == 0)
        return false;
    return hash_mix64(seed ^ UINT64_C(0x5eed)) % 1000000 < cfg->det_ppm;
}

/* Run the seed again and compare the trace hash and the event count. A
 * failing seed is rerun from the replay file it wrote (`replay`, NULL if
 * none), so the check also proves that the file reproduces the run. */
static void check_determinism(const scenario *sc, uint64_t seed, const char *replay,
                              seed_result *r)
{
    run_options opt = { .verbosity = -1 };
    run_result again;
    char err[256];
    memset(&again, 0, sizeof again);
    scenario re;
    bool from_file = replay && scenario_load(replay, &re, err, sizeof err) == 0;
    if (run_scenario(from_file ? &re : sc, from_file ? re.seed : seed, &opt, &again, err,
                     sizeof err) != 0 || (replay && !from_file)) {
        again.trace_hash = 0;
        again.events = 0;
    }
    if (from_file)
        scenario_free(&re);
    r->trace_hash2 = again.trace_hash;
    if (again.trace_hash != r->trace_hash || again.events != r->events) {
        r->nondeterministic = 1;
        r->passed = 0;
        snprintf(r->key, sizeof r->key, "nondeterminism");
        snprintf(r->reason, sizeof r->reason,
                 "%s of seed %" PRIu64 " gave trace hashes 0x%016" PRIx64 " (%" PRIu64
                 " events) and 0x%016" PRIx64 " (%" PRIu64 " events)",
                 replay ? "the run and its replay file" : "two runs", seed, r->trace_hash,
                 r->events, again.trace_hash, again.events);
    }
    run_result_free(&again);
}

/* The scenario this seed runs: the sweep's own, or the one an explore draws
 * for it (into *drawn, to be freed). NULL + err if it cannot be drawn. */
static const scenario *seed_scenario(const sweep_config *cfg, uint64_t seed, scenario *drawn,
                                     uint64_t *dims, char *err, size_t cap)
{
    *dims = 0;
    if (!cfg->space)
        return cfg->sc;
    return explore_scenario(cfg, seed, drawn, dims, err, cap) == 0 ? drawn : NULL;
}

static void run_one(const sweep_config *cfg, const scenario *sc, uint64_t seed, seed_result *r)
{
    run_options opt = { .verbosity = -1 };
    run_result res;
    char err[256];
    memset(&res, 0, sizeof res);
    if (run_scenario(sc, seed, &opt, &res, err, sizeof err) != 0) {
        r->setup_error = 1;
        snprintf(r->key, sizeof r->key, "setup-error");
        snprintf(r->reason, sizeof r->reason, "%.*s", (int)sizeof r->reason - 1, err);
        return;
    }
    r->passed = res.passed;
    r->trace_hash = res.trace_hash;
    r->events = res.events;
    r->end_ns = res.end_ns;
    memcpy(r->coverage, res.coverage, sizeof r->coverage);
    failure_key(sc, &res, r->key, sizeof r->key);
    snprintf(r->reason, sizeof r->reason, "%.*s", (int)sizeof r->reason - 1, res.reason);
    if (strlen(res.reason) >= sizeof r->reason) /* cut to fit a pipe write: say so */
        memcpy(r->reason + sizeof r->reason - 4, "...", 4);
    char path[4200];
    bool written = false;
    if (!res.passed) {
        sweep_replay_path(cfg, seed, path, sizeof path);
        written = replay_write(path, sc, seed, &res, r->key, cfg->bugs, cfg->prog) == 0;
    }
    /* Failing seeds too: a failure that does not reproduce is worth less. */
    if (wants_determinism_check(cfg, seed))
        check_determinism(sc, seed, written ? path : NULL, r);
    run_result_free(&res);
}

void sweep_run_seed(const sweep_config *cfg, uint64_t seed, seed_result *r)
{
    memset(r, 0, sizeof *r);
    r->seed = seed;
    scenario drawn;
    char err[512];
    const scenario *sc = seed_scenario(cfg, seed, &drawn, &r->dims, err, sizeof err);
    if (!sc) {
        r->setup_error = 1;
        snprintf(r->key, sizeof r->key, "setup-error");
        snprintf(r->reason, sizeof r->reason, "seed %" PRIu64 " drew no scenario: %.*s", seed,
                 (int)sizeof r->reason - 40, err);
        return;
    }
    run_one(cfg, sc, seed, r);
    if (sc == &drawn)
        scenario_free(&drawn);
}

/* The whole plan of a seed: scripted actions and the chaos drawn for it,
 * merged in time order with scripted ones first on ties (as the runner
 * does). Returns a malloc'd array, or NULL (with *n = 0 if there is none). */
static sim_action *seed_plan(const scenario *sc, uint64_t seed, size_t *n)
{
    sim_action *chaos = NULL;
    size_t n_chaos = 0;
    *n = 0;
    if (scenario_expand_chaos(sc, seed, &chaos, &n_chaos) != 0)
        return NULL;
    size_t total = sc->n_actions + n_chaos;
    sim_action *plan = malloc((total ? total : 1) * sizeof *plan);
    if (!plan) {
        free(chaos);
        return NULL;
    }
    for (size_t i = 0, k = 0; i + k < total;) {
        bool scripted = k == n_chaos ||
                        (i < sc->n_actions && sc->actions[i].at_ns <= chaos[k].at_ns);
        plan[i + k] = scripted ? sc->actions[i] : chaos[k];
        i += scripted;
        k += !scripted;
    }
    free(chaos);
    *n = total;
    return plan;
}

/* The worker died, so it could not write a replay file. Leave the scenario
 * with its seed and the whole plan spelled out (the runner would have
 * executed exactly these), which `raftsim run` or `replay` reproduces. */
static void write_crash_file(const sweep_config *cfg, uint64_t seed, const seed_result *r)
{
    char path[4200], header[8192], bugs[512];
    sweep_replay_path(cfg, seed, path, sizeof path);
    bug_mask_names(cfg->bugs, bugs, sizeof bugs);
    snprintf(header, sizeof header,
             "raftsim crash file: scenario %s, seed %" PRIu64 "\n"
             "failed: %s\n"
             "reason: %s\n"
             "%s%s%s"
             "reproduce: %s run %s",
             cfg->scenario_path, seed, r->key, r->reason, bugs[0] ? "bug: " : "", bugs,
             bugs[0] ? "\n" : "", cfg->prog, path);
    size_t n;
    scenario drawn;
    uint64_t dims;
    char err[512];
    const scenario *sc = seed_scenario(cfg, seed, &drawn, &dims, err, sizeof err);
    sim_action *plan = sc ? seed_plan(sc, seed, &n) : NULL;
    atomic_file af;
    if (plan && atomic_open(&af, path) == 0) {
        if (scenario_write(af.fp, sc, plan, n, seed, header) != 0)
            atomic_abort(&af);
        else
            atomic_commit(&af);
    }
    free(plan);
    if (sc == &drawn)
        scenario_free(&drawn);
}

void sweep_crash_result(const sweep_config *cfg, uint64_t seed, int status, seed_result *r)
{
    memset(r, 0, sizeof *r);
    r->seed = seed;
    r->crashed = 1;
    scenario drawn;
    char err[512];
    if (cfg->space && explore_scenario(cfg, seed, &drawn, &r->dims, err, sizeof err) == 0)
        scenario_free(&drawn); /* only for the dimensions it switched on */
    if (WIFSIGNALED(status)) {
        snprintf(r->key, sizeof r->key, "crash:%s", cli_signal_name(WTERMSIG(status)));
        snprintf(r->reason, sizeof r->reason, "the worker died with signal %d on this seed",
                 WTERMSIG(status));
    } else {
        snprintf(r->key, sizeof r->key, "crash:exit%d", WEXITSTATUS(status));
        snprintf(r->reason, sizeof r->reason, "the worker exited with status %d on this seed",
                 WEXITSTATUS(status));
    }
    write_crash_file(cfg, seed, r);
}
