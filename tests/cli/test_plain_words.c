/* test_plain_words.c — failures told in plain words (issue 19, part 3): each
 * failure printed once, times with units (never bare ns), nodes as n1..nN,
 * what an expectation saw and when it held, -v that shows more, and a file
 * recorded with a catalogue bug that says so when that bug is off. */
#include <criterion/criterion.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli_harness.h"

TestSuite(plain, .init = fixture_init, .fini = fixture_fini);

static void put(const char *name, const char *text)
{
    free(scratch_file(fx.dir, name, text));
}

static int count(const char *hay, const char *needle)
{
    int n = 0;
    for (const char *p = hay; (p = strstr(p, needle)) != NULL; p += strlen(needle))
        n++;
    return n;
}

/* A number of 7 or more digits followed by " ns" or "ns": a time a person
 * would have to decode. */
static bool has_raw_ns(const char *text)
{
    for (const char *p = text; *p; p++) {
        if (!isdigit((unsigned char)*p) || (p > text && isdigit((unsigned char)p[-1])))
            continue;
        size_t d = strspn(p, "0123456789");
        if (d >= 7 && (strncmp(p + d, " ns", 3) == 0 || strncmp(p + d, "ns", 2) == 0))
            return true;
    }
    return false;
}

/* Every kind of expectation failing (and one holding), a leader crash at 1.5 s. */
static const char kinds_scn[] =
    "nodes 3\n"                                            /* 1 */
    "client c1 writer rate 100/s payload 16\n"             /* 2 */
    "duration 3s\n"                                        /* 3 */
    "at 1500ms crash leader\n"                             /* 4 */
    "expect leader within 1s\n"                            /* 5: holds */
    "expect acked >= 100000\n"                             /* 6: at the end */
    "expect elections == 0 between 1s 3s\n"                /* 7: a counter's change */
    "expect always leader != 0 between 1s 3s\n"            /* 8: broken by the crash */
    "expect term leader == 7 at 2s\n"                      /* 9: at a time */
    "expect leader within 10ms after 1500ms\n";            /* 10: never held */

Test(plain, every_failed_expectation_says_what_it_saw_and_when_once)
{
    put("kinds.scn", kinds_scn);
    cli_out o = cli_run(fx.dir, ARGS("run", "kinds.scn"));
    cr_assert_eq(o.status, 1, "stderr: %s", o.err);
    cr_assert(strstr(o.err, "kinds.scn:6: FAILED  expect acked >= 100000 -- saw "), "%s", o.err);
    cr_assert(strstr(o.err, ", needs >= 100000, at the end (3.000 s)"), "%s", o.err);
    cr_assert(strstr(o.err, "needs == 0 as the change from 1.000 s to 3.000 s"), "%s", o.err);
    cr_assert(strstr(o.err, "saw 0, needs != 0, at 1.500 s (event "), "%s", o.err);
    cr_assert(strstr(o.err, "); it last held at 1.4"), "when it last held: %s", o.err);
    cr_assert(strstr(o.err, "needs == 7, at 2.000 s"), "%s", o.err);
    cr_assert(strstr(o.err, "saw 0, needs != 0, at 1.510 s, the end of the window; it never "
                            "held from 1.500 s on"), "%s", o.err);
    /* once: each failure's detail in the failure report only */
    cr_assert_eq(count(o.out, " -- saw") + count(o.err, " -- saw"), 5, "%s%s", o.out, o.err);
    cr_assert_eq(count(o.err, "replay: "), 1, "%s", o.err);
    cr_assert_null(strstr(o.err, "FAILED: "), "no second summary of the failure: %s", o.err);
    cr_assert(strstr(o.out, "current leader n"), "nodes as n1..nN: %s", o.out);
    cr_assert(!has_raw_ns(o.out) && !has_raw_ns(o.err), "%s%s", o.out, o.err);
    cli_out_free(&o);
}

/* The naive baseline diverges under drops: an invariant violation. */
static const char naive_scn[] =
    "nodes 3\nprotocol naive\ndrop 2%\nclient c1 writer rate 200/s payload 64\n"
    "duration 5s\nat 100ms pause n3 20ms\nat 150ms crash n2\nat 180ms restart n2\n";

