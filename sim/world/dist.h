/* dist.h — integer-only sampling of a sim_dist (see sim.h). No floating point:
 * the same stream state gives the same sample on every compiler and platform.
 *
 *   CONST    a
 *   UNIFORM  uniform in [a, b]
 *   NORMAL   mean a, standard deviation b: Irwin-Hall sum of 12 uniform
 *            16-bit draws, scaled; clamped at 0 (and at 2a so the mean stays a)
 *   PARETO   heavy tail, minimum a, mean b (b > a): a + (b - a) * Y where Y has
 *            mean 1 and a power-law tail, built from a geometric level k
 *            (P = 2^-(k+1)) and a uniform: Y = U[0, 2) * 1.5^k / 2, so
 *            P(Y > y) ~ y^-1.71. Levels are capped at 12, so Y < 130: a
 *            delay is at most a + 130 (b - a) (see dist.c).
 */
#ifndef SIM_DIST_H
#define SIM_DIST_H

#include "rng.h"
#include "sim.h"

/* NORMAL and PARETO (any kind is accepted); dist_sample is the entry point. */
uint64_t dist_sample_shaped(const sim_dist *d, rng *r);

/* One sample. Inline because it runs on every send and fsync: the common
 * CONST and UNIFORM cases then cost no call. */
static inline uint64_t dist_sample(const sim_dist *d, rng *r)
{
    if (d->kind == SIM_DIST_CONST)
        return d->a_ns;
    if (d->kind == SIM_DIST_UNIFORM)
        return rng_range(r, d->a_ns, d->b_ns);
    return dist_sample_shaped(d, r);
}
/* The mean of the distribution (exact for CONST/UNIFORM/NORMAL before clamping). */
uint64_t dist_mean(const sim_dist *d);
/* 0 if the parameters are valid, -1 otherwise (e.g. UNIFORM with b < a). */
int dist_validate(const sim_dist *d);

#endif
