/* quorum.c — majority arithmetic: k-th largest, committed index, counts. */
#include "quorum.h"
#include "raft.h"

#include <assert.h>
#include <string.h>

static void swap_u64(uint64_t *a, uint64_t *b)
{
    uint64_t t = *a;
    *a = *b;
    *b = t;
}

/* Quickselect (Hoare's FIND) with a middle pivot: expected O(n), so commit
 * bookkeeping stays linear in the cluster size. Deterministic: depends on
 * the values only. */
uint64_t quorum_kth_largest(uint64_t *v, uint32_t n, uint32_t k)
{
    assert(k >= 1 && k <= n);
    if (k == n) { /* the smallest: the commit rule's usual case, an exact majority */
        uint64_t min = v[0];
        for (uint32_t i = 1; i < n; i++)
            min = v[i] < min ? v[i] : min;
        return min;
    }
    uint32_t lo = 0, hi = n - 1, want = k - 1; /* index in descending order */
    while (lo < hi) {
        uint64_t pivot = v[lo + (hi - lo) / 2];
        uint32_t i = lo, j = hi;
        while (i <= j) {
            while (v[i] > pivot)
                i++;
            while (v[j] < pivot)
                j--;
            if (i <= j) {
                swap_u64(&v[i], &v[j]);
                i++;
                if (j == 0)
                    break;
                j--;
            }
        }
        /* now v[lo..j] >= pivot >= v[i..hi] */
        if (want <= j && j != UINT32_MAX && i > j)
            hi = j;
        else if (want >= i)
            lo = i;
        else
            return v[want];
    }
    return v[want];
}

uint64_t quorum_committed_index(const uint64_t *v, uint32_t n)
{
    assert(n >= 1 && n <= RAFT_MAX_NODES);
    uint64_t copy[RAFT_MAX_NODES];
    memcpy(copy, v, n * sizeof *v);
    return quorum_kth_largest(copy, n, quorum_majority(n));
}

uint32_t quorum_count_above(const uint64_t *v, uint32_t n, uint64_t x)
{
    uint32_t above = 0;
    for (uint32_t i = 0; i < n; i++)
        above += v[i] > x;
    return above;
}
