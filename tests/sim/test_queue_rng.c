/* Event queue ordering, PRNG streams and integer distributions. */
#include <criterion/criterion.h>
#include <string.h>

#include "../../sim/world/dist.h"
#include "../../sim/world/queue.h"
#include "../../sim/world/rng.h"

Test(queue, pops_events_in_time_order_whatever_the_push_order)
{
    evq q;
    evq_init(&q);
    uint64_t times[] = {50, 10, 40, 30, 20, 60, 5};
    for (size_t i = 0; i < 7; i++)
        cr_assert_eq(evq_push(&q, &(sim_event){.time_ns = times[i], .a = (uint32_t)i}), 0);
    uint64_t last = 0;
    sim_event ev;
    size_t n = 0;
    while (evq_pop(&q, &ev)) {
        cr_assert_geq(ev.time_ns, last);
        last = ev.time_ns;
        n++;
    }
    cr_assert_eq(n, 7);
    evq_free(&q);
}

Test(queue, breaks_ties_by_insertion_order)
{
    evq q;
    evq_init(&q);
    for (uint32_t i = 0; i < 100; i++) /* interleave two times */
        evq_push(&q, &(sim_event){.time_ns = 100 + (i % 2), .a = i});
    sim_event ev;
    uint32_t expect_even = 0, expect_odd = 1;
    while (evq_pop(&q, &ev)) {
        if (ev.time_ns == 100) {
            cr_assert_eq(ev.a, expect_even);
            expect_even += 2;
        } else {
            cr_assert_eq(expect_even, 100, "all time-100 events come first");
            cr_assert_eq(ev.a, expect_odd);
            expect_odd += 2;
        }
    }
    cr_assert_eq(expect_odd, 101);
    evq_free(&q);
}

Test(queue, interleaved_pushes_and_pops_match_a_sorted_reference)
{
    evq q;
    evq_init(&q);
    rng r;
    rng_init(&r, 42, 1);
    uint64_t now = 0, popped = 0;
    for (int round = 0; round < 5000; round++) {
        evq_push(&q, &(sim_event){.time_ns = now + rng_below(&r, 1000), .a = (uint32_t)round});
        if (round % 3 == 0) {
            sim_event ev;
            cr_assert(evq_pop(&q, &ev));
            cr_assert_geq(ev.time_ns, now);
            now = ev.time_ns;
            popped++;
        }
    }
    sim_event ev, prev = {0};
    while (evq_pop(&q, &ev)) { /* a is the push order: ties pop in it */
        cr_assert(ev.time_ns > prev.time_ns || (ev.time_ns == prev.time_ns && ev.a > prev.a));
        prev = ev;
    }
    evq_free(&q);
}

/* The FIFO lane beside the heap: pushes through it (in order, out of order,
 * or tied with heap pushes) pop in exactly (time, push order), across
 * growth of the queue and wraps of the lane's ring. */
Test(queue, lane_and_heap_pushes_pop_in_time_then_push_order)
{
    evq q;
    evq_init(&q);
    rng r;
    rng_init(&r, 7, 1);
    uint64_t now = 0;
    uint32_t pushed = 0;
    for (int round = 0; round < 20000; round++) {
        /* Mostly a constant delay through the lane (in order), sometimes an
         * earlier one through the lane (to the heap) or a heap push. */
        uint32_t pick = (uint32_t)rng_below(&r, 10);
        uint64_t at = now + (pick < 6 ? 300 : rng_below(&r, 400));
        int rc = pick < 8 ? evq_push_lane_fields(&q, at, 0, pushed, 0, 0)
                          : evq_push_fields(&q, at, 0, pushed, 0, 0);
        cr_assert_eq(rc, 0);
        pushed++;
        /* Pop less than pushed early on (growth), then as much (wraps). */
        for (int k = round < 2000 ? round % 2 : 1; k > 0; k--) {
            sim_event ev;
            cr_assert(evq_pop(&q, &ev));
            cr_assert_geq(ev.time_ns, now);
            now = ev.time_ns;
        }
    }
    sim_event ev, prev = {.time_ns = now};
    bool first = true;
    size_t left = evq_len(&q);
    while (evq_pop(&q, &ev)) {
        cr_assert(ev.time_ns > prev.time_ns ||
                  (ev.time_ns == prev.time_ns && (first || ev.a > prev.a)));
        prev = ev;
        first = false;
        left--;
    }
    cr_assert_eq(left, 0);
    evq_free(&q);
}

/* Exact order against a reference: every popped event is the least
 * (time, push order) among those pending. */
Test(queue, lane_pops_match_a_brute_force_minimum)
{
    enum { N = 3000 };
    static uint64_t t_of[N];
    static bool pending[N];
    evq q;
    evq_init(&q);
    rng r;
    rng_init(&r, 11, 1);
    uint64_t now = 0;
    uint32_t pushed = 0;
    while (pushed < N || evq_len(&q)) {
        if (pushed < N && rng_below(&r, 3) != 0) {
            uint64_t at = now + rng_below(&r, 50);
            int rc = rng_below(&r, 2) ? evq_push_lane_fields(&q, at, 0, pushed, 0, 0)
                                      : evq_push_fields(&q, at, 0, pushed, 0, 0);
            cr_assert_eq(rc, 0);
            t_of[pushed] = at;
            pending[pushed++] = true;
            continue;
        }
        if (!evq_len(&q))
            continue;
        uint32_t best = N;
        for (uint32_t i = 0; i < pushed; i++)
            if (pending[i] && (best == N || t_of[i] < t_of[best]))
                best = i;
        sim_event ev;
        cr_assert(evq_pop(&q, &ev));
        cr_assert_eq(ev.a, best);
        pending[best] = false;
        now = ev.time_ns;
    }
    evq_free(&q);
}

