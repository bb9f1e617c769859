/* test_msg.c — the wire codec: round trips, and rejection of malformed input. */
#include <criterion/criterion.h>
#include <string.h>

#include "../../core/msg.h"

enum { N_SAMPLES = 11, BUF_CAP = 4096 };

static const uint8_t payload_a[] = "first entry payload";
static const uint8_t payload_b[] = {0x00, 0xff, 0x7f, 0x80, 0x01};
static const raft_entry sample_entries[] = {
    {.term = 7, .type = RAFT_ENTRY_NOOP, .len = 0, .data = NULL},
    {.term = 8, .type = RAFT_ENTRY_DATA, .len = sizeof payload_a, .data = payload_a},
    {.term = UINT64_MAX, .type = RAFT_ENTRY_DATA, .len = sizeof payload_b, .data = payload_b},
};

/* One message of every type, every field non-zero and distinct where possible. */
static raft_msg sample(int type)
{
    raft_msg m = {.type = (uint8_t)type, .from = 3 + (raft_id)type,
                  .term = UINT64_C(0x0102030405060708) + (uint64_t)type};
    switch (type) {
    case RAFT_MSG_REQUEST_VOTE:
        m.rv.last_index = 41, m.rv.last_term = 6, m.rv.prevote = true, m.rv.transfer = true;
        break;
    case RAFT_MSG_REQUEST_VOTE_RESP: m.rvr.granted = true, m.rvr.prevote = true; break;
    case RAFT_MSG_APPEND_ENTRIES:
        m.ae.prev_index = 100, m.ae.prev_term = 6, m.ae.leader_commit = 99;
        m.ae.seq = UINT64_MAX - 1, m.ae.n_entries = 3, m.ae.entries = sample_entries;
        break;
    case RAFT_MSG_APPEND_ENTRIES_RESP:
        m.aer.success = true, m.aer.seq = 12345, m.aer.match_index = 103;
        m.aer.conflict_index = 77, m.aer.conflict_term = 5, m.aer.last_index = 104;
        break;
    case RAFT_MSG_INSTALL_SNAPSHOT:
        m.is.last_index = 500, m.is.last_term = 9, m.is.offset = 16384;
        m.is.total_len = 40000, m.is.done = true, m.is.len = sizeof payload_a;
        m.is.data = payload_a;
        break;
    case RAFT_MSG_INSTALL_SNAPSHOT_RESP:
        m.isr.last_index = 500, m.isr.next_offset = 32768, m.isr.done = true;
        break;
    case RAFT_MSG_TIMEOUT_NOW: break;
    case RAFT_MSG_CLIENT_APPEND:
        m.term = 0, m.capp.client_id = 1001, m.capp.seq = 17;
        m.capp.len = sizeof payload_b, m.capp.data = payload_b;
        break;
    case RAFT_MSG_CLIENT_APPEND_RESP:
        m.term = 0, m.cappr.client_id = 1001, m.cappr.seq = 17;
        m.cappr.status = RAFT_CLIENT_NOT_LEADER, m.cappr.leader_hint = 4, m.cappr.index = 88;
        break;
    case RAFT_MSG_CLIENT_READ:
        m.cread.client_id = 1002, m.cread.seq = 3, m.cread.last_n = 25;
        break;
    case RAFT_MSG_CLIENT_READ_RESP:
        m.creadr.client_id = 1002, m.creadr.seq = 3, m.creadr.status = RAFT_CLIENT_RETRY;
        m.creadr.leader_hint = 2, m.creadr.read_index = 321, m.creadr.records_total = 300;
        m.creadr.digest = UINT64_C(0xdeadbeefcafef00d);
        break;
    default: cr_assert_fail("no sample for type %d", type);
    }
    return m;
}

static void assert_bytes_eq(const uint8_t *a, const uint8_t *b, uint32_t len)
{
    cr_assert(len == 0 || memcmp(a, b, len) == 0, "payload bytes differ");
}

static void assert_entries_eq(const raft_msg *a, const raft_msg *b)
{
    cr_assert_eq(a->ae.n_entries, b->ae.n_entries);
    for (uint32_t i = 0; i < a->ae.n_entries; i++) {
        const raft_entry *x = &a->ae.entries[i], *y = &b->ae.entries[i];
        cr_assert_eq(x->term, y->term);
        cr_assert_eq(x->type, y->type);
        cr_assert_eq(x->len, y->len);
        assert_bytes_eq(x->data, y->data, x->len);
    }
}

