/* check.h — Raft's safety invariants, checked incrementally after every event
 * in O(1) amortised work per event (see ARCHITECTURE.md, "Checking safety").
 * The five properties are those of the Raft paper's Figure 3 (Election
 * Safety, Leader Append-Only, Log Matching, Leader Completeness, State Machine
 * Safety); the others guard Figure 2's rules on commitIndex and lastApplied,
 * and the client-visible promises (acknowledged writes, equal state).
 *
 * State kept:
 * - per node: a cumulative hash per log index, h[i] = H(h[i-1], term_i,
 *   type_i, data_i), from the node's snapshot base (h[base] = the committed
 *   truth's hash there) to its last index; its role, term, commit, applied.
 * - global Log Matching table: (index, term) -> h[index] the first time any
 *   node held that entry. Equal (index, term) must give equal h: by the hash
 *   chain that is the whole prefix, i.e. Log Matching, in O(1).
 * - committed truth: index -> (term, h) recorded the first time any node
 *   commits an index; every later commit and apply anywhere must agree (State
 *   Machine Safety). A new leader must hold h[C] equal to the truth's at the
 *   global commit index C (Leader Completeness — by Log Matching that covers
 *   the whole committed prefix, so the check is O(1)).
 * - term -> leader (Election Safety); the log-buffer digest by applied index.
 * Entries below a node's snapshot are covered by the truth: installing or
 * restarting from a snapshot at s requires s <= C and seeds h[s] from the
 * truth, so no check is ever skipped after compaction.
 *
 * Durability and votes (check_durable.c, check_vote.c), per node, from what
 * the node SENT (a term, a vote granted or asked for, an acknowledged log
 * prefix) and what its DISK made durable (each fsync's completion), never
 * from what it only held in memory: on every restart the recovered state
 * must keep every such promise. A node's vote never changes within a term.
 *
 * The first violation found is kept; later ones are ignored.
 */
#ifndef SIM_CHECK_H
#define SIM_CHECK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../../core/raft.h"
#include "sim.h"

/* One cache line (the checker is 64-byte aligned): an append, commit or
 * apply on a node reads one line of its state. */
typedef struct chk_node {
    _Alignas(64) uint64_t *h; /* h[i - h_off] */
    uint64_t h_off;     /* index of h[0] (<= base) */
    uint64_t base;      /* snapshot index: h[base] is the seed */
    uint64_t last;      /* last log index */
    uint64_t commit, applied;
    uint64_t term;
    uint32_t h_cap;     /* (node_make_room keeps it below 2^32) */
    uint8_t role;       /* enum raft_role */
    bool up;
} chk_node;
_Static_assert(sizeof(chk_node) == 64, "a node's checker state is one cache line");

typedef struct chk_lm_slot {
    uint64_t index, term, hash; /* index 0 = empty */
} chk_lm_slot;

/* Per-index records are pairs of words that are read together, so a check
 * costs one cache line where parallel arrays cost two. */
typedef struct chk_truth {  /* read by every node's commit and apply */
    uint64_t hash;
    uint64_t digest;        /* log-buffer digest at this applied index; 0 = unknown */
} chk_truth;
typedef struct chk_truth_terms {
    uint64_t term;          /* the entry's term */
    uint64_t commit_term;   /* term of the node that first committed it */
} chk_truth_terms;
typedef struct chk_lm_first { /* the first (term, hash) any node held at an index */
    uint64_t term, hash;      /* term 0 = none yet */
} chk_lm_first;

/* A node's promises and durable state, for the durability and vote checks
 * (kept apart from chk_node: touched on sends, fsyncs and restarts only). */
typedef struct chk_durable {
    /* sent: promises made to other nodes */
    uint64_t sent_term;          /* highest term of a message sent (PreVote aside) */
    uint64_t sent_vote_term;     /* the vote it gave or asked for last, and in which term */
    raft_id sent_vote;
    uint64_t ack_term, ack_index; /* newest log prefix acknowledged (an
                                   AppendEntries success) and, from the crash
                                   on, its chain hash (0: no longer held) */
    uint64_t ack_hash;
    /* durable: the disk's hard state after its last fsync (or torn crash) */
    uint64_t disk_term;
    raft_id disk_vote;
    /* the vote rule: the node's vote in vote_term (RAFT_NONE: none yet) */
    raft_id vote;
    uint64_t vote_term;
    raft_id req_from;            /* the RequestVote being delivered (RAFT_NONE: none) */
    uint64_t req_term;
} chk_durable;

/* What a node holds right after a restart (its status once created). */
typedef struct chk_recovery {
    uint64_t term;
    raft_id vote;
    uint64_t last_index;
    raft_snapshot_meta snap;
    uint64_t digest;             /* log-buffer digest after the snapshot's restore */
} chk_recovery;

typedef struct checker {
    uint32_t n_nodes;
    chk_node nodes[SIM_MAX_NODES + 1];
    /* committed truth, indexes 1..committed */
    uint64_t committed;
    chk_truth *truth;              /* [index] */
    size_t truth_cap;
    chk_truth_terms *truth_terms;  /* [index] */
    size_t truth_terms_cap;
    /* Log Matching: first (term, hash) seen per index, plus an overflow table */
    chk_lm_first *lm;
    size_t lm_cap;
    chk_lm_slot *lm_more;
    size_t lm_more_cap, lm_more_n;
    /* Election Safety */
    raft_id *term_leader;
    size_t term_cap;
    /* context for violation reports (now_ns and event not adjacent: their
     * stores on every event were paired through a vector register, which
     * took more instructions than two plain stores) */
    uint64_t now_ns;
    bool violated;
    /* Nonzero when the host must look after an event: CHK_ATTN_VIOLATED
     * from the first violation on, plus bits the host sets for reasons of
     * its own (the simulator's: see SIM_ATTN_*), so that its loop tests one
     * word per event. */
    uint8_t attn;
    uint64_t event;
    sim_violation v;
    chk_durable dur[SIM_MAX_NODES + 1];
} checker;

