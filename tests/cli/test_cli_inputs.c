/* test_cli_inputs.c — inputs that used to run for hours or pass without doing
 * anything (issue 22, items 1, 2, 3, 5, 6): each is refused at once with a
 * clear message and exit status 2, or made visible. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "cli_harness.h"

/* scratch_file, without keeping the path. */
static void put(const char *name, const char *text)
{
    free(scratch_file(fx.dir, name, text));
}

TestSuite(inputs, .init = fixture_init, .fini = fixture_fini);

Test(inputs, an_hours_long_duration_is_refused_at_its_line_and_column_before_running)
{
    put("long.scn", "nodes 3\nclient c1 writer rate 10/s\nduration 5124095h\n");
    put("max.scn", "nodes 3\nduration 18446744073709551615ns\n");
    put("2h.scn", "nodes 3\nduration 2h\n");
    put("2h-bounded.scn", "nodes 1\nduration 2h\nmax-events 1000\n");
    cli_out o = cli_run(fx.dir, ARGS("run", "long.scn"));
    cr_assert_eq(o.status, 2, "stdout: %s", o.out);
    cr_assert(strstr(o.err, "long.scn:3:10: error: expected a run length of at most 24h"), "%s",
              o.err);
    cr_assert(!strstr(o.out, "verdict"), "nothing ran: %s", o.out);
    cli_out_free(&o);
    o = cli_run(fx.dir, ARGS("run", "max.scn"));
    cr_assert_eq(o.status, 2);
    cr_assert(strstr(o.err, "max.scn:2:10: error:"), "%s", o.err);
    cli_out_free(&o);
    o = cli_run(fx.dir, ARGS("run", "2h.scn"));
    cr_assert_eq(o.status, 2);
    cr_assert(strstr(o.err, "2h.scn:2:10: error: expected `max-events N`"), "%s", o.err);
    cli_out_free(&o);
    /* With its limit stated, a long run is accepted (and stops at the limit). */
    o = cli_run(fx.dir, ARGS("run", "2h-bounded.scn", "-q"));
    cr_assert_eq(o.status, 1, "the event limit ends it: %s %s", o.out, o.err);
    cr_assert(strstr(o.out, "event-limit"), "%s", o.out);
    cli_out_free(&o);
}

Test(inputs, progress_is_shown_on_stderr_and_leaves_the_run_unchanged)
{
    cli_out a = cli_run(fx.dir, ARGS("run", "ok.scn", "-q"));
    cli_out b = cli_run(fx.dir, ARGS("run", "ok.scn", "-q", "--progress"));
    cr_assert_eq(a.status, 0);
    cr_assert_eq(b.status, 0);
    cr_assert_str_eq(a.out, b.out, "the same verdict line and trace hash");
    cr_assert(!strstr(a.err, "progress:"), "a short run shows none: %s", a.err);
    cr_assert(strstr(b.err, "progress: virtual 1.000s of 1.000s (100%)"), "stderr: %s", b.err);
    cli_out_free(&a);
    cli_out_free(&b);
}

Test(inputs, a_write_too_big_for_max_entry_fails_visibly_instead_of_retrying_forever)
{
    put("big.scn", "nodes 3\nclient c1 writer outstanding 1 payload 200 ops 3\n"
         "duration 2s\n");
    /* --set bypasses the file's own check (the payload fits the file's
     * max-entry): the leader's too-big answers must fail the writes. */
    cli_out o = cli_run(fx.dir, ARGS("run", "big.scn", "--set", "max-entry=100"));
    cr_assert(strstr(o.out, "client operations FAILED 3"), "stdout: %s", o.out);
    /* Retries only while the first leader is found; then each write is
     * answered too big once and fails (before: a retry every 10 ms, ~200). */
    const char *r = strstr(o.out, "client retries ");
    cr_assert(r && strtoul(r + 15, NULL, 10) < 20, "not retried: %s", o.out);
    cli_out_free(&o);
}

