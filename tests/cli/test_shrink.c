/* test_shrink.c — the shrinker keeps the failure (issue 15) and refuses
 * replay headers it cannot trust (issue 22 item 4):
 *   - a trial that dies on an assertion is shrunk (it runs in a child), and a
 *     reduction that dies on a different assertion is rejected;
 *   - an expectation's client load is kept when no bug can be checked against;
 *   - fault parameters and down times shrink, and the summary says so;
 *   - a malformed `# trace-hash:` is a file:line:col error, and a recorded
 *     hash that does not replay stops the shrink.
 * The crash tests use the shrinker's test-only hook RAFTSIM_TEST_ASSERT_ON
 * (tools/raftsim/shrink_child.c): these tests drive the correct core, which
 * has no assertion to trip on purpose. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli_harness.h"

TestSuite(shrink, .init = fixture_init, .fini = fixture_fini);

/* How many times `needle` occurs in text. */
static int count_of(const char *text, const char *needle)
{
    int n = 0;
    for (const char *p = text; p && (p = strstr(p, needle)) != NULL; p += strlen(needle))
        n++;
    return n;
}

/* Three clock jumps among other faults; the hook makes a run with two or
 * more of them die on one assertion, with exactly one on another. */
static const char jumps_replay[] = "nodes 3\n"
                                   "client c1 writer rate 50/s payload 16\n"
                                   "duration 1s\n"
                                   "at 100ms crash n1\n"
                                   "at 150ms clock-jump n2 +200ms\n"
                                   "at 200ms restart n1\n"
                                   "at 300ms pause n3 50ms\n"
                                   "at 400ms clock-jump n3 -100ms\n"
                                   "at 500ms partition {n1} {n2 n3}\n"
                                   "at 600ms heal\n"
                                   "at 700ms clock-jump n1 +50ms\n"
                                   "expect committed >= 1\n"
                                   "seed 1\n";

static char *shrink_jumps(cli_out *s)
{
    setenv("RAFTSIM_TEST_ASSERT_ON", "clock-jump", 1);
    free(scratch_file(fx.dir, "jumps.replay", jumps_replay));
    *s = cli_run(fx.dir, ARGS("shrink", "jumps.replay", "-o", "small.scn"));
    cr_assert_eq(s->status, 0, "exit %d; stdout: %s\nstderr: %s", s->status, s->out, s->err);
    char *small = path_in(fx.dir, "small.scn");
    char *text = slurp(small);
    free(small);
    cr_assert(text);
    return text;
}

Test(shrink, a_trial_that_dies_on_an_assertion_is_shrunk_to_the_actions_that_cause_it)
{
    cli_out s;
    char *text = shrink_jumps(&s);
    cr_assert(strstr(s.out, "fails with crash:SIGABRT"), "stdout: %s", s.out);
    cr_assert(strstr(text, "\n# failed: crash:SIGABRT\n"), "header: %s", text);
    cr_assert(strstr(s.out, "8 actions -> 2 actions"), "stdout: %s", s.out);
    cr_assert_null(strstr(text, " crash n"), "crash removed: %s", text);
    cr_assert_null(strstr(text, " pause "), "pause removed: %s", text);
    cr_assert_null(strstr(text, " partition "), "partition removed: %s", text);
    /* The shrunk file dies the same way (the hook lives in the shrinker's
     * trials only): shrinking it again keeps it as it is. */
    cli_out r = cli_run(fx.dir, ARGS("shrink", "small.scn", "-o", "again.scn"));
    cr_assert_eq(r.status, 0, "exit %d, stderr: %s", r.status, r.err);
    cr_assert(strstr(r.out, "2 actions -> 2 actions"), "stdout: %s", r.out);
    cr_assert(strstr(r.out, "fails with crash:SIGABRT"), "stdout: %s", r.out);
    cli_out_free(&r);
    free(text);
    cli_out_free(&s);
}

Test(shrink, a_reduction_that_dies_on_a_different_assertion_is_rejected)
{
    cli_out s;
    char *text = shrink_jumps(&s);
    /* One jump would still crash, but on "exactly one": not the same way. */
    cr_assert_eq(count_of(text, " clock-jump "), 2, "two jumps kept: %s", text);
    cr_assert(strstr(text, "# regression: crash:SIGABRT: "), "header: %s", text);
    cr_assert(strstr(text, "two or more marked actions"), "the original assertion: %s", text);
    cr_assert_null(strstr(text, "exactly one"), "header: %s", text);
    free(text);
    cli_out_free(&s);
}

/* bad.scn (cli_failing_scn) asks for 100,000,000 commits: without a bug to
 * check against, a lighter load would fail it for that reason alone. */
Test(shrink, an_expectation_with_no_bug_to_check_against_keeps_its_client_load)
{
    cli_out o = cli_run(fx.dir, ARGS("sweep", "bad.scn", "--seeds", "2", "--out", "f"));
    cr_assert_eq(o.status, 1, "stderr: %s", o.err);
    cli_out s = cli_run(fx.dir, ARGS("shrink", "f/bad-seed2.replay", "-o", "small.scn"));
    cr_assert_eq(s.status, 0, "stderr: %s", s.err);
    cr_assert(strstr(s.out, "client load was kept"), "stdout: %s", s.out);
    char *small = path_in(fx.dir, "small.scn");
    char *text = slurp(small);
    cr_assert(text && strstr(text, "client c1 writer rate 50/s"), "load kept: %s", text);
    cr_assert(strstr(text, "duration 1s\n"), "run not shortened: %s", text);
    free(text);
    free(small);
    cli_out_free(&s);
    cli_out_free(&o);
}

