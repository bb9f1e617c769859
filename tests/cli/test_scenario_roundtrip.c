/* test_scenario_roundtrip.c — scenario_write produces a self-contained file
 * that parses back into an equivalent plan, for every library scenario
 * (chaos expanded into `at ... chaos` actions), and writing is a fixed point. */
#include <criterion/criterion.h>
#include <dirent.h>
#include <stdlib.h>
#include <string.h>

#include "../../sim/scenario/runner.h"
#include "../../sim/scenario/scenario_int.h"

#define EQ(field) cr_expect_eq(a->field, b->field, "%s: %s differs", what, #field)

static void dist_equal(const sim_dist *a, const sim_dist *b, const char *what)
{
    EQ(kind);
    EQ(a_ns);
    EQ(b_ns);
}

static void raft_equal(const raft_config *a, const raft_config *b, const char *what)
{
    EQ(n_nodes); EQ(election_timeout_min_ns); EQ(election_timeout_max_ns); EQ(heartbeat_ns);
    EQ(heartbeat_idle_only); EQ(prevote); EQ(check_quorum); EQ(stepdown_timer);
    EQ(max_entries_per_msg);
    EQ(max_bytes_per_msg);
    EQ(pipeline_window); EQ(max_inflight_bytes); EQ(retransmit_max_ns); EQ(snapshot_threshold); EQ(snapshot_trailing);
    EQ(snapshot_chunk_bytes); EQ(max_entry_bytes); EQ(bugs);
}

static void config_equal(const sim_config *a, const sim_config *b, const char *what)
{
    EQ(n_nodes); EQ(protocol); EQ(n_clients); EQ(logbuf_max_records); EQ(logbuf_max_bytes);
    EQ(duration_ns); EQ(max_events); EQ(liveness); EQ(heal_at_ns); EQ(converge_within_ns);
    EQ(connected_liveness); EQ(connected_within_ns);
    EQ(net.drop_ppm); EQ(net.dup_ppm); EQ(net.reorder_ppm); EQ(net.reorder_ns);
    EQ(net.bandwidth_Bps); EQ(disk.torn_writes);
    dist_equal(&a->net.latency, &b->net.latency, what);
    EQ(net.reorder_free); EQ(client_links_reliable);
    if (a->net.reorder_free)
        dist_equal(&a->net.reorder_delay, &b->net.reorder_delay, what);
    EQ(n_msg_faults);
    for (uint32_t i = 0; i < a->n_msg_faults && i < b->n_msg_faults; i++) {
        EQ(msg_faults[i].kind); EQ(msg_faults[i].group); EQ(msg_faults[i].ppm);
        dist_equal(&a->msg_faults[i].delay, &b->msg_faults[i].delay, what);
    }
    dist_equal(&a->disk.fsync, &b->disk.fsync, what);
    raft_equal(&a->raft, &b->raft, what);
    for (uint32_t i = 0; i < a->n_clients && i < b->n_clients; i++) {
        EQ(clients[i].kind); EQ(clients[i].rate_per_s); EQ(clients[i].outstanding);
        EQ(clients[i].payload_bytes); EQ(clients[i].start_ns); EQ(clients[i].stop_ns);
        EQ(clients[i].timeout_ns); EQ(clients[i].max_ops); EQ(clients[i].no_backoff);
        EQ(clients[i].backoff_min_ns); EQ(clients[i].backoff_max_ns);
    }
}

static void ref_equal(const sim_metric_ref *a, const sim_metric_ref *b, const char *what)
{
    EQ(metric); EQ(arg);
    if (sim_metric_scope(a->metric) == 'N') {
        EQ(sel);
        EQ(node);
        EQ(among); EQ(among_nodes); EQ(among_names);
    }
}

static void action_equal(const sim_action *a, const sim_action *b, const char *what)
{
    EQ(at_ns); EQ(kind); EQ(target.kind); EQ(target.ep); EQ(target2.kind); EQ(target2.ep);
    EQ(value); EQ(dur_ns); EQ(from_chaos); EQ(n_groups); EQ(bind); EQ(both); EQ(n_sym);
    for (int k = 0; k < a->n_sym; k++) {
        EQ(sym[k].kind); EQ(sym[k].ep); EQ(sym_group[k]);
    }
    EQ(guarded); EQ(guard_op); EQ(guard_value); EQ(guard_rhs_metric);
    if (a->guarded)
        ref_equal(&a->guard, &b->guard, what);
    if (a->guard_rhs_metric)
        ref_equal(&a->guard_rhs, &b->guard_rhs, what);
    if (a->kind == SIM_ACT_SET) {
        EQ(param);
        EQ(msg_class);
    }
    if (a->kind == SIM_ACT_SET && (a->param == SIM_PARAM_LATENCY || a->param == SIM_PARAM_FSYNC ||
                                   a->param == SIM_PARAM_REORDER_DIST || a->msg_class))
        dist_equal(&a->dist, &b->dist, what);
    for (int g = 0; g < a->n_groups; g++) {
        EQ(groups[g].bits[0]);
        EQ(groups[g].bits[1]);
    }
}

