/* node_client.c — the log-buffer service at a node: client appends (with
 * session deduplication, thesis §6.3) and linearizable reads (ReadIndex,
 * thesis §6.4), and their answers. */
#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "../../core/msg.h"
#include "grow.h"
#include "node.h"

static void reply(sim *s, sim_node *n, sim_ep to, const raft_msg *m)
{
    size_t size = raft_msg_encoded_size(m);
    uint8_t *buf = sim_scratch(s, size);
    if (!buf)
        return;
    size_t len = raft_msg_encode(m, buf, size);
    assert(len == size);
    sim_send(s, n->id, to, buf, len);
}

static void reply_append(sim *s, sim_node *n, sim_ep to, uint64_t session, uint64_t seq,
                         uint8_t status, raft_id hint, uint64_t index)
{
    raft_msg m = {.type = RAFT_MSG_CLIENT_APPEND_RESP, .from = n->id};
    m.cappr.client_id = session;
    m.cappr.seq = seq;
    m.cappr.status = status;
    m.cappr.leader_hint = hint;
    m.cappr.index = index;
    reply(s, n, to, &m);
}

static void reply_read(sim *s, sim_node *n, sim_ep to, uint64_t session, uint64_t seq,
                       uint8_t status, raft_id hint)
{
    raft_msg m = {.type = RAFT_MSG_CLIENT_READ_RESP, .from = n->id};
    m.creadr.client_id = session;
    m.creadr.seq = seq;
    m.creadr.status = status;
    m.creadr.leader_hint = hint;
    if (status == RAFT_CLIENT_OK) {
        logbuf_counters c;
        logbuf_counters_get(n->lb, &c);
        m.creadr.read_index = c.applied_index;
        m.creadr.records_total = c.records_total;
        m.creadr.digest = logbuf_digest(n->lb);
    }
    reply(s, n, to, &m);
}

static raft_id leader_hint(sim *s, sim_node *n)
{
    raft_status st;
    s->ops->get_status(n->proto, &st);
    return st.leader == n->id ? 0 : st.leader;
}

/* ---- proposals ---- */

static int props_push(sim_node *n, const sim_prop *p)
{
    /* A proposal at index i means this node's log was cut back to i - 1:
     * older proposals at >= i are gone from it (and so cannot commit). */
    while (n->props_n && n->props[n->props_head + n->props_n - 1].index >= p->index)
        n->props_n--;
    sim_prop *q = fifo_array_reserve(n->props, sizeof *n->props, &n->props_head, n->props_n,
                                     &n->props_cap, 256, 0);
    if (!q)
        return -1;
    n->props = q;
    n->props[n->props_head + n->props_n++] = *p;
    return 0;
}

/* Insert a proposal record in index order (props_push is for new proposals
 * at the end of the log); one record per index. */
static int props_insert(sim_node *n, const sim_prop *p)
{
    size_t at = n->props_n;
    while (at > 0 && n->props[n->props_head + at - 1].index >= p->index)
        at--;
    if (at < n->props_n && n->props[n->props_head + at].index == p->index)
        return 0; /* already waited for: its answer goes to the same client */
    sim_prop *q = fifo_array_reserve(n->props, sizeof *n->props, &n->props_head, n->props_n,
                                     &n->props_cap, 256, 0);
    if (!q)
        return -1;
    n->props = q;
    sim_prop *base = n->props + n->props_head;
    memmove(base + at + 1, base + at, (n->props_n - at) * sizeof *base);
    base[at] = *p;
    n->props_n++;
    return 0;
}

/* The pending-writes table for the term this node leads: a node that has
 * just become leader (or leads a new term) rebuilds it from its log above the
 * applied index — entries earlier leaders appended count too. */
static void pending_sync(sim *s, sim_node *n, uint64_t applied)
{
    assert(n->role == RAFT_LEADER && n->term > 0);
    if (n->pend.term == n->term)
        return;
    raft_status st;
    s->ops->get_status(n->proto, &st);
    pending_reset(&n->pend, n->term);
    raft_entry e;
    for (uint64_t i = applied + 1; i <= st.last_index; i++)
        if (s->ops->entry_at(n->proto, i, &e) &&
            pending_note_cmd(&n->pend, &e, i, applied) != RAFT_OK)
            break; /* the table's bound: later ones are simply not deduplicated */
}

/* The uncommitted entry of our log that carries (session, seq), or 0: a retry
 * of a write still in flight must not be appended again (pending.h). */
