/* test_explore.c — raftsim explore (issue 16): bad spaces are file:line:col
 * errors with exit status 2 and nothing written; each seed draws its own run
 * (the swarm: one dimension's chance never moves another's decision); a
 * failing seed becomes a replay file that reproduces its trace hash; the
 * table names the dimensions on for each failure; the coverage CSV. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../sim/scenario/explore.h"
#include "../../sim/scenario/scenario.h"
#include "cli_harness.h"

TestSuite(explore, .init = fixture_init, .fini = fixture_fini);

/* A small space: few nodes, short phases, every kind of fault possible. */
static const char small_space[] =
    "explore {\n"
    "    nodes 100% 1..5\n"
    "    prevote 50%\n"
    "    checkquorum 50%\n"
    "    snapshot 50% every 20..100 keep 0..10\n"
    "    writers 90% 1..2 rate 20/s..100/s payload 1B..256B\n"
    "    readers 30% 1 rate 10/s\n"
    "    drop 30% 0.1%..3%\n"
    "    partition 30% every 500ms..2s for 100ms..1s\n"
    "    partial-partition 30% every 500ms..2s for 100ms..1s\n"
    "    crash 50% every 300ms..2s down 50ms..1s leader 0%..100%\n"
    "    cluster-restart 20% down 10ms..500ms\n"
    "    clock-jump 20% 1..2 by 10ms..500ms\n"
    "    torn-writes 30%\n"
    "    chaos-phase 100% 1s..2s\n"
    "    liveness 90% within 5s\n"
    "}\n";

/* Liveness nobody can meet: every node is down from the whole-cluster
 * crash until the heal restarts them all, and every message is lost, the
 * heal keeping the configured loss (the liveness phase is lengthened to ten
 * maximal election timeouts, so a short one alone no longer fails). */
static const char failing_space[] =
    "explore {\n"
    "    nodes 100% 5\n"
    "    latency 100% 60ms\n"
    "    writers 100% 1 rate 50/s payload 16B\n"
    "    drop 100% 100%\n"
    "    cluster-restart 100% down 1h\n"
    "    chaos-phase 100% 2s\n"
    "    liveness 100% within 500ms\n"
    "}\n";

static int parse_space(const char *text, scenario *sc)
{
    char err[512];
    int rc = scenario_parse("space.scn", text, strlen(text), sc, err, sizeof err);
    cr_assert_eq(rc, 0, "%s", err);
    cr_assert(sc->explore, "an explore block makes a space");
    return rc;
}

Test(explore, a_bad_space_is_a_file_line_col_error_with_status_2_and_nothing_written)
{
    free(scratch_file(fx.dir, "empty.scn", "explore {\n    nodes 100% 7..3\n    chaos-phase 100% 1s\n}\n"));
    cli_out o = cli_run(fx.dir, ARGS("explore", "empty.scn", "--seeds", "1-3", "--out", "f"));
    cr_assert_eq(o.status, 2);
    cr_assert(strstr(o.err, "empty.scn:2:16: error: expected a range LO..HI with LO <= HI"),
              "stderr: %s", o.err);
    char *f = path_in(fx.dir, "f");
    cr_assert_eq(count_files(f, ".results"), 0, "no results file for a bad space");
    cli_out_free(&o);
    free(scratch_file(fx.dir, "range.scn", "explore {\n    nodes 100% 1..99\n    chaos-phase 100% 1s\n}\n"));
    o = cli_run(fx.dir, ARGS("explore", "range.scn", "--seeds", "1-3", "--out", "f"));
    cr_assert_eq(o.status, 2);
    cr_assert(strstr(o.err, "range.scn:2:19: error: expected a cluster size from 1 to 64"),
              "stderr: %s", o.err);
    cli_out_free(&o);
    free(scratch_file(fx.dir, "imp.scn", "explore {\n    nodes 100% 3\n}\n"));
    o = cli_run(fx.dir, ARGS("explore", "imp.scn", "--seeds", "1-3", "--out", "f"));
    cr_assert_eq(o.status, 2);
    cr_assert(strstr(o.err, "imp.scn:3:1: error: expected a 'chaos-phase' line"), "stderr: %s",
              o.err);
    cli_out_free(&o);
    free(f);
}

