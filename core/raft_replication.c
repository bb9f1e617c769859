/* raft_replication.c — the leader side of AppendEntries: becoming leader,
 * sending (batched, pipelined), handling replies, and the commit rule. */
#include "raft_internal.h"

#include <string.h>

/* Back to one message at a time from just after what is known to match
 * (BUG NO_BACKTRACK: never lowers nextIndex). */
void raft__peer_reset_probe(raft_node *r, raft_id id)
{
    raft_peer *p = &r->peers[id - 1];
    uint64_t match = r->match[id - 1];
    uint64_t next = match + 1;
    if (BUG(r, NO_BACKTRACK) && p->pr.next > match)
        next = p->pr.next;
    raft_progress_become_probe(&p->pr, match, next);
}

/* ---- local appends ---- */

int raft__append_local(raft_node *r, uint32_t type, const void *data, uint32_t len)
{
    raft_entry e = {.term = r->term, .type = type, .len = len, .data = data};
    uint64_t index = raft_log_last_index(&r->log) + 1;
    if (raft_log_append(&r->log, &e) != RAFT_OK)
        return RAFT_ENOMEM;
    raft__event(r, RAFT_EV_APPEND, index, index);
    raft__persist_entries(r, index, &e, 1);
    return RAFT_OK;
}

/* ---- sending ---- */

/* How many entries from `from` fit in one message: at most max_entries_per_msg
 * and max_bytes_per_msg payload bytes, but always at least one. Their
 * payload bytes go to *bytes_out (the window counts them). */
static uint32_t batch_fill(raft_node *r, uint64_t from, uint64_t *bytes_out)
{
    uint64_t last = raft_log_last_index(&r->log);
    uint32_t n = 0;
    uint64_t bytes = 0;
    while (n < r->cfg.max_entries_per_msg && from + n <= last) {
        raft_entry *e = &r->batch[n];
        bool held = raft_log_get(&r->log, from + n, e);
        assert(held);
        (void)held;
        if (n > 0 && bytes + e->len > r->cfg.max_bytes_per_msg)
            break;
        bytes += e->len;
        n++;
    }
    *bytes_out = bytes;
    return n;
}

/* Every AppendEntries goes out here: its time decides whether the follower
 * counts as idle for heartbeat_idle_only. */
static void send_to_peer(raft_node *r, raft_id id, raft_peer *p, const raft_msg *m)
{
    raft__send(r, id, m);
    p->last_append_ns = raft__now(r);
    p->append_sent = true;
}

/* An AppendEntries whose consistency check is the entry at prev, with the
 * commit index and the next seq; the caller sets n_entries and entries, the
 * rest of m.ae. Every field is stored: zeroing all of the message first
 * cost more than those stores, on every AppendEntries sent. */
static inline void append_msg(raft_node *r, raft_msg *m, uint64_t prev)
{
    m->type = RAFT_MSG_APPEND_ENTRIES;
    m->from = r->cfg.id;
    m->term = r->term;
    m->ae.prev_index = prev;
    m->ae.prev_term = raft_log_term_at(&r->log, prev);
    m->ae.leader_commit = r->commit;
    m->ae.seq = ++r->seq;
}

/* Paper Figure 2 (leaders): send entries from nextIndex, with the entry
 * before them as the consistency check; the window records it. */
static void send_append(raft_node *r, raft_id id, raft_peer *p)
{
    uint64_t prev = p->pr.next - 1;
    assert(prev >= r->log.base_index);
    uint64_t bytes;
    raft_msg m;
    append_msg(r, &m, prev);
    m.ae.n_entries = batch_fill(r, p->pr.next, &bytes);
    m.ae.entries = r->batch;
    send_to_peer(r, id, p, &m);
    raft_progress_sent(&p->pr, m.ae.seq, prev + m.ae.n_entries, bytes, raft__now(r));
}

