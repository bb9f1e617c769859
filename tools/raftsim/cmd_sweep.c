/* cmd_sweep.c — `raftsim sweep FILE --seeds A-B`: many seeds in parallel
 * worker processes, failures written as replay files, a results file that
 * lets an interrupted sweep resume, and a final table. */
#include <inttypes.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../core/hash.h"
#include "sweep.h"

static const char sweep_usage[] =
    "usage: raftsim sweep FILE --seeds A-B [options]\n"
    "       raftsim sweep --merge RESULTS...\n"
    "\n"
    "Run a scenario for every seed in A-B in parallel worker processes. Every\n"
    "failure is written to DIR/<scenario>-seed<N>.replay (complete or absent);\n"
    "every finished seed is appended to DIR/<scenario>.results, so rerunning the\n"
    "same command resumes where an interrupted sweep stopped.\n"
    "\n"
    "  --seeds A-B            seed range (inclusive), or a single seed\n"
    "  -j, --jobs N           worker processes (default: one per core)\n"
    "  --shard I/N            run only seeds with (seed - A) % N == I - 1\n"
    "  --chaos                force random faults on (a standard mix if the\n"
    "                         scenario has no chaos block)\n"
    "  --set KEY=VALUE        override a top-level setting (repeatable)\n"
    "  --out DIR              replay and results files (default: failures)\n"
    "  --check-determinism[=PPM]  rerun every seed (or PPM per million of them)\n"
    "                         and fail if the two trace hashes differ\n"
    "  --stop-after N         stop handing out seeds after N failures\n"
    "  --merge                print one table for the given results files\n"
    "  --help                 this text\n"
    "\n"
    "Spreading a sweep over machines: every shard writes its own\n"
    "DIR/<scenario>-shard<I>of<N>.results; merge them afterwards.\n"
    "  GNU parallel (8 shards):\n"
    "    parallel raftsim sweep chaos.scn --seeds 1-100000 --shard {}/8 --out failures \\\n"
    "        ::: 1 2 3 4 5 6 7 8\n"
    "    raftsim sweep --merge failures/*.results\n"
    "  Slurm array job (sweep.sh, submitted with `sbatch --array=1-8 sweep.sh`):\n"
    "    raftsim sweep chaos.scn --seeds 1-100000 \\\n"
    "        --shard $SLURM_ARRAY_TASK_ID/$SLURM_ARRAY_TASK_COUNT --out failures\n"
    "  (PBS/Torque: $PBS_ARRAY_INDEX; SGE: $SGE_TASK_ID.)\n"
    "\n"
    "exit status: 0 every seed passed, 1 a seed failed, 2 bad input,\n"
    "130 interrupted (rerun the same command to resume)\n";

enum { O_SEEDS = 1, O_JOBS, O_SHARD, O_CHAOS, O_SET, O_OUT, O_DET, O_STOP, O_MERGE, O_HELP };
static const opt_spec sweep_specs[] = {
    { "seeds", 0, OPT_ARG, O_SEEDS },      { "jobs", 'j', OPT_ARG, O_JOBS },
    { "shard", 0, OPT_ARG, O_SHARD },      { "chaos", 0, OPT_NOARG, O_CHAOS },
    { "set", 0, OPT_ARG, O_SET },          { "out", 'o', OPT_ARG, O_OUT },
    { "check-determinism", 0, OPT_OPTARG, O_DET }, { "stop-after", 0, OPT_ARG, O_STOP },
    { "merge", 0, OPT_NOARG, O_MERGE },    { "help", 'h', OPT_NOARG, O_HELP },
};

typedef struct sweep_args {
    const sweep_mode *mode;
    char *files[4096]; /* --merge: every shard of a big sweep */
    size_t n_files;
    bool has_seeds, chaos, merge, help;
    uint64_t jobs;
    set_list sets;
    sweep_config cfg;
} sweep_args;

static int bad_value(const char *cmd, const char *opt, const char *v, const char *what)
{
    fprintf(stderr, "%s: %s needs %s, got '%s'\n", cmd, opt, what, v ? v : "");
    return EXIT_USAGE;
}

