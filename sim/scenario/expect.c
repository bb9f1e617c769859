/* expect.c — incremental evaluation of expectations (see expect.h). */
#include <assert.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "expect.h"
#include "scenario_int.h"

/* Point keys: key t + 1 = "after every event at or before t"; key t = "just
 * before the events at t"; key 0 = before the first event. */
enum { PT_OPEN, PT_EVAL, PT_CLOSE };

static uint64_t key_after(uint64_t t) { return t == UINT64_MAX ? t : t + 1; }

static int by_key(const void *x, const void *y)
{
    const expect_point *a = x, *b = y;
    if (a->at_ns != b->at_ns)
        return a->at_ns < b->at_ns ? -1 : 1;
    if (a->slot != b->slot)
        return a->slot < b->slot ? -1 : 1;
    return a->what < b->what ? -1 : a->what > b->what;
}

static void add_points(expect_eval *ev, uint32_t i)
{
    const expectation *e = &ev->sc->expects[i];
    expect_point *p = ev->points + ev->n_points;
    if (e->kind != EXPECT_COMPARE)
        return;
    switch (e->when) {
    case EXPECT_AT:
        p[0] = (expect_point){ key_after(e->t1_ns), i, PT_EVAL };
        ev->n_points += 1;
        break;
    case EXPECT_BETWEEN:
        p[0] = (expect_point){ e->t1_ns, i, PT_OPEN };
        p[1] = (expect_point){ key_after(e->t2_ns), i, PT_CLOSE };
        ev->n_points += 2;
        break;
    case EXPECT_WITHIN: {
        uint64_t end = e->t1_ns + e->t2_ns < e->t1_ns ? UINT64_MAX : e->t1_ns + e->t2_ns;
        /* Opened on the state at t1, after the events at t1 (a crash at t1
         * counts as having happened: "a leader within 1s after the crash"). */
        p[0] = (expect_point){ key_after(e->t1_ns), i, PT_OPEN };
        p[1] = (expect_point){ key_after(end), i, PT_CLOSE };
        ev->n_points += 2;
        break;
    }
    case EXPECT_FROM_FIRST:
        p[0] = (expect_point){ key_after(e->t1_ns), i, PT_OPEN };
        p[1] = (expect_point){ key_after(e->t2_ns), i, PT_CLOSE };
        ev->n_points += 2;
        break;
    case EXPECT_AT_END:
        break;
    }
}

int expect_init(expect_eval *ev, const scenario *sc)
{
    size_t n = sc->n_expects;
    memset(ev, 0, sizeof *ev);
    ev->sc = sc;
    ev->slots = calloc(n ? n : 1, sizeof *ev->slots);
    ev->points = calloc(n ? 2 * n : 1, sizeof *ev->points);
    ev->active = calloc(n ? n : 1, sizeof *ev->active);
    if (!ev->slots || !ev->points || !ev->active) {
        expect_free(ev);
        return -1;
    }
    for (uint32_t i = 0; i < n; i++)
        add_points(ev, i);
    qsort(ev->points, ev->n_points, sizeof *ev->points, by_key);
    return 0;
}

void expect_free(expect_eval *ev)
{
    free(ev->slots);
    free(ev->points);
    free(ev->active);
    memset(ev, 0, sizeof *ev);
}

bool expect_holds(enum expect_op op, int64_t l, int64_t r)
{
    switch (op) {
    case EXPECT_LT: return l < r;
    case EXPECT_LE: return l <= r;
    case EXPECT_EQ: return l == r;
    case EXPECT_NE: return l != r;
    case EXPECT_GE: return l >= r;
    case EXPECT_GT: return l > r;
    }
    assert(0 && "unknown comparison");
    return false;
}

/* Sample both sides now (as the change since the window's start when base
 * is given). False (and a reason) if the sim rejects a metric; a zero
 * divisor is noted in the slot, and the comparison does not hold then. */
