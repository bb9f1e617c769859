/* expect.h — evaluate a scenario's expectations against a running sim.
 *
 * Cheap by construction: each expectation turns into a few checkpoints
 * (virtual times at which the runner stops the sim with sim_run_until and
 * samples metrics), and only expectations whose window is open — `within`
 * and `always ... between` — are looked at after every event. When no window
 * is open the per-event observer returns after one comparison.
 *
 * A checkpoint at time c sees the state after every event at or before c:
 *   at T              evaluated at checkpoint T
 *   between T1 T2     counters: value at T2 minus value just before T1
 *                     (checkpoint T1 - 1); gauges / `always`: holds after
 *                     every event in [T1, T2] and at T2
 *   within D after T  true at T (after the events at T) or after some later
 *                     event up to T + D
 *   (no time)         evaluated when the run is over
 * Checkpoints past the end of the run are evaluated on the final state. */
#ifndef SIM_EXPECT_H
#define SIM_EXPECT_H

#include <stdio.h>

#include "scenario.h"

enum expect_status { EXPECT_PENDING, EXPECT_HELD, EXPECT_FAILED, EXPECT_SKIPPED };

/* Every metric an expectation reads, as sampled: [side][term][metric, divisor]. */
typedef struct expect_raw {
    int64_t v[2][EXPECT_MAX_TERMS][2];
} expect_raw;

typedef struct expect_slot {
    enum expect_status status;
    bool open;                /* window open: checked after every event */
    bool zero;                /* the last sample divided by zero */
    expect_raw base;          /* counters sampled just before t1 */
    bool held_once;           /* a window: it held at some event ... */
    uint64_t held_ns;         /* ... `within`: first at this time; `always`: last */
    char why[160];            /* what it saw and when ("saw 3, needs <= 2, at 2.5 s ...") */
} expect_slot;

typedef struct expect_point {
    uint64_t at_ns;
    uint32_t slot;
    uint8_t what; /* EXPECT_PT_* in expect.c */
} expect_point;

typedef struct expect_eval {
    const scenario *sc;
    expect_slot *slots;
    expect_point *points; /* sorted by time, then by expectation order */
    size_t n_points, next_point;
    uint32_t *active;     /* slots with an open window */
    size_t n_active;
} expect_eval;

#define EXPECT_NO_CHECKPOINT UINT64_MAX

int expect_init(expect_eval *ev, const scenario *sc); /* 0, or -1 out of memory */
void expect_free(expect_eval *ev);

/* Before the first event: windows and bases at time 0. */
void expect_start(expect_eval *ev, const sim *s);
/* The time the runner should stop at next (EXPECT_NO_CHECKPOINT if none). */
uint64_t expect_next_checkpoint(const expect_eval *ev);
/* The sim has run every event at or before `t`: process checkpoints <= t. */
void expect_checkpoint(expect_eval *ev, const sim *s, uint64_t t);
/* The observer: call after every event (cheap when no window is open). */
void expect_on_event(void *ev, sim *s);
/* The run is over: remaining checkpoints on the final state, end-of-run
 * expectations, violation expectations. `v` is the violation found or NULL. */
void expect_finish(expect_eval *ev, const sim *s, const sim_violation *v);

/* l OP r. */
bool expect_holds(enum expect_op op, int64_t l, int64_t r);
/* Both sides of a comparison now, metric arithmetic included (a + b - c);
 * false if the simulator has no such metric or a divisor is 0. */
bool expect_sides(const expectation *e, const sim *s, int64_t *l, int64_t *r);
/* The same, each metric's change since `base` was sampled (NULL: now):
 * EXPECT_EVAL_OK, _NO_METRIC or _DIV_ZERO (the comparison cannot hold). */
enum { EXPECT_EVAL_OK, EXPECT_EVAL_NO_METRIC, EXPECT_EVAL_DIV_ZERO };
int expect_eval_sides(const expectation *e, const sim *s, const expect_raw *base, int64_t *l,
                      int64_t *r);
bool expect_raw_sample(const expectation *e, const sim *s, expect_raw *raw); /* false: no metric */
/* "saw L, needs OP R" (with `needs` only when it failed; "a divisor was 0"
 * when zero): what an expectation saw, the start of every message about it.
 * Returns the length written. */
size_t expect_saw(char *buf, size_t cap, const expectation *e, bool ok, bool zero, int64_t l,
                  int64_t r);
/* Index of the first failed expectation, or -1. */
int expect_first_failed(const expect_eval *ev);
/* One line per expectation (all = also the ones that held). */
void expect_report(const expect_eval *ev, FILE *out, bool all);

#endif
