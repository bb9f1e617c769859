/* test_raft_cluster.c — a few real nodes wired together through an in-test
 * message queue, with instant disks: an end-to-end check of elections and
 * replication that does not need the simulator. */
#include "fake_host.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { CL_MAX = 5, CL_QUEUE = 1 << 16 };

typedef struct cl_msg {
    raft_id from, to;
    uint8_t *buf;
    size_t len;
} cl_msg;

typedef struct cluster {
    uint32_t n;
    fhost h[CL_MAX];
    bool down[CL_MAX + 1]; /* cut off from everyone */
    cl_msg *q;
    size_t head, tail;
} cluster;

static void cl_init(cluster *c, uint32_t n)
{
    memset(c, 0, sizeof *c);
    c->n = n;
    c->q = calloc(CL_QUEUE, sizeof *c->q);
    cr_assert_not_null(c->q);
    for (uint32_t i = 0; i < n; i++) {
        fh_init(&c->h[i], i + 1, n);
        c->h[i].cfg.prevote = true;
        c->h[i].cfg.check_quorum = true;
        c->h[i].rand_state = 7919u * (i + 1);
        fh_start(&c->h[i]);
    }
}

static void cl_free(cluster *c)
{
    for (size_t i = c->head; i < c->tail; i++)
        free(c->q[i % CL_QUEUE].buf);
    for (uint32_t i = 0; i < c->n; i++)
        fh_free(&c->h[i]);
    free(c->q);
}

/* Move what each node sent into the queue (its disk is instant). */
static void cl_collect(cluster *c)
{
    for (uint32_t i = 0; i < c->n; i++) {
        fhost *h = &c->h[i];
        fh_persist_all(h);
        for (size_t k = 0; k < h->n_sent; k++) {
            cr_assert_lt(c->tail - c->head, (size_t)CL_QUEUE);
            c->q[c->tail++ % CL_QUEUE] = (cl_msg){i + 1, h->sent[k].to, h->sent[k].buf,
                                                  h->sent[k].len};
        }
        h->n_sent = 0; /* buffers now owned by the queue */
    }
}

static uint64_t cl_now(const cluster *c) { return c->h[0].now; }

static void cl_set_now(cluster *c, uint64_t t)
{
    for (uint32_t i = 0; i < c->n; i++)
        c->h[i].now = t;
}

/* Deliver one queued message, or move time to the next deadline. */
static void cl_step(cluster *c)
{
    cl_collect(c);
    if (c->head < c->tail) {
        cl_msg m = c->q[c->head++ % CL_QUEUE];
        if (!c->down[m.from] && !c->down[m.to])
            raft_receive(c->h[m.to - 1].node, m.from, m.buf, m.len);
        free(m.buf);
        return;
    }
    uint32_t first = 0;
    for (uint32_t i = 1; i < c->n; i++)
        if (raft_next_deadline(c->h[i].node) < raft_next_deadline(c->h[first].node))
            first = i;
    uint64_t d = raft_next_deadline(c->h[first].node);
    if (d > cl_now(c))
        cl_set_now(c, d);
    raft_tick(c->h[first].node);
}

static void cl_run_for(cluster *c, uint64_t ns)
{
    uint64_t end = cl_now(c) + ns;
    for (long steps = 0; steps < 2000000 && cl_now(c) < end; steps++)
        cl_step(c);
}

static uint32_t cl_leaders(const cluster *c, raft_id *leader)
{
    uint32_t n = 0;
    for (uint32_t i = 0; i < c->n; i++) {
        if (!c->down[i + 1] && raft_role(c->h[i].node) == RAFT_LEADER) {
            n++;
            *leader = i + 1;
        }
    }
    return n;
}

