/* bench_sweep.c — benchmark 5: seeds per hour of `raftsim sweep` over the
 * standard chaos scenario on all cores (one worker per core, the sweep's
 * default), and beside it of `raftsim explore` over the default space. Each
 * run sweeps into a fresh temporary folder, removed after. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench.h"
#include "bench_main.h"

static double children_cpu_s(void)
{
    struct rusage ru;
    getrusage(RUSAGE_CHILDREN, &ru);
    return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
           (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
}

/* One sweep (command "sweep" or "explore" over file); wall and CPU seconds
 * out. Returns 0 if every seed passed, or (fail_ok) if the command ran. */
static int sweep_once(const bench_opts *o, const char *command, const char *file, bool fail_ok,
                      int seeds, double *wall, double *cpu)
{
    char dir[] = "/tmp/raftsim-bench-sweep-XXXXXX";
    if (!mkdtemp(dir))
        return -1;
    char cmd[1024];
    int n = snprintf(cmd, sizeof cmd, "'%s' %s '%s' --seeds 1-%d --out '%s' > '%s/log' 2>&1",
                     o->raftsim, command, file, seeds, dir, dir);
    int rc = -1;
    if (n > 0 && (size_t)n < sizeof cmd) {
        double t0 = bench_wall_now(), c0 = children_cpu_s();
        rc = system(cmd);
        *wall = bench_wall_now() - t0;
        *cpu = children_cpu_s() - c0;
        if (fail_ok && rc != -1 && WIFEXITED(rc) && WEXITSTATUS(rc) == 1)
            rc = 0; /* explore: a seed that finds a failure is a seed run */
    }
    if (rc != 0) {
        fprintf(stderr, "bench: sweep failed (status %d); its output:\n", rc);
        snprintf(cmd, sizeof cmd, "tail -20 '%s/log' >&2", dir);
        if (system(cmd) != 0)
            fprintf(stderr, "(no log)\n");
    }
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "bench: could not remove %s\n", dir);
    return rc == 0 ? 0 : -1;
}

int bench_sweep(const bench_opts *o, int runs, int seeds)
{
    double per_hour[BENCH_MAX_RUNS], cpu_ms[BENCH_MAX_RUNS], if_cpu_bound[BENCH_MAX_RUNS];
    for (int i = 0; i < runs; i++) {
        double wall = 0, cpu = 0;
        if (sweep_once(o, "sweep", o->scenario, false, seeds, &wall, &cpu) != 0)
            return -1;
        per_hour[i] = (double)seeds / (wall > 0 ? wall : 1e-9) * 3600.0;
        cpu_ms[i] = cpu / seeds * 1000.0;
    }
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    char note[128];
    snprintf(note, sizeof note, "%s, %d seeds per run, %ld cores; target >= 300,000",
             o->scenario, seeds, cores);
    bench_row("sweep", "seeds per hour (wall, all cores)", bench_stats(per_hour, runs), "1/h",
              note);
    for (int i = 0; i < runs; i++)
        if_cpu_bound[i] = cpu_ms[i] > 0 ? 3600.0 * 1000.0 / cpu_ms[i] * (double)cores : 0;
    bench_row("sweep", "CPU ms per seed", bench_stats(cpu_ms, runs), "ms", NULL);
    bench_row("sweep", "seeds per hour if CPU-bound on all cores", bench_stats(if_cpu_bound, runs),
              "1/h", "from CPU time (the machine is shared)");
    return 0;
}

/* Seeds per hour of `raftsim explore` over the default space, beside the
 * sweep's figure: every seed draws (and parses) its own scenario first. */
int bench_explore(const bench_opts *o, int runs, int seeds)
{
    static const char space[] = "scenarios/explore/default.scn";
    double per_hour[BENCH_MAX_RUNS], cpu_ms[BENCH_MAX_RUNS];
    for (int i = 0; i < runs; i++) {
        double wall = 0, cpu = 0;
        if (sweep_once(o, "explore", space, true, seeds, &wall, &cpu) != 0)
            return -1;
        per_hour[i] = (double)seeds / (wall > 0 ? wall : 1e-9) * 3600.0;
        cpu_ms[i] = cpu / seeds * 1000.0;
    }
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    char note[128];
    snprintf(note, sizeof note, "%s, %d seeds per run, %ld cores", space, seeds, cores);
    bench_row("explore", "seeds per hour (wall, all cores)", bench_stats(per_hour, runs), "1/h",
              note);
    bench_row("explore", "CPU ms per seed", bench_stats(cpu_ms, runs), "ms", NULL);
    return 0;
}
