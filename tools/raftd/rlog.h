/* rlog.h — raftd's log on stderr: one line per event, wall-clock time,
 * node id and level, so the three logs of a cluster can be merged by sort. */
#ifndef RAFTD_RLOG_H
#define RAFTD_RLOG_H

#include <stdint.h>

enum rlog_level { RLOG_DEBUG, RLOG_INFO, RLOG_WARN, RLOG_ERROR };

void rlog_init(uint32_t node_id, enum rlog_level min);
void rlog(enum rlog_level lvl, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#define LOG_DEBUG(...) rlog(RLOG_DEBUG, __VA_ARGS__)
#define LOG_INFO(...) rlog(RLOG_INFO, __VA_ARGS__)
#define LOG_WARN(...) rlog(RLOG_WARN, __VA_ARGS__)
#define LOG_ERROR(...) rlog(RLOG_ERROR, __VA_ARGS__)

#endif
