/* Whole runs: elections and commits, determinism, crash and restart,
 * liveness, the trace, and the internal consistency of acknowledged writes. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "../../sim/world/node.h"
#include "sim_fixture.h"

/* 0.5-1.5 ms links, 64-byte writes. */
static sim_config base(uint32_t nodes, uint64_t secs)
{
    return fixture_cluster(nodes, secs, 64, 500000, 1500000);
}

static int64_t metric(sim *s, enum sim_metric m, enum sim_node_sel sel)
{
    sim_metric_ref r = {.metric = m, .sel = sel};
    int64_t v = -1;
    cr_assert(sim_metric(s, &r, &v));
    return v;
}

static void elects_and_commits(uint32_t nodes)
{
    sim_config cfg = base(nodes, 3);
    sim *s = fixture_sim(&cfg, 11);
    cr_assert(sim_run(s), "%s", s->v.detail);
    cr_assert_neq(metric(s, SIM_M_LEADER, SIM_SEL_ALL), 0, "a leader is in office");
    cr_assert_gt(metric(s, SIM_M_ACKED, SIM_SEL_ALL), 400, "writes are acknowledged");
    cr_assert_geq(metric(s, SIM_M_COMMITTED, SIM_SEL_ALL), metric(s, SIM_M_ACKED, SIM_SEL_ALL));
    cr_assert_eq(metric(s, SIM_M_VIOLATIONS, SIM_SEL_ALL), 0);
    sim_free(s);
}

Test(sim, a_fault_free_3_node_run_elects_a_leader_and_commits_writes) { elects_and_commits(3); }
Test(sim, a_fault_free_5_node_run_elects_a_leader_and_commits_writes) { elects_and_commits(5); }

Test(sim, every_acknowledged_write_is_in_the_committed_truth_at_its_index)
{
    sim_config cfg = base(3, 2);
    cfg.net.drop_ppm = 20000;
    sim *s = fixture_sim(&cfg, 3);
    cr_assert(sim_run(s));
    size_t checked = 0;
    for (size_t i = 0; i < s->hist.n; i++) {
        const hist_op *o = &s->hist.ops[i];
        if (o->kind != HIST_APPEND || o->outcome != HIST_OK)
            continue;
        cr_assert(o->index >= 1 && o->index <= s->chk.committed);
        cr_assert_eq(hist_stored_at(&s->hist, o->session, o->seq), o->index);
        checked++;
    }
    cr_assert_gt(checked, 200);
    sim_free(s);
}

static uint64_t hash_of(uint64_t seed)
{
    sim_config cfg = base(3, 1);
    cfg.net.drop_ppm = 10000;
    sim *s = fixture_sim(&cfg, seed);
    sim_run(s);
    uint64_t h = sim_trace_hash(s);
    sim_free(s);
    return h;
}

Test(sim, the_same_seed_gives_the_same_trace_hash_and_different_seeds_differ)
{
    cr_assert_eq(hash_of(5), hash_of(5));
    cr_assert_neq(hash_of(5), hash_of(6));
}

Test(sim, tracing_to_a_file_does_not_change_the_trace_hash)
{
    sim_config cfg = base(3, 1);
    sim *a = fixture_sim(&cfg, 8), *b = fixture_sim(&cfg, 8);
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    sim_set_trace(b, f);
    sim_run(a);
    sim_run(b);
    fclose(f);
    cr_assert_eq(sim_trace_hash(a), sim_trace_hash(b));
    cr_assert(len > 0 && strncmp(text, "{\"t\":", 5) == 0, "JSON Lines");
    cr_assert_not_null(strstr(text, "\"ev\":\"deliver\""));
    free(text);
    sim_free(a);
    sim_free(b);
}

static sim_action act(uint64_t at_ms, enum sim_action_kind kind, enum sim_target_kind tk,
                      sim_ep ep)
{
    sim_action a = {.at_ns = at_ms * SIM_NS_PER_MS, .kind = kind};
    a.target = (sim_target){.kind = tk, .ep = ep};
    return a;
}

