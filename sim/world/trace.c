/* trace.c — trace hash, ring of recent events, JSON Lines (see trace.h). */
#include "trace.h"

#include <assert.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "../../core/msg.h"
#include "../../core/raft.h"
#include "sim.h"

typedef struct trace_desc {
    const char *name;
    const char *f_node, *f_peer, *f_code;
    char fmt;
    const char *f_a, *f_b;
} trace_desc;

#define TRACE_DESC(name, text, f1, f2, f3, fmt, f4, f5) {text, f1, f2, f3, fmt, f4, f5},
static const trace_desc trace_descs[TR__COUNT] = {TRACE_EVENTS(TRACE_DESC)};
#undef TRACE_DESC

/* What the ring's packed word must hold exactly (see trace.h). */
_Static_assert(TR__COUNT <= 0xff, "ev fits the packed word's top byte");
_Static_assert(SIM_MAX_ENDPOINTS <= 0xffff, "node ids fit 16 bits");
_Static_assert(RAFT_EV__COUNT <= 0xffffff && SIM_ACT__COUNT <= 0xffffff &&
                   SIM_V__COUNT <= 0xffffff,
               "codes fit 24 bits (message types are a byte, roles and ops tiny)");

void trace_init(trace *tr)
{
    memset(tr, 0, sizeof *tr);
    tr->hash = UINT64_C(0x7261667473696d31); /* "raftsim1" */
}

void trace_free(trace *tr)
{
    free(tr->msg_ids);
    tr->msg_ids = NULL;
    tr->msg_ids_cap = 0;
}

void trace_set_output(trace *tr, FILE *out, uint32_t n_nodes)
{
    tr->out = out;
    tr->n_nodes = n_nodes;
}

void trace_extra(trace *tr, const char *fmt, ...)
{
    assert(tr->out);
    size_t room = sizeof tr->extra - tr->extra_len;
    if (room <= 1)
        return;
    tr->extra[tr->extra_len++] = ',';
    va_list ap;
    va_start(ap, fmt);
    int w = vsnprintf(tr->extra + tr->extra_len, room - 1, fmt, ap);
    va_end(ap);
    assert(w >= 0 && (size_t)w < room - 1 && "an annotation fits TRACE_EXTRA_MAX");
    tr->extra_len += (size_t)w;
}

int trace_msg_bind(trace *tr, uint32_t slot, uint64_t id)
{
    if (slot >= tr->msg_ids_cap) {
        size_t cap = tr->msg_ids_cap ? tr->msg_ids_cap : 256;
        while (cap <= slot)
            cap *= 2;
        uint64_t *p = realloc(tr->msg_ids, cap * sizeof *p);
        if (!p)
            return -1;
        memset(p + tr->msg_ids_cap, 0, (cap - tr->msg_ids_cap) * sizeof *p);
        tr->msg_ids = p;
        tr->msg_ids_cap = cap;
    }
    tr->msg_ids[slot] = id;
    return 0;
}

uint64_t trace_msg_id(const trace *tr, uint32_t slot)
{
    return slot < tr->msg_ids_cap ? tr->msg_ids[slot] : 0;
}

void trace_extra_slot_ids(trace *tr, const char *key, const uint32_t *slots, size_t n)
{
    enum { RESERVE = 96 }; /* room kept for the closing bracket, "KEY_more" and later fields */
    assert(tr->out && strlen(key) < 32);
    trace_extra(tr, "\"%s\":[", key);
    size_t i = 0;
    for (; i < n && tr->extra_len + 24 + RESERVE < sizeof tr->extra; i++)
        tr->extra_len += (size_t)snprintf(tr->extra + tr->extra_len, 24, "%s%llu", i ? "," : "",
                                          (unsigned long long)trace_msg_id(tr, slots[i]));
    tr->extra[tr->extra_len++] = ']';
    if (i < n)
        trace_extra(tr, "\"%s_more\":%zu", key, n - i);
}