static int sweep_take(sweep_args *a, int id, const char *v)
{
    sweep_config *c = &a->cfg;
    const char *cmd = a->mode->cmd;
    uint64_t n;
    if (a->mode->explore && (id == O_CHAOS || id == O_SET)) {
        fprintf(stderr, "%s: --%s does not apply: every setting is drawn from the space\n", cmd,
                id == O_CHAOS ? "chaos" : "set");
        return EXIT_USAGE;
    }
    switch (id) {
    case O_SEEDS:
        a->has_seeds = parse_seed_range(v, &c->first, &c->last);
        return a->has_seeds ? 0 : bad_value(cmd, "--seeds", v, "A-B (A <= B)");
    case O_JOBS:
        if (!parse_u64(v, &a->jobs) || a->jobs == 0 || a->jobs > SWEEP_MAX_JOBS)
            return bad_value(cmd, "-j", v, "a number from 1 to 256");
        return 0;
    case O_SHARD:
        if (!parse_shard(v, &c->shard_index, &c->shard_count))
            return bad_value(cmd, "--shard", v, "I/N with 1 <= I <= N");
        return 0;
    case O_CHAOS: a->chaos = true; return 0;
    case O_SET: return set_list_add(&a->sets, v, cmd);
    case O_OUT: c->out_dir = v; return 0;
    case O_DET:
        if (!v) {
            c->det_ppm = 1000000;
            return 0;
        }
        if (!parse_u64(v, &n) || n == 0 || n > 1000000)
            return bad_value(cmd, "--check-determinism=", v, "parts per million (1-1000000)");
        c->det_ppm = (uint32_t)n;
        return 0;
    case O_STOP:
        if (!parse_u64(v, &c->stop_after) || c->stop_after == 0)
            return bad_value(cmd, "--stop-after", v, "a number >= 1");
        return 0;
    case O_MERGE: a->merge = true; return 0;
    case O_HELP: a->help = true; return 0;
    default: return EXIT_USAGE;
    }
}

static int sweep_parse(int argc, char **argv, sweep_args *a)
{
    const char *cmd = a->mode->cmd;
    a->cfg.out_dir = "failures";
    a->cfg.shard_index = a->cfg.shard_count = 1;
    opt_parser p;
    opt_init(&p, argc, argv, sweep_specs, sizeof sweep_specs / sizeof sweep_specs[0], cmd);
    const char *v;
    int id;
    while ((id = opt_next(&p, &v)) != OPT_END) {
        if (id == OPT_ERROR)
            return EXIT_USAGE;
        if (id != OPT_POSITIONAL) {
            if (sweep_take(a, id, v) != 0)
                return EXIT_USAGE;
        } else if (a->n_files == sizeof a->files / sizeof a->files[0]) {
            fprintf(stderr, "%s: too many files\n", cmd);
            return EXIT_USAGE;
        } else {
            a->files[a->n_files++] = (char *)v;
        }
    }
    if (a->help || a->merge)
        return a->merge && a->n_files == 0 ? bad_value(cmd, "--merge", "", "results files") : 0;
    if (a->mode->explore && a->n_files == 0)
        a->files[a->n_files++] = EXPLORE_DEFAULT_SPACE;
    if (a->n_files != 1) {
        fprintf(stderr, "%s: give exactly one %s (try --help)\n", cmd,
                a->mode->explore ? "space FILE" : "scenario FILE");
        return EXIT_USAGE;
    }
    if (!a->has_seeds) {
        fprintf(stderr, "%s: missing --seeds A-B\n", cmd);
        return EXIT_USAGE;
    }
    return 0;
}

/* A mix of every fault kind, for --chaos on a scenario without a chaos block. */
static void chaos_standard_mix(sim_chaos *c)
{
    c->crash_every_ns = 2 * SIM_NS_PER_S;
    c->crash_leader_ppm = 300000;
    c->down_min_ns = 200 * SIM_NS_PER_MS;
    c->down_max_ns = 2 * SIM_NS_PER_S;
    c->partition_every_ns = 3 * SIM_NS_PER_S;
    c->partition_min_ns = 300 * SIM_NS_PER_MS;
    c->partition_max_ns = 2 * SIM_NS_PER_S;
    c->isolate_every_ns = 5 * SIM_NS_PER_S;
    c->isolate_min_ns = 300 * SIM_NS_PER_MS;
    c->isolate_max_ns = SIM_NS_PER_S;
    c->cut_every_ns = 5 * SIM_NS_PER_S;
    c->cut_min_ns = 200 * SIM_NS_PER_MS;
    c->cut_max_ns = SIM_NS_PER_S;
    c->pause_every_ns = 4 * SIM_NS_PER_S;
    c->pause_min_ns = 50 * SIM_NS_PER_MS;
    c->pause_max_ns = 500 * SIM_NS_PER_MS;
    c->drop_burst_every_ns = 4 * SIM_NS_PER_S;
    c->drop_burst_ppm = 200000;
    c->drop_burst_ns = 300 * SIM_NS_PER_MS;
    c->drift_every_ns = 10 * SIM_NS_PER_S;
    c->drift_max_ppm = 200;
}

