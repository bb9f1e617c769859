/* queue.c — the event queue (queue.h): a binary heap ordered by (time,
 * insertion sequence), beside a FIFO lane of keys already in that order. */
#include "queue.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

#define SLOT_MASK ((UINT64_C(1) << EVQ_SLOT_BITS) - 1)

void evq_init(evq *q) { memset(q, 0, sizeof *q); }

void evq_free(evq *q)
{
    free(q->heap);
    free(q->fifo);
    free(q->slots);
    free(q->free_slots);
    evq_init(q);
}

int evq__grow(evq *q)
{
    /* The heap, the lane, the slab and the free list grow together: an event
     * needs one key and one slot, so a single capacity check covers all. */
    size_t cap = q->cap ? q->cap * 2 : 256;
    if (cap > ((size_t)1 << EVQ_SLOT_BITS))
        return -1; /* more pending events than slot ids */
    evq_key *h = realloc(q->heap, cap * sizeof *h);
    if (!h)
        return -1;
    q->heap = h;
    h[q->len] = EVQ__SENTINEL; /* the first allocation has none yet */
    /* The lane's ring, unwrapped into the new one from index 0. */
    evq_key *f = malloc(cap * sizeof *f);
    if (!f)
        return -1;
    size_t lane_len = (q->fifo_tail - q->fifo_head) & (q->cap - 1); /* 0 if cap is */
    for (size_t i = 0; i < lane_len; i++)
        f[i] = q->fifo[(q->fifo_head + i) & (q->cap - 1)];
    f[lane_len] = EVQ__SENTINEL;
    free(q->fifo);
    q->fifo = f;
    q->fifo_head = 0;
    q->fifo_tail = lane_len;
    /* Aligned (realloc cannot keep that): see sim_event. cap is a power of
     * two >= 256, so the size is a multiple of the alignment. */
    sim_event *e = aligned_alloc(64, cap * sizeof *e);
    if (!e)
        return -1;
    if (q->n_slots)
        memcpy(e, q->slots, q->n_slots * sizeof *e);
    free(q->slots);
    q->slots = e;
    uint32_t *fs = realloc(q->free_slots, cap * sizeof *fs);
    if (!fs)
        return -1;
    q->free_slots = fs;
    q->cap = cap;
    return 0;
}

int evq_push(evq *q, const sim_event *ev)
{
    return evq_push_fields(q, ev->time_ns, ev->kind, ev->a, ev->b, ev->c);
}

/* Bottom-up sift (Wegener): walk the hole left by the root down to a leaf
 * along the smaller children (one compare per level), then sift the last
 * key up from there — it is among the largest, so it rarely climbs. Keys are
 * unique, so the pop order is exactly that of any other correct heap. */
static void sift_root_out(evq *q, evq_key last)
{
    /* The walk down counts in bytes, not indexes: the child of byte offset
     * o is at 2 * o + one key, which saves scaling every index by 16. */
    const size_t key = sizeof(evq_key);
    char *base = (char *)q->heap;
    size_t end = q->len * key, o = 0, c;
    while ((c = 2 * o + key) < end) {
        const evq_key *left = (const evq_key *)(base + c);
        /* heap[len] is the sentinel, so the right child always exists. */
        if (evq__key_before(left + 1, left))
            c += key;
        *(evq_key *)(base + o) = *(const evq_key *)(base + c);
        o = c;
    }
    while (o > 0) { /* the parent of byte offset o: index (i - 1) / 2, in bytes */
        size_t p = ((o - key) / 2) & ~(key - 1);
        const evq_key *parent = (const evq_key *)(base + p);
        if (!evq__key_before(&last, parent))
            break;
        *(evq_key *)(base + o) = *parent;
        o = p;
    }
    *(evq_key *)(base + o) = last;
}

const sim_event *evq_take_head(evq *q, const evq_key *head)
{
    assert(head == q->heap || head == &q->fifo[q->fifo_head]);
    uint64_t t = head->time_ns;
    uint32_t slot = (uint32_t)(head->seq_slot & SLOT_MASK);
    /* After either removal, what stays is not earlier. The lane's next key
     * is not, by its order (a push appends no earlier time), nor is the
     * heap's new root, by the heap's; the other head is not as the head
     * taken was the smaller of the two: the asserts below check that. */
    if (head != q->heap) { /* the lane's */
        q->fifo_head = (q->fifo_head + 1) & (q->cap - 1);
        assert(q->heap[0].time_ns >= t);
    } else {
        assert(q->len > 0);
        evq_key last = q->heap[--q->len];
        q->heap[q->len] = EVQ__SENTINEL;
        if (q->len > 0)
            sift_root_out(q, last);
        assert(q->heap[0].time_ns >= t && q->fifo[q->fifo_head].time_ns >= t);
    }
    q->free_slots[q->n_free++] = slot; /* capacity: one entry per slot ever made */
    return &q->slots[slot];
}

const sim_event *evq_take(evq *q)
{
    const evq_key *head = evq_head(q);
    assert(head);
    return evq_take_head(q, head);
}

bool evq_pop(evq *q, sim_event *out)
{
    if (!evq_len(q))
        return false;
    *out = *evq_take(q);
    return true;
}