/* Send what the progress allows: in PROBE one message (possibly empty) at a
 * time; in REPLICATE batches until the window is full in messages or bytes;
 * a snapshot once the entries nextIndex needs are compacted away (§7). */
void raft__replicate_send(raft_node *r, raft_id id)
{
    raft_peer *p = &r->peers[id - 1];
    assert(r->role == RAFT_LEADER);
    raft__invariant(r->match[id - 1] < p->pr.next); /* match <= next - 1 */
    raft_progress_limits lim = raft__progress_limits(r);
    while (!raft_progress_paused(&p->pr, &lim)) {
        if (p->pr.next <= r->log.base_index) {
            raft__send_snapshot_chunk(r, id); /* entries gone: switch to a snapshot */
            return;
        }
        if (p->pr.state == PROGRESS_REPLICATE && p->pr.next > raft_log_last_index(&r->log))
            return;
        send_append(r, id, p);
    }
}

/* An empty AppendEntries at what is known to match: keeps the follower's
 * timer quiet, tells it the commit index, confirms leadership (ReadIndex).
 * During a transfer it checks the snapshot's index instead (while the log
 * holds it: compaction_point keeps it), so that the follower's success
 * shows the snapshot installed even if the last chunk's reply was lost
 * (etcd: an append response in StateSnapshot past the pending snapshot). */
static void send_heartbeat(raft_node *r, raft_id id, raft_peer *p)
{
    uint64_t match = r->match[id - 1];
    if (p->pr.state == PROGRESS_SNAPSHOT && p->sending && p->sending->meta.index > match)
        match = p->sending->meta.index;
    uint64_t prev = match >= r->log.base_index ? match : 0;
    raft_msg m;
    append_msg(r, &m, prev);
    m.ae.n_entries = 0;
    m.ae.entries = NULL;
    send_to_peer(r, id, p, &m);
}

/* A follower that was sent an AppendEntries within the last interval needs no
 * periodic heartbeat under heartbeat_idle_only: its election timer was reset
 * by that message (or will be: the message is on its way). */
static bool busy_follower(const raft_node *r, const raft_peer *p, uint64_t now)
{
    return r->cfg.heartbeat_idle_only && p->append_sent &&
           now - p->last_append_ns < r->cfg.heartbeat_ns;
}

/* Keep a follower's log moving and its timer quiet: retransmit what timed
 * out (progress.h's rule), send what the window allows, and if that sent
 * nothing, an empty AppendEntries. A `periodic` heartbeat (the leader's
 * interval timer) may skip a busy follower; a ReadIndex round may not,
 * since it needs every follower's fresh answer. Paper §5.3 (retry
 * indefinitely), thesis §6.4 (a heartbeat round confirms a read). */
void raft__heartbeat(raft_node *r, raft_id id, bool periodic)
{
    raft_peer *p = &r->peers[id - 1];
    uint64_t now = raft__now(r);
    if (p->pr.state == PROGRESS_SNAPSHOT) {
        /* An empty AppendEntries keeps its timer quiet and answers reads
         * while no chunk goes out. */
        if (!raft__snapshot_heartbeat(r, id) && !(periodic && busy_follower(r, p, now)))
            send_heartbeat(r, id, p);
        return;
    }
    raft_progress_limits lim = raft__progress_limits(r);
    if (raft_progress_timed_out(&p->pr, &lim, now)) {
        /* Presumed lost: back off; a replicating peer probes again from
         * match + 1, a probe is resent from where it was. */
        raft_progress_backoff(&p->pr);
        if (p->pr.state == PROGRESS_REPLICATE)
            raft__peer_reset_probe(r, id);
        else
            raft_progress_become_probe(&p->pr, r->match[id - 1], p->pr.next);
    }
    uint64_t seq_before = r->seq;
    raft__replicate(r, id);
    if (r->seq == seq_before && !(periodic && busy_follower(r, p, now)))
        send_heartbeat(r, id, p);
}

