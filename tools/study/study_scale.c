/* study_scale.c — study 9: simulator scale. Wall time, events per second and
 * peak memory against cluster size (3 … 51 nodes) and against virtual
 * duration (5 nodes).
 *
 * Each run is a forked child, so its peak resident memory (VmHWM) is its own.
 * One-way latency uniform 1–3 ms, fsync 1 ms, Raft defaults, one open-loop
 * writer at 500 writes per second from 0.5 s.
 *
 * Output: scale.csv       sweep,nodes,duration_s,events,acked,messages
 *                          (virtual quantities only: identical on every run)
 *         scale_wall.csv  sweep,nodes,duration_s,events,wall_ms,events_per_s,peak_rss_kb
 *                          (wall-clock numbers: differ from run to run) */
#include "study.h"

#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

typedef struct scale_result {
    uint64_t events, acked, messages, wall_ns, peak_rss_kb;
} scale_result;

static uint64_t peak_rss_kb(void)
{
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    unsigned long long kb = 0;
    while (f && fgets(line, sizeof line, f))
        if (strncmp(line, "VmHWM:", 6) == 0)
            sscanf(line + 6, "%llu", &kb);
    if (f)
        fclose(f);
    return kb;
}

static uint64_t mono_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * SIM_NS_PER_S + (uint64_t)ts.tv_nsec;
}

static scale_result run_child(uint32_t nodes, uint32_t duration_s)
{
    sim_config cfg;
    sim_config_default(&cfg);
    cfg.n_nodes = nodes;
    cfg.net.latency = (sim_dist){SIM_DIST_UNIFORM, MS(1), MS(3)};
    cfg.disk.fsync = (sim_dist){SIM_DIST_CONST, MS(1), 0};
    cfg.n_clients = 1;
    cfg.clients[0] = study_open_writer(500, 64);
    cfg.clients[0].start_ns = MS(500);
    cfg.duration_ns = (uint64_t)duration_s * SIM_NS_PER_S;
    scale_result r = {0};
    uint64_t t0 = mono_ns();
    sim *s = study_sim_new(&cfg, 9009);
    sim_run(s);
    r.wall_ns = mono_ns() - t0;
    r.events = sim_event_count(s);
    r.acked = (uint64_t)study_metric(s, SIM_M_ACKED);
    r.messages = (uint64_t)study_metric_arg(s, SIM_M_MESSAGES, 0);
    study_sim_free(s);
    r.peak_rss_kb = peak_rss_kb();
    return r;
}

/* Run in a child process and collect its result through a pipe. */
static scale_result run_forked(uint32_t nodes, uint32_t duration_s)
{
    int fd[2];
    scale_result r = {0};
    if (pipe(fd) != 0)
        exit(2);
    pid_t pid = fork();
    if (pid < 0)
        exit(2);
    if (pid == 0) {
        close(fd[0]);
        r = run_child(nodes, duration_s);
        ssize_t w = write(fd[1], &r, sizeof r);
        _exit(w == (ssize_t)sizeof r ? 0 : 1);
    }
    close(fd[1]);
    ssize_t got = read(fd[0], &r, sizeof r);
    close(fd[0]);
    int status = 0;
    waitpid(pid, &status, 0);
    if (got != (ssize_t)sizeof r || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        fprintf(stderr, "study_scale: run with %u nodes, %u s failed\n", nodes, duration_s);
        exit(1);
    }
    return r;
}

static void row(FILE *csv, FILE *wall, const char *sweep, uint32_t nodes, uint32_t duration_s)
{
    scale_result r = run_forked(nodes, duration_s);
    fprintf(csv, "%s,%u,%u,%llu,%llu,%llu\n", sweep, nodes, duration_s,
            (unsigned long long)r.events, (unsigned long long)r.acked,
            (unsigned long long)r.messages);
    uint64_t wall_ms = r.wall_ns / 1000000;
    fprintf(wall, "%s,%u,%u,%llu,%llu,%llu,%llu\n", sweep, nodes, duration_s,
            (unsigned long long)r.events, (unsigned long long)wall_ms,
            (unsigned long long)(r.wall_ns ? r.events * SIM_NS_PER_S / r.wall_ns : 0),
            (unsigned long long)r.peak_rss_kb);
    fflush(csv);
    fflush(wall);
}

static const uint32_t SIZES[] = {3, 5, 7, 9, 15, 31, 51};
static const uint32_t DURATIONS[] = {1, 2, 5, 10, 20, 50};
static const uint32_t DURATIONS_QUICK[] = {1, 2, 5};

int main(int argc, char **argv)
{
    study_args args;
    study_parse_args(&args, "scale", argc, argv);
    FILE *csv = study_open_csv(&args, "");
    FILE *wall = study_open_csv(&args, "_wall");
    fprintf(csv, "sweep,nodes,duration_s,events,acked,messages\n");
    fprintf(wall, "sweep,nodes,duration_s,events,wall_ms,events_per_s,peak_rss_kb\n");
    run_forked(3, 1); /* warm-up: page in the binary and libc before timing */
    size_t n_sizes = sizeof SIZES / sizeof *SIZES;
    uint32_t size_duration = args.quick ? 1 : 5;
    for (size_t i = 0; i < n_sizes; i++) {
        row(csv, wall, "nodes", SIZES[i], size_duration);
        study_progress(&args, "cluster sizes", i + 1, n_sizes);
    }
    const uint32_t *durs = args.quick ? DURATIONS_QUICK : DURATIONS;
    size_t n_durs = args.quick ? sizeof DURATIONS_QUICK / sizeof *DURATIONS_QUICK
                               : sizeof DURATIONS / sizeof *DURATIONS;
    for (size_t i = 0; i < n_durs; i++) {
        row(csv, wall, "duration", 5, durs[i]);
        study_progress(&args, "durations", i + 1, n_durs);
    }
    study_close_csv(csv);
    study_close_csv(wall);
    return 0;
}
