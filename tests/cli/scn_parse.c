/* scn_parse.c — parsing, running and replaying scenario text in the CLI
 * tests (scn_parse.h). */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../sim/scenario/expect.h"
#include "../../sim/scenario/runner.h"
#include "scn_parse.h"

void parse_ok(const char *text, scenario *sc)
{
    char err[512];
    int rc = scenario_parse("t.scn", text, strlen(text), sc, err, sizeof err);
    cr_assert_eq(rc, 0, "parse failed: %s", err);
}

void parse_fails(const char *text, const char *want_prefix)
{
    scenario sc;
    char err[512];
    int rc = scenario_parse("t.scn", text, strlen(text), &sc, err, sizeof err);
    cr_assert_eq(rc, 2, "parsed, but should fail with %s", want_prefix);
    cr_assert(strncmp(err, want_prefix, strlen(want_prefix)) == 0, "want %s\ngot  %s",
              want_prefix, err);
}

sim *run_to(const char *text, scenario *sc, uint64_t seed, uint64_t t_ns)
{
    char err[256];
    parse_ok(text, sc);
    sim *s = sim_new(&sc->cfg, seed, err, sizeof err);
    cr_assert(s, "%s", err);
    for (size_t i = 0; i < sc->n_actions; i++)
        cr_assert_eq(sim_add_action(s, &sc->actions[i]), 0, "action %zu refused", i);
    sim_run_until(s, t_ns);
    return s;
}

char *write_text(const scenario *sc, const sim_action *a, size_t n, uint64_t seed)
{
    char *buf = NULL;
    size_t len;
    FILE *f = open_memstream(&buf, &len);
    cr_assert(f);
    cr_assert_eq(scenario_write(f, sc, a, n, seed, "test"), 0);
    fclose(f);
    return buf;
}

size_t replay_gives_same_trace(const char *text, uint64_t seed)
{
    scenario sc, re;
    parse_ok(text, &sc);
    run_options opt = { 0 };
    run_result a, b;
    char err[256];
    cr_assert_eq(run_scenario(&sc, seed, &opt, &a, err, sizeof err), 0, "%s", err);
    char *replay = write_text(&sc, a.executed, a.n_executed, seed);
    parse_ok(replay, &re);
    cr_assert_eq(run_scenario(&re, seed, &opt, &b, err, sizeof err), 0, "%s", err);
    cr_expect_eq(a.trace_hash, b.trace_hash, "replay:\n%s", replay);
    size_t executed = a.n_executed;
    free(replay);
    run_result_free(&a);
    run_result_free(&b);
    scenario_free(&sc);
    scenario_free(&re);
    return executed;
}

bool run_passes(const char *text, uint64_t seed, char *why, size_t cap)
{
    scenario sc;
    parse_ok(text, &sc);
    run_options opt = { 0 };
    run_result res;
    char err[256];
    cr_assert_eq(run_scenario(&sc, seed, &opt, &res, err, sizeof err), 0, "%s", err);
    snprintf(why, cap, "%s", res.reason);
    bool passed = res.passed;
    run_result_free(&res);
    scenario_free(&sc);
    return passed;
}

int64_t expect_now(const sim *s, const char *plan, const char *expect_line)
{
    scenario sc;
    char text[1024];
    snprintf(text, sizeof text, "%s%s\n", plan, expect_line);
    parse_ok(text, &sc);
    int64_t l, r;
    cr_assert(expect_sides(&sc.expects[0], s, &l, &r), "%s", expect_line);
    scenario_free(&sc);
    return l - r;
}

char *write_parse_write(const scenario *x, scenario *y)
{
    char *once = write_text(x, x->actions, x->n_actions, 1);
    parse_ok(once, y);
    char *twice = write_text(y, y->actions, y->n_actions, 1);
    cr_expect_str_eq(twice, once, "writing is a fixed point");
    free(twice);
    return once;
}
