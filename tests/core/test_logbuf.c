/* test_logbuf.c — the replicated log buffer: ring bounds, sessions, queries,
 * digest and snapshot/restore; and the payload chunks of the Raft log that
 * feeds it (core/log.c). */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "../../core/hash.h"
#include "../../core/log.h"
#include "../../core/logbuf.h"

/* A buffer of at most max_records records and max_bytes payload bytes
 * (the test fails if it cannot be made). */
static logbuf *new_buf(size_t max_records, size_t max_bytes)
{
    logbuf *lb = logbuf_new(max_records, max_bytes);
    cr_assert_not_null(lb);
    return lb;
}

/* Apply one command built from its parts at `index`; asserts success. */
static logbuf_result apply_cmd(logbuf *lb, uint64_t index, uint64_t client, uint64_t seq,
                               uint64_t ts, const char *payload)
{
    uint8_t cmd[512];
    uint32_t len = (uint32_t)strlen(payload);
    size_t n = logbuf_cmd_encode(cmd, sizeof cmd, client, seq, ts, payload, len);
    cr_assert_eq(n, logbuf_cmd_size(len));
    logbuf_result res;
    cr_assert_eq(logbuf_apply(lb, index, cmd, n, &res), 0, "apply %llu",
                 (unsigned long long)index);
    return res;
}

/* Apply `n` records, indexes 1..n, client 1, seq = index, ts = 10 * index,
 * payload of `size` bytes filled with the index. */
static void fill(logbuf *lb, uint64_t n, uint32_t size)
{
    for (uint64_t i = 1; i <= n; i++) {
        char payload[256];
        cr_assert_lt(size, sizeof payload);
        memset(payload, 'a' + (int)(i % 26), size);
        payload[size] = 0;
        apply_cmd(lb, i, 1, i, 10 * i, payload);
    }
}

/* Collects what a query visits. */
typedef struct seen {
    size_t n;
    uint64_t index[64];
    uint64_t ts[64];
    uint64_t bytes_hash;
} seen;

static void collect(void *arg, const logbuf_record *r)
{
    seen *s = arg;
    cr_assert_lt(s->n, 64);
    s->index[s->n] = r->index;
    s->ts[s->n] = r->timestamp_ns;
    s->n++;
    for (uint32_t i = 0; i < r->len; i++)
        s->bytes_hash = s->bytes_hash * 31 + r->data[i];
}

/* Every payload byte of record i is 'a' + i % 26 (see fill). */
static void check_payload(void *arg, const logbuf_record *r)
{
    (void)arg;
    for (uint32_t i = 0; i < r->len; i++)
        cr_assert_eq(r->data[i], 'a' + (int)(r->index % 26), "record %llu byte %u",
                     (unsigned long long)r->index, i);
}

static uint8_t *snapshot(const logbuf *lb, size_t *len);

static logbuf_counters counters(const logbuf *lb)
{
    logbuf_counters c;
    logbuf_counters_get(lb, &c);
    return c;
}

Test(logbuf, command_encoding_round_trips_and_rejects_bad_lengths)
{
    uint8_t cmd[64];
    size_t n = logbuf_cmd_encode(cmd, sizeof cmd, 7, 9, 12345, "hello", 5);
    cr_assert_eq(n, LOGBUF_CMD_HEADER + 5);
    logbuf_record r;
    cr_assert(logbuf_cmd_decode(cmd, n, &r));
    cr_assert_eq(r.client_id, 7);
    cr_assert_eq(r.client_seq, 9);
    cr_assert_eq(r.timestamp_ns, 12345);
    cr_assert_eq(r.len, 5);
    cr_assert_eq(memcmp(r.data, "hello", 5), 0);
    cr_assert_eq(r.data, cmd + LOGBUF_CMD_HEADER);
    cr_assert_not(logbuf_cmd_decode(cmd, n - 1, &r), "truncated payload accepted");
    cr_assert_not(logbuf_cmd_decode(cmd, n + 1, &r), "trailing byte accepted");
    cr_assert_not(logbuf_cmd_decode(cmd, LOGBUF_CMD_HEADER - 1, &r));
    cr_assert_eq(logbuf_cmd_encode(cmd, n - 1, 7, 9, 12345, "hello", 5), 0);
}

Test(logbuf, ring_evicts_the_oldest_records_when_the_record_count_bound_is_reached)
{
    logbuf *lb = new_buf(4, 1 << 20);
    fill(lb, 10, 8);
    logbuf_counters c = counters(lb);
    cr_assert_eq(c.applied_index, 10);
    cr_assert_eq(c.records_total, 10);
    cr_assert_eq(c.records_stored, 4);
    cr_assert_eq(c.records_evicted, 6);
    cr_assert_eq(c.bytes_stored, 32);
    seen s = {0};
    cr_assert_eq(logbuf_query_last(lb, 100, collect, &s), 4);
    for (size_t i = 0; i < 4; i++)
        cr_assert_eq(s.index[i], 7 + i, "slot %zu holds %llu", i, (unsigned long long)s.index[i]);
    logbuf_free(lb);
}

Test(logbuf, ring_evicts_the_oldest_records_when_the_byte_bound_is_reached)
{
    logbuf *lb = new_buf(1000, 100);
    fill(lb, 50, 30); /* 3 records of 30 bytes fit in 100 */
    logbuf_counters c = counters(lb);
    cr_assert_eq(c.records_stored, 3);
    cr_assert_eq(c.bytes_stored, 90);
    cr_assert_eq(c.records_evicted, 47);
    cr_assert_eq(c.records_total, 50);
    seen s = {0};
    cr_assert_eq(logbuf_query_last(lb, 3, collect, &s), 3);
    cr_assert_eq(s.index[0], 48);
    cr_assert_eq(s.index[2], 50);
    cr_assert_eq(logbuf_query_last(lb, 3, check_payload, NULL), 3);
    logbuf_free(lb);
}

Test(logbuf, payload_bytes_stay_intact_across_many_wrap_arounds_of_the_arena)
{
    logbuf *lb = new_buf(7, 250);
    for (uint64_t i = 1; i <= 3000; i++) {
        char payload[80];
        uint32_t size = (uint32_t)(i * 37 % 79);
        memset(payload, 'a' + (int)(i % 26), size);
        payload[size] = 0;
        apply_cmd(lb, i, 1 + i % 3, i, i, payload);
        cr_assert_leq(counters(lb).bytes_stored, 250);
        cr_assert_leq(counters(lb).records_stored, 7);
    }
    cr_assert_eq(logbuf_query_last(lb, 7, check_payload, NULL), counters(lb).records_stored);
    logbuf_counters c = counters(lb);
    cr_assert_eq(c.records_stored + c.records_evicted, c.records_total);
    logbuf_free(lb);
}

