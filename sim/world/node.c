/* node.c — hosting one node: lifecycle (start, restart from disk, crash,
 * pause, resume), its drifting clock, its single timer, deliveries and fsync
 * completions. The raft_io callbacks are in node_io.c; client requests at the
 * node in node_client.c. */
#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "../../core/msg.h"
#include "msg_peek.h"
#include "sim_internal.h"

#define PPM UINT64_C(1000000)

/* ---- clock: local(v) = l0 + (v - v0) + (v - v0) * ppm / 1e6 ---- */

/* local_at with drift, out of line: the 128-bit arithmetic would make every
 * caller save registers for the common case too. */
static __attribute__((noinline)) uint64_t local_at_drift(const sim_node *n, uint64_t v)
{
    __int128 dv = (__int128)(v - n->clk_v0);
    __int128 l = (__int128)n->clk_l0 + dv + dv * n->drift_ppm / (__int128)PPM;
    return l < 0 ? 0 : (uint64_t)l;
}

static inline uint64_t local_at(const sim_node *n, uint64_t v)
{
    assert(v >= n->clk_v0);
    if (n->drift_ppm == 0)
        return n->clk_l0 + (v - n->clk_v0); /* the common case: no division */
    return local_at_drift(n, v);
}

uint64_t node_local_now(sim *s, sim_node *n)
{
    uint64_t l = local_at(n, s->now);
    if (l < n->last_local)
        l = n->last_local; /* a backward jump freezes the clock: it stays monotonic */
    n->last_local = l;
    return l;
}

/* Earliest virtual time at which the node's clock reads `local`. */
static uint64_t virtual_for_local(sim *s, sim_node *n, uint64_t local)
{
    if (n->drift_ppm == 0 && s->now >= n->clk_v0) {
        /* The common case, without calls: node_local_now() inlined. */
        uint64_t l = n->clk_l0 + (s->now - n->clk_v0);
        if (l >= n->last_local) {
            n->last_local = l;
            return local <= l ? s->now : n->clk_v0 + (local - n->clk_l0);
        }
    }
    if (local <= node_local_now(s, n))
        return s->now;
    if (n->drift_ppm == 0)
        return n->clk_v0 + (local - n->clk_l0);
    __int128 need = (__int128)local - n->clk_l0;
    __int128 dv = (need * PPM + (PPM + n->drift_ppm) - 1) / (__int128)(PPM + n->drift_ppm);
    if (dv > (__int128)(UINT64_MAX - n->clk_v0))
        return UINT64_MAX;
    uint64_t v = n->clk_v0 + (uint64_t)(dv < 0 ? 0 : dv);
    if (v < s->now)
        v = s->now;
    while (local_at(n, v) < local && v < UINT64_MAX)
        v++;
    return v;
}

static void clock_rebase(sim *s, sim_node *n)
{
    n->clk_l0 = node_local_now(s, n);
    n->clk_v0 = s->now;
    n->timer_local = UINT64_MAX; /* node_sync_timer's shortcut no longer holds */
}

void node_set_drift(sim *s, sim_node *n, int64_t ppm)
{
    clock_rebase(s, n);
    if (ppm > 500000)
        ppm = 500000;
    if (ppm < -500000)
        ppm = -500000;
    n->drift_ppm = ppm;
    if (n->up)
        node_sync_timer(s, n);
}

void node_clock_jump(sim *s, sim_node *n, int64_t delta_ns)
{
    /* Saturate: a jump back stops at 0, a jump forward at 2^62 ns (146 years),
     * which leaves the core room to add timeouts without overflowing. */
    const uint64_t local_max = UINT64_C(1) << 62;
    clock_rebase(s, n);
    uint64_t size = delta_ns < 0 ? 0 - (uint64_t)delta_ns : (uint64_t)delta_ns;
    if (delta_ns < 0)
        n->clk_l0 = size > n->clk_l0 ? 0 : n->clk_l0 - size;
    else
        n->clk_l0 = size > local_max - (n->clk_l0 < local_max ? n->clk_l0 : local_max)
                        ? local_max
                        : n->clk_l0 + size;
    if (n->up)
        node_sync_timer(s, n);
}

/* ---- timer: one pending event; only an EARLIER deadline pushes a new one.
 * A later deadline lets the old event fire, which then re-arms. ---- */

/* node_sync_timer's rare path, out of line so that the usual early return
 * saves few registers: map deadline d to virtual time and arm if earlier. */
