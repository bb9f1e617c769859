/* metrics.c — histograms, throughput, downtime, message counts (see metrics.h). */
#include "metrics.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "../../core/msg.h"

int u64vec_push(u64vec *vec, uint64_t x)
{
    if (vec->n == vec->cap) {
        size_t cap = vec->cap ? vec->cap * 2 : 256;
        uint64_t *p = realloc(vec->v, cap * sizeof *p);
        if (!p)
            return -1;
        vec->v = p;
        vec->cap = cap;
    }
    vec->v[vec->n++] = x;
    vec->sorted = false;
    return 0;
}

void u64vec_free(u64vec *vec)
{
    free(vec->v);
    memset(vec, 0, sizeof *vec);
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

/* Sort v[0..n) ascending. A least-significant-byte-first radix sort: one
 * pass counts every byte position, then one stable pass per byte, skipping
 * bytes every value shares (the high bytes of latencies); a fraction of
 * qsort's cost, whose compare is a call. Sorted integers are the same
 * array however they were sorted. qsort if the buffer cannot be had. */
static void sort_u64(uint64_t *v, size_t n)
{
    typedef size_t byte_counts[256];
    byte_counts *count = calloc(8, sizeof *count); /* 16 KiB: not on the stack */
    uint64_t *tmp = count ? malloc(n * sizeof *tmp) : NULL;
    if (!tmp) {
        free(count);
        qsort(v, n, sizeof *v, cmp_u64);
        return;
    }
    for (size_t i = 0; i < n; i++)
        for (unsigned b = 0; b < 8; b++)
            count[b][(v[i] >> (8 * b)) & 0xff]++;
    uint64_t *src = v, *dst = tmp;
    for (unsigned b = 0; b < 8; b++) {
        size_t *c = count[b];
        if (c[(v[0] >> (8 * b)) & 0xff] == n)
            continue; /* every value has this byte: the order stays */
        size_t at = 0;
        for (unsigned d = 0; d < 256; d++) { /* counts become start offsets */
            size_t k = c[d];
            c[d] = at;
            at += k;
        }
        for (size_t i = 0; i < n; i++)
            dst[c[(src[i] >> (8 * b)) & 0xff]++] = src[i];
        uint64_t *t = src;
        src = dst;
        dst = t;
    }
    if (src != v)
        memcpy(v, src, n * sizeof *v);
    free(tmp);
    free(count);
}

uint64_t u64vec_percentile(u64vec *vec, unsigned per_mille)
{
    assert(per_mille >= 1 && per_mille <= 1000);
    if (vec->n == 0)
        return 0;
    if (!vec->sorted) {
        sort_u64(vec->v, vec->n);
        vec->sorted = true;
    }
    size_t rank = (vec->n * per_mille + 999) / 1000; /* nearest rank, 1-based */
    return vec->v[rank ? rank - 1 : 0];
}

int u64vec_bump(u64vec *vec, size_t i, uint64_t by)
{
    while (vec->n <= i)
        if (u64vec_push(vec, 0) != 0)
            return -1;
    vec->v[i] += by;
    return 0;
}

void metrics_init(metrics *m) { memset(m, 0, sizeof *m); }

void metrics_free(metrics *m)
{
    u64vec_free(&m->lat_ack);
    u64vec_free(&m->lat_commit);
    u64vec_free(&m->downtime_hb);
    u64vec_free(&m->downtime_crash);
    u64vec_free(&m->tput_commits);
    u64vec_free(&m->tput_acks);
}

void metrics_sent(metrics *m, sim_ep from, uint8_t type, size_t len)
{
    assert(from <= SIM_MAX_ENDPOINTS);
    if (type < RAFT_MSG_TYPE_SLOTS) {
        m->msgs_type[type]++;
        m->bytes_type[type] += len;
    }
    m->msgs_node[from]++;
    m->bytes_node[from] += len;
    m->msgs_total++;
    m->bytes_total += len;
}

void metrics_leader_ae(metrics *m, raft_id leader, uint64_t term, uint64_t now_ns)
{
    if (metrics_leader_ae_known(m, leader, term, now_ns))
        return;
    if (term < m->hb_leader_term)
        return; /* a deposed leader still talking: not a change */
    if (m->hb_leader)
        u64vec_push(&m->downtime_hb, now_ns - m->hb_last_ns);
    if (m->crash_ns)
        u64vec_push(&m->downtime_crash, now_ns - m->crash_ns);
    m->crash_ns = 0;
    m->hb_leader = leader;
    m->hb_leader_term = term;
    m->hb_last_ns = now_ns;
}

void metrics_leader_crashed(metrics *m, uint64_t now_ns)
{
    if (!m->crash_ns)
        m->crash_ns = now_ns;
}

static void csv_latency(metrics *m, FILE *out, const char *name, u64vec *vec)
{
    static const unsigned pm[] = {500, 900, 990, 999, 1000};
    static const char *const label[] = {"p50", "p90", "p99", "p999", "max"};
    for (int i = 0; i < 5; i++)
        fprintf(out, "latency,%s,,%s,%llu\n", name, label[i],
                (unsigned long long)u64vec_percentile(vec, pm[i]));
    unsigned long long sum = 0;
    for (size_t i = 0; i < vec->n; i++)
        sum += vec->v[i];
    fprintf(out, "latency,%s,,count,%zu\n", name, vec->n);
    fprintf(out, "latency,%s,,mean,%llu\n", name, vec->n ? sum / vec->n : 0);
    /* power-of-two histogram (vec is sorted now) */
    size_t i = 0;
    for (int b = 0; b < 64 && i < vec->n; b++) {
        uint64_t upper = b == 63 ? UINT64_MAX : (UINT64_C(1) << (b + 1)) - 1;
        size_t count = 0;
        while (i < vec->n && vec->v[i] <= upper) {
            count++;
            i++;
        }
        if (count)
            fprintf(out, "latency_hist,%s,,%llu,%zu\n", name, (unsigned long long)upper,
                    count);
    }
    (void)m;
}

static void csv_series(FILE *out, const char *sec, const char *name, const u64vec *v,
                       uint64_t x_scale)
{
    for (size_t i = 0; i < v->n; i++)
        fprintf(out, "%s,%s,,%llu,%llu\n", sec, name, (unsigned long long)(i * x_scale),
                (unsigned long long)v->v[i]);
}

static void csv_messages(metrics *m, FILE *out)
{
    for (int t = 1; t < RAFT_MSG_TYPE_SLOTS; t++) {
        if (!m->msgs_type[t])
            continue;
        const char *name = raft_msg_type_name(t);
        fprintf(out, "messages,%s,all,sent,%llu\n", name, (unsigned long long)m->msgs_type[t]);
        fprintf(out, "bytes,%s,all,sent,%llu\n", name, (unsigned long long)m->bytes_type[t]);
    }
    for (int n = 1; n <= SIM_MAX_ENDPOINTS; n++) {
        if (!m->msgs_node[n])
            continue;
        fprintf(out, "messages,all,%d,sent,%llu\n", n, (unsigned long long)m->msgs_node[n]);
        fprintf(out, "bytes,all,%d,sent,%llu\n", n, (unsigned long long)m->bytes_node[n]);
    }
    fprintf(out, "messages,all,all,sent,%llu\n", (unsigned long long)m->msgs_total);
    fprintf(out, "bytes,all,all,sent,%llu\n", (unsigned long long)m->bytes_total);
}

int metrics_write_csv(metrics *m, FILE *out, uint64_t events)
{
    fprintf(out, "section,name,node,x,value\n");
    csv_latency(m, out, "ack", &m->lat_ack);
    csv_latency(m, out, "commit", &m->lat_commit);
    csv_series(out, "throughput", "commits", &m->tput_commits, METRICS_BUCKET_NS / SIM_NS_PER_MS);
    csv_series(out, "throughput", "acks", &m->tput_acks, METRICS_BUCKET_NS / SIM_NS_PER_MS);
    csv_series(out, "downtime", "heartbeat", &m->downtime_hb, 1);
    csv_series(out, "downtime", "crash", &m->downtime_crash, 1);
    csv_messages(m, out);
    const struct { const char *name; uint64_t v; } counters[] = {
        {"dropped", m->dropped}, {"duplicated", m->duplicated},
        {"client-retries", m->retries}, {"client-failed", m->client_failed}, {"events", events},
        {"leader-changes", m->leader_changes}, {"elections", m->elections},
    };
    for (size_t i = 0; i < sizeof counters / sizeof counters[0]; i++)
        fprintf(out, "counter,%s,,total,%llu\n", counters[i].name,
                (unsigned long long)counters[i].v);
    return ferror(out) ? -1 : 0;
}

/* ---- message groups: `messages.append.requests` and the like ---- */

#define T(x) (UINT32_C(1) << RAFT_MSG_##x)
static const struct {
    const char *name;
    uint32_t types;
} msg_groups[] = {
    { "vote", T(REQUEST_VOTE) | T(REQUEST_VOTE_RESP) },
    { "vote.requests", T(REQUEST_VOTE) },
    { "vote.replies", T(REQUEST_VOTE_RESP) },
    { "append", T(APPEND_ENTRIES) | T(APPEND_ENTRIES_RESP) },
    { "append.requests", T(APPEND_ENTRIES) },
    { "append.replies", T(APPEND_ENTRIES_RESP) },
    { "snapshot", T(INSTALL_SNAPSHOT) | T(INSTALL_SNAPSHOT_RESP) },
    { "snapshot.requests", T(INSTALL_SNAPSHOT) },
    { "snapshot.replies", T(INSTALL_SNAPSHOT_RESP) },
    { "timeout-now", T(TIMEOUT_NOW) },
    { "raft", T(REQUEST_VOTE) | T(REQUEST_VOTE_RESP) | T(APPEND_ENTRIES) |
              T(APPEND_ENTRIES_RESP) | T(INSTALL_SNAPSHOT) | T(INSTALL_SNAPSHOT_RESP) |
              T(TIMEOUT_NOW) },
    { "raft.requests", T(REQUEST_VOTE) | T(APPEND_ENTRIES) | T(INSTALL_SNAPSHOT) |
                       T(TIMEOUT_NOW) },
    { "raft.replies", T(REQUEST_VOTE_RESP) | T(APPEND_ENTRIES_RESP) | T(INSTALL_SNAPSHOT_RESP) },
    { "client", T(CLIENT_APPEND) | T(CLIENT_APPEND_RESP) | T(CLIENT_READ) | T(CLIENT_READ_RESP) },
    { "client.requests", T(CLIENT_APPEND) | T(CLIENT_READ) },
    { "client.replies", T(CLIENT_APPEND_RESP) | T(CLIENT_READ_RESP) },
    { "requests", T(REQUEST_VOTE) | T(APPEND_ENTRIES) | T(INSTALL_SNAPSHOT) | T(TIMEOUT_NOW) |
                  T(CLIENT_APPEND) | T(CLIENT_READ) },
    { "replies", T(REQUEST_VOTE_RESP) | T(APPEND_ENTRIES_RESP) | T(INSTALL_SNAPSHOT_RESP) |
                 T(CLIENT_APPEND_RESP) | T(CLIENT_READ_RESP) },
};
#undef T
_Static_assert(RAFT_MSG__END <= 32, "message groups are 32-bit type masks");

#define N_MSG_GROUPS ((int)(sizeof msg_groups / sizeof *msg_groups))

const char *sim_msg_group_name(int group)
{
    return group >= 0 && group < N_MSG_GROUPS ? msg_groups[group].name : NULL;
}

int sim_msg_group_from_name(const char *name)
{
    for (int g = 0; g < N_MSG_GROUPS; g++)
        if (strcmp(msg_groups[g].name, name) == 0)
            return g;
    return -1;
}

uint32_t sim_msg_group_types(int group)
{
    return group >= 0 && group < N_MSG_GROUPS ? msg_groups[group].types : 0;
}
