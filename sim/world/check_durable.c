/* check_durable.c — durability: what a node recovers on a restart keeps
 * every promise it made (see check.h).
 *
 * A promise is what the node SENT, or what its disk made durable: a term it
 * answered or asked in (Figure 2: currentTerm is on stable storage before
 * an RPC is answered), a vote it granted or asked for, a log prefix it
 * acknowledged. What the node only held in memory promises nothing: the
 * disk model may lose unsynced writes and tear the first of them, and a
 * correct node never told anyone about those. So on a restart:
 * - the recovered term is no lower than any term sent or made durable;
 * - in the term of the vote it promised, the recovered vote is not lost
 *   (a DIFFERENT vote there is the vote check's: check_vote.c);
 * - in the term of its newest acknowledgement, the acknowledged prefix is
 *   still there (its last entry, same term: by Log Matching, all of it);
 * - a recovered snapshot is part of the committed truth (term and digest).
 */
#include "check.h"

#include <assert.h>

static inline chk_durable *dur(checker *c, raft_id n)
{
    assert(n >= 1 && n <= c->n_nodes);
    return &c->dur[n];
}

void chk_sent_term(checker *c, raft_id n, uint64_t term)
{
    chk_durable *d = dur(c, n);
    if (term > d->sent_term)
        d->sent_term = term;
}

void chk_sent_vote(checker *c, raft_id n, raft_id cand, uint64_t term)
{
    chk_durable *d = dur(c, n);
    chk_sent_term(c, n, term);
    d->sent_vote_term = term;
    d->sent_vote = cand;
}

/* On a crash, the acknowledged prefix as the node held it: in the term of
 * the acknowledgement a correct node never changes an acknowledged entry
 * (other checks guard that), so this is what it promised. If it moved on
 * to a newer term in memory, the promise may have been overtaken by a
 * truncation the disk did not see yet: it is dropped. */
void chk_ack_at_crash(checker *c, raft_id n)
{
    chk_durable *d = dur(c, n);
    const chk_node *nd = &c->nodes[n];
    uint64_t h;
    if (!d->ack_term || d->ack_term != nd->term || d->ack_index < nd->base)
        d->ack_term = 0; /* overtaken, or under its snapshot (committed truth) */
    else
        d->ack_hash = chk_hash_at(c, n, d->ack_index, &h) ? h : 0;
}

static void check_term(checker *c, raft_id n, const chk_recovery *r)
{
    const chk_durable *d = &c->dur[n];
    uint64_t sent = d->sent_term > d->ack_term ? d->sent_term : d->ack_term;
    if (r->term < d->disk_term)
        chk_fail(c, SIM_V_DURABILITY, n, 0, 0, r->term,
                 "n%u restarted in term %llu, below the term %llu its disk made durable",
                 n, (unsigned long long)r->term, (unsigned long long)d->disk_term);
    else if (r->term < sent)
        chk_fail(c, SIM_V_DURABILITY, n, 0, 0, r->term,
                 "n%u restarted in term %llu, below the term %llu it had sent messages in",
                 n, (unsigned long long)r->term, (unsigned long long)sent);
}

static void check_vote_kept(checker *c, raft_id n, const chk_recovery *r)
{
    const chk_durable *d = &c->dur[n];
    if (r->term == d->sent_vote_term && d->sent_vote != RAFT_NONE && r->vote == RAFT_NONE)
        chk_fail(c, SIM_V_DURABILITY, n, d->sent_vote, 0, r->term,
                 "n%u restarted in term %llu without its vote for n%u (sent before the "
                 "crash)", n, (unsigned long long)r->term, d->sent_vote);
    else if (r->term == d->disk_term && d->disk_vote != RAFT_NONE && r->vote == RAFT_NONE)
        chk_fail(c, SIM_V_DURABILITY, n, d->disk_vote, 0, r->term,
                 "n%u restarted in term %llu without the vote for n%u its disk held", n,
                 (unsigned long long)r->term, d->disk_vote);
}

static void check_acked_prefix(checker *c, raft_id n, const chk_recovery *r)
{
    const chk_durable *d = &c->dur[n];
    /* A later term may legitimately have replaced an unfinished suffix. */
    if (d->ack_term != r->term || d->ack_index <= r->snap.index)
        return;
    uint64_t h = 0;
    bool held = d->ack_index <= r->last_index && chk_hash_at(c, n, d->ack_index, &h);
    if (!held || !d->ack_hash || h != d->ack_hash)
        chk_fail(c, SIM_V_DURABILITY, n, 0, d->ack_index, d->ack_term,
                 "n%u acknowledged its log up to %llu in term %llu, but restarted with "
                 "%s", n, (unsigned long long)d->ack_index, (unsigned long long)d->ack_term,
                 !held ? "a shorter log" : "a different log there");
}

static void check_snapshot(checker *c, raft_id n, const chk_recovery *r)
{
    uint64_t i = r->snap.index;
    if (i == 0)
        return;
    if (i > c->committed) {
        chk_fail(c, SIM_V_DURABILITY, n, 0, i, r->snap.term,
                 "n%u restarted from a snapshot at %llu beyond the committed index %llu",
                 n, (unsigned long long)i, (unsigned long long)c->committed);
        return;
    }
    uint64_t t = c->truth_terms[i].term;
    if (t && r->snap.term != t)
        chk_fail(c, SIM_V_DURABILITY, n, 0, i, r->snap.term,
                 "n%u restarted from a snapshot at %llu of term %llu; the committed entry "
                 "there has term %llu", n, (unsigned long long)i,
                 (unsigned long long)r->snap.term, (unsigned long long)t);
    uint64_t want = c->truth[i].digest, got = r->digest ? r->digest : 1;
    if (want && want != got)
        chk_fail(c, SIM_V_DURABILITY, n, 0, i, r->snap.term,
                 "n%u restarted from a snapshot at %llu whose state (digest %016llx) is "
                 "not the committed state there (%016llx)", n, (unsigned long long)i,
                 (unsigned long long)got, (unsigned long long)want);
}

void chk_recovered(checker *c, raft_id n, const chk_recovery *r)
{
    chk_durable *d = dur(c, n);
    check_term(c, n, r);
    check_vote_kept(c, n, r);
    check_acked_prefix(c, n, r);
    check_snapshot(c, n, r);
    /* The vote rule goes on from what was recovered (check_vote.c): a vote
     * held only in memory may be lost with the crash and given anew. */
    if (r->term == d->sent_vote_term && d->sent_vote != RAFT_NONE && r->vote != RAFT_NONE &&
        r->vote != d->sent_vote)
        chk_fail(c, SIM_V_VOTE, n, d->sent_vote, 0, r->term,
                 "n%u restarted in term %llu voting for n%u, after granting its vote to n%u "
                 "in that term", n, (unsigned long long)r->term, r->vote, d->sent_vote);
    d->vote_term = r->term;
    d->vote = r->vote;
    c->nodes[n].term = r->term;
}