/* factors, divisors and numbers of a side's terms 0..n */
static void terms_equal(const expect_term *x, const expect_term *y, uint32_t n, const char *what)
{
    for (uint32_t k = 0; k <= n; k++) {
        cr_expect(x[k].has_mul == y[k].has_mul && x[k].number == y[k].number &&
                  x[k].mul == y[k].mul && x[k].div == y[k].div &&
                  x[k].div_value == y[k].div_value, "%s: term %u differs", what, k);
        if (x[k].div == EXPECT_DIV_METRIC)
            ref_equal(&x[k].div_ref, &y[k].div_ref, what);
    }
}

static void expect_equal(const expectation *a, const expectation *b, const char *what)
{
    EQ(kind); EQ(when); EQ(always); EQ(t1_ns); EQ(t2_ns);
    if (a->kind == EXPECT_VIOLATION) {
        EQ(violation);
        return;
    }
    EQ(op); EQ(rhs_is_metric); EQ(value);
    ref_equal(&a->lhs, &b->lhs, what);
    if (a->rhs_is_metric)
        ref_equal(&a->rhs, &b->rhs, what);
    EQ(lhs_more.n); EQ(rhs_more.n);
    terms_equal(a->lhs_term, b->lhs_term, a->lhs_more.n, what);
    if (a->rhs_is_metric)
        terms_equal(a->rhs_term, b->rhs_term, a->rhs_more.n, what);
}

static void chaos_equal(const sim_chaos *a, const sim_chaos *b, const char *what)
{
    EQ(on); EQ(start_ns); EQ(stop_ns); EQ(crash_every_ns); EQ(crash_leader_ppm);
    EQ(down_min_ns); EQ(down_max_ns); EQ(partition_every_ns); EQ(partition_min_ns);
    EQ(partition_max_ns); EQ(isolate_every_ns); EQ(cut_every_ns); EQ(pause_every_ns);
    EQ(drop_burst_every_ns); EQ(drop_burst_ppm); EQ(drop_burst_ns); EQ(drift_every_ns);
    EQ(drift_max_ppm); EQ(transfer_every_ns); EQ(max_down);
}

static char *write_plan(const scenario *sc, const sim_action *acts, size_t n, uint64_t seed,
                        size_t *len)
{
    char *buf = NULL;
    FILE *f = open_memstream(&buf, len);
    cr_assert(f);
    cr_assert_eq(scenario_write(f, sc, acts, n, seed, "round trip\nsecond line"), 0);
    fclose(f);
    return buf;
}

/* x -> write(x with chaos drawn) -> y: y is x with the schedule spelled out. */
static void round_trip(const char *path)
{
    scenario x, y;
    char err[512];
    cr_assert_eq(scenario_load(path, &x, err, sizeof err), 0, "%s", err);
    sim_action *chaos;
    size_t n_chaos, n = x.n_actions, len, len2;
    cr_assert_eq(scenario_expand_chaos(&x, 7, &chaos, &n_chaos), 0);
    sim_action *all = malloc((n + n_chaos + 1) * sizeof *all);
    if (n)
        memcpy(all, x.actions, n * sizeof *all);
    if (n_chaos) /* the writer sorts them by time */
        memcpy(all + n, chaos, n_chaos * sizeof *all);
    char *text = write_plan(&x, all, n + n_chaos, 7, &len);
    for (size_t i = 1; i < n + n_chaos; i++) /* stable sort, to compare with */
        for (size_t j = i; j > 0 && all[j - 1].at_ns > all[j].at_ns; j--) {
            sim_action t = all[j];
            all[j] = all[j - 1];
            all[j - 1] = t;
        }
    cr_assert_eq(scenario_parse(path, text, len, &y, err, sizeof err), 0, "%s\n%s", err, text);
    config_equal(&x.cfg, &y.cfg, path);
    chaos_equal(&x.chaos, &y.chaos, path);
    cr_expect(y.has_seed && y.seed == 7);
    cr_expect_eq(y.chaos_expanded, x.chaos.on, "%s: the schedule is not drawn twice", path);
    cr_assert_eq(y.n_actions, n + n_chaos, "%s", path);
    for (size_t i = 0; i < y.n_actions; i++)
        action_equal(&all[i], &y.actions[i], path);
    cr_assert_eq(y.n_expects, x.n_expects);
    for (size_t i = 0; i < y.n_expects; i++)
        expect_equal(&x.expects[i], &y.expects[i], path);
    char *again = write_plan(&y, y.actions, y.n_actions, 7, &len2);
    cr_expect_str_eq(again, text, "%s: writing is a fixed point", path);
    sim_action *none;
    size_t n_none;
    cr_assert_eq(scenario_expand_chaos(&y, 7, &none, &n_none), 0);
    cr_expect_eq(n_none, 0, "%s: an expanded plan draws no more chaos", path);
    free(none);
    free(again);
    free(text);
    free(all);
    free(chaos);
    scenario_free(&x);
    scenario_free(&y);
}

