/* cmd_shrink.c — `raftsim shrink FILE.replay`: the smallest schedule that
 * still fails the same way, written as a readable scenario file. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "shrink.h"

static const char shrink_usage[] =
    "usage: raftsim shrink FILE.replay [options]\n"
    "\n"
    "Delta-debug a failing replay: remove actions (halves, quarters, ..., single\n"
    "ones), cut the run short, drop expectations, clients and nodes that nothing\n"
    "needs, lower client load and fault parameters (drop, duplication, reorder,\n"
    "latency, bandwidth, fsync, torn writes; `set` values, pause and down times),\n"
    "keeping each change only if the candidate fails THE SAME WAY: the same\n"
    "invariant, the same expectation missed the same way (same side of its\n"
    "threshold), or the same crash (signal and assertion text). Every trial runs\n"
    "in a child process, so an assertion or a crash inside the core is shrunk\n"
    "too. With a catalogue bug on (`raftsim --bug X shrink`, or a `# bug:` line),\n"
    "a candidate must also PASS with the bugs off; without one, an expectation's\n"
    "client load is kept (its threshold was set for it).\n"
    "The result is a scenario file whose header names the failure\n"
    "(`# regression: ...`); saved under scenarios/regressions/ it becomes a\n"
    "regression test that must pass once the bug is fixed.\n"
    "\n"
    "  -o, --output FILE      where to write (default: FILE with .replay replaced\n"
    "                         by .shrunk.scn)\n"
    "  --max-runs N           give up shrinking after N trial runs (default 1000)\n"
    "  --trial-timeout S      kill a trial after S seconds of wall time (default\n"
    "                         120; 0 = never): a safety net against a hang only,\n"
    "                         reported when it fires\n"
    "  --ignore-hash          shrink even if the file's `# trace-hash:` does not\n"
    "                         replay (another build or --bug than the recorded run)\n"
    "  -v, --verbose          report every step on stderr\n"
    "  --help                 this text\n"
    "\n"
    "exit status: 0 a shrunk file was written, 1 the input does not fail (nothing\n"
    "to shrink), its recorded trace hash does not replay, or the shrunk file does\n"
    "not reproduce, 2 bad input\n";

enum { O_OUT = 1, O_MAX_RUNS, O_TRIAL_TIMEOUT, O_IGNORE_HASH, O_VERBOSE, O_HELP };
static const opt_spec shrink_specs[] = {
    { "output", 'o', OPT_ARG, O_OUT },
    { "max-runs", 0, OPT_ARG, O_MAX_RUNS },
    { "trial-timeout", 0, OPT_ARG, O_TRIAL_TIMEOUT },
    { "ignore-hash", 0, OPT_NOARG, O_IGNORE_HASH },
    { "verbose", 'v', OPT_NOARG, O_VERBOSE },
    { "help", 'h', OPT_NOARG, O_HELP },
};

typedef struct shrink_args {
    const char *file, *out;
    uint64_t max_runs, trial_timeout;
    bool verbose, help, ignore_hash;
    char out_buf[4096];
} shrink_args;

/* The options into *a: an exit code to return now (bad usage, or 0 after
 * --help), or -1 to go on. */
static int shrink_parse(int argc, char **argv, shrink_args *a)
{
    memset(a, 0, sizeof *a);
    opt_parser p;
    opt_init(&p, argc, argv, shrink_specs, sizeof shrink_specs / sizeof shrink_specs[0],
             "raftsim shrink");
    a->max_runs = 1000;
    a->trial_timeout = SHRINK_TRIAL_WALL_S_DEFAULT;
    const char *v;
    int id;
    while ((id = opt_next(&p, &v)) != OPT_END) {
        switch (id) {
        case OPT_ERROR: return EXIT_USAGE;
        case OPT_POSITIONAL:
            if (cli_one_file(&a->file, v, "raftsim shrink", "replay file") != 0)
                return EXIT_USAGE;
            break;
        case O_OUT: a->out = v; break;
        case O_MAX_RUNS:
            if (!parse_u64(v, &a->max_runs) || a->max_runs == 0 || a->max_runs > 1000000) {
                fprintf(stderr, "raftsim shrink: --max-runs needs a number from 1 to 1000000\n");
                return EXIT_USAGE;
            }
            break;
        case O_TRIAL_TIMEOUT:
            if (!parse_u64(v, &a->trial_timeout) || a->trial_timeout > 86400) {
                fprintf(stderr, "raftsim shrink: --trial-timeout needs seconds from 0 to "
                                "86400\n");
                return EXIT_USAGE;
            }
            break;
        case O_IGNORE_HASH: a->ignore_hash = true; break;
        case O_VERBOSE: a->verbose = true; break;
        case O_HELP: a->help = true; break;
        default: return EXIT_USAGE;
        }
    }
    if (!a->help && !a->file)
        return cli_missing_file("raftsim shrink", "FILE.replay");
    if (!a->out && a->file) {
        size_t n = strlen(a->file);
        int keep = n > 7 && strcmp(a->file + n - 7, ".replay") == 0 ? (int)(n - 7) : (int)n;
        snprintf(a->out_buf, sizeof a->out_buf, "%.*s.shrunk.scn", keep, a->file);
        a->out = a->out_buf;
    }
    return cli_parsed(a->help, shrink_usage);
}

