/* check.c — incremental safety invariants (see check.h). */
#include "check.h"

#include <assert.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../core/hash.h"
#include "grow.h"

int chk_init(checker *c, uint32_t n_nodes)
{
    memset(c, 0, sizeof *c);
    assert(n_nodes >= 1 && n_nodes <= SIM_MAX_NODES);
    c->n_nodes = n_nodes;
    for (raft_id n = 1; n <= n_nodes; n++)
        chk_node_start(c, n, 0);
    return c->violated ? -1 : 0;
}

void chk_free(checker *c)
{
    for (raft_id n = 1; n <= c->n_nodes; n++)
        free(c->nodes[n].h);
    free(c->truth);
    free(c->truth_terms);
    free(c->lm);
    free(c->lm_more);
    free(c->term_leader);
    memset(c, 0, sizeof *c);
}

void chk_fail(checker *c, enum sim_violation_kind kind, raft_id n1, raft_id n2,
              uint64_t index, uint64_t term, const char *fmt, ...)
{
    if (c->violated)
        return;
    chk_mark_violated(c);
    c->v.kind = kind;
    c->v.time_ns = c->now_ns;
    c->v.event = c->event;
    c->v.nodes[0] = n1;
    c->v.nodes[1] = n2;
    c->v.index = index;
    c->v.term = term;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(c->v.detail, sizeof c->v.detail, fmt, ap);
    va_end(ap);
}

/* The word loop of the log buffer's digest, seeded with the entry's term,
 * type and length: cheap enough to hash every appended entry on every node. */
uint64_t chk_entry_hash(uint64_t term, uint32_t type, const uint8_t *data, size_t len)
{
    return hash_words_fast(hash_mix64(term ^ ((uint64_t)type << 32) ^ ((uint64_t)len << 40)),
                           data, len);
}

/* A per-index array with room for index `need` (new items zeroed): the
 * array (moved if it grew), or NULL out of memory. The check inlines: it
 * runs on every append and commit. */
static inline void *grow_index(void *items, size_t item_size, size_t *cap, size_t need)
{
    return need < *cap ? items : grow_zeroed(items, item_size, cap, need, 1024);
}

/* ---- per-node hash chain ---- */

static uint64_t *node_h(chk_node *nd, uint64_t index)
{
    assert(index >= nd->h_off && index - nd->h_off < nd->h_cap);
    return &nd->h[index - nd->h_off];
}

/* node_reserve's slow path: move or grow the window. */
static int node_make_room(chk_node *nd, uint64_t index)
{
    /* Entries up to the commit index (checked against the truth when they
     * committed) and under the snapshot need no copy: the truth has them. */
    uint64_t floor = nd->commit > nd->base ? nd->commit : nd->base;
    uint64_t keep = floor - nd->h_off;
    if (keep > nd->h_cap / 2 && keep > 0) {
        memmove(nd->h, nd->h + keep, (nd->h_cap - keep) * sizeof *nd->h);
        nd->h_off += keep;
        if (index - nd->h_off < nd->h_cap)
            return 0;
    }
    uint64_t cap = nd->h_cap ? (uint64_t)nd->h_cap * 2 : 1024;
    while (cap <= index - nd->h_off)
        cap *= 2;
    if (cap > UINT32_MAX)
        return -1; /* a window of 2^32 unchecked entries: treated as out of memory */
    uint64_t *p = realloc(nd->h, (size_t)cap * sizeof *p);
    if (!p)
        return -1;
    nd->h = p;
    nd->h_cap = (uint32_t)cap;
    return 0;
}

/* Make room for the node's hash at index: 0, or -1 out of memory. */
static inline int node_reserve(chk_node *nd, uint64_t index)
{
    return index - nd->h_off < nd->h_cap ? 0 : node_make_room(nd, index);
}

static uint64_t truth_hash_at(const checker *c, uint64_t index)
{
    return index == 0 ? 0 : c->truth[index].hash;
}