static uint64_t in_flight(sim *s, sim_node *n, uint64_t session, uint64_t seq,
                          uint64_t applied, uint64_t *term)
{
    pending_sync(s, n, applied);
    uint64_t index = pending_find(&n->pend, session, seq, applied);
    raft_entry e;
    logbuf_record rec;
    if (!index || !s->ops->entry_at(n->proto, index, &e) ||
        !logbuf_cmd_decode(e.data, e.len, &rec) || rec.client_id != session ||
        rec.client_seq != seq)
        return 0; /* not there (never, in a correct core: the table says what the log holds) */
    *term = e.term;
    return index;
}

static void client_append(sim *s, sim_node *n, sim_ep from, const raft_msg *m)
{
    uint64_t session = m->capp.client_id, seq = m->capp.seq;
    if (n->role != RAFT_LEADER) {
        reply_append(s, n, from, session, seq, RAFT_CLIENT_NOT_LEADER, leader_hint(s, n), 0);
        return;
    }
    uint64_t last_seq, last_index;
    if (logbuf_session(n->lb, session, &last_seq, &last_index) && last_seq >= seq) {
        sim_cover(s, SIM_COV_RETRY_DEDUPLICATED); /* applied already: answer at once */
        reply_append(s, n, from, session, seq, RAFT_CLIENT_OK, 0,
                     last_seq == seq ? last_index : 0);
        return;
    }
    logbuf_counters lc;
    logbuf_counters_get(n->lb, &lc);
    uint64_t pending_term = 0;
    uint64_t pending_index = in_flight(s, n, session, seq, lc.applied_index, &pending_term);
    if (pending_index) { /* answered when that copy applies (node_client_applied) */
        sim_cover(s, SIM_COV_RETRY_DEDUPLICATED);
        sim_prop p = {.index = pending_index, .term = pending_term, .propose_ns = s->now,
                      .seq = seq, .session = (uint32_t)session, .client = from};
        if (props_insert(n, &p) != 0)
            sim_fail(s, SIM_V_EVENT_LIMIT, n->id, pending_index,
                     "out of memory tracking a proposal");
        return;
    }
    size_t size = logbuf_cmd_size(m->capp.len);
    uint8_t *cmd = sim_scratch(s, size);
    if (!cmd)
        return;
    logbuf_cmd_encode(cmd, size, session, seq, s->now, m->capp.data, m->capp.len);
    uint64_t index, term;
    int rc = s->ops->propose(n->proto, cmd, size, &index, &term);
    if (rc == RAFT_ENOTLEADER) {
        reply_append(s, n, from, session, seq, RAFT_CLIENT_NOT_LEADER, leader_hint(s, n), 0);
        return;
    }
    if (rc == RAFT_ETOOBIG) { /* it can never fit: the client must not retry */
        reply_append(s, n, from, session, seq, RAFT_CLIENT_TOO_BIG, 0, 0);
        return;
    }
    if (rc != RAFT_OK) {
        reply_append(s, n, from, session, seq, RAFT_CLIENT_RETRY, 0, 0);
        return;
    }
    sim_prop p = {.index = index, .term = term, .propose_ns = s->now, .seq = seq,
                  .session = (uint32_t)session, .client = from};
    if (props_push(n, &p) != 0)
        sim_fail(s, SIM_V_EVENT_LIMIT, n->id, index, "out of memory tracking a proposal");
    if (n->pend.term == term) /* else the next request rebuilds it from the log */
        pending_note(&n->pend, session, seq, index, lc.applied_index);
}

void node_client_applied(sim *s, sim_node *n, uint64_t index, const raft_entry *e,
                         const logbuf_result *res)
{
    uint64_t term = e->term;
    /* The first node to apply an index records which (session, seq) was
     * stored there (the history's exactly-once check); the others apply the
     * same entry, which the checker verifies through the hash chain. */
    bool first = index < s->chk.truth_cap && s->chk.truth[index].digest == 0;
    if (!res->duplicate && first) {
        logbuf_record rec;
        if (logbuf_cmd_decode(e->data, e->len, &rec) && rec.client_id > 0 &&
            rec.client_id < s->n_sessions) { /* only our clients' sessions */
            uint64_t prev;
            int rc = hist_note_stored(&s->hist, (uint32_t)rec.client_id, rec.client_seq,
                                      index, &prev);
            if (rc == -1)
                sim_fail(s, SIM_V_HISTORY, n->id, index,
                         "session %llu seq %llu stored at %llu and at %llu",
                         (unsigned long long)rec.client_id,
                         (unsigned long long)rec.client_seq, (unsigned long long)prev,
                         (unsigned long long)index);
        }
    } else if (res->duplicate && first) {
        sim_cover(s, SIM_COV_RETRY_DEDUPLICATED);
    }
    while (n->props_n && n->props[n->props_head].index < index) {
        n->props_head++;
        n->props_n--;
    }
    if (!n->props_n || n->props[n->props_head].index != index)
        return;
    sim_prop p = n->props[n->props_head++];
    n->props_n--;
    if (p.term != term)
        return; /* our proposal was replaced by another leader's entry */
    uint64_t at = res->duplicate ? res->index : index;
    chk_acked(&s->chk, at, res->duplicate ? 0 : term);
    u64vec_push(&s->met.lat_commit, s->now - p.propose_ns);
    reply_append(s, n, p.client, p.session, p.seq, RAFT_CLIENT_OK, 0, at);
}

