/* msg_peek.h reads the fields the checker needs at the offsets where
 * core/msg.c puts them: each message is encoded by the real codec and read
 * back by the peeks (a layout change fails here, not in the checker). */
#include <criterion/criterion.h>

#include "../../core/msg.h"
#include "../../sim/world/msg_peek.h"

static size_t encode(const raft_msg *m, uint8_t *buf, size_t cap)
{
    size_t len = raft_msg_encode(m, buf, cap);
    cr_assert_gt(len, 0);
    cr_assert_eq(buf[1], m->type);
    return len;
}

Test(msg_peek, the_term_and_a_request_votes_prevote_flag_are_read_where_encoded)
{
    uint8_t buf[256];
    for (int pv = 0; pv <= 1; pv++) {
        raft_msg m = {.type = RAFT_MSG_REQUEST_VOTE, .from = 2, .term = 0x0102030405060708};
        m.rv.last_index = 77;
        m.rv.last_term = 5;
        m.rv.prevote = pv;
        size_t len = encode(&m, buf, sizeof buf);
        cr_assert_eq(peek_term(buf), m.term);
        cr_assert_eq(peek_u8(buf, len, PEEK_RV_PREVOTE), pv);
    }
}

Test(msg_peek, a_vote_replys_granted_and_prevote_flags_are_read_where_encoded)
{
    uint8_t buf[256];
    for (int g = 0; g <= 1; g++)
        for (int pv = 0; pv <= 1; pv++) {
            raft_msg m = {.type = RAFT_MSG_REQUEST_VOTE_RESP, .from = 1, .term = 9};
            m.rvr.granted = g;
            m.rvr.prevote = pv;
            size_t len = encode(&m, buf, sizeof buf);
            cr_assert_eq(peek_term(buf), 9);
            cr_assert_eq(peek_u8(buf, len, PEEK_RVR_GRANTED), g);
            cr_assert_eq(peek_u8(buf, len, PEEK_RVR_PREVOTE), pv);
        }
}

Test(msg_peek, an_append_replys_success_and_match_index_are_read_where_encoded)
{
    uint8_t buf[256];
    for (int ok = 0; ok <= 1; ok++) {
        raft_msg m = {.type = RAFT_MSG_APPEND_ENTRIES_RESP, .from = 3, .term = 12};
        m.aer.success = ok;
        m.aer.seq = 0xffffffffffffffff;
        m.aer.match_index = 0x1122334455667788;
        m.aer.conflict_index = 3;
        m.aer.last_index = 4;
        size_t len = encode(&m, buf, sizeof buf);
        cr_assert_eq(peek_term(buf), 12);
        cr_assert_eq(peek_u8(buf, len, PEEK_AER_SUCCESS), ok);
        cr_assert_geq(len, PEEK_AER_MATCH + 8);
        cr_assert_eq(peek_u64(buf + PEEK_AER_MATCH), m.aer.match_index);
    }
}
