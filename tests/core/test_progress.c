/* test_progress.c — follower progress (core/progress.h): states, the
 * window in messages and bytes, staleness by index, the RTO rule. */
#include "../../core/progress.h"

#include <criterion/criterion.h>

#define MS (UINT64_C(1000000))

static const raft_progress_limits LIM = {
    .window = 4, .bytes = 100, .rto_min_ns = 50 * MS, .rto_max_ns = 1000 * MS};

Test(progress, a_probe_has_one_message_in_flight_and_does_not_move_next)
{
    raft_progress pr;
    raft_progress_init(&pr, 3, 5);
    cr_assert_eq(pr.state, PROGRESS_PROBE);
    cr_assert_not(raft_progress_paused(&pr, &LIM));
    raft_progress_sent(&pr, 1, 7, 10, 0);
    cr_assert(raft_progress_paused(&pr, &LIM), "one probe at a time");
    cr_assert_eq(pr.next, 5, "a probe does not advance nextIndex");
}

Test(progress, replicate_is_limited_in_messages_and_in_bytes)
{
    raft_progress pr;
    raft_progress_init(&pr, 3, 1);
    raft_progress_become_replicate(&pr, 0);
    for (uint64_t i = 1; i <= 4; i++) {
        cr_assert_not(raft_progress_paused(&pr, &LIM));
        raft_progress_sent(&pr, i, i, 1, 0);
        cr_assert_eq(pr.next, i + 1, "optimistic");
    }
    cr_assert(raft_progress_paused(&pr, &LIM), "four messages");
    raft_progress_acked(&pr, 4, 1);
    cr_assert_eq(pr.count, 0);
    raft_progress_sent(&pr, 5, 5, 60, 1);
    cr_assert_not(raft_progress_paused(&pr, &LIM));
    raft_progress_sent(&pr, 6, 6, 60, 1);
    cr_assert(raft_progress_paused(&pr, &LIM), "120 bytes >= 100 in flight");
    cr_assert_eq(pr.bytes, 120);
    raft_progress_acked(&pr, 5, 2);
    cr_assert_eq(pr.bytes, 60);
    cr_assert_not(raft_progress_paused(&pr, &LIM));
}

Test(progress, staleness_is_judged_by_the_rejected_index)
{
    raft_progress pr;
    raft_progress_init(&pr, 3, 8);
    cr_assert_not(raft_progress_reject_stale(&pr, 3, 7), "probe: N - 1 is current");
    cr_assert(raft_progress_reject_stale(&pr, 3, 6));
    cr_assert(raft_progress_reject_stale(&pr, 3, 9));
    raft_progress_become_replicate(&pr, 7);
    cr_assert(raft_progress_reject_stale(&pr, 7, 7), "replicate: at or below match");
    cr_assert(raft_progress_reject_stale(&pr, 7, 2));
    cr_assert_not(raft_progress_reject_stale(&pr, 7, 8));
    raft_progress_become_snapshot(&pr);
    cr_assert(raft_progress_reject_stale(&pr, 7, 8), "snapshot: every rejection");
}

Test(progress, becoming_replicate_keeps_the_probe_in_flight)
{
    raft_progress pr;
    raft_progress_init(&pr, 3, 5);
    raft_progress_sent(&pr, 1, 9, 10, 0); /* probe of 5..9 */
    raft_progress_become_replicate(&pr, 4);
    cr_assert_eq(pr.count, 1);
    cr_assert_eq(pr.next, 10, "send after the probe, not its entries again");
}

Test(progress, becoming_probe_or_snapshot_empties_the_window)
{
    raft_progress pr;
    raft_progress_init(&pr, 3, 1);
    raft_progress_become_replicate(&pr, 0);
    raft_progress_sent(&pr, 1, 3, 30, 0);
    raft_progress_become_probe(&pr, 1, 2);
    cr_assert_eq(pr.state, PROGRESS_PROBE);
    cr_assert_eq(pr.count, 0);
    cr_assert_eq(pr.bytes, 0);
    cr_assert_eq(pr.next, 2);
    raft_progress_sent(&pr, 2, 3, 30, 0);
    raft_progress_become_snapshot(&pr);
    cr_assert_eq(pr.count, 0);
    cr_assert(raft_progress_paused(&pr, &LIM));
}

Test(progress, the_rto_backs_off_to_its_cap_and_progress_resets_it)
{
    raft_progress pr;
    raft_progress_init(&pr, 3, 1);
    cr_assert_eq(raft_progress_rto(&pr, &LIM), 50 * MS, "no sample: the minimum");
    uint64_t want[] = {100, 200, 400, 800, 1000, 1000};
    for (int i = 0; i < 6; i++) {
        raft_progress_backoff(&pr);
        cr_assert_eq(raft_progress_rto(&pr, &LIM), want[i] * MS, "after %d timeouts", i + 1);
    }
    raft_progress_sent(&pr, 1, 1, 0, 0);
    cr_assert(raft_progress_acked(&pr, 1, 80 * MS));
    cr_assert_eq(pr.backoff, 0, "progress ends the backoff");
}

Test(progress, the_timer_restarts_on_every_acknowledgement_that_frees_the_window)
{
    raft_progress pr;
    raft_progress_init(&pr, 3, 1);
    raft_progress_become_replicate(&pr, 0);
    for (uint64_t i = 1; i <= 4; i++)
        raft_progress_sent(&pr, i, i, 1, 0);
    cr_assert(raft_progress_timed_out(&pr, &LIM, 50 * MS));
    cr_assert(raft_progress_acked(&pr, 1, 45 * MS));
    cr_assert_not(raft_progress_timed_out(&pr, &LIM, 50 * MS), "acked 5 ms ago");
    cr_assert_not(raft_progress_acked(&pr, 1, 60 * MS), "nothing new: no progress");
    cr_assert(raft_progress_timed_out(&pr, &LIM, 200 * MS));
}

Test(progress, round_trips_are_smoothed_as_rfc_6298)
{
    raft_progress pr;
    raft_progress_init(&pr, 3, 1);
    raft_progress_sent(&pr, 7, 1, 0, 0);
    cr_assert_eq(raft_progress_rtt_sample(&pr, 8, 10 * MS), UINT64_MAX, "not in the window");
    cr_assert_eq(raft_progress_rtt_sample(&pr, 7, 80 * MS), 80 * MS);
    cr_assert_eq(pr.srtt_ns, 80 * MS);
    cr_assert_eq(pr.rttvar_ns, 40 * MS);
    cr_assert_eq(raft_progress_rto(&pr, &LIM), 240 * MS, "SRTT + 4 RTTVAR");
}