Test(logbuf, payloads_larger_than_a_chunk_and_across_chunk_ends_survive_eviction_and_restore)
{
    /* Payload chunks hold 64 KiB of stream each: records of up to 150 KB
     * start anywhere in them, run past their ends, and are evicted. */
    enum { BIG = 150000 };
    logbuf *lb = logbuf_new(100, 1 << 20), *b = logbuf_new(100, 1 << 20);
    uint8_t *cmd = malloc(LOGBUF_CMD_HEADER + BIG), *payload = malloc(BIG);
    cr_assert(lb && b && cmd && payload);
    for (uint64_t i = 1; i <= 200; i++) {
        uint32_t size = (uint32_t)(hash_mix64(i) % BIG);
        memset(payload, 'a' + (int)(i % 26), size);
        size_t n = logbuf_cmd_encode(cmd, LOGBUF_CMD_HEADER + BIG, i, 1, i, payload, size);
        cr_assert_eq(logbuf_apply(lb, i, cmd, n, NULL), 0);
        cr_assert_leq(counters(lb).bytes_stored, 1 << 20);
    }
    cr_assert_gt(counters(lb).records_evicted, 0);
    cr_assert_eq(logbuf_query_last(lb, 100, check_payload, NULL), counters(lb).records_stored);
    size_t len;
    uint8_t *snap = snapshot(lb, &len);
    cr_assert_eq(logbuf_restore(b, snap, len), 0);
    cr_assert_eq(logbuf_query_last(b, 100, check_payload, NULL), counters(lb).records_stored);
    free(snap), free(cmd), free(payload);
    logbuf_free(lb), logbuf_free(b);
}

Test(logbuf, record_ring_grows_past_its_first_capacity_while_wrapped_and_keeps_order)
{
    logbuf *lb = new_buf(200, 200);
    fill(lb, 30, 10); /* the byte bound evicts: the ring's head moves off slot 0 */
    cr_assert_gt(counters(lb).records_evicted, 0);
    for (uint64_t i = 31; i <= 230; i++) {
        char payload[2] = {(char)('a' + (int)(i % 26)), 0};
        apply_cmd(lb, i, 1, i, 10 * i, payload);
    }
    logbuf_counters c = counters(lb);
    cr_assert_eq(c.records_stored, 200, "the ring did not grow to its bound");
    cr_assert_eq(c.records_total, 230);
    seen s = {0};
    cr_assert_eq(logbuf_query_index(lb, 31, 94, collect, &s), 64);
    for (size_t i = 0; i < s.n; i++)
        cr_assert_eq(s.index[i], 31 + i);
    cr_assert_eq(logbuf_query_last(lb, 200, check_payload, NULL), 200);
    logbuf_free(lb);
}

Test(logbuf, arena_grows_to_its_limit_and_payloads_survive_growth_and_compaction)
{
    logbuf *lb = new_buf(10000, 10000);
    fill(lb, 500, 97); /* 48 KiB through a 10 KB bound: grows, then compacts */
    logbuf_counters c = counters(lb);
    cr_assert_eq(c.records_stored, 10000 / 97);
    cr_assert_eq(c.bytes_stored, 97 * (10000 / 97));
    cr_assert_eq(logbuf_query_last(lb, 10000, check_payload, NULL), c.records_stored);
    seen s = {0};
    cr_assert_eq(logbuf_query_last(lb, 1, collect, &s), 1);
    cr_assert_eq(s.index[0], 500);
    logbuf_free(lb);
}

Test(logbuf, sessions_of_many_clients_arriving_in_any_order_are_each_found)
{
    logbuf *a = new_buf(1000, 1 << 20), *b = new_buf(1000, 1 << 20);
    for (uint64_t i = 1; i <= 100; i++) {
        uint64_t client = (i * 37) % 101; /* a permutation of 1..100 */
        apply_cmd(a, i, client, 5, i, "x");
    }
    for (uint64_t i = 1; i <= 100; i++) {
        uint64_t client = (i * 37) % 101, seq = 0, index = 0;
        cr_assert(logbuf_session(a, client, &seq, &index), "client %llu",
                  (unsigned long long)client);
        cr_assert_eq(seq, 5);
        cr_assert_eq(index, i);
    }
    cr_assert_not(logbuf_session(a, 0, NULL, NULL));
    cr_assert_not(logbuf_session(a, 101, NULL, NULL));
    size_t len;
    uint8_t *snap = snapshot(a, &len);
    cr_assert_eq(logbuf_restore(b, snap, len), 0);
    for (uint64_t client = 1; client <= 100; client++) {
        uint64_t sa = 0, ia = 0, sb = 0, ib = 0;
        cr_assert(logbuf_session(a, client, &sa, &ia) && logbuf_session(b, client, &sb, &ib));
        cr_assert(sa == sb && ia == ib);
    }
    free(snap);
    logbuf_free(a), logbuf_free(b);
}

static uint64_t le64_at(const uint8_t *p)
{
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--)
        v = v << 8 | p[i];
    return v;
}

/* The snapshot's session list must be exactly `ids` (ascending), each with
 * seq 7 and the index recorded in `index_of`. */
static void expect_snapshot_sessions(const logbuf *lb, const uint64_t *ids, size_t n,
                                     const uint64_t *index_of)
{
    size_t len;
    uint8_t *snap = snapshot(lb, &len);
    cr_assert_eq(le64_at(snap + 8 + 7 * 8), n, "session count");
    const uint8_t *p = snap + 8 + 10 * 8;
    for (size_t i = 0; i < n; i++, p += 24) {
        cr_assert_eq(le64_at(p), ids[i], "session %zu", i);
        cr_assert_eq(le64_at(p + 8), 7);
        cr_assert_eq(le64_at(p + 16), index_of[i]);
    }
    free(snap);
}

