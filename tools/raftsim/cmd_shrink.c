/* cmd_shrink.c — `raftsim shrink FILE.replay`: the smallest schedule that
 * still fails the same way, written as a readable scenario file. */
#include <inttypes.h>
#include <string.h>

#include "shrink.h"

static const char shrink_usage[] =
    "usage: raftsim shrink FILE.replay [options]\n"
    "\n"
    "Delta-debug a failing replay: remove actions (halves, quarters, ..., single\n"
    "ones), cut the run to just after the failure, drop clients and nodes that\n"
    "nothing names, lower client load, keeping each change only if the SAME\n"
    "invariant (or the same expectation) still fails. The result is a scenario\n"
    "file whose header names the failure (`# regression: ...`); saved under\n"
    "scenarios/regressions/ it becomes a regression test that must pass once\n"
    "the bug is fixed.\n"
    "\n"
    "  -o, --output FILE      where to write (default: FILE with .replay replaced\n"
    "                         by .shrunk.scn)\n"
    "  --max-runs N           give up shrinking after N trial runs (default 1000)\n"
    "  -v, --verbose          report every step on stderr\n"
    "  --help                 this text\n"
    "\n"
    "exit status: 0 a shrunk file was written, 1 the input does not fail (nothing\n"
    "to shrink) or the shrunk file does not reproduce, 2 bad input\n";

enum { O_OUT = 1, O_MAX_RUNS, O_VERBOSE, O_HELP };
static const opt_spec shrink_specs[] = {
    { "output", 'o', OPT_ARG, O_OUT },    { "max-runs", 0, OPT_ARG, O_MAX_RUNS },
    { "verbose", 'v', OPT_NOARG, O_VERBOSE }, { "help", 'h', OPT_NOARG, O_HELP },
};

typedef struct shrink_args {
    const char *file, *out;
    uint64_t max_runs;
    bool verbose, help;
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
    uint64_t duration_before, duration_after;
    uint32_t nodes_before, nodes_after;
    uint32_t clients_before, clients_after;
    unsigned runs;
    uint64_t bugs;
} shrink_summary;

static void summary_line(const shrink_summary *sm, char *buf, size_t cap)
{
    char d0[32], d1[32];
    format_seconds(sm->duration_before, d0, sizeof d0);
    format_seconds(sm->duration_after, d1, sizeof d1);
    int n = snprintf(buf, cap, "%zu actions -> %zu actions, duration %s -> %s, %u runs",
                     sm->actions_before, sm->actions_after, d0, d1, sm->runs);
    if (sm->nodes_after != sm->nodes_before && n > 0 && (size_t)n < cap)
        n += snprintf(buf + n, cap - (size_t)n, ", %u nodes -> %u nodes", sm->nodes_before,
                      sm->nodes_after);
    if (sm->clients_after != sm->clients_before && n > 0 && (size_t)n < cap)
        snprintf(buf + n, cap - (size_t)n, ", %u clients -> %u clients", sm->clients_before,
                 sm->clients_after);
}

/* What the regression guards against: an invariant, or an expectation. */
static void regression_text(const scenario *sc, const run_result *res, char *buf, size_t cap)
{
    if (res->violation != SIM_V_NONE && !res->violation_expected)
        snprintf(buf, cap, "%s", sim_violation_name(res->violation));
    else if (res->failed_expect >= 0 && (size_t)res->failed_expect < sc->n_expects)
        snprintf(buf, cap, "expectation `%s`", sc->expects[res->failed_expect].text);
    else
        snprintf(buf, cap, "%.*s", (int)cap - 1, res->reason);
}

typedef struct shrunk_facts {
    char regression[200], key[64];
    uint64_t hash;
    bool has_hash;
} shrunk_facts;

