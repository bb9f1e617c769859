/* mkcorpus.c — writes the seed corpora of the fuzz targets:
 *   corpus/msg/<Type>.bin      one valid encoding of every message type
 *   corpus/logbuf/<name>.bin   valid log-buffer snapshots, and one apply-mode
 *                              script (see fuzz_logbuf.c)
 * Usage: mkcorpus DIR   (normally tests/fuzz/corpus; `make fuzz-corpus`). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../core/logbuf.h"
#include "../../core/msg.h"

static void write_file(const char *dir, const char *sub, const char *name, const uint8_t *buf,
                       size_t len)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s/%s.bin", dir, sub, name);
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(buf, 1, len, f) != len || fclose(f) != 0) {
        fprintf(stderr, "mkcorpus: cannot write %s\n", path);
        exit(1);
    }
}

static const uint8_t payload[] = "seed payload";
static const raft_entry entries[] = {
    {.term = 2, .type = RAFT_ENTRY_NOOP},
    {.term = 3, .type = RAFT_ENTRY_DATA, .len = sizeof payload, .data = payload},
};

static raft_msg sample(int type)
{
    raft_msg m = {.type = (uint8_t)type, .from = 2, .term = 3};
    switch (type) {
    case RAFT_MSG_REQUEST_VOTE: m.rv.last_index = 10, m.rv.last_term = 2, m.rv.prevote = 1; break;
    case RAFT_MSG_REQUEST_VOTE_RESP: m.rvr.granted = true; break;
    case RAFT_MSG_APPEND_ENTRIES:
        m.ae.prev_index = 9, m.ae.prev_term = 2, m.ae.leader_commit = 8, m.ae.seq = 5;
        m.ae.n_entries = 2, m.ae.entries = entries;
        break;
    case RAFT_MSG_APPEND_ENTRIES_RESP: m.aer.success = true, m.aer.match_index = 11; break;
    case RAFT_MSG_INSTALL_SNAPSHOT:
        m.is.last_index = 50, m.is.last_term = 3, m.is.total_len = sizeof payload;
        m.is.done = true, m.is.len = sizeof payload, m.is.data = payload;
        break;
    case RAFT_MSG_INSTALL_SNAPSHOT_RESP: m.isr.last_index = 50, m.isr.done = true; break;
    case RAFT_MSG_CLIENT_APPEND:
        m.capp.client_id = 100, m.capp.seq = 1, m.capp.len = sizeof payload;
        m.capp.data = payload;
        break;
    case RAFT_MSG_CLIENT_APPEND_RESP: m.cappr.client_id = 100, m.cappr.index = 12; break;
    case RAFT_MSG_CLIENT_READ: m.cread.client_id = 100, m.cread.last_n = 3; break;
    case RAFT_MSG_CLIENT_READ_RESP: m.creadr.client_id = 100, m.creadr.digest = 77; break;
    default: break;
    }
    return m;
}

static void write_messages(const char *dir)
{
    for (int t = 1; t < RAFT_MSG__END; t++) {
        raft_msg m = sample(t);
        uint8_t buf[256];
        size_t n = raft_msg_encode(&m, buf, sizeof buf);
        if (n == 0) {
            fprintf(stderr, "mkcorpus: cannot encode %s\n", raft_msg_type_name(t));
            exit(1);
        }
        write_file(dir, "msg", raft_msg_type_name(t), buf, n);
    }
}

static void write_snapshot(const char *dir, const char *name, const logbuf *lb)
{
    size_t n = logbuf_snapshot_size(lb);
    uint8_t *buf = malloc(n);
    if (!buf || logbuf_snapshot_write(lb, buf, n) != n) {
        fprintf(stderr, "mkcorpus: cannot snapshot %s\n", name);
        exit(1);
    }
    write_file(dir, "logbuf", name, buf, n);
    free(buf);
}

static void write_snapshots(const char *dir)
{
    logbuf *lb = logbuf_new(64, 4096);
    if (!lb)
        exit(1);
    write_snapshot(dir, "empty", lb);
    for (uint64_t i = 1; i <= 12; i++) {
        uint8_t cmd[64];
        size_t n = logbuf_cmd_encode(cmd, sizeof cmd, 1 + i % 3, i / 2, 1000 * (i % 5), "rec",
                                     (uint32_t)(i % 4));
        if (i % 5 == 0 ? logbuf_apply_noop(lb, i) : logbuf_apply(lb, i, cmd, n, NULL))
            exit(1);
    }
    logbuf_note_commit(lb, 12);
    write_snapshot(dir, "twelve", lb);
    logbuf_free(lb);
}

/* 'A', bounds choice, then ops (u8 op | u8 client | u8 seq | u8 len | len
 * bytes): data, a no-op, a duplicate, a garbled command, enough to evict;
 * then `extra` more 30-byte records (enough to make the ring grow). */
static void write_apply_script(const char *dir, const char *name, uint8_t bounds, int extra)
{
    uint8_t buf[4096];
    size_t n = 0;
    buf[n++] = 'A';
    buf[n++] = bounds;
    const uint8_t ops[][4] = {{0, 1, 1, 10}, {1, 0, 0, 0},  {0, 1, 1, 10}, {2, 2, 1, 5},
                              {0, 2, 2, 90}, {0, 3, 1, 90}, {0, 1, 2, 40}, {0, 1, 3, 0}};
    for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++) {
        memcpy(buf + n, ops[i], 4);
        n += 4;
        memset(buf + n, 'a' + (int)i, ops[i][3]);
        n += ops[i][3];
    }
    for (int i = 0; i < extra && n + 34 <= sizeof buf; i++) {
        const uint8_t op[4] = {0, (uint8_t)(4 + i % 7), (uint8_t)(10 + i), 30};
        memcpy(buf + n, op, 4);
        memset(buf + n + 4, 'A' + i % 26, 30);
        n += 34;
    }
    write_file(dir, "logbuf", name, buf, n);
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: mkcorpus DIR\n");
        return 2;
    }
    write_messages(argv[1]);
    write_snapshots(argv[1]);
    write_apply_script(argv[1], "apply-small", 0, 0);
    write_apply_script(argv[1], "apply-growing", 1, 90);
    return 0;
}
