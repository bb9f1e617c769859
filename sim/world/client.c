/* client.c — workloads: open-loop writers (a rate), closed-loop writers (K
 * outstanding) and readers. Each client is a network endpoint. Concurrent
 * operations run on separate sessions (one op in flight per session), so the
 * log buffer's per-session deduplication (thesis §6.3) is exact: a retry
 * carries the same (session, seq) and is never stored twice. Clients find the
 * leader through redirects (leader_hint, else the next node in order) and
 * retry on timeout or on a "retry later" answer, after an exponential backoff
 * with jitter (so a lossy or slow network does not become a retry storm). An answer
 * that the operation can never succeed (too big) fails it: it is counted and
 * never retried. In the liveness phase they invoke nothing new. */
#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "../../core/hash.h"
#include "../../core/msg.h"
#include "grow.h"
#include "client.h"

#define CLIENT_PAUSE_NS (10 * SIM_NS_PER_MS) /* before a "retry" answer's retry, backoff off */
#define CLIENT_DEFAULT_TIMEOUT_NS (500 * SIM_NS_PER_MS)
enum { CLIENT_MAX_PAYLOAD = 1 << 20 };

int client_init(sim *s, uint32_t idx)
{
    sim_client *c = &s->clients[idx];
    memset(c, 0, sizeof *c);
    c->cfg = s->cfg.clients[idx];
    c->idx = idx;
    c->ep = s->cfg.n_nodes + 1 + idx;
    if (!c->cfg.timeout_ns)
        c->cfg.timeout_ns = CLIENT_DEFAULT_TIMEOUT_NS;
    if (!c->cfg.backoff_min_ns && !c->cfg.backoff_max_ns) { /* the default (sim.h) */
        c->cfg.backoff_min_ns = SIM_CLIENT_BACKOFF_MIN_NS;
        c->cfg.backoff_max_ns = sim_client_default_backoff_max_ns(c->cfg.timeout_ns);
    }
    assert(c->cfg.backoff_min_ns >= 1 && c->cfg.backoff_min_ns <= c->cfg.backoff_max_ns);
    rng_init(&c->r, s->seed, RNG_STREAM_CLIENT + idx);
    return sim_push(s, c->cfg.start_ns, EV_CLIENT_NEXT, idx, c->tick_gen, 0);
}

void client_free(sim_client *c)
{
    free(c->ops);
    free(c->free_ops);
    free(c->toq);
    free(c->wire);
    c->ops = NULL;
    c->free_ops = NULL;
    c->toq = NULL;
    c->wire = NULL;
}

static int toq_push(sim *s, sim_client *c, const sim_client_deadline *d)
{
    sim_client_deadline *q = fifo_array_reserve(c->toq, sizeof *c->toq, &c->toq_head, c->toq_n,
                                                &c->toq_cap, 256, 0);
    if (!q)
        return -1;
    c->toq = q;
    assert(c->toq_n == 0 || c->toq[c->toq_head + c->toq_n - 1].at_ns <= d->at_ns);
    c->toq[c->toq_head + c->toq_n++] = *d;
    if (!c->timer_armed) {
        /* An unarmed timer means an empty queue (client_timer re-arms at the
         * head after draining), so this deadline is the earliest. */
        assert(c->toq_n == 1);
        c->timer_armed = true;
        return sim_push(s, d->at_ns, EV_CLIENT_TIMER, c->idx, 0, 0);
    }
    return 0;
}

static uint32_t new_session(sim *s, uint32_t client, uint32_t slot)
{
    if (s->n_sessions == s->cap_sessions) {
        size_t cap = s->cap_sessions ? s->cap_sessions * 2 : 64;
        sim_session_ref *p = realloc(s->sessions, cap * sizeof *p);
        if (!p)
            return 0;
        s->sessions = p;
        s->cap_sessions = cap;
        if (s->n_sessions == 0)
            s->sessions[s->n_sessions++] = (sim_session_ref){0, 0}; /* id 0: none */
    }
    s->sessions[s->n_sessions] = (sim_session_ref){.client = client, .slot = slot};
    return (uint32_t)s->n_sessions++;
}

