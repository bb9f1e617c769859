/* raft_read.c — linearizable reads (ReadIndex, thesis §6.4) and leadership
 * transfer (thesis §3.10). */
#include "raft_internal.h"

/* ---- ReadIndex ---- */

/* Thesis §6.4 (ReadIndex): a read waits for an entry of the leader's term to
 * commit and for a heartbeat round a majority answers after it arrived. */
int raft_read_index(raft_node *r, uint64_t req_id)
{
    assert(r != NULL);
    if (r->role != RAFT_LEADER)
        return RAFT_ENOTLEADER;
    /* Thesis §6.4 step 1: until an entry of its term commits, a new leader
     * does not know the true commit index. */
    if (!r->committed_in_term)
        return RAFT_ENOTREADY;
    if (r->cfg.n_nodes == 1) {
        if (r->io.read_ready)
            r->io.read_ready(r->io.ctx, req_id, RAFT_OK, r->commit);
        return RAFT_OK;
    }
    /* Step 2: confirm leadership with a heartbeat round; every AppendEntries
     * sent from now on has seq >= this. */
    raft_read_req q = {.req_id = req_id, .index = r->commit, .seq = r->seq + 1};
    int rc = raft__fifo_push(&r->reads, &q);
    if (rc != RAFT_OK) { /* RAFT_ELIMIT at RAFT_MAX_READS, or out of memory */
        raft__limit_hit(r, RAFT_LIMIT_READS, r->reads.count);
        return rc;
    }
    /* The round goes out at the next raft_tick, which raft_next_deadline
     * asks for at once: one round confirms every read registered before it
     * (etcd batches ReadIndex requests likewise), so reads arriving
     * together cost one round, not one each (explore seed 15597: 467
     * reads released at once by a stalled client link sent 1,401
     * AppendEntries in one instant). */
    if (!r->read_round_due) {
        r->read_round_due = true;
        r->read_round_ns = raft__now(r);
    }
    return RAFT_OK;
}

/* The round raft_read_index owes: a heartbeat to every follower, busy or
 * not (each must answer a request sent after the reads were registered). */
void raft__read_round(raft_node *r)
{
    assert(r->role == RAFT_LEADER && r->read_round_due);
    r->read_round_due = false;
    for (raft_id id = 1; id <= r->cfg.n_nodes; id++)
        if (id != r->cfg.id)
            raft__heartbeat(r, id, false);
}

/* Thesis §6.4 step 3: the nodes (self included) that answered an
 * AppendEntries with seq >= `seq`, sent after the read was registered;
 * acked_seq holds only answers to this leadership's own requests
 * (raft__recv_append_resp), so none produced before the read counts. */
static uint32_t acks_since(const raft_node *r, uint64_t seq)
{
    uint32_t n = 1;
    for (raft_id id = 1; id <= r->cfg.n_nodes; id++)
        if (id != r->cfg.id && r->peers[id - 1].acked_seq >= seq)
            n++;
    return n;
}

/* Thesis §6.4 step 4: answer, in order, the reads a majority has confirmed
 * (raft__reads_check with reads pending). */
void raft__reads_answer(raft_node *r)
{
    assert(r->role == RAFT_LEADER);
    uint32_t majority = raft__majority(r);
    while (r->reads.count) {
        raft_read_req *q = raft__fifo_at(&r->reads, 0);
        if (acks_since(r, q->seq) < majority)
            break; /* reads are ordered by seq: later ones wait too */
        raft_read_req done = *q;
        raft__fifo_pop(&r->reads);
        if (r->io.read_ready)
            r->io.read_ready(r->io.ctx, done.req_id, RAFT_OK, done.index);
    }
}

void raft__reads_fail_all(raft_node *r)
{
    while (r->reads.count) {
        raft_read_req q = *(raft_read_req *)raft__fifo_at(&r->reads, 0);
        raft__fifo_pop(&r->reads);
        if (r->io.read_ready)
            r->io.read_ready(r->io.ctx, q.req_id, RAFT_ENOTLEADER, 0);
    }
}

/* ---- leadership transfer ---- */

/* Thesis §3.10: stop accepting requests, bring the target up to date, then
 * send it TimeoutNow. */
int raft_transfer(raft_node *r, raft_id target)
{
    assert(r != NULL);
    if (r->role != RAFT_LEADER)
        return RAFT_ENOTLEADER;
    if (target < 1 || target > r->cfg.n_nodes || target == r->cfg.id)
        return RAFT_EINVAL;
    if (r->transfer_target != RAFT_NONE)
        return RAFT_EBUSY;
    r->transfer_target = target;
    r->transfer_deadline_ns = raft__now(r) + r->cfg.election_timeout_max_ns;
    r->peers[target - 1].timeout_now_sent = false;
    raft__event(r, RAFT_EV_TRANSFER_START, target, r->term);
    raft__transfer_check(r, target);
    if (r->transfer_target != RAFT_NONE && !r->peers[target - 1].timeout_now_sent)
        raft__replicate(r, target); /* bring its log up to date first */
    return RAFT_OK;
}

void raft__transfer_check_target(raft_node *r, raft_id id)
{
    raft_peer *p = &r->peers[id - 1];
    assert(r->transfer_target == id);
    if (p->timeout_now_sent)
        return;
    if (r->match[id - 1] != raft_log_last_index(&r->log))
        return;
    raft_msg m = {.type = RAFT_MSG_TIMEOUT_NOW, .from = r->cfg.id, .term = r->term};
    raft__send(r, id, &m);
    p->timeout_now_sent = true;
}

/* The transfer is abandoned after an election timeout (thesis §3.10). */
void raft__transfer_tick(raft_node *r, uint64_t now)
{
    if (r->transfer_target != RAFT_NONE && now >= r->transfer_deadline_ns)
        r->transfer_target = RAFT_NONE;
}
