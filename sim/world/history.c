/* history.c — client history and its end-of-run checker (see history.h). */
#include "history.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "grow.h"

void hist_init(history *h) { memset(h, 0, sizeof *h); }

void hist_free(history *h)
{
    for (size_t i = 0; i < h->n_sessions; i++)
        free(h->sessions[i].stored);
    free(h->sessions);
    free(h->decided);
    free(h->ops);
    free(h->done);
    memset(h, 0, sizeof *h);
}

size_t hist_invoke(history *h, enum hist_kind kind, uint32_t client, uint32_t session,
                   uint64_t seq, uint64_t now_ns)
{
    if (h->n == h->cap) {
        /* x4, not x2: the history grows all run long, and each growth
         * copies it (a third of the copying of doubling) */
        size_t cap = h->cap ? h->cap * 4 : 1024;
        hist_op *p = realloc(h->ops, cap * sizeof *p);
        if (!p)
            return SIZE_MAX;
        h->ops = p;
        h->cap = cap;
    }
    assert(h->n == 0 || h->ops[h->n - 1].invoke_ns <= now_ns);
    h->ops[h->n] = (hist_op){.invoke_ns = now_ns, .seq = seq, .client = client,
                             .session = session, .kind = (uint8_t)kind,
                             .outcome = HIST_PENDING};
    return h->n++;
}

void hist_complete(history *h, size_t op, uint64_t now_ns, uint64_t index,
                   uint64_t records_total)
{
    assert(op < h->n);
    hist_op *o = &h->ops[op];
    assert(o->outcome == HIST_PENDING);
    o->outcome = HIST_OK;
    o->complete_ns = now_ns;
    o->index = index;
    o->records_total = records_total;
    if (o->kind != HIST_APPEND) {
        h->reads++;
        return;
    }
    h->acked++;
    if (h->n_done == h->cap_done) { /* completions arrive in time order: no sort later */
        size_t cap = h->cap_done ? h->cap_done * 4 : 1024; /* x4: as ops */
        size_t *p = realloc(h->done, cap * sizeof *p);
        if (!p)
            return; /* the check then reports the append as missing from the order */
        h->done = p;
        h->cap_done = cap;
    }
    assert(h->n_done == 0 || h->ops[h->done[h->n_done - 1]].complete_ns <= now_ns);
    h->done[h->n_done++] = op;
}

int hist_note_stored(history *h, uint32_t session, uint64_t seq, uint64_t index,
                     uint64_t *prev)
{
    if (session >= h->n_sessions) {
        hist_session *p = grow_zeroed(h->sessions, sizeof *p, &h->n_sessions, session, 16);
        if (!p)
            return -2;
        h->sessions = p;
    }
    hist_session *s = &h->sessions[session];
    uint64_t *at;
    if (seq < HIST_SEQ_INLINE) {
        at = &s->first[seq];
    } else {
        if (seq >= s->cap) {
            uint64_t *p = grow_zeroed(s->stored, sizeof *p, &s->cap, seq, 64);
            if (!p)
                return -2;
            s->stored = p;
        }
        at = &s->stored[seq];
    }
    *prev = *at;
    if (*at && *at != index)
        return -1;
    *at = index;
    return 0;
}

/* hist_note_decision when index is new, or decided differently. */
int hist__note_decision(history *h, uint64_t index, uint64_t d, bool *prev_dup,
                        uint64_t *prev_at)
{
    assert(index > 0 && d != 0);
    if (index >= h->decided_cap) {
        uint64_t *p = grow_zeroed(h->decided, sizeof *p, &h->decided_cap, index, 1024);
        if (!p)
            return -2;
        h->decided = p;
    }
    uint64_t *slot = &h->decided[index];
    if (!*slot)
        *slot = d;
    if (*slot == d)
        return 0;
    *prev_dup = (*slot - 1) & 1;
    *prev_at = (*slot - 1) >> 1;
    return -1;
}

uint64_t hist_stored_at(const history *h, uint32_t session, uint64_t seq)
{
    if (session >= h->n_sessions)
        return 0;
    const hist_session *s = &h->sessions[session];
    if (seq < HIST_SEQ_INLINE)
        return s->first[seq];
    return seq < s->cap ? s->stored[seq] : 0;
}

static void fail(sim_violation *v, const hist_op *o, const char *what, uint64_t a, uint64_t b)
{
    memset(v, 0, sizeof *v);
    v->kind = SIM_V_HISTORY;
    v->time_ns = o->complete_ns;
    v->nodes[0] = o->client;
    v->index = o->index;
    snprintf(v->detail, sizeof v->detail,
             "client %u session %u seq %llu (invoked %llu, completed %llu, index %llu): "
             "%s (%llu, %llu)", o->client, o->session, (unsigned long long)o->seq,
             (unsigned long long)o->invoke_ns, (unsigned long long)o->complete_ns,
             (unsigned long long)o->index, what, (unsigned long long)a,
             (unsigned long long)b);
}