Test(sim, a_crashed_leader_is_replaced_and_recovers_and_catches_up_after_restart)
{
    sim_config cfg = base(3, 4);
    sim *s = fixture_sim(&cfg, 21);
    sim_run_until(s, 1000 * SIM_NS_PER_MS);
    raft_id old = s->leader;
    cr_assert_neq(old, 0);
    sim_action crash = act(1000, SIM_ACT_CRASH, SIM_TARGET_LEADER, 0);
    sim_action restart = act(2000, SIM_ACT_RESTART, SIM_TARGET_EP, old);
    cr_assert_eq(sim_add_action(s, &crash), 0);
    cr_assert_eq(sim_add_action(s, &restart), 0);
    sim_run_until(s, 1900 * SIM_NS_PER_MS);
    cr_assert(s->leader != 0 && s->leader != old, "a new leader while %u is down", old);
    sim_metric_ref up = {.metric = SIM_M_UP, .sel = SIM_SEL_NODE, .node = old};
    int64_t v;
    sim_metric(s, &up, &v);
    cr_assert_eq(v, 0);
    cr_assert(sim_run(s), "%s", s->v.detail);
    size_t n;
    const sim_action *done = sim_executed_actions(s, &n);
    cr_assert_eq(n, 2);
    cr_assert_eq(done[0].target.kind, SIM_TARGET_EP);
    cr_assert_eq(done[0].target.ep, old, "LEADER resolved to the concrete node");
    uint64_t lead_applied = s->chk.nodes[s->leader].applied;
    cr_assert_gt(s->chk.nodes[old].applied + 50, lead_applied, "the restarted node caught up");
    cr_assert_gt(s->chk.nodes[old].applied, 500);
    sim_free(s);
}

Test(sim, liveness_mode_converges_after_healing_a_partition_and_a_crash)
{
    sim_config cfg = base(5, 3);
    cfg.liveness = true;
    cfg.heal_at_ns = 2 * SIM_NS_PER_S;
    cfg.converge_within_ns = 5 * SIM_NS_PER_S;
    sim *s = fixture_sim(&cfg, 4);
    sim_action p = act(500, SIM_ACT_PARTITION, SIM_TARGET_NONE, 0);
    p.n_groups = 2;
    for (sim_ep e = 1; e <= 5; e++)
        epset_add(&p.groups[e <= 2 ? 0 : 1], e);
    sim_action c = act(700, SIM_ACT_CRASH, SIM_TARGET_EP, 3);
    c.from_chaos = true;
    sim_add_action(s, &p);
    sim_add_action(s, &c);
    cr_assert(sim_run(s), "%s", s->v.detail);
    cr_assert(s->live_ok);
    cr_assert_eq(metric(s, SIM_M_UP, SIM_SEL_SUM), 5, "the crashed node was restarted");
    sim_free(s);
}

Test(sim, liveness_failure_without_a_connected_quorum_names_the_reason)
{
    sim_config cfg = base(5, 2);
    cfg.liveness = true;
    cfg.heal_at_ns = 1 * SIM_NS_PER_S;
    cfg.converge_within_ns = 1 * SIM_NS_PER_S;
    sim *s = fixture_sim(&cfg, 4);
    for (sim_ep e = 1; e <= 3; e++) { /* scripted (not chaos): survives the heal */
        sim_action iso = act(1000, SIM_ACT_ISOLATE, SIM_TARGET_EP, e);
        sim_add_action(s, &iso);
    }
    cr_assert(!sim_run(s));
    cr_assert_eq(s->v.kind, SIM_V_LIVENESS);
    cr_assert_not_null(strstr(s->v.detail, "no connected quorum"), "%s", s->v.detail);
    sim_free(s);
}

Test(sim, a_violation_report_names_the_invariant_and_shows_recent_trace_events)
{
    sim_config cfg = base(3, 1);
    sim *s = fixture_sim(&cfg, 2);
    sim_run_until(s, 500 * SIM_NS_PER_MS);
    sim_fail(s, SIM_V_DIGEST_MISMATCH, 2, 7, "fabricated for the report test");
    sim_step(s);
    cr_assert_not_null(sim_violation_get(s));
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    sim_print_violation(s, f);
    fclose(f);
    cr_assert_not_null(strstr(text, "digest-mismatch"));
    int lines = 0;
    for (char *p = text; (p = strstr(p, "{\"t\":")); p++)
        lines++;
    cr_assert_eq(lines, 20);
    free(text);
    sim_free(s);
}

Test(sim, a_closed_loop_writer_keeps_k_operations_outstanding_and_a_reader_reads)
{
    sim_config cfg = base(3, 2);
    cfg.n_clients = 2;
    cfg.clients[0] = (sim_client_config){.kind = SIM_CLIENT_CLOSED, .outstanding = 4,
                                         .payload_bytes = 16};
    cfg.clients[1] = (sim_client_config){.kind = SIM_CLIENT_READER, .rate_per_s = 50};
    sim *s = fixture_sim(&cfg, 9);
    cr_assert(sim_run(s), "%s", s->v.detail);
    cr_assert_leq(s->clients[0].busy, 4);
    cr_assert_gt(metric(s, SIM_M_ACKED, SIM_SEL_ALL), 100);
    cr_assert_gt(metric(s, SIM_M_READS, SIM_SEL_ALL), 50);
    sim_free(s);
}