/* ---- reads ---- */

static int reads_push(sim_node *n, const sim_read *r)
{
    if (n->reads_n == n->reads_cap) {
        size_t cap = n->reads_cap ? n->reads_cap * 2 : 64;
        sim_read *q = realloc(n->reads, cap * sizeof *q);
        if (!q)
            return -1;
        n->reads = q;
        n->reads_cap = cap;
    }
    n->reads[n->reads_n++] = *r;
    return 0;
}

static void reads_remove(sim_node *n, size_t i)
{
    assert(i < n->reads_n);
    if (n->reads[i].ready)
        n->reads_ready--;
    memmove(n->reads + i, n->reads + i + 1, (n->reads_n - i - 1) * sizeof *n->reads);
    n->reads_n--;
}

static void client_read(sim *s, sim_node *n, sim_ep from, const raft_msg *m)
{
    uint64_t session = m->cread.client_id, seq = m->cread.seq;
    if (n->role != RAFT_LEADER) {
        reply_read(s, n, from, session, seq, RAFT_CLIENT_NOT_LEADER, leader_hint(s, n));
        return;
    }
    sim_read r = {.req_id = ++n->next_req, .seq = seq, .session = (uint32_t)session,
                  .client = from};
    if (reads_push(n, &r) != 0)
        return;
    int rc = s->ops->read_index(n->proto, r.req_id);
    if (rc == RAFT_OK)
        return; /* answered through read_ready */
    for (size_t i = 0; i < n->reads_n; i++) {
        if (n->reads[i].req_id == r.req_id) {
            reads_remove(n, i);
            reply_read(s, n, from, session, seq,
                       rc == RAFT_ENOTLEADER ? RAFT_CLIENT_NOT_LEADER : RAFT_CLIENT_RETRY,
                       rc == RAFT_ENOTLEADER ? leader_hint(s, n) : 0);
            return;
        }
    }
}

void node_read_ready(sim *s, sim_node *n, uint64_t req_id, int status, uint64_t index)
{
    for (size_t i = 0; i < n->reads_n; i++) {
        sim_read *r = &n->reads[i];
        if (r->req_id != req_id)
            continue;
        if (status != RAFT_OK) {
            sim_read copy = *r;
            reads_remove(n, i);
            reply_read(s, n, copy.client, copy.session, copy.seq, RAFT_CLIENT_RETRY, 0);
            return;
        }
        if (!r->ready) {
            r->ready = true;
            r->index = index;
            n->reads_ready++;
        }
        if (n->lb)
            node_answer_reads(s, n);
        return;
    }
}

/* Answer every ready read whose index the log buffer has applied. */
void node_answer_reads(sim *s, sim_node *n)
{
    logbuf_counters c;
    logbuf_counters_get(n->lb, &c);
    for (size_t i = 0; i < n->reads_n;) {
        sim_read r = n->reads[i];
        if (!r.ready || r.index > c.applied_index) {
            i++;
            continue;
        }
        reads_remove(n, i);
        reply_read(s, n, r.client, r.session, r.seq, RAFT_CLIENT_OK, 0);
    }
}

void node_client_request(sim *s, sim_node *n, sim_ep from, const uint8_t *buf, size_t len)
{
    raft_msg m;
    raft_entry scratch[1];
    if (raft_msg_decode(buf, len, &m, scratch, 1) != RAFT_OK)
        return; /* malformed: dropped */
    if (m.type == RAFT_MSG_CLIENT_APPEND)
        client_append(s, n, from, &m);
    else if (m.type == RAFT_MSG_CLIENT_READ)
        client_read(s, n, from, &m);
}

void node_client_reset(sim_node *n)
{
    n->props_head = n->props_n = 0;
    n->reads_n = n->reads_ready = 0;
    pending_reset(&n->pend, 0);
}

void node_client_free(sim_node *n)
{
    pending_free(&n->pend);
}
