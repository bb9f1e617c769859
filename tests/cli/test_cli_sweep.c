/* test_cli_sweep.c — raftsim sweep, replay and shrink, end to end: replay
 * files that are complete and reproduce their trace hash, resuming after an
 * interruption, merging shards, and shrinking a failing schedule. */
#include <criterion/criterion.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cli_harness.h"

/* Every test starts in a scratch folder with ok.scn and bad.scn (fx). */
TestSuite(sweep, .init = fixture_init, .fini = fixture_fini);

/* The number after a label in the sweep table ("seeds run  4"), or -1. */
static long long table_value(const char *table, const char *label)
{
    const char *p = strstr(table, label);
    return p ? strtoll(p + strlen(label), NULL, 10) : -1;
}

/* Sweep bad.scn over one seed into f/: it fails, leaving f/bad-seedN.replay. */
static void sweep_failing_seed(const char *seed)
{
    cli_out o = cli_run(fx.dir, ARGS("sweep", "bad.scn", "--seeds", seed, "--out", "f"));
    cr_assert_eq(o.status, 1, "stderr: %s", o.err);
    cli_out_free(&o);
}

Test(sweep, a_sweep_over_a_few_seeds_prints_the_table_and_records_every_seed)
{
    cli_out o = cli_run(fx.dir, ARGS("sweep", "ok.scn", "--seeds", "1-4", "-j", "2"));
    cr_assert_eq(o.status, 0, "stderr: %s", o.err);
    cr_assert_eq(table_value(o.out, "seeds run"), 4, "stdout: %s", o.out);
    cr_assert_eq(table_value(o.out, "passed"), 4, "stdout: %s", o.out);
    cr_assert(strstr(o.out, "seeds per second"), "stdout: %s", o.out);
    cr_assert(strstr(o.out, "coverage"), "stdout: %s", o.out);
    char *res = path_in(fx.dir, "failures/ok.results");
    char *text = slurp(res);
    cr_assert(text, "the results file exists");
    cr_assert_eq(data_lines(text), 4);
    free(text);
    free(res);
    cli_out_free(&o);
}

Test(sweep, a_failing_sweep_writes_complete_replay_files_that_replay_to_the_same_hash)
{
    cli_out o = cli_run(fx.dir, ARGS("sweep", "bad.scn", "--seeds", "1-3", "--out", "f"));
    cr_assert_eq(o.status, 1, "stderr: %s", o.err);
    cr_assert(strstr(o.out, "expect#1"), "failures by expectation: %s", o.out);
    char *fdir = path_in(fx.dir, "f");
    cr_assert_eq(count_files(fdir, ".replay"), 3);
    cr_assert_eq(count_files(fdir, ".tmp"), 0, "no half-written file is left");
    char *replay = path_in(fdir, "bad-seed2.replay");
    char *text = slurp(replay);
    cr_assert(text && strstr(text, "# failed: expect#1"), "header: %s", text);
    cr_assert(strstr(text, "\nseed 2\n"), "the replay carries its seed");
    unsigned long long recorded = trace_hash_in(text);
    cr_assert_neq(recorded, 0);
    cli_out r = cli_run(NULL, ARGS("replay", replay, "-q"));
    cr_assert_eq(r.status, 1, "the replayed run still fails; stderr: %s", r.err);
    cr_assert_eq(trace_hash_in(r.out), recorded);
    cr_assert(strstr(r.out, "trace hash matches the recorded one"), "stdout: %s", r.out);
    cli_out_free(&r);
    free(text);
    free(replay);
    free(fdir);
    cli_out_free(&o);
}

