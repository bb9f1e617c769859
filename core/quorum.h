/* quorum.h — majority arithmetic (etcd's quorum/): pure functions of the
 * members' indexes, no node state. The commit rule (paper §5.3, §5.4.2) is
 * "the largest index held by a majority": the k-th largest of n values,
 * k = n / 2 + 1. */
#ifndef RAFT_QUORUM_H
#define RAFT_QUORUM_H

#include <stdint.h>

/* Members needed for a majority of n (n >= 1). */
static inline uint32_t quorum_majority(uint32_t n) { return n / 2 + 1; }

/* k-th largest (1 <= k <= n) of v[0..n); v is reordered. Expected O(n). */
uint64_t quorum_kth_largest(uint64_t *v, uint32_t n, uint32_t k);

/* The largest index a majority of the n members hold (the quorum's
 * committed index before the current-term rule). v is not changed. */
uint64_t quorum_committed_index(const uint64_t *v, uint32_t n);

/* How many of v[0..n) exceed x: the full recount the commit rule's cached
 * count must agree with. */
uint32_t quorum_count_above(const uint64_t *v, uint32_t n, uint64_t x);

#endif
