/* hostmem.c — allocator settings for simulation hosts (see hostmem.h). */
#define _DEFAULT_SOURCE /* sbrk, madvise and MADV_HUGEPAGE, beside _POSIX_C_SOURCE */

#include "hostmem.h"

#include <limits.h>
#include <stdint.h>
#include <stdlib.h> /* defines __GLIBC__ where that is the C library */

#if defined(__GLIBC__)
#include <malloc.h>
#include <sys/mman.h>
#include <unistd.h>
#endif

#if defined(__GLIBC__) && defined(M_TOP_PAD) && defined(MADV_HUGEPAGE)

enum {
    /* Every heap growth reserves this much beyond the request. Only address
     * space: pages become resident when first touched. The first growth
     * (below) is the span that gets huge pages, so it is sized to hold a
     * whole standard 60-s run (about 90 MB) or a sweep worker's seeds. */
    HOSTMEM_TOP_PAD = 256 << 20,
    /* Blocks below this come from the heap, whose pages stay with the
     * process; bigger ones too while the heap top has room, else they are
     * mapped on their own (realloc then moves them without copying). glibc
     * allows at most 32 MiB here on 64-bit systems. */
    HOSTMEM_MMAP_THRESHOLD = 32 << 20,
    /* A request bigger than any free heap top left by the C runtime's
     * start-up, so that it grows the heap now, by itself plus the pad. */
    HOSTMEM_PROBE = 1 << 20,
};

void hostmem_setup(void)
{
    /* glibc's defaults hand memory back: a heap top above 128 KiB free is
     * trimmed, and a block above 128 KiB is mapped on its own and unmapped
     * when freed (the threshold rises only after such frees). Memory freed
     * in one seed of a sweep was thus faulted in again, page by page, in
     * the next. Fixed thresholds keep it. mallopt() returns 1 on success;
     * allocators that replace glibc's (sanitizers, valgrind) may refuse. */
    if (mallopt(M_MMAP_THRESHOLD, HOSTMEM_MMAP_THRESHOLD) != 1 ||
        mallopt(M_TRIM_THRESHOLD, INT_MAX) != 1 || mallopt(M_TOP_PAD, HOSTMEM_TOP_PAD) != 1)
        return;
    /* Grow the heap now and advise the new span for transparent huge pages
     * (THP mode "madvise" is common): one fault per 2 MiB, not per 4 KiB.
     * If the heap did not grow by brk (malloc replaced, or brk refused, as
     * under valgrind, and glibc mapped memory elsewhere), leave it. */
    uintptr_t before = (uintptr_t)sbrk(0);
    void *probe = malloc(HOSTMEM_PROBE);
    uintptr_t after = (uintptr_t)sbrk(0);
    free(probe);
    long page = sysconf(_SC_PAGESIZE);
    if (probe == NULL || page <= 0 || before == UINTPTR_MAX || after == UINTPTR_MAX)
        return;
    uintptr_t mask = (uintptr_t)page - 1;
    uintptr_t start = (before + mask) & ~mask, end = after & ~mask;
    if (end > start)
        (void)madvise((void *)start, end - start, MADV_HUGEPAGE); /* a hint: failure is fine */
}

#else

void hostmem_setup(void) {}

#endif