Test(explore, a_scenario_is_not_a_space_and_a_space_is_not_a_scenario)
{
    cli_out o = cli_run(fx.dir, ARGS("explore", "ok.scn", "--seeds", "1"));
    cr_assert_eq(o.status, 2);
    cr_assert(strstr(o.err, "ok.scn:1:1: error: expected an explore space"), "%s", o.err);
    cli_out_free(&o);
    free(scratch_file(fx.dir, "space.scn", small_space));
    o = cli_run(fx.dir, ARGS("run", "space.scn"));
    cr_assert_eq(o.status, 2);
    cr_assert(strstr(o.err, "space.scn:1:1: error: expected a scenario, got an explore space"),
              "%s", o.err);
    cli_out_free(&o);
    o = cli_run(fx.dir, ARGS("explore", "space.scn", "--seeds", "1", "--set", "nodes=3"));
    cr_assert_eq(o.status, 2, "--set has nothing to change in a space");
    cli_out_free(&o);
}

Test(explore, the_swarm_draw_of_one_dimension_never_moves_another)
{
    scenario a, b;
    parse_space(small_space, &a);
    parse_space(small_space, &b);
    b.explore->dim[EXD_CRASH].on_ppm = 0; /* crash never on */
    uint64_t crash = UINT64_C(1) << EXD_CRASH, seen_on = 0, seen_off = 0;
    for (uint64_t seed = 1; seed <= 300; seed++) {
        char *ta, *tb;
        uint64_t da, db;
        cr_assert_eq(explore_draw(a.explore, "a", seed, &ta, &da), 0);
        cr_assert_eq(explore_draw(b.explore, "b", seed, &tb, &db), 0);
        cr_assert_eq(da & ~crash, db & ~crash, "seed %llu: other dimensions moved",
                     (unsigned long long)seed);
        cr_assert_eq(db & crash, 0);
        seen_on |= da & crash;
        seen_off |= ~da & crash;
        /* The drawn text is a scenario the parser accepts, seed pinned. */
        scenario sc;
        char err[512];
        cr_assert_eq(scenario_parse("drawn", ta, strlen(ta), &sc, err, sizeof err), 0,
                     "seed %llu: %s\n%s", (unsigned long long)seed, err, ta);
        cr_assert(sc.has_seed && sc.seed == seed);
        cr_assert_eq(sc.chaos.crash_every_ns != 0, (da & crash) != 0);
        scenario_free(&sc);
        char *again;
        uint64_t d2;
        cr_assert_eq(explore_draw(a.explore, "a", seed, &again, &d2), 0);
        cr_assert_str_eq(again, ta, "the draw is a function of the seed");
        free(again);
        free(ta);
        free(tb);
    }
    cr_assert(seen_on && seen_off, "crash (50%) was on for some seeds and off for others");
    scenario_free(&a);
    scenario_free(&b);
}

/* Faults of one message class (issue 16: "per-message-type faults where the
 * language has them"): each seed with class-fault on sets 1..4 of them on
 * every link, all at one time in the chaos phase's first quarter (the heal
 * lifts them), on a Raft class, and leaves the connected-majority check
 * off (it models each link's own faults, not these). */