/* The node's chain hash at i. Below h_off the node's entries are committed or
 * under its snapshot, and were checked equal to the truth's. */
static inline uint64_t h_at(const checker *c, const chk_node *nd, uint64_t i)
{
    if (i >= nd->h_off)
        return nd->h[i - nd->h_off];
    assert(i <= c->committed);
    return truth_hash_at(c, i);
}

/* Reset a node's chain to start at snapshot index s (the truth's hash there). */
static void node_reseed(checker *c, raft_id n, uint64_t s)
{
    chk_node *nd = &c->nodes[n];
    if (s > c->committed) {
        chk_fail(c, SIM_V_STATE_MACHINE_SAFETY, n, 0, s, 0,
                 "n%u holds a snapshot at %llu beyond the committed index %llu", n,
                 (unsigned long long)s, (unsigned long long)c->committed);
        return;
    }
    nd->h_off = nd->base = nd->last = s;
    if (node_reserve(nd, s) != 0) {
        chk_fail(c, SIM_V_EVENT_LIMIT, n, 0, s, 0, "checker out of memory");
        return;
    }
    *node_h(nd, s) = truth_hash_at(c, s);
}

void chk_node_start(checker *c, raft_id n, uint64_t snap_index)
{
    assert(n >= 1 && n <= c->n_nodes);
    chk_node *nd = &c->nodes[n];
    nd->up = true;
    nd->role = RAFT_FOLLOWER;
    nd->commit = nd->applied = snap_index; /* a new lifetime */
    node_reseed(c, n, snap_index);
}

void chk_node_crash(checker *c, raft_id n)
{
    assert(n >= 1 && n <= c->n_nodes);
    chk_ack_at_crash(c, n);
    c->nodes[n].up = false;
    c->nodes[n].role = RAFT_FOLLOWER;
}

bool chk_has_entry(const checker *c, raft_id n, uint64_t index, uint64_t *hash)
{
    const chk_node *nd = &c->nodes[n];
    if (index < nd->base || index > nd->last)
        return false;
    *hash = h_at(c, nd, index);
    return true;
}

/* chk_has_entry for the rare callers elsewhere (crashes, restarts), out of
 * line: chk_has_entry itself stays inline in chk_apply, which runs on every
 * apply. */
__attribute__((noinline)) bool chk_hash_at(const checker *c, raft_id n, uint64_t index,
                                           uint64_t *hash)
{
    return chk_has_entry(c, n, index, hash);
}

/* ---- Log Matching table ---- */

static size_t lm_slot(uint64_t index, uint64_t term, size_t cap)
{
    return (size_t)(hash_combine(index, term) & (cap - 1));
}

static int lm_more_grow(checker *c)
{
    size_t cap = c->lm_more_cap ? c->lm_more_cap * 2 : 256;
    chk_lm_slot *p = calloc(cap, sizeof *p);
    if (!p)
        return -1;
    for (size_t i = 0; i < c->lm_more_cap; i++) {
        chk_lm_slot *s = &c->lm_more[i];
        if (!s->index)
            continue;
        size_t j = lm_slot(s->index, s->term, cap);
        while (p[j].index)
            j = (j + 1) & (cap - 1);
        p[j] = *s;
    }
    free(c->lm_more);
    c->lm_more = p;
    c->lm_more_cap = cap;
    return 0;
}

/* Find or insert (index, term) in the overflow table; returns its slot. */
static chk_lm_slot *lm_more_find(checker *c, uint64_t index, uint64_t term, uint64_t hash)
{
    if ((c->lm_more_n + 1) * 2 > c->lm_more_cap && lm_more_grow(c) != 0)
        return NULL;
    size_t j = lm_slot(index, term, c->lm_more_cap);
    while (c->lm_more[j].index && (c->lm_more[j].index != index || c->lm_more[j].term != term))
        j = (j + 1) & (c->lm_more_cap - 1);
    if (!c->lm_more[j].index) {
        c->lm_more[j] = (chk_lm_slot){.index = index, .term = term, .hash = hash};
        c->lm_more_n++;
    }
    return &c->lm_more[j];
}