static uint32_t peers_heard_within(raft_node *r, uint64_t now, uint64_t window_ns)
{
    uint32_t n = 1; /* self */
    for (raft_id id = 1; id <= r->cfg.n_nodes; id++) {
        const raft_peer *p = &r->peers[id - 1];
        if (id != r->cfg.id && raft__heard_within(p, now, window_ns))
            n++;
    }
    return n;
}

/* Thesis §6.2 (CheckQuorum): a leader that has not heard from a majority
 * within an election timeout steps down. */
void raft__heartbeat_all(raft_node *r)
{
    uint64_t now = raft__now(r);
    uint32_t heard = peers_heard_within(r, now, r->cfg.election_timeout_max_ns);
    if (r->cfg.check_quorum && heard < raft__majority(r)) {
        raft__event(r, RAFT_EV_STEPDOWN_QUORUM, heard, r->term);
        raft__become_follower(r, r->term, RAFT_NONE);
        r->leader = RAFT_NONE;
        return;
    }
    for (raft_id id = 1; id <= r->cfg.n_nodes; id++)
        if (id != r->cfg.id)
            raft__heartbeat(r, id, true);
    if (r->transfer_target != RAFT_NONE) { /* TimeoutNow may have been lost: repeat it */
        r->peers[r->transfer_target - 1].timeout_now_sent = false;
        raft__transfer_check(r, r->transfer_target);
    }
}

/* ---- commit (paper §5.4.2, Figure 8) ---- */

/* Our copy as the commit rule counts it. Thesis §10.2.1: our own copy
 * counts only once it is durable. */
static uint64_t self_copy(const raft_node *r)
{
    uint64_t last = raft_log_last_index(&r->log);
    uint64_t self = BUG(r, COUNT_SELF_EARLY) ? last : r->durable_index;
    return self > last ? last : self;
}

#ifndef NDEBUG
/* Debug builds: the cached count (count_above at count_commit) must agree
 * with a full recount of the copies above the commit index (quorum.h). */
static bool count_agrees(const raft_node *r)
{
    uint64_t v[RAFT_MAX_NODES];
    for (raft_id id = 1; id <= r->cfg.n_nodes; id++)
        v[id - 1] = id == r->cfg.id ? self_copy(r) : r->match[id - 1];
    return r->count_commit == r->commit &&
           quorum_count_above(v, r->cfg.n_nodes, r->commit) == r->count_above;
}
#endif

/* Paper Figure 2, leaders, and §5.4.2: commit the highest N a majority holds
 * whose entry is of the current term (our own copy once durable). */
void raft__leader_advance_commit(raft_node *r)
{
    if (r->role != RAFT_LEADER)
        return;
    uint64_t match[RAFT_MAX_NODES];
    uint64_t self = self_copy(r);
    /* Only copies past the commit index can move it: the k-th largest of all
     * exceeds commit exactly when at least k copies do, and then it is the
     * k-th largest of those. Most calls stop at the count, without selecting. */
    uint32_t above = 0, k = raft__majority(r);
    for (raft_id id = 1; id <= r->cfg.n_nodes; id++) {
        uint64_t v = id == r->cfg.id ? self : r->match[id - 1];
        if (v > r->commit)
            match[above++] = v;
    }
    r->count_valid = above < k; /* see commit_count_short */
    r->count_commit = r->commit;
    r->count_above = above;
    if (above < k)
        return;
    uint64_t n = quorum_kth_largest(match, above, k);
    assert(n > r->commit);
    uint64_t term_n = raft_log_term_at(&r->log, n);
    /* Only an entry of the current term is committed by counting replicas. */
    if (term_n != r->term && !BUG(r, COMMIT_OLD_TERM))
        return;
    if (raft_log_term_at(&r->log, r->commit + 1) < r->term)
        raft__event(r, RAFT_EV_OLD_TERM_COMMITTED, n, r->commit);
    if (term_n == r->term)
        r->committed_in_term = true;
    /* The count at the new commit index, so that the proposals, durable
     * writes and acknowledgements that follow need no scan: the copies
     * above n, fewer than k (n is the k-th largest). */
    uint32_t above_n = 0;
    for (uint32_t i = 0; i < above; i++)
        above_n += match[i] > n;
    r->count_valid = true;
    r->count_commit = n;
    r->count_above = above_n;
    raft__commit_to(r, n);
    if (r->role == RAFT_LEADER)
        raft__reads_check(r);
}

