/* fuzz_scenario.c — libFuzzer target: scenario_parse on arbitrary bytes.
 *
 * Any input must either be rejected with a "path:line:col: error:" message
 * and status 2, or parse; a parsed plan must survive scenario_write and
 * parse back, and its chaos block must expand without trouble. Crashes,
 * leaks and sanitizer reports are the bugs this looks for. */
#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../sim/scenario/scenario.h"

static void check_round_trip(const scenario *sc)
{
    sim_action *chaos = NULL;
    size_t n_chaos = 0;
    if (scenario_expand_chaos(sc, 1, &chaos, &n_chaos) != 0)
        return; /* out of memory: nothing to check */
    size_t n = sc->n_actions + n_chaos;
    sim_action *all = malloc((n ? n : 1) * sizeof *all);
    if (!all) {
        free(chaos);
        return;
    }
    if (sc->n_actions)
        memcpy(all, sc->actions, sc->n_actions * sizeof *all);
    if (n_chaos)
        memcpy(all + sc->n_actions, chaos, n_chaos * sizeof *all);
    char *text = NULL, err[512];
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    if (f) {
        int wrc = scenario_write(f, sc, all, n, 1, "fuzz");
        fclose(f);
        scenario back;
        int rc = wrc == 0 ? scenario_parse("written", text, len, &back, err, sizeof err) : 2;
        if (wrc == 0 && rc != 0) {
            fprintf(stderr, "written plan does not parse: %s\n%s", err, text);
            abort();
        }
        if (rc == 0) {
            assert(back.n_actions == n);
            assert(back.n_expects == sc->n_expects);
            scenario_free(&back);
        }
    }
    free(text);
    free(all);
    free(chaos);
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
    scenario sc;
    char err[512];
    int rc = scenario_parse("fuzz.scn", (const char *)data, size, &sc, err, sizeof err);
    if (rc != 0) {
        assert(rc == 2);
        assert(strncmp(err, "fuzz.scn:", 9) == 0 && strstr(err, ": error: expected"));
        return 0;
    }
    if (sc.cfg.duration_ns <= 60 * UINT64_C(1000000000)) /* keep chaos expansion small */
        check_round_trip(&sc);
    scenario_free(&sc);
    return 0;
}