/* A free op slot (one session each), or UINT32_MAX. */
static uint32_t take_slot(sim *s, sim_client *c)
{
    if (c->n_free)
        return c->free_ops[--c->n_free];
    if (c->n_ops == c->cap_ops) {
        size_t cap = c->cap_ops ? c->cap_ops * 2 : 16;
        /* aligned_alloc, as realloc would not keep the alignment */
        sim_cop *p = aligned_alloc(_Alignof(sim_cop), cap * sizeof *p);
        uint32_t *f = realloc(c->free_ops, cap * sizeof *f);
        if (p) {
            if (c->n_ops)
                memcpy(p, c->ops, c->n_ops * sizeof *p);
            free(c->ops);
            c->ops = p;
        }
        if (f)
            c->free_ops = f;
        if (!p || !f)
            return UINT32_MAX;
        c->cap_ops = cap;
    }
    uint32_t slot = (uint32_t)c->n_ops;
    memset(&c->ops[slot], 0, sizeof c->ops[slot]);
    c->ops[slot].session = new_session(s, c->idx, slot);
    if (!c->ops[slot].session)
        return UINT32_MAX;
    c->n_ops++;
    return slot;
}

static raft_id next_node(sim *s, sim_client *c)
{
    c->rr = c->rr % s->cfg.n_nodes + 1;
    return c->rr;
}

/* Deterministic payload bytes of (session, seq): a retry sends the same.
 * Word i is hash_mix64(h_{i-1} + 8i) written little-endian; whole words are
 * stored at once, then the tail byte by byte. */
static void fill_payload(uint8_t *p, uint32_t len, uint32_t session, uint64_t seq)
{
    uint64_t h = hash_combine(session, seq);
    uint32_t i = 0;
    for (; i + 8 <= len; i += 8) {
        h = hash_mix64(h + i);
        uint8_t w[8] = {(uint8_t)h,         (uint8_t)(h >> 8),  (uint8_t)(h >> 16),
                        (uint8_t)(h >> 24), (uint8_t)(h >> 32), (uint8_t)(h >> 40),
                        (uint8_t)(h >> 48), (uint8_t)(h >> 56)};
        memcpy(p + i, w, sizeof w);
    }
    if (i < len) {
        h = hash_mix64(h + i);
        for (uint32_t k = 0; i + k < len; k++)
            p[i + k] = (uint8_t)(h >> (8 * k));
    }
}

/* Where slot's append request of `size` bytes is kept, or NULL when it is
 * not (too large to keep one per slot, or out of memory: then it is simply
 * built again on a retry). Every append request of a client has one size. */
static uint8_t *wire_at(sim_client *c, uint32_t slot, size_t size)
{
    enum { WIRE_MAX = 512 };
    if (size > WIRE_MAX || (c->wire_stride && c->wire_stride != size))
        return NULL;
    if (slot >= c->wire_slots) {
        size_t n = c->cap_ops; /* slot < n_ops <= cap_ops */
        uint8_t *p = realloc(c->wire, n * size);
        if (!p)
            return NULL;
        c->wire = p;
        c->wire_slots = n;
        c->wire_stride = size;
    }
    return c->wire + (size_t)slot * size;
}

static void send_op(sim *s, sim_client *c, uint32_t slot)
{
    sim_cop *op = &c->ops[slot];
    if (op->kind == HIST_APPEND && op->wire_seq == op->seq) { /* a retry: the same bytes */
        sim_send(s, c->ep, op->target, c->wire + (size_t)slot * c->wire_stride, c->wire_stride);
        return;
    }
    raft_msg m = {.from = c->ep};
    uint8_t payload_buf[256];
    uint32_t plen = c->cfg.payload_bytes > CLIENT_MAX_PAYLOAD ? CLIENT_MAX_PAYLOAD
                                                                : c->cfg.payload_bytes;
    uint8_t *payload = plen <= sizeof payload_buf ? payload_buf : malloc(plen);
    if (!payload)
        return;
    if (op->kind == HIST_APPEND) {
        fill_payload(payload, plen, op->session, op->seq);
        m.type = RAFT_MSG_CLIENT_APPEND;
        m.capp.client_id = op->session;
        m.capp.seq = op->seq;
        m.capp.len = plen;
        m.capp.data = payload;
    } else {
        m.type = RAFT_MSG_CLIENT_READ;
        m.cread.client_id = op->session;
        m.cread.seq = op->seq;
    }
    size_t size = raft_msg_encoded_size(&m);
    uint8_t *kept = op->kind == HIST_APPEND ? wire_at(c, slot, size) : NULL;
    uint8_t *buf = kept ? kept : sim_scratch(s, size);
    if (buf && raft_msg_encode(&m, buf, size) == size) {
        op->wire_seq = kept ? op->seq : 0;
        sim_send(s, c->ep, op->target, buf, size);
    }
    if (payload != payload_buf)
        free(payload);
}

