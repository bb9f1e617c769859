/* proto.c — the Raft node as a proto_ops table (see proto.h). */
#include "proto.h"

static void *raft_op_create(const raft_config *cfg, const raft_io *io, const raft_boot *boot)
{
    return raft_new(cfg, io, boot);
}
static void raft_op_destroy(void *n) { raft_free(n); }
static int raft_op_receive(void *n, raft_id from, const uint8_t *buf, size_t len)
{
    return raft_receive(n, from, buf, len);
}
static void raft_op_tick(void *n) { raft_tick(n); }
static uint64_t raft_op_next_deadline(const void *n) { return raft_next_deadline(n); }
static void raft_op_persisted(void *n, uint64_t token) { raft_persisted(n, token); }
static int raft_op_propose(void *n, const void *data, size_t len, uint64_t *index,
                           uint64_t *term)
{
    return raft_propose(n, data, len, index, term);
}
static int raft_op_read_index(void *n, uint64_t req_id) { return raft_read_index(n, req_id); }
static int raft_op_transfer(void *n, raft_id target) { return raft_transfer(n, target); }
static void raft_op_get_status(const void *n, raft_status *out) { raft_get_status(n, out); }
static size_t raft_op_dump(const void *n, char *buf, size_t cap) { return raft_dump(n, buf, cap); }
static bool raft_op_entry_at(const void *n, uint64_t index, raft_entry *out)
{
    return raft_entry_at(n, index, out);
}

const proto_ops raft_proto_ops = {
    .name = "raft",
    .create = raft_op_create,
    .destroy = raft_op_destroy,
    .receive = raft_op_receive,
    .tick = raft_op_tick,
    .next_deadline = raft_op_next_deadline,
    .persisted = raft_op_persisted,
    .propose = raft_op_propose,
    .read_index = raft_op_read_index,
    .transfer = raft_op_transfer,
    .get_status = raft_op_get_status,
    .dump = raft_op_dump,
    .entry_at = raft_op_entry_at,
};
