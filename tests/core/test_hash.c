/* test_hash.c — core/hash.h: the tail load equals the byte-by-byte definition. */
#include "../../core/hash.h"

#include <criterion/criterion.h>

/* The definition the tail load replaced: p[0] is the lowest byte. */
static uint64_t tail_bytewise(const uint8_t *p, size_t n)
{
    uint64_t w = 0;
    for (size_t i = n; i > 0; i--)
        w = (w << 8) | p[i - 1];
    return w;
}

Test(hash, tail_load_matches_bytewise)
{
    uint8_t buf[16];
    for (unsigned t = 0; t < 64; t++) {
        for (unsigned i = 0; i < sizeof buf; i++)
            buf[i] = (uint8_t)(t * 131u + i * 77u + 1u);
        for (size_t n = 0; n < 8; n++)
            for (size_t off = 0; off < 8; off++)
                cr_assert_eq(hash_load_tail(buf + off, n), tail_bytewise(buf + off, n),
                             "n=%zu off=%zu", n, off);
    }
}

Test(hash, known_values_unchanged)
{
    /* Values of hash_bytes / hash_bytes_fast before the tail load: digests
     * and trace hashes depend on them. */
    const uint8_t s[] = "raftsim hash.h";
    cr_assert_eq(hash_bytes(1, s, 13), UINT64_C(0xf2ffe50c7bdb1779));
    cr_assert_eq(hash_bytes_fast(1, s, 13), UINT64_C(0x1e1c8b0e2f6bb287));
}

Test(hash, tail_of_long_matches_tail_load)
{
    uint8_t buf[40];
    for (unsigned t = 0; t < 16; t++) {
        for (unsigned i = 0; i < sizeof buf; i++)
            buf[i] = (uint8_t)(t * 29u + i * 181u + 7u);
        for (size_t n = 8; n <= 32; n++)
            for (size_t off = 0; off < 8; off++)
                cr_assert_eq(hash_load_tail_of_long(buf + off + n, n),
                             hash_load_tail(buf + off + (n & ~(size_t)7), n & 7),
                             "n=%zu off=%zu", n, off);
    }
}

/* hash_bytes_fast as it was written first: one word a turn, tail by
 * hash_load_tail. The unrolled loop must give the same values. */
static uint64_t fast_reference(uint64_t h, const uint8_t *p, size_t n)
{
    const uint64_t k = UINT64_C(0x9e3779b97f4a7c15);
    h = (h ^ ((uint64_t)n << 1)) * k;
    while (n >= 8) {
        h = (h ^ hash_load_le64(p)) * k;
        h ^= h >> 29;
        p += 8;
        n -= 8;
    }
    return hash_mix64(h ^ hash_load_tail(p, n));
}

Test(hash, fast_matches_reference)
{
    uint8_t buf[80];
    for (unsigned i = 0; i < sizeof buf; i++)
        buf[i] = (uint8_t)(i * 97u + 3u);
    for (size_t n = 0; n <= 72; n++)
        for (size_t off = 0; off < 8; off++)
            cr_assert_eq(hash_bytes_fast(n * 31u + off, buf + off, n),
                         fast_reference(n * 31u + off, buf + off, n), "n=%zu off=%zu", n, off);
}
