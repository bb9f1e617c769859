/* raft_election.c — PreVote, RequestVote and TimeoutNow (paper §5.2, §5.4.1;
 * thesis §3.10, §4.2.3, §9.6). */
#include "raft_internal.h"

enum vote_refusal { /* reason bits reported with RAFT_EV_VOTE_REFUSED */
    REFUSE_VOTED = 1,
    REFUSE_LOG = 2,
    REFUSE_LEADER_ALIVE = 4,
    REFUSE_STALE_TERM = 8,
};

static void send_vote_requests(raft_node *r, uint64_t term, bool prevote, bool transfer)
{
    raft_msg m = {.type = RAFT_MSG_REQUEST_VOTE, .from = r->cfg.id, .term = term};
    m.rv.last_index = raft_log_last_index(&r->log);
    m.rv.last_term = raft_log_last_term(&r->log);
    m.rv.prevote = prevote;
    m.rv.transfer = transfer;
    for (raft_id id = 1; id <= r->cfg.n_nodes; id++) {
        if (id == r->cfg.id)
            continue;
        /* A real request carries a term and self-vote that must be durable first;
         * a pre-vote changes nothing and goes out at once. */
        if (prevote)
            raft__send(r, id, &m);
        else
            raft__send_durable(r, id, &m);
    }
}

/* Paper Figure 2, candidates: on conversion, start an election and ask
 * everyone (a lone node's own durable vote may already be a majority). */
void raft__start_election(raft_node *r, bool transfer)
{
    raft__become_candidate(r);
    if (raft__votes_counted(r) >= raft__majority(r)) {
        raft__become_leader(r);
        return;
    }
    send_vote_requests(r, r->term, false, transfer);
}

/* Thesis §9.6: ask whether a real election could be won, without changing state. */
static void start_prevote(raft_node *r)
{
    raft__become_precandidate(r);
    if (raft__votes_counted(r) >= raft__majority(r)) {
        raft__start_election(r, false);
        return;
    }
    send_vote_requests(r, r->term + 1, true, false);
}

/* Paper Figure 2, followers and candidates: the election timeout elapsed
 * without a current leader or a granted vote: campaign (PreVote first when
 * on, thesis §9.6). */
void raft__election_timeout(raft_node *r)
{
    assert(r->role != RAFT_LEADER);
    r->leader_contact = false; /* the leader we knew has gone silent */
    if (r->cfg.prevote)
        start_prevote(r);
    else
        raft__start_election(r, false);
}

bool raft__heard_leader_recently(raft_node *r)
{
    if (r->role == RAFT_LEADER)
        return true;
    return r->leader_contact &&
           raft__now(r) - r->leader_contact_ns < r->cfg.election_timeout_min_ns;
}

/* Paper §5.4.1: at least as up to date = higher last term, or equal last term
 * and at least as long. */
static bool log_up_to_date(const raft_node *r, const raft_msg *m)
{
    if (BUG(r, NO_UPTODATE_CHECK))
        return true;
    uint64_t my_term = raft_log_last_term(&r->log);
    if (m->rv.last_term != my_term)
        return m->rv.last_term > my_term;
    return m->rv.last_index >= raft_log_last_index(&r->log);
}

static void reply_vote(raft_node *r, raft_id to, uint64_t term, bool granted, bool prevote)
{
    raft_msg m = {.type = RAFT_MSG_REQUEST_VOTE_RESP, .from = r->cfg.id, .term = term};
    m.rvr.granted = granted;
    m.rvr.prevote = prevote;
    if (prevote)
        raft__send(r, to, &m); /* promises nothing durable */
    else
        raft__send_durable(r, to, &m);
}

/* Thesis §9.6: a pre-vote is granted as a vote would be, without changing
 * term or vote. */
static void recv_prevote(raft_node *r, const raft_msg *m)
{
    /* Grant only a term we would move to, an up-to-date log, and only if no
     * leader has been heard from within the minimum election timeout. */
    bool grant = m->term > r->term && log_up_to_date(r, m) &&
                 !raft__heard_leader_recently(r);
    if (grant) {
        reply_vote(r, m->from, m->term, true, true);
        return;
    }
    raft__event(r, RAFT_EV_PREVOTE_REFUSED, m->from, 0);
    reply_vote(r, m->from, r->term, false, true);
}

/* Paper Figure 2, RequestVote receiver: refuse an older term; grant once per
 * term to a candidate whose log is at least as up to date (§5.4.1), after the
 * vote is durable. */
