/* Metrics: percentiles over latency samples. */
#include <criterion/criterion.h>
#include <stdlib.h>

#include "../../sim/world/metrics.h"
#include "../../sim/world/rng.h"

static int cmp(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

/* The percentiles sort the samples (a radix sort): they must be those of
 * the sorted array, whatever the values' bytes, duplicates included. */
Test(metrics, percentiles_are_those_of_the_sorted_samples)
{
    rng r;
    rng_init(&r, 5, 77);
    static const unsigned shifts[] = {0, 8, 20, 40, 63};
    for (unsigned k = 0; k < sizeof shifts / sizeof *shifts; k++) {
        u64vec vec = {0};
        size_t n = 3000 + k;
        uint64_t *ref = malloc(n * sizeof *ref);
        cr_assert(ref);
        for (size_t i = 0; i < n; i++) {
            /* a few distinct values (duplicates), then values up to 2^shift */
            uint64_t x = i % 7 == 0 ? 42 : rng_next(&r) >> (63 - shifts[k]);
            ref[i] = x;
            cr_assert_eq(u64vec_push(&vec, x), 0);
        }
        qsort(ref, n, sizeof *ref, cmp);
        for (unsigned pm = 1; pm <= 1000; pm += 37)
            cr_assert_eq(u64vec_percentile(&vec, pm), ref[(n * pm + 999) / 1000 - 1]);
        cr_assert_eq(u64vec_percentile(&vec, 1000), ref[n - 1]);
        for (size_t i = 0; i < n; i++)
            cr_assert_eq(vec.v[i], ref[i], "sorted in place");
        free(ref);
        u64vec_free(&vec);
    }
}
