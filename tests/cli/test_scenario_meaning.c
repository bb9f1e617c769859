/* test_scenario_meaning.c — what parsed scenarios mean: values, endpoints,
 * relative times, sugar in expectations, the chaos block, --set. */
#include <criterion/criterion.h>
#include <string.h>

#include "../../sim/scenario/scenario_int.h"
#include "scn_parse.h"

Test(scenario_meaning, percentages_become_exact_parts_per_million)
{
    scenario sc;
    parse_ok("drop 0.5%\nduplicate 0.0001%\nreorder 200ppm 5ms\n", &sc);
    cr_assert_eq(sc.cfg.net.drop_ppm, 5000);
    cr_assert_eq(sc.cfg.net.dup_ppm, 1);
    cr_assert_eq(sc.cfg.net.reorder_ppm, 200);
    cr_assert_eq(sc.cfg.net.reorder_ns, 5 * SIM_NS_PER_MS);
    scenario_free(&sc);
}

Test(scenario_meaning, durations_and_sizes_take_units_and_exact_decimals)
{
    scenario sc;
    parse_ok("heartbeat 1.5ms\nduration 2m\nmax-bytes 64KiB\nbandwidth 10MB/s\n", &sc);
    cr_assert_eq(sc.cfg.raft.heartbeat_ns, 1500000);
    cr_assert_eq(sc.cfg.duration_ns, 120 * SIM_NS_PER_S);
    cr_assert_eq(sc.cfg.raft.max_bytes_per_msg, 65536);
    cr_assert_eq(sc.cfg.net.bandwidth_Bps, 10000000);
    scenario_free(&sc);
}

Test(scenario_meaning, relative_at_times_count_from_the_previous_at)
{
    scenario sc;
    parse_ok("at 2s crash leader\nat +500ms restart all\nat +1s heal\n", &sc);
    cr_assert_eq(sc.n_actions, 3);
    cr_assert_eq(sc.actions[1].at_ns, 2500 * SIM_NS_PER_MS);
    cr_assert_eq(sc.actions[2].at_ns, 3500 * SIM_NS_PER_MS);
    cr_assert_eq(sc.actions[0].target.kind, SIM_TARGET_LEADER);
    cr_assert_eq(sc.actions[1].target.kind, SIM_TARGET_ALL);
    scenario_free(&sc);
}

Test(scenario_meaning, time_going_backwards_is_an_error_at_the_time_word)
{
    parse_fails("at 3s heal\nat +1s heal\nat 3.5s heal\n", "t.scn:3:4: error: expected a time");
}

Test(scenario_meaning, client_endpoints_follow_the_nodes_wherever_nodes_is_written)
{
    scenario sc;
    parse_ok("client c1 writer rate 5/s\nat 1s partition {n1 c1} {n2 n3 n4}\nnodes 4\n", &sc);
    cr_assert_eq(sc.cfg.n_nodes, 4);
    const sim_action *a = &sc.actions[0];
    cr_assert_eq(a->n_groups, 2);
    cr_assert_eq(a->groups[0].bits[0], (1u << 0) | (1u << 4), "n1 and c1 = endpoint 5");
    cr_assert_eq(a->groups[1].bits[0], (1u << 1) | (1u << 2) | (1u << 3));
    scenario_free(&sc);
}

Test(scenario_meaning, a_two_way_cut_is_two_one_way_cuts_in_order)
{
    scenario sc;
    parse_ok("at 1s cut n1 <-> n2\n", &sc);
    cr_assert_eq(sc.n_actions, 2);
    cr_assert_eq(sc.actions[0].target.ep, 1);
    cr_assert_eq(sc.actions[0].target2.ep, 2);
    cr_assert_eq(sc.actions[1].target.ep, 2);
    cr_assert_eq(sc.actions[1].target2.ep, 1);
    scenario_free(&sc);
}

Test(scenario_meaning, set_reorder_is_a_probability_then_a_delay_on_one_link)
{
    scenario sc;
    parse_ok("at 1s set reorder n1 -> n3 2% 7ms\n", &sc);
    cr_assert_eq(sc.n_actions, 2);
    cr_assert_eq(sc.actions[0].param, SIM_PARAM_REORDER);
    cr_assert_eq(sc.actions[0].value, 20000);
    cr_assert_eq(sc.actions[1].param, SIM_PARAM_REORDER_DELAY);
    cr_assert_eq(sc.actions[1].value, 7 * (int64_t)SIM_NS_PER_MS);
    cr_assert_eq(sc.actions[1].target2.ep, 3);
    scenario_free(&sc);
}

