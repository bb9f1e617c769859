/* node_fsync.c — a hosted node's persistence: queueing its writes on its
 * disk (disk.h), starting fsyncs, and reporting their completion to the node
 * (group commit: one fsync covers every write queued before it starts). */
#include "node.h"

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
    node_sync_timer_inline(s, n);
    return true;
}
