/* test_store.c — raftd's durable store: round trips, conflict truncation,
 * group commit, compaction, and recovery from a torn tail (truncated) versus
 * corruption in the middle (refused). Each test works in its own fresh
 * directory under $TMPDIR. */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../../tools/raftd/crc32c.h"
#include "../../tools/raftd/rlog.h"
#include "../../tools/raftd/store.h"

static char dir[256];
static uint64_t next_token;

static void setup(void)
{
    const char *tmp = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
    snprintf(dir, sizeof dir, "%s/raftd-store-XXXXXX", tmp);
    cr_assert_not_null(mkdtemp(dir));
    next_token = 0;
    rlog_init(0, RLOG_ERROR); /* the torn-tail warnings are expected */
}

static void teardown(void)
{
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    cr_assert_eq(system(cmd), 0);
}

TestSuite(store, .init = setup, .fini = teardown);

static store *open_ok(void)
{
    char err[STORE_ERR_CAP];
    store *st = store_open(dir, err, sizeof err);
    cr_assert_not_null(st, "store_open failed: %s", err);
    return st;
}

/* Append entries [first, first + n) of `term`, payload "e<index>", and sync. */
static void append(store *st, uint64_t first, size_t n, uint64_t term)
{
    raft_entry e[64];
    char text[64][16];
    cr_assert(n <= 64);
    for (size_t i = 0; i < n; i++) {
        int len = snprintf(text[i], sizeof text[i], "e%llu", (unsigned long long)(first + i));
        e[i] = (raft_entry){.term = term, .type = RAFT_ENTRY_DATA, .len = (uint32_t)len,
                            .data = (const uint8_t *)text[i]};
    }
    raft_write w = {.token = ++next_token, .kind = RAFT_WRITE_ENTRIES,
                    .hs = {.term = term, .vote = 1}, .first_index = first, .entries = e,
                    .n_entries = n};
    cr_assert_eq(store_write(st, &w), 0);
    uint64_t tok;
    cr_assert_eq(store_sync(st, &tok), 0);
    cr_assert_eq(tok, next_token);
}

static void expect_entry(const store *st, uint64_t index, uint64_t term)
{
    cr_assert(index > st->base && index <= st->base + st->n, "index %llu not held",
              (unsigned long long)index);
    const store_entry *e = &st->ents[index - st->base - 1];
    char want[16];
    snprintf(want, sizeof want, "e%llu", (unsigned long long)index);
    cr_assert_eq(e->term, term);
    cr_assert_eq(e->len, strlen(want));
    cr_assert_arr_eq(e->data, want, e->len);
}

static void seg_path(char *buf, size_t cap, uint64_t seq)
{
    char name[64];
    store_seg_name(name, sizeof name, seq);
    snprintf(buf, cap, "%s/%s", dir, name);
}

/* A closed store holding entries 1..n of term 1 in one segment: that
 * segment's sequence number, its path into path. */
static uint64_t closed_segment(size_t n, char *path, size_t cap)
{
    store *st = open_ok();
    append(st, 1, n, 1);
    uint64_t seq = st->seg_seq;
    store_close(st);
    seg_path(path, cap, seq);
    return seq;
}

static off_t file_size(const char *path)
{
    struct stat sb;
    cr_assert_eq(stat(path, &sb), 0, "stat %s", path);
    return sb.st_size;
}

static void flip_byte(const char *path, off_t at)
{
    int fd = open(path, O_RDWR);
    cr_assert(fd >= 0);
    uint8_t b;
    cr_assert_eq(pread(fd, &b, 1, at), 1);
    b ^= 0x40;
    cr_assert_eq(pwrite(fd, &b, 1, at), 1);
    close(fd);
}

Test(store, crc32c_matches_the_standard_check_value)
{
    cr_assert_eq(crc32c(0, "123456789", 9), 0xE3069283u);
}

Test(store, entries_and_hard_state_survive_a_reopen)
{
    store *st = open_ok();
    cr_assert_eq(st->n, 0);
    append(st, 1, 10, 3);
    store_close(st);
    st = open_ok();
    cr_assert_eq(st->hs_durable.term, 3);
    cr_assert_eq(st->hs_durable.vote, 1);
    cr_assert_eq(store_last_index(st), 10);
    for (uint64_t i = 1; i <= 10; i++)
        expect_entry(st, i, 3);
    raft_boot boot;
    raft_entry *ents;
    cr_assert_eq(store_boot(st, &boot, &ents), 0);
    cr_assert_eq(boot.n_entries, 10);
    cr_assert_eq(boot.hs.term, 3);
    free(ents);
    store_close(st);
}

