/* queue.h — the simulator's event queue: a binary min-heap of events stored
 * by value (and a FIFO lane beside it, below), ordered by (time, insertion
 * sequence). Ties therefore always
 * break on the order events were pushed, never on pointers or addresses. */
#ifndef SIM_QUEUE_H
#define SIM_QUEUE_H

#include <assert.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct sim_event {
    uint64_t time_ns;
    uint32_t kind;    /* owner-defined */
    uint32_t a;       /* owner-defined payload (e.g. node, message slot) */
    uint64_t b, c;    /* owner-defined payload (e.g. generation numbers) */
} sim_event;
/* Half a cache line: in the 64-byte aligned slab, no event straddles two
 * lines, so taking one costs at most one miss. (The insertion sequence
 * lives in the heap key only.) */
_Static_assert(sizeof(sim_event) == 32, "an event is half a cache line");

/* The heap holds 16-byte keys (time, seq << 24 | slot); the events sit in a
 * slab indexed by slot, so sifting moves small keys. Ordering by the key is
 * ordering by (time, insertion sequence). heap[len] always holds a sentinel
 * key greater than any real one, so sifting down never checks whether a
 * right child exists. */
typedef struct evq_key {
    uint64_t time_ns;
    uint64_t seq_slot;
} evq_key;

enum { EVQ_SLOT_BITS = 24 };

/* Beside the heap, a FIFO lane: a ring of keys in increasing order. A push
 * through evq_push_lane_fields whose time is at or after the lane's last
 * key's time (its key is then greater, as its sequence is newer) is appended
 * there in a few instructions; any other goes to the heap. A pop takes the
 * smaller of the two heads, so the pop order is exactly that of the heap
 * alone. The simulator sends its deliveries through the lane: on links of
 * constant latency they arrive in push order, and then neither the push nor
 * the pop sifts. fifo[fifo_tail] (one past the last key) always holds a
 * sentinel key, like heap[len], so choosing a head is a single compare. */
typedef struct evq {
    /* The fields one push or one pop both writes are not adjacent: GCC
     * stored such pairs through a vector register, which took more
     * instructions than plain stores. */
    evq_key *heap;
    size_t len;       /* keys in the heap */
    evq_key *fifo;
    uint64_t fifo_last_time; /* the time of the last key appended to the lane */
    size_t cap; /* of heap, fifo, slots and free_slots alike (a power of two) */
    size_t fifo_head;
    sim_event *slots; /* 64-byte aligned */
    uint32_t *free_slots;
    size_t fifo_tail; /* the lane is fifo[fifo_head..fifo_tail), mod cap */
    size_t n_slots, n_free;
    uint64_t next_seq;
} evq;

void evq_init(evq *q);
void evq_free(evq *q);
/* Returns 0, or -1 on allocation failure (the queue is unchanged). */
int evq_push(evq *q, const sim_event *ev);
/* Push without building a sim_event first: queues an event at time_ns with
 * the given kind and payload. Returns 0, or -1 on allocation failure (the
 * queue is unchanged). Inline: the simulator pushes on most events. */
static inline int evq_push_fields(evq *q, uint64_t time_ns, uint32_t kind, uint32_t a,
                                  uint64_t b, uint64_t c);
/* The same, through the FIFO lane when the event comes at or after the last
 * one queued there (see evq), else through the heap. */
static inline int evq_push_lane_fields(evq *q, uint64_t time_ns, uint32_t kind, uint32_t a,
                                       uint64_t b, uint64_t c);
/* ---- internals of the inline push ---- */

/* The key as one 128-bit number: time in the high half, then the sequence
 * (whose low bits hold the slot), so a single compare orders two events. */
static inline bool evq__key_before(const evq_key *x, const evq_key *y)
{
    return ((unsigned __int128)x->time_ns << 64 | x->seq_slot) <
           ((unsigned __int128)y->time_ns << 64 | y->seq_slot);
}

/* Above every real key: a real seq_slot is below 2^64 - 1 (next_seq stays
 * below 2^40 - 1). */
#define EVQ__SENTINEL ((evq_key){.time_ns = UINT64_MAX, .seq_slot = UINT64_MAX})

