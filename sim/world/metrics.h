/* metrics.h — run metrics: exact latency percentiles (every sample kept as an
 * integer), throughput per 100 ms bucket, leader-change downtime, messages
 * and bytes by type and node.
 *
 * CSV (sim_write_metrics_csv): a header line, then one row per value, long
 * format, columns
 *     section,name,node,x,value
 *   section     name                 node        x                 value
 *   latency     ack|commit           (empty)     p50|p90|p99|p999|max|count|mean   ns or count
 *   latency_hist ack|commit          (empty)     bucket upper bound, ns (powers of 2)  samples
 *   throughput  commits|acks         (empty)     bucket start, ms (100 ms buckets) count
 *   downtime    heartbeat|crash      (empty)     sample number     ns
 *   messages    type name|all        node id|all sent              count
 *   bytes       type name|all        node id|all sent              bytes
 *   counter     dropped|duplicated|client-retries|client-failed|events|leader-changes|elections
 *                                    (empty)     total             count
 * "ack" latency is client invoke -> acknowledgement received (retries
 * included); "commit" is leader propose -> the leader applies the entry.
 * "heartbeat" downtime is the old leader's last AppendEntries -> the new
 * leader's first; "crash" is a leader's crash -> the next leader's first.
 */
#ifndef SIM_METRICS_H
#define SIM_METRICS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "../../core/raft.h"
#include "sim.h"

#define METRICS_BUCKET_NS (100 * SIM_NS_PER_MS)

typedef struct u64vec {
    uint64_t *v;
    size_t n, cap;
    bool sorted;
} u64vec;

int u64vec_push(u64vec *vec, uint64_t x);
void u64vec_free(u64vec *vec);
/* Nearest-rank percentile, per_mille in 1..1000 (999 = p99.9). Sorts lazily.
 * Returns 0 for an empty vector. */
uint64_t u64vec_percentile(u64vec *vec, unsigned per_mille);
/* Add `by` to bucket `i`, growing as needed. */
int u64vec_bump(u64vec *vec, size_t i, uint64_t by);

typedef struct metrics {
    u64vec lat_ack, lat_commit;
    u64vec downtime_hb, downtime_crash;
    u64vec tput_commits, tput_acks;
    uint64_t msgs_type[RAFT_MSG_TYPE_SLOTS], bytes_type[RAFT_MSG_TYPE_SLOTS];
    uint64_t msgs_node[SIM_MAX_ENDPOINTS + 1], bytes_node[SIM_MAX_ENDPOINTS + 1];
    /* msgs_total and bytes_total not adjacent: a send's two increments
     * were paired through a vector register (more instructions) */
    uint64_t msgs_total, dropped, bytes_total;
    uint64_t duplicated, retries;
    uint64_t client_failed; /* client ops that failed for good (too big) */
    uint64_t elections, leader_changes;
    /* leader-change downtime bookkeeping */
    raft_id hb_leader;          /* node whose heartbeats we saw last */
    uint64_t hb_leader_term;
    uint64_t hb_last_ns;        /* its last AppendEntries */
    uint64_t crash_ns;          /* a leader crashed at (0 = none pending) */
} metrics;

void metrics_init(metrics *m);
void metrics_free(metrics *m);
void metrics_sent(metrics *m, sim_ep from, uint8_t type, size_t len);
/* A leader sent an AppendEntries at now (a heartbeat or replication). */
void metrics_leader_ae(metrics *m, raft_id leader, uint64_t term, uint64_t now_ns);
/* metrics_leader_ae's usual case, inline: if `leader` of `term` is the
 * leader the metrics know, record its AppendEntries at now and return true;
 * otherwise change nothing and return false (call metrics_leader_ae). */
static inline bool metrics_leader_ae_known(metrics *m, raft_id leader, uint64_t term,
                                           uint64_t now_ns)
{
    if (leader != m->hb_leader || term != m->hb_leader_term)
        return false;
    m->hb_last_ns = now_ns;
    return true;
}
void metrics_leader_crashed(metrics *m, uint64_t now_ns);
int metrics_write_csv(metrics *m, FILE *out, uint64_t events);

#endif
