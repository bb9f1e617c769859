/* scenario_cmds.c — the top-level commands of the scenario language: the
 * cluster, Raft options, network and disk defaults, the workload, run length.
 * One handler per command; the table below is the language's index, and its
 * examples are shown in scenarios/README.md and parsed by the tests. */
#include <assert.h>
#include <string.h>

#include "scenario_int.h"

#define CFG (&p->sc->cfg)
#define RAFT (&p->sc->cfg.raft)

/* The value a handler parsed, then nothing more on the line. */
static int then_end(scn_parser *p, int rc)
{
    return rc ? rc : scn_end(p);
}

static int cmd_nodes(scn_parser *p)
{
    uint64_t n;
    if (p->pass == 1 && p->nodes_seen)
        return scn_error(p, p->ln->tok[0].col, "expected one `nodes` line, got a second one");
    p->nodes_seen = true;
    int rc = scn_uint(p, 1, SIM_MAX_NODES, "a number of nodes", &n);
    if (rc || (rc = scn_end(p)))
        return rc;
    CFG->n_nodes = (uint32_t)n;
    CFG->raft.n_nodes = (uint32_t)n;
    return 0;
}

static int cmd_protocol(scn_parser *p)
{
    const scn_tok *t = scn_next(p);
    if (scn_tok_is(t, "raft"))
        CFG->protocol = SIM_PROTO_RAFT;
    else if (scn_tok_is(t, "naive"))
        CFG->protocol = SIM_PROTO_NAIVE;
    else if (!t)
        return scn_error(p, scn_here(p), "expected a protocol (raft or naive)");
    else
        return scn_error(p, t->col, "expected a protocol (raft or naive), got '%.*s'",
                         (int)t->len, t->s);
    return scn_end(p);
}

static int cmd_election_timeout(scn_parser *p)
{
    uint64_t lo, hi;
    p->timeout_line = p->ln->line;
    p->timeout_col = scn_here(p);
    int rc = scn_duration(p, "a minimum election timeout (e.g. 150ms)", &lo);
    if (rc || (rc = scn_duration(p, "a maximum election timeout (e.g. 300ms)", &hi)))
        return rc;
    if (lo == 0 || hi < lo)
        return scn_error(p, p->ln->tok[p->pos - 1].col,
                         "expected a maximum at least as large as a non-zero minimum");
    RAFT->election_timeout_min_ns = lo;
    RAFT->election_timeout_max_ns = hi;
    return scn_end(p);
}

/* A duration that must not be zero, then the end of the line. */
static int nonzero_duration(scn_parser *p, const char *what, const char *name, uint64_t *out)
{
    uint64_t v;
    int rc = scn_duration(p, what, &v);
    if (rc)
        return rc;
    if (v == 0)
        return scn_error(p, p->ln->tok[p->pos - 1].col, "expected a non-zero %s", name);
    *out = v;
    return scn_end(p);
}

static int cmd_heartbeat(scn_parser *p)
{
    p->heartbeat_line = p->ln->line;
    p->heartbeat_col = scn_here(p);
    return nonzero_duration(p, "a heartbeat interval (e.g. 50ms)", "heartbeat",
                            &RAFT->heartbeat_ns);
}

static int cmd_prevote(scn_parser *p)
{
    return then_end(p, scn_onoff(p, "on or off", &RAFT->prevote));
}

static int cmd_heartbeat_idle_only(scn_parser *p)
{
    return then_end(p, scn_onoff(p, "on or off", &RAFT->heartbeat_idle_only));
}

/* Whose election-timer rule on a step-down (enum raft_stepdown_timer). */
static int cmd_stepdown_timer(scn_parser *p)
{
    static const char *const names[] = {"raftsim", "logcabin", "etcd"};
    const scn_tok *t = scn_next(p);
    for (uint8_t i = 0; i < 3; i++)
        if (scn_tok_is(t, names[i])) {
            RAFT->stepdown_timer = i;
            return scn_end(p);
        }
    if (!t)
        return scn_error(p, scn_here(p), "expected raftsim, logcabin or etcd");
    return scn_error(p, t->col, "expected raftsim, logcabin or etcd, got '%.*s'", (int)t->len,
                     t->s);
}

