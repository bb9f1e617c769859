/* node_io.c — raft_io for one hosted node: time, randomness, sending,
 * persistence, applying to the log buffer, snapshots, reads and the event
 * observer that feeds the checker, the trace and the coverage counters. */
#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "../../core/msg.h"
#include "msg_peek.h"
#include "liveness_majority.h"
#include "node.h"

/* io_now's other cases (drift, a clock that jumped back), out of line so
 * that the common case saves no registers. */
static __attribute__((noinline)) uint64_t now_slow(sim_node *n)
{
    return node_local_now(n->s, n);
}

static uint64_t io_now(void *ctx)
{
    sim_node *n = ctx;
    uint64_t v = n->s->now;
    if (n->drift_ppm == 0 && v >= n->clk_v0) { /* the common case, inline */
        uint64_t l = n->clk_l0 + (v - n->clk_v0);
        if (l >= n->last_local) {
            n->last_local = l;
            return l;
        }
    }
    return now_slow(n);
}

static uint64_t io_random(void *ctx)
{
    sim_node *n = ctx;
    return rng_next(&n->r);
}

/* io_send's rare case: an AppendEntries from a leader the metrics do not
 * know yet. Out of line, the send its tail: the usual send then makes no
 * call before sim_send and saves no registers. */
static __attribute__((noinline)) void send_new_leader_ae(sim *s, sim_node *n, raft_id to,
                                                         const uint8_t *buf, size_t len)
{
    metrics_leader_ae(&s->met, n->id, n->term, s->now);
    sim_send(s, n->id, to, buf, len);
}

/* What a Raft node's message promises (check.h). A leader's messages
 * (AppendEntries, InstallSnapshot, TimeoutNow) promise nothing new: its
 * RequestVote promised its term. Every other message but PreVote's carries
 * the node's current term (the core drops queued messages of an older
 * term), so only a vote's message and the index an AppendEntries success
 * acknowledges need reading. Bit t set: type t promises something. */
#define PROMISING_TYPES                                                                   \
    ((1u << RAFT_MSG_REQUEST_VOTE) | (1u << RAFT_MSG_REQUEST_VOTE_RESP) |                 \
     (1u << RAFT_MSG_APPEND_ENTRIES_RESP) | (1u << RAFT_MSG_INSTALL_SNAPSHOT_RESP))

/* The rarer promises, out of line, the send its tail: votes asked and
 * granted (PreVotes aside: they ask, change and promise nothing, thesis
 * §9.6), a term answered in. */
static __attribute__((noinline)) void send_noting_other(sim *s, sim_node *n, raft_id to,
                                                        const uint8_t *buf, size_t len)
{
    checker *c = &s->chk;
    uint64_t term = len >= PEEK_MIN_LEN ? peek_term(buf) : 0;
    if (buf[1] == RAFT_MSG_REQUEST_VOTE) {
        if (!peek_u8(buf, len, PEEK_RV_PREVOTE)) {
            chk_vote(c, n->id, n->id, term); /* its vote for itself */
            chk_sent_vote(c, n->id, n->id, term);
        }
    } else if (buf[1] == RAFT_MSG_REQUEST_VOTE_RESP) {
        if (peek_u8(buf, len, PEEK_RVR_PREVOTE))
            ; /* promises nothing */
        else if (peek_u8(buf, len, PEEK_RVR_GRANTED))
            chk_vote_granted_sent(c, n->id, to, term);
        else
            chk_sent_term(c, n->id, term);
    } else {
        chk_sent_term(c, n->id, n->term);
    }
    sim_send(s, n->id, to, buf, len);
}

/* Every call ends in a tail call (no frame, no register saves: this runs
 * on every message). */
