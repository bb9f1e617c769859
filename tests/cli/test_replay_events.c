/* test_replay_events.c — a replay takes the same events as the run it was
 * written from, so a run that stops at its event limit (max-events) stops at
 * the same event, with the same trace hash, when replayed: also when some of
 * its actions did not fire (a target that resolved to nobody, a guard that
 * failed, a chaos fault's end at the liveness heal), and after a run-time
 * `cut leader <-> follower` (two one-way cuts in the replay file). */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli_harness.h"

TestSuite(replay_events, .init = fixture_init, .fini = fixture_fini);

/* Three actions that do not fire: nobody leads at 1 ms, somebody leads at
 * 500 ms, and the chaos heal at 1 s comes after the liveness heal (queued
 * first). Seed 1 runs past the heal and hits the event limit at 1.33 s. */
static const char skips_scn[] = "nodes 3\n"
                                "client c1 writer rate 200/s payload 16\n"
                                "duration 2s\n"
                                "max-events 2500\n"
                                "liveness heal-at 1s within 1s\n"
                                "at 1ms crash leader\n"
                                "at 500ms if no leader crash n1\n"
                                "at 600ms chaos isolate n1\n"
                                "at 1s chaos heal\n"
                                "expect no violations\n";

/* The same faults, every action firing. */
static const char plain_scn[] = "nodes 3\n"
                                "client c1 writer rate 200/s payload 16\n"
                                "duration 2s\n"
                                "max-events 2500\n"
                                "liveness heal-at 1s within 1s\n"
                                "at 600ms isolate n1\n"
                                "at 900ms heal\n"
                                "expect no violations\n";

/* Both ends resolved when the action fires: one scenario line, two one-way
 * cuts (two events) in the run and in its replay file. */
static const char both_ways_scn[] = "nodes 3\n"
                                    "client c1 writer rate 200/s payload 16\n"
                                    "duration 2s\n"
                                    "max-events 2500\n"
                                    "at 600ms cut leader <-> follower\n"
                                    "at 900ms uncut leader <-> follower\n"
                                    "expect no violations\n";

/* The number after `label` in text, or -1. */
static long long number_after(const char *text, const char *label)
{
    const char *p = text ? strstr(text, label) : NULL;
    return p ? strtoll(p + strlen(label), NULL, 10) : -1;
}

/* Sweep `name` (text `scn`) for seed 1: it must stop at its event limit.
 * Then replay the file the sweep wrote: same trace hash, same event count. */
static void limit_stop_replays_exactly(const char *name, const char *scn)
{
    char file[64], replay_rel[96];
    snprintf(file, sizeof file, "%s.scn", name);
    snprintf(replay_rel, sizeof replay_rel, "f/%s-seed1.replay", name);
    free(scratch_file(fx.dir, file, scn));
    cli_out o = cli_run(fx.dir, ARGS("sweep", file, "--seeds", "1", "--out", "f"));
    cr_assert_eq(o.status, 1, "the run fails; stdout: %s stderr: %s", o.out, o.err);
    char *replay = path_in(fx.dir, replay_rel);
    char *text = slurp(replay);
    cr_assert(text && strstr(text, "# failed: event-limit"), "stopped by max-events: %s", text);
    long long events = number_after(text, "# events: ");
    cr_assert_eq(events, 2501, "the run stops at event 2501: %s", text);
    unsigned long long recorded = trace_hash_in(text);
    cr_assert_neq(recorded, 0);

    cli_out r = cli_run(NULL, ARGS("replay", replay, "-q"));
    cr_assert_eq(r.status, 1, "the replay still fails; stderr: %s", r.err);
    cr_assert_eq(trace_hash_in(r.out), recorded, "the replay's trace hash: %s", r.out);
    cr_assert_eq(number_after(r.out, "events: "), events, "the replay's events: %s", r.out);
    cr_assert(strstr(r.out, "trace hash matches the recorded one"), "stdout: %s", r.out);
    cli_out_free(&r);
    free(text);
    free(replay);
    cli_out_free(&o);
}

Test(replay_events, a_run_stopped_at_its_event_limit_replays_to_the_same_hash_and_event)
{
    limit_stop_replays_exactly("plain", plain_scn);
}

Test(replay_events,
     a_limit_stop_after_actions_that_did_not_fire_replays_to_the_same_hash_and_event)
{
    limit_stop_replays_exactly("skips", skips_scn);
    char *replay = path_in(fx.dir, "f/skips-seed1.replay");
    char *text = slurp(replay);
    cr_assert(strstr(text, "\nat 1ms skipped\n") && strstr(text, "\nat 500ms skipped\n") &&
                  strstr(text, "\nat 1s skipped\n"),
              "each action that did not fire keeps its place: %s", text);
    free(text);
    free(replay);
}

Test(replay_events, a_limit_stop_after_a_run_time_two_way_cut_replays_to_the_same_hash_and_event)
{
    limit_stop_replays_exactly("both", both_ways_scn);
}

Test(replay_events, a_skipped_action_is_one_event_that_changes_nothing)
{
    free(scratch_file(fx.dir, "a.scn", "nodes 3\nduration 1s\nclient c1 writer rate 50/s\n"));
    free(scratch_file(fx.dir, "b.scn", "nodes 3\nduration 1s\nclient c1 writer rate 50/s\n"
                                       "at 500ms skipped\n"));
    cli_out a = cli_run(fx.dir, ARGS("run", "a.scn", "-q"));
    cli_out b = cli_run(fx.dir, ARGS("run", "b.scn", "-q"));
    cr_assert_eq(a.status, 0, "stderr: %s", a.err);
    cr_assert_eq(b.status, 0, "stderr: %s", b.err);
    cr_assert_eq(trace_hash_in(b.out), trace_hash_in(a.out), "%s / %s", a.out, b.out);
    cr_assert_eq(number_after(b.out, "events: "), number_after(a.out, "events: ") + 1,
                 "%s / %s", a.out, b.out);
    cli_out_free(&a);
    cli_out_free(&b);
}

/* sweep --check-determinism reruns a failing seed from the replay file it
 * wrote: the limit stop after skipped actions must come out the same. */
Test(replay_events, check_determinism_reruns_a_failing_seed_from_its_replay_file)
{
    free(scratch_file(fx.dir, "skips.scn", skips_scn));
    cli_out o = cli_run(fx.dir, ARGS("sweep", "skips.scn", "--seeds", "1-3",
                                     "--check-determinism", "--out", "f"));
    cr_assert_eq(o.status, 1, "seed 1 fails (event limit); stdout: %s", o.out);
    cr_assert(strstr(o.out, "event-limit"), "stdout: %s", o.out);
    cr_assert_null(strstr(o.out, "nondeterminism"), "stdout: %s stderr: %s", o.out, o.err);
    cli_out_free(&o);
}
