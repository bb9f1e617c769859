/* explore_int.h — what explore.c and explore_timing.c share: one seed's
 * draw in progress and the ways it picks values from a dimension's ranges
 * (each dimension from its own stream, explore.c's stage 2). */
#ifndef SIM_EXPLORE_INT_H
#define SIM_EXPLORE_INT_H

#include <stdio.h>

#include "explore.h"
#include "../world/rng.h"
#include "scenario_int.h"

#define MS SIM_NS_PER_MS
#define US UINT64_C(1000)

typedef struct at_line {
    uint64_t t_ns;
    uint32_t order; /* ties keep the order they were drawn in */
    char text[96];
} at_line;

typedef struct draw {
    const explore_space *sp;
    uint64_t seed, on;
    FILE *out;
    uint32_t n_nodes;
    uint64_t chaos_ns, duration_ns, within_ns;
    /* What the feasibility rules (explore_feasible_load) need from earlier draws. */
    uint64_t per_msg, pipeline, max_bytes, latency_ns, delay_ns, fsync_ns, bandwidth;
    uint64_t hold_ns, fsync_mean_ns; /* means, for the broadcast time (explore_derived_timing) */
    uint64_t drop_ppm;               /* the drawn loss (a lost chunk waits for the leader's timer) */
    uint64_t chunk, written_bytes, largest_payload;
    at_line at[EXPLORE_MAX_SCRIPTED];
    uint32_t n_at;
} draw;

static inline bool is_on(const draw *d, int dim) { return (d->on >> dim) & 1; }

static inline const explore_range *part(const draw *d, int dim, int i)
{
    return &d->sp->dim[dim].part[i];
}

static inline rng dim_stream(const draw *d, int dim)
{
    rng r;
    rng_init(&r, d->seed, RNG_STREAM_EXPLORE + 1 + (uint64_t)dim);
    return r;
}

static inline uint64_t pick(rng *r, const explore_range *x) { return rng_range(r, x->lo, x->hi); }

/* A range over more than EXPLORE_LOG_RATIO (lo > 0) is drawn log-uniformly:
 * one doubling of lo chosen uniformly, then a value inside it, so 5ms..1s
 * gives downtimes under 40ms a third of the time instead of 3%. */
static inline uint64_t pick_wide(rng *r, const explore_range *x)
{
    if (x->lo == 0 || x->hi / x->lo < EXPLORE_LOG_RATIO)
        return pick(r, x);
    uint32_t doublings = 0;
    while ((x->lo << (doublings + 1)) <= x->hi && doublings < 62)
        doublings++;
    uint64_t j = rng_below(r, doublings + 1), lo = x->lo << j;
    uint64_t hi = j == doublings ? x->hi : (x->lo << (j + 1)) - 1;
    return rng_range(r, lo, hi < x->hi ? hi : x->hi);
}

/* A duration from a range, rounded to a readable unit when the range is wide
 * (a replay file says 1.234s rather than 1234567891ns). */
static inline uint64_t pick_duration(rng *r, const explore_range *x)
{
    uint64_t v = pick_wide(r, x), span = x->hi - x->lo;
    uint64_t g = span >= 100 * MS ? MS : span >= 100 * US ? US : 1;
    v -= v % g;
    return v < x->lo ? v + g : v;
}


static inline void put_duration(FILE *out, const char *before, uint64_t ns)
{
    fputs(before, out);
    scn_write_duration(out, ns);
}
typedef struct writer {
    uint64_t rate, outstanding, payload;
} writer;

/* explore_timing.c: the feasible write load (caps w[0..n) in place) and
 * the timing that follows from the draw (written out). */
void explore_feasible_load(draw *d, writer *w, uint64_t n);
void explore_derived_timing(draw *d);

#endif
