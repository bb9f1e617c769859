/* check_vote.c — the vote rule (paper Figure 2, RequestVote: votedFor is
 * set at most once per term): a node's vote never changes within a term,
 * restart or not, and no message grants a vote the node did not record.
 *
 * The checker sees a vote when the node reports it (RAFT_EV_VOTE, after the
 * up-to-date and already-voted tests), when it becomes a candidate (its vote
 * for itself), when it sends a reply that grants one, and on a restart (its
 * recovered hard state, check_durable.c). A vote reported in a term older
 * than the node's current one, or while a RequestVote of an older term than
 * the vote's is delivered from the same candidate, was granted to a stale
 * request; a granting
 * reply to a candidate the node has not voted for in that term answers a
 * request it refused (or never recorded): either breaks the rule.
 */
#include "check.h"

#include <assert.h>

void chk_vote(checker *c, raft_id n, raft_id cand, uint64_t term)
{
    assert(n >= 1 && n <= c->n_nodes);
    chk_durable *d = &c->dur[n];
    if (d->req_from == cand && d->req_term < term) {
        chk_fail(c, SIM_V_VOTE, n, cand, 0, term,
                 "n%u granted its vote in term %llu to %u's RequestVote of term %llu (a "
                 "stale request)", n, (unsigned long long)term, cand,
                 (unsigned long long)d->req_term);
        return;
    }
    if (term < c->nodes[n].term || term < d->vote_term) {
        chk_fail(c, SIM_V_VOTE, n, cand, 0, term,
                 "n%u granted a vote to n%u in term %llu while in term %llu (a stale "
                 "request)", n, cand, (unsigned long long)term,
                 (unsigned long long)(c->nodes[n].term > d->vote_term ? c->nodes[n].term
                                                                      : d->vote_term));
        return;
    }
    if (term == d->vote_term && d->vote != RAFT_NONE && d->vote != cand) {
        chk_fail(c, SIM_V_VOTE, n, cand, 0, term,
                 "n%u voted for n%u in term %llu after voting for n%u in that term", n, cand,
                 (unsigned long long)term, d->vote);
        return;
    }
    d->vote_term = term;
    d->vote = cand;
}

void chk_vote_granted_sent(checker *c, raft_id n, raft_id to, uint64_t term)
{
    assert(n >= 1 && n <= c->n_nodes);
    const chk_durable *d = &c->dur[n];
    if (term != d->vote_term || d->vote != to) {
        char held[16] = "none";
        if (term == d->vote_term && d->vote != RAFT_NONE)
            snprintf(held, sizeof held, "n%u", d->vote);
        chk_fail(c, SIM_V_VOTE, n, to, 0, term,
                 "n%u sent n%u a reply granting its vote in term %llu, but its vote there "
                 "is %s", n, to, (unsigned long long)term, held);
    }
    chk_sent_vote(c, n, to, term);
}