/* Insertion sort of the pairs (ids[i], index_of[i]) by id. */
static void sort_by_id(uint64_t *ids, uint64_t *index_of, size_t n)
{
    for (size_t i = 1; i < n; i++)
        for (size_t j = i; j > 0 && ids[j - 1] > ids[j]; j--) {
            uint64_t t = ids[j];
            ids[j] = ids[j - 1];
            ids[j - 1] = t;
            t = index_of[j];
            index_of[j] = index_of[j - 1];
            index_of[j - 1] = t;
        }
}

Test(logbuf, sessions_from_a_counter_out_of_order_and_far_apart_snapshot_in_id_order)
{
    /* Ids from a counter arriving out of order by up to ~100 (the dense
     * window), some below the first id seen, and some far away (the sorted
     * array), mixed. */
    enum { N = 1200 };
    static uint64_t ids[N], index_of[N];
    logbuf *a = new_buf(1u << 16, 1u << 24), *b = new_buf(1u << 16, 1u << 24);
    size_t n = 0;
    uint64_t index = 0;
    for (uint64_t k = 0; k < 1000; k++) {
        uint64_t id = 5000 + (k ^ (hash_mix64(k / 128) % 128)); /* permuted in blocks */
        if (k % 100 == 7)
            id = 2 + k;                  /* below the window */
        if (k % 100 == 9)
            id = UINT64_C(1) << 40 | k;  /* far above it */
        if (k == 500)
            id = UINT64_MAX - 1;
        index++;
        apply_cmd(a, index, id, 7, index, "p");
        ids[n++] = id;
    }
    /* the reference order: (id, index) pairs sorted by id */
    for (size_t i = 0; i < n; i++)
        index_of[i] = i + 1;
    sort_by_id(ids, index_of, n);
    for (size_t i = 1; i < n; i++)
        cr_assert_neq(ids[i - 1], ids[i], "the test's ids are distinct");
    expect_snapshot_sessions(a, ids, n, index_of);
    for (size_t i = 0; i < n; i++) {
        uint64_t seq = 0, idx = 0;
        cr_assert(logbuf_session(a, ids[i], &seq, &idx));
        cr_assert_eq(idx, index_of[i]);
    }
    cr_assert_not(logbuf_session(a, 4999, NULL, NULL));
    cr_assert_not(logbuf_session(a, 6200, NULL, NULL));
    /* A retry of a windowed client is a duplicate reporting its index. */
    index++;
    logbuf_result r = apply_cmd(a, index, ids[n / 2], 7, index, "p");
    cr_assert(r.duplicate);
    cr_assert_eq(r.index, index_of[n / 2]);
    /* Restored, the sessions are all in the sorted array; new ids open a
     * window again, and the snapshot still lists every id in order. */
    size_t len;
    uint8_t *snap = snapshot(a, &len);
    cr_assert_eq(logbuf_restore(b, snap, len), 0);
    free(snap);
    expect_snapshot_sessions(b, ids, n, index_of);
    for (uint64_t id = 7000; id < 7150; id++) {
        index++;
        apply_cmd(b, index, id, 7, index, "p");
        ids[n] = id;
        index_of[n++] = index;
    }
    /* 7000.. sort after every earlier id except the far ones: re-sort */
    sort_by_id(ids, index_of, n);
    expect_snapshot_sessions(b, ids, n, index_of);
    logbuf_free(a), logbuf_free(b);
}

Test(logbuf, sessions_below_the_first_id_applied_and_in_decreasing_order_are_each_found)
{
    /* The first id applied is 300; then 299 down to 1 (the window grows
     * down, keeping its top), then 301..400 and a retry of each. The
     * snapshot lists them in id order, and a restored copy agrees. */
    enum { N = 400 };
    static uint64_t ids[N], index_of[N];
    logbuf *a = new_buf(1u << 16, 1u << 24), *b = new_buf(1u << 16, 1u << 24);
    uint64_t index = 0;
    for (uint64_t id = 300; id >= 1; id--) {
        index++;
        apply_cmd(a, index, id, 7, index, "p");
        index_of[id - 1] = index;
    }
    for (uint64_t id = 301; id <= N; id++) {
        index++;
        apply_cmd(a, index, id, 7, index, "p");
        index_of[id - 1] = index;
    }
    for (uint64_t id = 1; id <= N; id++) {
        ids[id - 1] = id;
        uint64_t seq = 0, idx = 0;
        cr_assert(logbuf_session(a, id, &seq, &idx), "client %llu", (unsigned long long)id);
        cr_assert_eq(seq, 7);
        cr_assert_eq(idx, index_of[id - 1]);
        index++;
        logbuf_result r = apply_cmd(a, index, id, 7, index, "p");
        cr_assert(r.duplicate);
        cr_assert_eq(r.index, index_of[id - 1]);
    }
    cr_assert_not(logbuf_session(a, 0, NULL, NULL));
    cr_assert_not(logbuf_session(a, N + 1, NULL, NULL));
    expect_snapshot_sessions(a, ids, N, index_of);
    size_t len;
    uint8_t *snap = snapshot(a, &len);
    cr_assert_eq(logbuf_restore(b, snap, len), 0);
    free(snap);
    expect_snapshot_sessions(b, ids, N, index_of);
    logbuf_free(a), logbuf_free(b);
}

Test(logbuf, a_record_larger_than_the_byte_bound_is_kept_alone)
{
    logbuf *lb = new_buf(10, 16);
    apply_cmd(lb, 1, 1, 1, 1, "small");
    apply_cmd(lb, 2, 1, 2, 2, "this payload is longer than sixteen bytes");
    cr_assert_eq(counters(lb).records_stored, 1);
    cr_assert_eq(counters(lb).records_evicted, 1);
    apply_cmd(lb, 3, 1, 3, 3, "tiny");
    cr_assert_eq(counters(lb).records_stored, 1);
    cr_assert_eq(logbuf_query_index(lb, 3, 3, NULL, NULL), 1);
    /* One far larger than the arena's first size (4 KiB) is stored intact too. */
    uint32_t big = 10000;
    uint8_t *payload = malloc(big), *cmd = malloc(logbuf_cmd_size(big));
    cr_assert(payload && cmd);
    memset(payload, 'e', big); /* 'a' + 4 % 26: what check_payload expects */
    size_t n = logbuf_cmd_encode(cmd, logbuf_cmd_size(big), 1, 4, 4, payload, big);
    cr_assert_eq(logbuf_apply(lb, 4, cmd, n, NULL), 0);
    cr_assert_eq(counters(lb).bytes_stored, big);
    cr_assert_eq(logbuf_query_last(lb, 5, check_payload, NULL), 1);
    free(payload), free(cmd);
    logbuf_free(lb);
}