enum { CHK_ATTN_VIOLATED = 1 }; /* bits of checker.attn (the higher ones: the host's) */

/* Mark the run violated (the caller fills c->v): `violated` and its bit in
 * `attn` are set together, here only. */
static inline void chk_mark_violated(checker *c)
{
    c->violated = true;
    c->attn |= CHK_ATTN_VIOLATED;
}

int chk_init(checker *c, uint32_t n_nodes);
void chk_free(checker *c);
static inline void chk_set_clock(checker *c, uint64_t now_ns, uint64_t event)
{
    c->now_ns = now_ns;
    c->event = event;
}

/* Hash of one entry's contents (without the chain). */
uint64_t chk_entry_hash(uint64_t term, uint32_t type, const uint8_t *data, size_t len);

/* Node lifecycle: start (fresh or from a snapshot at snap_index), crash. */
void chk_node_start(checker *c, raft_id n, uint64_t snap_index);
void chk_node_crash(checker *c, raft_id n);

/* Events. */
void chk_append(checker *c, raft_id n, uint64_t index, uint64_t term, uint64_t entry_hash);
void chk_truncate(checker *c, raft_id n, uint64_t from_index);
void chk_role(checker *c, raft_id n, enum raft_role role, uint64_t term);
void chk_term(checker *c, raft_id n, uint64_t term);
/* term_at(i) gives the node's term at i for new truth records. */
void chk_commit(checker *c, raft_id n, uint64_t commit,
                uint64_t (*term_at)(void *arg, uint64_t index), void *arg);
void chk_apply(checker *c, raft_id n, uint64_t index, uint64_t digest);
/* The node installed a snapshot at (index, term) and now has last index
 * last_after (> index if it kept a matching suffix of its log). `digest` is
 * its log buffer's digest after the restore. */
void chk_snapshot_installed(checker *c, raft_id n, uint64_t index, uint64_t term,
                            uint64_t last_after, uint64_t digest);
/* Local compaction up to index (nothing changes for the log's contents). */
void chk_snapshot_taken(checker *c, raft_id n, uint64_t index);
/* A client was told (index, term) committed (term 0 = unknown). */
void chk_acked(checker *c, uint64_t index, uint64_t term);

/* Durability (check_durable.c). The node sent a message of `term` (not a
 * PreVote); granted its vote to `cand` in `term` (a RequestVote reply, or
 * its own RequestVote: cand = itself); acknowledged its log up to `index`
 * in `term`. */
void chk_sent_term(checker *c, raft_id n, uint64_t term);
void chk_sent_vote(checker *c, raft_id n, raft_id cand, uint64_t term);
static inline void chk_sent_ack(checker *c, raft_id n, uint64_t term, uint64_t index);
/* The node's disk completed an fsync (or a crash tore a write in): its
 * durable hard state is now (term, vote). */
static inline void chk_disk_durable(checker *c, raft_id n, uint64_t term, raft_id vote);
/* Crash: the acknowledged prefix's hash, from the log the node held. */
void chk_ack_at_crash(checker *c, raft_id n);
/* The node restarted holding `r`; its log as seeded from its disk
 * (chk_node_start, chk_append) is what the checker holds for it. */
void chk_recovered(checker *c, raft_id n, const chk_recovery *r);

/* Votes (check_vote.c): the node voted for `cand` in `term` (itself when it
 * becomes a candidate); it sent a reply granting its vote to `to`. */
void chk_vote(checker *c, raft_id n, raft_id cand, uint64_t term);
void chk_vote_granted_sent(checker *c, raft_id n, raft_id to, uint64_t term);
/* A RequestVote of `term` from `from` is being delivered to n (from =
 * RAFT_NONE: its delivery is over). */
static inline void chk_vote_request(checker *c, raft_id n, raft_id from, uint64_t term)
{
    c->dur[n].req_from = from;
    c->dur[n].req_term = term;
}

bool chk_has_entry(const checker *c, raft_id n, uint64_t index, uint64_t *hash);
bool chk_hash_at(const checker *c, raft_id n, uint64_t index, uint64_t *hash); /* the same */
void chk_fail(checker *c, enum sim_violation_kind kind, raft_id n1, raft_id n2,
              uint64_t index, uint64_t term, const char *fmt, ...)
    __attribute__((format(printf, 7, 8)));

/* Inline: one of these runs on most replies and every fsync. */
static inline void chk_sent_ack(checker *c, raft_id n, uint64_t term, uint64_t index)
{
    chk_durable *d = &c->dur[n];
    if (term > d->ack_term) {
        d->ack_term = term;
        d->ack_index = index;
    } else if (term == d->ack_term && index > d->ack_index) {
        d->ack_index = index;
    }
}

static inline void chk_disk_durable(checker *c, raft_id n, uint64_t term, raft_id vote)
{
    c->dur[n].disk_term = term;
    c->dur[n].disk_vote = vote;
}

#endif