static bool sample(expect_eval *ev, const sim *s, uint32_t i, const expect_raw *base,
                   int64_t *l, int64_t *r)
{
    const expectation *e = &ev->sc->expects[i];
    int rc = expect_eval_sides(e, s, base, l, r);
    ev->slots[i].zero = rc == EXPECT_EVAL_DIV_ZERO;
    if (rc != EXPECT_EVAL_NO_METRIC)
        return true;
    snprintf(ev->slots[i].why, sizeof ev->slots[i].why, "the simulator has no such metric");
    ev->slots[i].status = EXPECT_FAILED;
    return false;
}

static bool holds(const expect_eval *ev, uint32_t i, int64_t l, int64_t r)
{
    return !ev->slots[i].zero && expect_holds(ev->sc->expects[i].op, l, r);
}

/* Decide slot i: ok or not, "saw L[, needs OP R]" then `tail` (where, when). */
static void settle(expect_eval *ev, uint32_t i, bool ok, int64_t l, int64_t r,
                   const char *tail)
{
    expect_slot *slot = &ev->slots[i];
    slot->status = ok ? EXPECT_HELD : EXPECT_FAILED;
    size_t n = expect_saw(slot->why, sizeof slot->why, &ev->sc->expects[i], ok, slot->zero, l, r);
    if (n < sizeof slot->why)
        snprintf(slot->why + n, sizeof slot->why - n, "%s", tail);
}

static void words(uint64_t ns, char *buf, size_t cap) { sim_format_time(ns, buf, cap); }

/* An `always` window broken now: when, and until when it had held. */
static void broken(expect_eval *ev, const sim *s, uint32_t i, int64_t l, int64_t r)
{
    const expect_slot *slot = &ev->slots[i];
    char now[32], last[32], tail[128];
    words(sim_now(s), now, sizeof now);
    words(slot->held_ns, last, sizeof last);
    if (ev->sc->expects[i].when == EXPECT_FROM_FIRST)
        snprintf(tail, sizeof tail, ", at %s (event %" PRIu64 "); it first held at %s", now,
                 sim_event_count(s), last);
    else if (slot->held_once)
        snprintf(tail, sizeof tail, ", at %s (event %" PRIu64 "); it last held at %s", now,
                 sim_event_count(s), last);
    else
        snprintf(tail, sizeof tail, ", at %s (event %" PRIu64 "); it never held in the window",
                 now, sim_event_count(s));
    settle(ev, i, false, l, r, tail);
}

static void close_window(expect_eval *ev, uint32_t i)
{
    if (!ev->slots[i].open)
        return;
    ev->slots[i].open = false;
    for (size_t k = 0; k < ev->n_active; k++)
        if (ev->active[k] == i) {
            ev->active[k] = ev->active[--ev->n_active];
            return;
        }
    assert(0 && "open window not in the active list");
}

/* Check an open window after an event (or at its opening). */
static void check_open(expect_eval *ev, const sim *s, uint32_t i)
{
    const expectation *e = &ev->sc->expects[i];
    int64_t l, r;
    if (!sample(ev, s, i, NULL, &l, &r)) {
        close_window(ev, i);
        return;
    }
    bool ok = holds(ev, i, l, r);
    expect_slot *slot = &ev->slots[i];
    char now[32], tail[128];
    words(sim_now(s), now, sizeof now);
    if (e->when == EXPECT_WITHIN && ok) {
        snprintf(tail, sizeof tail, ", first held at %s (event %" PRIu64 ")", now,
                 sim_event_count(s));
        settle(ev, i, true, l, r, tail);
        close_window(ev, i);
    } else if (!ok && (e->when == EXPECT_BETWEEN || (e->when == EXPECT_FROM_FIRST &&
                                                     slot->held_once))) {
        broken(ev, s, i, l, r); /* `always`, or `from first` after it first held */
        close_window(ev, i);
    } else if (ok && e->when == EXPECT_FROM_FIRST) {
        if (!slot->held_once)
            slot->held_ns = sim_now(s); /* the first time: kept */
        slot->held_once = true;
    } else if (ok) {
        slot->held_once = true;
        slot->held_ns = sim_now(s);
    }
}