/* The hash the first holder of (index, term) had; records `hash` if new. */
static bool lm_lookup_or_add(checker *c, uint64_t index, uint64_t term, uint64_t hash,
                             uint64_t *seen)
{
    chk_lm_first *lm = grow_index(c->lm, sizeof *c->lm, &c->lm_cap, index);
    if (!lm)
        return false;
    c->lm = lm;
    if (lm[index].term == 0)
        lm[index] = (chk_lm_first){.term = term, .hash = hash};
    if (lm[index].term == term) {
        *seen = lm[index].hash;
        return true;
    }
    chk_lm_slot *s = lm_more_find(c, index, term, hash);
    if (!s)
        return false;
    *seen = s->hash;
    return true;
}

/* ---- events ---- */

static void leader_removes(checker *c, raft_id n, uint64_t from_index)
{
    chk_node *nd = &c->nodes[n];
    if (nd->role == RAFT_LEADER)
        chk_fail(c, SIM_V_LEADER_APPEND_ONLY, n, 0, from_index, nd->term,
                 "leader n%u of term %llu removed its log entries from %llu", n,
                 (unsigned long long)nd->term, (unsigned long long)from_index);
}

void chk_append(checker *c, raft_id n, uint64_t index, uint64_t term, uint64_t entry_hash)
{
    assert(n >= 1 && n <= c->n_nodes);
    chk_node *nd = &c->nodes[n];
    if (index <= nd->base)
        return; /* below the snapshot: covered by the committed truth */
    if (index > nd->last + 1) {
        chk_fail(c, SIM_V_LOG_MATCHING, n, 0, index, term,
                 "n%u appended %llu after its last index %llu (gap)", n,
                 (unsigned long long)index, (unsigned long long)nd->last);
        return;
    }
    if (node_reserve(nd, index) != 0) {
        chk_fail(c, SIM_V_EVENT_LIMIT, n, 0, index, term, "checker out of memory");
        return;
    }
    uint64_t h = hash_combine(h_at(c, nd, index - 1), entry_hash);
    if (index <= nd->last) {
        if (h_at(c, nd, index) == h)
            return; /* the same entry again: nothing changes */
        leader_removes(c, n, index); /* an overwrite is an implicit truncation */
        if (index <= nd->commit) {
            chk_fail(c, SIM_V_STATE_MACHINE_SAFETY, n, 0, index, term,
                     "n%u overwrote its committed entry at %llu", n,
                     (unsigned long long)index);
            return;
        }
    }
    *node_h(nd, index) = h;
    nd->last = index;
    uint64_t seen;
    if (!lm_lookup_or_add(c, index, term, h, &seen))
        chk_fail(c, SIM_V_EVENT_LIMIT, n, 0, index, term, "checker out of memory");
    else if (seen != h)
        chk_fail(c, SIM_V_LOG_MATCHING, n, 0, index, term,
                 "n%u holds (index %llu, term %llu) with a different log prefix "
                 "than another node had", n, (unsigned long long)index,
                 (unsigned long long)term);
}

void chk_truncate(checker *c, raft_id n, uint64_t from_index)
{
    chk_node *nd = &c->nodes[n];
    if (from_index > nd->last)
        return;
    leader_removes(c, n, from_index);
    if (from_index <= nd->commit)
        chk_fail(c, SIM_V_COMMIT_PAST_LOG, n, 0, from_index, 0,
                 "n%u truncated from %llu below its commit index %llu", n,
                 (unsigned long long)from_index, (unsigned long long)nd->commit);
    nd->last = from_index > nd->base ? from_index - 1 : nd->base;
}

void chk_term(checker *c, raft_id n, uint64_t term)
{
    c->nodes[n].term = term;
}

