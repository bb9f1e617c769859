/* test_runner.c — run_scenario's verdicts (expectations that must fail fail,
 * ones that must hold hold, `expect violation` semantics, windows, `always`,
 * `within`), and the chaos expansion (deterministic, per-kind independent,
 * max-down respected, every fault paired with its end). */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "../../sim/scenario/runner.h"
#include "scn_parse.h"

static run_result run_text(const char *text, uint64_t seed)
{
    scenario sc;
    run_result res;
    char err[512];
    parse_ok(text, &sc);
    cr_assert_eq(run_scenario(&sc, seed, NULL, &res, err, sizeof err), 0, "%s", err);
    scenario_free(&sc);
    return res;
}

#define CLUSTER "nodes 3\nclient c1 writer rate 100/s payload 16\nduration 3s\n"

Test(runner, expectations_that_hold_make_the_run_pass)
{
    run_result r = run_text(CLUSTER "expect leader within 1s\nexpect acked >= 100\n"
                                    "expect elections == 0 between 1s 3s\n", 1);
    cr_assert(r.passed, "%s", r.reason);
    cr_assert_eq(r.failed_expect, -1);
    cr_assert_eq(r.violation, SIM_V_NONE);
    cr_assert_gt(r.events, 0);
    run_result_free(&r);
}

Test(runner, an_impossible_expectation_fails_and_names_its_line)
{
    run_result r = run_text(CLUSTER "expect leader within 1s\nexpect acked >= 1000000\n", 1);
    cr_assert_not(r.passed);
    cr_assert_eq(r.failed_expect, 1);
    cr_assert(strstr(r.reason, "line 5"), "%s", r.reason);
    run_result_free(&r);
}

Test(runner, a_counter_over_a_window_is_compared_by_its_change)
{
    /* The first election happens before 1 s: zero elections in [1s, 3s],
     * but not zero over the whole run. */
    run_result r = run_text(CLUSTER "expect elections == 0 between 1s 3s\n", 2);
    cr_assert(r.passed, "%s", r.reason);
    run_result_free(&r);
    r = run_text(CLUSTER "expect elections == 0\n", 2);
    cr_assert_not(r.passed);
    run_result_free(&r);
}

Test(runner, always_fails_as_soon_as_the_gauge_breaks_inside_the_window)
{
    run_result r = run_text(CLUSTER "at 1500ms crash n1\nexpect always up n1 == 1 between 1s 2s\n",
                            3);
    cr_assert_not(r.passed, "n1 is down from 1.5 s");
    run_result_free(&r);
    r = run_text(CLUSTER "at 1500ms crash n1\nexpect always up n2 == 1 between 1s 2s\n"
                         "expect always up n1 == 1 between 1s 1499ms\n", 3);
    cr_assert(r.passed, "%s", r.reason);
    run_result_free(&r);
}

Test(runner, at_samples_the_state_at_that_virtual_time)
{
    run_result r = run_text(CLUSTER "at 1500ms crash n1\nexpect up n1 == 1 at 1499ms\n"
                                    "expect up n1 == 0 at 1500ms\nexpect up n1 == 0\n", 4);
    cr_assert(r.passed, "%s", r.reason);
    run_result_free(&r);
}

Test(runner, within_needs_the_condition_before_its_deadline)
{
    run_result r = run_text(CLUSTER "expect committed >= 20 within 100ms\n", 5);
    cr_assert_not(r.passed, "no election finishes within 100 ms (timeouts >= 150 ms)");
    run_result_free(&r);
    r = run_text(CLUSTER "expect committed >= 20 within 2s\n", 5);
    cr_assert(r.passed, "%s", r.reason);
    run_result_free(&r);
}

Test(runner, within_after_a_crash_starts_from_the_state_after_the_crash)
{
    run_result r = run_text(CLUSTER "at 1s crash leader\nexpect leader within 1ms after 1s\n", 6);
    cr_assert_not(r.passed, "no new leader 1 ms after the leader crashed");
    run_result_free(&r);
    r = run_text(CLUSTER "at 1s crash leader\nexpect leader within 1s after 1s\n", 6);
    cr_assert(r.passed, "%s", r.reason);
    run_result_free(&r);
}

#define NAIVE "nodes 3\nprotocol naive\ndrop 2%\nclient c1 writer rate 200/s\nduration 3s\n"

Test(runner, an_expected_violation_makes_the_run_pass_only_when_found)
{
    run_result r = run_text(NAIVE "expect violation log-matching\nexpect acked >= 1000000\n", 1);
    cr_assert(r.passed, "%s", r.reason);
    cr_assert(r.violation_expected);
    cr_assert_eq(r.violation, SIM_V_LOG_MATCHING);
    run_result_free(&r);
    r = run_text(CLUSTER "expect violation state-machine-safety\n", 1);
    cr_assert_not(r.passed, "Raft keeps its logs safe: nothing found");
    cr_assert_eq(r.failed_expect, 0);
    run_result_free(&r);
}

Test(runner, an_unexpected_violation_fails_the_run)
{
    run_result r = run_text(NAIVE, 1);
    cr_assert_not(r.passed);
    cr_assert_neq(r.violation, SIM_V_NONE);
    cr_assert_not(r.violation_expected);
    cr_assert(strncmp(r.reason, "violation", 9) == 0, "%s", r.reason);
    run_result_free(&r);
}

