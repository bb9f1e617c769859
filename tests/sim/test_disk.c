/* Disk model: group commit, crash loss, torn writes, snapshots, boot. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "../../sim/world/disk.h"

static blobstore blobs;

static disk mkdisk(bool torn)
{
    disk d;
    sim_disk_params p = {.fsync = {.kind = SIM_DIST_CONST, .a_ns = 1000}, .torn_writes = torn};
    disk_init(&d, &p, 1, 1, &blobs);
    return d;
}

/* Write entries [first, first + n) of `term` with token `token`. */
static void write_entries(disk *d, uint64_t token, uint64_t first, size_t n, uint64_t term)
{
    raft_entry e[8];
    uint8_t data[8][4];
    cr_assert_leq(n, 8);
    for (size_t i = 0; i < n; i++) {
        memcpy(data[i], "abcd", 4);
        data[i][0] = (uint8_t)(first + i);
        e[i] = (raft_entry){.term = term, .type = RAFT_ENTRY_DATA, .len = 4, .data = data[i]};
    }
    raft_write w = {.token = token, .kind = RAFT_WRITE_ENTRIES, .hs = {.term = term},
                    .first_index = first, .entries = e, .n_entries = n};
    cr_assert_eq(disk_write(d, &w), 0);
}

Test(disk, one_fsync_makes_every_write_pending_at_its_start_durable_and_no_later_one)
{
    disk d = mkdisk(false);
    write_entries(&d, 1, 1, 2, 1);
    write_entries(&d, 2, 3, 1, 1);
    uint64_t lat;
    cr_assert(disk_fsync_start(&d, &lat));
    cr_assert(!disk_fsync_start(&d, &lat), "only one fsync at a time");
    write_entries(&d, 3, 4, 1, 1); /* arrives while the fsync runs */
    cr_assert_eq(disk_fsync_done(&d), 2, "tokens 1 and 2 in one group");
    cr_assert_eq(disk_last_index(&d), 3);
    cr_assert(disk_fsync_start(&d, &lat));
    cr_assert_eq(disk_fsync_done(&d), 3);
    cr_assert_eq(disk_last_index(&d), 4);
    disk_free(&d);
}

Test(disk, a_crash_loses_exactly_the_unsynced_writes_and_keeps_the_synced_ones)
{
    disk d = mkdisk(false);
    write_entries(&d, 1, 1, 3, 1);
    uint64_t lat;
    disk_fsync_start(&d, &lat);
    disk_fsync_done(&d);
    write_entries(&d, 2, 4, 2, 2);
    write_entries(&d, 3, 2, 1, 2); /* a truncation that never became durable */
    bool torn;
    cr_assert_eq(disk_crash(&d, &torn), 2);
    cr_assert(!torn);
    cr_assert_eq(disk_last_index(&d), 3);
    for (uint64_t i = 1; i <= 3; i++) {
        const disk_entry *e = disk_entry_get(&d, i);
        cr_assert_eq(e->term, 1);
        cr_assert_eq(e->data[0], i);
    }
    cr_assert_eq(d.hs.term, 1, "the hard state of lost writes is lost too");
    disk_free(&d);
}

Test(disk, a_torn_write_keeps_a_strict_nonempty_prefix_of_its_entries)
{
    for (uint64_t seed = 1; seed <= 20; seed++) {
        disk d;
        sim_disk_params p = {.fsync = {.kind = SIM_DIST_CONST, .a_ns = 1}, .torn_writes = true};
        disk_init(&d, &p, seed, 1, &blobs);
        write_entries(&d, 1, 1, 6, 3);
        write_entries(&d, 2, 7, 2, 3);
        bool torn;
        disk_crash(&d, &torn);
        cr_assert(torn);
        uint64_t last = disk_last_index(&d);
        cr_assert(last >= 1 && last <= 5, "kept %llu of 6", (unsigned long long)last);
        for (uint64_t i = 1; i <= last; i++)
            cr_assert_eq(disk_entry_get(&d, i)->data[0], i, "a prefix, in order");
        disk_free(&d);
    }
}