Test(sweep, replay_reports_a_mismatch_loudly_when_the_recorded_hash_differs)
{
    sweep_failing_seed("5");
    char *replay = path_in(fx.dir, "f/bad-seed5.replay");
    char *text = slurp(replay);
    cr_assert(text);
    char *h = strstr(text, "trace-hash: 0x");
    cr_assert(h);
    h[14] = h[14] == '0' ? '1' : '0'; /* corrupt the recorded hash */
    free(scratch_file(fx.dir, "f/bad-seed5.replay", text));
    cli_out r = cli_run(NULL, ARGS("replay", replay, "-q"));
    cr_assert_eq(r.status, 1);
    cr_assert(strstr(r.err, "REPLAY MISMATCH"), "stderr: %s", r.err);
    cli_out_free(&r);
    free(text);
    free(replay);
}

Test(sweep, shrink_writes_a_scenario_with_fewer_actions_that_still_fails)
{
    sweep_failing_seed("3");
    cli_out s = cli_run(fx.dir, ARGS("shrink", "f/bad-seed3.replay"));
    cr_assert_eq(s.status, 0, "stderr: %s", s.err);
    cr_assert(strstr(s.out, "7 actions -> 0 actions"), "stdout: %s", s.out);
    char *shrunk = path_in(fx.dir, "f/bad-seed3.shrunk.scn");
    char *text = slurp(shrunk);
    cr_assert(text && strstr(text, "# regression: expectation"), "header: %s", text);
    cr_assert_null(strstr(text, "\nat "), "no action is left: %s", text);
    cli_out r = cli_run(NULL, ARGS("run", shrunk, "-q"));
    cr_assert_eq(r.status, 1, "the shrunk scenario still fails");
    cli_out_free(&r);
    free(text);
    free(shrunk);
    cli_out_free(&s);
}

Test(sweep, shrink_of_a_passing_replay_says_there_is_nothing_to_shrink)
{
    char *scn = scratch_file(fx.dir, "ok.scn", "nodes 3\nduration 1s\nseed 4\n");
    cli_out s = cli_run(NULL, ARGS("shrink", scn));
    cr_assert_eq(s.status, 1);
    cr_assert(strstr(s.err, "nothing to shrink"), "stderr: %s", s.err);
    cli_out_free(&s);
    free(scn);
}

Test(sweep, a_sweep_resumes_after_its_results_file_lost_its_tail)
{
    cli_out o = cli_run(fx.dir, ARGS("sweep", "ok.scn", "--seeds", "1-6", "-j", "2"));
    cr_assert_eq(o.status, 0);
    cli_out_free(&o);
    /* Keep the header and two records, then half a record: what a sweep
     * killed in the middle of writing would leave. */
    char *res = path_in(fx.dir, "failures/ok.results");
    char *text = slurp(res);
    char *cut = text;
    for (int lines = 0; lines < 6; cut++)
        lines += *cut == '\n';
    strcpy(cut, "3 PA");
    free(scratch_file(fx.dir, "failures/ok.results", text));
    o = cli_run(fx.dir, ARGS("sweep", "ok.scn", "--seeds", "1-6", "-j", "2"));
    cr_assert_eq(o.status, 0, "stderr: %s", o.err);
    cr_assert(strstr(o.err, "resuming: 2 seeds already recorded"), "stderr: %s", o.err);
    cr_assert_eq(table_value(o.out, "seeds run"), 6, "stdout: %s", o.out);
    cr_assert(strstr(o.out, "(2 recorded by an earlier run)"), "stdout: %s", o.out);
    free(text);
    text = slurp(res);
    cr_assert_eq(data_lines(text), 6, "each seed recorded once: %s", text);
    free(text);
    free(res);
    cli_out_free(&o);
}

static int results_lines(const char *dir)
{
    char *res = path_in(dir, "failures/ok.results");
    char *text = slurp(res);
    int n = text ? data_lines(text) : 0;
    free(text);
    free(res);
    return n;
}