void raft__recv_request_vote(raft_node *r, const raft_msg *m)
{
    if (m->rv.prevote) {
        recv_prevote(r, m);
        return;
    }
    /* Thesis §4.2.3: while a leader is alive, ignore disruptive candidates —
     * neither vote nor adopt their term (unless asked by a transfer). */
    if (r->cfg.check_quorum && !m->rv.transfer && m->term > r->term &&
        raft__heard_leader_recently(r)) {
        raft__event(r, RAFT_EV_VOTE_REFUSED, m->from, REFUSE_LEADER_ALIVE);
        if (BUG(r, ADOPT_DISRUPTIVE_TERM))
            raft__become_follower(r, m->term, RAFT_NONE);
        return;
    }
    if (m->term < r->term) {
        raft__event(r, RAFT_EV_STALE_MESSAGE, m->type, m->from);
        raft__event(r, RAFT_EV_VOTE_REFUSED, m->from, REFUSE_STALE_TERM);
        reply_vote(r, m->from, r->term, false, false);
        return;
    }
    if (m->term > r->term) {
        if (r->role == RAFT_LEADER || r->role == RAFT_CANDIDATE)
            raft__event(r, RAFT_EV_STEPDOWN_TERM, m->from, m->term);
        raft__become_follower(r, m->term, RAFT_NONE);
    }
    uint64_t reasons = 0;
    if (r->vote != RAFT_NONE && r->vote != m->from &&
        !(BUG(r, STALE_SELF_VOTE) && r->vote == r->cfg.id && r->role == RAFT_FOLLOWER &&
          r->leader != RAFT_NONE))
        reasons |= REFUSE_VOTED;
    if (!log_up_to_date(r, m))
        reasons |= REFUSE_LOG;
    if (reasons) {
        raft__event(r, RAFT_EV_VOTE_REFUSED, m->from, reasons);
        reply_vote(r, m->from, r->term, false, false);
        return;
    }
    if (r->vote != m->from) {
        r->vote = m->from;
        raft__persist_hs(r); /* the reply waits for this write (Figure 2) */
    }
    raft__event(r, RAFT_EV_VOTE, m->from, r->term);
    raft__reset_election_timer(r); /* only when granting (Figure 2, followers) */
    reply_vote(r, m->from, r->term, true, false);
}

/* The candidate's term and self-vote became durable (raft_persisted): its own
 * vote counts now (see raft_role.c, votes_reset; paper Figure 2 "persistent state ...
 * updated on stable storage before responding", thesis §3.8), which alone may
 * be a majority (a one-node cluster). */
void raft__candidate_vote_durable(raft_node *r)
{
    assert(r->role == RAFT_CANDIDATE && r->vote == r->cfg.id);
    if (raft__self_vote_counted(r) || r->persisted_token < r->hs_token)
        return;
    raft__count_vote(r, r->cfg.id);
    if (raft__votes_counted(r) >= raft__majority(r))
        raft__become_leader(r);
}

/* Thesis §9.6: a majority of pre-votes (our own included) starts the real
 * election; a refusal from a higher term is adopted (Figure 2, all servers). */
static void recv_prevote_resp(raft_node *r, const raft_msg *m)
{
    if (!m->rvr.granted) {
        if (m->term > r->term)
            raft__become_follower(r, m->term, RAFT_NONE);
        return;
    }
    if (r->role != RAFT_PRECANDIDATE || m->term != r->term + 1)
        return; /* an answer to an older round */
    raft__count_vote(r, m->from);
    if (raft__votes_counted(r) >= raft__majority(r))
        raft__start_election(r, false);
}

/* Paper Figure 2, candidates: votes from a majority (our own once durable)
 * make us leader; a higher term in a reply makes us a follower (§5.1). */
void raft__recv_request_vote_resp(raft_node *r, const raft_msg *m)
{
    if (m->rvr.prevote) {
        recv_prevote_resp(r, m);
        return;
    }
    if (raft__reply_term_is_higher(r, m))
        return;
    if (m->term < r->term || r->role != RAFT_CANDIDATE || !m->rvr.granted)
        return;
    raft__count_vote(r, m->from);
    if (raft__votes_counted(r) >= raft__majority(r))
        raft__become_leader(r);
}

/* Thesis §3.10: the transfer target starts an election at once, skipping PreVote. */
void raft__recv_timeout_now(raft_node *r, const raft_msg *m)
{
    if (m->term < r->term) {
        raft__event(r, RAFT_EV_STALE_MESSAGE, m->type, m->from);
        return;
    }
    if (m->term > r->term)
        raft__become_follower(r, m->term, m->from);
    if (r->role == RAFT_LEADER)
        return;
    raft__event(r, RAFT_EV_TIMEOUT_NOW, m->from, m->term);
    raft__start_election(r, true);
}
