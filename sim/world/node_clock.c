/* node_clock.c — a hosted node's drifting clock and its single timer (the
 * bottom of node hosting: it calls only world.c's services). */
#include <assert.h>

#include "node.h"

#define PPM UINT64_C(1000000)

/* ---- clock: local(v) = l0 + (v - v0) + (v - v0) * ppm / 1e6 ---- */

/* local_at with drift, out of line: the 128-bit arithmetic would make every
 * caller save registers for the common case too. */
static __attribute__((noinline)) uint64_t local_at_drift(const sim_node *n, uint64_t v)
{
    __int128 dv = (__int128)(v - n->clk_v0);
    __int128 l = (__int128)n->clk_l0 + dv + dv * n->drift_ppm / (__int128)PPM;
    return l < 0 ? 0 : (uint64_t)l;
}

static inline uint64_t local_at(const sim_node *n, uint64_t v)
{
    assert(v >= n->clk_v0);
    if (n->drift_ppm == 0)
        return n->clk_l0 + (v - n->clk_v0); /* the common case: no division */
    return local_at_drift(n, v);
}

uint64_t node_local_now(sim *s, sim_node *n)
{
    uint64_t l = local_at(n, s->now);
    if (l < n->last_local)
        l = n->last_local; /* a backward jump freezes the clock: it stays monotonic */
    n->last_local = l;
    return l;
}

/* Earliest virtual time at which the node's clock reads `local`. */
static uint64_t virtual_for_local(sim *s, sim_node *n, uint64_t local)
{
    if (n->drift_ppm == 0 && s->now >= n->clk_v0) {
        /* The common case, without calls: node_local_now() inlined. */
        uint64_t l = n->clk_l0 + (s->now - n->clk_v0);
        if (l >= n->last_local) {
            n->last_local = l;
            return local <= l ? s->now : n->clk_v0 + (local - n->clk_l0);
        }
    }
    if (local <= node_local_now(s, n))
        return s->now;
    if (n->drift_ppm == 0)
        return n->clk_v0 + (local - n->clk_l0);
    __int128 need = (__int128)local - n->clk_l0;
    __int128 dv = (need * PPM + (PPM + n->drift_ppm) - 1) / (__int128)(PPM + n->drift_ppm);
    if (dv > (__int128)(UINT64_MAX - n->clk_v0))
        return UINT64_MAX;
    uint64_t v = n->clk_v0 + (uint64_t)(dv < 0 ? 0 : dv);
    if (v < s->now)
        v = s->now;
    while (local_at(n, v) < local && v < UINT64_MAX)
        v++;
    return v;
}

static void clock_rebase(sim *s, sim_node *n)
{
    n->clk_l0 = node_local_now(s, n);
    n->clk_v0 = s->now;
    n->timer_local = UINT64_MAX; /* node_sync_timer's shortcut no longer holds */
}

void node_set_drift(sim *s, sim_node *n, int64_t ppm)
{
    clock_rebase(s, n);
    if (ppm > 500000)
        ppm = 500000;
    if (ppm < -500000)
        ppm = -500000;
    n->drift_ppm = ppm;
    if (n->up)
        node_sync_timer(s, n);
}

void node_clock_jump(sim *s, sim_node *n, int64_t delta_ns)
{
    /* Saturate: a jump back stops at 0, a jump forward at 2^62 ns (146 years),
     * which leaves the core room to add timeouts without overflowing. */
    const uint64_t local_max = UINT64_C(1) << 62;
    clock_rebase(s, n);
    uint64_t size = delta_ns < 0 ? 0 - (uint64_t)delta_ns : (uint64_t)delta_ns;
    if (delta_ns < 0)
        n->clk_l0 = size > n->clk_l0 ? 0 : n->clk_l0 - size;
    else
        n->clk_l0 = size > local_max - (n->clk_l0 < local_max ? n->clk_l0 : local_max)
                        ? local_max
                        : n->clk_l0 + size;
    if (n->up)
        node_sync_timer(s, n);
}

/* ---- timer: one pending event; only an EARLIER deadline pushes a new one.
 * A later deadline lets the old event fire, which then re-arms. ---- */

/* node_sync_timer's rare path, out of line so that the usual early return
 * saves few registers: map deadline d to virtual time and arm if earlier. */
__attribute__((noinline)) void node__rearm_timer(sim *s, sim_node *n, uint64_t d)
{
    uint64_t v = virtual_for_local(s, n, d);
    if (n->timer_armed && n->timer_at <= v)
        return;
    n->timer_armed = true;
    n->timer_at = v;
    n->timer_local = d;
    sim_push_inline(s, v, EV_NODE_TIMER, n->id, ++n->timer_gen, 0);
}

void node_sync_timer(sim *s, sim_node *n)
{
    node_sync_timer_inline(s, n);
}

bool node_timer(sim *s, raft_id id, uint64_t gen)
{
    sim_node *n = &s->nodes[id];
    if (gen != n->timer_gen || !n->up)
        return false;
    n->timer_armed = false;
    if (n->paused)
        return false; /* re-armed on resume */
    uint64_t d = node_next_deadline(s, n);
    uint64_t local = node_local_now(s, n);
    if (d > local) {
        node_sync_timer_inline(s, n); /* the deadline moved later: sleep again */
        return false;
    }
    trace_emit(&s->tr, s->now, TR_TIMER, id, 0, 0, d, 0);
    s->ops->tick(n->proto);
    node_sync_timer_inline(s, n);
    return true;
}