Test(sweep, a_sweep_interrupted_with_sigint_keeps_its_records_and_a_rerun_completes_it)
{
    pid_t pid = cli_start(fx.dir, ARGS("sweep", "ok.scn", "--seeds", "1-150", "-j", "1"), fx.dir);
    const struct timespec tick = { 0, 20 * 1000 * 1000 };
    while (results_lines(fx.dir) < 2 && waitpid(pid, NULL, WNOHANG) == 0)
        nanosleep(&tick, NULL);
    kill(pid, SIGINT);
    int status = cli_wait(pid);
    cr_assert(status == 130 || status == 0, "interrupted (or already done): %d", status);
    int kept = results_lines(fx.dir);
    cr_assert_geq(kept, 2);
    cli_out o = cli_run(fx.dir, ARGS("sweep", "ok.scn", "--seeds", "1-150"));
    cr_assert_eq(o.status, 0, "stderr: %s", o.err);
    cr_assert_eq(table_value(o.out, "seeds run"), 150, "stdout: %s", o.out);
    cr_assert_eq(results_lines(fx.dir), 150, "every seed recorded exactly once");
    cli_out_free(&o);
}

/* Send SIGTERM to every child of `pid` (its workers), as `pkill` or a
 * process-group kill would. */
static void term_children(pid_t pid)
{
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/task/%d/children", (int)pid, (int)pid);
    FILE *f = fopen(path, "r");
    cr_assert(f, "%s", path);
    int child;
    while (fscanf(f, "%d", &child) == 1)
        kill(child, SIGTERM);
    fclose(f);
}

/* A SIGTERM that reaches the workers too (`pkill raftsim`, `kill -- -PGID`,
 * a batch system's time limit) stops the sweep like SIGINT: the seeds in
 * flight finish and none is recorded as a crash of the scenario. */
Test(sweep, a_sweep_terminated_with_its_workers_records_no_crash)
{
    pid_t pid = cli_start(fx.dir, ARGS("sweep", "ok.scn", "--seeds", "1-400", "-j", "2"), fx.dir);
    const struct timespec tick = { 0, 20 * 1000 * 1000 };
    while (results_lines(fx.dir) < 4 && waitpid(pid, NULL, WNOHANG) == 0)
        nanosleep(&tick, NULL);
    term_children(pid);
    kill(pid, SIGTERM);
    int status = cli_wait(pid);
    cr_assert(status == 130 || status == 0, "terminated (or already done): %d", status);
    char *res = path_in(fx.dir, "failures/ok.results");
    char *text = slurp(res);
    cr_assert(text && !strstr(text, "crash"), "no seed recorded as a crash: %s", text);
    free(text);
    free(res);
}

Test(sweep, shard_results_files_merge_into_one_table)
{
    cli_out a = cli_run(fx.dir, ARGS("sweep", "ok.scn", "--seeds", "1-5", "--shard", "1/2"));
    cli_out b = cli_run(fx.dir, ARGS("sweep", "ok.scn", "--seeds", "1-5", "--shard", "2/2"));
    cr_assert_eq(a.status, 0);
    cr_assert_eq(b.status, 0);
    cr_assert_eq(table_value(a.out, "seeds run"), 3, "1, 3, 5: %s", a.out);
    cr_assert_eq(table_value(b.out, "seeds run"), 2, "2, 4: %s", b.out);
    cli_out m = cli_run(fx.dir, ARGS("sweep", "--merge", "failures/ok-shard1of2.results",
                                  "failures/ok-shard2of2.results"));
    cr_assert_eq(m.status, 0, "stderr: %s", m.err);
    cr_assert(strstr(m.out, "merged 2 results files"), "stdout: %s", m.out);
    cr_assert_eq(table_value(m.out, "seeds run"), 5, "stdout: %s", m.out);
    cli_out_free(&m);
    cli_out_free(&a);
    cli_out_free(&b);
}

Test(sweep, stop_after_one_failure_stops_handing_out_seeds)
{
    cli_out o = cli_run(fx.dir, ARGS("sweep", "bad.scn", "--seeds", "1-50", "-j", "1",
                                  "--stop-after", "1"));
    cr_assert_eq(o.status, 1);
    cr_assert_eq(table_value(o.out, "seeds run"), 1, "stdout: %s", o.out);
    cli_out_free(&o);
}