Test(plain, a_violation_is_told_once_with_its_time_in_seconds_and_its_rule)
{
    put("naive.scn", naive_scn);
    cli_out o = cli_run(fx.dir, ARGS("run", "naive.scn", "--seed", "1"));
    cr_assert_eq(o.status, 1, "stderr: %s", o.err);
    cr_assert_eq(count(o.err, "VIOLATION "), 1, "%s", o.err);
    cr_assert_eq(count(o.err, "broken rule: "), 1, "%s", o.err);
    cr_assert_eq(count(o.err, "replay: "), 1, "%s", o.err);
    /* the detail line (the second line of the report) appears once */
    const char *detail = strchr(strstr(o.err, "VIOLATION "), '\n') + 1;
    char line[200];
    cr_assert_eq(sscanf(detail, "%199[^\n]", line), 1);
    cr_assert_eq(count(o.out, line) + count(o.err, line), 1, "'%s' once: %s", line, o.err);
    const char *head = strstr(o.err, "VIOLATION ");
    cr_assert(strstr(head, " s (event ") || strstr(head, " ms (event "), "%s", head);
    char before_trace[4096];
    snprintf(before_trace, sizeof before_trace, "%.*s", (int)(strstr(o.err, "last trace") - o.err),
             o.err);
    cr_assert(!has_raw_ns(before_trace) && !has_raw_ns(o.out), "%s", o.err);
    cr_assert(strstr(o.err, " ms  {\"t\":") || strstr(o.err, " s  {\"t\":"),
              "each recent trace line with its time in words: %s", o.err);
    cli_out_free(&o);
}

Test(plain, the_sweep_line_and_the_replay_header_give_times_with_units)
{
    put("naive.scn", naive_scn);
    cli_out o = cli_run(fx.dir, ARGS("sweep", "naive.scn", "--seeds", "1", "--out", "f"));
    cr_assert_eq(o.status, 1, "stderr: %s", o.err);
    cr_assert_eq(count(o.err, "FAIL seed 1: "), 1, "%s", o.err);
    cr_assert(!has_raw_ns(o.err), "%s", o.err);
    char *path = path_in(fx.dir, "f/naive-seed1.replay");
    char *text = slurp(path);
    cr_assert(text && strstr(text, "# reason: violation "), "%s", text);
    cr_assert(!has_raw_ns(strstr(text, "# reason: ")), "%s", text);
    free(text);
    free(path);
    cli_out_free(&o);
}

Test(plain, verbose_shows_what_every_expectation_saw_and_the_coverage)
{
    put("kinds.scn", kinds_scn);
    cli_out plain = cli_run(fx.dir, ARGS("run", "kinds.scn"));
    cli_out v = cli_run(fx.dir, ARGS("run", "kinds.scn", "-v"));
    cr_assert_eq(v.status, plain.status);
    cr_assert(strstr(v.out, "ok      line 5   expect leader within 1s -- saw "), "%s", v.out);
    cr_assert(strstr(v.out, ", first held at "), "when it first held: %s", v.out);
    cr_assert(strstr(v.out, "coverage:\n"), "%s", v.out);
    cr_assert_null(strstr(plain.out, "first held at"), "only with -v: %s", plain.out);
    cr_assert_null(strstr(plain.out, "coverage:\n"), "only with -v: %s", plain.out);
    cr_assert_eq(count(v.out, " -- saw") + count(v.err, " -- saw"), 6, "the failures still once");
    cli_out_free(&v);
    cli_out_free(&plain);
    cli_out h = cli_run(NULL, ARGS("run", "--help"));
    cr_assert(strstr(h.out, "-v, --verbose          also what every expectation saw"), "%s",
              h.out);
    cli_out_free(&h);
}

Test(plain, a_file_recorded_with_a_bug_says_so_when_run_with_that_bug_off)
{
    char text[1024];
    snprintf(text, sizeof text, "# shrunk by raftsim shrink from f/x.replay\n"
                                "# regression: election-safety\n# failed: election-safety\n"
                                "# bug: no-uptodate-check\n%sseed 1\n", cli_passing_scn);
    put("shrunk.scn", text);
    cli_out o = cli_run(fx.dir, ARGS("run", "shrunk.scn", "-q"));
    cr_assert_eq(o.status, 0, "the correct core passes it: %s", o.err);
    cr_assert(strstr(o.err, "raftsim run: note: shrunk.scn records a failure with "
                            "`--bug no-uptodate-check`"), "stderr: %s", o.err);
    cr_assert(strstr(o.err, "the verdict is the correct core's"), "%s", o.err);
    cli_out_free(&o);
    o = cli_run(fx.dir, ARGS("run", "ok.scn", "-q"));
    cr_assert_null(strstr(o.err, "note:"), "no note without a `# bug:` line: %s", o.err);
    cli_out_free(&o);
    /* replay switches the header's bugs on: a build without the catalogue refuses */
    cli_out v = cli_run(NULL, ARGS("--version"));
    bool catalogue = strstr(v.out, "bug catalogue") != NULL;
    cli_out_free(&v);
    o = cli_run(fx.dir, ARGS("replay", "shrunk.scn", "-q"));
    if (!catalogue) {
        cr_assert_eq(o.status, 2, "stdout: %s", o.out);
        cr_assert(strstr(o.err, "shrunk.scn: error: this replay needs `--bug "
                                "no-uptodate-check`, which only a bugs build has"), "%s", o.err);
    }
    cli_out_free(&o);
}
