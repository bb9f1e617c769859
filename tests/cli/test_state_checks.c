/* test_state_checks.c — the correct core stays clean under the checks of the
 * log buffer's state (issue 15): the state digest compared at every applied
 * index and verified by every restore, the exactly-once decision compared
 * across nodes at every index, and every read's state against the committed
 * log. The swarms are those `make bugcheck` hunts the catalogue bugs with
 * (restore-bad-record, dedup-neighbour, read-counts-dups are each caught
 * there within a few seeds). */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli_harness.h"

TestSuite(state_checks, .init = fixture_init, .fini = fixture_fini);

Test(state_checks, the_correct_core_passes_the_bug_hunting_swarms_with_every_state_check_on,
     .timeout = 240)
{
    const char *const scns[] = {"tests/bugcheck/swarm5.scn", "tests/bugcheck/swarm3.scn",
                                "scenarios/chaos.scn"};
    for (size_t i = 0; i < sizeof scns / sizeof scns[0]; i++) {
        char name[16];
        snprintf(name, sizeof name, "out%zu", i);
        char *out = path_in(fx.dir, name);
        cli_out o = cli_run(NULL, ARGS("sweep", scns[i], "--seeds", "1-25", "-j", "2", "--out", out));
        cr_assert_eq(o.status, 0, "%s: stdout %s stderr %s", scns[i], o.out, o.err);
        cr_assert(strstr(o.out, "passed"), "%s: %s", scns[i], o.out);
        cli_out_free(&o);
        free(out);
    }
}
