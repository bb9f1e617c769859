/* logbuf_query.c — the log buffer's queries: by Raft index, by timestamp
 * and the newest n records (logbuf.h).
 *
 * Records are stored in increasing Raft index, so index queries are two
 * binary searches. Timestamps are client-supplied and need not be
 * monotonic; the buffer counts adjacent inversions among stored records and
 * binary-searches time only when there are none, otherwise it scans.
 */
#include <assert.h>

#include "logbuf_internal.h"

/* The key a query searches by: records are sorted by index always, and by
 * timestamp while no timestamp went backwards (ts_inversions == 0). */
static uint64_t lb_key(const logbuf *lb, size_t i, bool by_time)
{
    const lb_rec *rec = lb_at(lb, i);
    return by_time ? rec->timestamp_ns : rec->index;
}

/* First stored record whose key >= k (count if none). */
static size_t lb_lower(const logbuf *lb, uint64_t k, bool by_time)
{
    assert(!by_time || lb->ts_inversions == 0);
    size_t lo = 0, hi = lb->count;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (lb_key(lb, mid, by_time) < k)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

static void lb_visit_range(const logbuf *lb, size_t from, size_t to_excl, logbuf_visit_fn fn,
                           void *arg)
{
    for (size_t i = from; fn && i < to_excl; i++) {
        logbuf_record r;
        lb_to_record(lb, lb_at(lb, i), &r);
        fn(arg, &r);
    }
}

/* Records with from <= index <= to (inclusive), oldest first. */
size_t logbuf_query_index(const logbuf *lb, uint64_t from, uint64_t to, logbuf_visit_fn fn,
                          void *arg)
{
    assert(lb);
    if (from > to)
        return 0;
    size_t first = lb_lower(lb, from, false);
    size_t end = to == UINT64_MAX ? lb->count : lb_lower(lb, to + 1, false);
    assert(first <= end);
    lb_visit_range(lb, first, end, fn, arg);
    return end - first;
}

/* Records with from_ns <= timestamp <= to_ns (inclusive), in ring order.
 * Binary search while stored timestamps are non-decreasing, else a scan. */
size_t logbuf_query_time(const logbuf *lb, uint64_t from_ns, uint64_t to_ns,
                         logbuf_visit_fn fn, void *arg)
{
    assert(lb);
    if (from_ns > to_ns)
        return 0;
    if (lb->ts_inversions == 0) {
        size_t first = lb_lower(lb, from_ns, true);
        size_t end = to_ns == UINT64_MAX ? lb->count : lb_lower(lb, to_ns + 1, true);
        lb_visit_range(lb, first, end, fn, arg);
        return end - first;
    }
    size_t n = 0;
    for (size_t i = 0; i < lb->count; i++) {
        const lb_rec *r = lb_at(lb, i);
        if (r->timestamp_ns < from_ns || r->timestamp_ns > to_ns)
            continue;
        n++;
        lb_visit_range(lb, i, i + 1, fn, arg);
    }
    return n;
}

/* The newest n records (all if fewer are stored), oldest first. */
size_t logbuf_query_last(const logbuf *lb, size_t n, logbuf_visit_fn fn, void *arg)
{
    assert(lb);
    size_t k = n < lb->count ? n : lb->count;
    lb_visit_range(lb, lb->count - k, lb->count, fn, arg);
    return k;
}