Test(logbuf, index_query_returns_an_inclusive_range_and_skips_evicted_records)
{
    logbuf *lb = new_buf(5, 1 << 20);
    fill(lb, 12, 4); /* stored: 8..12 */
    seen s = {0};
    cr_assert_eq(logbuf_query_index(lb, 3, 9, collect, &s), 2);
    cr_assert_eq(s.index[0], 8);
    cr_assert_eq(s.index[1], 9);
    cr_assert_eq(logbuf_query_index(lb, 10, 10, NULL, NULL), 1);
    cr_assert_eq(logbuf_query_index(lb, 11, UINT64_MAX, NULL, NULL), 2);
    cr_assert_eq(logbuf_query_index(lb, 0, UINT64_MAX, NULL, NULL), 5);
    cr_assert_eq(logbuf_query_index(lb, 13, 20, NULL, NULL), 0);
    cr_assert_eq(logbuf_query_index(lb, 1, 7, NULL, NULL), 0);
    cr_assert_eq(logbuf_query_index(lb, 10, 9, NULL, NULL), 0);
    logbuf_free(lb);
}

Test(logbuf, index_query_skips_indexes_that_were_no_ops)
{
    logbuf *lb = new_buf(10, 1 << 20);
    apply_cmd(lb, 1, 1, 1, 5, "a");
    cr_assert_eq(logbuf_apply_noop(lb, 2), 0);
    apply_cmd(lb, 3, 1, 2, 6, "b");
    seen s = {0};
    cr_assert_eq(logbuf_query_index(lb, 1, 3, collect, &s), 2);
    cr_assert_eq(s.index[0], 1);
    cr_assert_eq(s.index[1], 3);
    cr_assert_eq(logbuf_query_index(lb, 2, 2, NULL, NULL), 0);
    logbuf_free(lb);
}

Test(logbuf, time_query_with_monotonic_timestamps_returns_the_inclusive_window)
{
    logbuf *lb = new_buf(6, 1 << 20);
    fill(lb, 10, 3); /* stored: 5..10 at ts 50..100 */
    seen s = {0};
    cr_assert_eq(logbuf_query_time(lb, 0, 65, collect, &s), 2);
    cr_assert_eq(s.index[0], 5);
    cr_assert_eq(s.index[1], 6);
    cr_assert_eq(logbuf_query_time(lb, 70, 90, NULL, NULL), 3);
    cr_assert_eq(logbuf_query_time(lb, 101, UINT64_MAX, NULL, NULL), 0);
    cr_assert_eq(logbuf_query_time(lb, 0, UINT64_MAX, NULL, NULL), 6);
    cr_assert_eq(logbuf_query_time(lb, 90, 60, NULL, NULL), 0, "empty window matched");
    logbuf_free(lb);
}

Test(logbuf, time_query_with_out_of_order_timestamps_finds_every_match_in_log_order)
{
    logbuf *lb = new_buf(4, 1 << 20);
    const uint64_t ts[] = {500, 10, 300, 20, 250, 30};
    for (uint64_t i = 0; i < 6; i++)
        apply_cmd(lb, i + 1, 1, i + 1, ts[i], "x");
    /* stored: indexes 3..6 with ts 300, 20, 250, 30 */
    seen s = {0};
    cr_assert_eq(logbuf_query_time(lb, 25, 300, collect, &s), 3);
    cr_assert_eq(s.index[0], 3);
    cr_assert_eq(s.index[1], 5);
    cr_assert_eq(s.index[2], 6);
    cr_assert_eq(logbuf_query_time(lb, 10, 10, NULL, NULL), 0, "evicted record matched");
    /* Once the inversions are evicted, sorted timestamps are searched again. */
    for (uint64_t i = 7; i <= 10; i++)
        apply_cmd(lb, i, 1, i, 1000 + i, "y");
    cr_assert_eq(logbuf_query_time(lb, 1008, 1009, NULL, NULL), 2);
    logbuf_free(lb);
}

Test(logbuf, last_n_returns_the_newest_records_oldest_first_and_all_when_n_is_larger)
{
    logbuf *lb = new_buf(8, 1 << 20);
    cr_assert_eq(logbuf_query_last(lb, 5, NULL, NULL), 0);
    fill(lb, 5, 2);
    seen s = {0};
    cr_assert_eq(logbuf_query_last(lb, 2, collect, &s), 2);
    cr_assert_eq(s.index[0], 4);
    cr_assert_eq(s.index[1], 5);
    s = (seen){0};
    cr_assert_eq(logbuf_query_last(lb, 100, collect, &s), 5);
    cr_assert_eq(s.index[0], 1);
    cr_assert_eq(logbuf_query_last(lb, 0, NULL, NULL), 0);
    logbuf_free(lb);
}

Test(logbuf, a_retried_client_seq_is_counted_not_stored_and_reports_the_first_index)
{
    logbuf *lb = new_buf(10, 1 << 20);
    logbuf_result r = apply_cmd(lb, 1, 42, 1, 100, "first");
    cr_assert_not(r.duplicate);
    cr_assert_eq(r.index, 1);
    r = apply_cmd(lb, 2, 42, 1, 100, "first");
    cr_assert(r.duplicate);
    cr_assert_eq(r.index, 1);
    logbuf_counters c = counters(lb);
    cr_assert_eq(c.records_total, 1);
    cr_assert_eq(c.records_stored, 1);
    cr_assert_eq(c.duplicates, 1);
    cr_assert_eq(c.applied_index, 2);
    uint64_t seq, index;
    cr_assert(logbuf_session(lb, 42, &seq, &index));
    cr_assert_eq(seq, 1);
    cr_assert_eq(index, 1);
    r = apply_cmd(lb, 3, 42, 2, 101, "second");
    cr_assert_not(r.duplicate);
    cr_assert_eq(r.index, 3);
    r = apply_cmd(lb, 4, 7, 1, 102, "other client, same seq");
    cr_assert_not(r.duplicate);
    cr_assert_not(logbuf_session(lb, 99, NULL, NULL));
    logbuf_free(lb);
}

