/* client.c — the client service: connections, request dispatch, and appends.
 *
 * An APPEND is served by the leader only (a follower answers NOT_LEADER with
 * its guess of the leader). Each record becomes one Raft entry whose data is
 * a log-buffer command (client id, sequence number, timestamp, payload); a
 * record the client's session has already applied is answered from the
 * session (thesis §6.3). The request is answered when every proposed record
 * has been applied with the term it was proposed in. If another entry lands
 * at a proposal's index (the log was cut back under a new leader), the
 * request is answered RETRY: the client sends it again with the same
 * sequence numbers, and the session stores each record once.
 *
 * A retry of records the leader still holds in its log above the applied
 * index is not proposed again: it waits for those copies to be applied
 * (client_inlog.h, core/pending.h), and is answered with their indexes.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <time.h>
#include <unistd.h>

#include "client_inlog.h"
#include "client_int.h"

/* ---- replies ---- */

static void client_close(raftd *d, client_conn *cc);

void client_reply(raftd *d, client_conn *cc, bbuf *b)
{
    if (cc && !b->oom && conn_send(&cc->c, b->p, b->len) != 0) {
        LOG_WARN("client %" PRIu64 ": response queue full, closing", cc->serial);
        client_close(d, cc);
    }
    bbuf_free(b);
}

void client_reply_status(raftd *d, client_conn *cc, uint8_t op, uint64_t req_id,
                         uint8_t status, uint32_t hint)
{
    bbuf b = {0};
    cp_response_head(&b, op, req_id, status, hint);
    client_reply(d, cc, &b);
}

void client_reply_error(raftd *d, client_conn *cc, uint8_t op, uint64_t req_id,
                        const char *msg)
{
    bbuf b = {0};
    cp_response_head(&b, op, req_id, CP_ERROR, 0);
    cp_put_text(&b, msg, strlen(msg));
    client_reply(d, cc, &b);
}

uint32_t client_leader_hint(raftd *d)
{
    raft_id l = raft_leader(d->node);
    return l == d->cfg.id ? 0 : l;
}

/* ---- pending appends and their proposals ---- */

static void append_free_if_idle(raftd *d, pending_append *pa)
{
    if (!pa->done || pa->inflight)
        return;
    for (pending_append **pp = &d->appends; *pp; pp = &(*pp)->next) {
        if (*pp == pa) {
            *pp = pa->next;
            break;
        }
    }
    free(pa);
}

static void append_answer(raftd *d, pending_append *pa)
{
    bbuf b = {0};
    cp_response_head(&b, CP_APPEND, pa->req_id, CP_OK, 0);
    bbuf_u32(&b, pa->count);
    for (uint32_t k = 0; k < pa->count; k++)
        bbuf_u64(&b, pa->index[k]);
    pa->done = true;
    d->appends_acked += pa->count;
    client_reply(d, pa->cc, &b);
}

static void append_fail(raftd *d, pending_append *pa, uint8_t status, uint32_t hint)
{
    if (pa->done)
        return;
    pa->done = true;
    client_reply_status(d, pa->cc, CP_APPEND, pa->req_id, status, hint);
}

/* A proposal that will not be applied as proposed. */
static void prop_lost(raftd *d, pending_prop *p)
{
    pending_append *pa = p->pa;
    if (pa->inflight == 0)
        raftd_fatal(d, "proposal bookkeeping");
    pa->inflight--;
    append_fail(d, pa, CP_RETRY, 0);
    append_free_if_idle(d, pa);
}

static pending_prop *prop_at(raftd *d, size_t i)
{
    return &d->props[(d->props_head + i) % d->props_cap];
}

static int props_reserve(raftd *d)
{
    if (d->props_n < d->props_cap)
        return 0;
    size_t cap = d->props_cap ? d->props_cap * 2 : 1024;
    pending_prop *q = malloc(cap * sizeof *q);
    if (!q)
        return -1;
    for (size_t i = 0; i < d->props_n; i++)
        q[i] = *prop_at(d, i);
    free(d->props);
    d->props = q;
    d->props_cap = cap;
    d->props_head = 0;
    return 0;
}