Test(explore, class_faults_hit_one_raft_message_class_in_the_chaos_phase)
{
    scenario sp;
    char err[512];
    cr_assert_eq(scenario_load("scenarios/explore/default.scn", &sp, err, sizeof err), 0, "%s", err);
    const uint64_t bit = UINT64_C(1) << EXD_CLASS_FAULT;
    uint32_t seeds_on = 0, seeds_off = 0, kinds_seen = 0;
    static const char *const raft_classes[] = { "vote.requests", "vote.replies",
                                                "append.requests", "append.replies",
                                                "snapshot.requests", "snapshot.replies",
                                                "timeout-now" };
    for (uint64_t seed = 1; seed <= 300; seed++) {
        char *text;
        uint64_t on;
        cr_assert_eq(explore_draw(sp.explore, "default", seed, &text, &on), 0);
        if (!(on & bit)) {
            seeds_off++;
            cr_assert(!strstr(text, "connected-majority"), "seed %llu\n%s",
                      (unsigned long long)seed, text);
            free(text);
            continue;
        }
        seeds_on++;
        scenario sc;
        cr_assert_eq(scenario_parse("drawn", text, strlen(text), &sc, err, sizeof err), 0,
                     "seed %llu: %s\n%s", (unsigned long long)seed, err, text);
        cr_assert(!sc.cfg.connected_liveness, "seed %llu: connected-majority on\n%s",
                  (unsigned long long)seed, text);
        uint64_t chaos = sc.cfg.liveness ? sc.cfg.heal_at_ns : sc.cfg.duration_ns;
        uint32_t n = 0;
        for (size_t i = 0; i < sc.n_actions; i++) {
            const sim_action *a = &sc.actions[i];
            if (a->kind != SIM_ACT_SET || !a->msg_class)
                continue;
            n++;
            kinds_seen |= 1u << a->param;
            cr_assert_leq(a->at_ns, chaos / 4, "seed %llu: set at %llu ns\n%s",
                          (unsigned long long)seed, (unsigned long long)a->at_ns, text);
            const char *cls = sim_msg_group_name(a->msg_class - 1);
            bool raft = false;
            for (size_t k = 0; k < sizeof raft_classes / sizeof *raft_classes; k++)
                raft |= strcmp(cls, raft_classes[k]) == 0;
            cr_assert(raft, "seed %llu: class %s", (unsigned long long)seed, cls);
            cr_assert_leq(a->value, 500000, "seed %llu: %lld ppm", (unsigned long long)seed,
                          (long long)a->value);
        }
        cr_assert(n >= 1 && n <= 4, "seed %llu: %u class faults\n%s", (unsigned long long)seed,
                  n, text);
        scenario_free(&sc);
        free(text);
    }
    cr_assert(seeds_on > 60 && seeds_off > 60, "40%%: %u on, %u off", seeds_on, seeds_off);
    cr_assert_eq(__builtin_popcount(kinds_seen), 4, "drop, duplicate, delay and reorder drawn");
    scenario_free(&sp);
}

/* Writers and a slow link together: big payloads, up to 400 writes/s,
 * bandwidth from 200 KB/s. */
static const char bandwidth_space[] =
    "explore {\n"
    "    nodes 100% 1..7\n"
    "    max-bytes 30% 256B..64KiB\n"
    "    pipeline 60% 2..8\n"
    "    writers 100% 1..3 rate 20/s..400/s payload 1B..512B\n"
    "    closed-loop 40% 1..8\n"
    "    big-payload 60% 4KiB..64KiB\n"
    "    latency 60% 100us..10ms\n"
    "    bandwidth 100% 200KB/s..20MB/s\n"
    "    chaos-phase 100% 2s..8s\n"
    "    liveness 100% within 8s..12s\n"
    "}\n";