/* (Re)send op now to op->target and arm its timeout. */
static void attempt(sim *s, sim_client *c, uint32_t slot)
{
    sim_cop *op = &c->ops[slot];
    op->attempt++;
    op->retry_target = 0;
    send_op(s, c, slot);
    sim_client_deadline d = {.at_ns = s->now + c->cfg.timeout_ns, .attempt = op->attempt,
                             .slot = slot};
    if (toq_push(s, c, &d) != 0)
        sim_fail(s, SIM_V_EVENT_LIMIT, c->ep, 0, "out of memory queueing a client timeout");
}

/* A new operation; its op slot, or UINT32_MAX when none could be had. */
static uint32_t invoke(sim *s, sim_client *c, enum hist_kind kind)
{
    uint32_t slot = take_slot(s, c);
    if (slot == UINT32_MAX)
        return slot;
    sim_cop *op = &c->ops[slot];
    op->seq++;
    op->failures = 0;
    op->kind = (uint8_t)kind;
    op->busy = true;
    op->invoke_ns = s->now;
    op->hist_id = hist_invoke(&s->hist, kind, c->ep, op->session, op->seq, s->now);
    op->target = c->leader_guess ? c->leader_guess : next_node(s, c);
    c->busy++;
    c->issued++;
    if (kind == HIST_APPEND)
        s->outstanding_writes++;
    trace_emit(&s->tr, s->now, TR_INVOKE, c->ep, op->session, kind, op->seq, 0);
    attempt(s, c, slot);
    return slot;
}

size_t client_write(sim *s, uint32_t idx)
{
    sim_client *c = &s->clients[idx];
    if (s->healed)
        return 0; /* the liveness phase lets nothing new in */
    uint32_t slot = invoke(s, c, HIST_APPEND);
    if (slot == UINT32_MAX || c->ops[slot].hist_id == SIZE_MAX)
        return 0;
    return c->ops[slot].hist_id + 1;
}

static bool may_invoke(const sim *s, const sim_client *c)
{
    if (c->stopped || s->healed)
        return false;
    if (c->cfg.stop_ns && s->now >= c->cfg.stop_ns)
        return false;
    return !c->cfg.max_ops || c->issued < c->cfg.max_ops;
}

static uint64_t interval_ns(sim_client *c)
{
    uint64_t mean = c->cfg.rate_per_s ? SIM_NS_PER_S / c->cfg.rate_per_s : SIM_NS_PER_S;
    if (mean == 0)
        mean = 1;
    return rng_range(&c->r, mean / 2, mean + mean / 2); /* jittered arrivals, mean `mean` */
}

bool client_next(sim *s, uint32_t idx, uint64_t gen)
{
    sim_client *c = &s->clients[idx];
    if (gen != c->tick_gen || !may_invoke(s, c))
        return false;
    switch (c->cfg.kind) {
    case SIM_CLIENT_OPEN:
    case SIM_CLIENT_READER:
        if (c->cfg.rate_per_s == 0)
            return false;
        (void)invoke(s, c, c->cfg.kind == SIM_CLIENT_OPEN ? HIST_APPEND : HIST_READ);
        sim_push(s, s->now + interval_ns(c), EV_CLIENT_NEXT, idx, c->tick_gen, 0);
        return true;
    case SIM_CLIENT_CLOSED: {
        uint32_t k = c->cfg.outstanding ? c->cfg.outstanding : 1;
        bool any = false;
        while (c->busy < k && may_invoke(s, c))
            any = invoke(s, c, HIST_APPEND) != UINT32_MAX || any;
        return any;
    }
    }
    return false;
}

static void retry(sim *s, sim_client *c, uint32_t slot)
{
    sim_cop *op = &c->ops[slot];
    op->target = op->retry_target ? op->retry_target : next_node(s, c);
    s->met.retries++;
    trace_emit(&s->tr, s->now, TR_RETRY, c->ep, op->target, 0, op->session, op->seq);
    attempt(s, c, slot);
}

