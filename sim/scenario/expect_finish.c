/* expect_finish.c — the end of a run: violation expectations, end-of-run
 * expectations, and the report of what held and what did not. */
#include <inttypes.h>
#include <string.h>

#include "expect.h"

/* An expected violation (or any violation) stops the run early: what was
 * still undecided then is skipped rather than judged on a truncated run. */
static void judge_violations(expect_eval *ev, const sim_violation *v)
{
    for (size_t i = 0; i < ev->sc->n_expects; i++) {
        const expectation *e = &ev->sc->expects[i];
        expect_slot *slot = &ev->slots[i];
        if (e->kind != EXPECT_VIOLATION) {
            if (v && slot->status == EXPECT_PENDING)
                slot->status = EXPECT_SKIPPED;
            continue;
        }
        bool match = v && (e->violation == SIM_V_NONE || v->kind == e->violation);
        slot->status = match ? EXPECT_HELD : EXPECT_FAILED;
        if (!match)
            snprintf(slot->why, sizeof slot->why, "%s%s", v ? "found " : "no violation found",
                     v ? sim_violation_name(v->kind) : "");
    }
}

void expect_finish(expect_eval *ev, const sim *s, const sim_violation *v)
{
    judge_violations(ev, v);
    /* Checkpoints past the end of the run see the final state. */
    expect_checkpoint(ev, s, UINT64_MAX - 1);
    for (uint32_t i = 0; i < ev->sc->n_expects; i++) {
        const expectation *e = &ev->sc->expects[i];
        if (e->kind != EXPECT_COMPARE || e->when != EXPECT_AT_END ||
            ev->slots[i].status != EXPECT_PENDING)
            continue;
        int64_t l, r;
        int rc = expect_eval_sides(e, s, NULL, &l, &r);
        ev->slots[i].status = EXPECT_FAILED;
        if (rc == EXPECT_EVAL_NO_METRIC) {
            snprintf(ev->slots[i].why, sizeof ev->slots[i].why, "the simulator has no such metric");
            continue;
        }
        bool zero = rc == EXPECT_EVAL_DIV_ZERO, held = !zero && expect_holds(e->op, l, r);
        ev->slots[i].status = held ? EXPECT_HELD : EXPECT_FAILED;
        char end[32];
        sim_format_time(sim_now(s), end, sizeof end);
        size_t n = expect_saw(ev->slots[i].why, sizeof ev->slots[i].why, e, held, zero, l, r);
        if (n < sizeof ev->slots[i].why)
            snprintf(ev->slots[i].why + n, sizeof ev->slots[i].why - n, ", at the end (%s)",
                     end);
    }
}

size_t expect_saw(char *buf, size_t cap, const expectation *e, bool ok, bool zero, int64_t l,
                  int64_t r)
{
    static const char *ops[] = { "<", "<=", "==", "!=", ">=", ">" };
    int n = zero ? snprintf(buf, cap, "a divisor was 0, so it cannot hold")
          : ok   ? snprintf(buf, cap, "saw %" PRId64, l)
               : snprintf(buf, cap, "saw %" PRId64 ", needs %s %" PRId64, l, ops[e->op], r);
    return n < 0 ? 0 : (size_t)n < cap ? (size_t)n : cap - 1;
}

int expect_first_failed(const expect_eval *ev)
{
    for (size_t i = 0; i < ev->sc->n_expects; i++)
        if (ev->slots[i].status == EXPECT_FAILED)
            return (int)i;
    return -1;
}

void expect_report(const expect_eval *ev, FILE *out, bool all)
{
    static const char *words[] = { "pending", "ok", "FAILED", "skipped" };
    for (size_t i = 0; out && i < ev->sc->n_expects; i++) {
        const expect_slot *slot = &ev->slots[i];
        if (!all && slot->status != EXPECT_FAILED)
            continue;
        const expectation *e = &ev->sc->expects[i];
        fprintf(out, "%s:%u: %-7s %s%s%s\n", ev->sc->path ? ev->sc->path : "?", e->line,
                words[slot->status], e->text, slot->why[0] ? " -- " : "", slot->why);
    }
}