typedef struct shrink_summary {
    size_t actions_before, actions_after;
    size_t expects_before, expects_after;
    uint64_t duration_before, duration_after;
    uint32_t nodes_before, nodes_after;
    uint32_t clients_before, clients_after;
    sim_config cfg_before, cfg_after;
    shrink_param_log params;
    unsigned runs, killed;
    uint64_t bugs;
} shrink_summary;

/* "12 actions -> 3 actions, duration 8.000s -> 2.100s, 40 runs, drop 2% ->
 * 0%, ...": everything the shrinker changed. */
static void summary_line(const shrink_summary *sm, char *buf, size_t cap)
{
    char d0[32], d1[32], params[512];
    format_seconds(sm->duration_before, d0, sizeof d0);
    format_seconds(sm->duration_after, d1, sizeof d1);
    int n = snprintf(buf, cap, "%zu actions -> %zu actions, duration %s -> %s, %u runs",
                     sm->actions_before, sm->actions_after, d0, d1, sm->runs);
    if (n < 0 || (size_t)n >= cap)
        return;
    size_t used = (size_t)n;
#define SUMMARY_ADD(...)                                                        \
    do {                                                                        \
        int k_ = used < cap ? snprintf(buf + used, cap - used, __VA_ARGS__) : 0; \
        used += k_ > 0 ? (size_t)k_ : 0;                                        \
    } while (0)
    if (sm->nodes_after != sm->nodes_before)
        SUMMARY_ADD(", %u nodes -> %u nodes", sm->nodes_before, sm->nodes_after);
    if (sm->clients_after != sm->clients_before)
        SUMMARY_ADD(", %u clients -> %u clients", sm->clients_before, sm->clients_after);
    if (sm->expects_after != sm->expects_before)
        SUMMARY_ADD(", %zu expectations -> %zu", sm->expects_before, sm->expects_after);
    shrink_describe_params(&sm->cfg_before, &sm->cfg_after, params, sizeof params);
    SUMMARY_ADD("%s", params);
    if (sm->params.down_before != sm->params.down_after) {
        format_seconds(sm->params.down_before, d0, sizeof d0);
        format_seconds(sm->params.down_after, d1, sizeof d1);
        SUMMARY_ADD(", fault time %s -> %s", d0, d1);
    }
    if (sm->params.actions_changed)
        SUMMARY_ADD(", %u action parameters lowered", sm->params.actions_changed);
    if (sm->killed)
        SUMMARY_ADD(", %u trials killed by the wall-clock safety net", sm->killed);
#undef SUMMARY_ADD
}

/* What the regression guards against: an invariant, an expectation, or the
 * crash (from the shrinker's identity: the run that crashed left no result). */
static void regression_text(const char *identity, char *buf, size_t cap)
{
    if (strncmp(identity, "violation:", 10) == 0) {
        snprintf(buf, cap, "%s", identity + 10);
    } else if (strncmp(identity, "expect:", 7) == 0) {
        const char *why = strstr(identity, " -- ");
        int len = why ? (int)(why - identity - 7) : (int)strlen(identity + 7);
        snprintf(buf, cap, "expectation `%.*s`%s%s", len, identity + 7, why ? " --" : "",
                 why ? why + 3 : "");
    } else {
        snprintf(buf, cap, "%s", identity);
    }
}

