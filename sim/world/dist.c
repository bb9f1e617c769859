/* dist.c — integer-only sampling of latency distributions (see dist.h). */
#include "dist.h"

#include <assert.h>

/* PARETO_MAX_LEVEL bounds the tail at 1.5^12 (about 130) times (mean - min):
 * a link is first-in-first-out, so one message held for minutes (level 40
 * allowed 1.5^40, some 10^7 times) stalled everything sent behind it on that
 * link for as long, which no real network does: TCP resends a lost segment
 * within its retransmission timeout. At level 12 the mean is 2.4% lower. */
enum { IRWIN_HALL_TERMS = 12, IRWIN_HALL_BITS = 16, PARETO_MAX_LEVEL = 12 };

static uint64_t sample_normal(const sim_dist *d, rng *r)
{
    /* The sum of 12 uniforms on [0, 2^16) has mean 6 * (2^16 - 1) / 2 and a
     * standard deviation of about 2^16: a cheap, integer normal. */
    int64_t sum = 0;
    for (int i = 0; i < IRWIN_HALL_TERMS; i++)
        sum += (int64_t)(rng_next(r) >> (64 - IRWIN_HALL_BITS));
    int64_t centred = sum - (int64_t)(IRWIN_HALL_TERMS / 2) * ((1 << IRWIN_HALL_BITS) - 1);
    __int128 offset = ((__int128)centred * (__int128)d->b_ns) >> IRWIN_HALL_BITS;
    __int128 v = (__int128)d->a_ns + offset;
    if (v < 0)
        v = 0;
    if (v > (__int128)d->a_ns * 2)
        v = (__int128)d->a_ns * 2; /* symmetric clamp keeps the mean at a */
    return (uint64_t)v;
}

static uint64_t sample_pareto(const sim_dist *d, rng *r)
{
    /* Level k with probability 2^-(k+1): count trailing ones of a draw. */
    uint64_t bits = rng_next(r);
    int k = 0;
    while ((bits & 1) && k < PARETO_MAX_LEVEL) {
        bits >>= 1;
        k++;
    }
    /* scale = 1.5^k in 32.32 fixed point, saturating. */
    unsigned __int128 scale = (unsigned __int128)1 << 32;
    for (int i = 0; i < k; i++)
        scale = scale * 3 / 2;
    uint64_t u = rng_next(r) >> 32; /* U[0, 1) in 0.32 fixed point; times 2 / 2 */
    unsigned __int128 excess = ((unsigned __int128)(d->b_ns - d->a_ns) * u) >> 32;
    excess = (excess * scale) >> 32; /* < 2^64 * 1.5^12 < 2^72: no overflow */
    unsigned __int128 cap = UINT64_MAX - d->a_ns;
    return d->a_ns + (uint64_t)(excess > cap ? cap : excess);
}

uint64_t dist_sample_shaped(const sim_dist *d, rng *r)
{
    switch (d->kind) {
    case SIM_DIST_CONST:
    case SIM_DIST_UNIFORM:
        return dist_sample(d, r);
    case SIM_DIST_NORMAL:
        return sample_normal(d, r);
    case SIM_DIST_PARETO:
        return d->b_ns > d->a_ns ? sample_pareto(d, r) : d->a_ns;
    }
    assert(0 && "unknown distribution kind");
    return d->a_ns;
}

uint64_t dist_mean(const sim_dist *d)
{
    switch (d->kind) {
    case SIM_DIST_CONST:
    case SIM_DIST_NORMAL:
        return d->a_ns;
    case SIM_DIST_UNIFORM:
        return d->a_ns + (d->b_ns - d->a_ns) / 2;
    case SIM_DIST_PARETO:
        return d->b_ns;
    }
    return d->a_ns;
}

int dist_validate(const sim_dist *d)
{
    switch (d->kind) {
    case SIM_DIST_CONST:
    case SIM_DIST_NORMAL:
        return 0;
    case SIM_DIST_UNIFORM:
    case SIM_DIST_PARETO:
        return d->b_ns >= d->a_ns ? 0 : -1;
    }
    return -1;
}