static __attribute__((noinline)) void rearm_timer(sim *s, sim_node *n, uint64_t d)
{
    uint64_t v = virtual_for_local(s, n, d);
    if (n->timer_armed && n->timer_at <= v)
        return;
    n->timer_armed = true;
    n->timer_at = v;
    n->timer_local = d;
    sim_push_inline(s, v, EV_NODE_TIMER, n->id, ++n->timer_gen, 0);
}

/* The node's next deadline. Raft's is read with raft_next_deadline, the
 * function the table's entry wraps, which inlines (the indirect call and
 * its wrapper cost more than the read: this runs after every event). */
static inline uint64_t next_deadline(const sim *s, const sim_node *n)
{
    if (s->ops == &raft_proto_ops)
        return raft_next_deadline(n->proto);
    return s->ops->next_deadline(n->proto);
}

/* node_sync_timer's body, inline into the event handlers of this file. */
static inline void sync_timer(sim *s, sim_node *n)
{
    if (!n->up || !n->proto)
        return;
    uint64_t d = next_deadline(s, n);
    if (d == UINT64_MAX)
        return;
    /* Shortcut for the usual call, where the deadline did not move earlier:
     * without drift and with the clock unchanged since the timer was armed
     * (clock_rebase resets timer_local), virtual_for_local is monotonic in
     * both the local deadline and virtual time, so d >= timer_local gives
     * virtual_for_local(d) >= timer_at. Skipping its update of last_local
     * is invisible: later readings under the same clock are no smaller. */
    if (n->timer_armed && d >= n->timer_local && n->drift_ppm == 0)
        return;
    rearm_timer(s, n, d);
}

void node_sync_timer(sim *s, sim_node *n)
{
    sync_timer(s, n);
}

bool node_timer(sim *s, raft_id id, uint64_t gen)
{
    sim_node *n = &s->nodes[id];
    if (gen != n->timer_gen || !n->up)
        return false;
    n->timer_armed = false;
    if (n->paused)
        return false; /* re-armed on resume */
    uint64_t d = next_deadline(s, n);
    uint64_t local = node_local_now(s, n);
    if (d > local) {
        sync_timer(s, n); /* the deadline moved later: sleep again */
        return false;
    }
    trace_emit(&s->tr, s->now, TR_TIMER, id, 0, 0, d, 0);
    s->ops->tick(n->proto);
    sync_timer(s, n);
    return true;
}

/* ---- lifecycle ---- */

static uint64_t boot_entry_hash(const blob_entry *e)
{
    return chk_entry_hash(e->term, e->type, e->data, e->len);
}

static int node_boot(sim *s, sim_node *n, raft_boot *boot, raft_entry **ents)
{
    if (disk_boot(&n->dk, boot, ents) != 0)
        return -1;
    n->lb = logbuf_new(s->cfg.logbuf_max_records, s->cfg.logbuf_max_bytes);
    if (!n->lb)
        return -1;
    logbuf_set_bugs(n->lb, s->cfg.raft.bugs);
    int rc = boot->snap_len ? logbuf_restore(n->lb, boot->snap_data, boot->snap_len) : 0;
    if (rc == LOGBUF_EDIGEST)
        sim_fail(s, SIM_V_DIGEST_MISMATCH, n->id, boot->snap.index,
                 "node %u: its snapshot at %llu restores a state whose digest is not the one "
                 "it records", n->id, (unsigned long long)boot->snap.index);
    if (rc != 0)
        return -1;
    /* Seed the checker with what the node recovers: a new lifetime. */
    chk_node_start(&s->chk, n->id, boot->snap.index);
    /* The entries are the disk's blobs, shared with the other disks: each
     * blob's hash is computed once however many nodes reboot holding it. */
    for (size_t i = 0; i < boot->n_entries; i++) {
        uint64_t index = boot->snap.index + 1 + i;
        const blob *b = disk_blob_get(&n->dk, index);
        assert(b && b->e.data == boot->entries[i].data);
        chk_append(&s->chk, n->id, index, b->e.term, blob_memo(b, boot_entry_hash));
    }
    return 0;
}

/* Durability (check.h): what the node recovered keeps its promises. */
static void check_recovered(sim *s, sim_node *n)
{
    if (s->ops != &raft_proto_ops)
        return;
    raft_status st;
    s->ops->get_status(n->proto, &st);
    chk_recovery r = {.term = st.term, .vote = st.vote, .last_index = st.last_index,
                      .snap = st.snap, .digest = n->lb ? logbuf_digest(n->lb) : 0};
    chk_recovered(&s->chk, n->id, &r);
}

