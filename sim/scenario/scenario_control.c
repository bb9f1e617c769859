/* scenario_control.c — repetition: `repeat N every D [from T] { at ... }`.
 *
 * The block's `at` lines give times within one round (0 <= t < D; `+500ms`
 * counts from the previous line of the block). Round k (0-based) starts at
 * T + k·D; T defaults to the time of the previous `at`. The block is
 * unrolled when the file is read, into N copies of its actions in time
 * order; what each copy does is decided when it fires (leader, follower and
 * names resolve then, and `if` guards are evaluated then), so the run stays
 * a function of the seed. Bounded: at most SCN_MAX_REPEAT_ROUNDS rounds, and
 * the unrolled plan within SCN_MAX_ACTIONS actions and the longest run. */
#include <stdlib.h>
#include <string.h>

#include "scenario_int.h"

int scn_cmd_repeat(scn_parser *p)
{
    const scn_tok *first = &p->ln->tok[0];
    if (p->in_repeat)
        return scn_error(p, first->col, "expected '}' to close the repeat block of line %u "
                         "before another `repeat` (blocks do not nest)", p->repeat_line);
    int rc = scn_uint(p, 1, SCN_MAX_REPEAT_ROUNDS, "a number of rounds (SCN_MAX_REPEAT_ROUNDS)",
                      &p->repeat_rounds);
    if (rc || (rc = scn_keyword(p, "every")) ||
        (rc = scn_duration(p, "a round length (e.g. 100ms)", &p->repeat_every_ns)))
        return rc;
    if (p->repeat_every_ns == 0)
        return scn_error(p, p->ln->tok[p->pos - 1].col, "expected a round length above 0");
    p->repeat_from_ns = p->last_at_ns;
    if (scn_peek_is(p, "from")) {
        p->pos++;
        const scn_tok *t = scn_peek(p);
        if ((rc = scn_duration(p, "a start time (e.g. 2s)", &p->repeat_from_ns)))
            return rc;
        if (p->repeat_from_ns < p->last_at_ns)
            return scn_error(p, t->col, "expected a start at or after the previous `at` "
                             "(time cannot go backwards)");
    }
    uint64_t span;
    if (__builtin_mul_overflow(p->repeat_rounds, p->repeat_every_ns, &span) ||
        span > SCN_MAX_RUN_NS || p->repeat_from_ns + span > SCN_MAX_RUN_NS)
        return scn_error(p, first->col, "expected a repeat that ends within the longest run "
                         "(24h)");
    if ((rc = scn_keyword(p, "{")) || (rc = scn_end(p)))
        return rc;
    p->in_repeat = true;
    p->repeat_line = p->ln->line;
    p->repeat_col = first->col;
    p->repeat_first = p->sc->n_actions;
    p->last_at_ns = 0; /* times inside count from the round's start */
    return 0;
}

/* `}`: check, then copy the block's actions once per round. */
static int close_block(scn_parser *p)
{
    scenario *sc = p->sc;
    size_t n = sc->n_actions - p->repeat_first;
    uint32_t col = p->ln->tok[0].col;
    if (n == 0)
        return scn_error(p, col, "expected at least one `at` line in the repeat block");
    if (n * p->repeat_rounds > SCN_MAX_ACTIONS - p->repeat_first)
        return scn_error(p, col, "expected at most %d actions in all (this repeat makes "
                         "%llu)", SCN_MAX_ACTIONS,
                         (unsigned long long)(n * p->repeat_rounds));
    sim_action *round = malloc(n * sizeof *round);
    if (!round)
        return scn_error(p, col, "out of memory");
    memcpy(round, sc->actions + p->repeat_first, n * sizeof *round);
    sc->n_actions = p->repeat_first;
    int rc = 0;
    for (uint64_t k = 0; k < p->repeat_rounds && rc == 0; k++)
        for (size_t i = 0; i < n && rc == 0; i++) {
            sim_action a = round[i];
            a.at_ns += p->repeat_from_ns + k * p->repeat_every_ns;
            rc = scn_push_action(p, &a);
        }
    free(round);
    p->in_repeat = false;
    p->last_at_ns = p->repeat_from_ns + p->repeat_rounds * p->repeat_every_ns;
    if (rc == 0) { /* remembered, so the writer can write the block back */
        scn_repeat *r = realloc(sc->repeats, (sc->n_repeats + 1) * sizeof *r);
        if (!r)
            return scn_error(p, col, "out of memory");
        sc->repeats = r;
        r[sc->n_repeats++] = (scn_repeat){ p->repeat_first, n, p->repeat_rounds,
                                           p->repeat_every_ns, p->repeat_from_ns };
    }
    return rc ? rc : scn_end(p);
}

int scn_repeat_line(scn_parser *p)
{
    const scn_tok *t = scn_next(p);
    if (scn_tok_is(t, "}"))
        return close_block(p);
    if (scn_tok_is(t, "repeat"))
        return scn_cmd_repeat(p); /* reports the nesting */
    if (!scn_tok_is(t, "at"))
        return scn_error(p, t->col, "expected `at` or '}' in a repeat block, got '%.*s'",
                         (int)t->len, t->s);
    const scn_tok *when = scn_peek(p);
    int rc = scn_parse_at(p);
    if (rc)
        return rc;
    if (p->last_at_ns >= p->repeat_every_ns) {
        char d[32];
        scn_format_duration(d, sizeof d, p->repeat_every_ns);
        return scn_error(p, when->col, "expected a time within one round (below %s)", d);
    }
    return 0;
}

int scn_repeat_unclosed(scn_parser *p, uint32_t last_line)
{
    if (!p->in_repeat)
        return 0;
    scn_line at = { .n = 0, .line = p->repeat_line };
    p->ln = &at;
    scn_error(p, p->repeat_col, "expected '}' to close this repeat block (file ends at line %u)",
              last_line);
    p->ln = NULL;
    return 2;
}