static void open_point(expect_eval *ev, const sim *s, uint32_t i)
{
    const expectation *e = &ev->sc->expects[i];
    expect_slot *slot = &ev->slots[i];
    if (e->when == EXPECT_BETWEEN && !e->always) { /* counters: remember their values */
        if (!expect_raw_sample(e, s, &slot->base)) {
            snprintf(slot->why, sizeof slot->why, "the simulator has no such metric");
            slot->status = EXPECT_FAILED;
        }
        return;
    }
    slot->open = true;
    ev->active[ev->n_active++] = i;
    if (e->when == EXPECT_WITHIN || e->when == EXPECT_FROM_FIRST)
        check_open(ev, s, i);
}

static void close_point(expect_eval *ev, const sim *s, uint32_t i)
{
    const expectation *e = &ev->sc->expects[i];
    expect_slot *slot = &ev->slots[i];
    int64_t l, r;
    bool change = e->when == EXPECT_BETWEEN && !e->always;
    if (!sample(ev, s, i, change ? &slot->base : NULL, &l, &r)) {
        close_window(ev, i);
        return;
    }
    char from[32], to[32], tail[128];
    words(e->t1_ns, from, sizeof from);
    words(sim_now(s), to, sizeof to);
    if (change) {
        snprintf(tail, sizeof tail, " as the change from %s to %s", from, to);
        settle(ev, i, holds(ev, i, l, r), l, r, tail);
        return;
    }
    bool ok = holds(ev, i, l, r);
    if (!ok && (e->when == EXPECT_BETWEEN || (e->when == EXPECT_FROM_FIRST && slot->held_once))) {
        broken(ev, s, i, l, r);
        close_window(ev, i);
        return;
    }
    if (e->when == EXPECT_FROM_FIRST && ok) {
        char first[32];
        words(slot->held_once ? slot->held_ns : sim_now(s), first, sizeof first);
        snprintf(tail, sizeof tail, ", first held at %s and at every event to %s", first, to);
    } else if (e->when == EXPECT_FROM_FIRST)
        snprintf(tail, sizeof tail, ", at %s; it never held from %s on", to, from);
    else if (e->when == EXPECT_WITHIN)
        snprintf(tail, sizeof tail, ", at %s, the end of the window; it never held from %s on",
                 to, from);
    else
        snprintf(tail, sizeof tail, ", and held at every event from %s to %s", from, to);
    settle(ev, i, ok, l, r, tail);
    close_window(ev, i);
}

static void run_point(expect_eval *ev, const sim *s, const expect_point *p)
{
    if (ev->slots[p->slot].status != EXPECT_PENDING)
        return;
    if (p->what == PT_OPEN)
        open_point(ev, s, p->slot);
    else if (p->what == PT_CLOSE)
        close_point(ev, s, p->slot);
    else {
        int64_t l, r;
        char tail[48], now[32];
        words(sim_now(s), now, sizeof now);
        snprintf(tail, sizeof tail, ", at %s", now);
        if (sample(ev, s, p->slot, NULL, &l, &r))
            settle(ev, p->slot, holds(ev, p->slot, l, r), l, r, tail);
    }
}

void expect_start(expect_eval *ev, const sim *s)
{
    while (ev->next_point < ev->n_points && ev->points[ev->next_point].at_ns == 0)
        run_point(ev, s, &ev->points[ev->next_point++]);
}

uint64_t expect_next_checkpoint(const expect_eval *ev)
{
    if (ev->next_point == ev->n_points)
        return EXPECT_NO_CHECKPOINT;
    uint64_t key = ev->points[ev->next_point].at_ns;
    assert(key > 0); /* key 0 is handled by expect_start */
    return key - 1;
}

void expect_checkpoint(expect_eval *ev, const sim *s, uint64_t t)
{
    uint64_t key = key_after(t);
    while (ev->next_point < ev->n_points && ev->points[ev->next_point].at_ns <= key)
        run_point(ev, s, &ev->points[ev->next_point++]);
}

void expect_on_event(void *arg, sim *s)
{
    expect_eval *ev = arg;
    if (ev->n_active == 0)
        return; /* the common case: nothing to look at */
    for (size_t k = ev->n_active; k-- > 0;)
        check_open(ev, s, ev->active[k]);
}
