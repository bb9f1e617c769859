/* hash.h — small, pure 64-bit hashing used by the log buffer's digest and by
 * the simulator's checker. No state; identical results on every platform. */
#ifndef RAFT_HASH_H
#define RAFT_HASH_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* The splitmix64 finaliser: a strong, cheap 64-bit mixer. */
static inline uint64_t hash_mix64(uint64_t x)
{
    x ^= x >> 30;
    x *= UINT64_C(0xbf58476d1ce4e5b9);
    x ^= x >> 27;
    x *= UINT64_C(0x94d049bb133111eb);
    x ^= x >> 31;
    return x;
}

/* Fold a 64-bit value into a running hash. */
static inline uint64_t hash_combine(uint64_t h, uint64_t v)
{
    return hash_mix64(h ^ (v + UINT64_C(0x9e3779b97f4a7c15) + (h << 6) + (h >> 2)));
}

/* Load 8 bytes as a little-endian word, whatever the host's byte order or the
 * pointer's alignment (memcpy compiles to one load). */
static inline uint64_t hash_load_le64(const uint8_t *p)
{
    uint64_t w;
    memcpy(&w, p, sizeof w);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    w = __builtin_bswap64(w);
#endif
    return w;
}

/* The last n < 8 bytes of a string as a little-endian word (p[0] lowest),
 * in at most three loads instead of a loop over the bytes. */
static inline uint64_t hash_load_tail(const uint8_t *p, size_t n)
{
    uint64_t w = 0;
    size_t i = n;
    if (i >= 4) {
        uint32_t v;
        i -= 4;
        memcpy(&v, p + i, sizeof v);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
        v = __builtin_bswap32(v);
#endif
        w = v;
    }
    if (i >= 2) {
        i -= 2;
        w = (w << 16) | (uint64_t)p[i] | (uint64_t)p[i + 1] << 8;
    }
    if (i >= 1)
        w = (w << 8) | p[0];
    return w;
}

/* Hash a byte string, 8 bytes at a time, so the result is the same on every
 * platform. */
static inline uint64_t hash_bytes(uint64_t h, const uint8_t *p, size_t n)
{
    h = hash_combine(h, (uint64_t)n);
    while (n >= 8) {
        h = hash_combine(h, hash_load_le64(p));
        p += 8;
        n -= 8;
    }
    return hash_combine(h, hash_load_tail(p, n));
}

/* The last n % 8 bytes of a string of n >= 8 bytes ending at end, as
 * hash_load_tail gives them, in one load: the 8-byte word ending at end
 * (inside the string) shifted down; the mask makes n % 8 == 0 give 0
 * without a shift by 64. */
static inline uint64_t hash_load_tail_of_long(const uint8_t *end, size_t n)
{
    unsigned r = (unsigned)(n & 7);
    uint64_t w = hash_load_le64(end - 8) >> ((64 - 8 * r) & 63);
    return w & (UINT64_C(0) - (r != 0));
}

/* The word loop of hash_bytes_fast from state h: one multiply and one shift
 * per 8 bytes, a full mix at the end. Two words a turn (half the loop
 * control) up to an end pointer; strings of 8 bytes or more load their tail
 * in one go. Callers seed h with what else they hash (the length, at least). */
static inline uint64_t hash_words_fast(uint64_t h, const uint8_t *p, size_t n)
{
    const uint64_t k = UINT64_C(0x9e3779b97f4a7c15);
    if (n < 8)
        return hash_mix64(h ^ hash_load_tail(p, n));
    const uint8_t *end = p + n, *pairs_end = p + (n & ~(size_t)15);
    for (; p != pairs_end; p += 16) {
        h = (h ^ hash_load_le64(p)) * k;
        h ^= h >> 29;
        h = (h ^ hash_load_le64(p + 8)) * k;
        h ^= h >> 29;
    }
    if (n & 8) {
        h = (h ^ hash_load_le64(p)) * k;
        h ^= h >> 29;
    }
    return hash_mix64(h ^ hash_load_tail_of_long(end, n));
}

/* The same job as hash_bytes at a third of the cost. Platform-independent
 * like hash_bytes but a different function: for digests compared within a
 * run (e.g. the log buffer's), not for values stored across versions. */
static inline uint64_t hash_bytes_fast(uint64_t h, const uint8_t *p, size_t n)
{
    return hash_words_fast((h ^ ((uint64_t)n << 1)) * UINT64_C(0x9e3779b97f4a7c15), p, n);
}

#endif
