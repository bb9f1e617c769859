/* queue.c — binary heap ordered by (time, insertion sequence). */
#include "queue.h"

#include <assert.h>
#include <stdlib.h>

void evq_init(evq *q)
{
    q->heap = NULL;
    q->len = q->cap = 0;
    q->next_seq = 0;
}

void evq_free(evq *q)
{
    free(q->heap);
    evq_init(q);
}

static bool ev_before(const sim_event *x, const sim_event *y)
{
    if (x->time_ns != y->time_ns)
        return x->time_ns < y->time_ns;
    return x->seq < y->seq;
}

static int evq_grow(evq *q)
{
    size_t cap = q->cap ? q->cap * 2 : 256;
    sim_event *h = realloc(q->heap, cap * sizeof *h);
    if (!h)
        return -1;
    q->heap = h;
    q->cap = cap;
    return 0;
}

int evq_push(evq *q, const sim_event *ev)
{
    if (q->len == q->cap && evq_grow(q) != 0)
        return -1;
    sim_event e = *ev;
    e.seq = q->next_seq++;
    size_t i = q->len++;
    while (i > 0) {
        size_t parent = (i - 1) / 2;
        if (!ev_before(&e, &q->heap[parent]))
            break;
        q->heap[i] = q->heap[parent];
        i = parent;
    }
    q->heap[i] = e;
    return 0;
}

const sim_event *evq_peek(const evq *q)
{
    return q->len ? &q->heap[0] : NULL;
}

bool evq_pop(evq *q, sim_event *out)
{
    if (q->len == 0)
        return false;
    *out = q->heap[0];
    sim_event last = q->heap[--q->len];
    size_t n = q->len, i = 0;
    for (;;) {
        size_t child = 2 * i + 1;
        if (child >= n)
            break;
        if (child + 1 < n && ev_before(&q->heap[child + 1], &q->heap[child]))
            child++;
        if (!ev_before(&q->heap[child], &last))
            break;
        q->heap[i] = q->heap[child];
        i = child;
    }
    if (n > 0)
        q->heap[i] = last;
    assert(q->len == 0 || !ev_before(&q->heap[0], out));
    return true;
}