Test(logbuf, out_of_order_apply_is_rejected_and_changes_nothing)
{
    logbuf *lb = new_buf(10, 1 << 20);
    fill(lb, 3, 4);
    uint64_t d = logbuf_digest(lb);
    logbuf_counters before = counters(lb);
    uint8_t cmd[64];
    size_t n = logbuf_cmd_encode(cmd, sizeof cmd, 5, 1, 1, "zz", 2);
    cr_assert_eq(logbuf_apply(lb, 5, cmd, n, NULL), -1);
    cr_assert_eq(logbuf_apply(lb, 3, cmd, n, NULL), -1);
    cr_assert_eq(logbuf_apply_noop(lb, 3), -1);
    cr_assert_eq(logbuf_apply_noop(lb, 0), -1);
    logbuf_counters after = counters(lb);
    cr_assert_eq(memcmp(&before, &after, sizeof before), 0);
    cr_assert_eq(logbuf_digest(lb), d);
    cr_assert_not(logbuf_session(lb, 5, NULL, NULL));
    logbuf_free(lb);
}

Test(logbuf, a_no_op_advances_the_applied_index_and_the_digest_but_stores_nothing)
{
    logbuf *lb = new_buf(10, 1 << 20);
    uint64_t d0 = logbuf_digest(lb);
    cr_assert_eq(logbuf_apply_noop(lb, 1), 0);
    cr_assert_neq(logbuf_digest(lb), d0);
    logbuf_counters c = counters(lb);
    cr_assert_eq(c.applied_index, 1);
    cr_assert_eq(c.records_total, 0);
    cr_assert_eq(c.records_stored, 0);
    logbuf_free(lb);
}

Test(logbuf, a_malformed_command_is_counted_skipped_and_still_advances_the_applied_index)
{
    logbuf *lb = new_buf(10, 1 << 20);
    const uint8_t junk[5] = {1, 2, 3, 4, 5};
    cr_assert_eq(logbuf_apply(lb, 1, junk, sizeof junk, NULL), 0);
    logbuf_counters c = counters(lb);
    cr_assert_eq(c.malformed, 1);
    cr_assert_eq(c.applied_index, 1);
    cr_assert_eq(c.records_stored, 0);
    logbuf_free(lb);
}

Test(logbuf, commit_notes_only_move_the_commit_counter_forward)
{
    logbuf *lb = new_buf(10, 1 << 20);
    logbuf_note_commit(lb, 9);
    logbuf_note_commit(lb, 4);
    cr_assert_eq(counters(lb).commit_index, 9);
    logbuf_free(lb);
}

/* Feed the same (or slightly different) history to buffers. */
static void feed(logbuf *lb, const char *variant)
{
    for (uint64_t i = 1; i <= 40; i++) {
        if (i % 7 == 0) {
            cr_assert_eq(logbuf_apply_noop(lb, i), 0);
            continue;
        }
        apply_cmd(lb, i, 1 + i % 4, i / 2, i * 1000, i == 33 ? variant : "payload");
    }
}

Test(logbuf, equal_histories_give_equal_digests_and_any_difference_changes_it)
{
    logbuf *a = new_buf(1000, 1 << 20), *b = new_buf(1000, 1 << 20),
           *c = new_buf(1000, 1 << 20);
    feed(a, "payload");
    feed(b, "payload");
    feed(c, "payloaD");
    cr_assert_eq(logbuf_digest(a), logbuf_digest(b));
    cr_assert_neq(logbuf_digest(a), logbuf_digest(c));
    logbuf *d = new_buf(1000, 1 << 20), *e = new_buf(1000, 1 << 20);
    cr_assert_eq(logbuf_apply_noop(d, 1), 0);
    apply_cmd(e, 1, 1, 1, 1, ""); /* a data entry is not a no-op */
    cr_assert_neq(logbuf_digest(d), logbuf_digest(e));
    logbuf_free(a), logbuf_free(b), logbuf_free(c), logbuf_free(d), logbuf_free(e);
}

/* The digest covers the state, not the history: what left the ring no
 * longer counts, and what is in it does. */
Test(logbuf, the_digest_is_of_the_state_histories_differing_only_in_evicted_records_agree)
{
    logbuf *a = new_buf(3, 1 << 20), *b = new_buf(3, 1 << 20), *big = new_buf(1000, 1 << 20);
    apply_cmd(a, 1, 1, 1, 10, "first, soon evicted");
    apply_cmd(b, 1, 1, 1, 10, "FIRST, soon evicted");
    apply_cmd(big, 1, 1, 1, 10, "first, soon evicted");
    for (uint64_t i = 2; i <= 6; i++) {
        apply_cmd(a, i, 1, i, 10 * i, "kept");
        apply_cmd(b, i, 1, i, 10 * i, "kept");
        apply_cmd(big, i, 1, i, 10 * i, "kept");
    }
    /* same records in the ring, same session, same counters */
    cr_assert_eq(logbuf_digest(a), logbuf_digest(b), "an evicted record still counts");
    /* the same history kept in a larger ring is a different state */
    cr_assert_neq(logbuf_digest(a), logbuf_digest(big), "eviction did not change the digest");
    /* a record in the ring counts: its eviction changes the digest */
    uint64_t before = logbuf_digest(a);
    apply_cmd(a, 7, 1, 7, 70, "kept");
    apply_cmd(big, 7, 1, 7, 70, "kept");
    cr_assert_neq(logbuf_digest(a), before);
    logbuf_free(a), logbuf_free(b), logbuf_free(big);
}

/* Each part of the state moves the digest: a session's seq, a duplicate
 * (the counter), a no-op (the applied index). */
Test(logbuf, the_digest_covers_sessions_and_counters)
{
    logbuf *a = new_buf(1000, 1 << 20), *b = new_buf(1000, 1 << 20);
    apply_cmd(a, 1, 7, 1, 10, "x");
    apply_cmd(b, 1, 7, 1, 10, "x");
    cr_assert_eq(logbuf_digest(a), logbuf_digest(b));
    apply_cmd(a, 2, 7, 1, 20, "x"); /* a duplicate: nothing stored */
    cr_assert_eq(logbuf_apply_noop(b, 2), 0);
    cr_assert_neq(logbuf_digest(a), logbuf_digest(b), "the duplicates counter is not covered");
    logbuf_free(a), logbuf_free(b);
}

/* ---- snapshots ---- */

