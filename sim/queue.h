/* queue.h — the simulator's event queue: a binary min-heap of events stored
 * by value, ordered by (time, insertion sequence). Ties therefore always
 * break on the order events were pushed, never on pointers or addresses. */
#ifndef SIM_QUEUE_H
#define SIM_QUEUE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct sim_event {
    uint64_t time_ns;
    uint64_t seq;     /* insertion order; filled in by evq_push */
    uint32_t kind;    /* owner-defined */
    uint32_t a;       /* owner-defined payload (e.g. node, message slot) */
    uint64_t b, c;    /* owner-defined payload (e.g. generation numbers) */
} sim_event;

/* The heap holds 16-byte keys (time, seq << 24 | slot); the events sit in a
 * slab indexed by slot, so sifting moves small keys. Ordering by the key is
 * ordering by (time, insertion sequence). */
typedef struct evq_key {
    uint64_t time_ns;
    uint64_t seq_slot;
} evq_key;

enum { EVQ_SLOT_BITS = 24 };

typedef struct evq {
    evq_key *heap;
    size_t len, cap;
    sim_event *slots;
    uint32_t *free_slots;
    size_t n_slots, n_free, cap_slots;
    uint64_t next_seq;
} evq;

void evq_init(evq *q);
void evq_free(evq *q);
/* Returns 0, or -1 on allocation failure (the queue is unchanged). */
int evq_push(evq *q, const sim_event *ev);
/* Earliest event, or NULL if empty. */
static inline const sim_event *evq_peek(const evq *q)
{
    if (!q->len)
        return NULL;
    return &q->slots[q->heap[0].seq_slot & ((UINT64_C(1) << EVQ_SLOT_BITS) - 1)];
}
/* Remove the earliest event into *out. Returns false if empty. */
bool evq_pop(evq *q, sim_event *out);
static inline size_t evq_len(const evq *q) { return q->len; }

#endif
