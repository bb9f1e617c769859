/* raft.c — node lifecycle, timers, roles, persistence and the durable outbox.
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

/* ---- small FIFO ---- */

/* Double the capacity (16 at first), unrolling the ring to slot 0; never
 * past the FIFO's bound. */
int raft__fifo_grow(raft_fifo *f)
{
    assert(f->max >= 16 && (f->max & (f->max - 1)) == 0);
    if (f->cap >= f->max)
        return RAFT_ELIMIT;
    size_t cap = f->cap ? f->cap * 2 : 16;
    uint8_t *p = malloc(cap * f->item_size);
    if (!p)
        return RAFT_ENOMEM;
    for (size_t i = 0; i < f->count; i++)
        memcpy(p + i * f->item_size, raft__fifo_at(f, i), f->item_size);
    free(f->items);
    f->items = p;
    f->cap = cap;
    f->head = 0;
    return RAFT_OK;
}

int raft__fifo_push(raft_fifo *f, const void *item)
{
    void *slot = raft__fifo_push_slot(f);
    if (!slot)
        return f->count >= f->max ? RAFT_ELIMIT : RAFT_ENOMEM;
    memcpy(slot, item, f->item_size);
    return RAFT_OK;
}

/* ---- helpers ---- */

/* Host time, raft__now's slow path. Within one call into the node
 * (raft_receive, raft_tick, raft_persisted, raft_propose) the host is asked
 * once and the reading reused: handling one input is an instant, and the
 * clock callback was a noticeable share of the cost of a message. Outside
 * such a call (other entry points) every use asks the host. */
uint64_t raft__now_read(raft_node *r)
{
    uint64_t now = r->io.now(r->io.ctx);
    if (r->in_call) {
        r->now_ns = now;
        r->now_valid = true;
    }
    return now;
}

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

void raft__event(raft_node *r, enum raft_event_kind kind, uint64_t a, uint64_t b)
{
    if (!r->io.event)
        return;
    raft_event ev = {.kind = kind, .a = a, .b = b};
    r->io.event(r->io.ctx, &ev);
}

/* A queue is at its bound (raft.h, enum raft_limit): tell the host. */
void raft__limit_hit(raft_node *r, enum raft_limit limit, uint64_t length)
{
    assert(limit < RAFT_LIMIT__COUNT);
    r->limit_hits[limit]++;
    raft__event(r, RAFT_EV_LIMIT, limit, length);
}

uint32_t raft__majority(const raft_node *r) { return r->cfg.n_nodes / 2 + 1; }

bool raft__heard_leader_recently(raft_node *r)
{
    if (r->role == RAFT_LEADER)
        return true;
    return r->leader_contact &&
           raft__now(r) - r->leader_contact_ns < r->cfg.election_timeout_min_ns;
}

/* ---- sending ---- */

static bool ensure_enc(raft_node *r, size_t need)
{
    if (need <= r->enc_cap)
        return true;
    size_t cap = r->enc_cap ? r->enc_cap : 4096;
    while (cap < need)
        cap *= 2;
    uint8_t *p = realloc(r->enc, cap);
    if (!p)
        return false;
    r->enc = p;
    r->enc_cap = cap;
    return true;
}

/* raft__send's slow path: the encoding buffer is too small (or not there
 * yet, before the first message) or the message is invalid. Size it (a
 * second validation pass) and encode again. */
size_t raft__send_encode_grow(raft_node *r, const raft_msg *m)
{
    size_t need = raft_msg_encoded_size(m);
    if (need == 0 || !ensure_enc(r, need))
        return 0; /* counts as a lost message; the protocol retries */
    size_t len = raft_msg_encode(m, r->enc, r->enc_cap);
    assert(len == need);
    return len;
}

/* A reply that promises only our term (and vote) and the log up to `index`:
 * at once if that much is already durable — a heartbeat answer need not wait
 * behind a slow write of newer entries — otherwise after every write so far. */