Test(store, a_conflicting_write_replaces_the_suffix_on_disk)
{
    store *st = open_ok();
    append(st, 1, 5, 1);
    append(st, 3, 2, 2); /* entries 3.. replaced: the log is 1,2 (t1), 3,4 (t2) */
    store_close(st);
    st = open_ok();
    cr_assert_eq(store_last_index(st), 4);
    expect_entry(st, 2, 1);
    expect_entry(st, 3, 2);
    expect_entry(st, 4, 2);
    store_close(st);
}

Test(store, one_sync_covers_every_queued_write)
{
    store *st = open_ok();
    raft_entry e = {.term = 1, .type = RAFT_ENTRY_DATA, .len = 2, .data = (const uint8_t *)"e1"};
    for (uint64_t t = 1; t <= 3; t++) {
        raft_write w = {.token = t, .kind = RAFT_WRITE_ENTRIES, .hs = {.term = 1},
                        .first_index = t, .entries = &e, .n_entries = 1};
        cr_assert_eq(store_write(st, &w), 0);
    }
    cr_assert(store_pending(st));
    uint64_t before = st->stats.syncs, tok;
    cr_assert_eq(store_sync(st, &tok), 0);
    cr_assert_eq(tok, 3);
    cr_assert_eq(st->stats.syncs, before + 1);
    cr_assert(!store_pending(st));
    store_close(st);
}

Test(store, a_torn_last_record_is_truncated_and_reported)
{
    char path[512];
    closed_segment(10, path, sizeof path);
    off_t size = file_size(path);
    cr_assert_eq(truncate(path, size - 3), 0); /* the last record cut short */
    store *st = open_ok();
    cr_assert_eq(store_last_index(st), 9);
    expect_entry(st, 9, 1);
    cr_assert_gt(st->stats.torn_bytes_truncated, 0);
    store_close(st);
    cr_assert_lt(file_size(path), size - 3, "the torn bytes were cut from the file");
    st = open_ok(); /* and the next recovery finds nothing to repair */
    cr_assert_eq(st->stats.torn_bytes_truncated, 0);
    cr_assert_eq(store_last_index(st), 9);
    append(st, 10, 1, 1); /* appends continue after the cut */
    store_close(st);
    st = open_ok();
    cr_assert_eq(store_last_index(st), 10);
    store_close(st);
}

Test(store, zero_filled_garbage_after_the_last_record_is_a_torn_tail)
{
    char path[512];
    closed_segment(4, path, sizeof path);
    cr_assert_eq(truncate(path, file_size(path) + 4096), 0);
    store *st = open_ok();
    cr_assert_eq(store_last_index(st), 4);
    cr_assert_eq(st->stats.torn_bytes_truncated, 4096);
    store_close(st);
}

Test(store, a_corrupt_record_in_the_middle_stops_recovery)
{
    char path[512];
    closed_segment(10, path, sizeof path);
    off_t size = file_size(path);
    flip_byte(path, STORE_SEG_HEADER + (size - STORE_SEG_HEADER) / 3); /* in record 4 */
    char err[STORE_ERR_CAP];
    cr_assert_null(store_open(dir, err, sizeof err));
    cr_assert(strstr(err, "corruption in the middle"), "error was: %s", err);
    cr_assert_eq(file_size(path), size, "nothing was truncated");
}

Test(store, damage_in_a_segment_that_is_not_the_last_stops_recovery)
{
    char path[512], next[512];
    uint64_t seq = closed_segment(10, path, sizeof path);
    seg_path(next, sizeof next, seq + 1);
    uint8_t hdr[STORE_SEG_HEADER];
    store_seg_header(hdr);
    FILE *f = fopen(next, "wb");
    cr_assert_not_null(f);
    cr_assert_eq(fwrite(hdr, 1, sizeof hdr, f), sizeof hdr);
    fclose(f);
    cr_assert_eq(truncate(path, file_size(path) - 3), 0);
    char err[STORE_ERR_CAP];
    cr_assert_null(store_open(dir, err, sizeof err));
    cr_assert(strstr(err, "not the last"), "error was: %s", err);
}

