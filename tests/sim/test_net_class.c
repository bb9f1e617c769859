/* Network faults restricted to a message class (drop only replies, delay
 * only AppendEntries, ...) and reordering outside a link's FIFO order:
 * each hits exactly its class, and leaves other messages' fates alone. */
#include <criterion/criterion.h>
#include <string.h>

#include "../../core/msg.h"
#include "../../sim/world/net.h"

static sim_link_params params(void)
{
    sim_link_params p = {0};
    p.latency = (sim_dist){.kind = SIM_DIST_CONST, .a_ns = 1000};
    return p;
}

/* A message of wire type `type` (header: version, type, ...). */
static void typed(uint8_t buf[16], uint8_t type)
{
    memset(buf, 0, 16);
    buf[0] = 1;
    buf[1] = type;
}

static void set_fault(net *nw, enum sim_msg_fault_kind kind, const char *class, uint32_t ppm,
                      sim_dist delay)
{
    int g = sim_msg_group_from_name(class);
    cr_assert_geq(g, 0, "%s is a message class", class);
    sim_msg_fault f = { .kind = (uint8_t)kind, .group = (uint8_t)g, .ppm = ppm, .delay = delay };
    net_set_msg_fault(nw, &f);
}

static net_plan send(net *nw, sim_ep from, sim_ep to, uint64_t now, uint8_t type)
{
    uint8_t buf[16];
    typed(buf, type);
    net_plan plan;
    cr_assert_eq(net_send(nw, from, to, 0, now, buf, sizeof buf, &plan), 0);
    for (uint32_t i = 0; i < plan.n; i++)
        net_release(nw, plan.slot[i]);
    return plan;
}

Test(net_class, dropping_replies_loses_every_reply_and_no_request)
{
    net nw;
    sim_link_params p = params();
    cr_assert_eq(net_init(&nw, 3, &p, 1), 0);
    set_fault(&nw, SIM_MF_DROP, "replies", 1000000, (sim_dist){0});
    for (int i = 0; i < 200; i++) {
        cr_assert_eq(send(&nw, 1, 2, (uint64_t)i, RAFT_MSG_APPEND_ENTRIES).verdict, NET_SENT);
        cr_assert_eq(send(&nw, 1, 2, (uint64_t)i, RAFT_MSG_REQUEST_VOTE).verdict, NET_SENT);
        cr_assert_eq(send(&nw, 2, 1, (uint64_t)i, RAFT_MSG_APPEND_ENTRIES_RESP).verdict,
                     NET_DROPPED_LOSS);
        cr_assert_eq(send(&nw, 3, 1, (uint64_t)i, RAFT_MSG_CLIENT_APPEND_RESP).verdict,
                     NET_DROPPED_LOSS);
    }
    cr_assert_eq(nw.live, 0);
    net_free(&nw);
}

/* With the link's own faults on, requests meet exactly the same fates
 * (dropped or not, delivery times) whether or not replies are also dropped
 * 30% of the time: the class fault draws from its own stream. */
Test(net_class, a_fault_on_replies_shifts_no_draw_of_other_messages)
{
    net a, b;
    sim_link_params p = params();
    p.latency = (sim_dist){.kind = SIM_DIST_UNIFORM, .a_ns = 1000, .b_ns = 90000};
    p.drop_ppm = 100000;
    p.dup_ppm = 100000;
    p.reorder_ppm = 100000;
    p.reorder_ns = 50000;
    net_init(&a, 3, &p, 7);
    net_init(&b, 3, &p, 7);
    set_fault(&b, SIM_MF_DROP, "replies", 300000, (sim_dist){0});
    set_fault(&b, SIM_MF_DUP, "append.replies", 300000, (sim_dist){0});
    int class_dropped = 0;
    for (uint64_t t = 0; t < 3000; t++) {
        net_plan pa = send(&a, 1, 2, t * 100, RAFT_MSG_APPEND_ENTRIES);
        net_plan pb = send(&b, 1, 2, t * 100, RAFT_MSG_APPEND_ENTRIES);
        cr_assert_eq(pa.verdict, pb.verdict, "request %llu", (unsigned long long)t);
        cr_assert_eq(pa.n, pb.n);
        for (uint32_t i = 0; i < pa.n; i++)
            cr_assert_eq(pa.at_ns[i], pb.at_ns[i]);
        /* replies on the other link, in both networks */
        net_plan ra = send(&a, 2, 1, t * 100, RAFT_MSG_APPEND_ENTRIES_RESP);
        net_plan rb = send(&b, 2, 1, t * 100, RAFT_MSG_APPEND_ENTRIES_RESP);
        if (ra.verdict == NET_SENT && rb.verdict == NET_DROPPED_LOSS)
            class_dropped++;
    }
    cr_assert(class_dropped > 600 && class_dropped < 1200, "about 30%% of the replies the "
              "link let through: %d", class_dropped);
    net_free(&a);
    net_free(&b);
}

