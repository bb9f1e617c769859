/* scn_parse.c — parsing scenario text in the CLI tests (scn_parse.h). */
#include <criterion/criterion.h>
#include <string.h>

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
