/* config.c — raftd's command line. The Raft options carry the names of the
 * scenario language's settings (election-timeout, heartbeat, prevote,
 * checkquorum, batch, max-bytes, max-entry, pipeline, snapshot,
 * snapshot-chunk, logbuf), so a simulated configuration and a real one read
 * alike. Usage errors: a message on stderr and exit status 2. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client_proto.h"
#include "raftd.h"

static const char USAGE[] =
    "usage: raftd --id N --peers 1=HOST:PORT,2=HOST:PORT,... --client HOST:PORT --data DIR\n"
    "             [options]\n"
    "\n"
    "One node of a Raft-replicated log server. Peers talk to each other over TCP\n"
    "(the --peers addresses); clients (raftctl) use the --client address. The node\n"
    "keeps its term, vote, log and snapshots in DIR and recovers them at start-up.\n"
    "\n"
    "Raft options (names as in the scenario language; defaults in brackets):\n"
    "  --election-timeout MIN,MAX  election timeout range [150ms,300ms]\n"
    "  --heartbeat T               heartbeat interval [50ms]\n"
    "  --heartbeat-idle-only on|off  heartbeats only to idle followers [off]\n"
    "  --prevote on|off            pre-vote, thesis 9.6 [on]\n"
    "  --checkquorum on|off        leader steps down without a majority, thesis 6.2 [on]\n"
    "  --batch N                   entries per AppendEntries [64]\n"
    "  --max-bytes SIZE            payload bytes per AppendEntries [64KiB]\n"
    "  --max-entry SIZE            largest entry [64KiB + 28: a client record]\n"
    "  --pipeline N                AppendEntries in flight per follower [4]\n"
    "  --snapshot-every N          snapshot after N applied entries, 0 = never [10000]\n"
    "  --snapshot-keep N           entries kept behind a snapshot [1000]\n"
    "  --snapshot-chunk SIZE       InstallSnapshot chunk [16KiB]\n"
    "  --logbuf-records N          records the log buffer holds [1000000]\n"
    "  --logbuf-bytes SIZE         payload bytes it holds [256MiB]\n"
    "Other options:\n"
    "  --allow-faults              accept raftctl's fault requests (tests only)\n"
    "  --log-level debug|info|warn log detail on stderr [info]\n"
    "  --help                      this text\n"
    "Times take ns, us, ms or s (a bare number is ms); sizes take KiB or MiB.\n"
    "Exit status: 0 after SIGTERM/SIGINT, 1 on a fatal error (storage damaged,\n"
    "address in use), 2 on a usage error.\n";

static int usage_error(const char *fmt, const char *arg)
{
    fprintf(stderr, "raftd: error: ");
    fprintf(stderr, fmt, arg);
    fprintf(stderr, "\n(raftd --help for usage)\n");
    return 2;
}

static bool parse_u64(const char *s, uint64_t *out, const char *const *units,
                      const uint64_t *scale, uint64_t bare)
{
    char *end;
    if (!*s || *s == '-')
        return false;
    unsigned long long v = strtoull(s, &end, 10);
    uint64_t mul = *end ? 0 : bare;
    for (int i = 0; units[i] && !mul; i++)
        if (strcmp(end, units[i]) == 0)
            mul = scale[i];
    if (!mul || v > UINT64_MAX / mul)
        return false;
    *out = v * mul;
    return true;
}

static bool parse_time(const char *s, uint64_t *ns)
{
    static const char *const u[] = {"ns", "us", "ms", "s", NULL};
    static const uint64_t k[] = {1, 1000, 1000000, 1000000000};
    return parse_u64(s, ns, u, k, 1000000) && *ns > 0;
}

static bool parse_size(const char *s, uint64_t *v)
{
    static const char *const u[] = {"B", "KiB", "MiB", NULL};
    static const uint64_t k[] = {1, 1024, 1024 * 1024};
    return parse_u64(s, v, u, k, 1);
}

static bool parse_onoff(const char *s, bool *v)
{
    if (strcmp(s, "on") && strcmp(s, "off"))
        return false;
    *v = strcmp(s, "on") == 0;
    return true;
}

static int parse_peers(char *list, raftd_config *cfg)
{
    for (char *tok = strtok(list, ","); tok; tok = strtok(NULL, ",")) {
        char *eq = strchr(tok, '=');
        long id = eq ? strtol(tok, NULL, 10) : 0;
        if (!eq || id < 1 || id > (long)RAFT_MAX_NODES)
            return usage_error("bad peer '%s' (want ID=HOST:PORT)", tok);
        if (cfg->peer_addr[id].sin_family)
            return usage_error("peer %s given twice", tok);
        if (net_parse_addr(eq + 1, &cfg->peer_addr[id]) != 0)
            return usage_error("bad peer address '%s'", eq + 1);
        if ((uint32_t)id > cfg->n_nodes)
            cfg->n_nodes = (uint32_t)id;
    }
    for (uint32_t id = 1; id <= cfg->n_nodes; id++)
        if (!cfg->peer_addr[id].sin_family)
            return usage_error("%s", "--peers must list every id from 1 to the largest");
    return 0;
}

/* One option with a value. 0, or the exit status of a usage error. */
static int option(raftd_config *cfg, const char *name, char *val)
{
    raft_config *r = &cfg->raft;
    uint64_t v = 0;
    bool ok = true;
    if (!strcmp(name, "--id")) {
        ok = parse_u64(val, &v, (const char *const[]){NULL}, NULL, 1) && v >= 1 &&
             v <= RAFT_MAX_NODES;
        cfg->id = (raft_id)v;
    } else if (!strcmp(name, "--peers")) {
        return parse_peers(val, cfg);
    } else if (!strcmp(name, "--client")) {
        ok = net_parse_addr(val, &cfg->client_addr) == 0;
    } else if (!strcmp(name, "--data")) {
        cfg->data_dir = val;
    } else if (!strcmp(name, "--election-timeout")) {
        char *comma = strchr(val, ',');
        ok = comma != NULL;
        if (ok) {
            *comma = '\0';
            ok = parse_time(val, &r->election_timeout_min_ns) &&
                 parse_time(comma + 1, &r->election_timeout_max_ns) &&
                 r->election_timeout_min_ns < r->election_timeout_max_ns;
            *comma = ',';
        }
    } else if (!strcmp(name, "--heartbeat")) {
        ok = parse_time(val, &r->heartbeat_ns);
    } else if (!strcmp(name, "--heartbeat-idle-only")) {
        ok = parse_onoff(val, &r->heartbeat_idle_only);
    } else if (!strcmp(name, "--prevote")) {
        ok = parse_onoff(val, &r->prevote);
    } else if (!strcmp(name, "--checkquorum")) {
        ok = parse_onoff(val, &r->check_quorum);
    } else if (!strcmp(name, "--batch")) {
        ok = parse_size(val, &v) && v >= 1 && v <= RAFT_MAX_BATCH;
        r->max_entries_per_msg = (uint32_t)v;
    } else if (!strcmp(name, "--max-bytes")) {
        ok = parse_size(val, &v) && v >= 1024 && v <= RAFTD_PEER_FRAME_MAX / 2;
        r->max_bytes_per_msg = (uint32_t)v;
    } else if (!strcmp(name, "--max-entry")) {
        ok = parse_size(val, &v) && v >= 64 && v <= RAFTD_PEER_FRAME_MAX / 2;
        r->max_entry_bytes = (uint32_t)v;
    } else if (!strcmp(name, "--pipeline")) {
        ok = parse_size(val, &v) && v >= 1 && v <= 1024;
        r->pipeline_window = (uint32_t)v;
    } else if (!strcmp(name, "--snapshot-every")) {
        ok = parse_size(val, &r->snapshot_threshold);
    } else if (!strcmp(name, "--snapshot-keep")) {
        ok = parse_size(val, &r->snapshot_trailing);
    } else if (!strcmp(name, "--snapshot-chunk")) {
        ok = parse_size(val, &v) && v >= 512 && v <= RAFTD_PEER_FRAME_MAX / 2;
        r->snapshot_chunk_bytes = (uint32_t)v;
    } else if (!strcmp(name, "--logbuf-records")) {
        ok = parse_size(val, &v) && v >= 1;
        cfg->logbuf_records = (size_t)v;
    } else if (!strcmp(name, "--logbuf-bytes")) {
        ok = parse_size(val, &v) && v >= 1024;
        cfg->logbuf_bytes = (size_t)v;
    } else if (!strcmp(name, "--log-level")) {
        ok = !strcmp(val, "debug") || !strcmp(val, "info") || !strcmp(val, "warn");
        cfg->log_level = !strcmp(val, "debug") ? RLOG_DEBUG
                         : !strcmp(val, "warn") ? RLOG_WARN : RLOG_INFO;
    } else {
        return usage_error("unknown option '%s'", name);
    }
    return ok ? 0 : usage_error("bad value for %s", name);
}