static void assert_raft_body_eq(const raft_msg *a, const raft_msg *b)
{
    switch (a->type) {
    case RAFT_MSG_REQUEST_VOTE:
        cr_assert_eq(a->rv.last_index, b->rv.last_index);
        cr_assert_eq(a->rv.last_term, b->rv.last_term);
        cr_assert_eq(a->rv.prevote, b->rv.prevote);
        cr_assert_eq(a->rv.transfer, b->rv.transfer);
        break;
    case RAFT_MSG_REQUEST_VOTE_RESP:
        cr_assert_eq(a->rvr.granted, b->rvr.granted);
        cr_assert_eq(a->rvr.prevote, b->rvr.prevote);
        break;
    case RAFT_MSG_APPEND_ENTRIES:
        cr_assert_eq(a->ae.prev_index, b->ae.prev_index);
        cr_assert_eq(a->ae.prev_term, b->ae.prev_term);
        cr_assert_eq(a->ae.leader_commit, b->ae.leader_commit);
        cr_assert_eq(a->ae.seq, b->ae.seq);
        assert_entries_eq(a, b);
        break;
    case RAFT_MSG_APPEND_ENTRIES_RESP:
        cr_assert_eq(a->aer.success, b->aer.success);
        cr_assert_eq(a->aer.seq, b->aer.seq);
        cr_assert_eq(a->aer.match_index, b->aer.match_index);
        cr_assert_eq(a->aer.conflict_index, b->aer.conflict_index);
        cr_assert_eq(a->aer.conflict_term, b->aer.conflict_term);
        cr_assert_eq(a->aer.last_index, b->aer.last_index);
        break;
    case RAFT_MSG_INSTALL_SNAPSHOT:
        cr_assert_eq(a->is.last_index, b->is.last_index);
        cr_assert_eq(a->is.last_term, b->is.last_term);
        cr_assert_eq(a->is.offset, b->is.offset);
        cr_assert_eq(a->is.total_len, b->is.total_len);
        cr_assert_eq(a->is.done, b->is.done);
        cr_assert_eq(a->is.len, b->is.len);
        assert_bytes_eq(a->is.data, b->is.data, a->is.len);
        break;
    case RAFT_MSG_INSTALL_SNAPSHOT_RESP:
        cr_assert_eq(a->isr.last_index, b->isr.last_index);
        cr_assert_eq(a->isr.next_offset, b->isr.next_offset);
        cr_assert_eq(a->isr.done, b->isr.done);
        break;
    default: break;
    }
}

static void assert_client_body_eq(const raft_msg *a, const raft_msg *b)
{
    switch (a->type) {
    case RAFT_MSG_CLIENT_APPEND:
        cr_assert_eq(a->capp.client_id, b->capp.client_id);
        cr_assert_eq(a->capp.seq, b->capp.seq);
        cr_assert_eq(a->capp.len, b->capp.len);
        assert_bytes_eq(a->capp.data, b->capp.data, a->capp.len);
        break;
    case RAFT_MSG_CLIENT_APPEND_RESP:
        cr_assert_eq(a->cappr.client_id, b->cappr.client_id);
        cr_assert_eq(a->cappr.seq, b->cappr.seq);
        cr_assert_eq(a->cappr.status, b->cappr.status);
        cr_assert_eq(a->cappr.leader_hint, b->cappr.leader_hint);
        cr_assert_eq(a->cappr.index, b->cappr.index);
        break;
    case RAFT_MSG_CLIENT_READ:
        cr_assert_eq(a->cread.client_id, b->cread.client_id);
        cr_assert_eq(a->cread.seq, b->cread.seq);
        cr_assert_eq(a->cread.last_n, b->cread.last_n);
        break;
    case RAFT_MSG_CLIENT_READ_RESP:
        cr_assert_eq(a->creadr.client_id, b->creadr.client_id);
        cr_assert_eq(a->creadr.seq, b->creadr.seq);
        cr_assert_eq(a->creadr.status, b->creadr.status);
        cr_assert_eq(a->creadr.leader_hint, b->creadr.leader_hint);
        cr_assert_eq(a->creadr.read_index, b->creadr.read_index);
        cr_assert_eq(a->creadr.records_total, b->creadr.records_total);
        cr_assert_eq(a->creadr.digest, b->creadr.digest);
        break;
    default: break;
    }
}

static void assert_msg_eq(const raft_msg *a, const raft_msg *b)
{
    cr_assert_eq(a->type, b->type);
    cr_assert_eq(a->from, b->from);
    cr_assert_eq(a->term, b->term);
    assert_raft_body_eq(a, b);
    assert_client_body_eq(a, b);
}