static int cmd_checkquorum(scn_parser *p)
{
    return then_end(p, scn_onoff(p, "on or off", &RAFT->check_quorum));
}

static int cmd_batch(scn_parser *p)
{
    uint64_t v = 1;
    int rc = 0;
    if (scn_peek_is(p, "off"))
        p->pos++;
    else
        rc = scn_uint(p, 1, RAFT_MAX_BATCH, "entries per message (or off)", &v);
    if (rc)
        return rc;
    RAFT->max_entries_per_msg = (uint32_t)v;
    return scn_end(p);
}

static int size32(scn_parser *p, const char *what, uint32_t *out)
{
    uint64_t v;
    int rc = scn_size(p, what, &v);
    if (rc)
        return rc;
    if (v == 0 || v > UINT32_MAX)
        return scn_error(p, p->ln->tok[p->pos - 1].col, "expected %s between 1B and 4GiB",
                         what);
    *out = (uint32_t)v;
    return scn_end(p);
}

static int cmd_max_bytes(scn_parser *p)
{
    return size32(p, "a size (e.g. 64KiB)", &RAFT->max_bytes_per_msg);
}

static int cmd_max_entry(scn_parser *p)
{
    return size32(p, "a size (e.g. 4KiB)", &RAFT->max_entry_bytes);
}

static int cmd_snapshot_chunk(scn_parser *p)
{
    return size32(p, "a size (e.g. 16KiB)", &RAFT->snapshot_chunk_bytes);
}

static int cmd_pipeline(scn_parser *p)
{
    uint64_t v;
    int rc = scn_uint(p, 1, 1024, "a pipeline window", &v);
    if (rc)
        return rc;
    RAFT->pipeline_window = (uint32_t)v;
    return scn_end(p);
}

static int cmd_inflight_bytes(scn_parser *p)
{
    uint64_t v;
    int rc = scn_size(p, "a size (e.g. 256KiB)", &v);
    if (rc)
        return rc;
    if (v == 0)
        return scn_error(p, p->ln->tok[p->pos - 1].col, "expected a size of at least 1B");
    RAFT->max_inflight_bytes = v;
    return scn_end(p);
}

static int cmd_retransmit_max(scn_parser *p)
{
    return nonzero_duration(p, "a retransmission timeout cap (e.g. 1s)", "retransmit-max",
                            &RAFT->retransmit_max_ns);
}

/* snapshot every N keep M | snapshot off */
static int cmd_snapshot(scn_parser *p)
{
    if (scn_peek_is(p, "off")) {
        p->pos++;
        RAFT->snapshot_threshold = 0;
        RAFT->snapshot_trailing = 0;
        return scn_end(p);
    }
    uint64_t every, keep = 0;
    int rc = scn_keyword(p, "every");
    if (rc || (rc = scn_uint(p, 1, UINT32_MAX, "a number of applied entries", &every)))
        return rc;
    if (scn_peek_is(p, "keep")) {
        p->pos++;
        if ((rc = scn_uint(p, 0, UINT32_MAX, "a number of entries to keep", &keep)))
            return rc;
    }
    RAFT->snapshot_threshold = every;
    RAFT->snapshot_trailing = keep;
    return scn_end(p);
}

static int cmd_logbuf(scn_parser *p)
{
    uint64_t records, bytes;
    int rc = scn_uint(p, 1, UINT32_MAX, "a number of records", &records);
    if (rc || (rc = scn_keyword(p, "records")) || (rc = scn_size(p, "a size (e.g. 1MiB)", &bytes)))
        return rc;
    CFG->logbuf_max_records = records;
    CFG->logbuf_max_bytes = bytes;
    return scn_end(p);
}