Test(inputs, a_replayed_expectation_failure_reports_the_same_expectation_as_the_sweep)
{
    cli_out o = cli_run(fx.dir, ARGS("sweep", "bad.scn", "--seeds", "1-1", "--out", "f"));
    cr_assert_eq(o.status, 1, "stderr: %s", o.err);
    cli_out_free(&o);
    char *fdir = path_in(fx.dir, "f");
    char *replay = path_in(fdir, "bad-seed1.replay");
    char *text = slurp(replay);
    cr_assert(text && strstr(text, "# failed: expect#1"), "header: %s", text);
    cli_out r = cli_run(NULL, ARGS("replay", replay, "-q"));
    cr_assert_eq(r.status, 1, "stderr: %s", r.err);
    cr_assert(strstr(r.out, "failed: expect#1"), "stdout: %s", r.out);
    cr_assert(!strstr(r.err, "recorded failure was"), "the same failure: %s", r.err);
    cli_out_free(&r);
    free(text);
    free(replay);
    free(fdir);
}

Test(inputs, trace_or_metrics_into_a_folder_is_refused_before_the_run_and_writes_nothing)
{
    char *sub = path_in(fx.dir, "out");
    cr_assert_eq(mkdir(sub, 0777), 0);
    const char *const *cases[] = {
        ARGS("run", "ok.scn", "--trace", "out"),
        ARGS("run", "ok.scn", "--metrics", "out"),
        ARGS("run", "ok.scn", "--trace", "no/such/folder/t.jsonl"),
        ARGS("run", "ok.scn", "--trace", "same.txt", "--metrics", "same.txt"),
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        cli_out o = cli_run(fx.dir, cases[i]);
        cr_assert_eq(o.status, 2, "case %zu: stdout %s stderr %s", i, o.out, o.err);
        cr_assert(!strstr(o.out, "verdict"), "case %zu ran the simulation: %s", i, o.out);
        cr_assert(strstr(o.err, "raftsim"), "case %zu says why: %s", i, o.err);
        cr_assert_eq(count_files(fx.dir, ".tmp"), 0, "case %zu left a temporary file", i);
        cr_assert_eq(count_files(fx.dir, ".txt"), 0, "case %zu wrote an output", i);
        cli_out_free(&o);
    }
    struct stat st;
    cr_assert(stat(sub, &st) == 0 && S_ISDIR(st.st_mode), "the folder is untouched");
    free(sub);
}

/* tools/check-determinism.sh against stand-in "builds" (shell scripts that
 * print what raftsim prints). */
static int check_determinism(const char *a, const char *b)
{
    char cmd[1024];
    snprintf(cmd, sizeof cmd,
             "tools/check-determinism.sh 1 %s/%s %s/%s -- %s/ok.scn >%s/det.out 2>&1", fx.dir,
             a, fx.dir, b, fx.dir, fx.dir);
    int st = system(cmd);
    cr_assert(WIFEXITED(st));
    return WEXITSTATUS(st);
}

Test(inputs, check_determinism_fails_on_sanitizer_output_and_on_differing_exit_statuses)
{
    const char *verdict = "echo 'verdict: PASS  seed: 1  events: 5  trace-hash: 0x00000000000004d2'\n";
    char text[512];
    snprintf(text, sizeof text, "#!/bin/sh\n%s", verdict);
    char *p = scratch_file(fx.dir, "good", text);
    chmod(p, 0755);
    free(p);
    snprintf(text, sizeof text, "#!/bin/sh\n%secho '==7==ERROR: LeakSanitizer: detected memory "
             "leaks' >&2\n", verdict);
    p = scratch_file(fx.dir, "leaky", text);
    chmod(p, 0755);
    free(p);
    snprintf(text, sizeof text, "#!/bin/sh\n%sexit 1\n", verdict);
    p = scratch_file(fx.dir, "failing", text);
    chmod(p, 0755);
    free(p);
    cr_assert_eq(check_determinism("good", "good"), 0, "the same hash, clean: passes");
    cr_assert_eq(check_determinism("good", "leaky"), 1, "a leak report after the verdict");
    char *path = path_in(fx.dir, "det.out");
    char *out = slurp(path);
    cr_assert(out && strstr(out, "LeakSanitizer"), "names the report: %s", out);
    free(out);
    free(path);
    cr_assert_eq(check_determinism("good", "failing"), 1, "exit 0 in one build, 1 in another");
}