/* Double the capacity: 0, or -1 on allocation failure. */
int evq__grow(evq *q);

/* Pending events: each holds one slot until it is taken. */
static inline size_t evq_len(const evq *q) { return q->n_slots - q->n_free; }

/* Can one more event be pushed without allocating? */
static inline bool evq_has_room(const evq *q) { return evq_len(q) + 1 < q->cap; }

/* The first half of a push, when there is room: a slot, the event stored
 * in it. Returns the new key (time, seq << EVQ_SLOT_BITS | slot). */
static inline evq_key evq__store(evq *q, uint64_t time_ns, uint32_t kind, uint32_t a,
                                 uint64_t b, uint64_t c)
{
    /* Room for the key and the sentinels; then a slot is free too, as every
     * pending event holds one and there are cap of them. */
    assert(evq_has_room(q));
    assert(q->next_seq < (UINT64_C(1) << (64 - EVQ_SLOT_BITS)) - 1);
    size_t slot = q->n_free ? q->free_slots[--q->n_free] : q->n_slots++;
    /* The event first: the sift below then needs no register for it. */
    q->slots[slot] = (sim_event){.time_ns = time_ns, .kind = kind, .a = a, .b = b, .c = c};
    return (evq_key){.time_ns = time_ns, .seq_slot = (q->next_seq++ << EVQ_SLOT_BITS) | slot};
}

/* Insert k into the heap: sift up, in byte offsets (see sift_root_out). */
static inline void evq__heap_insert(evq *q, evq_key k)
{
    const size_t key = sizeof(evq_key);
    char *base = (char *)q->heap;
    size_t o = q->len++ * key;
    q->heap[q->len] = EVQ__SENTINEL;
    while (o > 0) {
        size_t p = ((o - key) / 2) & ~(key - 1);
        const evq_key *parent = (const evq_key *)(base + p);
        if (!evq__key_before(&k, parent))
            break;
        *(evq_key *)(base + o) = *parent;
        o = p;
    }
    *(evq_key *)(base + o) = k;
}

static inline int evq_push_fields(evq *q, uint64_t time_ns, uint32_t kind, uint32_t a,
                                  uint64_t b, uint64_t c)
{
    if (!evq_has_room(q) && evq__grow(q) != 0)
        return -1;
    evq__heap_insert(q, evq__store(q, time_ns, kind, a, b, c));
    return 0;
}

static inline int evq_push_lane_fields(evq *q, uint64_t time_ns, uint32_t kind, uint32_t a,
                                       uint64_t b, uint64_t c)
{
    if (!evq_has_room(q) && evq__grow(q) != 0)
        return -1;
    evq_key k = evq__store(q, time_ns, kind, a, b, c);
    /* Not before the lane's last key's time: k, newer, is after that key
     * (an empty lane's last time is that of a key already popped). */
    if (time_ns < q->fifo_last_time) {
        evq__heap_insert(q, k);
        return 0;
    }
    q->fifo_last_time = time_ns;
    size_t tail = q->fifo_tail;
    q->fifo[tail] = k;
    /* Free: the lane's keys + 1 <= evq_len + 1 <= cap, so the ring never fills
     * (and head == tail means empty). */
    tail = (tail + 1) & (q->cap - 1);
    q->fifo[tail] = EVQ__SENTINEL;
    q->fifo_tail = tail;
    return 0;
}

/* The earliest pending key, or NULL if the queue is empty: the heap's root
 * or the lane's head, whichever is smaller (both hold keys: a sentinel
 * stands for an empty one). Valid until the next push or pop. */
static inline const evq_key *evq_head(const evq *q)
{
    if (!evq_len(q))
        return NULL;
    const evq_key *f = &q->fifo[q->fifo_head];
    return evq__key_before(f, q->heap) ? f : q->heap;
}
/* Remove the earliest event, whose key evq_head just returned, and return
 * it in place, without a copy: valid until the next push, which may reuse
 * its storage. */
const sim_event *evq_take_head(evq *q, const evq_key *head);
/* The same, finding the head itself (the queue must not be empty). */
const sim_event *evq_take(evq *q);
/* Remove the earliest event into *out. Returns false if empty. */
bool evq_pop(evq *q, sim_event *out);

#endif