static int cmd_latency(scn_parser *p)
{
    return then_end(p, scn_dist(p, &CFG->net.latency));
}

static int cmd_drop(scn_parser *p)
{
    return scn_cmd_net_fault(p, SIM_PARAM_DROP);
}

static int cmd_duplicate(scn_parser *p)
{
    return scn_cmd_net_fault(p, SIM_PARAM_DUP);
}

static int cmd_reorder(scn_parser *p)
{
    return scn_cmd_net_fault(p, SIM_PARAM_REORDER);
}

static int cmd_delay(scn_parser *p)
{
    return scn_cmd_net_fault(p, SIM_PARAM_DELAY);
}

static int cmd_bandwidth(scn_parser *p)
{
    return then_end(p, scn_bandwidth(p, &CFG->net.bandwidth_Bps));
}

static int cmd_fsync(scn_parser *p)
{
    return then_end(p, scn_dist(p, &CFG->disk.fsync));
}

static int cmd_torn_writes(scn_parser *p)
{
    return then_end(p, scn_onoff(p, "on or off", &CFG->disk.torn_writes));
}

static int cmd_duration(scn_parser *p)
{
    p->duration_line = p->ln->line;
    p->duration_col = scn_here(p);
    uint64_t v;
    int rc = scn_run_time(p, "a run length (e.g. 10s)", "run length", &v);
    if (rc)
        return rc;
    if (v == 0)
        return scn_error(p, p->duration_col, "expected a non-zero run length");
    CFG->duration_ns = v;
    return scn_end(p);
}

static int cmd_seed(scn_parser *p)
{
    int rc = scn_uint(p, 0, UINT64_MAX, "a seed (a number)", &p->sc->seed);
    if (rc)
        return rc;
    p->sc->has_seed = true;
    return scn_end(p);
}

static int cmd_max_events(scn_parser *p)
{
    return then_end(p, scn_uint(p, 0, UINT64_MAX, "a number of events (0 = no limit)",
                                &CFG->max_events));
}

/* liveness connected-majority within 3s | liveness connected-majority off */
static int liveness_connected(scn_parser *p)
{
    p->pos++;
    if (scn_peek_is(p, "off")) {
        p->pos++;
        CFG->connected_liveness = false;
        return scn_end(p);
    }
    int rc = scn_keyword(p, "within");
    if (rc || (rc = scn_duration(p, "a duration (e.g. 3s)", &CFG->connected_within_ns)))
        return rc;
    CFG->connected_liveness = true;
    return scn_end(p);
}

/* liveness heal-at 8s within 5s | liveness off | liveness connected-majority ... */
static int cmd_liveness(scn_parser *p)
{
    if (scn_peek_is(p, "connected-majority"))
        return liveness_connected(p);
    if (scn_peek_is(p, "off")) {
        p->pos++;
        CFG->liveness = false;
        return scn_end(p);
    }
    p->liveness_line = p->ln->line;
    p->liveness_col = scn_here(p);
    int rc = scn_keyword(p, "heal-at");
    if (rc || (rc = scn_run_time(p, "a time (e.g. 8s)", "heal time", &CFG->heal_at_ns)) ||
        (rc = scn_keyword(p, "within")) ||
        (rc = scn_run_time(p, "a duration (e.g. 5s)", "convergence bound",
                           &CFG->converge_within_ns)))
        return rc;
    CFG->liveness = true;
    return scn_end(p);
}

/* bug NAME: a deliberate mistake from the catalogue (honoured only in the
 * `make bugs` build); `bug none` clears them. */