Test(disk, a_conflicting_write_replaces_the_log_suffix_once_durable)
{
    disk d = mkdisk(false);
    uint64_t lat;
    write_entries(&d, 1, 1, 4, 1);
    write_entries(&d, 2, 3, 1, 2);
    disk_fsync_start(&d, &lat);
    disk_fsync_done(&d);
    cr_assert_eq(disk_last_index(&d), 3);
    cr_assert_eq(disk_entry_get(&d, 3)->term, 2);
    disk_free(&d);
}

Test(disk, a_snapshot_write_drops_the_covered_prefix_and_boots_from_it)
{
    disk d = mkdisk(false);
    uint64_t lat;
    write_entries(&d, 1, 1, 5, 1);
    uint8_t snap[3] = {9, 8, 7};
    raft_write w = {.token = 2, .kind = RAFT_WRITE_SNAPSHOT, .hs = {.term = 1},
                    .snap = {.index = 3, .term = 1}, .snap_data = snap, .snap_len = 3,
                    .keep_log = true};
    disk_write(&d, &w);
    disk_fsync_start(&d, &lat);
    disk_fsync_done(&d);
    raft_boot boot;
    raft_entry *ents;
    cr_assert_eq(disk_boot(&d, &boot, &ents), 0);
    cr_assert_eq(boot.snap.index, 3);
    cr_assert_eq(boot.snap_len, 3);
    cr_assert_eq(boot.snap_data[0], 9);
    cr_assert_eq(boot.n_entries, 2, "entries 4 and 5 remain");
    cr_assert_eq(boot.entries[0].data[0], 4);
    free(ents);
    disk_free(&d);
}

Test(disk, two_disks_holding_the_same_entry_share_one_copy_of_its_bytes)
{
    blobstore bs;
    blobstore_init(&bs);
    sim_disk_params p = {.fsync = {.kind = SIM_DIST_CONST, .a_ns = 1}};
    disk a, b;
    disk_init(&a, &p, 1, 1, &bs);
    disk_init(&b, &p, 1, 2, &bs);
    uint8_t x[16] = "same bytes here", y[16] = "other bytes now";
    raft_entry e = {.term = 3, .type = RAFT_ENTRY_DATA, .len = 16, .data = x};
    raft_entry f = {.term = 3, .type = RAFT_ENTRY_DATA, .len = 16, .data = y};
    raft_write wa = {.token = 1, .first_index = 1, .entries = &e, .n_entries = 1};
    raft_write wb = {.token = 1, .first_index = 1, .entries = &e, .n_entries = 1};
    disk_write(&a, &wa);
    disk_write(&b, &wb);
    cr_assert_eq(bs.n_blobs, 1);
    cr_assert_eq(bs.bytes, 16);
    raft_write wc = {.token = 2, .first_index = 1, .entries = &f, .n_entries = 1};
    disk_write(&b, &wc); /* same (index, term), different bytes: stored apart */
    cr_assert_eq(bs.n_blobs, 2);
    disk_free(&a);
    disk_free(&b);
    cr_assert_eq(bs.n_blobs, 0, "every reference released");
    blobstore_free(&bs);
}

Test(disk, blobs_small_and_large_keep_their_bytes_reuse_freed_room_and_free_whole)
{
    blobstore bs;
    blobstore_init(&bs);
    static uint8_t big[2000];
    for (size_t i = 0; i < sizeof big; i++)
        big[i] = (uint8_t)(i * 7);
    const blob *held[300];
    for (uint64_t i = 0; i < 300; i++) { /* small ones across several chunks, some large */
        raft_entry e = {.term = 1, .type = RAFT_ENTRY_DATA, .len = (uint32_t)(i % 3 ? 40 : 1000),
                        .data = big + i};
        held[i] = blob_get(&bs, i + 1, &e);
        cr_assert_not_null(held[i]);
    }
    cr_assert_eq(bs.n_large, 100);
    for (uint64_t i = 0; i < 300; i++) {
        cr_assert_eq(held[i]->e.len, i % 3 ? 40 : 1000);
        cr_assert_eq(memcmp(held[i]->e.data, big + i, held[i]->e.len), 0);
        cr_assert_eq((uintptr_t)held[i] % 16, 0, "aligned like malloc");
    }
    const blob *freed = held[1];
    blob_put(&bs, held[1]);
    raft_entry e = {.term = 2, .type = RAFT_ENTRY_DATA, .len = 40, .data = big};
    cr_assert_eq(blob_get(&bs, 1000, &e), freed, "a freed blob's room is reused");
    cr_assert_eq(memcmp(freed->e.data, big, 40), 0);
    blob_put(&bs, held[0]); /* a large one */
    cr_assert_eq(bs.n_large, 99);
    blobstore_free(&bs); /* with references still held: frees them all */
    cr_assert_eq(bs.n_blobs, 0);
    cr_assert_null(bs.chunks);
}

