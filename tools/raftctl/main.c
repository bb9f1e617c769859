/* main.c — raftctl, the client of a raftd cluster.
 *
 * Exit status (as raftsim): 0 done; 1 the cluster did not do it (no leader
 * within the timeout, an error answer, a node unreachable); 2 usage error. */
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bench.h"
#include "ctl.h"

static const char USAGE[] =
    "usage: raftctl --cluster HOST:PORT,HOST:PORT,... [options] COMMAND [args]\n"
    "\n"
    "Talk to a raftd cluster through the nodes' client addresses (--client of\n"
    "raftd), listed in node-id order (or as ID=HOST:PORT). Requests go to the\n"
    "leader: a follower's hint is followed, and a request that gets no answer is\n"
    "retried, at the next node if need be, with the same client id and sequence\n"
    "numbers, so an append is stored once however often it is retried.\n"
    "\n"
    "Commands:\n"
    "  append TEXT...              append one record per TEXT\n"
    "    --count N [--size B] [--prefix P]   or N generated records P1, P2, ...\n"
    "                                        (padded with '.' to B bytes)\n"
    "    --batch N                 records per request [256]\n"
    "    --print-acked             print INDEX<TAB>TEXT for each acknowledged record\n"
    "  query [--last N | --from I --to J | --since-ns A --until-ns B] [--long]\n"
    "                              print the stored records (linearizable read):\n"
    "                              INDEX<TAB>TEXT, or with --long also client, seq, time\n"
    "  status                      every node's status (key=value lines)\n"
    "  leader                      print the leader's id (asks every node)\n"
    "  dump                        every node's state dump\n"
    "  transfer ID                 move leadership to node ID\n"
    "  bench [--clients C] [--batch B] [--size N] [--seconds S]\n"
    "                              load: C sessions, each with one append of B records\n"
    "                              of N bytes in flight [1 1 64 5]; prints appends/s and\n"
    "                              latency percentiles\n"
    "  fault --drop-in MASK --drop-out MASK   (needs --node; raftd --allow-faults):\n"
    "                              the node drops messages from / to the peers whose\n"
    "                              bits are set (bit i = node i); 0 0 heals\n"
    "Options:\n"
    "  --node ID                   talk to node ID only (follow no leader hint)\n"
    "  --timeout T                 give up after T seconds in all [30]\n"
    "  --request-timeout MS        wait this long for one answer [2000]\n"
    "  --client-id N               the session id (default: random)\n"
    "  --history FILE              append every append and query, with its start and\n"
    "                              end times, to FILE (for tests/raftd/histcheck.c)\n"
    "  -v                          say what happens on stderr\n"
    "  --help                      this text\n"
    "Exit status: 0 done, 1 the cluster did not do it, 2 usage error.\n";

static int usage_error(const char *msg, const char *arg)
{
    fprintf(stderr, "raftctl: error: %s%s\n(raftctl --help for usage)\n", msg, arg ? arg : "");
    return 2;
}

static bool to_u64(const char *s, uint64_t *v)
{
    char *end;
    if (!s || !*s || *s == '-')
        return false;
    *v = strtoull(s, &end, 10);
    return *end == '\0';
}

/* ---- append ---- */

typedef struct gen {
    char **texts; /* given records, or NULL for generated ones */
    uint64_t count, size;
    const char *prefix;
    char buf[CP_MAX_RECORD + 64];
} gen;

static const char *record_text(gen *g, uint64_t i, uint32_t *len)
{
    if (g->texts) {
        *len = (uint32_t)strlen(g->texts[i]);
        return g->texts[i];
    }
    int n = snprintf(g->buf, sizeof g->buf, "%s%" PRIu64, g->prefix, i + 1);
    size_t want = g->size > (uint64_t)n ? (size_t)g->size : (size_t)n;
    if (want > CP_MAX_RECORD)
        want = CP_MAX_RECORD;
    memset(g->buf + n, '.', want > (size_t)n ? want - (size_t)n : 0);
    *len = (uint32_t)want;
    return g->buf;
}

