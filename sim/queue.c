/* queue.c — binary heap ordered by (time, insertion sequence). */
#include "queue.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

#define SLOT_MASK ((UINT64_C(1) << EVQ_SLOT_BITS) - 1)

void evq_init(evq *q) { memset(q, 0, sizeof *q); }

void evq_free(evq *q)
{
    free(q->heap);
    free(q->slots);
    free(q->free_slots);
    evq_init(q);
}

/* The key as one 128-bit number: time in the high half, then the sequence
 * (whose low bits hold the slot), so a single compare orders two events. */
static inline unsigned __int128 key_value(const evq_key *k)
{
    return (unsigned __int128)k->time_ns << 64 | k->seq_slot;
}

static inline bool key_before(const evq_key *x, const evq_key *y)
{
    return key_value(x) < key_value(y);
}

static int grow(evq *q)
{
    if (q->len == q->cap) {
        size_t cap = q->cap ? q->cap * 2 : 256;
        evq_key *h = realloc(q->heap, cap * sizeof *h);
        if (!h)
            return -1;
        q->heap = h;
        q->cap = cap;
    }
    if (q->n_free == 0 && q->n_slots == q->cap_slots) {
        size_t cap = q->cap_slots ? q->cap_slots * 2 : 256;
        if (cap > ((size_t)1 << EVQ_SLOT_BITS))
            return -1; /* more pending events than slot ids */
        sim_event *e = realloc(q->slots, cap * sizeof *e);
        if (!e)
            return -1;
        q->slots = e;
        uint32_t *f = realloc(q->free_slots, cap * sizeof *f);
        if (!f)
            return -1;
        q->free_slots = f;
        q->cap_slots = cap;
    }
    return 0;
}

int evq_push(evq *q, const sim_event *ev)
{
    if (grow(q) != 0)
        return -1;
    assert(q->next_seq < (UINT64_C(1) << (64 - EVQ_SLOT_BITS)));
    size_t slot = q->n_free ? q->free_slots[--q->n_free] : q->n_slots++;
    sim_event *e = &q->slots[slot];
    *e = *ev;
    e->seq = q->next_seq++;
    evq_key k = {.time_ns = e->time_ns, .seq_slot = (e->seq << EVQ_SLOT_BITS) | slot};
    size_t i = q->len++;
    while (i > 0) {
        size_t parent = (i - 1) / 2;
        if (!key_before(&k, &q->heap[parent]))
            break;
        q->heap[i] = q->heap[parent];
        i = parent;
    }
    q->heap[i] = k;
    return 0;
}

/* Bottom-up sift (Wegener): walk the hole left by the root down to a leaf
 * along the smaller children (one compare per level), then sift the last
 * key up from there — it is among the largest, so it rarely climbs. Keys are
 * unique, so the pop order is exactly that of any other correct heap. */
static void sift_root_out(evq *q, evq_key last)
{
    size_t n = q->len, i = 0, child;
    while ((child = 2 * i + 1) < n) {
        if (child + 1 < n && key_before(&q->heap[child + 1], &q->heap[child]))
            child++;
        q->heap[i] = q->heap[child];
        i = child;
    }
    while (i > 0) {
        size_t parent = (i - 1) / 2;
        if (!key_before(&last, &q->heap[parent]))
            break;
        q->heap[i] = q->heap[parent];
        i = parent;
    }
    q->heap[i] = last;
}

bool evq_pop(evq *q, sim_event *out)
{
    if (q->len == 0)
        return false;
    uint32_t slot = (uint32_t)(q->heap[0].seq_slot & SLOT_MASK);
    *out = q->slots[slot];
    q->free_slots[q->n_free++] = slot; /* capacity: one entry per slot ever made */
    evq_key last = q->heap[--q->len];
    if (q->len > 0)
        sift_root_out(q, last);
    assert(out->time_ns == 0 || q->len == 0 || q->heap[0].time_ns >= out->time_ns);
    return true;
}
