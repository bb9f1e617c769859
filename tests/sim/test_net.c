/* Network faults observably applied: drops, partitions, one-way cuts,
 * duplicates, bandwidth, and the message pool. */
#include <criterion/criterion.h>
#include <string.h>

#include "../../sim/world/net.h"

static sim_link_params params(void)
{
    sim_link_params p = {0};
    p.latency = (sim_dist){.kind = SIM_DIST_CONST, .a_ns = 1000};
    return p;
}

static const uint8_t msg[8] = {1, 3, 0, 0, 0, 0, 0, 0};

Test(net, a_dropped_message_is_never_delivered)
{
    net nw;
    sim_link_params p = params();
    p.drop_ppm = 500000;
    cr_assert_eq(net_init(&nw, 3, &p, 1), 0);
    int dropped = 0, sent = 0;
    for (int i = 0; i < 2000; i++) {
        net_plan plan;
        cr_assert_eq(net_send(&nw, 1, 2, 0, 0, msg, sizeof msg, &plan), 0);
        if (plan.verdict == NET_DROPPED_LOSS) {
            cr_assert_eq(plan.n, 0, "a dropped message has no delivery");
            dropped++;
        } else {
            cr_assert_eq(plan.n, 1);
            net_release(&nw, plan.slot[0]);
            sent++;
        }
    }
    cr_assert(dropped > 800 && sent > 800, "about half dropped: %d / %d", dropped, sent);
    cr_assert_eq(nw.live, 0);
    net_free(&nw);
}

Test(net, a_partition_blocks_exactly_the_links_between_groups)
{
    net nw;
    sim_link_params p = params();
    net_init(&nw, 6, &p, 1);
    sim_epset g[2] = {0};
    epset_add(&g[0], 1);
    epset_add(&g[0], 2);
    epset_add(&g[1], 3);
    epset_add(&g[1], 4);
    net_partition(&nw, g, 2); /* 5 and 6 are in no group */
    for (sim_ep a = 1; a <= 6; a++) {
        for (sim_ep b = 1; b <= 6; b++) {
            if (a == b)
                continue;
            bool across = a <= 4 && b <= 4 && ((a <= 2) != (b <= 2));
            cr_assert_eq(net_blocked(&nw, a, b), across, "link %u->%u", a, b);
        }
    }
    net_heal(&nw);
    cr_assert(!net_blocked(&nw, 1, 3));
    net_free(&nw);
}

Test(net, a_one_way_cut_blocks_only_that_direction)
{
    net nw;
    sim_link_params p = params();
    net_init(&nw, 3, &p, 1);
    net_set_cut(&nw, 1, 2, true);
    net_plan plan;
    net_send(&nw, 1, 2, 0, 0, msg, sizeof msg, &plan);
    cr_assert_eq(plan.verdict, NET_DROPPED_CUT);
    net_send(&nw, 2, 1, 0, 0, msg, sizeof msg, &plan);
    cr_assert_eq(plan.verdict, NET_SENT);
    net_release(&nw, plan.slot[0]);
    cr_assert(!net_blocked(&nw, 1, 3) && !net_blocked(&nw, 3, 1));
    net_free(&nw);
}

Test(net, isolate_cuts_an_endpoint_off_both_ways_and_only_it)
{
    net nw;
    sim_link_params p = params();
    net_init(&nw, 4, &p, 1);
    net_isolate(&nw, 2);
    for (sim_ep o = 1; o <= 4; o++)
        if (o != 2)
            cr_assert(net_blocked(&nw, 2, o) && net_blocked(&nw, o, 2));
    cr_assert(!net_blocked(&nw, 1, 3) && !net_blocked(&nw, 4, 1));
    net_free(&nw);
}

Test(net, a_duplicated_message_arrives_twice_with_the_same_bytes)
{
    net nw;
    sim_link_params p = params();
    p.dup_ppm = 1000000;
    net_init(&nw, 2, &p, 1);
    net_plan plan;
    net_send(&nw, 1, 2, 0, 0, msg, sizeof msg, &plan);
    cr_assert_eq(plan.n, 2);
    for (int i = 0; i < 2; i++) {
        net_msg *m = net_slot(&nw, plan.slot[i]);
        cr_assert_eq(m->len, sizeof msg);
        cr_assert_eq(memcmp(m->buf, msg, sizeof msg), 0);
        cr_assert_eq(m->duplicate, i == 1);
    }
    cr_assert_geq(plan.at_ns[1], plan.at_ns[0]);
    net_free(&nw);
}

Test(net, bandwidth_serialises_a_large_message_behind_the_previous_one)
{
    net nw;
    sim_link_params p = params();
    p.bandwidth_Bps = 1000000; /* 1 MB/s: 10,000 bytes take 10 ms */
    net_init(&nw, 2, &p, 1);
    static uint8_t big[10000];
    big[1] = 3;
    net_plan a, b;
    net_send(&nw, 1, 2, 0, 0, big, sizeof big, &a);
    net_send(&nw, 1, 2, 0, 0, big, sizeof big, &b);
    cr_assert_geq(a.at_ns[0], 10 * 1000000, "the first waits for its own size");
    cr_assert_geq(b.at_ns[0], a.at_ns[0] + 10 * 1000000, "the second queues behind it");
    net_free(&nw);
}