Test(explore, with_bandwidth_on_the_writers_bytes_fit_a_quarter_of_it_and_heartbeats_fit_the_election_timeout)
{
    /* sum of rate x (payload + 64) <= bandwidth / 4 (each writer may be over
     * its share by < 65 B/s when even 1/s of its smallest payload is), and
     * the election timeout at least twice the wire time of one largest
     * message (the queue a heartbeat may wait behind is at least that).
     * Before, the cap used the average payload over all writers: a big
     * writer beside small ones passed at 60-75% of the link. */
    scenario sp;
    parse_space(bandwidth_space, &sp);
    for (uint64_t seed = 1; seed <= 400; seed++) {
        char *text;
        uint64_t on;
        cr_assert_eq(explore_draw(sp.explore, "bw", seed, &text, &on), 0);
        scenario sc;
        char err[512];
        cr_assert_eq(scenario_parse("drawn", text, strlen(text), &sc, err, sizeof err), 0,
                     "seed %llu: %s", (unsigned long long)seed, err);
        uint64_t bw = sc.cfg.net.bandwidth_Bps, bytes = 0, largest = 0, n = 0;
        cr_assert_gt(bw, 0);
        for (uint32_t i = 0; i < sc.cfg.n_clients; i++) {
            const sim_client_config *c = &sc.cfg.clients[i];
            if (c->kind == SIM_CLIENT_READER)
                continue;
            largest = c->payload_bytes > largest ? c->payload_bytes : largest;
            if (c->kind != SIM_CLIENT_OPEN)
                continue;
            bytes += (uint64_t)c->rate_per_s * (c->payload_bytes + 64);
            n++;
        }
        cr_assert_leq(bytes, bw / 4 + 65 * n, "seed %llu: the writers offer %llu B/s on a "
                      "%llu B/s link\n%s", (unsigned long long)seed, (unsigned long long)bytes,
                      (unsigned long long)bw, text);
        uint64_t mb = sc.cfg.raft.max_bytes_per_msg, msg = (mb > largest + 64 ? mb : largest + 64);
        uint64_t wire = (msg + 64) * UINT64_C(1000000000) / bw;
        cr_assert_geq(sc.cfg.raft.election_timeout_min_ns, 2 * wire, "seed %llu: election "
                      "timeout %llu ns, one message takes %llu ns on the wire",
                      (unsigned long long)seed,
                      (unsigned long long)sc.cfg.raft.election_timeout_min_ns,
                      (unsigned long long)wire);
        scenario_free(&sc);
        free(text);
    }
    scenario_free(&sp);
}

/* Seed `seed` of the default space, parsed into *sc; *text is the draw. */
static void draw_default(uint64_t seed, scenario *sc, char **text)
{
    scenario sp;
    char err[512];
    cr_assert_eq(scenario_load("scenarios/explore/default.scn", &sp, err, sizeof err), 0, "%s", err);
    uint64_t on;
    cr_assert_eq(explore_draw(sp.explore, "default", seed, text, &on), 0);
    cr_assert_eq(scenario_parse("drawn", *text, strlen(*text), sc, err, sizeof err), 0, "%s", err);
    scenario_free(&sp);
}

/* The closed-loop writer with the largest payload in *sc (NULL if none). */
static const sim_client_config *largest_closed_loop_writer(const scenario *sc)
{
    const sim_client_config *big = NULL;
    for (uint32_t i = 0; i < sc->cfg.n_clients; i++)
        if (sc->cfg.clients[i].kind == SIM_CLIENT_CLOSED &&
            (!big || sc->cfg.clients[i].payload_bytes > big->payload_bytes))
            big = &sc->cfg.clients[i];
    return big;
}

/* Explore seed 8663 (issue 16): three closed-loop writers, one of 54 KB
 * records, one in flight each, under a pareto tail with 17 % of messages
 * held up to 1.9 s. Counted at the round trip with the tail and the holds
 * (0.7 writes a second) they seemed to write 310 KB; about 1.5 MB was
 * written, the 4,959-byte chunk drawn for that shipped the snapshot one
 * chunk a round trip for longer than the liveness phase, and the run
 * failed. Counted at the plain round trip, a quarter of the phase's chunk
 * round trips ships the 1.5 MB. */
Test(explore, closed_loop_writers_are_counted_at_the_plain_round_trip_when_the_chunk_is_sized)
{
    scenario sc;
    char *text;
    draw_default(8663, &sc, &text);
    const sim_client_config *big = largest_closed_loop_writer(&sc);
    cr_assert(big && big->payload_bytes == 54417, "the draw of seed 8663 changed:\n%s", text);
    cr_assert_geq(sc.cfg.raft.snapshot_chunk_bytes, 1500000 / 16,
                  "a chunk of %u bytes: 1.5 MB would take more than 16 round trips\n%s",
                  sc.cfg.raft.snapshot_chunk_bytes, text);
    scenario_free(&sc);
    free(text);
}