Test(sim, the_metrics_csv_has_its_header_and_latency_rows)
{
    sim_config cfg = base(3, 1);
    sim *s = fixture_sim(&cfg, 2);
    sim_run(s);
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    cr_assert_eq(sim_write_metrics_csv(s, f), 0);
    fclose(f);
    cr_assert(strncmp(text, "section,name,node,x,value\n", 26) == 0);
    cr_assert_not_null(strstr(text, "latency,ack,,p99,"));
    cr_assert_not_null(strstr(text, "messages,AppendEntries,all,sent,"));
    free(text);
    sim_free(s);
}

Test(sim, a_paused_node_processes_nothing_until_it_resumes_then_catches_up)
{
    sim_config cfg = base(3, 3);
    sim *s = fixture_sim(&cfg, 12);
    sim_run_until(s, 1000 * SIM_NS_PER_MS);
    raft_id f = s->leader % 3 + 1; /* a follower */
    sim_action p = act(1000, SIM_ACT_PAUSE, SIM_TARGET_EP, f);
    p.dur_ns = 800 * SIM_NS_PER_MS;
    sim_add_action(s, &p);
    sim_run_until(s, 1001 * SIM_NS_PER_MS);
    uint64_t frozen = s->chk.nodes[f].applied;
    sim_run_until(s, 1700 * SIM_NS_PER_MS);
    cr_assert_eq(s->chk.nodes[f].applied, frozen, "nothing applied while paused");
    cr_assert_gt(s->nodes[f].held_n, 0, "deliveries wait for the resume");
    cr_assert(sim_run(s), "%s", s->v.detail);
    cr_assert_gt(s->chk.nodes[f].applied, frozen + 100, "caught up after the resume");
    sim_free(s);
}

Test(sim, the_naive_baseline_runs_under_the_same_network_disks_and_clients)
{
    sim_config cfg = base(3, 1);
    cfg.protocol = SIM_PROTO_NAIVE;
    sim *s = fixture_sim(&cfg, 1);
    sim_run(s);
    cr_assert_gt(metric(s, SIM_M_ACKED, SIM_SEL_ALL), 100);
    sim_free(s);
}

Test(sim, drift_makes_a_node_clock_run_fast_by_its_ppm)
{
    sim_config cfg = base(3, 1);
    cfg.n_clients = 0;
    sim *s = fixture_sim(&cfg, 1);
    sim_action d = act(0, SIM_ACT_DRIFT, SIM_TARGET_EP, 2);
    d.value = 100000; /* +10% */
    sim_add_action(s, &d);
    sim_run_until(s, 1000 * SIM_NS_PER_MS);
    uint64_t l1 = node_local_now(s, &s->nodes[1]), l2 = node_local_now(s, &s->nodes[2]);
    cr_assert_eq(l1, 1000 * SIM_NS_PER_MS);
    cr_assert_eq(l2, 1100 * SIM_NS_PER_MS);
    sim_free(s);
}

Test(sim, a_follower_target_resolves_to_a_live_non_leader_and_is_recorded_concretely)
{
    sim_config cfg = base(5, 2);
    sim *s = fixture_sim(&cfg, 6);
    sim_run_until(s, 1000 * SIM_NS_PER_MS);
    raft_id leader = s->leader;
    cr_assert_neq(leader, 0);
    sim_action c = act(1000, SIM_ACT_CRASH, SIM_TARGET_FOLLOWER, 0);
    cr_assert_eq(sim_add_action(s, &c), 0);
    sim_run_until(s, 1000 * SIM_NS_PER_MS);
    size_t n;
    const sim_action *done = sim_executed_actions(s, &n);
    cr_assert_eq(n, 1);
    cr_assert_eq(done[0].target.kind, SIM_TARGET_EP);
    cr_assert_neq(done[0].target.ep, leader);
    cr_assert(!s->nodes[done[0].target.ep].up);
    sim_free(s);
}

Test(sim, an_action_aimed_at_the_leader_is_skipped_when_there_is_none)
{
    sim_config cfg = base(3, 1);
    sim *s = fixture_sim(&cfg, 6);
    sim_action c = act(0, SIM_ACT_CRASH, SIM_TARGET_LEADER, 0); /* before any election */
    cr_assert_eq(sim_add_action(s, &c), 0);
    sim_run_until(s, 1);
    size_t n;
    const sim_action *done = sim_executed_actions(s, &n);
    cr_assert_eq(n, 1, "recorded as skipped, so a replay takes the same event");
    cr_assert_eq(done[0].kind, SIM_ACT_SKIPPED);
    cr_assert_eq(metric(s, SIM_M_UP, SIM_SEL_SUM), 3);
    sim_free(s);
}

