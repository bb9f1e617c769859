/* run_progress.c — progress of one long run (`raftsim run`, `replay`) on
 * stderr: nothing for the first RUN_PROGRESS_AFTER_S of wall time (most runs
 * end sooner), then the virtual time reached, redrawn on a terminal or a
 * plain line every few seconds otherwise. Wall-clock time is read only for
 * display; the runner stops between slices of virtual time, which leaves
 * the run unchanged (sim/scenario/runner.c). */
#include <inttypes.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "sweep.h"

#define RUN_PROGRESS_AFTER_S 2.0
#define TTY_PERIOD_S 0.2
#define PLAIN_PERIOD_S 5.0

void run_progress_init(run_progress *p, bool forced)
{
    memset(p, 0, sizeof *p);
    p->forced = forced;
    p->tty = isatty(STDERR_FILENO);
    p->start = p->last = wall_seconds();
}

static void show(run_progress *p, uint64_t now_ns, uint64_t end_ns, uint64_t events,
                 double wall)
{
    char at[32], end[32];
    format_seconds(now_ns, at, sizeof at);
    format_seconds(end_ns, end, sizeof end);
    unsigned pct = end_ns ? (unsigned)(now_ns >= end_ns ? 100 : now_ns / (end_ns / 100 + 1)) : 0;
    fprintf(stderr, "%sprogress: virtual %s of %s (%u%%%s), %" PRIu64 " events, %.1f s wall%s",
            p->tty ? "\r" : "", at, end, pct, now_ns > end_ns ? ", liveness phase" : "",
            events, wall - p->start, p->tty ? "  " : "\n");
    fflush(stderr);
    p->shown = true;
    p->last = wall;
}

void run_progress_cb(void *arg, uint64_t now_ns, uint64_t end_ns, uint64_t events)
{
    run_progress *p = arg;
    double wall = wall_seconds();
    if (!p->forced && wall - p->start < RUN_PROGRESS_AFTER_S)
        return;
    if (p->shown && wall - p->last < (p->tty ? TTY_PERIOD_S : PLAIN_PERIOD_S))
        return;
    show(p, now_ns, end_ns, events, wall);
}

void run_progress_done(run_progress *p, uint64_t now_ns, uint64_t end_ns, uint64_t events)
{
    if (!p->shown && !p->forced)
        return;
    show(p, now_ns, end_ns, events, wall_seconds());
    if (p->tty)
        fputc('\n', stderr);
}

int run_with_progress(const scenario *sc, uint64_t seed, run_options *opt, bool show,
                      bool forced, const char *file, run_result *res)
{
    run_progress prog;
    run_progress_init(&prog, forced);
    if (show) {
        opt->progress = run_progress_cb;
        opt->progress_arg = &prog;
    }
    char err[512];
    memset(res, 0, sizeof *res);
    int rc = run_scenario(sc, seed, opt, res, err, sizeof err);
    if (show) {
        opt->progress = NULL; /* prog ends here */
        opt->progress_arg = NULL;
    }
    if (rc != 0) {
        fprintf(stderr, "%s: error: %s\n", file, err);
        return EXIT_USAGE;
    }
    if (show)
        run_progress_done(&prog, res->end_ns, sc->cfg.duration_ns, res->events);
    return 0;
}
