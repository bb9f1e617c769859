/* test_raft_chaos.c — real nodes under random message loss, duplication and
 * reordering, random durability delays and crashes that lose non-durable
 * writes, with Raft's safety properties (paper Figure 3) checked after every
 * step; then the faults stop and the cluster must converge. Independent of
 * the simulator: a second line of defence for the core. */
#include "fake_host.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { CH_NODES = 5, CH_MAX_TERM = 100000 };

typedef struct ch_msg {
    raft_id from, to;
    uint8_t *buf;
    size_t len;
} ch_msg;

typedef struct chaos {
    uint32_t n;
    fhost h[CH_NODES];
    uint64_t rng, now;
    ch_msg *q;
    size_t nq, qcap;
    raft_id *leader_of_term;  /* Election Safety */
    uint64_t *truth_term;     /* index -> term of the entry applied there */
    uint64_t *truth_hash;     /* index -> hash of its data */
    uint64_t truth_cap, truth_max;
    size_t seen[CH_NODES];    /* applies already checked, per node */
    enum raft_role role[CH_NODES];
    int proposals;
} chaos;

static uint64_t ch_rand(chaos *c)
{
    uint64_t z = (c->rng += 0x9e3779b97f4a7c15u);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
    return z ^ (z >> 31);
}

static uint32_t ch_pick(chaos *c, uint32_t n) { return (uint32_t)(ch_rand(c) % n); }

static void ch_init(chaos *c, uint32_t n, uint64_t seed)
{
    memset(c, 0, sizeof *c);
    c->n = n;
    c->rng = seed;
    c->now = 1000 * MS;
    c->leader_of_term = calloc(CH_MAX_TERM, sizeof *c->leader_of_term);
    c->truth_cap = 1 << 16;
    c->truth_term = calloc(c->truth_cap, sizeof *c->truth_term);
    c->truth_hash = calloc(c->truth_cap, sizeof *c->truth_hash);
    cr_assert(c->leader_of_term && c->truth_term && c->truth_hash);
    for (uint32_t i = 0; i < n; i++) {
        fhost *h = &c->h[i];
        fh_init(h, i + 1, n);
        h->cfg.prevote = seed & 1;
        h->cfg.check_quorum = (seed >> 1) & 1;
        h->cfg.snapshot_threshold = seed % 3 ? 16 : 0;
        h->cfg.snapshot_trailing = seed % 5;
        h->cfg.snapshot_chunk_bytes = 16;
        h->cfg.pipeline_window = 1 + (uint32_t)(seed % 4);
        h->cfg.max_entries_per_msg = 1 + (uint32_t)(seed % 5);
        h->cfg.max_bytes_per_msg = 64;
        h->rand_state = seed * 31 + i + 1;
        const char *bugs = getenv("CHAOS_BUGS"); /* -DRAFT_BUGS builds: prove it bites */
        h->cfg.bugs = bugs ? strtoull(bugs, NULL, 0) : 0;
        h->now = c->now;
        fh_start(h);
    }
}

static void ch_free(chaos *c)
{
    for (size_t i = 0; i < c->nq; i++)
        free(c->q[i].buf);
    free(c->q);
    for (uint32_t i = 0; i < c->n; i++)
        fh_free(&c->h[i]);
    free(c->leader_of_term);
    free(c->truth_term);
    free(c->truth_hash);
}

static void ch_push(chaos *c, ch_msg m)
{
    if (c->nq == c->qcap) {
        c->qcap = c->qcap ? c->qcap * 2 : 256;
        c->q = realloc(c->q, c->qcap * sizeof *c->q);
        cr_assert_not_null(c->q);
    }
    c->q[c->nq++] = m;
}

static void ch_collect(chaos *c)
{
    for (uint32_t i = 0; i < c->n; i++) {
        fhost *h = &c->h[i];
        for (size_t k = 0; k < h->n_sent; k++)
            ch_push(c, (ch_msg){i + 1, h->sent[k].to, h->sent[k].buf, h->sent[k].len});
        h->n_sent = 0;
    }
}

