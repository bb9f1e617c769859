/* cmd_replay.c — `raftsim replay FILE.replay`: rerun a recorded failure and
 * prove it is the same run (the same trace hash as the one recorded). */
#include <inttypes.h>
#include <string.h>

#include "cli.h"

static const char replay_usage[] =
    "usage: raftsim replay FILE.replay [options]\n"
    "\n"
    "Rerun a replay file (written by `raftsim sweep` for every failing seed) and\n"
    "check that it produces the trace hash recorded in its header. The file's\n"
    "`# bug:` line switches the same bugs on again (needs a `make bugs` build).\n"
    "\n"
    "  --until N              stop just before event N (wherever it is: past the\n"
    "                         duration, in the liveness phase) and print every\n"
    "                         node's state; a run cut short decides nothing\n"
    "                         (verdict CUT-SHORT, exit status 1)\n"
    "  --trace FILE.jsonl     write every event as JSON Lines\n"
    "  -q, --quiet            only the verdict line\n"
    "  -v, --verbose          also what every expectation saw and when it held,\n"
    "                         and the coverage counts\n"
    "  --help                 this text\n"
    "\n"
    "exit status: 1 the failure reproduces (or the trace hash differs from the\n"
    "recorded one), 0 the run now passes, 2 bad input\n";

enum { O_UNTIL = 1, O_TRACE, O_QUIET, O_VERBOSE, O_HELP };
static const opt_spec replay_specs[] = {
    { "until", 0, OPT_ARG, O_UNTIL },     { "trace", 0, OPT_ARG, O_TRACE },
    { "quiet", 'q', OPT_NOARG, O_QUIET }, { "verbose", 'v', OPT_NOARG, O_VERBOSE },
    { "help", 'h', OPT_NOARG, O_HELP },
};

typedef struct replay_args {
    const char *file, *trace;
    uint64_t until;
    int verbosity;
    bool help;
} replay_args;

/* The options into *a: an exit code to return now (bad usage, or 0 after
 * --help), or -1 to go on. */
static int replay_parse(int argc, char **argv, replay_args *a)
{
    memset(a, 0, sizeof *a);
    opt_parser p;
    opt_init(&p, argc, argv, replay_specs, sizeof replay_specs / sizeof replay_specs[0],
             "raftsim replay");
    const char *v;
    int id;
    while ((id = opt_next(&p, &v)) != OPT_END) {
        switch (id) {
        case OPT_ERROR: return EXIT_USAGE;
        case OPT_POSITIONAL:
            if (cli_one_file(&a->file, v, "raftsim replay", "replay file") != 0)
                return EXIT_USAGE;
            break;
        case O_UNTIL:
            if (!parse_u64(v, &a->until) || a->until == 0) {
                fprintf(stderr, "raftsim replay: --until needs an event number >= 1\n");
                return EXIT_USAGE;
            }
            break;
        case O_TRACE: a->trace = v; break;
        case O_QUIET: a->verbosity = -1; break;
        case O_VERBOSE: a->verbosity = 1; break;
        case O_HELP: a->help = true; break;
        default: return EXIT_USAGE;
        }
    }
    if (!a->help && !a->file)
        return cli_missing_file("raftsim replay", "FILE.replay");
    return cli_parsed(a->help, replay_usage);
}

static int verify_hash(const replay_header *h, const run_result *res)
{
    if (!h->has_hash) {
        fprintf(stderr, "raftsim replay: note: no `# trace-hash:` in the header; "
                        "nothing to compare with\n");
        return EXIT_PASS;
    }
    if (h->trace_hash == res->trace_hash) {
        printf("replay: trace hash matches the recorded one (0x%016" PRIx64 ")\n",
               res->trace_hash);
        return EXIT_PASS;
    }
    fprintf(stderr, "raftsim replay: REPLAY MISMATCH: this is not the recorded run!\n");
    replay_hash_mismatch(h->trace_hash, res->trace_hash);
    return EXIT_FAIL;
}

static int replay_loaded(const scenario *sc, const replay_header *h, const replay_args *a)
{
    atomic_file tf;
    if (a->trace && atomic_open(&tf, a->trace) != 0)
        return EXIT_USAGE;
    run_options opt = {
        .trace = a->trace ? tf.fp : NULL, .summary = a->verbosity < 0 ? NULL : stdout,
        .diag = stderr, .verbosity = a->verbosity, .until_event = a->until,
    };
    run_result res;
    char key[64];
    if (run_with_progress(sc, sc->seed, &opt, a->verbosity >= 0, false, a->file, &res) != 0) {
        if (a->trace)
            atomic_abort(&tf);
        return EXIT_USAGE;
    }
    int rc = a->trace && atomic_commit(&tf) != 0 ? EXIT_USAGE : EXIT_PASS;
    report_verdict(sc, sc->seed, &res, key, sizeof key);
    if (res.cut_short) {
        /* The runner said where it stopped; a part of a run has no hash to compare. */
    } else if (verify_hash(h, &res) != EXIT_PASS) {
        rc = EXIT_FAIL;
    } else if (res.passed) {
        printf("replay: the run now passes (recorded failure: %s)\n",
               h->failure[0] ? h->failure : "?");
    } else if (h->failure[0] && strcmp(h->failure, key) != 0 &&
               strncmp(h->failure, "expect:", 7) != 0) {
        /* (A key "expect:LINE" is from a raftsim before expectations were
         * keyed by ordinal: a line of another file, nothing to compare.) */
        fprintf(stderr, "raftsim replay: note: recorded failure was %s, now %s\n", h->failure,
                key);
    }
    if (rc == EXIT_PASS && !res.passed)
        rc = EXIT_FAIL;
    run_result_free(&res);
    return rc;
}

int cmd_replay(int argc, char **argv, const cli_globals *g)
{
    replay_args a;
    int rc = replay_parse(argc, argv, &a);
    if (rc >= 0)
        return rc;
    scenario sc;
    replay_header h;
    rc = load_replay(a.file, g, &sc, &h);
    if (rc != 0)
        return rc;
    rc = replay_loaded(&sc, &h, &a);
    scenario_free(&sc);
    return rc;
}