Test(net, released_buffers_are_reused_so_steady_sends_do_not_grow_the_pool)
{
    net nw;
    sim_link_params p = params();
    net_init(&nw, 2, &p, 1);
    for (int i = 0; i < 1000; i++) {
        net_plan plan;
        net_send(&nw, 1, 2, 0, 0, msg, sizeof msg, &plan);
        net_release(&nw, plan.slot[0]);
    }
    cr_assert_eq(nw.n_slots, 1);
    net_free(&nw);
}

Test(net, setting_a_link_parameter_changes_that_link_only)
{
    net nw;
    sim_link_params p = params();
    net_init(&nw, 3, &p, 1);
    net_set_param_link(&nw, 1, 2, SIM_PARAM_DROP, 1000000, NULL);
    net_plan plan;
    net_send(&nw, 1, 2, 0, 0, msg, sizeof msg, &plan);
    cr_assert_eq(plan.verdict, NET_DROPPED_LOSS);
    net_send(&nw, 1, 3, 0, 0, msg, sizeof msg, &plan);
    cr_assert_eq(plan.verdict, NET_SENT);
    net_free(&nw);
}

Test(net, latency_jitter_alone_never_reorders_messages_on_one_link)
{
    net nw;
    sim_link_params p = params();
    p.latency = (sim_dist){.kind = SIM_DIST_UNIFORM, .a_ns = 100, .b_ns = 100000};
    net_init(&nw, 2, &p, 1);
    uint64_t last = 0;
    for (uint64_t t = 0; t < 5000; t += 10) {
        net_plan plan;
        net_send(&nw, 1, 2, 0, t, msg, sizeof msg, &plan);
        cr_assert_geq(plan.at_ns[0], last, "FIFO per link");
        last = plan.at_ns[0];
        net_release(&nw, plan.slot[0]);
    }
    net_free(&nw);
}

Test(net, the_reorder_fault_lets_a_later_message_overtake)
{
    net nw;
    sim_link_params p = params();
    p.reorder_ppm = 500000;
    p.reorder_ns = 1000000;
    net_init(&nw, 2, &p, 3);
    uint64_t prev = 0;
    bool overtaken = false;
    for (uint64_t t = 0; t < 200; t++) {
        net_plan plan;
        net_send(&nw, 1, 2, 0, t * 10, msg, sizeof msg, &plan);
        overtaken |= plan.at_ns[0] < prev;
        prev = plan.at_ns[0];
        net_release(&nw, plan.slot[0]);
    }
    cr_assert(overtaken);
    net_free(&nw);
}

/* Sends over a quiet network (constant latency, no faults) owe their fault
 * word instead of drawing it; a parameter change that needs draws draws the
 * owed words first. So the stream must end up exactly where a network that
 * drew every word (here: one with a fault on a link nobody uses) has it. */
Test(net, owed_fault_words_leave_the_stream_where_drawing_them_would)
{
    net quiet, noisy;
    sim_link_params p = params();
    cr_assert_eq(net_init(&quiet, 3, &p, 7), 0);
    cr_assert_eq(net_init(&noisy, 3, &p, 7), 0);
    net_set_param_link(&noisy, 3, 1, SIM_PARAM_DROP, 1, NULL);
    for (int round = 0; round < 3; round++) {
        for (int i = 0; i < 100; i++) {
            net_plan a, b;
            cr_assert_eq(net_send(&quiet, 1, 2, 0, 0, msg, sizeof msg, &a), 0);
            cr_assert_eq(net_send(&noisy, 1, 2, 0, 0, msg, sizeof msg, &b), 0);
            cr_assert(a.verdict == b.verdict && a.n == b.n);
            for (uint32_t k = 0; k < a.n; k++) {
                cr_assert_eq(a.at_ns[k], b.at_ns[k]);
                net_release(&quiet, a.slot[k]);
                net_release(&noisy, b.slot[k]);
            }
        }
        /* Faults and jitter on, then off again: the quiet network draws its
         * owed words, and later owes again. */
        int64_t drop = round == 1 ? 0 : 300000;
        sim_dist jitter = {.kind = SIM_DIST_UNIFORM, .a_ns = 500, .b_ns = 5000};
        net_set_param_all(&quiet, SIM_PARAM_DROP, drop, NULL);
        net_set_param_all(&noisy, SIM_PARAM_DROP, drop, NULL);
        net_set_param_link(&quiet, 1, 2, SIM_PARAM_DUP, 200000, NULL);
        net_set_param_link(&noisy, 1, 2, SIM_PARAM_DUP, 200000, NULL);
        net_set_param_link(&quiet, 1, 2, SIM_PARAM_LATENCY, 0, &jitter);
        net_set_param_link(&noisy, 1, 2, SIM_PARAM_LATENCY, 0, &jitter);
        if (round == 1) { /* back to quiet, but for the noisy one's unused link */
            net_reset_params(&quiet, &p);
            net_reset_params(&noisy, &p);
            net_set_param_link(&noisy, 3, 1, SIM_PARAM_DROP, 1, NULL);
        }
    }
    cr_assert_eq(quiet.owed, 0, "the last change drew them");
    cr_assert_eq(memcmp(&quiet.r, &noisy.r, sizeof quiet.r), 0);
    net_free(&quiet);
    net_free(&noisy);
}