int node_start(sim *s, raft_id id)
{
    sim_node *n = &s->nodes[id];
    assert(!n->up && !n->proto);
    raft_boot boot;
    raft_entry *ents = NULL;
    if (node_boot(s, n, &boot, &ents) != 0) {
        free(ents);
        return -1;
    }
    raft_config cfg = s->cfg.raft;
    cfg.id = id;
    cfg.n_nodes = s->cfg.n_nodes;
    raft_io io;
    node_io_init(n, &io);
    n->up = true;
    n->paused = false;
    n->creating = true;
    n->role = RAFT_FOLLOWER;
    n->term = boot.hs.term;
    n->proto = s->ops->create(&cfg, &io, &boot);
    n->creating = false;
    free(ents);
    if (!n->proto) {
        n->up = false;
        return -1;
    }
    if (s->events > 0 || s->now > 0)
        trace_emit(&s->tr, s->now, TR_RESTART, id, 0, 0, disk_last_index(&n->dk),
                   boot.snap.index);
    check_recovered(s, n);
    sync_timer(s, n);
    liveness_topology(s);
    return 0;
}

/* A crash loses the messages held while paused: a traced crash line lists
 * their ids (trace.h, "held_lost"). */
static void drop_held(sim *s, sim_node *n)
{
    if (s->tr.out && n->held_n)
        trace_extra_slot_ids(&s->tr, "held_lost", n->held, n->held_n);
    for (size_t i = 0; i < n->held_n; i++)
        net_release(&s->nw, n->held[i]);
    n->held_n = 0;
}

void node_crash(sim *s, raft_id id)
{
    sim_node *n = &s->nodes[id];
    if (!n->up)
        return;
    if (n->role == RAFT_LEADER && s->leader == id)
        metrics_leader_crashed(&s->met, s->now);
    if (n->role == RAFT_LEADER)
        sim_leader_gone(s, id);
    n->up = false;
    void *p = n->proto;
    n->proto = NULL;
    s->ops->destroy(p);
    logbuf_free(n->lb);
    n->lb = NULL;
    bool torn;
    size_t lost = disk_crash(&n->dk, &torn);
    chk_disk_durable(&s->chk, id, n->dk.hs.term, n->dk.hs.vote); /* a torn write's */
    if (lost)
        sim_cover(s, SIM_COV_UNSYNCED_LOST);
    if (torn)
        sim_cover(s, SIM_COV_TORN_WRITE);
    drop_held(s, n);
    node_client_reset(n);
    n->gen++;
    n->timer_gen++;
    n->timer_armed = false;
    n->paused = false;
    n->persisted_held = 0;
    n->role = RAFT_FOLLOWER;
    chk_node_crash(&s->chk, id);
    trace_emit(&s->tr, s->now, TR_CRASH, id, 0, 0, lost, torn);
    liveness_topology(s);
}

void node_pause(sim *s, raft_id id)
{
    sim_node *n = &s->nodes[id];
    if (!n->up || n->paused)
        return;
    n->paused = true;
    n->pause_gen++;
    trace_emit(&s->tr, s->now, TR_PAUSE, id, 0, 0, 0, 0);
    liveness_topology(s);
}

void node_resume(sim *s, raft_id id)
{
    sim_node *n = &s->nodes[id];
    if (!n->up || !n->paused)
        return;
    n->paused = false;
    n->pause_gen++;
    trace_emit(&s->tr, s->now, TR_RESUME, id, 0, 0, 0, 0);
    for (size_t i = 0; i < n->held_n; i++) /* in arrival order, now */
        sim_push(s, s->now, EV_DELIVER, n->held[i], 0, 0);
    n->held_n = 0;
    if (n->persisted_held) {
        uint64_t token = n->persisted_held;
        n->persisted_held = 0;
        s->ops->persisted(n->proto, token);
    }
    n->timer_armed = false; /* force a fresh timer event */
    n->timer_gen++;
    sync_timer(s, n);
    liveness_topology(s);
}

void node_free(sim *s, sim_node *n)
{
    if (n->proto)
        s->ops->destroy(n->proto);
    n->proto = NULL;
    n->up = false;
    logbuf_free(n->lb);
    n->lb = NULL;
    disk_free(&n->dk);
    node_client_free(n);
    free(n->held);
    free(n->props);
    free(n->reads);
    n->held = NULL;
    n->props = NULL;
    n->reads = NULL;
}

/* ---- deliveries and fsync ---- */

static void hold(sim *s, sim_node *n, uint32_t slot)
{
    if (n->held_n == n->held_cap) {
        size_t cap = n->held_cap ? n->held_cap * 2 : 64;
        uint32_t *p = realloc(n->held, cap * sizeof *p);
        if (!p) {
            net_release(&s->nw, slot); /* out of memory: the message is lost */
            return;
        }
        n->held = p;
        n->held_cap = cap;
    }
    n->held[n->held_n++] = slot;
}