Test(sweep, a_results_file_from_other_options_is_not_resumed)
{
    cli_out o = cli_run(fx.dir, ARGS("sweep", "ok.scn", "--seeds", "1-2"));
    cr_assert_eq(o.status, 0);
    cli_out_free(&o);
    o = cli_run(fx.dir, ARGS("sweep", "ok.scn", "--seeds", "1-2", "--set", "nodes=5"));
    cr_assert_eq(o.status, 2);
    cr_assert(strstr(o.err, "different scenario or different options"), "stderr: %s", o.err);
    cli_out_free(&o);
}

/* Random crashes and partitions: long enough per seed that a worker is
 * almost always busy when the test kills it. */
static const char chaos_scn[] =
    "nodes 5\n"
    "client c1 writer rate 200/s payload 32\n"
    "duration 10s\n"
    "chaos {\n"
    "  crash every 1s down 100ms..1s leader 50%\n"
    "  partition every 2s for 300ms..1500ms\n"
    "}\n";

static pid_t only_child(pid_t parent)
{
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/task/%d/children", (int)parent, (int)parent);
    char *text = slurp(path);
    if (!text)
        return 0;
    pid_t child = (pid_t)strtol(text, NULL, 10);
    free(text);
    return child;
}

Test(sweep, a_worker_killed_mid_seed_is_recorded_as_a_crash_with_a_file_that_reproduces_it)
{
    free(scratch_file(fx.dir, "chaos.scn", chaos_scn));
    pid_t pid = cli_start(fx.dir, ARGS("sweep", "chaos.scn", "--seeds", "1-12", "-j", "1",
                                    "--out", "f"), fx.dir);
    const struct timespec tick = { 0, 10 * 1000 * 1000 };
    pid_t child = 0;
    while ((child = only_child(pid)) == 0 && waitpid(pid, NULL, WNOHANG) == 0)
        nanosleep(&tick, NULL);
    if (child == 0)
        cr_skip_test("no /proc/PID/task/PID/children on this system");
    kill(child, SIGKILL);
    cr_assert_eq(cli_wait(pid), 1, "a crashed seed is a failure");
    char *fdir = path_in(fx.dir, "f");
    char *crash = first_file(fdir, ".replay");
    cr_assert(crash, "the crashed seed left a file");
    char *text = slurp(crash);
    cr_assert(strstr(text, "# failed: crash:SIGKILL"), "header: %s", text);
    char *res = path_in(fdir, "chaos.results");
    char *results = slurp(res);
    cr_assert_eq(data_lines(results), 12, "the sweep went on after the crash");
    cli_out r = cli_run(NULL, ARGS("replay", crash, "-q"));
    cr_assert_eq(r.status, 0, "the killed seed itself passes: %s", r.err);
    cli_out_free(&r);
    free(results);
    free(res);
    free(text);
    free(crash);
    free(fdir);
}

Test(sweep, check_determinism_reruns_seeds_and_passes_for_a_deterministic_scenario)
{
    cli_out o = cli_run(fx.dir, ARGS("sweep", "ok.scn", "--seeds", "1-4", "--check-determinism"));
    cr_assert_eq(o.status, 0, "stderr: %s", o.err);
    cr_assert_eq(table_value(o.out, "passed"), 4);
    cr_assert_null(strstr(o.out, "nondeterminism"));
    cli_out_free(&o);
    o = cli_run(fx.dir, ARGS("sweep", "ok.scn", "--seeds", "1-4", "--check-determinism=0"));
    cr_assert_eq(o.status, 2, "a zero share is bad input");
    cli_out_free(&o);
}

Test(sweep, replay_until_stops_before_the_event_and_dumps_every_node)
{
    sweep_failing_seed("1");
    cli_out r = cli_run(fx.dir, ARGS("replay", "f/bad-seed1.replay", "--until", "100"));
    cr_assert(strstr(r.out, "stopped before event 100"), "stdout: %s", r.out);
    cr_assert(strstr(r.out, "node 1") || strstr(r.out, "n1"), "a node dump: %s", r.out);
    cr_assert(strstr(r.out, "events: 99 "), "99 events ran: %s", r.out);
    cr_assert(strstr(r.out, "verdict: CUT-SHORT"), "no verdict for a cut-short run: %s", r.out);
    cr_assert_eq(r.status, 1, "a cut-short run does not pass");
    cli_out_free(&r);
}