Test(rng, a_stream_is_reproducible_from_seed_and_id)
{
    rng a, b;
    rng_init(&a, 7, RNG_STREAM_NET);
    rng_init(&b, 7, RNG_STREAM_NET);
    for (int i = 0; i < 1000; i++)
        cr_assert_eq(rng_next(&a), rng_next(&b));
}

Test(rng, drawing_from_one_stream_does_not_change_another)
{
    rng net1, disk1, net2, disk2;
    rng_init(&net1, 9, RNG_STREAM_NET);
    rng_init(&disk1, 9, RNG_STREAM_DISK + 1);
    rng_init(&net2, 9, RNG_STREAM_NET);
    rng_init(&disk2, 9, RNG_STREAM_DISK + 1);
    for (int i = 0; i < 500; i++)
        rng_next(&net1); /* only in the first world */
    for (int i = 0; i < 100; i++)
        cr_assert_eq(rng_next(&disk1), rng_next(&disk2));
    cr_assert_neq(rng_next(&net1), rng_next(&net2));
}

Test(rng, different_stream_ids_and_seeds_give_different_draws)
{
    rng a, b, c;
    rng_init(&a, 1, RNG_STREAM_NODE_TIMER + 1);
    rng_init(&b, 1, RNG_STREAM_NODE_TIMER + 2);
    rng_init(&c, 2, RNG_STREAM_NODE_TIMER + 1);
    uint64_t x = rng_next(&a);
    cr_assert_neq(x, rng_next(&b));
    cr_assert_neq(x, rng_next(&c));
}

static sim_dist mk(enum sim_dist_kind k, uint64_t a, uint64_t b)
{
    return (sim_dist){.kind = k, .a_ns = a, .b_ns = b};
}

Test(dist, constant_and_uniform_samples_stay_in_range)
{
    rng r;
    rng_init(&r, 3, 1);
    sim_dist c = mk(SIM_DIST_CONST, 1234, 0), u = mk(SIM_DIST_UNIFORM, 100, 200);
    bool saw_lo = false, saw_hi = false;
    for (int i = 0; i < 20000; i++) {
        cr_assert_eq(dist_sample(&c, &r), 1234);
        uint64_t x = dist_sample(&u, &r);
        cr_assert(x >= 100 && x <= 200);
        saw_lo |= x == 100;
        saw_hi |= x == 200;
    }
    cr_assert(saw_lo && saw_hi, "both ends of [a, b] are reachable");
}

static uint64_t mean_of(const sim_dist *d, int n, uint64_t *min, uint64_t *max)
{
    rng r;
    rng_init(&r, 5, 2);
    unsigned __int128 sum = 0;
    *min = UINT64_MAX;
    *max = 0;
    for (int i = 0; i < n; i++) {
        uint64_t x = dist_sample(d, &r);
        sum += x;
        *min = x < *min ? x : *min;
        *max = x > *max ? x : *max;
    }
    return (uint64_t)(sum / (unsigned)n);
}

Test(dist, normal_has_its_mean_and_stays_within_zero_and_twice_the_mean)
{
    sim_dist d = mk(SIM_DIST_NORMAL, 1000000, 200000);
    uint64_t lo, hi, m = mean_of(&d, 100000, &lo, &hi);
    cr_assert(m > 990000 && m < 1010000, "mean %llu", (unsigned long long)m);
    cr_assert_leq(hi, 2000000);
    cr_assert_lt(lo, 600000, "spread reaches two standard deviations");
}

Test(dist, pareto_never_goes_below_its_minimum_and_has_roughly_its_mean)
{
    sim_dist d = mk(SIM_DIST_PARETO, 1000000, 2000000);
    uint64_t lo, hi, m = mean_of(&d, 400000, &lo, &hi);
    cr_assert_geq(lo, 1000000);
    cr_assert(m > 1700000 && m < 2300000, "mean %llu", (unsigned long long)m);
    cr_assert_gt(hi, 20000000, "a heavy tail: some samples are 10x the mean");
}

/* One message held for minutes would stall its first-in-first-out link for as
 * long: the tail stops at 1.5^12 (under 130) times (mean - minimum). */
Test(dist, pareto_tail_is_bounded_at_130_times_the_excess_mean)
{
    sim_dist d = mk(SIM_DIST_PARETO, 1000000, 2000000);
    rng r;
    rng_init(&r, 7, 1);
    uint64_t hi = 0;
    for (int i = 0; i < 4000000; i++) {
        uint64_t v = dist_sample(&d, &r);
        hi = v > hi ? v : hi;
    }
    cr_assert_leq(hi, 1000000 + 130 * 1000000ull, "max %llu", (unsigned long long)hi);
    cr_assert_gt(hi, 1000000 + 60 * 1000000ull, "the top level is reached: max %llu",
                 (unsigned long long)hi);
}