/* Leader Completeness (paper Figure 3): an entry committed in term T is in
 * the log of every leader of a term above T. A leader of term L is compared
 * with the newest entry committed in a term below L; by Log Matching, equal
 * hashes there mean the whole prefix is present. That entry is normally the
 * last committed one (O(1)); only a stale leader — say one whose vote replies
 * were held up while a later term committed more — walks back past the
 * entries committed in terms >= L, which it is not required to hold. */
static void check_leader_completeness(checker *c, raft_id n, uint64_t term)
{
    chk_node *nd = &c->nodes[n];
    uint64_t C = c->committed;
    while (C > 0 && c->truth_terms[C].commit_term >= term)
        C--;
    if (C == 0 || C < nd->base)
        return; /* nothing committed before this term, or covered by the node's snapshot */
    if (nd->last < C) {
        chk_fail(c, SIM_V_LEADER_COMPLETENESS, n, 0, C, term,
                 "leader n%u of term %llu has last index %llu < committed index %llu", n,
                 (unsigned long long)term, (unsigned long long)nd->last,
                 (unsigned long long)C);
    } else if (h_at(c, nd, C) != c->truth[C].hash) {
        chk_fail(c, SIM_V_LEADER_COMPLETENESS, n, 0, C, term,
                 "leader n%u of term %llu lacks the committed entry at %llu (term %llu)", n,
                 (unsigned long long)term, (unsigned long long)C,
                 (unsigned long long)c->truth_terms[C].term);
    }
}

void chk_role(checker *c, raft_id n, enum raft_role role, uint64_t term)
{
    chk_node *nd = &c->nodes[n];
    nd->role = (uint8_t)role;
    nd->term = term;
    if (role != RAFT_LEADER)
        return;
    if (term >= c->term_cap) {
        /* (a term may not fit a narrower size_t) */
        raft_id *p = term < SIZE_MAX ? grow_zeroed(c->term_leader, sizeof *p, &c->term_cap,
                                                   (size_t)term, 256) : NULL;
        if (!p) {
            chk_fail(c, SIM_V_EVENT_LIMIT, n, 0, 0, term, "checker out of memory");
            return;
        }
        c->term_leader = p;
    }
    raft_id prev = c->term_leader[term];
    if (prev && prev != n)
        chk_fail(c, SIM_V_ELECTION_SAFETY, prev, n, 0, term,
                 "two leaders in term %llu: %u and %u", (unsigned long long)term, prev, n);
    c->term_leader[term] = n;
    check_leader_completeness(c, n, term);
}

static void record_truth(checker *c, raft_id n, uint64_t i, uint64_t h, uint64_t term)
{
    chk_truth *t = grow_index(c->truth, sizeof *c->truth, &c->truth_cap, i);
    if (t)
        c->truth = t;
    chk_truth_terms *tt =
        grow_index(c->truth_terms, sizeof *c->truth_terms, &c->truth_terms_cap, i);
    if (tt)
        c->truth_terms = tt;
    if (!t || !tt) {
        chk_fail(c, SIM_V_EVENT_LIMIT, n, 0, i, 0, "checker out of memory");
        return;
    }
    assert(i == c->committed + 1);
    tt[i] = (chk_truth_terms){.term = term, .commit_term = c->nodes[n].term};
    t[i].hash = h;
    c->committed = i;
}