Test(scenario_meaning, clients_are_open_closed_or_readers_with_their_options)
{
    scenario sc;
    parse_ok("client c1 writer rate 1000/s payload 1KiB\n"
             "client c2 writer outstanding 4 timeout 200ms\n"
             "client c3 reader rate 10/s from 1s until 5s ops 7\n", &sc);
    cr_assert_eq(sc.cfg.n_clients, 3);
    cr_assert_eq(sc.cfg.clients[0].kind, SIM_CLIENT_OPEN);
    cr_assert_eq(sc.cfg.clients[0].payload_bytes, 1024);
    cr_assert_eq(sc.cfg.clients[1].kind, SIM_CLIENT_CLOSED);
    cr_assert_eq(sc.cfg.clients[1].outstanding, 4);
    cr_assert_eq(sc.cfg.clients[1].timeout_ns, 200 * SIM_NS_PER_MS);
    cr_assert_eq(sc.cfg.clients[2].kind, SIM_CLIENT_READER);
    cr_assert_eq(sc.cfg.clients[2].stop_ns, 5 * SIM_NS_PER_S);
    cr_assert_eq(sc.cfg.clients[2].max_ops, 7);
    scenario_free(&sc);
}

Test(scenario_meaning, expectation_sugar_expands_to_plain_comparisons)
{
    scenario sc;
    parse_ok("expect no leader-change between 1s 3s\n"
             "expect read-only n1 at 4s\n"
             "expect leader within 1s after 5s\n"
             "expect term n2 == term n3 at 3s\n"
             "expect applied on all >= 500\n"
             "expect latency-p99 < 50ms\n", &sc);
    const expectation *e = sc.expects;
    cr_assert_eq(e[0].lhs.metric, SIM_M_LEADER_CHANGES);
    cr_assert_eq(e[0].op, EXPECT_EQ);
    cr_assert_eq(e[0].value, 0);
    cr_assert_eq(e[0].when, EXPECT_BETWEEN);
    cr_assert_not(e[0].always, "a counter compares its change");
    cr_assert_eq(e[1].lhs.metric, SIM_M_READ_ONLY);
    cr_assert_eq(e[1].lhs.node, 1);
    cr_assert_eq(e[1].value, 1);
    cr_assert_eq(e[1].when, EXPECT_AT);
    cr_assert_eq(e[2].op, EXPECT_NE);
    cr_assert_eq(e[2].when, EXPECT_WITHIN);
    cr_assert_eq(e[2].t1_ns, 5 * SIM_NS_PER_S);
    cr_assert_eq(e[2].t2_ns, SIM_NS_PER_S);
    cr_assert(e[3].rhs_is_metric);
    cr_assert_eq(e[3].rhs.node, 3);
    cr_assert_eq(e[4].lhs.sel, SIM_SEL_ALL);
    cr_assert_eq(e[5].value, 50 * (int64_t)SIM_NS_PER_MS);
    scenario_free(&sc);
}

Test(scenario_meaning, a_gauge_over_a_window_must_hold_throughout)
{
    scenario sc;
    parse_ok("expect is-leader n1 == 1 between 1s 2s\nexpect messages AppendEntries <= 42 "
             "between 1s 2s\nexpect violation state-machine-safety\n", &sc);
    cr_assert(sc.expects[0].always);
    cr_assert_not(sc.expects[1].always);
    cr_assert_eq(sc.expects[1].lhs.arg, 3, "AppendEntries is message type 3");
    cr_assert_eq(sc.expects[2].kind, EXPECT_VIOLATION);
    cr_assert_eq(sc.expects[2].violation, SIM_V_STATE_MACHINE_SAFETY);
    scenario_free(&sc);
}

Test(scenario_meaning, the_chaos_block_sets_every_fault_kind)
{
    scenario sc;
    parse_ok("chaos {\n crash every 2s down 100ms..1s leader 25%\n partition every 3s for 1s..2s\n"
             " drop-burst every 4s 20% for 300ms\n drift every 5s max 500ppm\n"
             " transfer every 10s\n from 1s until 9s\n max-down 1\n}\n", &sc);
    cr_assert(sc.chaos.on);
    cr_assert_eq(sc.chaos.crash_every_ns, 2 * SIM_NS_PER_S);
    cr_assert_eq(sc.chaos.down_min_ns, 100 * SIM_NS_PER_MS);
    cr_assert_eq(sc.chaos.crash_leader_ppm, 250000);
    cr_assert_eq(sc.chaos.partition_min_ns, SIM_NS_PER_S);
    cr_assert_eq(sc.chaos.drop_burst_ppm, 200000);
    cr_assert_eq(sc.chaos.drift_max_ppm, 500);
    cr_assert_eq(sc.chaos.stop_ns, 9 * SIM_NS_PER_S);
    cr_assert_eq(sc.chaos.max_down, 1);
    scenario_free(&sc);
}

