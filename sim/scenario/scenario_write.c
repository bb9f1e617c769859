/* scenario_write.c — write a plan back as a self-contained scenario file:
 * every setting explicit, chaos already drawn (spelled out as `at ... chaos`
 * actions, with `chaos-expanded` so it is not drawn again), expectations in
 * canonical form and the seed. Parsing the output gives an equivalent plan. */
#include <assert.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "../../core/msg.h"
#include "scenario_int.h"

void scn_format_duration(char *buf, size_t cap, uint64_t ns)
{
    static const struct { const char *u; uint64_t scale; } units[] = {
        { "s", 1000000000 }, { "ms", 1000000 }, { "us", 1000 }, { "ns", 1 },
    };
    snprintf(buf, cap, "0");
    for (size_t i = 0; ns && i < 4; i++)
        if (ns % units[i].scale == 0) {
            snprintf(buf, cap, "%" PRIu64 "%s", ns / units[i].scale, units[i].u);
            return;
        }
}

void scn_write_duration(FILE *out, uint64_t ns)
{
    char buf[32];
    scn_format_duration(buf, sizeof buf, ns);
    fputs(buf, out);
}

void scn_write_percent(FILE *out, uint32_t ppm)
{
    uint32_t whole = ppm / 10000, frac = ppm % 10000;
    if (frac == 0) {
        fprintf(out, "%u%%", whole);
        return;
    }
    int digits = 4;
    while (frac % 10 == 0) {
        frac /= 10;
        digits--;
    }
    fprintf(out, "%u.%0*u%%", whole, digits, frac);
}

void scn_write_size(FILE *out, uint64_t bytes)
{
    static const struct { const char *u; uint64_t scale; } units[] = {
        { "GiB", 1u << 30 }, { "MiB", 1u << 20 }, { "KiB", 1024 },
        { "GB", 1000000000 }, { "MB", 1000000 }, { "KB", 1000 },
    };
    for (size_t i = 0; bytes && i < sizeof units / sizeof *units; i++)
        if (bytes % units[i].scale == 0) {
            fprintf(out, "%" PRIu64 "%s", bytes / units[i].scale, units[i].u);
            return;
        }
    fprintf(out, "%" PRIu64, bytes);
}

void scn_write_dist(FILE *out, const sim_dist *d)
{
    static const char *names[] = { "const", "uniform", "normal", "pareto" };
    assert(d->kind <= SIM_DIST_PARETO);
    fprintf(out, "%s ", names[d->kind]);
    scn_write_duration(out, d->a_ns);
    if (d->kind != SIM_DIST_CONST) {
        fputc(' ', out);
        scn_write_duration(out, d->b_ns);
    }
}

static void write_onoff(FILE *out, const char *name, bool on)
{
    fprintf(out, "%s %s\n", name, on ? "on" : "off");
}

static void write_raft(FILE *out, const raft_config *r)
{
    fputs("election-timeout ", out);
    scn_write_duration(out, r->election_timeout_min_ns);
    fputc(' ', out);
    scn_write_duration(out, r->election_timeout_max_ns);
    fputs("\nheartbeat ", out);
    scn_write_duration(out, r->heartbeat_ns);
    fputc('\n', out);
    write_onoff(out, "heartbeat-idle-only", r->heartbeat_idle_only);
    write_onoff(out, "prevote", r->prevote);
    write_onoff(out, "checkquorum", r->check_quorum);
    if (r->stepdown_timer) /* the default is not written: older files stay as they were */
        fprintf(out, "stepdown-timer %s\n", r->stepdown_timer == 1 ? "logcabin" : "etcd");
    fprintf(out, "batch %u\npipeline %u\n", r->max_entries_per_msg, r->pipeline_window);
    fputs("inflight-bytes ", out);
    scn_write_size(out, r->max_inflight_bytes);
    fputs("\nretransmit-max ", out);
    scn_write_duration(out, r->retransmit_max_ns);
    fputc('\n', out);
    const struct { const char *name; uint32_t v; } sizes[] = {
        { "max-bytes", r->max_bytes_per_msg }, { "max-entry", r->max_entry_bytes },
        { "snapshot-chunk", r->snapshot_chunk_bytes },
    };
    for (size_t i = 0; i < 3; i++)
        if (sizes[i].v) {
            fprintf(out, "%s ", sizes[i].name);
            scn_write_size(out, sizes[i].v);
            fputc('\n', out);
        }
    if (r->snapshot_threshold)
        fprintf(out, "snapshot every %" PRIu64 " keep %" PRIu64 "\n", r->snapshot_threshold,
                r->snapshot_trailing);
    else
        fputs("snapshot off\n", out);
    for (int i = 0; i < RAFT_BUG__COUNT; i++)
        if (r->bugs >> i & 1)
            fprintf(out, "bug %s\n", raft_bug_flag(i));
}