/* Encode the sample of `type` into buf; returns its length. */
static size_t encode_sample(int type, uint8_t *buf)
{
    raft_msg m = sample(type);
    size_t n = raft_msg_encode(&m, buf, BUF_CAP);
    cr_assert_gt(n, 0, "encoding %s failed", raft_msg_type_name(type));
    cr_assert_eq(n, raft_msg_encoded_size(&m));
    return n;
}

/* Decoded entries live here, so `out` stays usable after decode() returns
 * (each test runs in its own process). */
static raft_entry decode_scratch[8];

static int decode(const uint8_t *buf, size_t len, raft_msg *out)
{
    return raft_msg_decode(buf, len, out, decode_scratch, 8);
}

Test(msg, every_message_type_round_trips_with_every_field_and_entry_byte)
{
    for (int t = 1; t < RAFT_MSG__END; t++) {
        uint8_t buf[BUF_CAP];
        size_t n = encode_sample(t, buf);
        raft_msg m = sample(t), out;
        raft_entry scratch[8];
        cr_assert_eq(raft_msg_decode(buf, n, &out, scratch, 8), RAFT_OK, "type %d", t);
        assert_msg_eq(&m, &out);
        uint8_t again[BUF_CAP];
        cr_assert_eq(raft_msg_encode(&out, again, sizeof again), n);
        cr_assert_arr_eq(buf, again, n, "re-encoding of %s differs", raft_msg_type_name(t));
    }
}

Test(msg, decoded_payloads_point_into_the_input_buffer)
{
    uint8_t buf[BUF_CAP];
    size_t n = encode_sample(RAFT_MSG_APPEND_ENTRIES, buf);
    raft_msg out;
    raft_entry scratch[4];
    cr_assert_eq(raft_msg_decode(buf, n, &out, scratch, 4), RAFT_OK);
    cr_assert_eq(out.ae.entries, scratch);
    for (uint32_t i = 1; i < out.ae.n_entries; i++) {
        cr_assert(out.ae.entries[i].data > buf && out.ae.entries[i].data < buf + n);
    }
}

Test(msg, every_strict_prefix_of_every_valid_encoding_is_rejected)
{
    for (int t = 1; t < RAFT_MSG__END; t++) {
        uint8_t buf[BUF_CAP];
        size_t n = encode_sample(t, buf);
        for (size_t k = 0; k < n; k++) {
            raft_msg out;
            cr_assert_eq(decode(buf, k, &out), RAFT_EMSG, "%s prefix %zu of %zu accepted",
                         raft_msg_type_name(t), k, n);
        }
    }
}

Test(msg, one_trailing_byte_is_rejected_for_every_type)
{
    for (int t = 1; t < RAFT_MSG__END; t++) {
        uint8_t buf[BUF_CAP];
        size_t n = encode_sample(t, buf);
        buf[n] = 0;
        raft_msg out;
        cr_assert_eq(decode(buf, n + 1, &out), RAFT_EMSG, "%s", raft_msg_type_name(t));
    }
}

Test(msg, wrong_version_byte_is_rejected)
{
    uint8_t buf[BUF_CAP];
    size_t n = encode_sample(RAFT_MSG_REQUEST_VOTE, buf);
    raft_msg out;
    cr_assert_eq(buf[0], RAFT_WIRE_VERSION);
    buf[0] = RAFT_WIRE_VERSION + 1;
    cr_assert_eq(decode(buf, n, &out), RAFT_EMSG);
    buf[0] = 0;
    cr_assert_eq(decode(buf, n, &out), RAFT_EMSG);
}

Test(msg, unknown_message_types_are_rejected)
{
    uint8_t buf[BUF_CAP];
    size_t n = encode_sample(RAFT_MSG_TIMEOUT_NOW, buf);
    raft_msg out;
    cr_assert_eq(decode(buf, n, &out), RAFT_OK);
    const uint8_t bad[] = {0, RAFT_MSG__END, 0x7f, 0xff};
    for (size_t i = 0; i < sizeof bad; i++) {
        buf[1] = bad[i];
        cr_assert_eq(decode(buf, n, &out), RAFT_EMSG, "type %u", bad[i]);
    }
}

Test(msg, entry_count_above_scratch_capacity_is_rejected)
{
    uint8_t buf[BUF_CAP];
    size_t n = encode_sample(RAFT_MSG_APPEND_ENTRIES, buf);
    raft_msg out;
    raft_entry scratch[3];
    cr_assert_eq(raft_msg_decode(buf, n, &out, scratch, 3), RAFT_OK);
    cr_assert_eq(raft_msg_decode(buf, n, &out, scratch, 2), RAFT_EMSG);
    cr_assert_eq(raft_msg_decode(buf, n, &out, NULL, 0), RAFT_EMSG);
}