Test(net_class, delaying_appends_adds_the_delay_and_keeps_the_link_fifo)
{
    net nw;
    sim_link_params p = params();
    net_init(&nw, 2, &p, 1);
    set_fault(&nw, SIM_MF_DELAY, "append.requests", 1000000,
              (sim_dist){.kind = SIM_DIST_CONST, .a_ns = 20 * SIM_NS_PER_MS});
    net_plan ae = send(&nw, 1, 2, 0, RAFT_MSG_APPEND_ENTRIES);
    cr_assert_eq(ae.at_ns[0], 1000 + 20 * SIM_NS_PER_MS, "latency + 20 ms");
    net_plan rv = send(&nw, 1, 2, 10, RAFT_MSG_REQUEST_VOTE); /* not delayed ... */
    cr_assert_eq(rv.at_ns[0], ae.at_ns[0], "... but waits behind the append on its link");
    net_plan back = send(&nw, 2, 1, 10, RAFT_MSG_APPEND_ENTRIES_RESP);
    cr_assert_eq(back.at_ns[0], 1010, "the other link and the replies: no delay");
    net_free(&nw);
}

/* A message reordered outside FIFO order overtakes one sent before it that
 * its link holds back (here: a delayed append), and is overtaken by ones
 * sent after it. */
Test(net_class, a_reordered_reply_overtakes_and_is_overtaken)
{
    net nw;
    sim_link_params p = params();
    net_init(&nw, 2, &p, 1);
    set_fault(&nw, SIM_MF_DELAY, "append.requests", 1000000,
              (sim_dist){.kind = SIM_DIST_CONST, .a_ns = 500 * SIM_NS_PER_MS});
    set_fault(&nw, SIM_MF_REORDER, "vote.requests", 1000000,
              (sim_dist){.kind = SIM_DIST_UNIFORM, .a_ns = 200 * SIM_NS_PER_MS,
                         .b_ns = 300 * SIM_NS_PER_MS});
    net_plan first = send(&nw, 1, 2, 0, RAFT_MSG_APPEND_ENTRIES);
    net_plan vote = send(&nw, 1, 2, 1000, RAFT_MSG_REQUEST_VOTE);
    cr_assert(vote.reordered);
    cr_assert_lt(vote.at_ns[0], first.at_ns[0], "overtakes the earlier append");
    cr_assert_geq(vote.at_ns[0], 2000 + 200 * SIM_NS_PER_MS, "at least the minimum delay");
    cr_assert_leq(vote.at_ns[0], 2000 + 300 * SIM_NS_PER_MS);
    net_free(&nw);

    net_init(&nw, 2, &p, 1);
    set_fault(&nw, SIM_MF_REORDER, "vote.requests", 1000000,
              (sim_dist){.kind = SIM_DIST_CONST, .a_ns = 200 * SIM_NS_PER_MS});
    vote = send(&nw, 1, 2, 0, RAFT_MSG_REQUEST_VOTE);
    net_plan after = send(&nw, 1, 2, 10, RAFT_MSG_APPEND_ENTRIES);
    cr_assert_eq(after.at_ns[0], 1010, "takes no place in the FIFO order: not held behind");
    cr_assert_lt(after.at_ns[0], vote.at_ns[0], "overtaken");
    net_free(&nw);
}

/* The link-wide `reorder P delay MIN..MAX`: the same freedom, and the
 * minimum holds. A message of the FIFO-keeping `reorder P D` never arrives
 * before an earlier message in FIFO order. */
Test(net_class, free_link_reordering_overtakes_earlier_messages_fifo_reordering_does_not)
{
    for (int free_mode = 0; free_mode <= 1; free_mode++) {
        net nw;
        sim_link_params p = params();
        p.latency = (sim_dist){.kind = SIM_DIST_UNIFORM, .a_ns = 1000, .b_ns = 200000};
        p.reorder_ppm = 300000;
        p.reorder_ns = 100000;
        p.reorder_free = free_mode;
        p.reorder_delay = (sim_dist){.kind = SIM_DIST_UNIFORM, .a_ns = 50000, .b_ns = 100000};
        net_init(&nw, 2, &p, 5);
        uint64_t latest_in_order = 0; /* of the earlier messages not reordered */
        bool overtook = false;
        for (uint64_t t = 0; t < 2000; t++) {
            net_plan pl = send(&nw, 1, 2, t * 1000, RAFT_MSG_APPEND_ENTRIES);
            if (pl.verdict != NET_SENT)
                continue;
            if (pl.reordered && free_mode)
                cr_assert_geq(pl.at_ns[0], t * 1000 + 1000 + 50000, "the minimum holds");
            if (pl.reordered)
                overtook |= pl.at_ns[0] < latest_in_order;
            else
                latest_in_order = pl.at_ns[0];
        }
        cr_assert_eq(overtook, (bool)free_mode, "free: %d", free_mode);
        net_free(&nw);
    }
}