/* A RequestVote, delivered with the checker told whose and of which term
 * (check_vote.c: no vote may answer a request of an older term). */
static __attribute__((noinline)) void receive_vote_request(sim *s, sim_node *n, sim_ep from,
                                                           const uint8_t *buf, size_t len)
{
    chk_vote_request(&s->chk, n->id, from, len >= PEEK_MIN_LEN ? peek_term(buf) : 0);
    s->ops->receive(n->proto, from, buf, len);
    chk_vote_request(&s->chk, n->id, RAFT_NONE, 0);
}

/* Tracing to a file: the message's id on the next line (trace.h). */
static inline void trace_msg_id_field(sim *s, uint32_t slot)
{
    if (s->tr.out)
        trace_extra(&s->tr, "\"id\":%llu", (unsigned long long)trace_msg_id(&s->tr, slot));
}

void node_deliver(sim *s, uint32_t slot)
{
    net_msg *m = net_slot(&s->nw, slot);
    sim_ep from = m->from, to = m->to;
    const uint8_t *buf = m->buf;
    uint32_t len = m->len;
    uint8_t type = m->type;
    bool dup = m->duplicate;
    if (!sim_is_node(s, to)) {
        trace_msg_id_field(s, slot);
        trace_emit(&s->tr, s->now, TR_DELIVER, from, to, type, len, 0);
        client_receive(s, to, buf, len);
        net_release(&s->nw, slot);
        return;
    }
    sim_node *n = &s->nodes[to];
    if (!n->up || m->dst_gen != n->gen) {
        trace_msg_id_field(s, slot);
        trace_emit(&s->tr, s->now, TR_DROP, from, to, type, len,
                   n->up ? TR_DROP_STALE : TR_DROP_DOWN);
        net_release(&s->nw, slot);
        return;
    }
    if (n->paused) {
        hold(s, n, slot);
        return;
    }
    trace_msg_id_field(s, slot);
    trace_emit(&s->tr, s->now, TR_DELIVER, from, to, type, len, 0);
    if (dup)
        sim_cover(s, SIM_COV_DUPLICATE_DELIVERED);
    if (sim_is_node(s, from)) {
        if (__builtin_expect(type == RAFT_MSG_REQUEST_VOTE, 0))
            receive_vote_request(s, n, from, buf, len);
        else
            s->ops->receive(n->proto, from, buf, len);
    } else
        node_client_request(s, n, from, buf, len);
    net_release(&s->nw, slot);
    if (n->proto)
        sync_timer(s, n);
}

static __attribute__((noinline)) void fsync_begin(sim *s, sim_node *n)
{
    uint64_t lat;
    if (!disk_fsync_start(&n->dk, &lat))
        return;
    trace_emit(&s->tr, s->now, TR_FSYNC, n->id, 0, 0, n->dk.fsync_covers, lat);
    sim_push_inline(s, s->now + lat, EV_FSYNC_DONE, n->id, n->dk.fsync_gen, 0);
}

/* Start an fsync if one is wanted. The test is inline and the work out of
 * line: after an fsync completes there is usually nothing new to sync, and
 * that answer then costs no call and no register saves. */
static inline void start_fsync(sim *s, sim_node *n)
{
    if (disk_fsync_wanted(&n->dk))
        fsync_begin(s, n);
}

void node_persist(sim *s, sim_node *n, const raft_write *w)
{
    if (disk_write(&n->dk, w) != 0) {
        sim_fail(s, SIM_V_EVENT_LIMIT, n->id, 0, "out of memory queueing a disk write");
        return;
    }
    start_fsync(s, n);
}

bool node_fsync_done(sim *s, raft_id id, uint64_t gen)
{
    sim_node *n = &s->nodes[id];
    if (!n->up || gen != n->dk.fsync_gen || !n->dk.fsync_covers)
        return false;
    uint64_t token = disk_fsync_done(&n->dk);
    chk_disk_durable(&s->chk, id, n->dk.hs.term, n->dk.hs.vote);
    trace_emit(&s->tr, s->now, TR_PERSIST, id, 0, 0, token, 0);
    start_fsync(s, n); /* writes that arrived meanwhile: the next group */
    if (n->paused) {
        n->persisted_held = token; /* the process learns of it when it resumes */
        return true;
    }
    s->ops->persisted(n->proto, token);
    sync_timer(s, n);
    return true;
}
