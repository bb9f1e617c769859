/* proto.h — a replication protocol behind the host interface.
 *
 * The simulator hosts nodes through this table of operations, so the real
 * Raft node and a deliberately naive baseline (leader sends each record to
 * every replica; no terms, votes or commit rule) run under the same network,
 * disks, clients and checker. Every operation has the meaning of the
 * raft_* function of the same name in raft.h. */
#ifndef RAFT_PROTO_H
#define RAFT_PROTO_H

#include "raft.h"

typedef struct proto_ops {
    const char *name;
    void *(*create)(const raft_config *cfg, const raft_io *io, const raft_boot *boot);
    void (*destroy)(void *node);
    int (*receive)(void *node, raft_id from, const uint8_t *buf, size_t len);
    void (*tick)(void *node);
    uint64_t (*next_deadline)(const void *node);
    void (*persisted)(void *node, uint64_t token);
    int (*propose)(void *node, const void *data, size_t len, uint64_t *index, uint64_t *term);
    int (*read_index)(void *node, uint64_t req_id);
    int (*transfer)(void *node, raft_id target);
    void (*get_status)(const void *node, raft_status *out);
    size_t (*dump)(const void *node, char *buf, size_t cap);
    bool (*entry_at)(const void *node, uint64_t index, raft_entry *out);
} proto_ops;

extern const proto_ops raft_proto_ops;  /* core/proto.c */
extern const proto_ops naive_proto_ops; /* core/naive.c */

#endif