static uint64_t random_id(void)
{
    uint64_t v = 0;
    int fd = open("/dev/urandom", O_RDONLY);
    if (fd >= 0) {
        if (read(fd, &v, sizeof v) != (ssize_t)sizeof v)
            v = 0;
        close(fd);
    }
    v ^= ctl_now_ns() ^ ((uint64_t)getpid() << 20);
    return v ? v : 1;
}

static int cmd_append(ctl *c, gen *g, uint64_t batch, uint64_t client_id, bool print_acked)
{
    uint64_t seq = 1, first_index = 0, last_index = 0, t0 = ctl_now_ns();
    for (uint64_t done = 0; done < g->count;) {
        uint64_t n = g->count - done < batch ? g->count - done : batch;
        bbuf req = {0};
        cp_request_head(&req, CP_APPEND, 0);
        bbuf_u64(&req, client_id);
        bbuf_u64(&req, seq);
        size_t count_at = req.len;
        bbuf_u32(&req, 0); /* the count, once we know how many fit in a frame */
        uint64_t put = 0;
        for (; put < n; put++) {
            uint32_t len;
            const char *t = record_text(g, done + put, &len);
            if (put && req.len + 4 + len > CP_FRAME_MAX)
                break;
            cp_put_record(&req, t, len);
        }
        n = put;
        if (!req.oom)
            le32_put(req.p + count_at, (uint32_t)n);
        cp_response r;
        uint64_t invoked = ctl_now_ns();
        int rc = req.oom ? -1 : ctl_call_leader(c, &req, &r);
        uint64_t completed = ctl_now_ns();
        bbuf_free(&req);
        if (rc != 0 || r.status != CP_OK) {
            for (uint64_t i = 0; c->history && i < n; i++) /* never acknowledged */
                fprintf(c->history, "P %016" PRIx64 " %" PRIu64 " %" PRIu64 "\n", client_id,
                        seq + i, invoked);
            const char *msg = "";
            size_t mlen = 0;
            if (rc == 0)
                cp_get_text(&r.body, &msg, &mlen);
            fprintf(stderr, "raftctl: append: %s%.*s (%" PRIu64 " of %" PRIu64
                            " records acknowledged)\n", rc ? "no leader answered" : "error: ",
                    (int)mlen, msg, done, g->count);
            return 1;
        }
        uint32_t got = brd_u32(&r.body);
        if (got != n) {
            fprintf(stderr, "raftctl: append: malformed answer\n");
            return 1;
        }
        for (uint64_t i = 0; i < n; i++) {
            uint64_t index = brd_u64(&r.body);
            if (!first_index)
                first_index = index;
            if (index > last_index)
                last_index = index;
            if (c->history)
                fprintf(c->history, "A %016" PRIx64 " %" PRIu64 " %" PRIu64 " %" PRIu64 " %" PRIu64
                                    "\n", client_id, seq + i, invoked, completed, index);
            if (print_acked) {
                uint32_t len;
                const char *t = record_text(g, done + i, &len);
                printf("%" PRIu64 "\t%.*s\n", index, (int)len, t);
            }
        }
        if (print_acked)
            fflush(stdout);
        done += n;
        seq += n;
    }
    double secs = (double)(ctl_now_ns() - t0) / 1e9;
    fprintf(stderr, "raftctl: appended %" PRIu64 " records (indexes %" PRIu64 "..%" PRIu64
                    ") in %.3f s, %" PRIu64 " requests, %" PRIu64 " retries\n",
            g->count, first_index, last_index, secs, c->requests, c->retries);
    return 0;
}

/* ---- query ---- */

static void print_text(const uint8_t *p, uint32_t len)
{
    for (uint32_t i = 0; i < len; i++) {
        if (p[i] >= 0x20 && p[i] < 0x7f && p[i] != '\\')
            putchar(p[i]);
        else
            printf("\\x%02x", p[i]);
    }
}

