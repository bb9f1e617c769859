/* raft_role.c — every change of role and term, in one place (paper
 * Figure 2, "Rules for Servers"; PreVote, thesis §9.6): the handlers call
 * these, and nothing here calls a handler's entry point or the dispatch in
 * raft.c. Also the election's vote tally and the majority size. */
#include "raft_internal.h"

#include <string.h>

uint32_t raft__majority(const raft_node *r) { return r->cfg.n_nodes / 2 + 1; }

/* Thesis §6.4 and §3.10: a leader that steps down fails its pending reads and
 * abandons a transfer. */
void raft__set_role(raft_node *r, enum raft_role role)
{
    if (r->role == role)
        return;
    if (r->role == RAFT_LEADER) {
        raft__reads_fail_all(r);
        r->transfer_target = RAFT_NONE;
    }
    r->role = role;
    raft__event(r, RAFT_EV_ROLE, (uint64_t)role, r->term);
}

/* Paper Figure 2, all servers: a higher term is adopted and the vote cleared. */
void raft__set_term(raft_node *r, uint64_t term)
{
    assert(term > r->term);
    r->term = term;
    r->vote = RAFT_NONE;
    r->leader = RAFT_NONE;
    raft__event(r, RAFT_EV_TERM, term, 0);
}

/* Paper Figure 2, all servers: a higher term makes any server a follower
 * (persisted first); candidates: an AppendEntries of the current term too. */
void raft__become_follower(raft_node *r, uint64_t term, raft_id leader)
{
    bool was_follower = r->role == RAFT_FOLLOWER, was_leader = r->role == RAFT_LEADER;
    if (term > r->term) {
        raft__set_term(r, term);
        if (!BUG(r, STEPDOWN_TERM_VOLATILE))
            raft__persist_hs(r);
    }
    raft__set_role(r, RAFT_FOLLOWER);
    if (leader != RAFT_NONE)
        r->leader = leader;
    /* Timer on step-down: Figure 2 names only granting and the leader's
     * AppendEntries; LogCabin re-arms a former leader only, etcd always
     * (see enum raft_stepdown_timer and reports/: study 1 shows all three). */
    bool rearm = r->cfg.stepdown_timer == RAFT_STEPDOWN_RESET_ALWAYS ||
                 (r->cfg.stepdown_timer == RAFT_STEPDOWN_RESET_LEADER ? was_leader : !was_follower);
    if (rearm)
        raft__reset_election_timer(r);
}

/* Paper Figure 2, all servers (§5.1): a reply carrying a higher term makes
 * this node a follower of that term. True if the term was higher: the
 * caller is then done with the reply. */
bool raft__reply_term_is_higher(raft_node *r, const raft_msg *m)
{
    if (m->term <= r->term)
        return false;
    if (r->role == RAFT_LEADER && BUG(r, NO_STEPDOWN))
        return true; /* the bug: a leader ignores the higher term */
    if (r->role != RAFT_FOLLOWER)
        raft__event(r, RAFT_EV_STEPDOWN_TERM, m->from, m->term);
    raft__become_follower(r, m->term, RAFT_NONE);
    assert(r->role == RAFT_FOLLOWER);
    assert(r->term == m->term);
    return true;
}

/* ---- candidates: the vote tally ---- */

uint32_t raft__votes_counted(const raft_node *r)
{
    if (BUG(r, DUPLICATE_VOTES))
        return r->votes_count;
    return (uint32_t)__builtin_popcountll(r->votes_mask);
}

void raft__count_vote(raft_node *r, raft_id from)
{
    r->votes_mask |= UINT64_C(1) << (from - 1);
    r->votes_count++;
}

bool raft__self_vote_counted(const raft_node *r)
{
    return (r->votes_mask >> (r->cfg.id - 1)) & 1;
}

/* A new round of votes. A pre-vote changes nothing durable and counts our own
 * at once; a real election's self-vote counts only once the term and vote
 * are durable (paper Figure 2: persistent state is updated on stable storage
 * before responding; thesis §3.8), as our own log copy counts only once it
 * is — for every cluster size, so a lone node never leads a term it could
 * forget and lead again with other entries. */
static void votes_reset(raft_node *r, bool prevote)
{
    r->votes_mask = 0;
    r->votes_count = 0;
    if (prevote || r->persisted_token >= r->hs_token)
        raft__count_vote(r, r->cfg.id);
}

/* Paper Figure 2, candidates: on conversion increment the term, vote for
 * self, reset the election timer (the caller asks everyone). */
void raft__become_candidate(raft_node *r)
{
    enum raft_role from = r->role;
    raft__set_term(r, r->term + 1);
    r->vote = r->cfg.id;
    raft__persist_hs(r);
    raft__set_role(r, RAFT_CANDIDATE); /* no role event for a candidate's retry */
    r->elections_started++;
    raft__event(r, RAFT_EV_CAMPAIGN, r->term, (uint64_t)from);
    votes_reset(r, false);
    raft__reset_election_timer(r);
}

/* Thesis §9.6: a pre-candidate asks whether it could win, changing no term
 * or vote; its own pre-vote counts at once. */
void raft__become_precandidate(raft_node *r)
{
    raft__set_role(r, RAFT_PRECANDIDATE);
    r->leader = RAFT_NONE;
    votes_reset(r, true);
    raft__reset_election_timer(r);
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
        /* Answers to a previous leadership are stale: they carry an older
         * term (raft__recv_append_resp). */
        raft_progress_init(&p->pr, r->inflight_mask, next);
        p->last_heard_ns = now; /* CheckQuorum grace period for a new leader */
        p->heard = true;
    }
    raft__append_local(r, RAFT_ENTRY_NOOP, NULL, 0);
    r->heartbeat_deadline_ns = now + r->cfg.heartbeat_ns;
    r->read_round_due = false;
    for (raft_id id = 1; id <= r->cfg.n_nodes; id++)
        if (id != r->cfg.id)
            raft__replicate(r, id);
    raft__leader_advance_commit(r);
}
