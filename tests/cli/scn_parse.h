/* scn_parse.h — parsing, running and replaying scenario text in the CLI
 * tests (scn_parse.c), the helpers several test files had each copied. */
#ifndef TESTS_SCN_PARSE_H
#define TESTS_SCN_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../../sim/scenario/scenario.h"
#include "../../sim/world/sim.h"

/* The text parses (the test fails with the parser's message otherwise). */
void parse_ok(const char *text, scenario *sc);
/* The text is refused with exit status 2 and a message starting want_prefix. */
void parse_fails(const char *text, const char *want_prefix);

/* Parse the text, start a simulator with every action scheduled, run it to
 * t_ns; the caller frees the simulator and the scenario. */
sim *run_to(const char *text, scenario *sc, uint64_t seed, uint64_t t_ns);
/* The plan with these actions written back as scenario text with this seed
 * line (the writer must succeed); the caller frees it. */
char *write_text(const scenario *sc, const sim_action *a, size_t n, uint64_t seed);
/* Run the text with this seed, write the actions it executed as a replay,
 * run the replay with the same seed: the trace hashes must be equal.
 * Returns how many actions the first run executed. */
size_t replay_gives_same_trace(const char *text, uint64_t seed);
/* x written (seed 1), parsed into y, y written again: the same text (a
 * fixed point). Returns the text; the caller frees it and y. */
char *write_parse_write(const scenario *x, scenario *y);
/* Run the text with this seed: did it pass? `why` gets the reason if not. */
bool run_passes(const char *text, uint64_t seed, char *why, size_t cap);
/* lhs - rhs of the first expectation of plan + expect_line, on s now. */
int64_t expect_now(const sim *s, const char *plan, const char *expect_line);

#endif
