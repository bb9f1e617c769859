/* client_read.c — QUERY: linearizable reads of the log buffer.
 *
 * The leader asks the core for a read index (ReadIndex, thesis §6.4: the
 * commit index once a round of heartbeats confirmed leadership) and answers
 * from its log buffer once it has applied that index. The answer lists the
 * matching stored records, as many as fit in one frame (flagged truncated). */
#include <stdlib.h>
#include <string.h>

#include "client_int.h"

enum { QUERY_ROOM = CP_FRAME_MAX - (64 << 10) }; /* bytes of records in one answer */

typedef struct query_out {
    bbuf *b;
    uint32_t count;
    bool truncated;
} query_out;

static void visit(void *arg, const logbuf_record *r)
{
    query_out *q = arg;
    if (q->truncated || q->b->len + 36 + r->len > QUERY_ROOM) {
        q->truncated = true;
        return;
    }
    bbuf_u64(q->b, r->index);
    bbuf_u64(q->b, r->timestamp_ns);
    bbuf_u64(q->b, r->client_id);
    bbuf_u64(q->b, r->client_seq);
    cp_put_record(q->b, r->data, r->len);
    q->count++;
}

static void answer(raftd *d, pending_read *pr)
{
    logbuf_counters c;
    logbuf_counters_get(d->lb, &c);
    bbuf b = {0};
    cp_response_head(&b, CP_QUERY, pr->req_id, CP_OK, 0);
    bbuf_u64(&b, c.applied_index);
    bbuf_u64(&b, c.records_total);
    size_t at = b.len;
    bbuf_u32(&b, 0); /* count and truncated, filled in below */
    bbuf_u8(&b, 0);
    query_out q = {.b = &b};
    switch (pr->mode) {
    case CP_Q_ALL: logbuf_query_index(d->lb, 0, UINT64_MAX, visit, &q); break;
    case CP_Q_LAST: logbuf_query_last(d->lb, (size_t)pr->a, visit, &q); break;
    case CP_Q_RANGE: logbuf_query_index(d->lb, pr->a, pr->b, visit, &q); break;
    case CP_Q_TIME: logbuf_query_time(d->lb, pr->a, pr->b, visit, &q); break;
    default: break;
    }
    if (!b.oom) {
        le32_put(b.p + at, q.count);
        b.p[at + 4] = q.truncated;
    }
    client_reply(d, pr->cc, &b);
}

static void remove_read(raftd *d, pending_read *pr)
{
    for (pending_read **pp = &d->reads; *pp; pp = &(*pp)->next) {
        if (*pp == pr) {
            *pp = pr->next;
            break;
        }
    }
    free(pr);
}

void client_query(raftd *d, client_conn *cc, const cp_request *rq)
{
    if (raft_role(d->node) != RAFT_LEADER) {
        client_reply_status(d, cc, CP_QUERY, rq->req_id, CP_NOT_LEADER, client_leader_hint(d));
        return;
    }
    pending_read *pr = calloc(1, sizeof *pr);
    if (!pr) {
        client_reply_status(d, cc, CP_QUERY, rq->req_id, CP_RETRY, 0);
        return;
    }
    *pr = (pending_read){.next = d->reads, .cc = cc, .req_id = rq->req_id,
                         .read_id = ++d->next_read_id, .mode = rq->query.mode,
                         .a = rq->query.a, .b = rq->query.b};
    d->reads = pr;
    int rc = raft_read_index(d->node, pr->read_id); /* may answer at once */
    if (rc == RAFT_OK)
        return;
    for (pending_read *p = d->reads; p; p = p->next) {
        if (p == pr) {
            remove_read(d, pr);
            break;
        }
    }
    client_reply_status(d, cc, CP_QUERY, rq->req_id,
                        rc == RAFT_ENOTLEADER ? CP_NOT_LEADER : CP_RETRY,
                        rc == RAFT_ENOTLEADER ? client_leader_hint(d) : 0);
}

void clients_read_ready(raftd *d, uint64_t read_id, int status, uint64_t index)
{
    for (pending_read *pr = d->reads; pr; pr = pr->next) {
        if (pr->read_id != read_id)
            continue;
        if (status != RAFT_OK) {
            client_reply_status(d, pr->cc, CP_QUERY, pr->req_id, CP_RETRY, 0);
            remove_read(d, pr);
            return;
        }
        pr->ready = true;
        pr->index = index;
        return; /* answered by clients_answer_reads once applied */
    }
}

void clients_answer_reads(raftd *d)
{
    logbuf_counters c;
    logbuf_counters_get(d->lb, &c);
    pending_read *next;
    for (pending_read *pr = d->reads; pr; pr = next) {
        next = pr->next;
        if (!pr->ready || pr->index > c.applied_index)
            continue;
        if (pr->cc)
            answer(d, pr);
        remove_read(d, pr);
    }
}

void client_reads_forget(raftd *d, client_conn *cc)
{
    for (pending_read *pr = d->reads; pr; pr = pr->next)
        if (pr->cc == cc)
            pr->cc = NULL; /* still awaited by the core; answered to nobody */
}
