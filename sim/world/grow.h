/* grow.h — growing plain arrays (amortised O(1) per item).
 *
 * Both helpers return the array (moved if it grew), or NULL when out of
 * memory, and then the array and its counters are unchanged. */
#ifndef SIM_GROW_H
#define SIM_GROW_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* An array indexed directly, grown (doubling from first_cap) until index
 * `need` fits, the new slots zeroed; *cap is updated. */
static inline void *grow_zeroed(void *items, size_t item_size, size_t *cap, size_t need,
                                size_t first_cap)
{
    size_t ncap = *cap ? *cap : first_cap;
    while (ncap <= need) {
        if (ncap > SIZE_MAX / 2 / item_size)
            return NULL;
        ncap *= 2;
    }
    unsigned char *p = realloc(items, ncap * item_size);
    if (!p)
        return NULL;
    memset(p + *cap * item_size, 0, (ncap - *cap) * item_size);
    *cap = ncap;
    return p;
}

/* A FIFO kept as items[head, head + n) of an array of `cap` items: pushes go
 * at head + n, pops advance head. When the end is reached, the queue slides
 * down to index 0 if that moves no more items than were popped since the
 * last slide (head >= n: amortised O(1) per push), and the array doubles
 * otherwise. Returns the array (moved if it grew) with room for one more item at
 * head + n, updating *head and *cap; NULL when out of memory, and then the
 * queue is unchanged. With `align` above malloc's (0: malloc's), the array is
 * allocated so aligned (item_size and first_cap * item_size must be
 * multiples of it), which realloc cannot keep: a grown array is a copy of
 * the queue from index 0. */
static inline void *fifo_array_reserve(void *items, size_t item_size, size_t *head, size_t n,
                                       size_t *cap, size_t first_cap, size_t align)
{
    if (*head + n < *cap)
        return items;
    if (*head > 0 && *head >= n) {
        memmove(items, (char *)items + *head * item_size, n * item_size);
        *head = 0;
        return items;
    }
    size_t ncap = *cap ? *cap * 2 : first_cap;
    if (ncap > SIZE_MAX / item_size)
        return NULL;
    if (align <= _Alignof(max_align_t)) {
        void *p = realloc(items, ncap * item_size);
        if (p)
            *cap = ncap;
        return p;
    }
    void *p = aligned_alloc(align, ncap * item_size);
    if (!p)
        return NULL;
    if (n)
        memcpy(p, (char *)items + *head * item_size, n * item_size);
    free(items);
    *head = 0;
    *cap = ncap;
    return p;
}

#endif