static uint8_t *snapshot(const logbuf *lb, size_t *len)
{
    *len = logbuf_snapshot_size(lb);
    uint8_t *buf = malloc(*len);
    cr_assert_not_null(buf);
    cr_assert_eq(logbuf_snapshot_write(lb, buf, *len), *len);
    cr_assert_eq(logbuf_snapshot_write(lb, buf, *len - 1), 0, "short buffer accepted");
    return buf;
}

static void assert_same_state(const logbuf *a, const logbuf *b)
{
    logbuf_counters ca = counters(a), cb = counters(b);
    cr_assert_eq(memcmp(&ca, &cb, sizeof ca), 0, "counters differ");
    cr_assert_eq(logbuf_digest(a), logbuf_digest(b));
    seen sa = {0}, sb = {0};
    cr_assert_eq(logbuf_query_last(a, 64, collect, &sa), logbuf_query_last(b, 64, collect, &sb));
    cr_assert_eq(memcmp(&sa, &sb, sizeof sa), 0, "records differ");
    cr_assert_eq(logbuf_query_time(a, 3000, 30000, NULL, NULL),
                 logbuf_query_time(b, 3000, 30000, NULL, NULL));
    cr_assert_eq(logbuf_query_index(a, 20, 35, NULL, NULL),
                 logbuf_query_index(b, 20, 35, NULL, NULL));
    for (uint64_t client = 0; client < 6; client++) {
        uint64_t sa_seq = 0, sa_idx = 0, sb_seq = 0, sb_idx = 0;
        bool ha = logbuf_session(a, client, &sa_seq, &sa_idx);
        bool hb = logbuf_session(b, client, &sb_seq, &sb_idx);
        cr_assert_eq(ha, hb, "client %llu", (unsigned long long)client);
        cr_assert_eq(sa_seq, sb_seq);
        cr_assert_eq(sa_idx, sb_idx);
    }
}

/* Counts the records a query visits and checks they come in index order,
 * consecutive from `next`, each with the payload of fill/apply_run. */
typedef struct run_seen {
    uint64_t next, n;
} run_seen;

static void check_run(void *arg, const logbuf_record *r)
{
    run_seen *s = arg;
    cr_assert_eq(r->index, s->next, "record %llu, expected %llu",
                 (unsigned long long)r->index, (unsigned long long)s->next);
    cr_assert_eq(r->timestamp_ns, 10 * r->index);
    cr_assert_eq(r->client_seq, r->index);
    check_payload(NULL, r);
    s->next++;
    s->n++;
}

/* Records index from..to of fill's form (client 1, seq = index, ts = 10 *
 * index), payloads of `size` bytes. */
static void apply_run(logbuf *lb, uint64_t from, uint64_t to, uint32_t size)
{
    for (uint64_t i = from; i <= to; i++) {
        char payload[64];
        cr_assert_lt(size, sizeof payload);
        memset(payload, 'a' + (int)(i % 26), size);
        payload[size] = 0;
        apply_cmd(lb, i, 1, i, 10 * i, payload);
    }
}

/* The newest `want` records are 1 + last - want .. last, found by index,
 * time and count queries. */
static void expect_newest(const logbuf *lb, uint64_t last, uint64_t want)
{
    cr_assert_eq(counters(lb).records_stored, want);
    run_seen s = {.next = last - want + 1};
    cr_assert_eq(logbuf_query_last(lb, (size_t)want + 5, check_run, &s), want);
    cr_assert_eq(s.next, last + 1);
    /* index and time ranges that cross the record chunks' boundaries */
    uint64_t lo = last - want / 2 - 700, hi = last - want / 2 + 700;
    s = (run_seen){.next = lo};
    cr_assert_eq(logbuf_query_index(lb, lo, hi, check_run, &s), hi - lo + 1);
    s = (run_seen){.next = lo};
    cr_assert_eq(logbuf_query_time(lb, 10 * lo, 10 * hi, check_run, &s), hi - lo + 1);
}

Test(logbuf, records_span_many_chunks_through_eviction_restore_and_more_appends)
{
    /* 48-byte records, 64-KiB chunks: ~1365 records a chunk. The count
     * bound keeps 3000 (three chunks) while 20000 pass through. */
    logbuf *a = new_buf(3000, 1 << 24), *b = new_buf(3000, 1 << 24);
    apply_run(a, 1, 20000, 5);
    expect_newest(a, 20000, 3000);
    /* restored, the records are renumbered from 0: appends continue */
    size_t len;
    uint8_t *snap = snapshot(a, &len);
    cr_assert_eq(logbuf_restore(b, snap, len), 0);
    free(snap);
    expect_newest(b, 20000, 3000);
    apply_run(a, 20001, 24000, 5);
    apply_run(b, 20001, 24000, 5);
    expect_newest(b, 24000, 3000);
    assert_same_state(a, b);
    logbuf_free(a), logbuf_free(b);
    /* A byte bound that keeps ~2000 records of 10 bytes, 30000 through. */
    logbuf *c = new_buf(1u << 20, 20000);
    apply_run(c, 1, 30000, 10);
    expect_newest(c, 30000, 2000);
    logbuf_free(c);
}

Test(logbuf, restore_of_a_snapshot_reproduces_digest_counters_records_and_sessions)
{
    logbuf *a = new_buf(12, 1 << 20), *b = new_buf(12, 1 << 20);
    feed(a, "payload");
    apply_cmd(a, 41, 1, 1, 1, "a duplicate"); /* counted in duplicates */
    logbuf_note_commit(a, 45);
    size_t len;
    uint8_t *snap = snapshot(a, &len);
    cr_assert_eq(logbuf_restore(b, snap, len), 0);
    assert_same_state(a, b);
    free(snap);
    logbuf_free(a);
    logbuf_free(b);
}

/* Offsets in a snapshot image (logbuf_snapshot.c's layout). */
enum { SNAP_HEAD = 8 + 10 * 8, SNAP_SESSION = 24, SNAP_RECORD_HEAD = 36 };

/* A snapshot whose records, sessions or counters were altered, but stay
 * well-formed, is refused with LOGBUF_EDIGEST, and the buffer is unchanged:
 * the restore recomputes the digest from the state it restored. */