Test(store, a_damaged_meta_file_stops_recovery)
{
    store *st = open_ok();
    append(st, 1, 1, 5);
    store_close(st);
    char path[512];
    snprintf(path, sizeof path, "%s/meta", dir);
    flip_byte(path, 9);
    char err[STORE_ERR_CAP];
    cr_assert_null(store_open(dir, err, sizeof err));
    cr_assert(strstr(err, "meta"), "error was: %s", err);
}

static void snapshot(store *st, uint64_t index, uint64_t term, bool keep_log, const char *data)
{
    raft_write w = {.token = ++next_token, .kind = RAFT_WRITE_SNAPSHOT,
                    .hs = {.term = term, .vote = 2}, .snap = {.index = index, .term = term},
                    .snap_data = (const uint8_t *)data, .snap_len = strlen(data),
                    .keep_log = keep_log};
    cr_assert_eq(store_write(st, &w), 0);
    uint64_t tok;
    cr_assert_eq(store_sync(st, &tok), 0);
    cr_assert_eq(tok, next_token);
}

Test(store, snapshots_compact_the_log_and_survive_a_reopen)
{
    store *st = open_ok();
    append(st, 1, 10, 1);
    snapshot(st, 6, 1, true, "state-at-6");
    store_close(st);
    st = open_ok();
    cr_assert_eq(st->snap.index, 6);
    cr_assert_eq(st->snap_len, 10);
    cr_assert_arr_eq(st->snap_data, "state-at-6", 10);
    cr_assert_eq(st->base, 6);
    cr_assert_eq(store_last_index(st), 10);
    expect_entry(st, 7, 1);
    append(st, 11, 2, 1);
    snapshot(st, 20, 2, false, "installed-20"); /* InstallSnapshot: the log goes */
    store_close(st);
    st = open_ok();
    cr_assert_eq(st->snap.index, 20);
    cr_assert_eq(st->snap.term, 2);
    cr_assert_eq(st->n, 0);
    cr_assert_eq(store_last_index(st), 20);
    append(st, 21, 1, 2);
    store_close(st);
    st = open_ok();
    expect_entry(st, 21, 2);
    store_close(st);
}

Test(store, leftovers_of_an_interrupted_compaction_are_ignored)
{
    store *st = open_ok();
    append(st, 1, 5, 1);
    store_close(st);
    /* a crash after the snapshot file but before the new segment's rename */
    const char *junk[] = {"log.tmp", "snap-0000000000000005-0000000000000001"};
    for (int i = 0; i < 2; i++) {
        char path[512];
        snprintf(path, sizeof path, "%s/%s", dir, junk[i]);
        FILE *f = fopen(path, "wb");
        cr_assert_not_null(f);
        fputs("half-written", f);
        fclose(f);
    }
    st = open_ok();
    cr_assert_eq(st->snap.index, 0);
    cr_assert_eq(store_last_index(st), 5);
    store_close(st);
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, junk[1]);
    cr_assert_neq(access(path, F_OK), 0, "the orphan snapshot was removed");
}

Test(store, a_log_larger_than_a_segment_spans_segments_and_replays_in_order)
{
    store *st = open_ok();
    static uint8_t big[64 << 10];
    raft_entry e[64];
    uint64_t index = 1;
    for (int batch = 0; batch < 5; batch++) { /* 5 x 64 x 64 KiB = 20 MiB > 16 MiB */
        for (int i = 0; i < 64; i++) {
            memset(big, 'a' + (int)(index + (uint64_t)i) % 26, sizeof big);
            e[i] = (raft_entry){.term = 1, .type = RAFT_ENTRY_DATA, .len = sizeof big,
                                .data = big};
        }
        raft_write w = {.token = ++next_token, .kind = RAFT_WRITE_ENTRIES, .hs = {.term = 1},
                        .first_index = index, .entries = e, .n_entries = 64};
        cr_assert_eq(store_write(st, &w), 0);
        uint64_t tok;
        cr_assert_eq(store_sync(st, &tok), 0);
        index += 64;
    }
    cr_assert_eq(st->seg_seq, 2, "the log rolled into a second segment");
    store_close(st);
    st = open_ok();
    cr_assert_eq(store_last_index(st), 320);
    cr_assert_eq(st->seg_seq, 2);
    cr_assert_eq(st->ents[319].len, sizeof big);
    cr_assert_eq(st->stats.torn_bytes_truncated, 0);
    store_close(st);
}
