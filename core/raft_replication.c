/* raft_replication.c — the leader side of AppendEntries: becoming leader,
 * sending (batched, pipelined), handling replies, and the commit rule. */
#include "raft_internal.h"

#include <string.h>

/* ---- per-peer in-flight window ---- */

/* The ring holds inflight_mask + 1 entries (see raft_node), at most
 * RAFT_MAX_WINDOW: at most pipeline_window are in flight
 * (raft__replicate_send). */
static raft_inflight *inflight_at(const raft_node *r, raft_peer *p, uint32_t i)
{
    assert(i < p->in_count);
    return &p->inflight[(p->in_head + i) & r->inflight_mask];
}

static void inflight_push(const raft_node *r, raft_peer *p, uint64_t seq, uint64_t last_index,
                          uint64_t now)
{
    assert(p->in_count <= r->inflight_mask); /* the ring has room */
    p->in_count++;
    *inflight_at(r, p, p->in_count - 1) = (raft_inflight){seq, last_index, now};
}

static void inflight_ack(const raft_node *r, raft_peer *p, uint64_t match)
{
    while (p->in_count && inflight_at(r, p, 0)->last_index <= match) {
        p->in_head = (p->in_head + 1) & r->inflight_mask;
        p->in_count--;
    }
}

/* Back to one message at a time from just after what is known to match. */
void raft__peer_reset_probe(raft_node *r, raft_id id)
{
    raft_peer *p = &r->peers[id - 1];
    p->mode = PEER_PROBE;
    p->in_count = 0;
    p->in_head = 0;
    if (!BUG(r, NO_BACKTRACK) || p->next_index <= r->match[id - 1])
        p->next_index = r->match[id - 1] + 1;
    p->valid_seq = r->seq + 1;
}

/* ---- becoming leader ---- */

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

/* Paper Figure 2 (leaders) and §8: reset nextIndex/matchIndex, append a no-op
 * of the new term, and send to everyone at once. */
void raft__become_leader(raft_node *r)
{
    uint64_t now = raft__now(r);
    raft__set_role(r, RAFT_LEADER);
    r->leader = r->cfg.id;
    r->elections_won++;
    r->committed_in_term = false;
    r->transfer_target = RAFT_NONE;
    uint64_t next = raft_log_last_index(&r->log) + 1;
    for (raft_id id = 1; id <= r->cfg.n_nodes; id++) {
        raft_peer *p = &r->peers[id - 1];
        raft__peer_release_snapshot(p);
        memset(p, 0, sizeof *p);
        r->match[id - 1] = 0;
        p->next_index = next;
        p->mode = PEER_PROBE;
        p->valid_seq = r->seq + 1; /* answers to a previous leadership are stale */
        p->last_heard_ns = now; /* CheckQuorum grace period for a new leader */
        p->heard = true;
    }
    raft__append_local(r, RAFT_ENTRY_NOOP, NULL, 0);
    r->heartbeat_deadline_ns = now + r->cfg.heartbeat_ns;
    for (raft_id id = 1; id <= r->cfg.n_nodes; id++)
        if (id != r->cfg.id)
            raft__replicate(r, id);
    raft__leader_advance_commit(r);
}

/* ---- sending ---- */

/* How many entries from `from` fit in one message: at most max_entries_per_msg
 * and max_bytes_per_msg payload bytes, but always at least one. */
static uint32_t batch_fill(raft_node *r, uint64_t from)
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

/* The header of an AppendEntries. The caller sets every field of m.ae:
 * zeroing all of the message first cost more than those stores, on every
 * AppendEntries sent. */
static inline void append_msg(const raft_node *r, raft_msg *m)
{
    m->type = RAFT_MSG_APPEND_ENTRIES;
    m->from = r->cfg.id;
    m->term = r->term;
}

static void send_append(raft_node *r, raft_id id, raft_peer *p)
{
    uint64_t prev = p->next_index - 1;
    assert(prev >= r->log.base_index);
    raft_msg m;
    append_msg(r, &m);
    m.ae.prev_index = prev;
    m.ae.prev_term = raft_log_term_at(&r->log, prev);
    m.ae.leader_commit = r->commit;
    m.ae.seq = ++r->seq;
    m.ae.n_entries = batch_fill(r, p->next_index);
    m.ae.entries = r->batch;
    send_to_peer(r, id, p, &m);
    inflight_push(r, p, m.ae.seq, prev + m.ae.n_entries, raft__now(r));
    if (p->mode == PEER_PIPELINE)
        p->next_index = prev + m.ae.n_entries + 1; /* optimistic */
}