static int cmd_query(ctl *c, uint8_t mode, uint64_t a, uint64_t b, bool longfmt)
{
    bbuf req = {0};
    cp_request_head(&req, CP_QUERY, 0);
    bbuf_u8(&req, mode);
    bbuf_u64(&req, a);
    bbuf_u64(&req, b);
    cp_response r;
    uint64_t invoked = ctl_now_ns();
    int rc = ctl_call_leader(c, &req, &r);
    uint64_t completed = ctl_now_ns();
    bbuf_free(&req);
    if (rc != 0 || r.status != CP_OK) {
        fprintf(stderr, "raftctl: query: %s\n", rc ? "no leader answered" : "error");
        return 1;
    }
    uint64_t read_index = brd_u64(&r.body);
    uint64_t records_total = brd_u64(&r.body);
    uint32_t count = brd_u32(&r.body);
    uint8_t truncated = brd_u8(&r.body);
    if (c->history && !r.body.err)
        fprintf(c->history, "R %016" PRIx64 " %" PRIu64 " %" PRIu64 " %" PRIu64 " %" PRIu64 "\n",
                c->client_id, invoked, completed, read_index, records_total);
    for (uint32_t i = 0; i < count && !r.body.err; i++) {
        uint64_t index = brd_u64(&r.body), ts = brd_u64(&r.body);
        uint64_t client = brd_u64(&r.body), seq = brd_u64(&r.body);
        uint32_t len = brd_u32(&r.body);
        const uint8_t *data = brd_bytes(&r.body, len);
        if (!data)
            break;
        printf("%" PRIu64 "\t", index);
        if (longfmt)
            printf("%016" PRIx64 "\t%" PRIu64 "\t%" PRIu64 "\t", client, seq, ts);
        print_text(data, len);
        putchar('\n');
    }
    if (r.body.err) {
        fprintf(stderr, "raftctl: query: malformed answer\n");
        return 1;
    }
    fprintf(stderr, "raftctl: %u records, read at index %" PRIu64 "%s\n", count, read_index,
            truncated ? " (truncated: the answer was too large; narrow the query)" : "");
    return 0;
}

/* ---- status, dump, leader, transfer, fault ---- */

static int text_from(ctl *c, uint32_t id, uint8_t op, bool header)
{
    bbuf req = {0};
    cp_request_head(&req, op, 0);
    cp_response r;
    int rc = ctl_call(c, id, &req, &r);
    bbuf_free(&req);
    const char *text;
    size_t len;
    if (header)
        printf("== node %u\n", id);
    if (rc != 0 || r.status != CP_OK || !cp_get_text(&r.body, &text, &len)) {
        printf("unreachable\n");
        return 1;
    }
    fwrite(text, 1, len, stdout);
    return 0;
}

static int cmd_text(ctl *c, uint8_t op)
{
    int bad = 0;
    if (c->only)
        return text_from(c, c->only, op, false);
    for (uint32_t id = 1; id <= c->n; id++)
        bad |= text_from(c, id, op, true);
    return bad;
}

/* The node that says it leads in the highest term. */
uint32_t bench_find_leader(ctl *c)
{
    uint64_t best_term = 0;
    uint32_t best = 0;
    for (uint32_t id = 1; id <= c->n; id++) {
        bbuf req = {0};
        cp_request_head(&req, CP_STATUS, 0);
        cp_response r;
        int rc = ctl_call(c, id, &req, &r);
        bbuf_free(&req);
        const char *text;
        size_t len;
        if (rc != 0 || r.status != CP_OK || !cp_get_text(&r.body, &text, &len))
            continue;
        char *copy = strndup(text, len);
        if (!copy)
            continue;
        const char *role = strstr(copy, "\nrole=");
        const char *term = strstr(copy, "\nterm=");
        if (role && term && strncmp(role + 6, "leader\n", 7) == 0) {
            uint64_t t = strtoull(term + 6, NULL, 10);
            if (t > best_term) {
                best_term = t;
                best = id;
            }
        }
        free(copy);
    }
    if (!best)
        fprintf(stderr, "raftctl: no node says it is the leader\n");
    return best;
}

static int cmd_leader(ctl *c)
{
    uint32_t id = bench_find_leader(c);
    if (id)
        printf("%u\n", id);
    return id ? 0 : 1;
}