static void ch_set_now(chaos *c, uint64_t t)
{
    c->now = t;
    for (uint32_t i = 0; i < c->n; i++)
        c->h[i].now = t;
}

static uint64_t applied_hash(const fh_applied *a)
{
    uint64_t x = 1469598103934665603u ^ a->type;
    for (uint32_t i = 0; i < a->len && i < sizeof a->data; i++)
        x = (x ^ (uint8_t)a->data[i]) * 1099511628211u;
    return x ^ a->len;
}

/* State Machine Safety, Election Safety, Leader Completeness, index sanity. */
static void ch_check(chaos *c)
{
    for (uint32_t i = 0; i < c->n; i++) {
        fhost *h = &c->h[i];
        for (; c->seen[i] < h->n_applied; c->seen[i]++) {
            const fh_applied *a = &h->applied[c->seen[i]];
            cr_assert_lt(a->index, c->truth_cap, "test sized for this many entries");
            uint64_t hash = applied_hash(a);
            if (!c->truth_term[a->index]) {
                c->truth_term[a->index] = a->term;
                c->truth_hash[a->index] = hash;
                if (a->index > c->truth_max)
                    c->truth_max = a->index;
            }
            cr_assert_eq(c->truth_term[a->index], a->term,
                         "node %u applied a different term at %llu", i + 1,
                         (unsigned long long)a->index);
            cr_assert_eq(c->truth_hash[a->index], hash, "node %u applied different data", i + 1);
        }
        raft_node *r = h->node;
        cr_assert_leq(raft_applied_index(r), raft_commit_index(r));
        cr_assert_leq(raft_commit_index(r), raft_last_index(r));
        enum raft_role role = raft_role(r);
        if (role == RAFT_LEADER) {
            uint64_t t = raft_term(r);
            cr_assert_lt(t, CH_MAX_TERM);
            if (!c->leader_of_term[t])
                c->leader_of_term[t] = i + 1;
            cr_assert_eq(c->leader_of_term[t], i + 1, "two leaders in term %llu",
                         (unsigned long long)t);
            if (c->role[i] != RAFT_LEADER) { /* new leader holds every applied entry */
                raft_status st;
                raft_get_status(r, &st);
                for (uint64_t k = st.last_index - st.log_entries + 1; k <= c->truth_max; k++)
                    cr_assert_eq(raft_term_at(r, k), c->truth_term[k],
                                 "leader %u lacks committed entry %llu", i + 1,
                                 (unsigned long long)k);
            }
        }
        c->role[i] = role;
    }
}

static void ch_deliver_one(chaos *c, bool faults)
{
    size_t k = ch_pick(c, (uint32_t)c->nq);
    ch_msg m = c->q[k];
    c->q[k] = c->q[--c->nq];
    if (faults && ch_pick(c, 100) < 3) { /* duplicate: deliver now, keep a copy */
        uint8_t *dup = malloc(m.len);
        cr_assert_not_null(dup);
        memcpy(dup, m.buf, m.len);
        ch_push(c, (ch_msg){m.from, m.to, dup, m.len});
    }
    if (!faults || ch_pick(c, 100) >= 5)
        raft_receive(c->h[m.to - 1].node, m.from, m.buf, m.len);
    free(m.buf);
}

static void ch_tick_next(chaos *c)
{
    uint32_t first = 0;
    for (uint32_t i = 1; i < c->n; i++)
        if (raft_next_deadline(c->h[i].node) < raft_next_deadline(c->h[first].node))
            first = i;
    uint64_t d = raft_next_deadline(c->h[first].node);
    if (d > c->now)
        ch_set_now(c, d);
    raft_tick(c->h[first].node);
}

static void ch_propose(chaos *c)
{
    for (uint32_t i = 0; i < c->n; i++) {
        if (raft_role(c->h[i].node) != RAFT_LEADER)
            continue;
        char buf[24];
        int len = snprintf(buf, sizeof buf, "p%d", c->proposals++);
        raft_propose(c->h[i].node, buf, (size_t)len, NULL, NULL);
    }
}

