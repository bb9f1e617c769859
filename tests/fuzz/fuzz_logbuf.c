/* fuzz_logbuf.c — libFuzzer target for the log buffer.
 *
 * Restore mode (any input not starting with 'A'): a buffer holding a little
 * state is restored from the input bytes.
 *   Rejected: the buffer must be unchanged (same snapshot bytes as before).
 *   Accepted: a snapshot of the restored buffer must equal the input byte for
 *   byte, its queries must agree with its counters, and it must keep working.
 * Apply mode ('A', u8 bounds choice, then records of u8 op | u8 client |
 * u8 seq | u8 len | len bytes): the operations drive a ring through growth,
 * evictions and arena compactions; the bounds and counters must hold after
 * each, and its snapshot must restore into an equal buffer.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../core/logbuf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_CHECK(cond)                                                      \
    do {                                                                      \
        if (!(cond)) {                                                        \
            fprintf(stderr, "fuzz_logbuf: check failed: %s (line %d)\n", #cond, \
                    __LINE__);                                                \
            abort();                                                          \
        }                                                                     \
    } while (0)

static uint8_t *snapshot_of(const logbuf *lb, size_t *len)
{
    *len = logbuf_snapshot_size(lb);
    uint8_t *buf = malloc(*len);
    FUZZ_CHECK(buf);
    FUZZ_CHECK(logbuf_snapshot_write(lb, buf, *len) == *len);
    return buf;
}

static logbuf *prefilled(void)
{
    logbuf *lb = logbuf_new(64, 4096);
    FUZZ_CHECK(lb);
    uint8_t cmd[64];
    size_t n = logbuf_cmd_encode(cmd, sizeof cmd, 9, 1, 1000, "before", 6);
    FUZZ_CHECK(logbuf_apply(lb, 1, cmd, n, NULL) == 0);
    FUZZ_CHECK(logbuf_apply_noop(lb, 2) == 0);
    return lb;
}

static void check_accepted(logbuf *lb, const uint8_t *data, size_t size)
{
    size_t len;
    uint8_t *again = snapshot_of(lb, &len);
    FUZZ_CHECK(len == size && memcmp(again, data, size) == 0);
    free(again);
    logbuf_counters c;
    logbuf_counters_get(lb, &c);
    FUZZ_CHECK(logbuf_query_last(lb, SIZE_MAX, NULL, NULL) == c.records_stored);
    FUZZ_CHECK(logbuf_query_index(lb, 0, UINT64_MAX, NULL, NULL) == c.records_stored);
    FUZZ_CHECK(logbuf_query_time(lb, 0, UINT64_MAX, NULL, NULL) == c.records_stored);
    uint8_t cmd[64];
    size_t n = logbuf_cmd_encode(cmd, sizeof cmd, 9, UINT64_MAX, 5, "after", 5);
    if (c.applied_index < UINT64_MAX - 1) {
        FUZZ_CHECK(logbuf_apply(lb, c.applied_index + 1, cmd, n, NULL) == 0);
        FUZZ_CHECK(logbuf_apply_noop(lb, c.applied_index + 2) == 0);
    }
}

static void check_bounds(const logbuf *lb, size_t max_records, size_t max_bytes)
{
    logbuf_counters c;
    logbuf_counters_get(lb, &c);
    FUZZ_CHECK(c.records_stored <= max_records);
    FUZZ_CHECK(c.bytes_stored <= max_bytes || c.records_stored == 1);
    FUZZ_CHECK(c.records_stored + c.records_evicted == c.records_total);
}

/* Ring bounds to choose from: small ones evict at once; the middle one
 * makes the record ring and the byte arena grow before they evict. */
static const size_t bounds[][2] = {{8, 200}, {70, 2100}, {2, 60}};

/* Each op: bit 0 of `op` = no-op entry, bit 1 = garble the command. */
static void apply_mode(const uint8_t *p, size_t size)
{
    if (size == 0)
        return;
    size_t max_records = bounds[p[0] % 3][0], max_bytes = bounds[p[0] % 3][1];
    p++, size--;
    logbuf *lb = logbuf_new(max_records, max_bytes);
    FUZZ_CHECK(lb);
    uint64_t index = 0;
    while (size >= 4 && size - 4 >= p[3]) {
        uint8_t op = p[0], len = p[3];
        uint8_t cmd[LOGBUF_CMD_HEADER + 255];
        size_t n = logbuf_cmd_encode(cmd, sizeof cmd, p[1], p[2], (uint64_t)op << 8 | p[2],
                                     p + 4, len);
        FUZZ_CHECK(n > 0);
        if (op & 1)
            FUZZ_CHECK(logbuf_apply_noop(lb, ++index) == 0);
        else
            FUZZ_CHECK(logbuf_apply(lb, ++index, cmd, op & 2 ? n - 1 : n, NULL) == 0);
        check_bounds(lb, max_records, max_bytes);
        p += 4 + len;
        size -= 4 + (size_t)len;
    }
    size_t len;
    uint8_t *snap = snapshot_of(lb, &len);
    logbuf *copy = logbuf_new(max_records, max_bytes);
    FUZZ_CHECK(copy);
    FUZZ_CHECK(logbuf_restore(copy, snap, len) == 0);
    FUZZ_CHECK(logbuf_digest(copy) == logbuf_digest(lb));
    uint64_t seq_a = 0, seq_b = 0, index_a = 0, index_b = 0;
    for (uint64_t client = 0; client < 256; client++) {
        FUZZ_CHECK(logbuf_session(lb, client, &seq_a, &index_a) ==
                   logbuf_session(copy, client, &seq_b, &index_b));
        FUZZ_CHECK(seq_a == seq_b && index_a == index_b);
    }
    check_accepted(copy, snap, len);
    free(snap);
    logbuf_free(copy);
    logbuf_free(lb);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 0 && data[0] == 'A') {
        apply_mode(data + 1, size - 1);
        return 0;
    }
    logbuf *lb = prefilled();
    size_t before_len;
    uint8_t *before = snapshot_of(lb, &before_len);
    if (logbuf_restore(lb, data, size) == 0) {
        check_accepted(lb, data, size);
    } else {
        size_t after_len;
        uint8_t *after = snapshot_of(lb, &after_len);
        FUZZ_CHECK(after_len == before_len && memcmp(before, after, before_len) == 0);
        free(after);
    }
    free(before);
    logbuf_free(lb);
    return 0;
}
