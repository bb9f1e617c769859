/* scenario_write_repeat.c — a plan written back as it was parsed keeps its
 * `repeat N every D from T { ... }` blocks (the trace header's
 * configuration, a shrunk file whose block survived intact): the block is
 * written when the actions at its place still are its rounds exactly —
 * every round a copy of the first, shifted by D, the first within [T, T + D),
 * nothing before it later than T and nothing after it earlier than the end
 * of the last round — so parsing the block gives back these very actions.
 * Anything else (a replay's executed actions, a schedule with chaos drawn
 * into it, a block one of whose actions a shrink removed) is written one
 * line per action, as before. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scenario_int.h"

/* Whether `a` and `b` are written as the same line: what parsing gives back
 * (a byte comparison of the structs would also compare their padding,
 * whose values C leaves unspecified). False without memory. */
static bool same_line(const sim_config *cfg, const sim_action *a, const sim_action *b)
{
    char *text[2] = {NULL, NULL};
    size_t len[2] = {0, 0};
    const sim_action *act[2] = {a, b};
    bool ok = true;
    for (int k = 0; k < 2; k++) {
        FILE *mem = open_memstream(&text[k], &len[k]);
        if (!mem) {
            ok = false;
            break;
        }
        scn_write_action(mem, cfg, act[k]);
        ok = fclose(mem) == 0 && ok;
    }
    bool same = ok && text[0] && text[1] && len[0] == len[1] && memcmp(text[0], text[1], len[0]) == 0;
    free(text[0]);
    free(text[1]);
    return same;
}

static bool intact(const scn_repeat *r, const sim_config *cfg, const sim_action *a, size_t n)
{
    if (r->per_round == 0 || r->rounds == 0 || r->first + r->per_round * r->rounds > n)
        return false;
    uint64_t end = r->from_ns + r->rounds * r->every_ns;
    if ((r->first > 0 && a[r->first - 1].at_ns > r->from_ns) ||
        (r->first + r->per_round * r->rounds < n &&
         a[r->first + r->per_round * r->rounds].at_ns < end))
        return false;
    const sim_action *round = a + r->first;
    for (size_t i = 0; i < r->per_round; i++)
        if (round[i].at_ns < r->from_ns || round[i].at_ns - r->from_ns >= r->every_ns)
            return false;
    for (uint64_t k = 1; k < r->rounds; k++)
        for (size_t i = 0; i < r->per_round; i++) {
            sim_action want = round[i];
            want.at_ns += k * r->every_ns;
            if (!same_line(cfg, &want, &round[k * r->per_round + i]))
                return false;
        }
    return true;
}

size_t scn_write_repeat(FILE *out, const scenario *sc, const sim_action *a, size_t n, size_t i)
{
    for (size_t b = 0; b < sc->n_repeats; b++) {
        const scn_repeat *r = &sc->repeats[b];
        if (r->first != i || !intact(r, &sc->cfg, a, n))
            continue;
        fprintf(out, "repeat %" PRIu64 " every ", r->rounds);
        scn_write_duration(out, r->every_ns);
        fputs(" from ", out);
        scn_write_duration(out, r->from_ns);
        fputs(" {\n", out);
        for (size_t k = 0; k < r->per_round; k++) {
            sim_action in_round = a[i + k];
            in_round.at_ns -= r->from_ns; /* times count from the round's start */
            fputs("    ", out);
            scn_write_action(out, &sc->cfg, &in_round);
        }
        fputs("}\n", out);
        return r->per_round * r->rounds;
    }
    return 0;
}