Test(sim, messages_in_flight_to_a_crashed_node_never_reach_its_next_incarnation)
{
    sim_config cfg = base(3, 2);
    cfg.net.latency = (sim_dist){.kind = SIM_DIST_CONST, .a_ns = 2 * SIM_NS_PER_MS};
    cfg.clients[0].rate_per_s = 2000; /* plenty of AppendEntries in flight */
    sim *s = fixture_sim(&cfg, 5);
    sim_run_until(s, 1000 * SIM_NS_PER_MS);
    raft_id f = s->leader % 3 + 1;
    sim_action crash = act(1000, SIM_ACT_CRASH, SIM_TARGET_EP, f);
    sim_action restart = crash;
    restart.kind = SIM_ACT_RESTART;
    restart.at_ns += SIM_NS_PER_MS / 2; /* back before the in-flight messages land */
    sim_add_action(s, &crash);
    sim_add_action(s, &restart);
    char *text = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&text, &len);
    sim_set_trace(s, out);
    sim_run_until(s, 1010 * SIM_NS_PER_MS);
    fclose(out);
    char want[32];
    snprintf(want, sizeof want, "\"to\":%u,", f);
    int stale = 0;
    for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n"))
        stale += strstr(line, "\"ev\":\"drop\"") && strstr(line, want) &&
                 strstr(line, "\"reason\":\"stale\"");
    cr_assert_gt(stale, 0, "deliveries sent before the crash were dropped as stale");
    free(text);
    sim_set_trace(s, NULL);
    cr_assert(sim_run(s), "%s", s->v.detail);
    sim_free(s);
}

Test(sim, times_for_people_carry_their_unit_and_drop_trailing_zeros)
{
    static const struct { uint64_t ns; const char *want; } cases[] = {
        { 0, "0 ms" },
        { 999, "999 ns" },
        { 250000, "0.25 ms" },
        { 50514000, "50.514 ms" },
        { 980000000, "980 ms" },
        { 1000000000, "1.000 s" },
        { 3786678001, "3.786678 s" },
        { 4991920000, "4.99192 s" },
        { 17531000000, "17.531 s" },
        { UINT64_MAX, "18446744073.709551 s" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char buf[48];
        sim_format_time(cases[i].ns, buf, sizeof buf);
        cr_assert_str_eq(buf, cases[i].want, "%llu ns", (unsigned long long)cases[i].ns);
    }
}

/* Every node cut off from the start, so every election it starts times out
 * undecided: elections and terms of each node after a 2 s run. */
static sim *lonely_candidates(bool prevote)
{
    sim_config cfg = base(3, 2);
    cfg.raft.prevote = prevote;
    cfg.n_clients = 0;
    sim *s = fixture_sim(&cfg, 3);
    for (sim_ep ep = 1; ep <= 3; ep++) {
        sim_action iso = act(0, SIM_ACT_ISOLATE, SIM_TARGET_EP, ep);
        cr_assert_eq(sim_add_action(s, &iso), 0);
    }
    sim_run(s);
    return s;
}

static int64_t node_elections(sim *s, raft_id id)
{
    sim_metric_ref r = {.metric = SIM_M_NODE_ELECTIONS, .sel = SIM_SEL_NODE, .node = id};
    int64_t v = -1;
    cr_assert(sim_metric(s, &r, &v));
    return v;
}

/* Paper Figure 2, candidates: an election timeout with no winner starts a new
 * election (term + 1) — a candidate campaigning again, no role change. Each
 * term a node campaigns in is one election: alone, every term is one. */
Test(sim, every_term_a_candidate_campaigns_in_counts_as_an_election)
{
    sim *s = lonely_candidates(false);
    int64_t sum = 0;
    for (raft_id id = 1; id <= 3; id++) {
        int64_t term = (int64_t)s->nodes[id].term;
        cr_assert_gt(term, 3, "n%u campaigned again and again", id);
        cr_assert_eq(node_elections(s, id), term, "n%u: one election per term", id);
        sum += term;
    }
    cr_assert_eq(metric(s, SIM_M_ELECTIONS, SIM_SEL_ALL), sum);
    sim_free(s);
}

/* Thesis §9.6: a pre-vote round that finds no majority starts no election
 * (no term is begun), so it does not count. */
Test(sim, prevote_rounds_that_win_no_majority_are_not_elections)
{
    sim *s = lonely_candidates(true);
    for (raft_id id = 1; id <= 3; id++) {
        cr_assert_eq(s->nodes[id].term, 0);
        cr_assert_eq(node_elections(s, id), 0);
    }
    cr_assert_eq(metric(s, SIM_M_ELECTIONS, SIM_SEL_ALL), 0);
    sim_free(s);
}
