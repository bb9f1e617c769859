/* main.c — raftd: start-up (flags, recovery of the data directory, the log
 * buffer restored from the snapshot, the node), the loop, and shutdown. */
#include <stdio.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "raftd.h"

static int boot_node(raftd *d)
{
    char err[STORE_ERR_CAP];
    d->st = store_open(d->cfg.data_dir, err, sizeof err);
    if (!d->st) {
        LOG_ERROR("storage: %s", err);
        return -1;
    }
    d->lb = logbuf_new(d->cfg.logbuf_records, d->cfg.logbuf_bytes);
    if (!d->lb)
        return -1;
    raft_boot boot;
    raft_entry *ents;
    if (store_boot(d->st, &boot, &ents) != 0)
        return -1;
    /* the host restores its own state machine before raft_new (core/raft.h) */
    if (boot.snap_len && logbuf_restore(d->lb, boot.snap_data, boot.snap_len) != 0) {
        LOG_ERROR("storage: the snapshot at %llu does not decode",
                  (unsigned long long)boot.snap.index);
        free(ents);
        return -1;
    }
    raft_io io;
    host_io_init(d, &io);
    d->node = raft_new(&d->cfg.raft, &io, &boot);
    free(ents);
    if (!d->node) {
        LOG_ERROR("raft_new failed (bad configuration or out of memory)");
        return -1;
    }
    return 0;
}

int main(int argc, char **argv)
{
    static raftd d; /* large (peer table): not on the stack */
    int rc = raftd_parse_args(argc, argv, &d.cfg);
    if (rc)
        return rc == 1 ? 0 : rc;
    rlog_init(d.cfg.id, d.cfg.log_level);
    pending_init(&d.pend);
    d.epfd = epoll_create1(EPOLL_CLOEXEC);
    if (d.epfd < 0) {
        perror("raftd: epoll_create1");
        return 1;
    }
    LOG_INFO("raftd n%u of %u starting, data in %s", d.cfg.id, d.cfg.n_nodes, d.cfg.data_dir);
    if (boot_node(&d) != 0 || peers_start(&d) != 0 || clients_start(&d) != 0) {
        LOG_ERROR("start-up failed");
        return 1;
    }
    rc = loop_run(&d);
    clients_free(&d);
    raft_free(d.node);
    logbuf_free(d.lb);
    store_close(d.st);
    LOG_INFO("stopped");
    return rc;
}