Test(msg, entry_count_above_the_batch_cap_is_rejected_by_encode_and_decode)
{
    static raft_entry many[RAFT_MAX_BATCH + 1];
    for (size_t i = 0; i < RAFT_MAX_BATCH + 1; i++)
        many[i] = (raft_entry){.term = 1, .type = RAFT_ENTRY_NOOP};
    raft_msg m = sample(RAFT_MSG_APPEND_ENTRIES);
    m.ae.entries = many;
    m.ae.n_entries = RAFT_MAX_BATCH + 1;
    static uint8_t buf[64 + 13 * (RAFT_MAX_BATCH + 1)];
    cr_assert_eq(raft_msg_encode(&m, buf, sizeof buf), 0);
    m.ae.n_entries = RAFT_MAX_BATCH;
    size_t n = raft_msg_encode(&m, buf, sizeof buf);
    cr_assert_gt(n, 0);
    memset(buf + n, 0, 13); /* splice in one more empty NOOP entry by hand */
    buf[n] = 1;
    uint32_t count = RAFT_MAX_BATCH + 1;
    for (int i = 0; i < 4; i++)
        buf[12 + 32 + i] = (uint8_t)(count >> (8 * i));
    raft_msg out;
    cr_assert_eq(raft_msg_decode(buf, n + 13, &out, many, RAFT_MAX_BATCH + 1), RAFT_EMSG);
}

Test(msg, huge_length_fields_are_rejected_without_reading_past_the_end)
{
    /* ClientAppend and InstallSnapshot: the payload length is the last fixed
     * field; AppendEntries: the first entry's length. Set each to the max. */
    const struct { int type; size_t len_at; } cases[] = {
        {RAFT_MSG_CLIENT_APPEND, 12 + 16},
        {RAFT_MSG_INSTALL_SNAPSHOT, 12 + 33},
        {RAFT_MSG_APPEND_ENTRIES, 12 + 36 + 9},
    };
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        uint8_t buf[BUF_CAP];
        size_t n = encode_sample(cases[c].type, buf);
        memset(buf + cases[c].len_at, 0xff, 4);
        /* Copy into an exact-size heap block so ASan sees any over-read. */
        uint8_t *exact = malloc(n);
        cr_assert_not_null(exact);
        memcpy(exact, buf, n);
        raft_msg out;
        cr_assert_eq(decode(exact, n, &out), RAFT_EMSG, "%s", raft_msg_type_name(cases[c].type));
        free(exact);
    }
}

Test(msg, entry_count_larger_than_the_bytes_present_is_rejected)
{
    uint8_t buf[BUF_CAP];
    size_t n = encode_sample(RAFT_MSG_APPEND_ENTRIES, buf);
    memset(buf + 12 + 32, 0xff, 4);
    raft_msg out;
    raft_entry scratch[RAFT_MAX_BATCH];
    cr_assert_eq(raft_msg_decode(buf, n, &out, scratch, RAFT_MAX_BATCH), RAFT_EMSG);
    buf[12 + 32] = 4, buf[12 + 33] = 0, buf[12 + 34] = 0, buf[12 + 35] = 0;
    cr_assert_eq(raft_msg_decode(buf, n, &out, scratch, RAFT_MAX_BATCH), RAFT_EMSG);
}

Test(msg, boolean_byte_two_is_rejected_in_every_boolean_field)
{
    const struct { int type; size_t at; } bools[] = {
        {RAFT_MSG_REQUEST_VOTE, 12 + 16},       {RAFT_MSG_REQUEST_VOTE, 12 + 17},
        {RAFT_MSG_REQUEST_VOTE_RESP, 12 + 0},   {RAFT_MSG_REQUEST_VOTE_RESP, 12 + 1},
        {RAFT_MSG_APPEND_ENTRIES_RESP, 12 + 0}, {RAFT_MSG_INSTALL_SNAPSHOT, 12 + 32},
        {RAFT_MSG_INSTALL_SNAPSHOT_RESP, 12 + 16},
    };
    for (size_t i = 0; i < sizeof bools / sizeof bools[0]; i++) {
        uint8_t buf[BUF_CAP];
        size_t n = encode_sample(bools[i].type, buf);
        raft_msg out;
        cr_assert_eq(buf[bools[i].at], 1, "case %zu is not at a true boolean", i);
        buf[bools[i].at] = 0;
        cr_assert_eq(decode(buf, n, &out), RAFT_OK);
        buf[bools[i].at] = 2;
        cr_assert_eq(decode(buf, n, &out), RAFT_EMSG, "case %zu", i);
    }
}