static void io_send(void *ctx, raft_id to, const uint8_t *buf, size_t len)
{
    sim_node *n = ctx;
    sim *s = n->s;
    if (!n->up || to < 1 || to > s->cfg.n_nodes)
        return;
    uint8_t type = len >= 2 ? buf[1] : 0;
    if (type == RAFT_MSG_APPEND_ENTRIES) {
        if (n->role == RAFT_LEADER && !metrics_leader_ae_known(&s->met, n->id, n->term, s->now)) {
            send_new_leader_ae(s, n, to, buf, len);
            return;
        }
    } else if (type == RAFT_MSG_APPEND_ENTRIES_RESP && len >= PEEK_AER_MATCH + 8 &&
               buf[PEEK_AER_SUCCESS]) {
        chk_sent_ack(&s->chk, n->id, n->term, peek_u64(buf + PEEK_AER_MATCH));
    } else if (type < 32 && ((PROMISING_TYPES >> type) & 1)) {
        send_noting_other(s, n, to, buf, len);
        return;
    }
    sim_send(s, n->id, to, buf, len);
}

static void io_persist(void *ctx, const raft_write *w)
{
    sim_node *n = ctx;
    node_persist(n->s, n, w);
}

/* Exactly-once across nodes (thesis §6.3): every node decides the same at
 * index — stored there, or a duplicate answered with the same index. */
static void check_decision(sim *s, sim_node *n, uint64_t index, const logbuf_result *res)
{
    bool prev_dup;
    uint64_t prev_at;
    if (hist_note_decision(&s->hist, index, res->duplicate, res->index, &prev_dup, &prev_at) ==
        -1)
        sim_fail(s, SIM_V_EXACTLY_ONCE, n->id, index,
                 "n%u applied the command at %llu as %s %llu; another node as %s %llu",
                 n->id, (unsigned long long)index, res->duplicate ? "a duplicate of" : "stored at",
                 (unsigned long long)res->index, prev_dup ? "a duplicate of" : "stored at",
                 (unsigned long long)prev_at);
}

static void io_apply(void *ctx, uint64_t index, const raft_entry *e)
{
    sim_node *n = ctx;
    sim *s = n->s;
    if (index > s->chk.nodes[n->id].commit) /* before anything is acknowledged */
        chk_fail(&s->chk, SIM_V_APPLIED_PAST_COMMIT, n->id, 0, index, e->term,
                 "n%u applies %llu beyond its commit index %llu", n->id,
                 (unsigned long long)index, (unsigned long long)s->chk.nodes[n->id].commit);
    logbuf_result res = {0};
    int rc = e->type == RAFT_ENTRY_DATA ? logbuf_apply(n->lb, index, e->data, e->len, &res)
                                        : logbuf_apply_noop(n->lb, index);
    if (rc != 0) {
        sim_fail(s, SIM_V_STATE_MACHINE_SAFETY, n->id, index,
                 "n%u applied index %llu out of order", n->id, (unsigned long long)index);
        return;
    }
    if (e->type == RAFT_ENTRY_DATA) {
        check_decision(s, n, index, &res);
        node_client_applied(s, n, index, e, &res);
    }
    if (n->reads_ready)
        node_answer_reads(s, n);
}

static uint8_t *io_snapshot_take(void *ctx, uint64_t index, size_t *len)
{
    sim_node *n = ctx;
    (void)index;
    size_t size = logbuf_snapshot_size(n->lb);
    uint8_t *buf = malloc(size ? size : 1);
    if (!buf)
        return NULL;
    *len = logbuf_snapshot_write(n->lb, buf, size);
    if (*len == 0) {
        free(buf);
        return NULL;
    }
    return buf;
}

static void io_snapshot_restore(void *ctx, const raft_snapshot_meta *meta, const uint8_t *data,
                                size_t len)
{
    sim_node *n = ctx;
    int rc = logbuf_restore(n->lb, data, len);
    if (rc == LOGBUF_EDIGEST)
        sim_fail(n->s, SIM_V_DIGEST_MISMATCH, n->id, meta->index,
                 "n%u: the snapshot at %llu restores a state whose digest is not the "
                 "one it records", n->id, (unsigned long long)meta->index);
    else if (rc != 0)
        sim_fail(n->s, SIM_V_STATE_MACHINE_SAFETY, n->id, meta->index,
                 "n%u could not restore the snapshot at %llu", n->id,
                 (unsigned long long)meta->index);
}

static void io_read_ready(void *ctx, uint64_t req_id, int status, uint64_t index)
{
    sim_node *n = ctx;
    node_read_ready(n->s, n, req_id, status, index);
}

/* ---- events ---- */

/* The node's log entry at index. Raft's is read with raft_entry_at, the
 * function the table's entry wraps, which inlines (as node.c reads the
 * next deadline): the checker asks for every entry appended. */
