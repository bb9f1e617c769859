/* raft.c — the node's entry points (raft_tick, raft_receive, raft_propose,
 * raft_persisted, raft_next_deadline), the dispatch of messages to their
 * handlers, and the durable outbox. The top of the node: no handler calls
 * back into this file (roles: raft_role.c; host helpers: raft_host.c).
 *
 * Persistence is asynchronous (thesis §10.2.1): every change of term, vote or
 * log is issued as a raft_write with an increasing token, and the host later
 * reports raft_persisted(token). Messages that promise something durable (a
 * vote, an accepted append, a candidate's RequestVote that carries its new
 * term and self-vote) wait in the outbox until every write issued before them
 * is durable; if the host never reports (a crash) they are never sent.
 */
#include "raft_internal.h"

#include <stdlib.h>
#include <string.h>

/* ---- calls into the node ---- */

/* Bracket a public entry point; `outer` is false for a nested call (a host
 * calling back into the node), which keeps the outer call's reading. */
static bool call_enter(raft_node *r)
{
    bool outer = !r->in_call;
    r->in_call = true;
    return outer;
}

static void call_leave(raft_node *r, bool outer)
{
    if (outer) {
        r->in_call = false;
        r->now_valid = false;
    }
}

static void outbox_release(raft_node *r)
{
    while (r->outbox.count) {
        raft_outbox_item *it = raft__fifo_at(&r->outbox, 0);
        if (it->token > r->persisted_token)
            break;
        /* Popped first, sent from its slot: a pop leaves the slot's bytes
         * in place, and raft__send has encoded them before the host's send
         * could call back into the node and push onto the outbox. */
        raft__fifo_pop(&r->outbox);
        /* A promise made in an older term is void: the log it described may
         * have been rewritten by a newer leader since. */
        if (it->msg.term == r->term)
            raft__send(r, it->to, &it->msg);
    }
}

/* Paper Figure 2 ("updated on stable storage before responding to RPCs"),
 * thesis §10.2.1: what became durable may now be promised and counted. */
static void persisted(raft_node *r, uint64_t token)
{
    if (token <= r->persisted_token)
        return;
    if (token > r->last_token)
        token = r->last_token; /* the host cannot make unissued writes durable */
    r->persisted_token = token;
    raft__event(r, RAFT_EV_PERSISTED, token, 0);
    uint64_t old_durable = r->durable_index;
    while (r->writes.count) {
        raft_pending_write *pw = raft__fifo_at(&r->writes, 0);
        if (pw->token > token)
            break;
        r->durable_index = pw->last_index;
        raft__fifo_pop(&r->writes);
    }
    raft__assert_indexes(r);
    if (r->taking_token && r->taking_token <= token)
        raft__snapshot_durable(r);
    if (r->role == RAFT_CANDIDATE)
        raft__candidate_vote_durable(r);
    if (r->role == RAFT_LEADER)
        raft__leader_durable_rose(r, old_durable);
    outbox_release(r);
}

/* Thesis §10.2.1: the host reports writes durable in token order; a token
 * covers every earlier one. */
void raft_persisted(raft_node *r, uint64_t token)
{
    assert(r != NULL);
    bool outer = call_enter(r);
    persisted(r, token);
    call_leave(r, outer);
}

/* ---- timers ---- */

/* Paper Figure 2: a leader sends heartbeats in idle periods (§5.2); a
 * follower or candidate whose election timeout elapses starts an election. */
static void tick(raft_node *r)
{
    uint64_t now = raft__now(r);
    if (r->role == RAFT_LEADER) {
        raft__transfer_tick(r, now);
        if (r->read_round_due && now >= r->read_round_ns)
            raft__read_round(r);
        if (r->role == RAFT_LEADER && now >= r->heartbeat_deadline_ns) {
            r->heartbeat_deadline_ns = now + r->cfg.heartbeat_ns;
            raft__heartbeat_all(r);
        }
        return;
    }
    if (now >= r->election_deadline_ns)
        raft__election_timeout(r);
}

void raft_tick(raft_node *r)
{
    assert(r != NULL);
    bool outer = call_enter(r);
    tick(r);
    call_leave(r, outer);
}

