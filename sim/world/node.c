/* node.c — hosting one node: lifecycle (start, restart from disk, crash,
 * pause, resume) and deliveries. The raft_io callbacks are in node_io.c,
 * client requests at the node in node_client.c, persistence in node_fsync.c,
 * the clock and timer in node_clock.c (node.h). */
#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "../../core/msg.h"
#include "msg_peek.h"
#include "liveness_majority.h"
#include "node.h"

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
                 "n%u: its snapshot at %llu restores a state whose digest is not the one "
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
    node_sync_timer_inline(s, n);
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
    node_sync_timer_inline(s, n);
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

void node_deliver(sim *s, uint32_t slot)
{
    net_msg *m = net_slot(&s->nw, slot);
    sim_ep from = m->from, to = m->to;
    const uint8_t *buf = m->buf;
    uint32_t len = m->len;
    uint8_t type = m->type;
    bool dup = m->duplicate;
    /* to is a node: sim.c hands clients' messages to client_deliver */
    sim_node *n = &s->nodes[to];
    if (!n->up || m->dst_gen != n->gen) {
        trace_extra_msg_id(&s->tr, slot);
        trace_emit(&s->tr, s->now, TR_DROP, from, to, type, len,
                   n->up ? TR_DROP_STALE : TR_DROP_DOWN);
        net_release(&s->nw, slot);
        return;
    }
    if (n->paused) {
        hold(s, n, slot);
        return;
    }
    trace_extra_msg_id(&s->tr, slot);
    trace_emit(&s->tr, s->now, TR_DELIVER, from, to, type, len, 0);
    if (dup)
        sim_cover(s, SIM_COV_DUPLICATE_DELIVERED);
    if (sim_is_node(s, from)) {
        if (__builtin_expect(type == RAFT_MSG_REQUEST_VOTE, 0))
            receive_vote_request(s, n, from, buf, len);
        else
            s->ops->receive(n->proto, from, buf, len);
        /* a leader reached it: its message is of the term the node is in
         * after taking it (paper §5.2: a leader's AppendEntries, heartbeats
         * included, keep followers from starting elections) */
        if ((type == RAFT_MSG_APPEND_ENTRIES || type == RAFT_MSG_INSTALL_SNAPSHOT) &&
            len >= PEEK_MIN_LEN && peek_u64(buf + PEEK_TERM) == n->term)
            n->heard_leader_ns = s->now;
    } else
        node_client_request(s, n, from, buf, len);
    net_release(&s->nw, slot);
    if (n->proto)
        node_sync_timer_inline(s, n);
}