/* ---- replies ---- */

/* Whether a follower's match index, just raised from `old` to above the
 * commit index, still leaves fewer than a majority of copies above it, so
 * that the commit index cannot move: the count of the commit rule's last
 * scan, at this commit index, plus one if this copy crossed it. Without
 * this, every acknowledgement rescans all match indexes, O(n^2) per entry.
 * Exact because each other change that can raise a copy above the commit
 * index counts the same way (our durable index: raft__leader_durable_rose)
 * or rescans (a snapshot sent, a new leadership); debug builds assert it
 * (count_agrees). Three catalogue mistakes move copies behind the count's
 * back, so with one of them on every call rescans; with none on, the bug
 * build takes exactly the normal build's path. */
static bool commit_count_current(const raft_node *r)
{
    if (BUG(r, COUNT_SELF_EARLY) || BUG(r, BAD_CONFLICT_HINT) || BUG(r, COMMIT_OLD_TERM))
        return false;
    return r->count_valid && r->count_commit == r->commit;
}

static bool commit_count_short(raft_node *r, uint64_t old)
{
    if (!commit_count_current(r))
        return false;
    uint32_t above = r->count_above + (old <= r->commit);
    if (above >= raft__majority(r))
        return false;
    r->count_above = above;
    assert(count_agrees(r));
    return true;
}

/* Our durable index rose from `old` (raft_persisted): our copy, like a
 * follower's acknowledged one, is counted when the last count stands. A
 * leader's durable index never exceeds its log, so it is our copy. */
void raft__leader_durable_rose(raft_node *r, uint64_t old)
{
    if (commit_count_current(r)) {
        assert(r->durable_index <= raft_log_last_index(&r->log));
        if (r->durable_index <= r->commit) {
            assert(count_agrees(r));
            return; /* the commit index cannot move */
        }
        if (commit_count_short(r, old))
            return;
    }
    raft__leader_advance_commit(r);
}

/* After a proposal, which raised no copy (ours counts once durable; a host
 * that made the entry durable at once reported it, counted, already): the
 * commit rule has nothing to do while the last count stands. */
void raft__leader_commit_check(raft_node *r)
{
    if (!commit_count_current(r))
        raft__leader_advance_commit(r);
    else
        assert(count_agrees(r));
}

/* Paper Figure 2 (leaders): on success update matchIndex and nextIndex;
 * etcd's progress: a success that confirms nextIndex - 1 ends probing. */
static void on_append_success(raft_node *r, raft_id id, raft_peer *p, const raft_msg *m)
{
    uint64_t now = raft__now(r);
    uint64_t match = m->aer.match_index;
    uint64_t last = raft_log_last_index(&r->log);
    if (match > last)
        match = last; /* a follower cannot hold more than we sent */
    uint64_t rtt = raft_progress_rtt_sample(&p->pr, m->aer.seq, now);
    if (rtt != UINT64_MAX) {
        r->rtt_sum_ns += rtt;
        r->rtt_samples++;
    }
    uint64_t *pm = &r->match[id - 1];
    uint64_t old = *pm;
    if (match > *pm)
        *pm = match;
    if (p->pr.next <= *pm)
        p->pr.next = *pm + 1;
    if (p->pr.state == PROGRESS_SNAPSHOT && p->sending && *pm >= p->sending->meta.index)
        raft__snapshot_transfer_end(r, id); /* it holds the snapshot's index: installed */
    if (p->pr.state != PROGRESS_SNAPSHOT) {
        raft_progress_acked(&p->pr, *pm, now);
        if (p->pr.state == PROGRESS_PROBE && *pm + 1 >= p->pr.next)
            raft_progress_become_replicate(&p->pr, *pm); /* the probe found the match point */
    }
    assert(*pm + 1 <= p->pr.next); /* match <= next - 1 */
    if (p->catching_up && *pm >= r->commit)
        p->catching_up = false; /* caught up: compaction_point holds nothing for it */
    if (*pm > r->commit && !commit_count_short(r, old)) /* else commit cannot move */
        raft__leader_advance_commit(r);
    raft__transfer_check(r, id);
    raft__replicate(r, id);
}

