/* raft_node.c — creating a node (fresh or from what the host recovered) and freeing it. */
#include "raft_internal.h"

#include <stdlib.h>
#include <string.h>

static bool config_valid(const raft_config *c)
{
    return c->n_nodes >= 1 && c->n_nodes <= RAFT_MAX_NODES && c->id >= 1 &&
           c->id <= c->n_nodes && c->election_timeout_min_ns > 0 &&
           c->election_timeout_min_ns <= c->election_timeout_max_ns && c->heartbeat_ns > 0 &&
           /* else followers time out between heartbeats (paper §5.6:
            * broadcastTime << electionTimeout) */
           c->heartbeat_ns < c->election_timeout_min_ns &&
           c->max_entries_per_msg >= 1 && c->max_entries_per_msg <= RAFT_MAX_BATCH &&
           c->pipeline_window >= 1 && c->pipeline_window <= RAFT_MAX_WINDOW &&
           c->snapshot_chunk_bytes >= 1 && c->max_bytes_per_msg >= 1 &&
           c->max_inflight_bytes >= 1 && c->retransmit_max_ns >= c->heartbeat_ns &&
           c->stepdown_timer <= RAFT_STEPDOWN_RESET_ALWAYS;
}

static bool io_valid(const raft_io *io, const raft_config *c)
{
    if (!io->now || !io->random || !io->send || !io->persist || !io->apply)
        return false;
    if (c->snapshot_threshold && !io->snapshot_take)
        return false;
    return io->snapshot_restore != NULL;
}

static int load_boot(raft_node *r, const raft_boot *b)
{
    r->term = b->hs.term;
    r->vote = BUG(r, FORGET_VOTE) ? RAFT_NONE : b->hs.vote;
    if (b->hs.vote > r->cfg.n_nodes)
        return RAFT_EINVAL;
    raft_log_init(&r->log, b->snap.index, b->snap.term);
    if (b->snap.index) {
        uint8_t *copy = malloc(b->snap_len ? b->snap_len : 1);
        if (!copy || (b->snap_len && !b->snap_data)) {
            free(copy);
            return RAFT_ENOMEM;
        }
        if (b->snap_len)
            memcpy(copy, b->snap_data, b->snap_len);
        raft_snapbuf *sb = raft__snapbuf_new(b->snap, copy, b->snap_len);
        if (!sb)
            return RAFT_ENOMEM;
        raft__set_snapshot(r, sb);
    }
    for (size_t i = 0; i < b->n_entries; i++) {
        if (b->entries[i].term < raft_log_last_term(&r->log))
            return RAFT_EINVAL; /* terms never decrease along a log */
        if (raft_log_append(&r->log, &b->entries[i]) != RAFT_OK)
            return RAFT_ENOMEM;
    }
    if (raft_log_last_term(&r->log) > r->term) { /* cannot happen with a sane disk */
        r->term = raft_log_last_term(&r->log);
        r->vote = RAFT_NONE;
    }
    /* The host restored its state machine from the snapshot. */
    r->commit = r->applied = b->snap.index;
    r->durable_index = raft_log_last_index(&r->log);
    return RAFT_OK;
}

/* Item sizes and bounds; the pending writes get room at once, so that a
 * write can always be tracked (raft.c's writes_merge needs one queued). */
static int fifos_init(raft_node *r)
{
    r->writes.item_size = sizeof(raft_pending_write);
    r->writes.max = RAFT_MAX_PENDING_WRITES;
    r->outbox.item_size = sizeof(raft_outbox_item);
    r->outbox.max = RAFT_MAX_OUTBOX;
    r->reads.item_size = sizeof(raft_read_req);
    r->reads.max = RAFT_MAX_READS;
    return raft__fifo_grow(&r->writes);
}

/* n zeroed items of `size` bytes (a multiple of 64), 64-byte aligned: the
 * node and its peers put their hot fields in their first cache lines
 * (raft_internal.h). NULL on overflow or out of memory. */
static void *zalloc_lines(size_t n, size_t size)
{
    _Static_assert(sizeof(raft_node) % 64 == 0 && sizeof(raft_peer) % 64 == 0,
                   "whole cache lines");
    if (n == 0 || size > SIZE_MAX / n)
        return NULL;
    void *p = aligned_alloc(64, n * size);
    if (p)
        memset(p, 0, n * size);
    return p;
}

raft_node *raft_new(const raft_config *cfg, const raft_io *io, const raft_boot *boot)
{
    if (!cfg || !io || !config_valid(cfg) || !io_valid(io, cfg))
        return NULL;
    raft_node *r = zalloc_lines(1, sizeof *r);
    if (!r)
        return NULL;
    r->cfg = *cfg;
    _Static_assert((RAFT_MAX_WINDOW & (RAFT_MAX_WINDOW - 1)) == 0, "a power of two");
    uint32_t ring = 1;
    while (ring < cfg->pipeline_window) /* <= RAFT_MAX_WINDOW (config_valid) */
        ring *= 2;
    r->inflight_mask = ring - 1;
    r->io = *io;
    raft_boot none = {0};
    r->peers = zalloc_lines(cfg->n_nodes, sizeof *r->peers);
    r->match = calloc(cfg->n_nodes, sizeof *r->match);
    r->scratch = calloc(RAFT_MAX_BATCH, sizeof *r->scratch);
    r->batch = calloc(cfg->max_entries_per_msg, sizeof *r->batch);
    if (fifos_init(r) != RAFT_OK || !r->peers || !r->match || !r->scratch || !r->batch ||
        load_boot(r, boot ? boot : &none) != RAFT_OK) {
        raft_free(r);
        return NULL;
    }
    r->role = RAFT_FOLLOWER;
    raft__reset_election_timer(r);
    return r;
}

void raft_free(raft_node *r)
{
    if (!r)
        return;
    raft_log_free(&r->log);
    free(r->writes.items);
    free(r->outbox.items);
    free(r->reads.items);
    for (uint32_t i = 0; r->peers && i < r->cfg.n_nodes; i++)
        raft__peer_release_snapshot(&r->peers[i]);
    free(r->peers);
    free(r->match);
    if (r->snap_buf)
        raft__snapbuf_release(r->snap_buf);
    free(r->taking_data);
    free(r->recv_data);
    free(r->enc);
    free(r->scratch);
    free(r->batch);
    free(r);
}