Test(logbuf, restore_recomputes_the_digest_and_refuses_an_altered_state)
{
    logbuf *a = new_buf(12, 1 << 20), *b = new_buf(12, 1 << 20), *ref = new_buf(12, 1 << 20);
    feed(a, "payload");
    apply_cmd(a, 41, 1, 1, 1, "a duplicate");
    fill(b, 2, 3);
    fill(ref, 2, 3);
    size_t len;
    uint8_t *snap = snapshot(a, &len);
    uint64_t n_sessions = 0;
    for (int i = 0; i < 8; i++)
        n_sessions |= (uint64_t)snap[8 + 7 * 8 + i] << (8 * i);
    size_t rec0 = SNAP_HEAD + (size_t)n_sessions * SNAP_SESSION;
    const size_t where[] = {
        rec0 + 8,                       /* the first record's timestamp */
        rec0 + SNAP_RECORD_HEAD,        /* its first payload byte */
        SNAP_HEAD + 16,                 /* the first session's index (still <= applied) */
        8 + 4 * 8,                      /* the duplicates counter */
        8 + 0 * 8,                      /* the applied index (upwards: still valid) */
    };
    const uint8_t flip[] = {0x04, 0x20, 0x01, 0x01, 0x40};
    for (size_t k = 0; k < sizeof where / sizeof where[0]; k++) {
        snap[where[k]] ^= flip[k];
        cr_assert_eq(logbuf_restore(b, snap, len), LOGBUF_EDIGEST, "alteration %zu accepted", k);
        assert_same_state(b, ref);
        snap[where[k]] ^= flip[k];
    }
    cr_assert_eq(logbuf_restore(b, snap, len), 0);
    assert_same_state(a, b);
    free(snap);
    logbuf_free(a), logbuf_free(b), logbuf_free(ref);
}

Test(logbuf, restored_buffer_continues_exactly_like_the_original)
{
    logbuf *a = new_buf(5, 100), *b = new_buf(5, 100);
    fill(a, 9, 20);
    size_t len;
    uint8_t *snap = snapshot(a, &len);
    cr_assert_eq(logbuf_restore(b, snap, len), 0);
    for (uint64_t i = 10; i <= 30; i++) {
        apply_cmd(a, i, 1 + i % 2, i, i * 10, "continuing");
        apply_cmd(b, i, 1 + i % 2, i, i * 10, "continuing");
    }
    assert_same_state(a, b);
    free(snap);
    logbuf_free(a);
    logbuf_free(b);
}

Test(logbuf, every_truncated_prefix_of_a_snapshot_is_rejected_and_leaves_the_buffer_unchanged)
{
    logbuf *a = new_buf(6, 1 << 20), *b = new_buf(6, 1 << 20), *ref = new_buf(6, 1 << 20);
    feed(a, "payload");
    fill(b, 3, 5);
    fill(ref, 3, 5);
    size_t len;
    uint8_t *snap = snapshot(a, &len);
    for (size_t k = 0; k < len; k++) {
        uint8_t *exact = malloc(k ? k : 1);
        cr_assert_not_null(exact);
        memcpy(exact, snap, k);
        cr_assert_eq(logbuf_restore(b, exact, k), -1, "prefix %zu of %zu accepted", k, len);
        free(exact);
    }
    assert_same_state(b, ref);
    uint8_t *longer = malloc(len + 1);
    cr_assert_not_null(longer);
    memcpy(longer, snap, len);
    longer[len] = 0;
    cr_assert_eq(logbuf_restore(b, longer, len + 1), -1, "trailing byte accepted");
    assert_same_state(b, ref);
    free(longer);
    free(snap);
    logbuf_free(a), logbuf_free(b), logbuf_free(ref);
}

Test(logbuf, snapshots_with_a_bad_version_or_inconsistent_contents_are_rejected)
{
    logbuf *a = new_buf(6, 1 << 20), *b = new_buf(6, 1 << 20), *small = new_buf(2, 64);
    feed(a, "payload");
    size_t len;
    uint8_t *snap = snapshot(a, &len);
    cr_assert_eq(logbuf_restore(small, snap, len), -1, "more records than the bound accepted");
    snap[4] ^= 0x02; /* version */
    cr_assert_eq(logbuf_restore(b, snap, len), -1);
    snap[4] ^= 0x02;
    snap[0] ^= 0x01; /* magic */
    cr_assert_eq(logbuf_restore(b, snap, len), -1);
    snap[0] ^= 0x01;
    snap[8 + 3 * 8] ^= 0x01; /* records_evicted no longer matches total - stored */
    cr_assert_eq(logbuf_restore(b, snap, len), -1);
    snap[8 + 3 * 8] ^= 0x01;
    cr_assert_eq(logbuf_restore(b, snap, len), 0);
    assert_same_state(a, b);
    free(snap);
    logbuf_free(a), logbuf_free(b), logbuf_free(small);
}

Test(logbuf, a_snapshot_of_a_restored_buffer_is_byte_identical)
{
    logbuf *a = new_buf(9, 300), *b = new_buf(9, 300);
    feed(a, "payload");
    size_t la, lb_len;
    uint8_t *sa = snapshot(a, &la);
    cr_assert_eq(logbuf_restore(b, sa, la), 0);
    uint8_t *sb = snapshot(b, &lb_len);
    cr_assert_eq(la, lb_len);
    cr_assert_arr_eq(sa, sb, la);
    free(sa), free(sb);
    logbuf_free(a), logbuf_free(b);
}

Test(logbuf, new_refuses_zero_bounds)
{
    cr_assert_null(logbuf_new(0, 100));
    cr_assert_null(logbuf_new(100, 0));
}

/* ---- core/log.c: the Raft log's payload chunks ---- */


/* Payload of entry `index`: `len` bytes derived from the index. */
static uint32_t chunk_test_len(uint64_t index)
{
    if (index % 97 == 0)
        return 3 * RAFT_CHUNK + 17; /* spans several chunk ranges */
    if (index % 31 == 0)
        return 0;
    return (uint32_t)(hash_mix64(index) % 9000); /* often spills past a range's end */
}

static void chunk_test_fill(uint8_t *buf, uint64_t index, uint32_t len)
{
    for (uint32_t i = 0; i < len; i++)
        buf[i] = (uint8_t)(index * 131 + i);
}

static void chunk_test_append(raft_log *l, uint64_t index, uint8_t *buf)
{
    raft_entry e = {.term = 1 + index / 1000, .type = RAFT_ENTRY_DATA,
                    .len = chunk_test_len(index), .data = buf};
    chunk_test_fill(buf, index, e.len);
    cr_assert_eq(raft_log_last_index(l) + 1, index);
    cr_assert_eq(raft_log_append(l, &e), RAFT_OK);
}

