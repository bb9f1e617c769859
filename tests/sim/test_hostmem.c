/* test_hostmem.c — the host allocator settings (sim/world/hostmem.c). What they
 * change (where memory comes from) is not observable from C; what must hold
 * is that they are harmless: repeatable, and allocation works after them. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "../../sim/world/hostmem.h"

Test(hostmem, setup_can_be_repeated_and_memory_of_any_size_works_after_it)
{
    hostmem_setup();
    hostmem_setup();
    for (size_t size = 1; size <= ((size_t)64 << 20); size *= 4) {
        unsigned char *p = malloc(size);
        cr_assert_not_null(p);
        memset(p, 0xa5, size);
        unsigned char *q = realloc(p, size * 2);
        cr_assert_not_null(q);
        cr_assert_eq(q[0], 0xa5);
        cr_assert_eq(q[size - 1], 0xa5);
        free(q);
    }
}