void chk_commit(checker *c, raft_id n, uint64_t commit,
                uint64_t (*term_at)(void *arg, uint64_t index), void *arg)
{
    chk_node *nd = &c->nodes[n];
    if (commit < nd->commit) {
        chk_fail(c, SIM_V_COMMIT_DECREASED, n, 0, commit, nd->term,
                 "n%u commit index went from %llu down to %llu", n,
                 (unsigned long long)nd->commit, (unsigned long long)commit);
        return;
    }
    if (commit > nd->last) {
        chk_fail(c, SIM_V_COMMIT_PAST_LOG, n, 0, commit, nd->term,
                 "n%u commit index %llu past its last log index %llu", n,
                 (unsigned long long)commit, (unsigned long long)nd->last);
        return;
    }
    /* Figure 2, Rules for Servers, Leaders: set commitIndex = N only where
     * log[N].term == currentTerm; an earlier term's entry is committed only
     * indirectly, under one of the leader's own (§5.4.2, Figure 8). The
     * mistake is caught when it is made, not only in the rare schedule
     * where a later leader overwrites what was counted. */
    uint64_t term_n = commit > nd->commit && nd->role == RAFT_LEADER && term_at
                          ? term_at(arg, commit) : 0;
    if (term_n != 0 && term_n != nd->term) {
        chk_fail(c, SIM_V_COMMIT_RULE, n, 0, commit, nd->term,
                 "leader n%u of term %llu committed index %llu of term %llu by counting "
                 "replicas", n, (unsigned long long)nd->term, (unsigned long long)commit,
                 (unsigned long long)term_n);
        return;
    }
    uint64_t from = (nd->commit > nd->base ? nd->commit : nd->base) + 1;
    nd->commit = commit;
    for (uint64_t i = from; i <= commit && !c->violated; i++) {
        uint64_t h = h_at(c, nd, i);
        if (i <= c->committed) {
            if (h != c->truth[i].hash)
                chk_fail(c, SIM_V_STATE_MACHINE_SAFETY, n, 0, i, c->truth_terms[i].term,
                         "n%u committed a different entry at %llu than the one "
                         "committed before (term %llu)", n, (unsigned long long)i,
                         (unsigned long long)c->truth_terms[i].term);
        } else if (i == c->committed + 1) {
            record_truth(c, n, i, h, term_at ? term_at(arg, i) : 0);
        } else {
            chk_fail(c, SIM_V_STATE_MACHINE_SAFETY, n, 0, i, 0,
                     "n%u committed %llu while the committed prefix ends at %llu", n,
                     (unsigned long long)i, (unsigned long long)c->committed);
        }
    }
}

void chk_apply(checker *c, raft_id n, uint64_t index, uint64_t digest)
{
    chk_node *nd = &c->nodes[n];
    if (index > nd->commit) {
        chk_fail(c, SIM_V_APPLIED_PAST_COMMIT, n, 0, index, nd->term,
                 "n%u applied %llu beyond its commit index %llu", n,
                 (unsigned long long)index, (unsigned long long)nd->commit);
        return;
    }
    if (index > nd->applied)
        nd->applied = index;
    uint64_t h;
    if (index > c->committed || !chk_has_entry(c, n, index, &h)) {
        chk_fail(c, SIM_V_STATE_MACHINE_SAFETY, n, 0, index, nd->term,
                 "n%u applied %llu, an entry it does not hold (base %llu, last %llu)", n,
                 (unsigned long long)index, (unsigned long long)nd->base,
                 (unsigned long long)nd->last);
        return;
    }
    chk_truth *t = &c->truth[index];
    if (h != t->hash) {
        chk_fail(c, SIM_V_STATE_MACHINE_SAFETY, n, 0, index, c->truth_terms[index].term,
                 "n%u applied a different entry at %llu than the committed one", n,
                 (unsigned long long)index);
        return;
    }
    uint64_t d = digest ? digest : 1;
    if (!t->digest)
        t->digest = d;
    else if (t->digest != d)
        chk_fail(c, SIM_V_DIGEST_MISMATCH, n, 0, index, 0,
                 "n%u log-buffer digest %016llx at applied index %llu differs from "
                 "another node's %016llx", n, (unsigned long long)digest,
                 (unsigned long long)index, (unsigned long long)t->digest);
}

/* InstallSnapshot (paper Figure 13, step 6): a follower whose log holds the
 * snapshot's last entry keeps the entries after it. Only the leader of the
 * node's current term sends it a snapshot in that term, and that leader's
 * log matches everything the node acknowledged in the term (§5.3), so a
 * node that discards its whole log while it has acknowledged entries above
 * the snapshot in its current term loses entries it promised to keep. The
 * restart check (check_durable.c) sees that loss only if the node crashes
 * before the leader resends them; this sees it when it happens. */