/* The spacing before retry number `k` (k >= 1) of an operation: a draw from
 * [d/2, d], d = min(max, min * 2^(k-1)) ("equal jitter": retries of clients
 * that failed together spread out, and never come sooner than d/2). Integer
 * nanoseconds from the client's own stream. */
static uint64_t backoff_ns(sim_client *c, uint32_t k)
{
    assert(k >= 1);
    uint64_t lo = c->cfg.backoff_min_ns, hi = c->cfg.backoff_max_ns;
    assert(lo >= 1 && lo <= hi);
    uint64_t d = lo;
    for (uint32_t i = 1; i < k && d < hi; i++)
        d = d > hi / 2 ? hi : d * 2;
    if (d > hi)
        d = hi;
    return rng_range(&c->r, d - d / 2, d);
}

/* Try op again after a pause: what is left of its backoff spacing (a
 * timed-out attempt has waited timeout_ns already; an answer is taken as
 * immediate), or with backoff off none after a timeout and a short fixed
 * pause after a "retry" answer. `target` 0: the next node in order. */
static void retry_later(sim *s, sim_client *c, uint32_t slot, raft_id target, bool answered)
{
    sim_cop *op = &c->ops[slot];
    op->attempt++; /* the pending timeout (if any) goes stale */
    op->retry_target = target;
    if (op->failures < UINT32_MAX)
        op->failures++;
    uint64_t waited = answered ? 0 : c->cfg.timeout_ns;
    uint64_t spacing = c->cfg.no_backoff ? (answered ? CLIENT_PAUSE_NS : 0)
                                         : backoff_ns(c, op->failures);
    uint64_t pause = spacing > waited ? spacing - waited : 0;
    if (pause == 0) {
        retry(s, c, slot);
        return;
    }
    if (sim_push(s, s->now + pause, EV_CLIENT_TIMEOUT, c->idx, slot, op->attempt) != 0)
        sim_fail(s, SIM_V_EVENT_LIMIT, c->ep, 0, "out of memory queueing a client retry");
}

/* An op's retry pause is over (EV_CLIENT_TIMEOUT): send it again, unless it
 * was answered meanwhile (its attempt generation moved on). */
bool client_timeout(sim *s, uint32_t idx, uint32_t slot, uint64_t attempt_gen)
{
    sim_client *c = &s->clients[idx];
    if (slot >= c->n_ops || !c->ops[slot].busy || c->ops[slot].attempt != attempt_gen)
        return false;
    retry(s, c, slot);
    return true;
}

/* An attempt's deadline passed with no answer. */
static bool deadline_passed(sim *s, sim_client *c, const sim_client_deadline *d)
{
    if (d->slot >= c->n_ops || !c->ops[d->slot].busy || c->ops[d->slot].attempt != d->attempt)
        return false; /* answered, or already being retried */
    c->leader_guess = 0; /* whoever we asked may be gone */
    retry_later(s, c, d->slot, 0, false);
    return true;
}

/* The earliest queued timeout is due: retry every op whose deadline passed
 * and whose attempt is still the current one (the others were answered). */
bool client_timer(sim *s, uint32_t idx)
{
    sim_client *c = &s->clients[idx];
    /* Held true while draining: a retry below queues a later deadline and
     * must not arm the timer there, which would strand the deadlines still
     * queued before it (they would fire up to one timeout late). */
    c->timer_armed = true;
    bool fired = false;
    while (c->toq_n && c->toq[c->toq_head].at_ns <= s->now) {
        sim_client_deadline d = c->toq[c->toq_head++];
        c->toq_n--;
        fired = deadline_passed(s, c, &d) || fired;
    }
    c->timer_armed = false;
    if (c->toq_n) {
        c->timer_armed = true;
        sim_push(s, c->toq[c->toq_head].at_ns, EV_CLIENT_TIMER, idx, 0, 0);
    }
    return fired;
}

/* The operation can never succeed (the leader said it is too big): it fails,
 * is counted, and is not retried. Its slot (session) is retired, never
 * reused: the history keeps the op as never acknowledged, and no later op may
 * share its session. */
static void fail_op(sim *s, sim_client *c, uint32_t slot)
{
    sim_cop *op = &c->ops[slot];
    op->busy = false;
    op->attempt++; /* its pending timeout goes stale */
    c->busy--;
    s->met.client_failed++;
    trace_emit(&s->tr, s->now, TR_FAIL, c->ep, op->session, op->kind, op->seq, 0);
    if (op->kind == HIST_APPEND) {
        assert(s->outstanding_writes > 0);
        s->outstanding_writes--;
    }
    if (c->cfg.kind == SIM_CLIENT_CLOSED)
        client_next(s, c->idx, c->tick_gen);
}

