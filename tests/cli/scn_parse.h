/* scn_parse.h — parsing scenario text in the CLI tests (scn_parse.c), the
 * helpers five test files had each copied. */
#ifndef TESTS_SCN_PARSE_H
#define TESTS_SCN_PARSE_H

#include "../../sim/scenario/scenario.h"

/* The text parses (the test fails with the parser's message otherwise). */
void parse_ok(const char *text, scenario *sc);
/* The text is refused with exit status 2 and a message starting want_prefix. */
void parse_fails(const char *text, const char *want_prefix);

#endif