static int cmd_simple(ctl *c, uint8_t op, uint64_t x, uint64_t y)
{
    bbuf req = {0};
    cp_request_head(&req, op, 0);
    if (op == CP_TRANSFER) {
        bbuf_u32(&req, (uint32_t)x);
    } else {
        bbuf_u64(&req, x);
        bbuf_u64(&req, y);
    }
    cp_response r;
    int rc = op == CP_FAULT ? ctl_call(c, c->only, &req, &r) : ctl_call_leader(c, &req, &r);
    bbuf_free(&req);
    if (rc == 0 && r.status == CP_OK)
        return 0;
    const char *msg = rc ? "no answer" : cp_status_name(r.status);
    size_t len = strlen(msg);
    if (rc == 0 && r.status == CP_ERROR)
        cp_get_text(&r.body, &msg, &len);
    fprintf(stderr, "raftctl: %s: %.*s\n", cp_op_name(op), (int)len, msg);
    return 1;
}

/* ---- command line ---- */

typedef struct opts {
    uint64_t count, size, batch, last, from, to, since, until, client_id, x, y;
    uint64_t clients, seconds;
    bool has_count, has_last, has_from, has_time, print_acked, longfmt, has_in, has_out;
    const char *prefix;
} opts;

/* Options after the command. 0, or 2 on a usage error; *first_arg is the
 * first positional argument. */
static int command_options(int argc, char **argv, int i, opts *o, int *first_arg)
{
    for (; i < argc && argv[i][0] == '-' && argv[i][1] == '-'; i++) {
        const char *name = argv[i];
        if (!strcmp(name, "--print-acked")) {
            o->print_acked = true;
            continue;
        }
        if (!strcmp(name, "--long")) {
            o->longfmt = true;
            continue;
        }
        const char *val = i + 1 < argc ? argv[++i] : NULL;
        uint64_t v;
        bool ok = to_u64(val, &v);
        if (!strcmp(name, "--prefix") && val) {
            o->prefix = val;
            continue;
        }
        if (!ok)
            return usage_error("bad or missing value for ", name);
        if (!strcmp(name, "--count")) o->count = v, o->has_count = true;
        else if (!strcmp(name, "--size")) o->size = v;
        else if (!strcmp(name, "--batch")) o->batch = v;
        else if (!strcmp(name, "--last")) o->last = v, o->has_last = true;
        else if (!strcmp(name, "--from")) o->from = v, o->has_from = true;
        else if (!strcmp(name, "--to")) o->to = v;
        else if (!strcmp(name, "--since-ns")) o->since = v, o->has_time = true;
        else if (!strcmp(name, "--until-ns")) o->until = v;
        else if (!strcmp(name, "--drop-in")) o->x = v, o->has_in = true;
        else if (!strcmp(name, "--clients")) o->clients = v;
        else if (!strcmp(name, "--seconds")) o->seconds = v;
        else if (!strcmp(name, "--drop-out")) o->y = v, o->has_out = true;
        else return usage_error("unknown option ", name);
    }
    *first_arg = i;
    return 0;
}