static int cmd_bug(scn_parser *p)
{
    const scn_tok *t = scn_next(p);
    if (!t)
        return scn_error(p, scn_here(p), "expected a bug name from the catalogue (or none)");
    if (scn_tok_is(t, "none")) {
        RAFT->bugs = 0;
        return scn_end(p);
    }
    for (int i = 0; i < RAFT_BUG__COUNT; i++)
        if (scn_tok_is(t, raft_bug_flag(i))) {
            RAFT->bugs |= UINT64_C(1) << i;
            return scn_end(p);
        }
    return scn_error(p, t->col, "expected a bug name from the catalogue (e.g. %s), got '%.*s'",
                     raft_bug_flag(0), (int)t->len, t->s);
}

static int cmd_chaos_expanded(scn_parser *p)
{
    p->sc->chaos_expanded = true;
    return scn_end(p);
}

int scn_cmd_client(scn_parser *p);
int scn_cmd_chaos(scn_parser *p);

static const scn_command top_commands[] = {
    { "nodes", cmd_nodes, "nodes 5", true },
    { "protocol", cmd_protocol, "protocol raft", true },
    { "election-timeout", cmd_election_timeout, "election-timeout 150ms 300ms", true },
    { "heartbeat", cmd_heartbeat, "heartbeat 50ms", true },
    { "heartbeat-idle-only", cmd_heartbeat_idle_only, "heartbeat-idle-only on", true },
    { "prevote", cmd_prevote, "prevote on", true },
    { "checkquorum", cmd_checkquorum, "checkquorum on", true },
    { "stepdown-timer", cmd_stepdown_timer, "stepdown-timer logcabin", true },
    { "batch", cmd_batch, "batch 64", true },
    { "max-bytes", cmd_max_bytes, "max-bytes 64KiB", true },
    { "max-entry", cmd_max_entry, "max-entry 4KiB", true },
    { "pipeline", cmd_pipeline, "pipeline 4", true },
    { "inflight-bytes", cmd_inflight_bytes, "inflight-bytes 256KiB", true },
    { "retransmit-max", cmd_retransmit_max, "retransmit-max 1s", true },
    { "snapshot", cmd_snapshot, "snapshot every 1000 keep 100", true },
    { "snapshot-chunk", cmd_snapshot_chunk, "snapshot-chunk 16KiB", true },
    { "logbuf", cmd_logbuf, "logbuf 10000 records 1MiB", true },
    { "latency", cmd_latency, "latency uniform 1ms 5ms", true },
    { "drop", cmd_drop, "drop 1%", true },
    { "duplicate", cmd_duplicate, "duplicate 0.5%", true },
    { "reorder", cmd_reorder, "reorder 1% 5ms", true },
    { "delay", cmd_delay, "delay append 20ms", true },
    { "client-links", scn_cmd_client_links, "client-links reliable", true },
    { "bandwidth", cmd_bandwidth, "bandwidth 10MB/s", true },
    { "fsync", cmd_fsync, "fsync uniform 1ms 3ms", true },
    { "torn-writes", cmd_torn_writes, "torn-writes on", true },
    { "client", scn_cmd_client, "client c1 writer rate 1000/s payload 64", false },
    { "duration", cmd_duration, "duration 10s", true },
    { "seed", cmd_seed, "seed 42", true },
    { "max-events", cmd_max_events, "max-events 50000000", true },
    { "liveness", cmd_liveness, "liveness heal-at 8s within 5s", true },
    { "bug", cmd_bug, "bug no-uptodate-check", true },
    { "at", scn_parse_at, "at 2s crash leader", false },
    { "expect", scn_parse_expect, "expect committed >= 1000", false },
    { "chaos", scn_cmd_chaos, "chaos {", false },
    { "explore", scn_cmd_explore, "explore {", false },
    { "repeat", scn_cmd_repeat, "repeat 10 every 100ms from 1s {", false },
    { "chaos-expanded", cmd_chaos_expanded, "chaos-expanded", false },
};

const scn_command *scn_top_commands(size_t *n)
{
    *n = sizeof top_commands / sizeof *top_commands;
    return top_commands;
}