/* Sweep ops in invoke order; `done` lists acked appends by completion time. */
static bool check_real_time(const history *h, sim_violation *v)
{
    const size_t *done = h->done;
    size_t n_done = h->n_done;
    size_t k = 0;
    uint64_t max_index = 0, count = 0;
    for (size_t i = 0; i < h->n; i++) {
        const hist_op *o = &h->ops[i];
        while (k < n_done && h->ops[done[k]].complete_ns < o->invoke_ns) {
            const hist_op *a = &h->ops[done[k++]];
            if (a->index > max_index)
                max_index = a->index;
            count++;
        }
        if (o->outcome != HIST_OK)
            continue;
        if (o->kind == HIST_APPEND && o->index <= max_index && count) {
            fail(v, o, "append ordered before one acknowledged before it was invoked "
                       "(index, max earlier index)", o->index, max_index);
            return false;
        }
        if (o->kind == HIST_READ && (o->index < max_index || o->records_total < count)) {
            fail(v, o, "read misses an append acknowledged before it was invoked "
                       "(max acked index, acked count)", max_index, count);
            return false;
        }
    }
    return true;
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

/* Every index where an append was stored (by the first node to apply it:
 * the committed log's), sorted; NULL and *n = SIZE_MAX when out of memory. */
static uint64_t *stored_indexes(const history *h, size_t *n)
{
    size_t cap = 0;
    for (size_t i = 0; i < h->n_sessions; i++)
        cap += HIST_SEQ_INLINE + h->sessions[i].cap;
    uint64_t *all = malloc((cap ? cap : 1) * sizeof *all);
    *n = 0;
    if (!all) {
        *n = SIZE_MAX;
        return NULL;
    }
    for (size_t i = 0; i < h->n_sessions; i++) {
        const hist_session *s = &h->sessions[i];
        for (size_t k = 0; k < HIST_SEQ_INLINE; k++)
            if (s->first[k])
                all[(*n)++] = s->first[k];
        for (size_t k = HIST_SEQ_INLINE; k < s->cap; k++)
            if (s->stored[k])
                all[(*n)++] = s->stored[k];
    }
    qsort(all, *n, sizeof *all, cmp_u64);
    return all;
}

/* How many of the sorted a[0, n) are <= x. */
static size_t count_upto(const uint64_t *a, size_t n, uint64_t x)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (a[mid] <= x)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* Check 4: every read shows the committed state at its index, counted in
 * appends: neither fewer (a committed append missed) nor more (one never
 * committed, or a duplicate stored twice). */
static bool check_read_state(const history *h, sim_violation *v)
{
    if (!h->reads)
        return true;
    size_t n;
    uint64_t *stored = stored_indexes(h, &n);
    if (!stored) {
        memset(v, 0, sizeof *v);
        v->kind = SIM_V_READ_STATE;
        snprintf(v->detail, sizeof v->detail, "history check: out of memory");
        return false;
    }
    bool ok = true;
    for (size_t i = 0; i < h->n && ok; i++) {
        const hist_op *o = &h->ops[i];
        if (o->kind != HIST_READ || o->outcome != HIST_OK)
            continue;
        size_t committed = count_upto(stored, n, o->index);
        if (o->records_total != committed) {
            fail(v, o, o->records_total > committed
                           ? "read shows more appends than were committed up to its index "
                             "(records seen, appends committed)"
                           : "read misses appends committed up to its index "
                             "(records seen, appends committed)",
                 o->records_total, committed);
            v->kind = SIM_V_READ_STATE;
            ok = false;
        }
    }
    free(stored);
    return ok;
}

bool hist_check(const history *h, sim_violation *v)
{
    if (h->n_done != h->acked) {
        memset(v, 0, sizeof *v);
        v->kind = SIM_V_HISTORY;
        snprintf(v->detail, sizeof v->detail, "history check: out of memory");
        return false;
    }
    for (size_t i = 0; i < h->n; i++) {
        const hist_op *o = &h->ops[i];
        if (o->kind != HIST_APPEND || o->outcome != HIST_OK)
            continue;
        uint64_t at = hist_stored_at(h, o->session, o->seq);
        if (at != o->index) {
            fail(v, o, "acknowledged append not stored exactly there (acked index, stored "
                       "index)", o->index, at);
            return false;
        }
    }
    return check_real_time(h, v) && check_read_state(h, v);
}
