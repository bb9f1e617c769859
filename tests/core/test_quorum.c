/* test_quorum.c — majority arithmetic (core/quorum.h): table tests. */
#include "../../core/quorum.h"

#include <criterion/criterion.h>
#include <string.h>

Test(quorum, majority_of_n)
{
    static const uint32_t want[] = {0, 1, 2, 2, 3, 3, 4, 4, 5};
    for (uint32_t n = 1; n <= 8; n++)
        cr_assert_eq(quorum_majority(n), want[n], "n %u", n);
    cr_assert_eq(quorum_majority(64), 33);
}

Test(quorum, committed_index_is_the_largest_index_a_majority_holds)
{
    static const struct {
        uint32_t n;
        uint64_t v[7];
        uint64_t want;
    } rows[] = {
        {1, {5}, 5},
        {2, {5, 3}, 3},
        {3, {5, 3, 4}, 4},
        {3, {0, 0, 9}, 0},
        {3, {7, 7, 1}, 7},
        {4, {4, 3, 2, 1}, 2},
        {4, {9, 9, 9, 0}, 9},
        {5, {1, 2, 3, 4, 5}, 3},
        {5, {5, 5, 1, 1, 1}, 1},
        {5, {8, 2, 8, 2, 8}, 8},
        {6, {6, 5, 4, 3, 2, 1}, 3},
        {7, {10, 0, 10, 0, 10, 0, 10}, 10},
        {7, {1, 2, 3, 4, 5, 6, 7}, 4},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        uint64_t before[7];
        memcpy(before, rows[i].v, sizeof before);
        cr_assert_eq(quorum_committed_index(rows[i].v, rows[i].n), rows[i].want, "row %zu", i);
        cr_assert(memcmp(before, rows[i].v, sizeof before) == 0, "row %zu: input unchanged", i);
    }
}

Test(quorum, kth_largest_agrees_with_a_sort_for_every_k)
{
    uint64_t seed = 12345;
    for (uint32_t n = 1; n <= 20; n++) {
        for (int round = 0; round < 20; round++) {
            uint64_t v[20], sorted[20];
            for (uint32_t i = 0; i < n; i++) {
                seed = seed * 6364136223846793005ull + 1442695040888963407ull;
                v[i] = (seed >> 33) % 8; /* many ties */
            }
            memcpy(sorted, v, sizeof v);
            for (uint32_t i = 0; i < n; i++) /* descending insertion sort */
                for (uint32_t j = i; j > 0 && sorted[j] > sorted[j - 1]; j--) {
                    uint64_t t = sorted[j];
                    sorted[j] = sorted[j - 1];
                    sorted[j - 1] = t;
                }
            for (uint32_t k = 1; k <= n; k++) {
                uint64_t w[20];
                memcpy(w, v, sizeof v);
                cr_assert_eq(quorum_kth_largest(w, n, k), sorted[k - 1], "n %u k %u", n, k);
            }
        }
    }
}

Test(quorum, count_above_counts_strictly_greater)
{
    static const uint64_t v[] = {3, 5, 5, 7, 0};
    cr_assert_eq(quorum_count_above(v, 5, 0), 4);
    cr_assert_eq(quorum_count_above(v, 5, 3), 3);
    cr_assert_eq(quorum_count_above(v, 5, 5), 1);
    cr_assert_eq(quorum_count_above(v, 5, 7), 0);
    cr_assert_eq(quorum_count_above(v, 0, 0), 0);
}