static void build_header(char *buf, size_t cap, const shrink_args *a, const shrink_summary *sm,
                         const shrunk_facts *f, const char *prog)
{
    char line[256], bugs[512], hash[64] = "";
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

/* Load the file just written and run it: it must fail the same way. */
static int verify_shrunk(const char *out, uint64_t bugs, const shrinker *s, shrunk_facts *f)
{
    scenario sc;
    if (cli_load_scenario(out, NULL, 0, &sc) != 0) {
        fprintf(stderr, "raftsim shrink: BUG: the shrunk file does not parse back\n");
        return EXIT_FAIL;
    }
    sc.cfg.raft.bugs = bugs;
    run_options opt = { .verbosity = -1 };
    run_result res;
    char err[256], id[SHRINK_ID_LEN];
    memset(&res, 0, sizeof res);
    int rc = run_scenario(&sc, s->seed, &opt, &res, err, sizeof err) == 0 ? 0 : EXIT_FAIL;
    if (rc == 0) {
        failure_identity(&sc, &res, id, sizeof id);
        bool same = strcmp(id, s->target) == 0 ||
                    (strncmp(id, "expect:", 7) == 0 && strncmp(s->target, "expect:", 7) == 0);
        if (!same) {
            fprintf(stderr, "raftsim shrink: the shrunk file does not reproduce the failure:\n"
                            "  wanted %s\n  got    %s\n", s->target, id[0] ? id : "a pass");
            rc = EXIT_FAIL;
        }
        regression_text(&sc, &res, f->regression, sizeof f->regression);
        failure_key(&sc, &res, f->key, sizeof f->key);
        f->hash = res.trace_hash;
        f->has_hash = true;
        run_result_free(&res);
    }
    scenario_free(&sc);
    return rc;
}

static void run_passes(shrinker *s)
{
    shrink_duration(s);
    shrink_actions(s);
    shrink_drop_clients(s);
    shrink_clients(s);
    uint32_t nodes = s->cfg.n_nodes;
    shrink_nodes(s);
    if (s->cfg.n_nodes != nodes)
        shrink_actions(s);
    shrink_duration(s);
}

static int shrink_loaded(shrinker *s, const shrink_args *a, const cli_globals *g,
                         uint64_t bugs)
{
    shrink_summary sm = { .actions_before = s->n_best, .duration_before = s->cfg.duration_ns,
                          .nodes_before = s->cfg.n_nodes,
                          .clients_before = s->cfg.n_clients, .bugs = bugs };
    run_passes(s);
    sm.actions_after = s->n_best;
    sm.duration_after = s->cfg.duration_ns;
    sm.nodes_after = s->cfg.n_nodes;
    sm.clients_after = s->cfg.n_clients;
    sm.runs = s->runs;
    shrunk_facts f = { .has_hash = false };
    snprintf(f.regression, sizeof f.regression, "%s", s->target);
    snprintf(f.key, sizeof f.key, "%.*s", (int)sizeof f.key - 1, s->target);
    char header[2048];
    build_header(header, sizeof header, a, &sm, &f, g->prog);
    if (write_shrunk(a->out, s, header) != 0)
        return EXIT_USAGE;
    int rc = verify_shrunk(a->out, bugs, s, &f);
    /* Second write: the header now records what the written file does. */
    build_header(header, sizeof header, a, &sm, &f, g->prog);
    if (write_shrunk(a->out, s, header) != 0)
        return EXIT_USAGE;
    char line[256];
    summary_line(&sm, line, sizeof line);
    printf("%s\n", line);
    printf("wrote %s (fails with %s)\n", a->out, f.regression);
    return rc;
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
    uint64_t bugs = sc.cfg.raft.bugs;
    shrinker s;
    rc = shrink_init(&s, &sc, sc.seed, (unsigned)a.max_runs, a.verbose);
    if (rc == EXIT_FAIL)
        fprintf(stderr, "raftsim shrink: %s does not fail; nothing to shrink\n", a.file);
    else if (rc == 0)
        rc = shrink_loaded(&s, &a, g, bugs);
    shrink_free(&s);
    scenario_free(&sc);
    return rc;
}