static void write_net_disk(FILE *out, const sim_config *c)
{
    fputs("latency ", out);
    scn_write_dist(out, &c->net.latency);
    fputs("\ndrop ", out);
    scn_write_percent(out, c->net.drop_ppm);
    fputs("\nduplicate ", out);
    scn_write_percent(out, c->net.dup_ppm);
    fputs("\nreorder ", out);
    scn_write_percent(out, c->net.reorder_ppm);
    fputs(c->net.reorder_free ? " delay " : " ", out);
    if (c->net.reorder_free) /* outside FIFO order */
        scn_write_delay(out, &c->net.reorder_delay);
    else
        scn_write_duration(out, c->net.reorder_ns);
    for (uint32_t i = 0; i < c->n_msg_faults; i++) {
        fputc('\n', out);
        scn_write_msg_fault(out, &c->msg_faults[i], true);
    }
    fputs("\nbandwidth ", out);
    if (c->net.bandwidth_Bps) {
        scn_write_size(out, c->net.bandwidth_Bps);
        fputs("/s", out);
    } else {
        fputs("off", out);
    }
    fputs("\nfsync ", out);
    scn_write_dist(out, &c->disk.fsync);
    fputc('\n', out);
    write_onoff(out, "torn-writes", c->disk.torn_writes);
    if (!c->client_links_reliable) /* reliable is the language's default */
        fputs("client-links like-peers\n", out);
}

static void write_client(FILE *out, uint32_t i, const sim_client_config *c)
{
    fprintf(out, "client c%u %s", i + 1, c->kind == SIM_CLIENT_READER ? "reader" : "writer");
    if (c->kind == SIM_CLIENT_CLOSED)
        fprintf(out, " outstanding %u", c->outstanding);
    else
        fprintf(out, " rate %u/s", c->rate_per_s);
    fputs(" payload ", out);
    scn_write_size(out, c->payload_bytes);
    fputs(" timeout ", out);
    scn_write_duration(out, c->timeout_ns);
    scn_write_client_backoff(out, c);
    if (c->start_ns) {
        fputs(" from ", out);
        scn_write_duration(out, c->start_ns);
    }
    if (c->stop_ns) {
        fputs(" until ", out);
        scn_write_duration(out, c->stop_ns);
    }
    if (c->max_ops)
        fprintf(out, " ops %" PRIu64, c->max_ops);
    fputc('\n', out);
}

static void write_run(FILE *out, const sim_config *c)
{
    if (c->logbuf_max_records) {
        fprintf(out, "logbuf %" PRIu64 " records ", c->logbuf_max_records);
        scn_write_size(out, c->logbuf_max_bytes);
        fputc('\n', out);
    }
    fputs("duration ", out);
    scn_write_duration(out, c->duration_ns);
    fprintf(out, "\nmax-events %" PRIu64 "\n", c->max_events);
    if (!c->connected_liveness) {
        fputs("liveness connected-majority off\n", out);
    } else if (c->connected_within_ns) {
        fputs("liveness connected-majority within ", out);
        scn_write_duration(out, c->connected_within_ns);
        fputc('\n', out);
    }
    if (!c->liveness) {
        fputs("liveness off\n", out);
        return;
    }
    fputs("liveness heal-at ", out);
    scn_write_duration(out, c->heal_at_ns);
    fputs(" within ", out);
    scn_write_duration(out, c->converge_within_ns);
    fputc('\n', out);
}

void scn_write_chaos(FILE *out, const sim_chaos *ch);

/* `at` times never go backwards in a scenario, so write the actions sorted
 * by time, stably (actions sharing a time keep the order they were given). */
static int write_actions_in_time_order(FILE *out, const scenario *sc, const sim_action *a,
                                       size_t n)
{
    const sim_config *c = &sc->cfg;
    size_t *order = malloc((n ? n : 1) * sizeof *order);
    if (!order)
        return -1;
    for (size_t i = 0; i < n; i++) { /* insertion sort: inputs are (nearly) sorted */
        size_t j = i;
        while (j > 0 && a[order[j - 1]].at_ns > a[i].at_ns) {
            order[j] = order[j - 1];
            j--;
        }
        order[j] = i;
    }
    bool sorted = true; /* as parsed: then a repeat block may be written as one */
    for (size_t i = 0; i < n; i++)
        sorted &= order[i] == i;
    for (size_t i = 0; i < n;) {
        size_t block = sorted && a == sc->actions ? scn_write_repeat(out, sc, a, n, i) : 0;
        if (!block)
            scn_write_action(out, c, &a[order[i]]);
        i += block ? block : 1;
    }
    free(order);
    return 0;
}

int scenario_write(FILE *out, const scenario *sc, const sim_action *actions, size_t n_actions,
                   uint64_t seed, const char *header)
{
    const sim_config *c = &sc->cfg;
    for (const char *h = header; h && *h;) {
        const char *nl = strchr(h, '\n');
        int n = nl ? (int)(nl - h) : (int)strlen(h);
        fprintf(out, "# %.*s\n", n, h);
        h += n + (nl != NULL);
    }
    fprintf(out, "\nnodes %u\nprotocol %s\n", c->n_nodes,
            c->protocol == SIM_PROTO_NAIVE ? "naive" : "raft");
    write_raft(out, &c->raft);
    write_net_disk(out, c);
    write_run(out, c);
    for (uint32_t i = 0; i < c->n_clients; i++)
        write_client(out, i, &c->clients[i]);
    if (sc->chaos.on) {
        scn_write_chaos(out, &sc->chaos);
        fputs("chaos-expanded\n", out);
    }
    if (write_actions_in_time_order(out, sc, actions, n_actions) != 0)
        return -1;
    for (size_t i = 0; i < sc->n_expects; i++)
        scn_write_expectation(out, c, &sc->expects[i]);
    fprintf(out, "seed %" PRIu64 "\n", seed);
    return ferror(out) ? -1 : 0;
}