int raftd_parse_args(int argc, char **argv, raftd_config *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    raft_config_default(&cfg->raft, 1, 1);
    cfg->raft.snapshot_threshold = 10000;
    cfg->raft.snapshot_trailing = 1000;
    cfg->raft.max_entry_bytes = CP_MAX_RECORD + LOGBUF_CMD_HEADER; /* a client record fits */
    cfg->logbuf_records = 1000000;
    cfg->logbuf_bytes = 256u << 20;
    cfg->log_level = RLOG_INFO;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            fputs(USAGE, stdout);
            return 1;
        }
        if (!strcmp(argv[i], "--allow-faults")) {
            cfg->allow_faults = true;
            continue;
        }
        if (i + 1 >= argc)
            return usage_error("%s needs a value", argv[i]);
        int rc = option(cfg, argv[i], argv[i + 1]);
        if (rc)
            return rc;
        i++;
    }
    if (!cfg->id || !cfg->n_nodes || !cfg->client_addr.sin_family || !cfg->data_dir)
        return usage_error("%s", "--id, --peers, --client and --data are required");
    if (cfg->id > cfg->n_nodes)
        return usage_error("%s", "--id is not one of --peers");
    if (cfg->raft.heartbeat_ns >= cfg->raft.election_timeout_min_ns)
        return usage_error("%s", "the heartbeat must be shorter than the election timeout");
    cfg->raft.id = cfg->id;
    cfg->raft.n_nodes = cfg->n_nodes;
    return 0;
}