static inline bool entry_at(const sim *s, const sim_node *n, uint64_t index, raft_entry *e)
{
    if (s->ops == &raft_proto_ops)
        return raft_entry_at(n->proto, index, e);
    return s->ops->entry_at(n->proto, index, e);
}

static uint64_t term_at(void *arg, uint64_t index)
{
    sim_node *n = arg;
    raft_entry e;
    if (!n->proto || !entry_at(n->s, n, index, &e))
        return 0;
    return e.term;
}

/* Tracing to a file: the appended entries' terms, run-length coded
 * ("terms":[[TERM,COUNT],..], trace.h), so a viewer can draw the log. */
static void trace_append_terms(sim *s, sim_node *n, uint64_t first, uint64_t last)
{
    char runs[TRACE_EXTRA_MAX - 64];
    size_t len = 0;
    uint64_t term = 0, count = 0;
    for (uint64_t i = first; i <= last + 1; i++) {
        raft_entry e = { .term = 0 };
        bool end = i > last || !n->proto || !entry_at(s, n, i, &e);
        if (count && (end || e.term != term)) {
            int w = snprintf(runs + len, sizeof runs - len, "%s[%llu,%llu]", len ? "," : "",
                             (unsigned long long)term, (unsigned long long)count);
            if (w < 0 || (size_t)w >= sizeof runs - len)
                break; /* more terms than fit: the viewer shows the rest as unknown */
            len += (size_t)w;
            count = 0;
        }
        if (end)
            break;
        term = e.term;
        count++;
    }
    trace_extra(&s->tr, "\"terms\":[%.*s]", (int)len, runs);
}

static void ev_append(sim *s, sim_node *n, uint64_t first, uint64_t last)
{
    if (s->tr.out)
        trace_append_terms(s, n, first, last);
    trace_emit(&s->tr, s->now, TR_APPEND, n->id, 0, 0, first, last);
    if (!n->proto)
        return; /* during creation: the boot entries were fed already */
    for (uint64_t i = first; i <= last; i++) {
        raft_entry e;
        if (!entry_at(s, n, i, &e)) {
            sim_fail(s, SIM_V_LOG_MATCHING, n->id, i,
                     "n%u reported appending %llu but does not hold it", n->id,
                     (unsigned long long)i);
            return;
        }
        chk_append(&s->chk, n->id, i, e.term, chk_entry_hash(e.term, e.type, e.data, e.len));
    }
}

static void ev_commit(sim *s, sim_node *n, uint64_t commit, uint64_t old)
{
    trace_emit(&s->tr, s->now, TR_COMMIT, n->id, 0, 0, commit, old);
    uint64_t before = s->chk.committed;
    chk_commit(&s->chk, n->id, commit, term_at, n);
    if (s->chk.committed > before)
        u64vec_bump(&s->met.tput_commits, s->now / METRICS_BUCKET_NS,
                    s->chk.committed - before);
    if (n->lb)
        logbuf_note_commit(n->lb, commit);
}

static void ev_role(sim *s, sim_node *n, enum raft_role role, uint64_t term)
{
    trace_emit(&s->tr, s->now, TR_ROLE, n->id, 0, role, term, 0);
    enum raft_role old = n->role;
    n->role = role;
    n->term = term;
    chk_role(&s->chk, n->id, role, term);
    if (old == RAFT_CANDIDATE && role == RAFT_PRECANDIDATE) /* (without PreVote: CAMPAIGN) */
        sim_cover(s, SIM_COV_SPLIT_VOTE); /* an election timed out undecided */
    if (role == RAFT_LEADER)
        sim_set_leader(s, n->id, term);
    else if (old == RAFT_LEADER)
        sim_leader_gone(s, n->id);
    if (role == RAFT_LEADER || old == RAFT_LEADER)
        liveness_role(s, n->id, role);
}

static void ev_snapshot_installed(sim *s, sim_node *n, uint64_t index, uint64_t term)
{
    trace_emit(&s->tr, s->now, TR_SNAP_INSTALLED, n->id, 0, 0, index, term);
    sim_cover(s, SIM_COV_SNAPSHOT_INSTALLED);
    raft_status st;
    s->ops->get_status(n->proto, &st);
    chk_snapshot_installed(&s->chk, n->id, index, term, st.last_index, logbuf_digest(n->lb));
}