/* The failure key ("election-safety", "expect:LINE", "crash:SIGABRT"). */
static void shrunk_key(const scenario *sc, const trial *t, char *buf, size_t cap)
{
    if (t->kind == TRIAL_CRASHED) {
        const char *end = strchr(t->id + 6, ':'); /* "crash:SIGABRT: <assertion>" */
        snprintf(buf, cap, "%.*s", end ? (int)(end - t->id) : (int)strlen(t->id), t->id);
        return;
    }
    if (strncmp(t->id, "violation:", 10) == 0) {
        snprintf(buf, cap, "%s", t->id + 10);
        return;
    }
    for (size_t i = 0; i < sc->n_expects; i++) {
        char id[SHRINK_ID_LEN];
        snprintf(id, sizeof id, "expect:%s -- ", sc->expects[i].text);
        if (strncmp(t->id, id, strlen(id)) == 0) {
            snprintf(buf, cap, "expect:%" PRIu32, sc->expects[i].line);
            return;
        }
    }
    snprintf(buf, cap, "failed");
}

typedef struct shrunk_facts {
    char regression[SHRINK_ID_LEN], key[64];
    uint64_t hash;
    bool has_hash;
} shrunk_facts;

static void build_header(char *buf, size_t cap, const shrink_args *a, const shrink_summary *sm,
                         const shrunk_facts *f, const char *prog)
{
    char line[1024], bugs[512], hash[64] = "";
    summary_line(sm, line, sizeof line);
    bug_mask_names(sm->bugs, bugs, sizeof bugs);
    if (f->has_hash)
        snprintf(hash, sizeof hash, "trace-hash: 0x%016" PRIx64 "\n", f->hash);
    snprintf(buf, cap,
             "shrunk by raftsim shrink from %s\n"
             "(%s)\n"
             "regression: %s\n"
             "failed: %s\n"
             "%s%s%s%s"
             "replay: %s replay %s",
             a->file, line, f->regression, f->key, hash, bugs[0] ? "bug: " : "", bugs,
             bugs[0] ? "\n" : "", prog, a->out);
}

static int write_shrunk(const char *out, shrinker *s, const char *header)
{
    scenario *sc = s->sc;
    sim_config saved = sc->cfg;
    sc->cfg = s->cfg;
    /* The bugs go into the `# bug:` header only: `raftsim replay` honours
     * it, while `raftsim run` plays the schedule against the correct core,
     * which is what a regression test under scenarios/regressions/ must do. */
    sc->cfg.raft.bugs = 0;
    atomic_file af;
    int rc = atomic_open(&af, out);
    if (rc == 0 && scenario_write(af.fp, sc, s->best, s->n_best, s->seed, header) != 0) {
        fprintf(stderr, "raftsim shrink: cannot write the scenario to %s\n", out);
        atomic_abort(&af);
        rc = -1;
    } else if (rc == 0) {
        rc = atomic_commit(&af);
    }
    sc->cfg = saved;
    return rc == 0 ? 0 : EXIT_USAGE;
}

/* Load the file just written and run it (in a child): it must fail the
 * same way with the bugs, and, with the oracle, pass without them. */
static int verify_shrunk(const char *out, const shrinker *s, shrunk_facts *f)
{
    scenario sc;
    if (cli_load_scenario(out, NULL, 0, &sc) != 0) {
        fprintf(stderr, "raftsim shrink: BUG: the shrunk file does not parse back\n");
        return EXIT_FAIL;
    }
    sc.cfg.raft.bugs = s->bugs;
    if (s->event_bound)
        sc.cfg.max_events = s->event_bound;
    trial t, clean;
    shrink_trial_run(&sc, s->seed, s->wall_s, &t);
    int rc = 0;
    if (strcmp(t.id, s->target) != 0) {
        fprintf(stderr, "raftsim shrink: the shrunk file does not reproduce the failure:\n"
                        "  wanted %s\n  got    %s\n", s->target, t.id[0] ? t.id : "a pass");
        rc = EXIT_FAIL;
    }
    if (rc == 0 && s->oracle) {
        sc.cfg.raft.bugs = 0;
        shrink_trial_run(&sc, s->seed, s->wall_s, &clean);
        if (clean.kind != TRIAL_RAN || !clean.passed) {
            fprintf(stderr, "raftsim shrink: the shrunk file fails without the bug too: %s\n",
                    clean.id);
            rc = EXIT_FAIL;
        }
    }
    regression_text(t.id[0] ? t.id : "none", f->regression, sizeof f->regression);
    shrunk_key(&sc, &t, f->key, sizeof f->key);
    f->hash = t.trace_hash;
    f->has_hash = t.kind == TRIAL_RAN;
    scenario_free(&sc);
    return rc;
}