static void force_chaos(scenario *sc)
{
    sim_chaos *c = &sc->chaos;
    bool any = c->crash_every_ns || c->partition_every_ns || c->isolate_every_ns ||
               c->cut_every_ns || c->pause_every_ns || c->drop_burst_every_ns ||
               c->drift_every_ns || c->transfer_every_ns;
    if (!any)
        chaos_standard_mix(c);
    c->on = true;
}

/* Everything that changes what a seed does; a results file written under
 * other options must not be resumed. */
static uint64_t options_key(const scenario *sc, const sweep_args *a)
{
    uint64_t h = hash_bytes(0, (const uint8_t *)sc->text, strlen(sc->text));
    for (size_t i = 0; i < a->sets.n; i++)
        h = hash_bytes(h, (const uint8_t *)a->sets.items[i], strlen(a->sets.items[i]));
    h = hash_combine(h, a->chaos);
    return hash_combine(h, a->cfg.bugs);
}

/* The scenario (sweep) or space (explore) of the command. 0 or EXIT_USAGE. */
static int load_input(sweep_args *a, const cli_globals *g, scenario *sc)
{
    const char *path = a->files[0];
    if (!a->mode->explore) {
        int rc = cli_load_scenario(path, &a->sets, g->bugs, sc);
        if (rc == 0 && a->chaos)
            force_chaos(sc);
        return rc;
    }
    char err[512];
    if (scenario_load(path, sc, err, sizeof err) != 0) {
        fprintf(stderr, "%s\n", err);
        return EXIT_USAGE;
    }
    if (!sc->explore) {
        fprintf(stderr, "%s:1:1: error: expected an explore space (an `explore { ... }` block), "
                "got a scenario (run it with `raftsim sweep`)\n", path);
        scenario_free(sc);
        return EXIT_USAGE;
    }
    if (check_bugs_available(g->bugs) != 0) {
        scenario_free(sc);
        return EXIT_USAGE;
    }
    return 0;
}

int sweep_command(int argc, char **argv, const cli_globals *g, const sweep_mode *m)
{
    sweep_args *a = calloc(1, sizeof *a);
    if (!a)
        return EXIT_USAGE;
    a->mode = m;
    int rc = sweep_parse(argc, argv, a);
    if (rc == 0 && a->help)
        fputs(m->usage, stdout);
    else if (rc == 0 && a->merge)
        rc = results_merge(a->files, a->n_files);
    if (rc != 0 || a->help || a->merge) {
        free(a);
        return rc;
    }
    scenario sc;
    rc = load_input(a, g, &sc);
    if (rc == 0) {
        sweep_config *c = &a->cfg;
        long cores = sysconf(_SC_NPROCESSORS_ONLN);
        c->jobs = a->jobs ? (unsigned)a->jobs
                          : cores < 1 ? 1 : cores > SWEEP_MAX_JOBS ? SWEEP_MAX_JOBS
                                                                   : (unsigned)cores;
        c->sc = &sc;
        c->space = sc.explore;
        c->scenario_path = a->files[0];
        char stem[200];
        scenario_stem(a->files[0], stem, sizeof stem);
        snprintf(c->stem, sizeof c->stem, "%s%s", m->explore ? "explore-" : "", stem);
        c->bugs = g->bugs;
        c->prog = g->prog;
        c->options_key = hash_combine(options_key(&sc, a), m->explore);
        rc = sweep_execute(c);
        scenario_free(&sc);
    }
    free(a);
    return rc;
}

int cmd_sweep(int argc, char **argv, const cli_globals *g)
{
    static const sweep_mode sweep = { "raftsim sweep", sweep_usage, false };
    return sweep_command(argc, argv, g, &sweep);
}