static void ev_other(sim *s, sim_node *n, const raft_event *ev)
{
    static const int8_t cover[RAFT_EV__COUNT] = {
        [RAFT_EV_PREVOTE_REFUSED] = SIM_COV_PREVOTE_REFUSED + 1,
        [RAFT_EV_STEPDOWN_QUORUM] = SIM_COV_CHECKQUORUM_STEPDOWN + 1,
        [RAFT_EV_STEPDOWN_TERM] = SIM_COV_STEPDOWN_TERM + 1,
        [RAFT_EV_OLD_TERM_COMMITTED] = SIM_COV_OLD_TERM_COMMITTED + 1,
        [RAFT_EV_TRANSFER_START] = SIM_COV_TRANSFER + 1,
    };
    if (ev->kind < RAFT_EV__COUNT && cover[ev->kind])
        sim_cover(s, (enum sim_coverage)(cover[ev->kind] - 1));
    trace_emit(&s->tr, s->now, TR_RAFT, n->id, 0, ev->kind, ev->a, ev->b);
}

static void io_event(void *ctx, const raft_event *ev)
{
    /* One event in five needs nothing (traced by the host as "persist",
     * no coverage counter): leave before any other work. */
    if (ev->kind == RAFT_EV_PERSISTED)
        return;
    sim_node *n = ctx;
    sim *s = n->s;
    switch (ev->kind) {
    case RAFT_EV_ROLE: ev_role(s, n, (enum raft_role)ev->a, ev->b); break;
    case RAFT_EV_TERM:
        trace_emit(&s->tr, s->now, TR_TERM, n->id, 0, 0, ev->a, 0);
        n->term = ev->a;
        chk_term(&s->chk, n->id, ev->a);
        break;
    case RAFT_EV_VOTE:
        trace_emit(&s->tr, s->now, TR_VOTE, n->id, (uint32_t)ev->a, 0, ev->b, 0);
        chk_vote(&s->chk, n->id, (raft_id)ev->a, ev->b);
        break;
    case RAFT_EV_APPEND: ev_append(s, n, ev->a, ev->b); break;
    case RAFT_EV_TRUNCATE:
        trace_emit(&s->tr, s->now, TR_TRUNCATE, n->id, 0, 0, ev->a, ev->b);
        sim_cover(s, SIM_COV_TRUNCATED);
        chk_truncate(&s->chk, n->id, ev->a);
        break;
    case RAFT_EV_COMMIT: ev_commit(s, n, ev->a, ev->b); break;
    case RAFT_EV_APPLY:
        trace_emit(&s->tr, s->now, TR_APPLY, n->id, 0, 0, ev->a, 0);
        chk_apply(&s->chk, n->id, ev->a, n->lb ? logbuf_digest(n->lb) : 0);
        break;
    case RAFT_EV_SNAPSHOT_TAKEN:
        trace_emit(&s->tr, s->now, TR_SNAP_TAKEN, n->id, 0, 0, ev->a, ev->b);
        chk_snapshot_taken(&s->chk, n->id, ev->a);
        break;
    case RAFT_EV_SNAPSHOT_INSTALLED: ev_snapshot_installed(s, n, ev->a, ev->b); break;
    case RAFT_EV_CAMPAIGN: /* every election, a candidate's retry included; not traced
                            * (the term and role lines say it), so hashes stay */
        n->elections++;
        s->met.elections++;
        if (ev->b == RAFT_CANDIDATE)
            sim_cover(s, SIM_COV_SPLIT_VOTE); /* its last election timed out undecided */
        break;
    default: ev_other(s, n, ev); break;
    }
}

void node_io_init(sim_node *n, raft_io *io)
{
    memset(io, 0, sizeof *io);
    io->ctx = n;
    io->now = io_now;
    io->random = io_random;
    io->send = io_send;
    io->persist = io_persist;
    io->apply = io_apply;
    io->snapshot_take = io_snapshot_take;
    io->snapshot_restore = io_snapshot_restore;
    io->read_ready = io_read_ready;
    io->event = io_event;
}