/* Paper §5.3: on a rejection, decrement nextIndex and retry, skipping back
 * with the follower's conflict hint; etcd's progress: a rejection whose
 * rejected index shows it predates what we know is stale and ignored. */
static void on_append_reject(raft_node *r, raft_id id, raft_peer *p, const raft_msg *m)
{
    uint64_t rejected = m->aer.match_index; /* the prevLogIndex refused */
    if (m->aer.seq == 0 || raft_progress_reject_stale(&p->pr, r->match[id - 1], rejected))
        return;
    uint64_t next = m->aer.conflict_index;
    if (m->aer.conflict_term) {
        uint64_t last_of_term = raft_log_last_of_term(&r->log, m->aer.conflict_term);
        if (last_of_term)
            next = last_of_term + 1;
    }
    uint64_t last = raft_log_last_index(&r->log);
    if (next > last + 1)
        next = last + 1;
    if (next <= r->match[id - 1])
        next = r->match[id - 1] + 1;
    if (BUG(r, NO_BACKTRACK) && next < p->pr.next)
        next = p->pr.next; /* the mistake: a rejection never moves nextIndex back */
    raft_progress_become_probe(&p->pr, r->match[id - 1], next);
    if (BUG(r, BAD_CONFLICT_HINT))
        r->match[id - 1] = next - 1; /* trusts the hint as a match point */
    raft__event(r, RAFT_EV_BACKTRACK, id, next);
    raft__replicate(r, id); /* etcd: resend at once on a rejection */
}

/* Paper Figure 2 (all servers): a higher term in a reply makes us follow.
 * Thesis §6.4: an acknowledgement confirms this leadership for the ReadIndex
 * rounds only if it answers a request this leadership sent. Rule chosen: a
 * follower refusing an AppendEntries for its stale term answers with seq 0
 * (raft_append.c), and every other reply carries the request's own term
 * (a follower adopts the term of any AppendEntries it does not refuse, and
 * its outbox drops replies made in an older term). So a reply of our term
 * with a nonzero seq answers an AppendEntries of our term, sent by this
 * node in this leadership (one leader per term, which cannot restart and
 * lead it again), whose seqs only rise: seq >= a read's seq proves the
 * answer was produced after the read was registered, across restarts
 * (seq restarts at 0, the term does not repeat), duplicates and reordering. */
void raft__recv_append_resp(raft_node *r, const raft_msg *m)
{
    if (raft__reply_term_is_higher(r, m))
        return;
    if (m->term < r->term || r->role != RAFT_LEADER) {
        raft__event(r, RAFT_EV_STALE_MESSAGE, m->type, m->from);
        return;
    }
    raft_peer *p = &r->peers[m->from - 1];
    if (m->aer.seq > r->seq)
        return; /* cannot answer this leadership (see above) */
    if (m->aer.seq > p->acked_seq)
        p->acked_seq = m->aer.seq;
    if (m->aer.success)
        on_append_success(r, m->from, p, m);
    else
        on_append_reject(r, m->from, p, m);
    if (r->role == RAFT_LEADER)
        raft__reads_check(r);
}