/* Ring entry i as a record (see trace.h for the packed word's fields). */
static trace_rec slot_rec(const trace *tr, uint64_t i)
{
    uint64_t packed = tr->ring_packed[i];
    return (trace_rec){.t = tr->ring_t[i],
                       .ev = (uint32_t)(packed >> 56),
                       .node = (uint32_t)(packed >> 40) & 0xffff,
                       .peer = tr->ring_peer[i],
                       .code = (uint32_t)packed & 0xffffff,
                       .a = tr->ring_a[i],
                       .b = tr->ring_b[i]};
}

void trace_write_line(trace *tr, uint64_t i)
{
    trace_rec r = slot_rec(tr, i);
    char line[512];
    int n = trace_format(&r, line, sizeof line);
    if (n > 0) {
        fwrite(line, 1, (size_t)n - 1, tr->out); /* all but the closing brace */
        if (r.ev == TR_INVOKE || r.ev == TR_RETRY || r.ev == TR_COMPLETE || r.ev == TR_FAIL)
            fprintf(tr->out, ",\"cname\":\"c%u\"", r.node - tr->n_nodes);
        fwrite(tr->extra, 1, tr->extra_len, tr->out);
        fputs("}\n", tr->out);
    }
    tr->extra_len = 0;
}

static const char *drop_reason(uint64_t b)
{
    static const char *const names[] = {"loss", "cut", "down", "stale"};
    return b < 4 ? names[b] : "?";
}

static const char *code_text(char fmt, uint32_t code)
{
    switch (fmt) {
    case 'm': return raft_msg_type_name((int)code);
    case 'r': return raft_role_name((enum raft_role)code);
    case 'e': return raft_event_name((enum raft_event_kind)code);
    case 'a': return sim_action_name((enum sim_action_kind)code);
    case 'o': return code ? "read" : "append";
    case 'v': return sim_violation_name((int)code);
    default: return "?";
    }
}

#define APPEND(...)                                                        \
    do {                                                                   \
        int w_ = snprintf(buf + len, len < cap ? cap - len : 0, __VA_ARGS__); \
        if (w_ > 0)                                                        \
            len += (size_t)w_;                                             \
    } while (0)

int trace_format(const trace_rec *r, char *buf, size_t cap)
{
    assert(r->ev < TR__COUNT);
    const trace_desc *d = &trace_descs[r->ev];
    size_t len = 0;
    APPEND("{\"t\":%llu,\"ev\":\"%s\"", (unsigned long long)r->t, d->name);
    if (d->f_node)
        APPEND(",\"%s\":%u", d->f_node, r->node);
    if (d->f_peer)
        APPEND(",\"%s\":%u", d->f_peer, r->peer);
    if (d->f_code)
        APPEND(",\"%s\":\"%s\"", d->f_code, code_text(d->fmt, r->code));
    if (d->f_a)
        APPEND(",\"%s\":%llu", d->f_a, (unsigned long long)r->a);
    if (d->f_b && r->ev == TR_DROP)
        APPEND(",\"%s\":\"%s\"", d->f_b, drop_reason(r->b));
    else if (d->f_b)
        APPEND(",\"%s\":%llu", d->f_b, (unsigned long long)r->b);
    APPEND("}");
    return len < cap ? (int)len : (int)cap - 1;
}

void trace_print_recent(const trace *tr, FILE *out, unsigned n)
{
    if (n > TRACE_RING)
        n = TRACE_RING;
    uint64_t have = tr->count < n ? tr->count : n;
    for (uint64_t i = tr->count - have; i < tr->count; i++) {
        trace_rec r = slot_rec(tr, i & (TRACE_RING_CAP - 1));
        char line[512], when[32];
        trace_format(&r, line, sizeof line);
        sim_format_time(r.t, when, sizeof when);
        fprintf(out, "  %12s  %s\n", when, line);
    }
}