/* Explore seed 178496 (issue 16): 64 KiB records, one a message, no
 * pipelining, 19 % of messages held up to 1.3 s, and a closed-loop writer
 * with 7 writes in flight. A follower deaf for 4 s was 42 entries behind
 * at the heal and caught up 30 in the liveness phase: the majority
 * acknowledged writes faster than one follower alone catches up. A
 * quarter of a one-message window is below one write: one in flight. */
Test(explore, closed_loop_writes_in_flight_fit_a_quarter_of_the_replication_window)
{
    scenario sc;
    char *text;
    draw_default(178496, &sc, &text);
    const sim_client_config *big = largest_closed_loop_writer(&sc);
    cr_assert(big && big->payload_bytes == 65472 && sc.cfg.raft.pipeline_window == 1,
              "the draw of seed 178496 changed:\n%s", text);
    cr_assert_eq(big->outstanding, 1, "%u writes in flight\n%s", big->outstanding, text);
    scenario_free(&sc);
    free(text);
}

/* Explore seed 60414 (issue 16): two nodes under a pareto tail of mean
 * 39 ms drew an election timeout of 401..562 ms, a spread of two broadcast
 * times at the mean latency, while replication saw one-way delays of 68 ms
 * on average (p90 124 ms). After the heal the follower, behind, could not
 * win, and the two timed out within a one-way delay of each other for
 * 5.6 s of the 8.5 s liveness phase. Under a heavy tail the spread is two
 * broadcast times at four times the mean latency. */
Test(explore, under_a_heavy_tail_the_election_spread_is_two_broadcast_times_at_four_times_the_mean)
{
    scenario sc;
    char *text;
    draw_default(60414, &sc, &text);
    const sim_dist *lat = &sc.cfg.net.latency;
    cr_assert(sc.cfg.n_nodes == 2 && lat->kind == SIM_DIST_PARETO && lat->b_ns == 39133000,
              "the draw of seed 60414 changed:\n%s", text);
    uint64_t spread = sc.cfg.raft.election_timeout_max_ns - sc.cfg.raft.election_timeout_min_ns;
    cr_assert_geq(spread, 2 * (2 * 4 * lat->b_ns), "a spread of %llu ns\n%s",
                  (unsigned long long)spread, text);
    scenario_free(&sc);
    free(text);
}

/* Explore seed 140609 (issue 16): four nodes, 18.9 % of messages held up
 * to 1.93 s, election timeouts of 744..1,488 ms. No leader for 4.6 s after
 * the heal, then a follower 11 entries short at the drawn deadline of 8 s;
 * the same run converges given the period the connected-majority check
 * judges Raft over, ten maximal election timeouts. Every draw's liveness
 * phase is at least that long. */
Test(explore, the_liveness_phase_lasts_at_least_ten_maximal_election_timeouts)
{
    scenario sc;
    char *text;
    draw_default(140609, &sc, &text);
    cr_assert(sc.cfg.n_nodes == 4 && sc.cfg.raft.election_timeout_max_ns == 1488000000,
              "the draw of seed 140609 changed:\n%s", text);
    cr_assert_geq(sc.cfg.converge_within_ns, 10 * sc.cfg.raft.election_timeout_max_ns, "%s",
                  text);
    cr_assert_eq(sc.cfg.duration_ns, sc.cfg.heal_at_ns + sc.cfg.converge_within_ns);
    scenario_free(&sc);
    free(text);
    for (uint64_t seed = 1; seed <= 300; seed++) {
        draw_default(seed, &sc, &text);
        if (sc.cfg.liveness)
            cr_assert_geq(sc.cfg.converge_within_ns, 10 * sc.cfg.raft.election_timeout_max_ns,
                          "seed %llu\n%s", (unsigned long long)seed, text);
        scenario_free(&sc);
        free(text);
    }
}