/* Every held entry has its own bytes, and payload byte counts add up. */
static void chunk_test_check(const raft_log *l, uint8_t *buf)
{
    uint64_t sum = 0;
    for (uint64_t i = l->base_index + 1; i <= raft_log_last_index(l); i++) {
        raft_entry e;
        cr_assert(raft_log_get(l, i, &e));
        cr_assert_eq(e.len, chunk_test_len(i));
        chunk_test_fill(buf, i, e.len);
        cr_assert(e.len == 0 ? e.data == NULL : memcmp(e.data, buf, e.len) == 0,
                  "entry %llu intact", (unsigned long long)i);
        sum += e.len;
    }
    cr_assert_eq(raft_log_payload_bytes(l), sum);
    if (raft_log_last_index(l) > l->base_index)
        cr_assert_eq(raft_log_bytes_between(l, l->base_index + 1, raft_log_last_index(l)), sum);
}

Test(raft_log_chunks, payloads_stay_intact_across_chunks_truncation_compaction_and_reset)
{
    uint8_t *buf = malloc(4 * RAFT_CHUNK);
    cr_assert_not_null(buf);
    raft_log l;
    raft_log_init(&l, 0, 0);
    for (uint64_t i = 1; i <= 3000; i++)
        chunk_test_append(&l, i, buf);
    chunk_test_check(&l, buf);
    raft_log_truncate(&l, 2001); /* back into a chunk, then regrow over it */
    chunk_test_check(&l, buf);
    for (uint64_t i = 2001; i <= 4000; i++)
        chunk_test_append(&l, i, buf);
    chunk_test_check(&l, buf);
    raft_log_compact(&l, 2500); /* frees the chunks before entry 2501's */
    cr_assert_leq(l.payload.first * RAFT_CHUNK, raft_log_ent_at(&l, 2501)->off);
    cr_assert_gt((l.payload.first + 1) * RAFT_CHUNK, raft_log_ent_at(&l, 2501)->off);
    chunk_test_check(&l, buf);
    for (uint64_t i = 4001; i <= 5000; i++)
        chunk_test_append(&l, i, buf);
    raft_log_compact(&l, 5000); /* everything: the log is empty */
    cr_assert_eq(raft_log_payload_bytes(&l), 0);
    for (uint64_t i = 5001; i <= 5200; i++)
        chunk_test_append(&l, i, buf);
    chunk_test_check(&l, buf);
    raft_log_reset(&l, 9000, 7);
    cr_assert_eq(raft_log_last_index(&l), 9000);
    cr_assert_leq(l.payload.n, 1, "a reset keeps at most the chunk being filled");
    for (uint64_t i = 9001; i <= 9300; i++)
        chunk_test_append(&l, i, buf);
    chunk_test_check(&l, buf);
    raft_log_free(&l);
    free(buf);
}

/* ---- the log buffer's catalogue bugs (bugs builds only) ----
 * Each changes exactly what it names; off, the buffer is the correct one
 * (every test above runs with no bug set). */
#ifdef RAFT_BUGS

Test(logbuf_bugs, restore_bad_record_corrupts_timestamps_and_the_state_digest_refuses_it)
{
    logbuf *a = new_buf(12, 1 << 20), *b = new_buf(12, 1 << 20);
    feed(a, "payload");
    size_t len;
    uint8_t *snap = snapshot(a, &len);
    cr_assert_eq(logbuf_restore(b, snap, len), 0, "bug off: restores");
    logbuf_set_bugs(b, RAFT_BUG(RESTORE_BAD_RECORD));
    cr_assert_eq(logbuf_restore(b, snap, len), LOGBUF_EDIGEST);
    assert_same_state(a, b); /* refused: unchanged */
    free(snap);
    logbuf_free(a), logbuf_free(b);
}

/* Restored, the sessions are one array sorted by id: clients 1, 3 and 4 at
 * positions 0, 1 and 2. The unverified fast path takes position 2, client
 * 4's session, for client 3: its next command, seq 5 <= client 4's seq 9,
 * is called a duplicate there, and stored everywhere else. */
Test(logbuf_bugs, dedup_fast_path_takes_another_clients_session_past_a_gap_when_restored)
{
    logbuf *a = new_buf(100, 1 << 20), *b = new_buf(100, 1 << 20);
    apply_cmd(a, 1, 1, 4, 10, "one");
    apply_cmd(a, 2, 3, 4, 20, "three"); /* no client 2: a gap in the ids */
    apply_cmd(a, 3, 4, 9, 30, "four");
    size_t len;
    uint8_t *snap = snapshot(a, &len);
    cr_assert_eq(logbuf_restore(b, snap, len), 0);
    free(snap);
    logbuf_result ra = apply_cmd(a, 4, 3, 5, 40, "three again");
    cr_assert(!ra.duplicate);
    logbuf_set_bugs(b, RAFT_BUG(DEDUP_FAST_PATH));
    logbuf_result rb = apply_cmd(b, 4, 3, 5, 40, "three again");
    cr_assert(rb.duplicate, "client 4's session was not taken for client 3's");
    cr_assert_eq(rb.index, 3);
    cr_assert_neq(logbuf_digest(a), logbuf_digest(b));
    /* a client at its dense position is still found right */
    cr_assert(apply_cmd(b, 5, 1, 5, 50, "one again").duplicate == false);
    logbuf_free(a), logbuf_free(b);
}

Test(logbuf_bugs, read_counts_noops_reports_no_ops_as_records_but_stores_the_truth)
{
    logbuf *a = new_buf(100, 1 << 20), *b = new_buf(100, 1 << 20);
    logbuf_set_bugs(b, RAFT_BUG(READ_COUNTS_NOOPS));
    for (logbuf *x = a; x; x = x == a ? b : NULL) {
        cr_assert_eq(logbuf_apply_noop(x, 1), 0);
        apply_cmd(x, 2, 1, 1, 10, "one");
        apply_cmd(x, 3, 1, 1, 10, "one"); /* a retry */
    }
    cr_assert_eq(counters(a).records_total, 1);
    cr_assert_eq(counters(b).records_total, 2);
    cr_assert_eq(logbuf_digest(a), logbuf_digest(b), "the state is the same");
    logbuf_free(a), logbuf_free(b);
}

#endif
