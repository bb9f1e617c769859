/* test_cli.c — the raftsim command as a user sees it: exit codes, where
 * output goes, replay files, resuming, merging, shrinking. Drives the built
 * binary named by RAFTSIM_BIN. Scenarios are tiny so the suite stays fast. */
#include <criterion/criterion.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli_harness.h"

/* Every test starts in a scratch folder with ok.scn and bad.scn (fx). */
TestSuite(cli, .init = fixture_init, .fini = fixture_fini);

Test(cli, help_and_version_exit_zero_and_print_usage_on_stdout)
{
    cli_out o = cli_run(NULL, ARGS("--help"));
    cr_assert_eq(o.status, 0);
    cr_assert(strstr(o.out, "usage: raftsim"), "stdout: %s", o.out);
    cli_out_free(&o);
    o = cli_run(NULL, ARGS("--version"));
    cr_assert_eq(o.status, 0);
    cr_assert(strncmp(o.out, "raftsim ", 8) == 0, "stdout: %s", o.out);
    cli_out_free(&o);
    static const char *const cmds[] = { "run", "sweep", "replay", "shrink" };
    for (size_t i = 0; i < 4; i++) {
        o = cli_run(NULL, ARGS(cmds[i], "--help"));
        cr_assert_eq(o.status, 0, "%s --help", cmds[i]);
        cr_assert(strstr(o.out, "usage: raftsim"), "%s --help: %s", cmds[i], o.out);
        /* Usage texts are printed verbatim, not as formats: a "%%" written
         * for printf would show doubled. */
        cr_assert_null(strstr(o.out, "%%"), "%s --help: %s", cmds[i], o.out);
        cli_out_free(&o);
    }
}

Test(cli, unknown_command_exits_two_with_a_message_on_stderr_and_nothing_on_stdout)
{
    cli_out o = cli_run(NULL, ARGS("frobnicate"));
    cr_assert_eq(o.status, 2);
    cr_assert_str_empty(o.out);
    cr_assert(strstr(o.err, "unknown command"), "stderr: %s", o.err);
    cli_out_free(&o);
}

Test(cli, unknown_option_exits_two_with_a_message_on_stderr_and_nothing_on_stdout)
{
    cli_out o = cli_run(NULL, ARGS("run", fx.ok, "--no-such-option"));
    cr_assert_eq(o.status, 2);
    cr_assert_str_empty(o.out);
    cr_assert(strstr(o.err, "--no-such-option"), "stderr: %s", o.err);
    cli_out_free(&o);
    o = cli_run(NULL, ARGS("sweep", fx.ok, "--seeds", "9-3"));
    cr_assert_eq(o.status, 2, "a backwards seed range is bad input");
    cr_assert_str_empty(o.out);
    cli_out_free(&o);
}

Test(cli, malformed_scenario_reports_file_line_col_error_and_exits_two)
{
    free(scratch_file(fx.dir, "bad.scn", "nodes 3\nduration 1s\nfrobnicate 7\n"));
    cli_out o = cli_run(fx.dir, ARGS("run", "bad.scn"));
    cr_assert_eq(o.status, 2);
    cr_assert(strstr(o.err, "bad.scn:3:1: error:"), "stderr: %s", o.err);
    cr_assert_str_empty(o.out);
    cli_out_free(&o);
}

Test(cli, run_of_a_passing_scenario_exits_zero_and_prints_the_trace_hash)
{
    cli_out o = cli_run(NULL, ARGS("run", fx.ok, "--seed", "7"));
    cr_assert_eq(o.status, 0, "stderr: %s", o.err);
    cr_assert(strstr(o.out, "verdict: PASS"), "stdout: %s", o.out);
    cr_assert_neq(trace_hash_in(o.out), 0);
    cli_out_free(&o);
}

Test(cli, running_the_same_seed_twice_gives_the_same_trace_hash)
{
    cli_out a = cli_run(NULL, ARGS("run", fx.ok, "--seed", "11", "-q"));
    cli_out b = cli_run(NULL, ARGS("run", fx.ok, "--seed", "11", "-q"));
    cli_out c = cli_run(NULL, ARGS("run", fx.ok, "--seed", "12", "-q"));
    cr_assert_neq(trace_hash_in(a.out), 0);
    cr_assert_eq(trace_hash_in(a.out), trace_hash_in(b.out));
    cr_assert_neq(trace_hash_in(a.out), trace_hash_in(c.out), "another seed, another run");
    cli_out_free(&a);
    cli_out_free(&b);
    cli_out_free(&c);
}