Test(disk, a_disk_that_forgets_its_blobs_frees_without_touching_the_store)
{
    blobstore bs;
    blobstore_init(&bs);
    sim_disk_params p = {.fsync = {.kind = SIM_DIST_CONST, .a_ns = 1}};
    disk a;
    disk_init(&a, &p, 1, 1, &bs);
    uint8_t x[8] = "payload";
    raft_entry e = {.term = 1, .type = RAFT_ENTRY_DATA, .len = 8, .data = x};
    raft_write w1 = {.token = 1, .first_index = 1, .entries = &e, .n_entries = 1};
    raft_write w2 = {.token = 2, .first_index = 2, .entries = &e, .n_entries = 1};
    disk_write(&a, &w1);
    uint64_t lat;
    cr_assert(disk_fsync_start(&a, &lat));
    disk_fsync_done(&a);
    disk_write(&a, &w2); /* one durable, one pending */
    cr_assert_eq(bs.n_blobs, 2);
    disk_forget_blobs(&a);
    disk_free(&a);
    cr_assert_eq(bs.n_blobs, 2, "the store still holds them");
    blobstore_free(&bs);
}

static int derived;
static uint64_t derive_len(const blob_entry *e)
{
    derived++;
    return e->len + 1;
}

Test(disk, a_blob_memo_is_derived_once_for_every_disk_holding_the_entry)
{
    blobstore bs;
    blobstore_init(&bs);
    uint8_t x[5] = "abcd";
    raft_entry e = {.term = 1, .type = RAFT_ENTRY_DATA, .len = 5, .data = x};
    const blob *a = blob_get(&bs, 7, &e), *b = blob_get(&bs, 7, &e);
    cr_assert_eq(a, b);
    derived = 0;
    cr_assert_eq(blob_memo(a, derive_len), 6);
    cr_assert_eq(blob_memo(b, derive_len), 6);
    cr_assert_eq(derived, 1);
    blob_put(&bs, a);
    blob_put(&bs, b);
    blobstore_free(&bs);
}

Test(disk, writes_queued_behind_a_running_fsync_stay_in_order_over_many_rounds)
{
    /* Each round one fsync covers some writes while more arrive behind it:
     * the queue's head moves, and the arrays slide down or grow as they fill. */
    disk d = mkdisk(false);
    uint64_t token = 0, next = 1, lat;
    for (int round = 0; round < 500; round++) {
        size_t writes = 1 + (size_t)round % 4;
        for (size_t w = 0; w < writes; w++) {
            size_t n = (size_t)(round + w) % 3; /* 0: a pure hard-state write */
            if (n) {
                write_entries(&d, ++token, next, n, 1);
                next += n;
            } else {
                raft_write hs = {.token = ++token, .kind = RAFT_WRITE_ENTRIES,
                                 .hs = {.term = 1}};
                cr_assert_eq(disk_write(&d, &hs), 0);
            }
        }
        if (round % 3 != 2) {
            if (d.fsync_covers)
                disk_fsync_done(&d);
            disk_fsync_start(&d, &lat);
        }
    }
    while (d.fsync_covers || d.pend_n) {
        if (d.fsync_covers)
            disk_fsync_done(&d);
        disk_fsync_start(&d, &lat);
    }
    cr_assert_eq(disk_last_index(&d), next - 1);
    for (uint64_t i = 1; i < next; i++)
        cr_assert_eq(disk_entry_get(&d, i)->data[0], (uint8_t)i, "entry %llu",
                     (unsigned long long)i);
    cr_assert_eq(d.durable_token, token);
    disk_free(&d);
}