static int props_push(raftd *d, const pending_prop *p)
{
    /* A proposal at index i means this node's log was cut back to i - 1:
     * older proposals at >= i are gone from it. */
    while (d->props_n && prop_at(d, d->props_n - 1)->index >= p->index) {
        pending_prop gone = *prop_at(d, d->props_n - 1);
        d->props_n--;
        prop_lost(d, &gone);
    }
    if (props_reserve(d) != 0)
        return -1;
    *prop_at(d, d->props_n++) = *p;
    return 0;
}

/* A wait for an entry already in the log: after every one at <= its index
 * (the list stays sorted; several requests may wait on one index). */
static int props_insert(raftd *d, const pending_prop *p)
{
    if (props_reserve(d) != 0)
        return -1;
    size_t at = d->props_n;
    while (at > 0 && prop_at(d, at - 1)->index > p->index) {
        *prop_at(d, at) = *prop_at(d, at - 1);
        at--;
    }
    *prop_at(d, at) = *p;
    d->props_n++;
    return 0;
}

static pending_prop props_pop(raftd *d)
{
    pending_prop p = *prop_at(d, 0);
    d->props_head = (d->props_head + 1) % d->props_cap;
    d->props_n--;
    return p;
}

void clients_applied(raftd *d, uint64_t index, const raft_entry *e, const logbuf_result *res)
{
    while (d->props_n && prop_at(d, 0)->index < index) {
        pending_prop p = props_pop(d);
        prop_lost(d, &p);
    }
    while (d->props_n && prop_at(d, 0)->index == index) {
        pending_prop p = props_pop(d);
        if (p.term != e->term || e->type != RAFT_ENTRY_DATA) {
            prop_lost(d, &p); /* another leader's entry took the index */
            continue;
        }
        pending_append *pa = p.pa;
        /* a duplicate of an older seq than the session's newest: 0, looked up */
        pa->index[p.k] = ack_index(d->lb, pa->client_id, pa->first_seq + p.k, index, res);
        pa->inflight--;
        pa->waiting--;
        if (pa->waiting == 0 && !pa->done) {
            ack_lookup_stored(d->lb, pa->client_id, pa->first_seq, pa->count, pa->index);
            append_answer(d, pa);
        }
        append_free_if_idle(d, pa);
    }
}

void clients_snapshot_restored(raftd *d, uint64_t index)
{
    while (d->props_n && prop_at(d, 0)->index <= index) {
        pending_prop p = props_pop(d);
        prop_lost(d, &p);
    }
}

static uint64_t wall_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Propose record k. 0, or the status to answer with. */
static int propose_record(raftd *d, pending_append *pa, uint64_t client, uint64_t seq,
                          const uint8_t *data, uint32_t len, uint32_t k)
{
    size_t size = logbuf_cmd_size(len);
    uint8_t *cmd = malloc(size);
    if (!cmd)
        return CP_RETRY;
    logbuf_cmd_encode(cmd, size, client, seq, wall_ns(), data, len);
    uint64_t index, term;
    int rc = raft_propose(d->node, cmd, size, &index, &term);
    free(cmd);
    if (rc == RAFT_ENOTLEADER)
        return CP_NOT_LEADER;
    if (rc == RAFT_ETOOBIG || rc == RAFT_EINVAL)
        return CP_ERROR;
    if (rc != RAFT_OK)
        return CP_RETRY;
    pending_prop p = {.index = index, .term = term, .pa = pa, .k = k};
    pa->waiting++;
    pa->inflight++;
    if (props_push(d, &p) != 0) {
        pa->inflight--;
        return CP_RETRY;
    }
    if (d->pend.term == term) /* else the next request rebuilds it from the log */
        pending_note(&d->pend, client, seq, index, raft_applied_index(d->node));
    return 0; /* RAFT_ENOMEM above: the table's bound, this one is not deduplicated */
}

