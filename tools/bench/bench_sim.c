/* bench_sim.c — the standard-workload benchmark (issue 7, benchmark 1):
 * 5 nodes, 1,000 writes/s of 64-byte records, 1% drops, latency jitter, no
 * batching, 60 s virtual, every safety check on. Each run is a fresh child
 * process (so peak RSS is per run); the medians of --runs runs are printed as
 * a table and written as CSV.
 *
 *   bench_sim [--runs N] [--seconds S] [--seed X] [--csv PATH]
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../../sim/sim.h"

enum { MAX_RUNS = 64 };

typedef struct result {
    double wall_s, cpu_s;
    uint64_t events, acked, committed, virtual_ns;
    long peak_rss_kb;
    int ok;
} result;

static void standard_config(sim_config *cfg, uint64_t seconds)
{
    sim_config_default(cfg);
    cfg->n_nodes = 5;
    raft_config_default(&cfg->raft, 1, 5);
    cfg->raft.max_entries_per_msg = getenv("BATCH") ? (uint32_t)atoi(getenv("BATCH")) : 1;
    if (getenv("WINDOW"))
        cfg->raft.pipeline_window = (uint32_t)atoi(getenv("WINDOW"));
    cfg->net.latency = (sim_dist){.kind = SIM_DIST_UNIFORM, .a_ns = 500000, .b_ns = 1500000};
    cfg->net.drop_ppm = 10000;
    cfg->disk.fsync = (sim_dist){.kind = SIM_DIST_CONST, .a_ns = SIM_NS_PER_MS};
    cfg->n_clients = 1;
    cfg->clients[0] = (sim_client_config){.kind = SIM_CLIENT_OPEN, .rate_per_s = 1000,
                                          .payload_bytes = 64};
    cfg->duration_ns = seconds * SIM_NS_PER_S;
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double cpu_now_s(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
           (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
}

static result run_once(uint64_t seconds, uint64_t seed)
{
    result r = {0};
    sim_config cfg;
    standard_config(&cfg, seconds);
    char err[160];
    sim *s = sim_new(&cfg, seed, err, sizeof err);
    if (!s) {
        fprintf(stderr, "bench: %s\n", err);
        return r;
    }
    double t0 = now_s(), c0 = cpu_now_s();
    r.ok = sim_run(s);
    r.wall_s = now_s() - t0;
    r.cpu_s = cpu_now_s() - c0;
    r.events = sim_event_count(s);
    sim_metric_ref acked = {.metric = SIM_M_ACKED}, committed = {.metric = SIM_M_COMMITTED};
    int64_t v = 0;
    sim_metric(s, &acked, &v);
    r.acked = (uint64_t)v;
    sim_metric(s, &committed, &v);
    r.committed = (uint64_t)v;
    r.virtual_ns = sim_now(s);
    if (!r.ok)
        sim_print_violation(s, stderr);
    sim_free(s);
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    r.peak_rss_kb = ru.ru_maxrss;
    return r;
}

/* Run in a child so every run starts from a fresh heap and RSS. */
static int run_child(uint64_t seconds, uint64_t seed, result *out)
{
    int fd[2];
    if (pipe(fd) != 0)
        return -1;
    pid_t pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0) {
        close(fd[0]);
        result r = run_once(seconds, seed);
        ssize_t w = write(fd[1], &r, sizeof r);
        _exit(w == (ssize_t)sizeof r ? 0 : 1);
    }
    close(fd[1]);
    ssize_t got = read(fd[0], out, sizeof *out);
    close(fd[0]);
    int status;
    waitpid(pid, &status, 0);
    return got == (ssize_t)sizeof *out && WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static double median(double *v, int n)
{
    qsort(v, (size_t)n, sizeof *v, cmp_double);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

int main(int argc, char **argv)
{
    int runs = 5;
    uint64_t seconds = 60, seed = 1;
    const char *csv = NULL;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (!strcmp(argv[i], "--runs"))
            runs = atoi(argv[i + 1]);
        else if (!strcmp(argv[i], "--seconds"))
            seconds = strtoull(argv[i + 1], NULL, 10);
        else if (!strcmp(argv[i], "--seed"))
            seed = strtoull(argv[i + 1], NULL, 10);
        else if (!strcmp(argv[i], "--csv"))
            csv = argv[i + 1];
    }
    if (runs < 1 || runs > MAX_RUNS || seconds == 0) {
        fprintf(stderr, "usage: bench_sim [--runs 1..64] [--seconds S] [--seed X] [--csv P]\n");
        return 2;
    }
    double ev_s[MAX_RUNS], virt_s[MAX_RUNS], writes_s[MAX_RUNS], rss_mb[MAX_RUNS],
        wall[MAX_RUNS], cpu[MAX_RUNS], ev_cpu[MAX_RUNS];
    result r = {0};
    for (int i = 0; i < runs; i++) {
        if (run_child(seconds, seed, &r) != 0 || !r.ok) {
            fprintf(stderr, "bench: run %d failed\n", i + 1);
            return 1;
        }
        wall[i] = r.wall_s;
        cpu[i] = r.cpu_s;
        ev_cpu[i] = (double)r.events / (r.cpu_s > 0 ? r.cpu_s : 1e-9);
        ev_s[i] = (double)r.events / r.wall_s;
        virt_s[i] = (double)r.virtual_ns / 1e9 / r.wall_s;
        writes_s[i] = (double)r.acked / r.wall_s;
        rss_mb[i] = (double)r.peak_rss_kb / 1024.0;
    }
    double m_wall = median(wall, runs), m_ev = median(ev_s, runs), m_virt = median(virt_s, runs),
           m_wr = median(writes_s, runs), m_rss = median(rss_mb, runs),
           m_cpu = median(cpu, runs), m_ev_cpu = median(ev_cpu, runs);
    printf("standard workload: 5 nodes, 1000 writes/s x 64 B, 1%% drops, jitter, no batching,"
           " %llu s virtual, all checks on; median of %d runs\n",
           (unsigned long long)seconds, runs);
    printf("  %-32s %14.3f\n", "wall seconds per run", m_wall);
    printf("  %-32s %14.3f\n", "CPU seconds per run", m_cpu);
    printf("  %-32s %14.0f\n", "events per wall second", m_ev);
    printf("  %-32s %14.0f\n", "events per CPU second", m_ev_cpu);
    printf("  %-32s %14.1f\n", "virtual seconds per wall second", m_virt);
    printf("  %-32s %14.0f\n", "committed writes per wall second", m_wr);
    printf("  %-32s %14.1f\n", "peak RSS, MiB", m_rss);
    printf("  (%llu events, %llu acked writes, %llu committed entries per run)\n",
           (unsigned long long)r.events, (unsigned long long)r.acked,
           (unsigned long long)r.committed);
    if (csv) {
        FILE *f = fopen(csv, "w");
        if (!f) {
            perror(csv);
            return 1;
        }
        fprintf(f, "benchmark,runs,virtual_s,wall_s,events_per_s,virtual_s_per_s,"
                   "writes_per_s,peak_rss_mib,cpu_s,events_per_cpu_s\n");
        fprintf(f, "standard,%d,%llu,%.4f,%.0f,%.2f,%.0f,%.1f,%.4f,%.0f\n", runs,
                (unsigned long long)seconds, m_wall, m_ev, m_virt, m_wr, m_rss, m_cpu, m_ev_cpu);
        fclose(f);
        printf("  CSV: %s\n", csv);
    }
    return 0;
}