Test(scenario_meaning, set_overrides_a_setting_like_a_line_of_the_file)
{
    scenario sc;
    char err[512];
    parse_ok("nodes 3\nclient c1 writer rate 5/s\nat 1s isolate c1\n", &sc);
    cr_assert_eq(scenario_set(&sc, "drop=5%", err, sizeof err), 0, "%s", err);
    cr_assert_eq(sc.cfg.net.drop_ppm, 50000);
    cr_assert_eq(scenario_set(&sc, "election-timeout=100ms,200ms", err, sizeof err), 0, "%s", err);
    cr_assert_eq(sc.cfg.raft.election_timeout_max_ns, 200 * SIM_NS_PER_MS);
    cr_assert_eq(scenario_set(&sc, "nodes=5", err, sizeof err), 0, "%s", err);
    cr_assert_eq(sc.actions[0].target.ep, 6, "c1 moves from endpoint 4 to 6");
    scenario_free(&sc);
}

Test(scenario_meaning, set_rejects_bad_keys_values_and_vanishing_nodes)
{
    scenario sc;
    char err[512];
    parse_ok("nodes 5\nat 1s crash n5\n", &sc);
    cr_assert_eq(scenario_set(&sc, "colour=blue", err, sizeof err), 2);
    cr_assert(strncmp(err, "--set:1:1: error: expected", 26) == 0, "%s", err);
    cr_assert_eq(scenario_set(&sc, "drop=lots", err, sizeof err), 2);
    cr_assert(strncmp(err, "--set:1:6: error: expected a percentage", 38) == 0, "%s", err);
    cr_assert_eq(scenario_set(&sc, "nodes=3", err, sizeof err), 2, "n5 would vanish");
    cr_assert_eq(sc.cfg.n_nodes, 5, "a failed --set changes nothing");
    cr_assert_eq(scenario_set(&sc, "at=1s", err, sizeof err), 2, "only settings");
    scenario_free(&sc);
}

Test(scenario_meaning, heartbeat_idle_only_is_off_unless_switched_on)
{
    scenario sc;
    parse_ok("nodes 3\n", &sc);
    cr_assert_not(sc.cfg.raft.heartbeat_idle_only);
    scenario_free(&sc);
    parse_ok("heartbeat-idle-only on\n", &sc);
    cr_assert(sc.cfg.raft.heartbeat_idle_only);
    scenario_free(&sc);
    parse_fails("heartbeat-idle-only sometimes\n", "t.scn:1:21: error:");
}

Test(scenario_meaning, stepdown_timer_selects_whose_election_timer_rule)
{
    scenario sc;
    parse_ok("nodes 3\n", &sc);
    cr_assert_eq(sc.cfg.raft.stepdown_timer, RAFT_STEPDOWN_RESET_NOT_FOLLOWER);
    scenario_free(&sc);
    parse_ok("stepdown-timer logcabin\n", &sc);
    cr_assert_eq(sc.cfg.raft.stepdown_timer, RAFT_STEPDOWN_RESET_LEADER);
    scenario_free(&sc);
    parse_ok("stepdown-timer etcd\n", &sc);
    cr_assert_eq(sc.cfg.raft.stepdown_timer, RAFT_STEPDOWN_RESET_ALWAYS);
    scenario_free(&sc);
    parse_ok("stepdown-timer raftsim\n", &sc);
    cr_assert_eq(sc.cfg.raft.stepdown_timer, RAFT_STEPDOWN_RESET_NOT_FOLLOWER);
    scenario_free(&sc);
    parse_fails("stepdown-timer zookeeper\n", "t.scn:1:16: error:");
}

Test(scenario_meaning, set_rejects_a_heartbeat_not_below_the_minimum_election_timeout)
{
    scenario sc;
    char err[512];
    parse_ok("nodes 3\nheartbeat 40ms\n", &sc);
    cr_assert_eq(scenario_set(&sc, "heartbeat=150ms", err, sizeof err), 2);
    cr_assert_str_eq(err, "--set:1:11: error: expected a heartbeat interval below the minimum "
                          "election timeout, or followers time out between heartbeats");
    cr_assert_eq(sc.cfg.raft.heartbeat_ns, 40 * SIM_NS_PER_MS, "all or nothing");
    cr_assert_eq(scenario_set(&sc, "election-timeout=30ms,60ms", err, sizeof err), 2);
    cr_assert(strstr(err, "--set:1:18: error: expected a minimum election timeout above"), "%s",
              err);
    cr_assert_eq(scenario_set(&sc, "heartbeat=149ms", err, sizeof err), 0, "%s", err);
    scenario_free(&sc);
}