Test(explore, a_failing_seed_is_a_replay_file_that_reproduces_and_names_its_dimensions)
{
    free(scratch_file(fx.dir, "fail.scn", failing_space));
    cli_out o = cli_run(fx.dir, ARGS("explore", "fail.scn", "--seeds", "1-3", "-j", "2",
                                     "--out", "f"));
    cr_assert_eq(o.status, 1, "stdout: %s\nstderr: %s", o.out, o.err);
    cr_assert(strstr(o.out, "failures (seed, what failed, dimensions on)"), "%s", o.out);
    cr_assert(strstr(o.out, "liveness               nodes writers latency drop cluster-restart "
                            "chaos-phase liveness"), "the failure names its dimensions: %s", o.out);
    char *f = path_in(fx.dir, "f");
    char *replay = path_in(f, "explore-fail-seed1.replay");
    char *text = slurp(replay);
    cr_assert(text, "a replay file for seed 1");
    cr_assert(strstr(text, "(explore seed 1; on: nodes writers latency drop cluster-restart "
                           "chaos-phase liveness)"), "%s", text);
    cr_assert(strstr(text, "crash all"), "faults spelled out: %s", text);
    cr_assert(strstr(text, "\nseed 1\n"), "seed pinned: %s", text);
    unsigned long long want = trace_hash_in(text);
    cr_assert_neq(want, 0);
    cli_out_free(&o);
    o = cli_run(fx.dir, ARGS("replay", replay));
    cr_assert_eq(o.status, 1, "the replay fails again: %s %s", o.out, o.err);
    cr_assert_eq(trace_hash_in(o.out), want, "same trace hash: %s", o.out);
    cli_out_free(&o);
    char *csv_path = path_in(f, "explore-fail-coverage.csv");
    char *csv = slurp(csv_path);
    cr_assert(csv, "the coverage CSV is written");
    cr_assert(strstr(csv, "dimension,cluster-restart,3,,3,3\n"), "%s", csv);
    cr_assert(strstr(csv, "dimension,prevote,0,,0,3\n"), "%s", csv);
    cr_assert(strstr(csv, "situation,snapshot-installed,"), "%s", csv);
    free(csv);
    free(csv_path);
    free(text);
    free(replay);
    free(f);
}

Test(explore, two_runs_of_the_same_seeds_record_the_same_trace_hashes_and_a_rerun_resumes)
{
    free(scratch_file(fx.dir, "space.scn", small_space));
    cli_out a = cli_run(fx.dir, ARGS("explore", "space.scn", "--seeds", "1-12", "-j", "2",
                                     "--out", "a"));
    cli_out b = cli_run(fx.dir, ARGS("explore", "space.scn", "--seeds", "1-12", "-j", "1",
                                     "--out", "b"));
    cr_assert_lt(a.status, 2, "%s", a.err);
    cr_assert_eq(a.status, b.status);
    char *ra = path_in(fx.dir, "a/explore-space.results"), *rb = path_in(fx.dir, "b/explore-space.results");
    char *ta = slurp(ra), *tb = slurp(rb);
    cr_assert(ta && tb);
    cr_assert_eq(data_lines(ta), 12);
    /* The same lines, in whatever order the workers finished. */
    for (char *line = strtok(tb, "\n"); line; line = strtok(NULL, "\n"))
        cr_assert(strstr(ta, line), "line missing from the -j 2 run: %s", line);
    cr_assert(strstr(ta, " dims=0x"), "results lines carry the dimensions");
    cli_out_free(&a);
    a = cli_run(fx.dir, ARGS("explore", "space.scn", "--seeds", "1-12", "--out", "a"));
    cr_assert(strstr(a.err, "resuming: 12 seeds already recorded"), "%s", a.err);
    cli_out_free(&a);
    cli_out_free(&b);
    free(ta);
    free(tb);
    free(ra);
    free(rb);
}
