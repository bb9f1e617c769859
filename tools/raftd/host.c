/* host.c — raftd's implementation of the raft_io host interface (core/raft.h),
 * the same contract sim/world/node_io.c implements for the simulator:
 *   now       CLOCK_MONOTONIC in ns
 *   random    splitmix64 seeded at start-up from the clock, pid and node id
 *   send      a frame to the peer's link (dropped if the link is down: Raft
 *             retransmits)
 *   persist   queued in the store; loop.c syncs and calls raft_persisted
 *   apply     to the log buffer, then the client service answers appends
 *   snapshot  the log buffer's own image, taken and restored
 *   event     the log on stderr (role, term and snapshot changes at info)
 */
#include <inttypes.h>
#include <stdlib.h>
#include <unistd.h>

#include "raftd.h"

static uint64_t io_now(void *ctx)
{
    (void)ctx;
    return mono_ns();
}

static uint64_t io_random(void *ctx)
{
    raftd *d = ctx;
    uint64_t z = (d->rng += 0x9E3779B97F4A7C15u);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9u;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBu;
    return z ^ (z >> 31);
}

static void io_send(void *ctx, raft_id to, const uint8_t *buf, size_t len)
{
    peers_send(ctx, to, buf, len);
}

static void io_persist(void *ctx, const raft_write *w)
{
    raftd *d = ctx;
    if (store_write(d->st, w) != 0)
        raftd_fatal(d, "storage write");
}

static void io_apply(void *ctx, uint64_t index, const raft_entry *e)
{
    raftd *d = ctx;
    logbuf_result res = {0};
    int rc = e->type == RAFT_ENTRY_DATA ? logbuf_apply(d->lb, index, e->data, e->len, &res)
                                        : logbuf_apply_noop(d->lb, index);
    if (rc != 0) {
        LOG_ERROR("apply of %" PRIu64 " out of order", index);
        raftd_fatal(d, "state machine");
    }
    clients_applied(d, index, e, &res);
}

static uint8_t *io_snapshot_take(void *ctx, uint64_t index, size_t *len)
{
    raftd *d = ctx;
    size_t size = logbuf_snapshot_size(d->lb);
    uint8_t *buf = malloc(size ? size : 1);
    if (!buf)
        return NULL;
    *len = logbuf_snapshot_write(d->lb, buf, size);
    if (*len == 0) {
        free(buf);
        return NULL;
    }
    LOG_DEBUG("snapshot of the log buffer at %" PRIu64 ": %zu bytes", index, *len);
    return buf;
}

static void io_snapshot_restore(void *ctx, const raft_snapshot_meta *meta, const uint8_t *data,
                                size_t len)
{
    raftd *d = ctx;
    if (logbuf_restore(d->lb, data, len) != 0) {
        LOG_ERROR("snapshot %" PRIu64 "/%" PRIu64 " from the leader does not decode",
                  meta->index, meta->term);
        raftd_fatal(d, "state machine");
    }
    clients_snapshot_restored(d, meta->index);
}

static void io_read_ready(void *ctx, uint64_t req_id, int status, uint64_t index)
{
    clients_read_ready(ctx, req_id, status, index);
}

static void io_event(void *ctx, const raft_event *ev)
{
    raftd *d = ctx;
    switch (ev->kind) {
    case RAFT_EV_ROLE:
        LOG_INFO("role %s in term %" PRIu64, raft_role_name((enum raft_role)ev->a), ev->b);
        clients_role_changed(d, (enum raft_role)ev->a);
        break;
    case RAFT_EV_TERM: LOG_DEBUG("term %" PRIu64, ev->a); break;
    case RAFT_EV_VOTE: LOG_INFO("voted for n%" PRIu64 " in term %" PRIu64, ev->a, ev->b); break;
    case RAFT_EV_COMMIT:
        logbuf_note_commit(d->lb, ev->a);
        break;
    case RAFT_EV_TRUNCATE:
        LOG_INFO("log truncated from %" PRIu64 " (was up to %" PRIu64 "): conflict", ev->a,
                 ev->b);
        break;
    case RAFT_EV_SNAPSHOT_TAKEN:
        d->snapshots_taken++;
        LOG_INFO("snapshot taken at %" PRIu64 "/%" PRIu64, ev->a, ev->b);
        break;
    case RAFT_EV_SNAPSHOT_INSTALLED:
        d->snapshots_installed++;
        LOG_INFO("snapshot installed from the leader at %" PRIu64 "/%" PRIu64, ev->a, ev->b);
        break;
    case RAFT_EV_SNAPSHOT_SENT: LOG_INFO("sending a snapshot to n%" PRIu64, ev->a); break;
    case RAFT_EV_STEPDOWN_QUORUM:
        LOG_WARN("stepped down: no majority heard within an election timeout");
        break;
    case RAFT_EV_TRANSFER_START: LOG_INFO("leadership transfer to n%" PRIu64, ev->a); break;
    default: break;
    }
}

void host_io_init(raftd *d, raft_io *io)
{
    *io = (raft_io){0};
    io->ctx = d;
    io->now = io_now;
    io->random = io_random;
    io->send = io_send;
    io->persist = io_persist;
    io->apply = io_apply;
    io->snapshot_take = io_snapshot_take;
    io->snapshot_restore = io_snapshot_restore;
    io->read_ready = io_read_ready;
    io->event = io_event;
    d->rng = mono_ns() ^ ((uint64_t)getpid() << 32) ^ d->cfg.id;
}