static void ch_crash_restart(chaos *c)
{
    fhost *h = &c->h[ch_pick(c, c->n)];
    fh_crash(h);
    fh_clear(h);
    fh_start(h);
    c->role[h->cfg.id - 1] = RAFT_FOLLOWER;
}

static void ch_random_step(chaos *c)
{
    uint32_t r = ch_pick(c, 1000);
    if (r < 760 && c->nq)
        ch_deliver_one(c, true);
    else if (r < 880)
        fh_persist_all(&c->h[ch_pick(c, c->n)]);
    else if (r < 910)
        ch_tick_next(c);
    else if (r < 960)
        ch_propose(c);
    else if (r < 963)
        ch_crash_restart(c);
    else if (r < 980) {
        for (uint32_t i = 0; i < c->n; i++)
            raft_read_index(c->h[i].node, r);
    } else if (r < 985) {
        for (uint32_t i = 0; i < c->n; i++)
            raft_transfer(c->h[i].node, 1 + ch_pick(c, c->n));
    }
    ch_collect(c);
    ch_check(c);
}

/* Faults off: instant disks, every message delivered. */
static void ch_converge(chaos *c, uint64_t ns)
{
    uint64_t end = c->now + ns;
    for (long steps = 0; c->now < end; steps++) {
        cr_assert_lt(steps, 1000000, "time stands still: a message storm");
        for (uint32_t i = 0; i < c->n; i++)
            fh_persist_all(&c->h[i]);
        ch_collect(c);
        if (c->nq)
            ch_deliver_one(c, false);
        else
            ch_tick_next(c);
        ch_collect(c);
        ch_check(c);
    }
}

static void run_chaos(uint32_t n, uint64_t seed, int steps)
{
    chaos c;
    ch_init(&c, n, seed);
    for (int s = 0; s < steps; s++)
        ch_random_step(&c);
    ch_converge(&c, 3000 * MS);
    ch_propose(&c);
    ch_converge(&c, 1000 * MS);
    uint32_t leaders = 0;
    raft_id leader = 0;
    for (uint32_t i = 0; i < n; i++)
        if (raft_role(c.h[i].node) == RAFT_LEADER) {
            leaders++;
            leader = i + 1;
        }
    cr_assert_eq(leaders, 1, "seed %llu: one leader after healing", (unsigned long long)seed);
    uint64_t commit = raft_commit_index(c.h[leader - 1].node);
    cr_assert_eq(commit, raft_last_index(c.h[leader - 1].node), "seed %llu",
                 (unsigned long long)seed);
    for (uint32_t i = 0; i < n; i++)
        cr_assert_eq(raft_commit_index(c.h[i].node), commit, "seed %llu: node %u converged",
                     (unsigned long long)seed, i + 1);
    if (getenv("CHAOS_VERBOSE")) {
        raft_status st;
        raft_get_status(c.h[leader - 1].node, &st);
        fprintf(stderr, "seed %llu: commit %llu term %llu snap %llu applied-truth %llu\n",
                (unsigned long long)seed, (unsigned long long)commit,
                (unsigned long long)st.term, (unsigned long long)st.snap.index,
                (unsigned long long)c.truth_max);
    }
    ch_free(&c);
}

/* CHAOS_SEEDS=N runs N seeds per test instead of 20 (a longer soak). */
static uint64_t chaos_seeds(void)
{
    const char *s = getenv("CHAOS_SEEDS");
    return s ? strtoull(s, NULL, 10) : 20;
}

Test(raft_chaos, three_nodes_stay_safe_under_loss_reordering_and_crashes_then_converge)
{
    for (uint64_t seed = 1; seed <= chaos_seeds(); seed++)
        run_chaos(3, seed, 5000);
}

Test(raft_chaos, five_nodes_stay_safe_under_loss_reordering_and_crashes_then_converge)
{
    for (uint64_t seed = 100; seed < 100 + chaos_seeds(); seed++)
        run_chaos(5, seed, 5000);
}
