/* cmd_run.c — `raftsim run FILE`: one scenario, one seed, a summary. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static const char run_usage[] =
    "usage: raftsim run FILE [options]\n"
    "\n"
    "Run one scenario with one seed; print a summary (leader changes, commits,\n"
    "latency percentiles, messages, coverage, trace hash) and a verdict line.\n"
    "\n"
    "  --seed N               seed (default: the file's `seed` line, else 1)\n"
    "  --trace FILE.jsonl     write every event as JSON Lines\n"
    "  --metrics FILE.csv     write the metrics CSV\n"
    "  --html DIR             write DIR/NAME.jsonl (the trace, unless --trace)\n"
    "                         and DIR/NAME.html, a page to view the run (raftsim view)\n"
    "  --set KEY=VALUE        override a top-level setting (repeatable),\n"
    "                         e.g. --set nodes=5 --set drop=1% --set duration=10s\n"
    "  --check-determinism    run twice; fail loudly if the trace hashes differ\n"
    "  --progress             show progress on stderr from the start (otherwise\n"
    "                         shown once a run has taken 2 s of wall time)\n"
    "  -q, --quiet            only the verdict line\n"
    "  -v, --verbose          also what every expectation saw and when it held,\n"
    "                         and the coverage counts\n"
    "  --help                 this text\n"
    "\n"
    "Output files are written atomically (FILE.tmp, then renamed); a name that\n"
    "cannot be written (a folder, a read-only file) is refused before the run.\n"
    "exit status: 0 pass, 1 an invariant or expectation failed, 2 bad input\n";

enum { O_SEED = 1, O_TRACE, O_METRICS, O_SET, O_QUIET, O_VERBOSE, O_DET, O_HELP, O_PROGRESS,
       O_HTML };
static const opt_spec run_specs[] = {
    { "seed", 0, OPT_ARG, O_SEED },       { "trace", 0, OPT_ARG, O_TRACE },
    { "metrics", 0, OPT_ARG, O_METRICS }, { "set", 0, OPT_ARG, O_SET },
    { "quiet", 'q', OPT_NOARG, O_QUIET }, { "verbose", 'v', OPT_NOARG, O_VERBOSE },
    { "check-determinism", 0, OPT_NOARG, O_DET }, { "help", 'h', OPT_NOARG, O_HELP },
    { "progress", 0, OPT_NOARG, O_PROGRESS }, { "html", 0, OPT_ARG, O_HTML },
};

typedef struct run_args {
    const char *file, *trace, *metrics, *html_dir;
    char html_trace[4096], html_page[4096]; /* --html: DIR/NAME.jsonl, DIR/NAME.html */
    bool has_seed, check_det, help, progress;
    uint64_t seed;
    int verbosity;
    set_list sets;
} run_args;

/* --html DIR: the folder, and the trace (unless --trace) and page in it. */
static int html_paths(run_args *a)
{
    char stem[1024];
    scenario_stem(a->file, stem, sizeof stem);
    if (make_dir(a->html_dir) != 0)
        return -1;
    snprintf(a->html_trace, sizeof a->html_trace, "%s/%s.jsonl", a->html_dir, stem);
    snprintf(a->html_page, sizeof a->html_page, "%s/%s.html", a->html_dir, stem);
    if (!a->trace)
        a->trace = a->html_trace;
    return 0;
}

/* The options into *a: an exit code to return now (bad usage, or 0 after
 * --help), or -1 to go on. */
static int run_parse(int argc, char **argv, run_args *a)
{
    memset(a, 0, sizeof *a);
    opt_parser p;
    opt_init(&p, argc, argv, run_specs, sizeof run_specs / sizeof run_specs[0], "raftsim run");
    const char *v;
    int id;
    while ((id = opt_next(&p, &v)) != OPT_END) {
        switch (id) {
        case OPT_ERROR: return EXIT_USAGE;
        case OPT_POSITIONAL:
            if (cli_one_file(&a->file, v, "raftsim run", "scenario file") != 0)
                return EXIT_USAGE;
            break;
        case O_SEED:
            if (!parse_u64(v, &a->seed)) {
                fprintf(stderr, "raftsim run: --seed needs a number, got '%s'\n", v);
                return EXIT_USAGE;
            }
            a->has_seed = true;
            break;
        case O_TRACE: a->trace = v; break;
        case O_METRICS: a->metrics = v; break;
        case O_HTML: a->html_dir = v; break;
        case O_SET:
            if (set_list_add(&a->sets, v, "raftsim run") != 0)
                return EXIT_USAGE;
            break;
        case O_QUIET: a->verbosity = -1; break;
        case O_VERBOSE: a->verbosity = 1; break;
        case O_DET: a->check_det = true; break;
        case O_PROGRESS: a->progress = true; break;
        case O_HELP: a->help = true; break;
        default: return EXIT_USAGE;
        }
    }
    if (!a->help && !a->file)
        return cli_missing_file("raftsim run", "scenario FILE");
    if (!a->help && a->html_dir && html_paths(a) != 0)
        return EXIT_USAGE;
    return cli_parsed(a->help, run_usage);
}

