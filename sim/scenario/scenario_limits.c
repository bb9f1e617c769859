/* scenario_limits.c — checks between settings, made once the whole file is
 * read (a setting may come before or after the one it is checked against):
 *
 *   - the run's virtual length (duration, or the liveness phase's end) is at
 *     most SCN_MAX_RUN_NS (24h); past SCN_LONG_RUN_NS (1h) it needs an explicit
 *     `max-events`, so that a long run says how far it may go;
 *   - every client's append (its payload in a log-buffer command) fits the
 *     largest entry a leader accepts (`max-entry`): a write that can never
 *     fit would be refused forever;
 *   - the heartbeat interval is below the minimum election timeout (raft_new
 *     refuses anything else: followers would time out between heartbeats).
 * Each error points at the setting to change. */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>

#include "../../core/logbuf.h"
#include "scenario_int.h"

int scn_run_time(scn_parser *p, const char *what, const char *name, uint64_t *out)
{
    uint32_t col = scn_here(p);
    uint64_t v;
    int rc = scn_duration(p, what, &v);
    if (rc)
        return rc;
    if (v > SCN_MAX_RUN_NS)
        return scn_error(p, col, "expected a %s of at most 24h (the longest run the language "
                         "accepts; see scenarios/README.md)", name);
    *out = v;
    return 0;
}

/* An error at (line, col) of a line already read (line 0: not written). */
static int error_at(scn_parser *p, uint32_t line, uint32_t col, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static int error_at(scn_parser *p, uint32_t line, uint32_t col, const char *fmt, ...)
{
    char msg[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    scn_line at = { .n = 0, .line = line ? line : 1 };
    const scn_line *saved = p->ln;
    p->ln = &at;
    scn_error(p, line ? col : 1, "%s", msg);
    p->ln = saved;
    return 2;
}

static int check_run_length(scn_parser *p)
{
    const sim_config *c = &p->sc->cfg;
    uint64_t end = c->duration_ns;
    uint32_t line = p->duration_line, col = p->duration_col;
    if (c->liveness) {
        uint64_t heal = c->heal_at_ns && c->heal_at_ns < c->duration_ns ? c->heal_at_ns
                                                                         : c->duration_ns;
        if (heal + c->converge_within_ns > end) { /* each <= 24h: no overflow */
            end = heal + c->converge_within_ns;
            line = p->liveness_line;
            col = p->liveness_col;
        }
    }
    if (end > SCN_MAX_RUN_NS)
        return error_at(p, line, col, "expected a run (with its liveness phase) of at most "
                        "24h, got %" PRIu64 "s", end / SIM_NS_PER_S);
    if (end > SCN_LONG_RUN_NS && c->max_events == 0)
        return error_at(p, line, col, "expected `max-events N` for a run longer than 1h "
                        "(this one: %" PRIu64 "s; it could take hours of wall time)",
                        end / SIM_NS_PER_S);
    return 0;
}

static int check_payloads(scn_parser *p)
{
    const sim_config *c = &p->sc->cfg;
    uint64_t max = c->raft.max_entry_bytes;
    for (uint32_t i = 0; i < c->n_clients; i++) {
        const sim_client_config *cl = &c->clients[i];
        if (cl->kind == SIM_CLIENT_READER)
            continue;
        uint64_t size = logbuf_cmd_size(cl->payload_bytes);
        if (max && size > max)
            return error_at(p, p->client_line[i], p->client_payload_col[i],
                            "expected a payload that fits max-entry: a %" PRIu64 "-byte "
                            "append (payload and header) exceeds max-entry %" PRIu64
                            " bytes, so a leader would refuse every write",
                            size, max);
    }
    return 0;
}

/* At whichever of `heartbeat` / `election-timeout` was written last. */
int scn_check_timing(scn_parser *p)
{
    const raft_config *r = &p->sc->cfg.raft;
    if (r->heartbeat_ns < r->election_timeout_min_ns)
        return 0;
    if (p->heartbeat_line >= p->timeout_line)
        return error_at(p, p->heartbeat_line, p->heartbeat_col, "expected a heartbeat interval "
                        "below the minimum election timeout, or followers time out between "
                        "heartbeats");
    return error_at(p, p->timeout_line, p->timeout_col, "expected a minimum election timeout "
                    "above the heartbeat interval, or followers time out between heartbeats");
}

int scn_check_limits(scn_parser *p)
{
    int rc = check_run_length(p);
    if (!rc)
        rc = check_payloads(p);
    return rc ? rc : scn_check_timing(p);
}
