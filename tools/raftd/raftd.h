/* raftd.h — one Raft node on a real network: the daemon's shared context.
 *
 * Layout (one job per file):
 *   main.c          start-up: flags, recovery, the node; shutdown
 *   config.c        command-line flags (the scenario language's Raft options)
 *   loop.c          the single-threaded epoll loop: timers from
 *                   raft_next_deadline() on CLOCK_MONOTONIC, dispatch, flush,
 *                   group commit (store_sync, then raft_persisted)
 *   host.c          the raft_io host interface (time, randomness, send, persist,
 *                   apply to the log buffer, snapshots, reads, events)
 *   peer.c          TCP links between nodes: hello, frames, reconnect with backoff
 *   client.c        the client service (client_proto.h): append, query, status...
 *   client_inlog.c  a retried append waits for its copy in the log (core/pending.h)
 *   store*.c        durable storage (store.h)
 *   conn.c, bytes.c, client_proto.c   framing and codecs, shared with raftctl
 *
 * Nothing here is a global: everything hangs off one `raftd`, passed around.
 * The only process-wide state is the stop flag set by SIGTERM/SIGINT.
 */
#ifndef RAFTD_H
#define RAFTD_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>

#include "../../core/logbuf.h"
#include "../../core/pending.h"
#include "../../core/raft.h"
#include "conn.h"
#include "rlog.h"
#include "store.h"

enum {
    RAFTD_PEER_FRAME_MAX = 4 << 20,   /* a Raft message (AppendEntries <= max-bytes) */
    RAFTD_PEER_OUT_MAX = 16 << 20,    /* queued bytes to one peer before dropping */
    RAFTD_CLIENT_OUT_MAX = 64 << 20,  /* queued response bytes to one client */
    RAFTD_MAX_CLIENTS = 1024,         /* client connections at once */
    RAFTD_SETTLE_ROUNDS = 64,         /* sync rounds per loop iteration (each may
                                         trigger another write, e.g. a snapshot) */
};

typedef struct raftd_config {
    raft_id id;
    uint32_t n_nodes;
    struct sockaddr_in peer_addr[RAFT_MAX_NODES + 1]; /* by id */
    struct sockaddr_in client_addr;
    const char *data_dir;
    raft_config raft;
    size_t logbuf_records, logbuf_bytes;
    bool allow_faults;
    enum rlog_level log_level;
} raftd_config;

struct raftd;

/* Something epoll watches: the event's data.ptr points at it. */
typedef struct watch {
    int fd;
    uint32_t events; /* as registered */
    void (*fn)(struct raftd *d, struct watch *w, uint32_t events);
} watch;

typedef struct peer_out { /* our link to a peer: we only write on it */
    watch w;
    conn c;
    bool connected;
    uint64_t retry_at_ns, backoff_ns;
    uint64_t dropped; /* messages dropped: link down or queue full */
} peer_out;

typedef struct peer_in { /* a peer's link to us: we only read on it */
    watch w;
    conn c;
    raft_id id; /* 0 until its hello */
    struct peer_in *next;
} peer_in;

typedef struct client_conn {
    watch w;
    conn c;
    uint64_t serial;
    struct client_conn *next;
} client_conn;

struct pending_append;
struct pending_read;
typedef struct pending_prop { /* one proposal awaiting its apply */
    uint64_t index, term;
    struct pending_append *pa;
    uint32_t k; /* record number within the request */
} pending_prop;

typedef struct raftd {
    raftd_config cfg;
    raft_node *node;
    logbuf *lb;
    store *st;
    int epfd;
    uint64_t rng;
    /* peers */
    watch peer_listen;
    peer_out out[RAFT_MAX_NODES + 1];
    peer_in *in;
    uint64_t drop_in_mask, drop_out_mask; /* FAULT test hook */
    /* clients */
    watch client_listen;
    client_conn *clients;
    size_t n_clients;
    uint64_t next_serial;
    struct pending_append *appends;
    pending_prop *props;
    size_t props_head, props_n, props_cap; /* by index; several may wait on one */
    pending_writes pend; /* client records in our log above applied (leader only) */
    struct pending_read *reads;
    uint64_t next_read_id;
    /* counters shown by STATUS */
    uint64_t snapshots_taken, snapshots_installed, appends_acked, appends_deduplicated;
    uint64_t appends_joined; /* records of a retry that waited for a copy in our log */
    uint64_t frames_malformed, persisted_token;
} raftd;

/* config.c: parse argv. 0 ok, 1 --help printed, 2 usage error (printed). */
int raftd_parse_args(int argc, char **argv, raftd_config *cfg);

/* loop.c */
uint64_t mono_ns(void);
int loop_add(raftd *d, watch *w, uint32_t events);
void loop_set(raftd *d, watch *w, uint32_t events);
void loop_del(raftd *d, watch *w);
/* Run until SIGTERM/SIGINT (returns 0) or a fatal error (exits 1). */
int loop_run(raftd *d);
void raftd_fatal(raftd *d, const char *what) __attribute__((noreturn));

/* host.c */
void host_io_init(raftd *d, raft_io *io);

/* peer.c */
int peers_start(raftd *d);
void peers_send(raftd *d, raft_id to, const uint8_t *buf, size_t len);
void peers_reconnect(raftd *d, uint64_t now, uint64_t *next_ns);
void peers_flush(raftd *d);
void peers_status(raftd *d, bbuf *out);

/* client.c */
int clients_start(raftd *d);
void clients_flush(raftd *d);
void clients_applied(raftd *d, uint64_t index, const raft_entry *e, const logbuf_result *res);
void clients_read_ready(raftd *d, uint64_t req_id, int status, uint64_t index);
void clients_answer_reads(raftd *d);
void clients_snapshot_restored(raftd *d, uint64_t index);
/* Our role is now `role` (the pending-writes table is a leader's only). */
void clients_role_changed(raftd *d, enum raft_role role);
void clients_free(raftd *d);

/* client_ops.c: status and dump text */
void status_text(raftd *d, bbuf *out);
void dump_text(raftd *d, bbuf *out);

#endif
