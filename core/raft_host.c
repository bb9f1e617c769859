/* raft_host.c — the node's side of the host interface (raft_io): host time,
 * events and limit reports, encoding and sending, and issuing durable writes
 * with their tokens (thesis §10.2.1); the growable FIFOs under the node's
 * queues. The bottom of the node: it calls no other raft_*.c file. */
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

/* ---- time, events, limits ---- */

/* Host time, raft__now's slow path. Within one call into the node
 * (raft_receive, raft_tick, raft_persisted, raft_propose) the host is asked
 * once and the reading reused: handling one input is an instant (and
 * cheaper; bench/README.md). Outside such a call every use asks the host. */
uint64_t raft__now_read(raft_node *r)
{
    uint64_t now = r->io.now(r->io.ctx);
    if (r->in_call) {
        r->now_ns = now;
        r->now_valid = true;
    }
    return now;
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
