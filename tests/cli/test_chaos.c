/* test_chaos.c — scenario_expand_chaos: deterministic in (chaos, cfg, seed),
 * one stream per fault kind, max-down respected, every fault paired. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "../../sim/scenario/scenario.h"
#include "scn_parse.h"

static size_t expand(const char *text, uint64_t seed, sim_action **out)
{
    scenario sc;
    size_t n;
    parse_ok(text, &sc);
    cr_assert_eq(scenario_expand_chaos(&sc, seed, out, &n), 0);
    scenario_free(&sc);
    return n;
}

static bool same_action(const sim_action *a, const sim_action *b)
{
    return a->at_ns == b->at_ns && a->kind == b->kind && a->target.kind == b->target.kind &&
           a->target.ep == b->target.ep && a->target2.ep == b->target2.ep &&
           a->value == b->value && a->dur_ns == b->dur_ns && a->n_groups == b->n_groups &&
           memcmp(a->groups, b->groups, sizeof a->groups) == 0;
}

#define CRASHES "nodes 5\nduration 30s\nchaos {\n crash every 1s down 200ms..2s\n"
#define PARTITIONS " partition every 2s for 500ms..1s\n"

Test(chaos, the_same_seed_draws_the_same_schedule_and_another_seed_another)
{
    sim_action *a, *b, *c;
    size_t na = expand(CRASHES PARTITIONS "}\n", 9, &a);
    size_t nb = expand(CRASHES PARTITIONS "}\n", 9, &b);
    size_t nc = expand(CRASHES PARTITIONS "}\n", 10, &c);
    cr_assert_gt(na, 20);
    cr_assert_eq(na, nb);
    for (size_t i = 0; i < na; i++)
        cr_assert(same_action(&a[i], &b[i]), "action %zu differs", i);
    bool differs = na != nc;
    for (size_t i = 0; !differs && i < na; i++)
        differs = !same_action(&a[i], &c[i]);
    cr_assert(differs, "seed 10 draws another schedule");
    free(a);
    free(b);
    free(c);
}

Test(chaos, turning_on_another_fault_kind_does_not_move_the_crashes)
{
    sim_action *alone, *mixed;
    size_t n1 = expand(CRASHES "}\n", 4, &alone);
    size_t n2 = expand(CRASHES PARTITIONS " drift every 1s max 100ppm\n}\n", 4, &mixed);
    size_t k = 0;
    for (size_t i = 0; i < n2; i++) {
        if (mixed[i].kind != SIM_ACT_CRASH && mixed[i].kind != SIM_ACT_RESTART)
            continue;
        cr_assert_lt(k, n1);
        cr_assert(same_action(&alone[k], &mixed[i]), "crash schedule moved at %zu", k);
        k++;
    }
    cr_assert_eq(k, n1, "the same crashes, no more, no fewer");
    free(alone);
    free(mixed);
}

/* Replay the schedule and count nodes down at every step. */
Test(chaos, crashes_never_take_down_more_than_max_down_and_always_restart)
{
    sim_action *a;
    size_t n = expand("nodes 5\nduration 60s\nchaos {\n crash every 100ms down 1s..2s\n"
                      " max-down 2\n}\n", 3, &a);
    bool down[6] = { false };
    int n_down = 0, crashes = 0, restarts = 0, peak = 0;
    for (size_t i = 0; i < n; i++) {
        sim_ep ep = a[i].target.ep;
        cr_assert_eq(a[i].target.kind, SIM_TARGET_EP);
        cr_assert(a[i].from_chaos);
        if (a[i].kind == SIM_ACT_CRASH) {
            cr_assert_not(down[ep], "n%u crashed while down", ep);
            down[ep] = true;
            crashes++;
            n_down++;
        } else {
            cr_assert_eq(a[i].kind, SIM_ACT_RESTART);
            cr_assert(down[ep], "n%u restarted while up", ep);
            down[ep] = false;
            restarts++;
            n_down--;
        }
        cr_assert_leq(n_down, 2);
        peak = n_down > peak ? n_down : peak;
        if (i > 0)
            cr_assert_geq(a[i].at_ns, a[i - 1].at_ns, "sorted by time");
    }
    cr_assert_eq(peak, 2, "the limit is reached, so it is what holds crashes back");
    cr_assert_eq(crashes, restarts);
    cr_assert_eq(n_down, 0, "every crash restarted before the end");
    free(a);
}

Test(chaos, every_partition_heals_and_every_cut_is_undone_before_the_run_ends)
{
    sim_action *a;
    size_t n = expand("nodes 5\nclient c1 writer rate 5/s\nduration 20s\nchaos {\n" PARTITIONS
                      " cut every 1s for 100ms..300ms\n drop-burst every 2s 30% for 100ms\n"
                      "}\ndrop 1%\n", 8, &a);
    int parts = 0, heals = 0, cuts = 0, uncuts = 0, bursts = 0, restores = 0;
    for (size_t i = 0; i < n; i++) {
        cr_assert_leq(a[i].at_ns, 20 * SIM_NS_PER_S);
        switch (a[i].kind) {
        case SIM_ACT_PARTITION:
            parts++;
            cr_assert_eq(a[i].n_groups, 2);
            cr_assert_eq(a[i].groups[0].bits[0] & a[i].groups[1].bits[0], 0);
            cr_assert_eq(a[i].groups[0].bits[0] | a[i].groups[1].bits[0], 0x3f,
                         "5 nodes and the client, each on one side");
            break;
        case SIM_ACT_HEAL: heals++; break;
        case SIM_ACT_CUT: cuts++; break;
        case SIM_ACT_UNCUT: uncuts++; break;
        case SIM_ACT_SET:
            if (a[i].value == 300000)
                bursts++;
            else if (a[i].value == 10000)
                restores++;
            break;
        default: cr_assert_fail("unexpected action kind %d", a[i].kind);
        }
    }
    cr_assert_gt(parts, 3);
    cr_assert_eq(parts, heals);
    cr_assert_gt(cuts, 5);
    cr_assert_eq(cuts, uncuts);
    cr_assert_gt(bursts, 3);
    cr_assert_eq(bursts, restores, "the scenario's 1%% drop rate comes back");
    free(a);
}

Test(chaos, no_faults_are_drawn_outside_the_window_or_after_the_liveness_heal)
{
    sim_action *a;
    size_t n = expand(CRASHES " from 5s until 20s\n}\nliveness heal-at 15s within 5s\n", 2, &a);
    cr_assert_gt(n, 0);
    for (size_t i = 0; i < n; i++) {
        cr_assert_geq(a[i].at_ns, 5 * SIM_NS_PER_S);
        cr_assert_leq(a[i].at_ns, 15 * SIM_NS_PER_S);
    }
    free(a);
}