static bool log_entry_at(void *ctx, uint64_t index, raft_entry *out)
{
    return raft_entry_at(ctx, index, out);
}

/* Wait for the copy of record k at `index` (of `term`) in our log instead of
 * proposing it again. 0, or -1 (out of memory: propose it). */
static int join_copy(raftd *d, pending_append *pa, uint64_t index, uint64_t term, uint32_t k)
{
    pending_prop p = {.index = index, .term = term, .pa = pa, .k = k};
    if (props_insert(d, &p) != 0)
        return -1;
    pa->waiting++;
    pa->inflight++;
    d->appends_joined++;
    return 0;
}

void clients_role_changed(raftd *d, enum raft_role role)
{
    if (role != RAFT_LEADER)
        pending_reset(&d->pend, 0);
}

void clients_free(raftd *d)
{
    pending_free(&d->pend);
}

static void client_append(raftd *d, client_conn *cc, const cp_request *rq)
{
    if (raft_role(d->node) != RAFT_LEADER) {
        client_reply_status(d, cc, CP_APPEND, rq->req_id, CP_NOT_LEADER, client_leader_hint(d));
        return;
    }
    uint32_t count = rq->append.count;
    pending_append *pa = calloc(1, sizeof *pa + count * sizeof pa->index[0]);
    if (!pa) {
        client_reply_status(d, cc, CP_APPEND, rq->req_id, CP_RETRY, 0);
        return;
    }
    *pa = (pending_append){.next = d->appends, .cc = cc, .req_id = rq->req_id,
                           .client_id = rq->append.client_id,
                           .first_seq = rq->append.first_seq, .count = count};
    d->appends = pa;
    /* pending.h: the table describes the log of the term we lead */
    uint64_t applied = raft_applied_index(d->node);
    inlog_sync(&d->pend, raft_term(d->node), applied, raft_last_index(d->node), log_entry_at,
               d->node);
    inlog_anchor in_log = inlog_anchor_find(&d->pend, rq->append.client_id,
                                            rq->append.first_seq, count, applied);
    brd recs = rq->append.recs;
    for (uint32_t k = 0; k < count && !pa->done; k++) {
        const uint8_t *data;
        uint32_t len;
        cp_next_record(&recs, &data, &len); /* validated by cp_decode_request */
        uint64_t client = rq->append.client_id, seq = rq->append.first_seq + k;
        uint64_t last_seq, last_index;
        if (logbuf_session(d->lb, client, &last_seq, &last_index) && last_seq >= seq) {
            pa->index[k] = last_seq == seq ? last_index : 0; /* applied already */
            d->appends_deduplicated++;
            continue; /* an index left 0 is looked up below */
        }
        uint64_t copy_term = 0;
        uint64_t copy = inlog_copy(&in_log, log_entry_at, d->node, client, seq, applied,
                                   &copy_term);
        if (copy && join_copy(d, pa, copy, copy_term, k) == 0)
            continue; /* answered when that copy is applied */
        int st = propose_record(d, pa, client, seq, data, len, k);
        if (st == CP_ERROR) {
            pa->done = true;
            client_reply_error(d, cc, CP_APPEND, rq->req_id, "record rejected (too large?)");
        } else if (st) {
            append_fail(d, pa, (uint8_t)st, st == CP_NOT_LEADER ? client_leader_hint(d) : 0);
        }
    }
    if (!pa->done && pa->waiting == 0) {
        ack_lookup_stored(d->lb, pa->client_id, pa->first_seq, pa->count, pa->index);
        append_answer(d, pa);
    }
    append_free_if_idle(d, pa);
}

/* ---- connections ---- */