static int run(ctl *c, const char *cmd, int argc, char **argv, int i, opts *o)
{
    int rc = command_options(argc, argv, i, o, &i);
    if (rc)
        return rc;
    int nargs = argc - i;
    if (!strcmp(cmd, "append")) {
        gen *g = calloc(1, sizeof *g);
        if (!g)
            return 1;
        g->prefix = o->prefix ? o->prefix : "r";
        g->size = o->size;
        g->texts = o->has_count ? NULL : argv + i;
        g->count = o->has_count ? o->count : (uint64_t)nargs;
        if ((o->has_count && nargs) || g->count == 0 || o->batch > CP_MAX_BATCH ||
            o->size > CP_MAX_RECORD)
            rc = usage_error("append takes TEXT... or --count N (batch <= 4096, "
                             "size <= 65536)", NULL);
        for (int k = 0; !rc && g->texts && k < nargs; k++)
            if (strlen(argv[i + k]) > CP_MAX_RECORD)
                rc = usage_error("record too long: ", argv[i + k]);
        if (!rc)
            rc = cmd_append(c, g, o->batch ? o->batch : 256, o->client_id, o->print_acked);
        free(g);
        return rc;
    }
    if (nargs && strcmp(cmd, "transfer"))
        return usage_error("unexpected argument ", argv[i]);
    if (!strcmp(cmd, "query")) {
        if (o->has_last + o->has_from + o->has_time > 1)
            return usage_error("query takes one of --last, --from/--to, --since-ns", NULL);
        if (o->has_last)
            return cmd_query(c, CP_Q_LAST, o->last, 0, o->longfmt);
        if (o->has_from)
            return cmd_query(c, CP_Q_RANGE, o->from, o->to ? o->to : UINT64_MAX, o->longfmt);
        if (o->has_time)
            return cmd_query(c, CP_Q_TIME, o->since, o->until ? o->until : UINT64_MAX,
                             o->longfmt);
        return cmd_query(c, CP_Q_ALL, 0, 0, o->longfmt);
    }
    if (!strcmp(cmd, "status"))
        return cmd_text(c, CP_STATUS);
    if (!strcmp(cmd, "dump"))
        return cmd_text(c, CP_DUMP);
    if (!strcmp(cmd, "leader"))
        return cmd_leader(c);
    if (!strcmp(cmd, "bench"))
        return bench_run(c, o->clients ? (uint32_t)o->clients : 1,
                         o->batch ? (uint32_t)o->batch : 1, o->size ? (uint32_t)o->size : 64,
                         o->seconds ? (double)o->seconds : 5, o->client_id);
    if (!strcmp(cmd, "transfer")) {
        uint64_t id;
        if (nargs != 1 || !to_u64(argv[i], &id) || id < 1 || id > c->n)
            return usage_error("transfer takes a node id", NULL);
        return cmd_simple(c, CP_TRANSFER, id, 0);
    }
    if (!strcmp(cmd, "fault")) {
        if (!c->only || !o->has_in || !o->has_out)
            return usage_error("fault needs --node ID, --drop-in MASK and --drop-out MASK",
                               NULL);
        return cmd_simple(c, CP_FAULT, o->x, o->y);
    }
    return usage_error("unknown command ", cmd);
}

int main(int argc, char **argv)
{
    static ctl c;
    opts o = {0};
    double timeout_s = 30;
    uint64_t req_ms = 2000;
    bool have_cluster = false;
    int i = 1;
    for (; i < argc && argv[i][0] == '-'; i++) {
        const char *name = argv[i];
        if (!strcmp(name, "--help") || !strcmp(name, "-h")) {
            fputs(USAGE, stdout);
            return 0;
        }
        if (!strcmp(name, "-v")) {
            c.verbose = true;
            continue;
        }
        if (i + 1 >= argc)
            return usage_error("missing value for ", name);
        char *val = argv[++i];
        uint64_t v;
        if (!strcmp(name, "--cluster")) {
            if (ctl_parse_cluster(&c, val) != 0)
                return usage_error("bad --cluster list", NULL);
            have_cluster = true;
        } else if (!strcmp(name, "--timeout")) {
            char *end;
            timeout_s = strtod(val, &end);
            if (*end || !(timeout_s > 0 && timeout_s < 86400))
                return usage_error("bad --timeout ", val);
        } else if (!strcmp(name, "--request-timeout") && to_u64(val, &v) && v > 0) {
            req_ms = v;
        } else if (!strcmp(name, "--node") && to_u64(val, &v) && v > 0) {
            c.only = (uint32_t)v;
        } else if (!strcmp(name, "--client-id") && to_u64(val, &v) && v > 0) {
            o.client_id = v;
        } else if (!strcmp(name, "--history")) {
            c.history = fopen(val, "a");
            if (!c.history) {
                perror(val);
                return 2;
            }
            setvbuf(c.history, NULL, _IOLBF, 0);
        } else {
            return usage_error("bad option or value: ", name);
        }
    }
    if (!have_cluster)
        return usage_error("--cluster is required", NULL);
    if (c.only > c.n)
        return usage_error("--node is not in --cluster", NULL);
    if (i >= argc)
        return usage_error("no command", NULL);
    if (!o.client_id)
        o.client_id = random_id();
    c.client_id = o.client_id;
    c.request_timeout_ns = req_ms * 1000000u;
    c.deadline_ns = ctl_now_ns() + (uint64_t)(timeout_s * 1e9);
    const char *cmd = argv[i];
    int rc = run(&c, cmd, argc, argv, i + 1, &o);
    ctl_close(&c);
    if (c.history)
        fclose(c.history);
    return rc;
}
