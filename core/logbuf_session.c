/* logbuf_session.c — the log buffer's client sessions (thesis §6.3): the
 * last sequence number applied per client and the index it went to, in a
 * dense window of client ids and a sorted array for the rest (see
 * logbuf_internal.h). */
#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "logbuf_internal.h"

/* First session with client_id >= id (n_sessions if none). */
size_t lb_session_lower(const lb_session *s, size_t n, uint64_t id)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (s[mid].client_id < id)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* Where client_id is, or would be inserted, in the sorted session array.
 * Fast path, verified, O(1) instead of a binary search: ids handed out
 * densely from 1 (as in a restored buffer) sit at position id - 1. */
size_t lb_session_pos(const logbuf *lb, uint64_t client_id)
{
    if (client_id >= 1 && client_id <= lb->n_sessions &&
        lb->sessions[client_id - 1].client_id == client_id)
        return (size_t)(client_id - 1);
    return lb_session_lower(lb->sessions, lb->n_sessions, client_id);
}

bool logbuf_session(const logbuf *lb, uint64_t client_id, uint64_t *seq, uint64_t *index)
{
    assert(lb);
    const lb_session *s = lb_session_find(lb, client_id);
    if (!s)
        return false;
    if (seq)
        *seq = s->seq;
    if (index)
        *index = s->index;
    return true;
}

/* Sessions of the sorted array with ids in [from, from + n): positions
 * [*first, return value). */
static size_t lb_sorted_range(const logbuf *lb, uint64_t from, uint64_t n, size_t *first)
{
    *first = lb_session_lower(lb->sessions, lb->n_sessions, from);
    size_t end = *first;
    while (end < lb->n_sessions && lb->sessions[end].client_id - from < n)
        end++;
    return end;
}

/* The window that would cover client_id: its first id in *lo and its size
 * returned (the window grown up or down, or a new one starting at
 * client_id), or 0 if the id belongs in the sorted array: so far from the
 * window that it would be less than about an eighth full (ids of
 * operations still in flight are holes until they commit: the simulator's
 * chaos runs need that slack). Grown down, the window keeps its last id and
 * takes all its new room below: ids arriving in decreasing order (the first
 * id applied need not be the smallest) move it a logarithmic number of
 * times, not once each. */
static size_t lb_dense_want(const logbuf *lb, uint64_t client_id, uint64_t *lo)
{
    *lo = lb->dense_cap ? lb->dense_lo : client_id;
    size_t cap = lb->dense_cap ? lb->dense_cap : LB_DENSE_INITIAL;
    if (client_id < *lo) {
        uint64_t last = *lo + (cap - 1); /* fits: checked when the window grew */
        while (last - client_id >= cap) {
            if (cap > SIZE_MAX / 8 / sizeof *lb->dense)
                return 0;
            cap *= 2;
        }
        *lo = last >= cap - 1 ? last - (cap - 1) : 0;
    } else {
        while (client_id - *lo >= cap) {
            if (cap > SIZE_MAX / 8 / sizeof *lb->dense)
                return 0;
            cap *= 2;
        }
        if (cap - 1 > UINT64_MAX - *lo)
            return 0;
    }
    /* the sorted array holds no id of the current window */
    size_t first, end = lb_sorted_range(lb, *lo, cap, &first);
    if (cap > 8 * (lb->dense_n + (end - first) + 1) + LB_DENSE_INITIAL)
        return 0;
    return cap;
}

/* Grow (or start) the dense window to ids [lo, lo + cap), which covers the
 * current one, and move the sorted array's sessions of the new slots into
 * it. No observable change. */
static bool lb_dense_grow(logbuf *lb, uint64_t lo, size_t cap)
{
    assert(!lb->dense_cap || (lo <= lb->dense_lo && cap >= lb->dense_cap &&
                              lb->dense_lo - lo <= cap - lb->dense_cap));
    lb_session *d = realloc(lb->dense, cap * sizeof *d);
    if (!d)
        return false;
    size_t below = lb->dense_cap ? (size_t)(lb->dense_lo - lo) : 0; /* new slots below */
    memmove(d + below, d, lb->dense_cap * sizeof *d);
    memset(d, 0, below * sizeof *d);
    memset(d + below + lb->dense_cap, 0, (cap - below - lb->dense_cap) * sizeof *d);
    lb->dense = d;
    lb->dense_lo = lo;
    lb->dense_cap = cap;
    size_t first, end = lb_sorted_range(lb, lo, cap, &first);
    for (size_t i = first; i < end; i++)
        lb->dense[lb->sessions[i].client_id - lo] = lb->sessions[i];
    lb->dense_n += end - first;
    memmove(&lb->sessions[first], &lb->sessions[end],
            (lb->n_sessions - end) * sizeof *lb->sessions);
    lb->n_sessions -= end - first;
    return true;
}

/* Make room for client_id's session (in the window, or one more in the
 * sorted array); changes no observable state. */
bool lb_sessions_reserve(logbuf *lb, uint64_t client_id)
{
    if (lb_dense_slot(lb, client_id))
        return true;
    uint64_t lo;
    size_t cap = lb_dense_want(lb, client_id, &lo);
    if (cap)
        return lb_dense_grow(lb, lo, cap);
    if (lb->n_sessions < lb->scap)
        return true;
    if (lb->scap > SIZE_MAX / 2 / sizeof *lb->sessions)
        return false;
    size_t ncap = lb->scap * 2;
    lb_session *s = realloc(lb->sessions, ncap * sizeof *s);
    if (!s)
        return false;
    lb->sessions = s;
    lb->scap = ncap;
    return true;
}

/* Record (client, seq) -> index at position i (from lb_session_pos); space
 * must have been reserved. */
static void lb_session_set(logbuf *lb, size_t i, uint64_t client_id, uint64_t seq,
                           uint64_t index)
{
    assert(i <= lb->n_sessions); /* i is the lower bound of client_id: */
    assert(i == 0 || lb->sessions[i - 1].client_id < client_id);
    assert(i == lb->n_sessions || lb->sessions[i].client_id >= client_id);
    if (i == lb->n_sessions || lb->sessions[i].client_id != client_id) {
        assert(lb->n_sessions < lb->scap);
        memmove(&lb->sessions[i + 1], &lb->sessions[i],
                (lb->n_sessions - i) * sizeof *lb->sessions);
        lb->n_sessions++;
        lb->sessions[i] = (lb_session){.client_id = client_id, .seq = 0, .index = 0, .hash = 0};
    }
    lb_session *s = &lb->sessions[i];
    assert(s->seq < seq || s->index == 0 || LB_BUG(lb, DEDUP_FAST_PATH));
    uint64_t h = lb_session_hash(client_id, seq, index);
    lb->sess_sum += h - s->hash;
    *s = (lb_session){.client_id = client_id, .seq = seq, .index = index, .hash = h};
}

/* Record (client, seq) -> index (index >= 1); room must have been reserved
 * (lb_sessions_reserve). */
void lb_session_put(logbuf *lb, uint64_t client_id, uint64_t seq, uint64_t index)
{
    assert(index >= 1);
    lb_session *d = lb_dense_slot(lb, client_id);
    if (!d) {
        lb_session_set(lb, lb_session_pos(lb, client_id), client_id, seq, index);
        return;
    }
    lb_dense_put(lb, d, client_id, seq, index);
}
