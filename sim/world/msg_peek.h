/* msg_peek.h — the few fields of an encoded Raft message the checker reads
 * as the node sends it (its term, whether it is a PreVote, a vote granted,
 * an append acknowledged), at the offsets core/msg.c's layout gives them,
 * without decoding the message. tests/sim/test_msg_peek.c encodes each
 * type with raft_msg_encode and reads it back here, so a layout change
 * breaks that test, not the checker. */
#ifndef SIM_MSG_PEEK_H
#define SIM_MSG_PEEK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

enum {
    PEEK_TERM = 4,          /* header: u8 version | u8 type | u16 from | u64 term */
    PEEK_BODY = 12,
    PEEK_RV_PREVOTE = PEEK_BODY + 16, /* RequestVote: last_index, last_term, prevote */
    PEEK_RVR_GRANTED = PEEK_BODY,     /* RequestVoteResp: granted, prevote */
    PEEK_RVR_PREVOTE = PEEK_BODY + 1,
    PEEK_AER_SUCCESS = PEEK_BODY,     /* AppendEntriesResp: success, seq, match_index */
    PEEK_AER_MATCH = PEEK_BODY + 9,
    PEEK_MIN_LEN = PEEK_BODY,         /* shorter: not a Raft peer message */
};

static inline uint64_t peek_u64(const uint8_t *p)
{
    uint64_t v; /* little-endian on the wire */
    memcpy(&v, p, sizeof v);
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    v = __builtin_bswap64(v);
#endif
    return v;
}

/* A byte at `off`, or 0 if the message is shorter. */
static inline uint8_t peek_u8(const uint8_t *buf, size_t len, size_t off)
{
    return off < len ? buf[off] : 0;
}

static inline uint64_t peek_term(const uint8_t *buf) { return peek_u64(buf + PEEK_TERM); }

#endif