Test(scenario_roundtrip, every_library_scenario_survives_write_then_parse)
{
    DIR *d = opendir("scenarios");
    cr_assert(d, "run from the repository root");
    size_t count = 0;
    for (struct dirent *e; (e = readdir(d));) {
        size_t l = strlen(e->d_name);
        if (l < 5 || strcmp(e->d_name + l - 4, ".scn") != 0)
            continue;
        char path[512];
        snprintf(path, sizeof path, "scenarios/%s", e->d_name);
        round_trip(path);
        count++;
    }
    closedir(d);
    cr_assert_geq(count, 20, "the library has at least 20 scenarios");
}

Test(scenario_roundtrip, a_plan_using_every_action_kind_survives_write_then_parse)
{
    round_trip("tests/cli/data/every-action.scn");
}

Test(scenario_roundtrip, faults_by_message_class_and_free_reordering_survive_write_then_parse)
{
    round_trip("tests/cli/data/net-faults.scn");
}

/* A plan written as parsed keeps its repeat blocks: the same actions, the
 * same trace; a plan that is no longer its blocks' rounds is unrolled. */
Test(scenario_roundtrip, repeat_blocks_are_written_back_as_blocks)
{
    const char *path = "tests/cli/data/repeat-blocks.scn";
    scenario x, y;
    char err[512];
    cr_assert_eq(scenario_load(path, &x, err, sizeof err), 0, "%s", err);
    cr_assert_eq(x.n_repeats, 2);
    size_t len;
    char *text = write_plan(&x, x.actions, x.n_actions, 3, &len);
    cr_expect(strstr(text, "repeat 5 every 250ms from 1s {\n"
                           "    at 0 if leader != 0 crash leader as old\n"
                           "    at 100ms if up on sum < 3 restart all\n"
                           "    at 200ms restart old\n}\nat 2250ms restart all\n"), "%s", text);
    cr_expect(strstr(text, "repeat 3 every 400ms from 3s {\n    at 0 write c1 as w\n"), "%s",
              text);
    cr_assert_eq(scenario_parse(path, text, len, &y, err, sizeof err), 0, "%s\n%s", err, text);
    cr_assert_eq(y.n_actions, x.n_actions);
    for (size_t i = 0; i < x.n_actions; i++)
        action_equal(&x.actions[i], &y.actions[i], path);
    cr_expect_eq(y.n_repeats, 2);
    size_t len2;
    char *again = write_plan(&y, y.actions, y.n_actions, 3, &len2);
    cr_expect_str_eq(again, text, "writing is a fixed point");
    run_options opt = { 0 };
    run_result a, b;
    cr_assert_eq(run_scenario(&x, 3, &opt, &a, err, sizeof err), 0, "%s", err);
    cr_assert_eq(run_scenario(&y, 3, &opt, &b, err, sizeof err), 0, "%s", err);
    cr_expect_eq(a.trace_hash, b.trace_hash);
    cr_expect_eq(a.events, b.events);
    run_result_free(&a);
    run_result_free(&b);
    free(again);
    free(text);
    /* round 3's crash aimed elsewhere: the first block is unrolled, the second kept */
    x.actions[1 + 3 * 3].target = (sim_target){ SIM_TARGET_EP, 2 };
    text = write_plan(&x, x.actions, x.n_actions, 3, &len);
    cr_expect(!strstr(text, "repeat 5 every"), "%s", text);
    cr_expect(strstr(text, "at 1750ms if leader != 0 crash n2 as old\n"), "%s", text);
    cr_expect(strstr(text, "repeat 3 every 400ms from 3s {\n"), "%s", text);
    scenario_free(&y);
    cr_assert_eq(scenario_parse(path, text, len, &y, err, sizeof err), 0, "%s\n%s", err, text);
    cr_assert_eq(y.n_actions, x.n_actions);
    for (size_t i = 0; i < x.n_actions; i++)
        action_equal(&x.actions[i], &y.actions[i], path);
    free(text);
    /* a copy of the actions (a replay's, a drawn schedule): one line each */
    sim_action *copy = malloc(x.n_actions * sizeof *copy);
    memcpy(copy, x.actions, x.n_actions * sizeof *copy);
    text = write_plan(&x, copy, x.n_actions, 3, &len);
    cr_expect(!strstr(text, "repeat"), "%s", text);
    free(text);
    free(copy);
    scenario_free(&x);
    scenario_free(&y);
}