static void check_elects_one_leader_and_commits(uint32_t n)
{
    cluster c;
    cl_init(&c, n);
    cl_run_for(&c, 2000 * MS);
    raft_id leader = 0;
    cr_assert_eq(cl_leaders(&c, &leader), 1, "exactly one leader among %u nodes", n);
    uint64_t term = raft_term(c.h[leader - 1].node);
    for (int k = 0; k < 50; k++) {
        char cmd[16];
        snprintf(cmd, sizeof cmd, "cmd%d", k);
        uint64_t index = 0;
        cr_assert_eq(raft_propose(c.h[leader - 1].node, cmd, strlen(cmd), &index, NULL), RAFT_OK);
        cl_run_for(&c, 5 * MS);
    }
    cl_run_for(&c, 500 * MS);
    cr_assert_eq(raft_term(c.h[leader - 1].node), term, "a stable cluster keeps its term");
    uint64_t last = raft_last_index(c.h[leader - 1].node);
    for (uint32_t i = 0; i < n; i++) {
        fhost *h = &c.h[i];
        cr_assert_eq(raft_commit_index(h->node), last, "node %u committed everything", i + 1);
        cr_assert_eq(h->n_applied, last, "node %u applied every entry once", i + 1);
        for (size_t k = 0; k < h->n_applied; k++) {
            cr_assert_eq(h->applied[k].index, k + 1);
            cr_assert_eq(h->applied[k].type, c.h[leader - 1].applied[k].type);
            cr_assert_str_eq(h->applied[k].data, c.h[leader - 1].applied[k].data);
        }
    }
    cl_free(&c);
}

Test(raft_cluster, three_nodes_elect_exactly_one_leader_and_commit_proposals)
{
    check_elects_one_leader_and_commits(3);
}

Test(raft_cluster, five_nodes_elect_exactly_one_leader_and_commit_proposals)
{
    check_elects_one_leader_and_commits(5);
}

Test(raft_cluster, single_node_elects_itself_and_commits_on_its_own_durable_write)
{
    check_elects_one_leader_and_commits(1);
}

Test(raft_cluster, a_new_leader_is_elected_after_the_old_one_is_cut_off)
{
    cluster c;
    cl_init(&c, 5);
    cl_run_for(&c, 2000 * MS);
    raft_id old = 0, now_leader = 0;
    cr_assert_eq(cl_leaders(&c, &old), 1);
    uint64_t old_term = raft_term(c.h[old - 1].node);
    c.down[old] = true;
    cl_run_for(&c, 2000 * MS);
    cr_assert_eq(cl_leaders(&c, &now_leader), 1);
    cr_assert_neq(now_leader, old);
    cr_assert_gt(raft_term(c.h[now_leader - 1].node), old_term);
    cr_assert_neq(raft_role(c.h[old - 1].node), RAFT_LEADER, "CheckQuorum deposed the old leader");
    c.down[old] = false;
    cl_run_for(&c, 1000 * MS);
    raft_id after = 0;
    cr_assert_eq(cl_leaders(&c, &after), 1);
    cr_assert_eq(after, now_leader, "the returning node does not disrupt (PreVote)");
    cl_free(&c);
}

Test(raft_cluster, leadership_transfer_makes_the_target_leader_in_a_higher_term)
{
    cluster c;
    cl_init(&c, 5);
    cl_run_for(&c, 2000 * MS);
    raft_id old = 0;
    cr_assert_eq(cl_leaders(&c, &old), 1);
    raft_id target = old % 5 + 1;
    uint64_t term = raft_term(c.h[old - 1].node);
    cr_assert_eq(raft_transfer(c.h[old - 1].node, target), RAFT_OK);
    cl_run_for(&c, 500 * MS);
    raft_id now_leader = 0;
    cr_assert_eq(cl_leaders(&c, &now_leader), 1);
    cr_assert_eq(now_leader, target);
    cr_assert_eq(raft_term(c.h[target - 1].node), term + 1);
    uint64_t index = 0;
    cr_assert_eq(raft_propose(c.h[target - 1].node, "t", 1, &index, NULL), RAFT_OK);
    cl_run_for(&c, 200 * MS);
    for (uint32_t i = 0; i < 5; i++)
        cr_assert_geq(raft_commit_index(c.h[i].node), index);
    cl_free(&c);
}
