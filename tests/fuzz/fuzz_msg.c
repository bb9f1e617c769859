/* fuzz_msg.c — libFuzzer target for the wire decoder.
 *
 * Any input: decoding must not crash or read out of bounds (ASan), and every
 * accepted input must re-encode to exactly the same bytes (the encoding is
 * canonical: booleans 0/1, known types and statuses, no trailing bytes).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../core/msg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static raft_entry scratch[RAFT_MAX_BATCH];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    raft_msg m;
    if (raft_msg_decode(data, size, &m, scratch, RAFT_MAX_BATCH) != RAFT_OK)
        return 0;
    if (raft_msg_encoded_size(&m) != size) {
        fprintf(stderr, "fuzz_msg: %s decoded from %zu bytes re-encodes to %zu\n",
                raft_msg_type_name(m.type), size, raft_msg_encoded_size(&m));
        abort();
    }
    uint8_t *again = malloc(size);
    if (!again)
        abort();
    if (raft_msg_encode(&m, again, size) != size || memcmp(again, data, size) != 0) {
        fprintf(stderr, "fuzz_msg: %s does not round-trip\n", raft_msg_type_name(m.type));
        abort();
    }
    free(again);
    return 0;
}