static bool dropped_acknowledged_suffix(checker *c, raft_id n, uint64_t index)
{
    const chk_durable *d = &c->dur[n];
    if (!d->ack_term || d->ack_term != c->nodes[n].term || d->ack_index <= index)
        return false;
    chk_fail(c, SIM_V_DURABILITY, n, 0, d->ack_index, d->ack_term,
             "n%u installed the snapshot at %llu and dropped its log, which it had "
             "acknowledged up to %llu in term %llu", n, (unsigned long long)index,
             (unsigned long long)d->ack_index, (unsigned long long)d->ack_term);
    return true;
}

void chk_snapshot_installed(checker *c, raft_id n, uint64_t index, uint64_t term,
                            uint64_t last_after, uint64_t digest)
{
    chk_node *nd = &c->nodes[n];
    if (index > c->committed) {
        chk_fail(c, SIM_V_STATE_MACHINE_SAFETY, n, 0, index, term,
                 "n%u installed a snapshot at %llu beyond the committed index %llu", n,
                 (unsigned long long)index, (unsigned long long)c->committed);
        return;
    }
    if (index > 0 && c->truth_terms[index].term && term && c->truth_terms[index].term != term)
        chk_fail(c, SIM_V_STATE_MACHINE_SAFETY, n, 0, index, term,
                 "snapshot at %llu has term %llu but the committed entry has term %llu",
                 (unsigned long long)index, (unsigned long long)term,
                 (unsigned long long)c->truth_terms[index].term);
    uint64_t h;
    bool kept = last_after > index;
    if (kept && (nd->last < last_after || !chk_has_entry(c, n, index, &h) ||
                 h != truth_hash_at(c, index))) {
        chk_fail(c, SIM_V_LOG_MATCHING, n, 0, index, term,
                 "n%u kept a log suffix that does not match the snapshot at %llu", n,
                 (unsigned long long)index);
        return;
    }
    if (!kept && dropped_acknowledged_suffix(c, n, index))
        return;
    if (kept) {
        nd->base = index;
        nd->last = last_after;
    } else {
        node_reseed(c, n, index);
    }
    if (index > nd->commit)
        nd->commit = index;
    if (index > nd->applied)
        nd->applied = index;
    uint64_t d = digest ? digest : 1;
    if (index > 0 && c->truth[index].digest && c->truth[index].digest != d)
        chk_fail(c, SIM_V_DIGEST_MISMATCH, n, 0, index, term,
                 "n%u log-buffer digest after installing the snapshot at %llu differs",
                 n, (unsigned long long)index);
}

void chk_snapshot_taken(checker *c, raft_id n, uint64_t index)
{
    chk_node *nd = &c->nodes[n];
    if (index <= nd->base)
        return;
    if (index > nd->applied || index > nd->last) {
        chk_fail(c, SIM_V_APPLIED_PAST_COMMIT, n, 0, index, 0,
                 "n%u took a snapshot at %llu beyond its applied index %llu", n,
                 (unsigned long long)index, (unsigned long long)nd->applied);
        return;
    }
    nd->base = index; /* h[index] stays: it seeds later appends */
}

void chk_acked(checker *c, uint64_t index, uint64_t term)
{
    if (index == 0 || index > c->committed) {
        chk_fail(c, SIM_V_ACKED_WRITE_LOST, 0, 0, index, term,
                 "a client write was acknowledged at index %llu, which is not committed "
                 "(committed prefix ends at %llu)", (unsigned long long)index,
                 (unsigned long long)c->committed);
        return;
    }
    if (term && c->truth_terms[index].term && c->truth_terms[index].term != term)
        chk_fail(c, SIM_V_ACKED_WRITE_LOST, 0, 0, index, term,
                 "a client write acknowledged at (index %llu, term %llu) but the committed "
                 "entry there has term %llu", (unsigned long long)index,
                 (unsigned long long)term, (unsigned long long)c->truth_terms[index].term);
}