/* The command line that reruns exactly this run, for failure reports. */
static void replay_command(char *buf, size_t cap, const cli_globals *g, const run_args *a,
                           uint64_t seed)
{
    char bugs[512];
    bug_mask_names(g->bugs, bugs, sizeof bugs);
    int used = snprintf(buf, cap, "%s run %s --seed %" PRIu64, g->prog, a->file, seed);
    for (size_t i = 0; i < a->sets.n && used >= 0 && (size_t)used < cap; i++)
        used += snprintf(buf + used, cap - (size_t)used, " --set '%s'", a->sets.items[i]);
    if (bugs[0] && used >= 0 && (size_t)used < cap)
        snprintf(buf + used, cap - (size_t)used, " --bug %s", bugs);
}

typedef struct run_outputs {
    atomic_file trace, metrics;
    bool has_trace, has_metrics;
} run_outputs;

static int outputs_open(run_outputs *o, const run_args *a)
{
    o->has_trace = a->trace != NULL;
    o->has_metrics = a->metrics != NULL;
    if (o->has_trace && o->has_metrics && strcmp(a->trace, a->metrics) == 0) {
        fprintf(stderr, "raftsim run: --trace and --metrics name the same file, %s\n", a->trace);
        return -1;
    }
    if (o->has_trace && atomic_open(&o->trace, a->trace) != 0)
        return -1;
    if (o->has_metrics && atomic_open(&o->metrics, a->metrics) != 0) {
        if (o->has_trace)
            atomic_abort(&o->trace);
        return -1;
    }
    return 0;
}

static void outputs_abort(run_outputs *o)
{
    if (o->has_trace)
        atomic_abort(&o->trace);
    if (o->has_metrics)
        atomic_abort(&o->metrics);
}

static int outputs_commit(run_outputs *o)
{
    int rc = 0;
    if (o->has_trace && atomic_commit(&o->trace) != 0)
        rc = -1;
    if (o->has_metrics && atomic_commit(&o->metrics) != 0)
        rc = -1;
    return rc;
}

/* A second run with no outputs; it must give the same trace hash. */
static int rerun_matches(const scenario *sc, uint64_t seed, const run_result *first)
{
    run_options opt = { .verbosity = -1 };
    run_result again;
    char err[512];
    memset(&again, 0, sizeof again);
    if (run_scenario(sc, seed, &opt, &again, err, sizeof err) != 0) {
        fprintf(stderr, "raftsim run: second run failed to start: %s\n", err);
        return EXIT_USAGE;
    }
    bool same = again.trace_hash == first->trace_hash && again.events == first->events;
    if (!same)
        fprintf(stderr,
                "raftsim run: NONDETERMINISM: seed %" PRIu64 " gave two different runs:\n"
                "  first:  trace-hash 0x%016" PRIx64 ", %" PRIu64 " events\n"
                "  second: trace-hash 0x%016" PRIx64 ", %" PRIu64 " events\n",
                seed, first->trace_hash, first->events, again.trace_hash, again.events);
    else
        printf("determinism: both runs gave trace-hash 0x%016" PRIx64 "\n", again.trace_hash);
    run_result_free(&again);
    return same ? EXIT_PASS : EXIT_FAIL;
}

static int run_loaded(const scenario *sc, const run_args *a, const cli_globals *g)
{
    uint64_t seed = a->has_seed ? a->seed : sc->has_seed ? sc->seed : 1;
    char hint[2048], key[64];
    replay_command(hint, sizeof hint, g, a, seed);
    run_outputs out;
    if (outputs_open(&out, a) != 0)
        return EXIT_USAGE;
    run_options opt = {
        .trace = out.has_trace ? out.trace.fp : NULL,
        .metrics_csv = out.has_metrics ? out.metrics.fp : NULL,
        .summary = a->verbosity < 0 ? NULL : stdout,
        .diag = stderr,
        .verbosity = a->verbosity,
        .replay_hint = hint,
    };
    run_result res;
    if (run_with_progress(sc, seed, &opt, a->progress || a->verbosity >= 0, a->progress,
                          a->file, &res) != 0) {
        outputs_abort(&out);
        return EXIT_USAGE;
    }
    int rc = res.passed ? EXIT_PASS : EXIT_FAIL;
    if (outputs_commit(&out) != 0)
        rc = EXIT_USAGE;
    else if (a->html_dir && view_write_html(a->trace, a->html_page, 0, UINT64_MAX) != EXIT_PASS)
        rc = EXIT_USAGE;
    report_verdict(sc, seed, &res, key, sizeof key);
    if (a->html_dir && rc != EXIT_USAGE && a->verbosity >= 0)
        fprintf(stderr, "raftsim run: the run's page: %s\n", a->html_page);
    if (a->check_det) {
        int det = rerun_matches(sc, seed, &res);
        if (det != EXIT_PASS)
            rc = det;
    }
    run_result_free(&res);
    return rc;
}

int cmd_run(int argc, char **argv, const cli_globals *g)
{
    run_args a;
    int rc = run_parse(argc, argv, &a);
    if (rc >= 0)
        return rc;
    scenario sc;
    rc = cli_load_scenario(a.file, &a.sets, g->bugs, &sc);
    if (rc != 0)
        return rc;
    note_bugs_off(a.file, "raftsim run", sc.cfg.raft.bugs);
    rc = run_loaded(&sc, &a, g);
    scenario_free(&sc);
    return rc;
}
