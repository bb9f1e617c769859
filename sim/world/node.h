/* node.h — hosting one node. The files, top first; each calls only the
 * files below it (and world.c's services):
 *   node.c         lifecycle (start, restart from disk, crash, pause, resume)
 *                  and deliveries
 *   node_io.c      the node's raft_io: time, randomness, sending, persisting,
 *                  applying, snapshots, reads, the event observer
 *   node_client.c  client requests at the node and their replies
 *   node_fsync.c   its writes on its disk and their fsyncs
 *   node_clock.c   its drifting clock and its single timer
 * The world's top (sim.c, action.c, liveness.c) drives nodes through the
 * functions of node.c, node_clock.c and node_fsync.c. */
#ifndef SIM_NODE_H
#define SIM_NODE_H

#include "world.h"

/* node.c */
int node_start(sim *s, raft_id id);  /* fresh or restart from disk */
void node_crash(sim *s, raft_id id);
void node_pause(sim *s, raft_id id);
void node_resume(sim *s, raft_id id);
/* A message delivered to node endpoint `to` (network slot `slot`). */
void node_deliver(sim *s, uint32_t slot);
void node_free(sim *s, sim_node *n);

/* node_io.c */
void node_io_init(sim_node *n, raft_io *io);

/* node_client.c */
void node_client_request(sim *s, sim_node *n, sim_ep from, const uint8_t *buf, size_t len);
void node_client_applied(sim *s, sim_node *n, uint64_t index, const raft_entry *e,
                         const logbuf_result *res);
void node_read_ready(sim *s, sim_node *n, uint64_t req_id, int status, uint64_t index);
void node_answer_reads(sim *s, sim_node *n);
void node_client_reset(sim_node *n);
void node_client_free(sim_node *n);

/* node_fsync.c */
void node_persist(sim *s, sim_node *n, const raft_write *w);
bool node_fsync_done(sim *s, raft_id id, uint64_t gen);

/* node_clock.c */
uint64_t node_local_now(sim *s, sim_node *n);
void node_set_drift(sim *s, sim_node *n, int64_t ppm);
void node_clock_jump(sim *s, sim_node *n, int64_t delta_ns);
bool node_timer(sim *s, raft_id id, uint64_t gen);
/* Arm the node's timer for its next deadline, if that moved earlier. */
void node_sync_timer(sim *s, sim_node *n);
void node__rearm_timer(sim *s, sim_node *n, uint64_t d); /* its rare path */

/* The node's next deadline. Raft's is read with raft_next_deadline, the
 * function the table's entry wraps, which inlines (the indirect call and
 * its wrapper cost more than the read: this runs after every event). */
static inline uint64_t node_next_deadline(const sim *s, const sim_node *n)
{
    if (s->ops == &raft_proto_ops)
        return raft_next_deadline(n->proto);
    return s->ops->next_deadline(n->proto);
}

/* node_sync_timer's body, inline into the node's event handlers. */
static inline void node_sync_timer_inline(sim *s, sim_node *n)
{
    if (!n->up || !n->proto)
        return;
    uint64_t d = node_next_deadline(s, n);
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
    node__rearm_timer(s, n, d);
}

#endif
