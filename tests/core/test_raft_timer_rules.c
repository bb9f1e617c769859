/* test_raft_timer_rules.c — the election-timer options: which step-down
 * re-arms the timer (raft_config.stepdown_timer) and timeouts drawn in whole
 * steps (raft_config.election_timeout_step_ns). */
#include "fake_host.h"

#include <criterion/criterion.h>

static fhost H;

static void setup3(void) { fh_init(&H, 1, 3); }
static void teardown(void) { fh_free(&H); }

TestSuite(raft_timer_rules, .init = setup3, .fini = teardown);

/* Start node 1 with a log of two entries of term 1 (so a candidate with an
 * empty log is refused), under the given step-down rule. */
static void start_with_log(enum raft_stepdown_timer rule)
{
    uint64_t terms[] = {1, 1};
    fh_seed_log(&H, 1, terms, 2);
    H.cfg.stepdown_timer = (uint8_t)rule;
    fh_start(&H);
}

/* A candidate (term 2) refuses a stale-log candidate of term 3: it steps down. */
static uint64_t candidate_steps_down(enum raft_stepdown_timer rule, uint64_t *before)
{
    start_with_log(rule);
    fh_fire(&H);
    fh_persist_all(&H);
    cr_assert_eq(raft_role(H.node), RAFT_CANDIDATE);
    fh_advance(&H, 100 * MS);
    *before = raft_next_deadline(H.node);
    raft_msg rv = fh_vote_req(3, 3, 0, 0);
    fh_deliver(&H, &rv);
    cr_assert_eq(raft_role(H.node), RAFT_FOLLOWER);
    cr_assert_eq(raft_term(H.node), 3);
    return raft_next_deadline(H.node);
}

Test(raft_timer_rules, default_rule_rearms_a_candidate_that_steps_down)
{
    uint64_t before, after = candidate_steps_down(RAFT_STEPDOWN_RESET_NOT_FOLLOWER, &before);
    cr_assert_eq(after, H.now + 150 * MS, "re-armed from now");
    cr_assert_neq(after, before);
}

Test(raft_timer_rules, logcabin_rule_keeps_a_stepping_down_candidates_deadline)
{
    uint64_t before, after = candidate_steps_down(RAFT_STEPDOWN_RESET_LEADER, &before);
    cr_assert_eq(after, before, "LogCabin stepDown re-arms only a former leader");
}

Test(raft_timer_rules, etcd_rule_rearms_a_follower_that_refuses_a_higher_term)
{
    start_with_log(RAFT_STEPDOWN_RESET_ALWAYS);
    fh_advance(&H, 100 * MS);
    raft_msg rv = fh_vote_req(3, 5, 0, 0); /* stale log: refused */
    fh_deliver(&H, &rv);
    cr_assert_eq(raft_term(H.node), 5);
    cr_assert_eq(raft_next_deadline(H.node), H.now + 150 * MS);
}

Test(raft_timer_rules, default_and_logcabin_rules_keep_a_refusing_followers_deadline)
{
    enum raft_stepdown_timer rules[] = {RAFT_STEPDOWN_RESET_NOT_FOLLOWER,
                                        RAFT_STEPDOWN_RESET_LEADER};
    for (int i = 0; i < 2; i++) {
        fh_free(&H);
        fh_init(&H, 1, 3);
        start_with_log(rules[i]);
        fh_advance(&H, 100 * MS);
        uint64_t before = raft_next_deadline(H.node);
        raft_msg rv = fh_vote_req(3, 5, 0, 0);
        fh_deliver(&H, &rv);
        cr_assert_eq(raft_term(H.node), 5);
        cr_assert_eq(raft_next_deadline(H.node), before, "rule %d", (int)rules[i]);
    }
}

Test(raft_timer_rules, every_rule_rearms_a_leader_that_steps_down)
{
    enum raft_stepdown_timer rules[] = {RAFT_STEPDOWN_RESET_NOT_FOLLOWER,
                                        RAFT_STEPDOWN_RESET_LEADER, RAFT_STEPDOWN_RESET_ALWAYS};
    for (int i = 0; i < 3; i++) {
        fh_free(&H);
        fh_init(&H, 1, 3);
        start_with_log(rules[i]);
        fh_make_leader(&H);
        cr_assert_eq(raft_role(H.node), RAFT_LEADER);
        fh_advance(&H, 10 * MS);
        raft_msg rv = fh_vote_req(3, raft_term(H.node) + 1, 0, 0);
        fh_deliver(&H, &rv);
        cr_assert_eq(raft_role(H.node), RAFT_FOLLOWER);
        cr_assert_eq(raft_next_deadline(H.node), H.now + 150 * MS, "rule %d", (int)rules[i]);
    }
}

Test(raft_timer_rules, invalid_rule_is_rejected)
{
    H.cfg.stepdown_timer = RAFT_STEPDOWN_RESET_ALWAYS + 1;
    cr_assert_null(raft_new(&H.cfg, &H.io, NULL));
}

Test(raft_timer_rules, timeouts_in_whole_steps)
{
    H.cfg.election_timeout_step_ns = 1 * MS;
    H.rand_value = 7; /* 7 % 151 = 7 whole steps */
    fh_start(&H);
    cr_assert_eq(raft_next_deadline(H.node) - H.now, 157 * MS);
    H.rand_value = 150; /* the last step: the maximum */
    fh_fire(&H);
    cr_assert_eq(raft_next_deadline(H.node) - H.now, 300 * MS);
    H.rand_state = 999;
    for (int i = 0; i < 50; i++) {
        fh_fire(&H);
        uint64_t d = raft_next_deadline(H.node) - H.now;
        cr_assert_eq(d % MS, 0, "a whole number of milliseconds");
        cr_assert_geq(d, 150 * MS);
        cr_assert_leq(d, 300 * MS);
    }
}

Test(raft_timer_rules, step_zero_draws_to_the_nanosecond)
{
    H.rand_value = 7;
    fh_start(&H);
    cr_assert_eq(raft_next_deadline(H.node) - H.now, 150 * MS + 7);
}