Test(cli, check_determinism_passes_for_a_deterministic_run)
{
    cli_out o = cli_run(NULL, ARGS("run", fx.ok, "--check-determinism", "-q"));
    cr_assert_eq(o.status, 0, "stderr: %s", o.err);
    cr_assert(strstr(o.out, "determinism: both runs gave trace-hash"), "stdout: %s", o.out);
    cli_out_free(&o);
}

Test(cli, run_writes_trace_and_metrics_files_completely_and_leaves_no_temporary)
{
    cli_out o = cli_run(fx.dir, ARGS("run", "ok.scn", "--trace", "t.jsonl", "--metrics",
                                     "m.csv", "-q"));
    cr_assert_eq(o.status, 0, "stderr: %s", o.err);
    char *path = path_in(fx.dir, "t.jsonl");
    char *trace = slurp(path);
    cr_assert(trace && trace[0] == '{', "the trace is JSON Lines");
    cr_assert_eq(trace[strlen(trace) - 1], '\n', "the trace ends with a complete line");
    cr_assert_eq(count_files(fx.dir, ".tmp"), 0);
    cr_assert_eq(count_files(fx.dir, ".csv"), 1);
    free(trace);
    free(path);
    cli_out_free(&o);
}

Test(cli, run_of_a_failing_scenario_exits_one_and_names_the_expectation)
{
    cli_out o = cli_run(NULL, ARGS("run", fx.bad, "-q"));
    cr_assert_eq(o.status, 1);
    cr_assert(strstr(o.out, "verdict: FAIL"), "stdout: %s", o.out);
    cr_assert(strstr(o.out, "expect#1"), "the failed expectation (the file's first): %s", o.out);
    cli_out_free(&o);
}

Test(cli, bug_option_is_refused_without_the_catalogue_or_listed_with_it)
{
    cli_out v = cli_run(NULL, ARGS("--version"));
    bool compiled = strstr(v.out, "bug catalogue") != NULL;
    cli_out_free(&v);
    cli_out o = cli_run(NULL, ARGS("--bug", "list"));
    cr_assert_eq(o.status, 0);
    cr_assert(strstr(o.out, "no-uptodate-check"), "stdout: %s", o.out);
    cli_out_free(&o);
    o = cli_run(NULL, ARGS("run", "whatever.scn", "--bug", "no-uptodate-check"));
    if (compiled) {
        cr_assert_eq(o.status, 2, "a missing file is still bad input");
    } else {
        cr_assert_eq(o.status, 2);
        cr_assert(strstr(o.err, "make bugs"), "stderr: %s", o.err);
    }
    cli_out_free(&o);
    o = cli_run(NULL, ARGS("--bug", "no-such-bug", "run", "x.scn"));
    cr_assert_eq(o.status, 2);
    cr_assert(strstr(o.err, "unknown bug"), "stderr: %s", o.err);
    cli_out_free(&o);
}

Test(cli, an_unwritable_output_file_is_bad_input_and_leaves_nothing_behind)
{
    cli_out o = cli_run(fx.dir, ARGS("run", "ok.scn", "--trace", "no/such/folder/t.jsonl"));
    cr_assert_eq(o.status, 2);
    cr_assert(strstr(o.err, "cannot write"), "stderr: %s", o.err);
    cr_assert_eq(count_files(fx.dir, ".tmp"), 0);
    cli_out_free(&o);
    o = cli_run(fx.dir, ARGS("sweep", "ok.scn", "--seeds", "1-2", "--out", "ok.scn"));
    cr_assert_eq(o.status, 2, "--out names a file, not a folder");
    cr_assert_str_empty(o.out);
    cli_out_free(&o);
}

Test(cli, set_overrides_a_setting_and_a_bad_override_is_bad_input)
{
    cli_out a = cli_run(NULL, ARGS("run", fx.ok, "-q"));
    cli_out b = cli_run(NULL, ARGS("run", fx.ok, "-q", "--set", "nodes=5"));
    cr_assert_eq(b.status, 0, "stderr: %s", b.err);
    cr_assert_neq(trace_hash_in(a.out), trace_hash_in(b.out), "five nodes make another run");
    cli_out c = cli_run(NULL, ARGS("run", fx.ok, "--set", "nodes=banana"));
    cr_assert_eq(c.status, 2);
    cr_assert_str_empty(c.out);
    cli_out_free(&a);
    cli_out_free(&b);
    cli_out_free(&c);
}