/* Send what the window allows: in probe mode one message (possibly empty) at a
 * time; in pipeline mode batches until the window is full. */
void raft__replicate_send(raft_node *r, raft_id id)
{
    raft_peer *p = &r->peers[id - 1];
    assert(r->role == RAFT_LEADER);
    if (p->mode == PEER_SNAPSHOT)
        return;
    uint32_t window = raft__peer_window(r, p);
    while (p->in_count < window) {
        if (p->next_index <= r->log.base_index) {
            raft__send_snapshot_chunk(r, id); /* entries gone: switch to a snapshot */
            return;
        }
        if (p->mode == PEER_PIPELINE && p->next_index > raft_log_last_index(&r->log))
            return;
        send_append(r, id, p);
    }
}

/* An empty AppendEntries at what is known to match: keeps the follower's
 * timer quiet, tells it the commit index, confirms leadership (ReadIndex). */
static void send_heartbeat(raft_node *r, raft_id id, raft_peer *p)
{
    uint64_t match = r->match[id - 1];
    uint64_t prev = match >= r->log.base_index ? match : 0;
    raft_msg m;
    append_msg(r, &m);
    m.ae.prev_index = prev;
    m.ae.prev_term = raft_log_term_at(&r->log, prev);
    m.ae.leader_commit = r->commit;
    m.ae.seq = ++r->seq;
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

/* Keep a follower's log moving and its timer quiet: resend what seems lost,
 * send what it lacks, and if that sent nothing, an empty AppendEntries. A
 * `periodic` heartbeat (the leader's interval timer) may skip a busy follower;
 * a ReadIndex round may not, since it needs every follower's fresh answer. */
void raft__heartbeat(raft_node *r, raft_id id, bool periodic)
{
    raft_peer *p = &r->peers[id - 1];
    uint64_t now = raft__now(r);
    if (p->mode == PEER_SNAPSHOT) {
        if (!p->snap_chunk_inflight || now - p->snap_sent_ns >= r->cfg.heartbeat_ns)
            raft__send_snapshot_chunk(r, id); /* resend a lost chunk */
        return;
    }
    if (p->in_count && now - inflight_at(r, p, 0)->sent_ns >= r->cfg.heartbeat_ns)
        raft__peer_reset_probe(r, id); /* presumed lost: resend from match + 1 */
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
        if (id != r->cfg.id && p->heard && now - p->last_heard_ns <= window_ns)
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

static void swap_u64(uint64_t *a, uint64_t *b)
{
    uint64_t t = *a;
    *a = *b;
    *b = t;
}

/* k-th largest (k >= 1) of v[0..n); v is reordered. Quickselect (Hoare's
 * FIND) with a middle pivot: expected O(n), so commit bookkeeping stays
 * linear in the cluster size. Deterministic: depends on the values only. */
uint64_t raft__kth_largest(uint64_t *v, uint32_t n, uint32_t k)
{
    assert(k >= 1 && k <= n);
    if (k == n) { /* the smallest: the commit rule's usual case, an exact majority */
        uint64_t min = v[0];
        for (uint32_t i = 1; i < n; i++)
            min = v[i] < min ? v[i] : min;
        return min;
    }
    uint32_t lo = 0, hi = n - 1, want = k - 1; /* index in descending order */
    while (lo < hi) {
        uint64_t pivot = v[lo + (hi - lo) / 2];
        uint32_t i = lo, j = hi;
        while (i <= j) {
            while (v[i] > pivot)
                i++;
            while (v[j] < pivot)
                j--;
            if (i <= j) {
                swap_u64(&v[i], &v[j]);
                i++;
                if (j == 0)
                    break;
                j--;
            }
        }
        /* now v[lo..j] >= pivot >= v[i..hi] */
        if (want <= j && j != UINT32_MAX && i > j)
            hi = j;
        else if (want >= i)
            lo = i;
        else
            return v[want];
    }
    return v[want];
}

void raft__leader_advance_commit(raft_node *r)
{
    if (r->role != RAFT_LEADER)
        return;
    uint64_t match[RAFT_MAX_NODES];
    uint64_t last = raft_log_last_index(&r->log);
    /* Thesis §10.2.1: our own copy counts only once it is durable. */
    uint64_t self = BUG(r, COUNT_SELF_EARLY) ? last : r->durable_index;
    if (self > last)
        self = last;
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
    uint64_t n = raft__kth_largest(match, above, k);
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
 * or rescans (a snapshot sent, a new leadership); the bug catalogue's
 * mistakes do not, so with one on, every call rescans. */
static bool commit_count_current(const raft_node *r)
{
    return r->count_valid && r->count_commit == r->commit && !ANY_BUG(r);
}

static bool commit_count_short(raft_node *r, uint64_t old)
{
    if (!commit_count_current(r))
        return false;
    uint32_t above = r->count_above + (old <= r->commit);
    if (above >= raft__majority(r))
        return false;
    r->count_above = above;
    return true;
}

/* Our durable index rose from `old` (raft_persisted): our copy, like a
 * follower's acknowledged one, is counted when the last count stands. A
 * leader's durable index never exceeds its log, so it is our copy. */
void raft__leader_durable_rose(raft_node *r, uint64_t old)
{
    if (commit_count_current(r)) {
        assert(r->durable_index <= raft_log_last_index(&r->log));
        if (r->durable_index <= r->commit || commit_count_short(r, old))
            return; /* the commit index cannot move */
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
}

static void on_append_success(raft_node *r, raft_id id, raft_peer *p, const raft_msg *m)
{
    uint64_t now = raft__now(r);
    uint64_t match = m->aer.match_index;
    uint64_t last = raft_log_last_index(&r->log);
    if (match > last)
        match = last; /* a follower cannot hold more than we sent */
    for (uint32_t i = 0; i < p->in_count; i++) {
        if (inflight_at(r, p, i)->seq == m->aer.seq) {
            r->rtt_sum_ns += now - inflight_at(r, p, i)->sent_ns;
            r->rtt_samples++;
            break;
        }
    }
    uint64_t *pm = &r->match[id - 1];
    uint64_t old = *pm;
    if (match > *pm)
        *pm = match;
    if (p->next_index <= *pm)
        p->next_index = *pm + 1;
    inflight_ack(r, p, *pm);
    if (p->mode == PEER_PROBE && *pm + 1 == p->next_index &&
        m->aer.seq >= p->valid_seq) {
        p->mode = PEER_PIPELINE; /* the probe found the match point */
        p->in_count = 0;
    }
    if (*pm > r->commit && !commit_count_short(r, old)) /* else commit cannot move */
        raft__leader_advance_commit(r);
    raft__transfer_check(r, id);
    raft__replicate(r, id);
}

/* Paper §5.3: skip back using the follower's conflict hint. */
static void on_append_reject(raft_node *r, raft_id id, raft_peer *p, const raft_msg *m)
{
    if (m->aer.seq < p->valid_seq || p->mode == PEER_SNAPSHOT)
        return; /* answers a message sent before the last reset */
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
    if (next < 1)
        next = 1;
    if (BUG(r, NO_BACKTRACK) && next < p->next_index)
        next = p->next_index; /* the mistake: a rejection never moves nextIndex back */
    raft__peer_reset_probe(r, id);
    p->next_index = next;
    if (BUG(r, BAD_CONFLICT_HINT))
        r->match[id - 1] = next - 1; /* trusts the hint as a match point */
    raft__event(r, RAFT_EV_BACKTRACK, id, next);
    raft__replicate(r, id);
}

void raft__recv_append_resp(raft_node *r, const raft_msg *m)
{
    if (m->term > r->term) {
        if (r->role == RAFT_LEADER && BUG(r, NO_STEPDOWN))
            return;
        if (r->role != RAFT_FOLLOWER)
            raft__event(r, RAFT_EV_STEPDOWN_TERM, m->from, m->term);
        raft__become_follower(r, m->term, RAFT_NONE);
        return;
    }
    if (m->term < r->term || r->role != RAFT_LEADER) {
        raft__event(r, RAFT_EV_STALE_MESSAGE, m->type, m->from);
        return;
    }
    raft_peer *p = &r->peers[m->from - 1];
    if (m->aer.seq > p->acked_seq)
        p->acked_seq = m->aer.seq;
    if (m->aer.success)
        on_append_success(r, m->from, p, m);
    else
        on_append_reject(r, m->from, p, m);
    if (r->role == RAFT_LEADER)
        raft__reads_check(r);
}