/* The naive baseline (no terms, no commit rule) under drops: replicas
 * diverge and the checker reports a real invariant violation, with no
 * deliberate bug needed. */
static const char naive_scn[] =
    "nodes 3\n"
    "protocol naive\n"
    "drop 2%\n"
    "client c1 writer rate 200/s payload 64\n"
    "duration 5s\n"
    "at 100ms pause n3 20ms\n"
    "at 150ms crash n2\n"
    "at 180ms restart n2\n";

Test(sweep, shrink_of_an_invariant_violation_keeps_that_invariant_and_cuts_the_run_short)
{
    free(scratch_file(fx.dir, "naive.scn", naive_scn));
    cli_out o = cli_run(fx.dir, ARGS("sweep", "naive.scn", "--seeds", "1", "--out", "f"));
    cr_assert_eq(o.status, 1, "stderr: %s", o.err);
    char *replay = path_in(fx.dir, "f/naive-seed1.replay");
    char *text = slurp(replay);
    cr_assert(text);
    char *failed = strstr(text, "# failed: ");
    cr_assert(failed && strncmp(failed + 10, "expect", 6) != 0, "an invariant: %s", text);
    char invariant[64];
    cr_assert_eq(sscanf(failed + 10, "%63s", invariant), 1);
    cli_out s = cli_run(fx.dir, ARGS("shrink", "f/naive-seed1.replay", "-o", "small.scn"));
    cr_assert_eq(s.status, 0, "stderr: %s", s.err);
    cr_assert(strstr(s.out, "duration 5.000s -> "), "stdout: %s", s.out);
    cr_assert_null(strstr(s.out, "duration 5.000s -> 5.000s"), "the run was cut: %s", s.out);
    char *small = path_in(fx.dir, "small.scn");
    char *shrunk = slurp(small);
    char want[128];
    snprintf(want, sizeof want, "# regression: %s\n", invariant);
    cr_assert(shrunk && strstr(shrunk, want), "header names %s: %s", invariant, shrunk);
    cli_out r = cli_run(NULL, ARGS("replay", small, "-q"));
    cr_assert_eq(r.status, 1);
    snprintf(want, sizeof want, "failed: %s\n", invariant);
    cr_assert(strstr(r.out, want), "still %s: %s", invariant, r.out);
    cli_out_free(&r);
    free(shrunk);
    free(small);
    cli_out_free(&s);
    free(text);
    free(replay);
    cli_out_free(&o);
}

Test(sweep, merge_flags_a_seed_recorded_with_two_different_trace_hashes)
{
    static const char head[] = "# raftsim sweep results v1\n# scenario: x\n"
                               "# options: 0x0000000000000001\n";
    char a[512], b[512];
    snprintf(a, sizeof a, "%s1 PASS none 0x00000000000000aa 10 1000 cov=0\n"
                          "2 PASS none 0x00000000000000bb 10 1000 cov=0\n", head);
    snprintf(b, sizeof b, "%s2 PASS none 0x00000000000000cc 10 1000 cov=0\n", head);
    free(scratch_file(fx.dir, "a.results", a));
    free(scratch_file(fx.dir, "b.results", b));
    cli_out m = cli_run(fx.dir, ARGS("sweep", "--merge", "a.results", "b.results"));
    cr_assert_eq(m.status, 1, "a seed that disagrees with itself fails the merge");
    cr_assert(strstr(m.err, "NONDETERMINISM"), "stderr: %s", m.err);
    cr_assert_eq(table_value(m.out, "seeds run"), 2, "seed 2 counts once: %s", m.out);
    cli_out_free(&m);
}