static void complete(sim *s, sim_client *c, uint32_t slot, const raft_msg *m, raft_id from)
{
    sim_cop *op = &c->ops[slot];
    bool is_read = op->kind == HIST_READ;
    uint64_t index = is_read ? m->creadr.read_index : m->cappr.index;
    uint64_t total = is_read ? m->creadr.records_total : 0;
    if (op->hist_id != SIZE_MAX)
        hist_complete(&s->hist, op->hist_id, s->now, index, total);
    trace_emit(&s->tr, s->now, TR_COMPLETE, c->ep, op->session, op->kind, op->seq, index);
    if (!is_read) {
        chk_acked(&s->chk, index, 0);
        u64vec_push(&s->met.lat_ack, s->now - op->invoke_ns);
        u64vec_bump(&s->met.tput_acks, s->now / METRICS_BUCKET_NS, 1);
        assert(s->outstanding_writes > 0);
        s->outstanding_writes--;
    }
    op->busy = false;
    op->attempt++; /* its pending timeout goes stale */
    c->busy--;
    c->free_ops[c->n_free++] = slot;
    c->leader_guess = from;
    if (c->cfg.kind == SIM_CLIENT_CLOSED)
        client_next(s, c->idx, c->tick_gen);
}

static void client_receive(sim *s, sim_ep to, const uint8_t *buf, size_t len)
{
    raft_msg m;
    raft_entry scratch[1];
    if (raft_msg_decode(buf, len, &m, scratch, 1) != RAFT_OK)
        return;
    bool is_read = m.type == RAFT_MSG_CLIENT_READ_RESP;
    if (!is_read && m.type != RAFT_MSG_CLIENT_APPEND_RESP)
        return;
    uint64_t session = is_read ? m.creadr.client_id : m.cappr.client_id;
    uint64_t seq = is_read ? m.creadr.seq : m.cappr.seq;
    if (session == 0 || session >= s->n_sessions)
        return;
    sim_session_ref ref = s->sessions[session];
    sim_client *c = &s->clients[ref.client];
    if (c->ep != to || ref.slot >= c->n_ops)
        return;
    sim_cop *op = &c->ops[ref.slot];
    if (!op->busy || op->seq != seq || (op->kind == HIST_READ) != is_read)
        return; /* a late answer to an op already done */
    uint8_t status = is_read ? m.creadr.status : m.cappr.status;
    raft_id hint = is_read ? m.creadr.leader_hint : m.cappr.leader_hint;
    raft_id from = m.from;
    if (status == RAFT_CLIENT_OK) {
        complete(s, c, ref.slot, &m, from);
    } else if (status == RAFT_CLIENT_NOT_LEADER && hint && hint != from &&
               sim_is_node(s, hint)) {
        c->leader_guess = hint;
        op->target = hint;
        s->met.retries++;
        trace_emit(&s->tr, s->now, TR_RETRY, c->ep, hint, 0, op->session, op->seq);
        attempt(s, c, ref.slot);
    } else if (status == RAFT_CLIENT_TOO_BIG) {
        fail_op(s, c, ref.slot);
    } else {
        c->leader_guess = 0;
        retry_later(s, c, ref.slot, status == RAFT_CLIENT_RETRY ? from : next_node(s, c), true);
    }
}

void client_deliver(sim *s, uint32_t slot)
{
    net_msg *m = net_slot(&s->nw, slot);
    sim_ep from = m->from, to = m->to;
    const uint8_t *buf = m->buf;
    uint32_t len = m->len;
    uint8_t type = m->type;
    assert(!sim_is_node(s, to));
    trace_extra_msg_id(&s->tr, slot);
    trace_emit(&s->tr, s->now, TR_DELIVER, from, to, type, len, 0);
    client_receive(s, to, buf, len);
    net_release(&s->nw, slot);
}

void client_set_stopped(sim *s, uint32_t idx, bool stopped)
{
    sim_client *c = &s->clients[idx];
    if (c->stopped == stopped)
        return;
    c->stopped = stopped;
    c->tick_gen++;
    if (!stopped)
        sim_push(s, s->now, EV_CLIENT_NEXT, idx, c->tick_gen, 0);
}
