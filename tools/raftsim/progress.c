/* progress.c — sweep progress on stderr: a redrawn bar on a terminal, a
 * plain line every few seconds otherwise (logs, CI). Wall-clock time is
 * read here only for display; it never reaches a simulated run. */
#include <inttypes.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "sweep.h"

#define BAR_WIDTH 30
#define TTY_PERIOD_S 0.1
#define PLAIN_PERIOD_S 5.0

double wall_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void progress_init(progress *p, uint64_t total)
{
    memset(p, 0, sizeof *p);
    p->tty = isatty(STDERR_FILENO);
    p->total = total;
    p->start = p->last = wall_seconds();
}

static void format_eta(double s, char *buf, size_t cap)
{
    if (s < 0 || s > 360000)
        snprintf(buf, cap, "--:--");
    else
        snprintf(buf, cap, "%d:%02d:%02d", (int)s / 3600, (int)s / 60 % 60, (int)s % 60);
}

void progress_update(progress *p, uint64_t done, uint64_t failed, bool force)
{
    double now = wall_seconds();
    if (!force && now - p->last < (p->tty ? TTY_PERIOD_S : PLAIN_PERIOD_S))
        return;
    p->last = now;
    double elapsed = now - p->start;
    double rate = elapsed > 0 ? (double)done / elapsed : 0;
    char eta[32];
    format_eta(rate > 0 ? (double)(p->total - done) / rate : -1, eta, sizeof eta);
    if (!p->tty) {
        fprintf(stderr, "progress: %" PRIu64 "/%" PRIu64 " seeds, %" PRIu64 " failed, %.1f seeds/s,"
                        " ETA %s\n", done, p->total, failed, rate, eta);
        return;
    }
    char bar[BAR_WIDTH + 1];
    size_t filled = p->total ? (size_t)(done * BAR_WIDTH / p->total) : BAR_WIDTH;
    for (size_t i = 0; i < BAR_WIDTH; i++)
        bar[i] = i < filled ? '#' : '.';
    bar[BAR_WIDTH] = '\0';
    fprintf(stderr, "\r[%s] %" PRIu64 "/%" PRIu64 " seeds  %" PRIu64 " failed  %.1f seeds/s  "
                    "ETA %s \033[K", bar, done, p->total, failed, rate, eta);
    p->shown = true;
}

void progress_clear(progress *p)
{
    if (p->tty && p->shown)
        fprintf(stderr, "\r\033[K");
    p->shown = false;
}