uint64_t raft_next_deadline(const raft_node *r)
{
    assert(r != NULL);
    if (r->role != RAFT_LEADER)
        return r->election_deadline_ns;
    uint64_t d = r->heartbeat_deadline_ns;
    if (r->transfer_target != RAFT_NONE && r->transfer_deadline_ns < d)
        d = r->transfer_deadline_ns;
    if (r->read_round_due && r->read_round_ns < d)
        d = r->read_round_ns;
    return d;
}

/* ---- receiving ---- */

static void dispatch(raft_node *r, const raft_msg *m)
{
    switch (m->type) {
    case RAFT_MSG_REQUEST_VOTE: raft__recv_request_vote(r, m); break;
    case RAFT_MSG_REQUEST_VOTE_RESP: raft__recv_request_vote_resp(r, m); break;
    case RAFT_MSG_APPEND_ENTRIES: raft__recv_append(r, m); break;
    case RAFT_MSG_APPEND_ENTRIES_RESP: raft__recv_append_resp(r, m); break;
    case RAFT_MSG_INSTALL_SNAPSHOT: raft__recv_install_snapshot(r, m); break;
    case RAFT_MSG_INSTALL_SNAPSHOT_RESP: raft__recv_install_snapshot_resp(r, m); break;
    case RAFT_MSG_TIMEOUT_NOW: raft__recv_timeout_now(r, m); break;
    default: assert(0 && "filtered by raft_receive");
    }
}

/* Paper Figure 2, all servers: every RPC is answered by its rule; a peer
 * heard in our term or later counts as alive (CheckQuorum, thesis §6.2). */
static int receive(raft_node *r, raft_id from, const uint8_t *buf, size_t len)
{
    raft_msg m;
    bool ok = buf != NULL && from >= 1 && from <= r->cfg.n_nodes && from != r->cfg.id &&
              raft_msg_decode(buf, len, &m, r->scratch, RAFT_MAX_BATCH) == RAFT_OK &&
              m.from == from && m.type >= RAFT_MSG_REQUEST_VOTE &&
              m.type <= RAFT_MSG_TIMEOUT_NOW;
    if (!ok) {
        r->msgs_malformed++;
        return RAFT_EMSG;
    }
    r->msgs[raft__msg_slot(m.type)].recv++;
    r->bytes_recv += len;
    if (m.term >= r->term) {
        uint64_t now = raft__now(r); /* first: fewer values live across the host's call */
        raft_peer *p = &r->peers[m.from - 1];
        p->last_heard_ns = now;
        p->heard = true;
    }
    dispatch(r, &m);
    return RAFT_OK;
}

int raft_receive(raft_node *r, raft_id from, const uint8_t *buf, size_t len)
{
    assert(r != NULL); /* the message itself is input: checked, never asserted */
    bool outer = call_enter(r);
    int rc = receive(r, from, buf, len);
    call_leave(r, outer);
    return rc;
}

/* ---- proposals ---- */

/* Paper Figure 2, leaders: a client command is appended to the local log and
 * sent to every follower; no new commands during a transfer (thesis §3.10). */
static int propose(raft_node *r, const void *data, size_t len, uint64_t *index,
                   uint64_t *term)
{
    if (r->role != RAFT_LEADER)
        return RAFT_ENOTLEADER;
    if (r->transfer_target != RAFT_NONE)
        return RAFT_EBUSY;
    if (len > r->cfg.max_entry_bytes || len > UINT32_MAX)
        return RAFT_ETOOBIG;
    if (len && !data)
        return RAFT_EINVAL;
    if (r->writes.count >= r->writes.max) { /* the disk is that far behind */
        raft__limit_hit(r, RAFT_LIMIT_WRITES, r->writes.count);
        return RAFT_ELIMIT;
    }
    int rc = raft__append_local(r, RAFT_ENTRY_DATA, data, (uint32_t)len);
    if (rc != RAFT_OK)
        return rc;
    if (index)
        *index = raft_log_last_index(&r->log);
    if (term)
        *term = r->term;
    for (raft_id id = 1; id <= r->cfg.n_nodes; id++)
        if (id != r->cfg.id)
            raft__replicate(r, id);
    raft__leader_commit_check(r); /* single node with an instant disk */
    return RAFT_OK;
}

int raft_propose(raft_node *r, const void *data, size_t len, uint64_t *index, uint64_t *term)
{
    assert(r != NULL);
    bool outer = call_enter(r);
    int rc = propose(r, data, len, index, term);
    call_leave(r, outer);
    return rc;
}