Test(msg, invalid_entry_type_and_client_status_are_rejected)
{
    uint8_t buf[BUF_CAP];
    size_t n = encode_sample(RAFT_MSG_APPEND_ENTRIES, buf);
    raft_msg out;
    buf[12 + 36 + 8] = 2; /* first entry's type byte */
    cr_assert_eq(decode(buf, n, &out), RAFT_EMSG);
    n = encode_sample(RAFT_MSG_CLIENT_APPEND_RESP, buf);
    buf[12 + 16] = RAFT_CLIENT_TOO_BIG;
    cr_assert_eq(decode(buf, n, &out), RAFT_OK, "too big is a status");
    buf[12 + 16] = RAFT_CLIENT_TOO_BIG + 1;
    cr_assert_eq(decode(buf, n, &out), RAFT_EMSG);
    raft_msg m = sample(RAFT_MSG_CLIENT_READ_RESP);
    m.creadr.status = 9;
    cr_assert_eq(raft_msg_encode(&m, buf, sizeof buf), 0);
}

Test(msg, encode_fails_when_the_buffer_is_one_byte_short)
{
    for (int t = 1; t < RAFT_MSG__END; t++) {
        raft_msg m = sample(t);
        size_t n = raft_msg_encoded_size(&m);
        uint8_t buf[BUF_CAP];
        cr_assert_eq(raft_msg_encode(&m, buf, n - 1), 0, "%s", raft_msg_type_name(t));
        cr_assert_eq(raft_msg_encode(&m, buf, n), n);
    }
}

Test(msg, sender_ids_that_do_not_fit_the_wire_are_refused_by_encode)
{
    raft_msg m = sample(RAFT_MSG_TIMEOUT_NOW);
    uint8_t buf[BUF_CAP];
    m.from = UINT16_MAX;
    cr_assert_gt(raft_msg_encode(&m, buf, sizeof buf), 0);
    m.from = UINT16_MAX + 1u;
    cr_assert_eq(raft_msg_encode(&m, buf, sizeof buf), 0);
    cr_assert_eq(raft_msg_encoded_size(&m), 0);
}

Test(msg, type_names_map_both_ways_and_unknowns_are_marked)
{
    for (int t = 1; t < RAFT_MSG__END; t++)
        cr_assert_eq(raft_msg_type_from_name(raft_msg_type_name(t)), t);
    cr_assert_str_eq(raft_msg_type_name(RAFT_MSG_APPEND_ENTRIES), "AppendEntries");
    cr_assert_str_eq(raft_msg_type_name(RAFT_MSG_CLIENT_READ_RESP), "ClientReadResp");
    cr_assert_str_eq(raft_msg_type_name(0), "?");
    cr_assert_str_eq(raft_msg_type_name(RAFT_MSG__END), "?");
    cr_assert_eq(raft_msg_type_from_name("NoSuchMessage"), 0);
    cr_assert_eq(raft_msg_type_from_name(NULL), 0);
}

static uint64_t xorshift64(uint64_t *s)
{
    uint64_t x = *s;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return *s = x;
}

/* Random bytes, and valid encodings with random bytes flipped: decode must
 * never crash, and whatever it accepts must re-encode to the same bytes. */
Test(msg, thousands_of_random_and_mutated_inputs_never_crash_and_accepted_ones_round_trip)
{
    uint64_t seed = UINT64_C(0x9e3779b97f4a7c15);
    int accepted = 0;
    for (int iter = 0; iter < 6000; iter++) {
        uint8_t buf[256];
        size_t n;
        if (iter % 2 == 0) {
            n = xorshift64(&seed) % sizeof buf;
            for (size_t i = 0; i < n; i++)
                buf[i] = (uint8_t)xorshift64(&seed);
            if (n >= 2 && iter % 4 == 0)
                buf[0] = RAFT_WIRE_VERSION, buf[1] = (uint8_t)(1 + iter / 4 % 11);
        } else {
            n = encode_sample((int)(1 + xorshift64(&seed) % 11), buf);
            buf[xorshift64(&seed) % n] ^= (uint8_t)(1u << (xorshift64(&seed) % 8));
        }
        uint8_t *exact = malloc(n ? n : 1);
        cr_assert_not_null(exact);
        memcpy(exact, buf, n);
        raft_msg out;
        if (decode(exact, n, &out) == RAFT_OK) {
            accepted++;
            uint8_t again[BUF_CAP];
            cr_assert_eq(raft_msg_encode(&out, again, sizeof again), n);
            cr_assert_arr_eq(exact, again, n);
        }
        free(exact);
    }
    cr_assert_gt(accepted, 0, "the mutations never produced a valid message");
}
