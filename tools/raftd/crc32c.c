/* crc32c.c — CRC-32C, reflected polynomial 0x82F63B78, one table lookup
 * per byte. The table is computed at compile time's moral equivalent: once,
 * on first use, into a static const-after-init array. */
#include "crc32c.h"

#include <stdbool.h>

static uint32_t table[256];
static bool table_ready;

static void table_init(void)
{
    for (uint32_t i = 0; i < 256; i++) {
        uint32_t c = i;
        for (int k = 0; k < 8; k++)
            c = (c & 1) ? (c >> 1) ^ 0x82F63B78u : c >> 1;
        table[i] = c;
    }
    table_ready = true;
}

uint32_t crc32c(uint32_t crc, const void *data, size_t len)
{
    if (!table_ready)
        table_init();
    const uint8_t *p = data;
    crc = ~crc;
    for (size_t i = 0; i < len; i++)
        crc = table[(crc ^ p[i]) & 0xff] ^ (crc >> 8);
    return ~crc;
}
