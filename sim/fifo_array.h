/* fifo_array.h — room at the end of a FIFO kept in a plain array.
 *
 * The queue is items[head, head + n) of an array of `cap` items: pushes go at
 * head + n, pops advance head. When the end is reached, the queue slides down
 * to index 0 if that moves no more items than were popped since the last
 * slide (head >= n: amortised O(1) per push), and the array doubles
 * otherwise. */
#ifndef SIM_FIFO_ARRAY_H
#define SIM_FIFO_ARRAY_H

#include <stdlib.h>
#include <string.h>

/* Returns the array (moved if it grew) with room for one more item at
 * head + n, updating *head and *cap; NULL when out of memory, and then the
 * queue is unchanged. */
static inline void *fifo_array_reserve(void *items, size_t item_size, size_t *head, size_t n,
                                       size_t *cap, size_t first_cap)
{
    if (*head + n < *cap)
        return items;
    if (*head > 0 && *head >= n) {
        memmove(items, (char *)items + *head * item_size, n * item_size);
        *head = 0;
        return items;
    }
    size_t ncap = *cap ? *cap * 2 : first_cap;
    void *p = realloc(items, ncap * item_size);
    if (p)
        *cap = ncap;
    return p;
}

#endif
