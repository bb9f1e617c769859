/* rng.h — seeded, splittable PRNG: xoshiro256** seeded through splitmix64.
 *
 * Every subsystem owns its own stream, derived from (run seed, stream id), so
 * the draws of one stream never depend on how many draws another made: adding
 * a fault or a client does not shift the network's or a disk's randomness.
 * Integer-only: helpers return integers and probabilities are in parts per
 * million, so no floating point ever decides anything in a run. */
#ifndef SIM_RNG_H
#define SIM_RNG_H

#include <stdbool.h>
#include <stdint.h>

typedef struct rng {
    uint64_t s[4];
} rng;

/* Stream ids: one per subsystem; per-node/per-client streams add the index. */
enum rng_stream {
    RNG_STREAM_NET = 1,
    RNG_STREAM_WORKLOAD = 2,
    RNG_STREAM_FAULTS = 3,       /* scripted faults that need a choice (e.g. a random follower) */
    RNG_STREAM_CHAOS = 4,        /* chaos-block generation; + kind * 64 per fault kind */
    RNG_STREAM_MSG_FAULTS = 5,   /* network faults restricted to a message class (net.h) */
    RNG_STREAM_NODE_TIMER = 1000, /* + node id: each node's raft randomness */
    RNG_STREAM_DISK = 2000,       /* + node id */
    RNG_STREAM_CLIENT = 3000,     /* + client index */
    RNG_STREAM_LINK = 4000,       /* + link index, if a link needs its own stream */
    RNG_STREAM_EXPLORE = 1 << 20, /* explore: the swarm draw; + 1 + dimension for its values */
};

static inline uint64_t rng_splitmix64(uint64_t *x)
{
    uint64_t z = (*x += UINT64_C(0x9e3779b97f4a7c15));
    z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
    return z ^ (z >> 31);
}

/* Seed a stream from the run seed and a stream id. */
static inline void rng_init(rng *r, uint64_t seed, uint64_t stream)
{
    uint64_t x = seed ^ (stream * UINT64_C(0xd1b54a32d192ed03));
    for (int i = 0; i < 4; i++)
        r->s[i] = rng_splitmix64(&x);
    if ((r->s[0] | r->s[1] | r->s[2] | r->s[3]) == 0)
        r->s[0] = 1; /* the all-zero state is a fixed point */
}

static inline uint64_t rng_rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

static inline uint64_t rng_next(rng *r)
{
    uint64_t *s = r->s;
    uint64_t result = rng_rotl(s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rng_rotl(s[3], 45);
    return result;
}

/* Uniform in [0, n) without modulo bias (Lemire's method); n = 0 gives 0. */
static inline uint64_t rng_below(rng *r, uint64_t n)
{
    if (n == 0)
        return 0;
    unsigned __int128 m = (unsigned __int128)rng_next(r) * n;
    uint64_t low = (uint64_t)m;
    if (low < n) {
        uint64_t threshold = -n % n;
        while (low < threshold) {
            m = (unsigned __int128)rng_next(r) * n;
            low = (uint64_t)m;
        }
    }
    return (uint64_t)(m >> 64);
}

/* Uniform in [lo, hi] (inclusive). */
static inline uint64_t rng_range(rng *r, uint64_t lo, uint64_t hi)
{
    return hi <= lo ? lo : lo + rng_below(r, hi - lo + 1);
}

/* True with probability ppm / 1,000,000. Always draws once, so the stream
 * advances the same way whatever the probability is. */
static inline bool rng_chance_ppm(rng *r, uint32_t ppm)
{
    return rng_below(r, 1000000) < ppm;
}

#endif