Test(runner, replaying_the_executed_actions_gives_the_same_trace_hash)
{
    scenario sc, again;
    run_result r1, r2;
    char err[512], *text = NULL;
    size_t len;
    cr_assert_eq(scenario_load("scenarios/chaos.scn", &sc, err, sizeof err), 0, "%s", err);
    cr_assert_eq(run_scenario(&sc, 11, NULL, &r1, err, sizeof err), 0, "%s", err);
    FILE *f = open_memstream(&text, &len);
    cr_assert_eq(scenario_write(f, &sc, r1.executed, r1.n_executed, 11, "replay"), 0);
    fclose(f);
    cr_assert_eq(scenario_parse("replay", text, len, &again, err, sizeof err), 0, "%s", err);
    cr_assert_eq(run_scenario(&again, again.seed, NULL, &r2, err, sizeof err), 0, "%s", err);
    cr_assert_gt(r1.n_executed, 0);
    cr_assert_eq(r2.trace_hash, r1.trace_hash);
    cr_assert_eq(r2.events, r1.events);
    run_result_free(&r1);
    run_result_free(&r2);
    scenario_free(&sc);
    scenario_free(&again);
    free(text);
}

Test(runner, until_event_stops_just_before_that_event_and_dumps_every_node)
{
    scenario sc;
    run_result r;
    char err[512], *dump = NULL;
    size_t len;
    parse_ok(CLUSTER, &sc);
    FILE *out = open_memstream(&dump, &len);
    run_options opt = { .summary = out, .until_event = 200 };
    cr_assert_eq(run_scenario(&sc, 1, &opt, &r, err, sizeof err), 0, "%s", err);
    fclose(out);
    cr_assert_eq(r.events, 199);
    cr_assert(r.cut_short && !r.passed, "a run cut short decides nothing: it never passes");
    cr_assert(strstr(dump, "stopped before event 200"), "%s", dump);
    cr_assert_gt(len, 100, "the node dumps follow");
    run_result_free(&r);
    scenario_free(&sc);
    free(dump);
}

static run_result run_until(const char *text, uint64_t until)
{
    scenario sc;
    run_result res;
    char err[512];
    parse_ok(text, &sc);
    run_options opt = { .verbosity = -1, .until_event = until };
    cr_assert_eq(run_scenario(&sc, 1, &opt, &res, err, sizeof err), 0, "%s", err);
    scenario_free(&sc);
    return res;
}

/* A liveness phase runs past the 1 s duration: heal at 1 s, then up to 2 s
 * to converge, with heartbeats (events) all the while. */
#define LIVE_PAST_DURATION CLUSTER_1S "liveness heal-at 1s within 2s\n"
#define CLUSTER_1S "nodes 3\nclient c1 writer rate 100/s payload 16\nduration 1s\n"

Test(runner, until_stops_at_its_event_past_the_duration_in_the_liveness_phase)
{
    run_result full = run_text(LIVE_PAST_DURATION, 1);
    cr_assert(full.passed, "%s", full.reason);
    cr_assert_gt(full.end_ns, SIM_NS_PER_S, "the liveness phase runs past the duration");
    run_result r = run_until(LIVE_PAST_DURATION, full.events - 10);
    cr_assert_eq(r.events, full.events - 11, "stopped just before event %llu, not at the "
                 "duration: %llu events at %llu ns", (unsigned long long)(full.events - 10),
                 (unsigned long long)r.events, (unsigned long long)r.end_ns);
    cr_assert_gt(r.end_ns, SIM_NS_PER_S, "past the duration");
    cr_assert(r.cut_short && !r.passed, "a run cut short never passes");
    run_result_free(&r);
    run_result_free(&full);
}

Test(runner, until_beyond_the_last_event_is_the_whole_run_with_its_own_verdict)
{
    run_result full = run_text(LIVE_PAST_DURATION, 1);
    run_result r = run_until(LIVE_PAST_DURATION, full.events + 100);
    cr_assert_eq(r.events, full.events);
    cr_assert_eq(r.trace_hash, full.trace_hash, "the same run");
    cr_assert(!r.cut_short && r.passed, "nothing was cut: the run's own verdict, %s", r.reason);
    run_result_free(&r);
    run_result_free(&full);
}

/* One write at a time over slow links: the leader sends an AppendEntries per
 * write, so with heartbeat-idle-only most periodic heartbeats are skipped;
 * nobody times out either way and every write still commits. */
#define ONE_AT_A_TIME "nodes 3\nlatency const 15ms\nfsync const 10ms\n" \
                      "client c1 writer outstanding 1 payload 8\nduration 5s\n" \
                      "expect acked >= 60\nexpect elections == 0 between 1s 5s\n"

Test(runner, heartbeats_to_idle_followers_only_send_fewer_messages_and_keep_the_leader)
{
    run_result every = run_text(ONE_AT_A_TIME, 1);
    run_result idle = run_text(ONE_AT_A_TIME "heartbeat-idle-only on\n", 1);
    cr_assert(every.passed, "%s", every.reason);
    cr_assert(idle.passed, "%s", idle.reason);
    cr_assert_lt(idle.events * 10, every.events * 9, "%llu events vs %llu",
                 (unsigned long long)idle.events, (unsigned long long)every.events);
    run_result_free(&every);
    run_result_free(&idle);
}