static const char lossy_replay[] = "nodes 3\n"
                                   "client c1 writer rate 50/s payload 16\n"
                                   "latency uniform 2ms 30ms\n"
                                   "drop 5%\n"
                                   "duplicate 3%\n"
                                   "fsync uniform 1ms 8ms\n"
                                   "duration 1s\n"
                                   "at 100ms pause n1 200ms\n"
                                   "at 400ms pause n2 300ms\n"
                                   "at 500ms crash n3\n"
                                   "at 900ms restart n3\n"
                                   "expect committed >= 100000000\n"
                                   "seed 1\n";

Test(shrink, fault_parameters_and_down_times_shrink_and_the_summary_reports_them)
{
    setenv("RAFTSIM_TEST_ASSERT_ON", "pause", 1); /* the two pauses must stay */
    free(scratch_file(fx.dir, "lossy.replay", lossy_replay));
    cli_out s = cli_run(fx.dir, ARGS("shrink", "lossy.replay", "-o", "small.scn"));
    cr_assert_eq(s.status, 0, "stderr: %s", s.err);
    cr_assert(strstr(s.out, "4 actions -> 2 actions"), "stdout: %s", s.out);
    cr_assert(strstr(s.out, "drop 5% -> 0%"), "stdout: %s", s.out);
    cr_assert(strstr(s.out, "duplicate 3% -> 0%"), "stdout: %s", s.out);
    cr_assert(strstr(s.out, "latency 2ms..30ms -> 1ms"), "stdout: %s", s.out);
    cr_assert(strstr(s.out, "fsync 1ms..8ms -> 1ms"), "stdout: %s", s.out);
    cr_assert(strstr(s.out, "fault time 0.900s -> 0.002s"), "stdout: %s", s.out);
    cr_assert(strstr(s.out, "2 action parameters lowered"), "stdout: %s", s.out);
    char *small = path_in(fx.dir, "small.scn");
    char *text = slurp(small);
    cr_assert(text && strstr(text, "\ndrop 0%\n"), "file: %s", text);
    cr_assert(strstr(text, "\nduplicate 0%\n"), "file: %s", text);
    cr_assert(strstr(text, "pause n1 1ms\n") && strstr(text, "pause n2 1ms\n"), "file: %s",
              text);
    free(text);
    free(small);
    cli_out_free(&s);
}

/* The replay of bad.scn seed 3 with its `# trace-hash:` value replaced. */
static char *replay_with_hash(const char *value)
{
    cli_out o = cli_run(fx.dir, ARGS("sweep", "bad.scn", "--seeds", "3", "--out", "f"));
    cr_assert_eq(o.status, 1, "stderr: %s", o.err);
    cli_out_free(&o);
    char *path = path_in(fx.dir, "f/bad-seed3.replay");
    char *text = slurp(path);
    cr_assert(text);
    char *h = strstr(text, "# trace-hash: ");
    cr_assert(h);
    char *eol = strchr(h, '\n');
    size_t out_len = strlen(text) + strlen(value) + 1;
    char *out = malloc(out_len);
    snprintf(out, out_len, "%.*s# trace-hash: %s%s", (int)(h - text), text, value, eol);
    free(scratch_file(fx.dir, "f/bad-seed3.replay", out));
    free(out);
    free(text);
    return path;
}

static void assert_hash_error(const char *value, const char *why)
{
    char *path = replay_with_hash(value);
    char *text = slurp(path);
    int line = 1;
    for (const char *p = text; p < strstr(text, "# trace-hash:"); p++)
        line += *p == '\n';
    char want[4200];
    snprintf(want, sizeof want, "%s:%d:15: error: ", path, line);
    const char *cmds[] = { "replay", "shrink" };
    for (size_t i = 0; i < 2; i++) {
        cli_out r = cli_run(NULL, ARGS(cmds[i], path));
        cr_assert_eq(r.status, 2, "%s %s: exit %d, stderr: %s", cmds[i], value, r.status, r.err);
        cr_assert(strstr(r.err, want), "%s: want '%s' in: %s", cmds[i], want, r.err);
        cr_assert(strstr(r.err, why), "%s: want '%s' in: %s", cmds[i], why, r.err);
        cli_out_free(&r);
    }
    free(text);
    free(path);
}

Test(shrink, a_trace_hash_that_is_not_a_number_is_an_error_with_line_and_column)
{
    assert_hash_error("banana", "is not a trace hash");
    assert_hash_error("0x12g4", "is not a trace hash");
}

Test(shrink, a_trace_hash_over_64_bits_is_an_error_not_another_number)
{
    assert_hash_error("0x1234567890abcdef1", "more than 64 bits");
}

Test(shrink, shrink_says_so_when_the_recorded_trace_hash_does_not_replay)
{
    char *path = replay_with_hash("0x0123456789abcdef");
    cli_out s = cli_run(fx.dir, ARGS("shrink", path, "-o", "x.scn"));
    cr_assert_eq(s.status, 1, "stderr: %s", s.err);
    cr_assert(strstr(s.err, "does not replay"), "stderr: %s", s.err);
    cr_assert(strstr(s.err, "0x0123456789abcdef"), "names the recorded hash: %s", s.err);
    cr_assert(strstr(s.err, "not shrinking"), "stderr: %s", s.err);
    cli_out_free(&s);
    cli_out f = cli_run(fx.dir, ARGS("shrink", path, "-o", "x.scn", "--ignore-hash"));
    cr_assert_eq(f.status, 0, "--ignore-hash shrinks anyway: %s", f.err);
    cli_out_free(&f);
    free(path);
}
