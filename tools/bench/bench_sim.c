/* bench_sim.c — `make bench`: the benchmarks of issue 7, each figure the
 * median of several runs (each run a fresh child process) with their
 * range, all safety checks on; printed as a table and written as CSV.
 *
 *   bench_sim [--quick] [--runs N] [--only LIST] [--csv PATH] [--seed X]
 *             [--raftsim PATH] [--scenario FILE] [--sweep-seeds N]
 *             [--reference PATH]   benchmark 7's reference (canonical/raft)
 *   bench_sim --inproc SECONDS     one standard run in this process (callgrind)
 *   bench_sim --inproc-h2h WRITES  one head-to-head run in this process
 *             [--idle-heartbeats]  ... with heartbeat-idle-only (h2h-idle)
 *
 * LIST is a comma-separated subset of: standard, saturation, loglen,
 * cluster, sweep, explore, h2h, h2h-idle, h2h-ref (h2h and h2h-idle bring the
 * reference along, when --reference is given, to compare in turns).
 * Benchmark 6 (instruction counts) is `make bench-callgrind`, which runs
 * --inproc under valgrind.
 */
#include <stdlib.h>
#include <string.h>

#include "bench.h"
#include "../../sim/world/hostmem.h"
#include "bench_main.h"

/* Every name in a --only list must be a benchmark: a typo would run nothing. */
static bool only_list_valid(const char *list)
{
    static const char *const names[] = {"standard", "saturation", "loglen",   "cluster", "sweep",
                                        "explore",  "h2h",        "h2h-idle", "h2h-ref"};
    for (const char *p = list;; p++) {
        size_t n = strcspn(p, ",");
        bool known = false;
        for (size_t k = 0; k < sizeof names / sizeof *names; k++)
            known |= strlen(names[k]) == n && strncmp(names[k], p, n) == 0;
        if (!known) {
            fprintf(stderr, "bench_sim: unknown benchmark '%.*s' in --only\n", (int)n, p);
            return false;
        }
        p += n;
        if (!*p)
            return true;
    }
}

static int usage(FILE *out, int status)
{
    fprintf(out, "usage: bench_sim [--quick] [--runs N] [--only LIST] [--csv PATH] [--seed X]\n"
                 "                 [--raftsim PATH] [--scenario FILE] [--sweep-seeds N]\n"
                 "                 [--reference PATH]\n"
                 "       bench_sim --inproc SECONDS | --inproc-h2h WRITES [--idle-heartbeats]\n"
                 "LIST: standard,saturation,loglen,cluster,sweep,explore,h2h,h2h-idle,h2h-ref\n"
                 "(see bench/README.md; `make bench` runs them all)\n");
    return status;
}

/* One standard-workload run in this process: what callgrind measures. */
static int run_inproc(uint64_t seconds, uint64_t seed)
{
    bench_params p = {.nodes = 5, .seconds = seconds, .seed = seed};
    bench_result r;
    memset(&r, 0, sizeof r);
    bench_standard(&p, &r);
    printf("standard workload, %llu s virtual: %llu events, %llu acked, ok=%d\n",
           (unsigned long long)seconds, (unsigned long long)r.events,
           (unsigned long long)r.acked, r.ok);
    return r.ok ? 0 : 1;
}

static int run_inproc_h2h(uint64_t writes, uint64_t seed, bool idle_heartbeats)
{
    bench_params p = {.nodes = 5, .target = writes, .seed = seed,
                      .idle_heartbeats = idle_heartbeats};
    bench_result r;
    memset(&r, 0, sizeof r);
    bench_head2head(&p, &r);
    printf("head to head, %llu writes: %llu events, ok=%d\n", (unsigned long long)writes,
           (unsigned long long)r.events, r.ok);
    return r.ok ? 0 : 1;
}

static int parse(int argc, char **argv, bench_opts *o)
{
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(a, "--quick")) {
            o->quick = true;
            continue;
        }
        if (!strcmp(a, "--idle-heartbeats")) {
            o->idle_heartbeats = true;
            continue;
        }
        if (!v)
            return -1;
        i++;
        if (!strcmp(a, "--runs"))
            o->runs = atoi(v);
        else if (!strcmp(a, "--only")) {
            if (!only_list_valid(v))
                return -1;
            o->only = v;
        }
        else if (!strcmp(a, "--csv"))
            o->csv = v;
        else if (!strcmp(a, "--seed"))
            o->seed = strtoull(v, NULL, 10);
        else if (!strcmp(a, "--raftsim"))
            o->raftsim = v;
        else if (!strcmp(a, "--reference"))
            o->reference = v;
        else if (!strcmp(a, "--scenario"))
            o->scenario = v;
        else if (!strcmp(a, "--sweep-seeds"))
            o->sweep_seeds = atoi(v);
        else if (!strcmp(a, "--inproc"))
            o->inproc_s = strtoull(v, NULL, 10);
        else if (!strcmp(a, "--inproc-h2h"))
            o->inproc_h2h = strtoull(v, NULL, 10);
        else
            return -1;
    }
    if (o->runs < 0 || o->runs > BENCH_MAX_RUNS || o->sweep_seeds < 0)
        return -1;
    return 0;
}

int main(int argc, char **argv)
{
    hostmem_setup(); /* before the first allocation: see sim/world/hostmem.h */
    bench_opts o = {.seed = 1, .scenario = "scenarios/chaos.scn"};
    for (int i = 1; i < argc; i++)
        if (!strcmp(argv[i], "--help"))
            return usage(stdout, 0);
    if (parse(argc, argv, &o) != 0)
        return usage(stderr, 2);
    if (o.inproc_s)
        return run_inproc(o.inproc_s, o.seed);
    if (o.inproc_h2h)
        return run_inproc_h2h(o.inproc_h2h, o.seed, o.idle_heartbeats);
    if (getenv("BENCH_QUICK") && strcmp(getenv("BENCH_QUICK"), "0") != 0)
        o.quick = true;
    int failed = bench_run_all(&o);
    bench_print_table(stdout);
    if (o.csv && bench_write_csv(o.csv) == 0)
        printf("\nCSV: %s\n", o.csv);
    if (failed)
        fprintf(stderr, "bench: %d benchmark(s) failed\n", failed);
    return failed ? 1 : 0;
}
