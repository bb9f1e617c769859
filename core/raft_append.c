/* raft_append.c — the follower side of AppendEntries (paper Figure 2,
 * "AppendEntries RPC", receiver implementation, and §5.3). */
#include "raft_internal.h"

static inline void reply_append(raft_node *r, raft_id to, uint64_t seq, bool success, uint64_t match,
                         uint64_t conflict_index, uint64_t conflict_term)
{
    /* Every field the reply's encoding (and the outbox) reads is set; the
     * rest is left alone (hot; bench/README.md). */
    raft_msg m;
    m.type = RAFT_MSG_APPEND_ENTRIES_RESP;
    m.from = r->cfg.id;
    m.term = r->term;
    m.aer.success = success;
    m.aer.seq = seq;
    m.aer.match_index = match;
    m.aer.conflict_index = conflict_index;
    m.aer.conflict_term = conflict_term;
    m.aer.last_index = raft_log_last_index(&r->log);
    /* A success promises durable entries up to `match`; any reply may carry a
     * new term, which must be durable too. */
    raft__send_ack(r, to, &m, success ? match : 0);
}

/* Remove [from, last] after a real conflict; reported before the APPEND that
 * replaces them. */
static void truncate_from(raft_node *r, uint64_t from)
{
    uint64_t last = raft_log_last_index(&r->log);
    assert(from > r->log.base_index);
#ifndef RAFT_BUGS
    assert(from > r->commit && "a committed entry never conflicts");
#endif
    raft__event(r, RAFT_EV_TRUNCATE, from, last);
    raft_log_truncate(&r->log, from);
    raft__clamp_durable(r, from - 1);
    if (r->commit >= from) /* only reachable with a deliberate bug */
        r->commit = from - 1;
    if (r->applied >= from)
        r->applied = from - 1;
}

/* Append the entries not already held. An entry that matches is kept, so a
 * stale or duplicated message never truncates; only a real conflict (same
 * index, different term) removes the entry and all that follow it. */
static void append_new_entries(raft_node *r, const raft_msg *m)
{
    uint64_t prev = m->ae.prev_index;
    uint32_t n = m->ae.n_entries, i = 0;
    bool cut = false;
    for (; i < n; i++) {
        uint64_t index = prev + 1 + i;
        if (index <= r->log.base_index)
            continue; /* covered by our snapshot: committed */
        if (index > raft_log_last_index(&r->log))
            break;
        if (raft_log_term_at(&r->log, index) != m->ae.entries[i].term) {
            truncate_from(r, index);
            cut = true;
            break;
        }
    }
    uint64_t last_new = prev + n;
    if (i == n && BUG(r, STALE_TRUNCATE) && last_new < raft_log_last_index(&r->log) &&
        last_new > r->log.base_index)
        truncate_from(r, last_new + 1);
    if (i == n)
        return;
    uint64_t first = prev + 1 + i;
    uint32_t appended = 0;
    for (uint32_t j = i; j < n; j++, appended++)
        if (raft_log_append(&r->log, &m->ae.entries[j]) != RAFT_OK)
            break; /* out of memory: keep what fitted, the leader resends */
    if (!appended) {
        /* The cut reaches the disk on its own (a write of no entries from
         * `first`): a restart must never bring the removed entries back. */
        if (cut)
            raft__persist_entries(r, first, NULL, 0);
        return;
    }
    raft__event(r, RAFT_EV_APPEND, first, first + appended - 1);
    raft__persist_entries(r, first, &m->ae.entries[i], appended);
}

/* Note the leader of an AppendEntries (hot). */
static inline void note_leader(raft_node *r, const raft_msg *m)
{
    uint64_t term = m->term > r->term ? m->term : r->term;
    if (m->term > r->term || r->role != RAFT_FOLLOWER) {
        if (r->role != RAFT_FOLLOWER && m->term > r->term)
            raft__event(r, RAFT_EV_STEPDOWN_TERM, m->from, m->term);
        raft__become_follower(r, term, m->from);
    }
    r->leader = m->from;
    r->leader_contact = true;
    r->leader_contact_ns = raft__now(r);
    raft__reset_election_timer(r);
}

void raft__note_leader(raft_node *r, const raft_msg *m) { note_leader(r, m); }

/* Paper §5.3: a hint that lets the leader skip a whole term per round trip. */
static void reject_inconsistent(raft_node *r, const raft_msg *m)
{
    uint64_t last = raft_log_last_index(&r->log);
    if (m->ae.prev_index > last) {
        reply_append(r, m->from, m->ae.seq, false, m->ae.prev_index, last + 1, 0);
        return;
    }
    uint64_t term = raft_log_term_at(&r->log, m->ae.prev_index);
    uint64_t first = raft_log_first_of_term(&r->log, m->ae.prev_index);
    reply_append(r, m->from, m->ae.seq, false, m->ae.prev_index, first, term);
}

/* Paper Figure 2, AppendEntries receiver (rules 1-5): refuse an older term;
 * check prevLogIndex/prevLogTerm; truncate only on a real conflict; append;
 * commit up to min(leaderCommit, last new entry). */
void raft__recv_append(raft_node *r, const raft_msg *m)
{
    /* Figure 2: a stale term is refused and does not reset the timer. */
    if (m->term < r->term && !BUG(r, ACCEPT_STALE_TERM)) {
        raft__event(r, RAFT_EV_STALE_MESSAGE, m->type, m->from);
        /* seq 0: answers no request of the term we reply in (raft_replication.c) */
        reply_append(r, m->from, 0, false, 0, 0, 0);
        return;
    }
    note_leader(r, m);
    uint64_t prev = m->ae.prev_index;
    /* A prevLogIndex at or below our snapshot is not a conflict: committed. */
    bool consistent = prev <= r->log.base_index ||
                      (prev <= raft_log_last_index(&r->log) &&
                       raft_log_term_at(&r->log, prev) == m->ae.prev_term);
    if (!consistent) {
        reject_inconsistent(r, m);
        return;
    }
    append_new_entries(r, m);
    uint64_t last = raft_log_last_index(&r->log);
    uint64_t last_new = prev + m->ae.n_entries;
    if (last_new > last)
        last_new = last; /* an append ran out of memory */
    /* Figure 2, rule 5: commitIndex = min(leaderCommit, index of last new entry). */
    uint64_t cap = BUG(r, COMMIT_UNCAPPED) ? last : last_new;
    uint64_t commit = m->ae.leader_commit < cap ? m->ae.leader_commit : cap;
    raft__commit_to(r, commit);
    reply_append(r, m->from, m->ae.seq, true, last_new, 0, 0);
}