static void client_close(raftd *d, client_conn *cc)
{
    for (pending_append *pa = d->appends; pa; pa = pa->next)
        if (pa->cc == cc)
            pa->cc = NULL;
    client_reads_forget(d, cc);
    loop_del(d, &cc->w);
    conn_close(&cc->c);
    for (client_conn **pp = &d->clients; *pp; pp = &(*pp)->next) {
        if (*pp == cc) {
            *pp = cc->next;
            break;
        }
    }
    d->n_clients--;
    free(cc);
}

static void dispatch(raftd *d, client_conn *cc, const cp_request *rq)
{
    switch (rq->op) {
    case CP_APPEND: client_append(d, cc, rq); break;
    case CP_QUERY: client_query(d, cc, rq); break;
    case CP_STATUS: client_status(d, cc, rq); break;
    case CP_DUMP: client_dump(d, cc, rq); break;
    case CP_TRANSFER: client_transfer(d, cc, rq); break;
    case CP_FAULT: client_fault(d, cc, rq); break;
    default: break;
    }
}

static void conn_event(raftd *d, watch *w, uint32_t events)
{
    client_conn *cc = (client_conn *)w; /* the watch is the first member */
    if (events & EPOLLOUT) {
        if (conn_flush(&cc->c) != 0) {
            client_close(d, cc);
            return;
        }
        loop_set(d, w, EPOLLIN | (conn_pending(&cc->c) ? EPOLLOUT : 0));
    }
    if (!(events & (EPOLLIN | EPOLLERR | EPOLLHUP)))
        return;
    int rc = conn_read(&cc->c);
    const uint8_t *body;
    size_t len;
    int got;
    uint64_t serial = cc->serial;
    while ((got = conn_next(&cc->c, &body, &len)) == 1) {
        cp_request rq;
        if (!cp_decode_request(body, len, &rq)) {
            LOG_WARN("client %" PRIu64 ": malformed request, closing", serial);
            client_close(d, cc);
            return;
        }
        dispatch(d, cc, &rq);
        bool alive = false; /* a reply may have closed it (queue overflow) */
        for (client_conn *c = d->clients; c; c = c->next)
            alive |= c == cc;
        if (!alive)
            return;
    }
    if (got < 0 || rc != 0)
        client_close(d, cc);
}

static void listen_event(raftd *d, watch *w, uint32_t events)
{
    (void)events;
    int fd;
    while ((fd = net_accept(w->fd)) >= 0) {
        client_conn *cc = d->n_clients < RAFTD_MAX_CLIENTS ? calloc(1, sizeof *cc) : NULL;
        if (!cc) {
            close(fd);
            continue;
        }
        conn_init(&cc->c, fd, CP_FRAME_MAX, RAFTD_CLIENT_OUT_MAX);
        cc->w = (watch){.fd = fd, .fn = conn_event};
        cc->serial = ++d->next_serial;
        if (loop_add(d, &cc->w, EPOLLIN) != 0) {
            conn_close(&cc->c);
            free(cc);
            continue;
        }
        cc->next = d->clients;
        d->clients = cc;
        d->n_clients++;
    }
}

void clients_flush(raftd *d)
{
    client_conn *next;
    for (client_conn *cc = d->clients; cc; cc = next) {
        next = cc->next;
        if (!conn_pending(&cc->c))
            continue;
        if (conn_flush(&cc->c) != 0)
            client_close(d, cc);
        else
            loop_set(d, &cc->w, EPOLLIN | (conn_pending(&cc->c) ? EPOLLOUT : 0));
    }
}

int clients_start(raftd *d)
{
    char addr[CONN_ADDR_MAX];
    net_format_addr(&d->cfg.client_addr, addr, sizeof addr);
    int fd = net_listen(&d->cfg.client_addr);
    if (fd < 0) {
        LOG_ERROR("cannot listen for clients on %s", addr);
        return -1;
    }
    d->client_listen = (watch){.fd = fd, .fn = listen_event};
    if (loop_add(d, &d->client_listen, EPOLLIN) != 0)
        return -1;
    LOG_INFO("listening for clients on %s", addr);
    return 0;
}
