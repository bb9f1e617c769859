/* rlog.c — stderr log lines: "12:00:01.234 n1 info: text". */
#include "rlog.h"

#include <stdarg.h>
#include <stdio.h>
#include <time.h>

static uint32_t log_node;
static enum rlog_level log_min = RLOG_INFO;

void rlog_init(uint32_t node_id, enum rlog_level min)
{
    log_node = node_id;
    log_min = min;
}

void rlog(enum rlog_level lvl, const char *fmt, ...)
{
    static const char *names[] = {"debug", "info", "warn", "error"};
    if (lvl < log_min)
        return;
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    struct tm tm;
    gmtime_r(&ts.tv_sec, &tm);
    char line[1024];
    int n = snprintf(line, sizeof line, "%02d:%02d:%02d.%03ld n%u %s: ", tm.tm_hour, tm.tm_min,
                     tm.tm_sec, ts.tv_nsec / 1000000, log_node, names[lvl]);
    va_list ap;
    va_start(ap, fmt);
    if (n > 0 && (size_t)n < sizeof line)
        vsnprintf(line + n, sizeof line - (size_t)n, fmt, ap);
    va_end(ap);
    fprintf(stderr, "%s\n", line);
}