static void run_passes(shrinker *s)
{
    shrink_expects(s);
    shrink_duration(s);
    shrink_actions(s);
    shrink_drop_clients(s);
    shrink_clients(s);
    uint32_t nodes = s->cfg.n_nodes;
    shrink_nodes(s);
    if (s->cfg.n_nodes != nodes)
        shrink_actions(s);
    shrink_params(s);
    shrink_duration(s);
}

static int shrink_loaded(shrinker *s, const shrink_args *a, const cli_globals *g)
{
    shrink_summary sm = { .actions_before = s->n_best, .duration_before = s->cfg.duration_ns,
                          .expects_before = s->sc->n_expects, .nodes_before = s->cfg.n_nodes,
                          .clients_before = s->cfg.n_clients, .cfg_before = s->cfg,
                          .bugs = s->bugs };
    run_passes(s);
    sm.actions_after = s->n_best;
    sm.expects_after = s->sc->n_expects;
    sm.duration_after = s->cfg.duration_ns;
    sm.nodes_after = s->cfg.n_nodes;
    sm.clients_after = s->cfg.n_clients;
    sm.cfg_after = s->cfg;
    sm.params = s->params;
    sm.params.down_after = shrink_down_time(s->best, s->n_best, s->cfg.duration_ns);
    sm.runs = s->runs;
    sm.killed = s->killed;
    shrunk_facts f = { .has_hash = false };
    regression_text(s->target, f.regression, sizeof f.regression);
    snprintf(f.key, sizeof f.key, "%.*s", (int)sizeof f.key - 1, s->target);
    char header[4096];
    build_header(header, sizeof header, a, &sm, &f, g->prog);
    if (write_shrunk(a->out, s, header) != 0)
        return EXIT_USAGE;
    int rc = verify_shrunk(a->out, s, &f);
    /* Second write: the header now records what the written file does. */
    build_header(header, sizeof header, a, &sm, &f, g->prog);
    if (write_shrunk(a->out, s, header) != 0)
        return EXIT_USAGE;
    char line[1024];
    summary_line(&sm, line, sizeof line);
    printf("%s\n", line);
    printf("wrote %s (fails with %s)\n", a->out, f.regression);
    if (s->oracle)
        printf("checked: fails with the bug, passes without it (%u candidates failed without "
               "it too and were rejected)\n", s->oracle_rejects);
    else if (s->keep_load)
        printf("note: no bug to check reductions against: the client load was kept\n");
    return rc;
}

/* The original run must be the recorded one: say so, and stop, if not. */
static int check_recorded_hash(const shrinker *s, const replay_header *h, const shrink_args *a)
{
    if (!h->has_hash || (!s->orig_crashed && s->orig_hash == h->trace_hash))
        return 0;
    if (s->orig_crashed)
        fprintf(stderr, "raftsim shrink: %s: the recorded run (trace-hash 0x%016" PRIx64
                        ") does not replay: it now crashes\n", a->file, h->trace_hash);
    else {
        fprintf(stderr,
                "raftsim shrink: %s: the recorded trace-hash does not replay: this is not "
                "the recorded run\n", a->file);
        replay_hash_mismatch(h->trace_hash, s->orig_hash);
    }
    if (a->ignore_hash) {
        fprintf(stderr, "raftsim shrink: --ignore-hash: shrinking the run as it is now\n");
        return 0;
    }
    fprintf(stderr, "raftsim shrink: not shrinking (--ignore-hash shrinks it anyway)\n");
    return EXIT_FAIL;
}

int cmd_shrink(int argc, char **argv, const cli_globals *g)
{
    shrink_args a;
    int rc = shrink_parse(argc, argv, &a);
    if (rc >= 0)
        return rc;
    scenario sc;
    replay_header h;
    if ((rc = load_replay(a.file, g, &sc, &h)) != 0)
        return rc;
    shrinker s;
    rc = shrink_init(&s, &sc, sc.seed, (unsigned)a.max_runs, (unsigned)a.trial_timeout,
                     a.verbose);
    int hash_rc = rc == EXIT_USAGE ? 0 : check_recorded_hash(&s, &h, &a);
    if (hash_rc != 0)
        rc = hash_rc;
    else if (rc == EXIT_FAIL)
        fprintf(stderr, "raftsim shrink: %s does not fail; nothing to shrink\n", a.file);
    else if (rc == 0)
        rc = shrink_loaded(&s, &a, g);
    shrink_free(&s);
    scenario_free(&sc);
    return rc;
}