void raft__send_ack(raft_node *r, raft_id to, const raft_msg *m, uint64_t index)
{
    if (r->persisted_token >= r->hs_token && r->durable_index >= index) {
        raft__send(r, to, m);
        return;
    }
    raft__send_durable(r, to, m);
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

/* ---- persistence ---- */

/* The pending-writes queue is full (or cannot grow): track this write with
 * the newest pending one. Its log end becomes durable only with this write,
 * a little later than it really does: conservative, never wrong. The queue
 * always holds one (raft_new gives it room before any write). */
static void writes_merge(raft_node *r, uint64_t token, uint64_t last_index)
{
    assert(r->writes.count > 0);
    raft_pending_write *pw = raft__fifo_at(&r->writes, r->writes.count - 1);
    assert(pw->token < token);
    *pw = (raft_pending_write){.token = token, .last_index = last_index};
    raft__limit_hit(r, RAFT_LIMIT_WRITES, r->writes.count);
}

static inline uint64_t persist(raft_node *r, raft_write *w)
{
    w->token = ++r->last_token;
    w->hs.term = r->term;
    w->hs.vote = r->vote;
    uint64_t last = raft_log_last_index(&r->log);
    raft_pending_write *pw = raft__fifo_push_slot(&r->writes);
    if (pw)
        *pw = (raft_pending_write){.token = w->token, .last_index = last};
    else
        writes_merge(r, w->token, last);
    r->io.persist(r->io.ctx, w);
    return w->token;
}

uint64_t raft__persist_hs(raft_node *r)
{
    raft_write w = {.kind = RAFT_WRITE_ENTRIES};
    r->hs_token = persist(r, &w);
    return r->hs_token;
}

uint64_t raft__persist_entries(raft_node *r, uint64_t first, const raft_entry *e, size_t n)
{
    raft_write w = {.kind = RAFT_WRITE_ENTRIES, .first_index = first, .entries = e,
                    .n_entries = n};
    return persist(r, &w);
}

uint64_t raft__persist_snapshot(raft_node *r, raft_snapshot_meta meta, const uint8_t *data,
                                size_t len, bool keep_log)
{
    raft_write w = {.kind = RAFT_WRITE_SNAPSHOT, .snap = meta, .snap_data = data,
                    .snap_len = len, .keep_log = keep_log};
    return persist(r, &w);
}

/* The log was cut after `last_kept`: writes in flight no longer cover more. */
void raft__clamp_durable(raft_node *r, uint64_t last_kept)
{
    if (r->durable_index > last_kept)
        r->durable_index = last_kept;
    for (size_t i = 0; i < r->writes.count; i++) {
        raft_pending_write *pw = raft__fifo_at(&r->writes, i);
        if (pw->last_index > last_kept)
            pw->last_index = last_kept;
    }
    /* Queued acknowledgements of entries that are gone must not be sent. */
    for (size_t i = 0; i < r->outbox.count; i++) {
        raft_outbox_item *it = raft__fifo_at(&r->outbox, i);
        if (it->msg.type == RAFT_MSG_APPEND_ENTRIES_RESP && it->msg.aer.success &&
            it->msg.aer.match_index > last_kept)
            it->msg.term = 0; /* voids it: released only when term matches */
    }
}

static void persisted(raft_node *r, uint64_t token)
{
    if (r->stopped || token <= r->persisted_token)
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
    if (r->taking_token && r->taking_token <= token)
        raft__snapshot_durable(r);
    if (r->role == RAFT_CANDIDATE)
        raft__candidate_vote_durable(r);
    if (r->role == RAFT_LEADER)
        raft__leader_durable_rose(r, old_durable);
    outbox_release(r);
}

void raft_persisted(raft_node *r, uint64_t token)
{
    bool outer = call_enter(r);
    persisted(r, token);
    call_leave(r, outer);
}

/* ---- roles and terms ---- */

void raft__set_role(raft_node *r, enum raft_role role)
{
    if (r->role == role)
        return;
    if (r->role == RAFT_LEADER) {
        raft__reads_fail_all(r);
        r->transfer_target = RAFT_NONE;
    }
    r->role = role;
    raft__event(r, RAFT_EV_ROLE, (uint64_t)role, r->term);
}

/* Paper Figure 2, all servers: a higher term is adopted and the vote cleared. */
void raft__set_term(raft_node *r, uint64_t term)
{
    assert(term > r->term);
    r->term = term;
    r->vote = RAFT_NONE;
    r->leader = RAFT_NONE;
    raft__event(r, RAFT_EV_TERM, term, 0);
}

void raft__become_follower(raft_node *r, uint64_t term, raft_id leader)
{
    bool was_follower = r->role == RAFT_FOLLOWER, was_leader = r->role == RAFT_LEADER;
    if (term > r->term) {
        raft__set_term(r, term);
        if (!BUG(r, STEPDOWN_TERM_VOLATILE))
            raft__persist_hs(r);
    }
    raft__set_role(r, RAFT_FOLLOWER);
    if (leader != RAFT_NONE)
        r->leader = leader;
    /* Timer on step-down: Figure 2 names only granting and the leader's
     * AppendEntries; LogCabin re-arms a former leader only, etcd always
     * (see enum raft_stepdown_timer and reports/: study 1 shows all three). */
    bool rearm = r->cfg.stepdown_timer == RAFT_STEPDOWN_RESET_ALWAYS ||
                 (r->cfg.stepdown_timer == RAFT_STEPDOWN_RESET_LEADER ? was_leader : !was_follower);
    if (rearm)
        raft__reset_election_timer(r);
}

/* ---- commit and apply ---- */

/* ---- timers ---- */

static void tick(raft_node *r)
{
    if (r->stopped)
        return;
    uint64_t now = raft__now(r);
    if (r->role == RAFT_LEADER) {
        raft__transfer_tick(r, now);
        if (now >= r->heartbeat_deadline_ns) {
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
    bool outer = call_enter(r);
    tick(r);
    call_leave(r, outer);
}

uint64_t raft_next_deadline(const raft_node *r)
{
    if (r->role != RAFT_LEADER)
        return r->election_deadline_ns;
    uint64_t d = r->heartbeat_deadline_ns;
    if (r->transfer_target != RAFT_NONE && r->transfer_deadline_ns < d)
        d = r->transfer_deadline_ns;
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

static int receive(raft_node *r, raft_id from, const uint8_t *buf, size_t len)
{
    if (r->stopped)
        return RAFT_ESTOPPED;
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
    bool outer = call_enter(r);
    int rc = receive(r, from, buf, len);
    call_leave(r, outer);
    return rc;
}

/* ---- proposals ---- */

static int propose(raft_node *r, const void *data, size_t len, uint64_t *index,
                   uint64_t *term)
{
    if (r->stopped)
        return RAFT_ESTOPPED;
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
    bool outer = call_enter(r);
    int rc = propose(r, data, len, index, term);
    call_leave(r, outer);
    return rc;
}
