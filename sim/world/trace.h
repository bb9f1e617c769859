/* trace.h — the event trace: a running 64-bit hash of every event (always),
 * the last TRACE_RING events in memory (always, for violation reports), and
 * optionally every event as one JSON object per line (JSON Lines).
 *
 * The hash folds the binary fields (time, kind, node, peer, code, a, b), not
 * the formatted text, so a run with tracing off costs no formatting and has
 * the same hash as one with tracing on.
 *
 * ## Schema, format 2 (one object per line; keys in this order; absent keys omitted)
 * The first line is a header, the last (after a complete run, or one cut
 * short by replay --until) an end line; both are written by the runner
 * (trace_header.c) and are not in the hash:
 *   {"t":0,"ev":"header","format":2,"raftsim":VERSION,"seed":N,"file":PATH,
 *    "nodes":N,"clients":["c1",..],"protocol":"raft"|"naive","duration_ns":N,
 *    "liveness":BOOL,"expects":[{"line":N,"text":S},..],
 *    "config":S (the full scenario as `scenario_write` prints it: every
 *               setting, the scripted actions and the seed; rerunnable)}
 *   {"t":END,"ev":"end","verdict":"pass"|"fail"|"cut-short","events":N,
 *    "expects":[{"line":N,"status":"pending"|"held"|"failed"|"skipped",
 *                "text":S,"why":S},..],
 *    "violation":{"kind":S,"t":NS,"nodes":[A,B],"index":N,"term":N,"detail":S}}
 * Every other line is one event:
 *   "t"      virtual time, ns (integer)
 *   "ev"     event name, from the table below
 *   then the event's fields, then its annotations (after the bar below):
 *
 *   ev               fields                               | annotations
 *   send             from, to, type (message type name), bytes | id
 *   deliver          from, to, type, bytes                | id
 *   drop             from, to, type, bytes, reason ("loss"|"cut"|"down"|"stale") | id
 *   duplicate        from, to, type, bytes                | id, copy_of
 *                    (a second copy was sent: a message of its own, id fresh)
 *   timer            node, deadline (local ns the node asked for)
 *   role             node, role ("follower"|"precandidate"|"candidate"|"leader"), term
 *   term             node, term                           (every change of currentTerm)
 *   vote             node, candidate, term
 *   append           node, first, last                    | terms: [[TERM,COUNT],..],
 *                    (volatile log append)                  the entries' terms, run-length
 *   truncate         node, from, old_last
 *   persist          node, token                          (writes up to token durable)
 *   fsync            node, writes, latency                (an fsync started)
 *   commit           node, commit, old
 *   apply            node, index
 *   snapshot-taken   node, index, term
 *   snapshot-installed node, index, term
 *   raft             node, what (raft event name), a, b   (other core events)
 *   crash            node, lost (unsynced writes lost), torn (0|1)
 *                                                         | held_lost: [ids] of the
 *                    messages held while paused, lost with the crash (held_lost_more: count)
 *   restart          node, last (last durable log index), snap (snapshot index)
 *   pause            node
 *   resume           node
 *   action           target, target2, action (action name), value
 *                                                         | groups: [[eps],..] (partition),
 *                    param (set: "drop", "latency", ..), class (a set restricted to
 *                    a message class: "replies", ..). cut/uncut: target -> target2,
 *                    one way; isolate: target from everyone; 0 = none/all
 *   invoke           client, session, op ("append"|"read"), seq | cname ("c1", ..)
 *   retry            client, to, session, seq             | cname
 *   complete         client, session, op, seq, index (reads: the index served at) | cname
 *   fail             client, session, op, seq  (the op can never succeed: not retried) | cname
 *   heal             (liveness phase begins)
 *   violation        node, kind (violation name), index
 * Node and client ids are endpoint numbers (nodes 1..N, clients N+1..; the
 * header's "nodes" is N, and client N+k is "ck", as the scenario names it).
 * Message ids are 1, 2, .. in send order; a send's id reappears on exactly
 * one deliver or drop (or crash's held_lost), so a message is never guessed.
 * The hash folds the event fields, not the annotations: those are functions
 * of the run (ids count sends; terms are the log's), so leaving them out
 * loses nothing and a traced run has the hash of an untraced one. Format 1
 * (before the header line existed) had no header, end line or annotations.
 */
#ifndef SIM_TRACE_H
#define SIM_TRACE_H

#include <stdint.h>
#include <stdio.h>

/* code formats: how the `code` field is printed */
#define TRACE_EVENTS(X)                                                             \
    X(TR_SEND, "send", "from", "to", "type", 'm', "bytes", NULL)                  \
    X(TR_DELIVER, "deliver", "from", "to", "type", 'm', "bytes", NULL)            \
    X(TR_DROP, "drop", "from", "to", "type", 'm', "bytes", "reason")              \
    X(TR_DUPLICATE, "duplicate", "from", "to", "type", 'm', "bytes", NULL)        \
    X(TR_TIMER, "timer", "node", NULL, NULL, 0, "deadline", NULL)                 \
    X(TR_ROLE, "role", "node", NULL, "role", 'r', "term", NULL)                   \
    X(TR_TERM, "term", "node", NULL, NULL, 0, "term", NULL)                       \
    X(TR_VOTE, "vote", "node", "candidate", NULL, 0, "term", NULL)                \
    X(TR_APPEND, "append", "node", NULL, NULL, 0, "first", "last")                \
    X(TR_TRUNCATE, "truncate", "node", NULL, NULL, 0, "from", "old_last")         \
    X(TR_PERSIST, "persist", "node", NULL, NULL, 0, "token", NULL)                \
    X(TR_FSYNC, "fsync", "node", NULL, NULL, 0, "writes", "latency")              \
    X(TR_COMMIT, "commit", "node", NULL, NULL, 0, "commit", "old")                \
    X(TR_APPLY, "apply", "node", NULL, NULL, 0, "index", NULL)                    \
    X(TR_SNAP_TAKEN, "snapshot-taken", "node", NULL, NULL, 0, "index", "term")    \
    X(TR_SNAP_INSTALLED, "snapshot-installed", "node", NULL, NULL, 0, "index", "term") \
    X(TR_RAFT, "raft", "node", NULL, "what", 'e', "a", "b")                       \
    X(TR_CRASH, "crash", "node", NULL, NULL, 0, "lost", "torn")                   \
    X(TR_RESTART, "restart", "node", NULL, NULL, 0, "last", "snap")               \
    X(TR_PAUSE, "pause", "node", NULL, NULL, 0, NULL, NULL)                       \
    X(TR_RESUME, "resume", "node", NULL, NULL, 0, NULL, NULL)                     \
    X(TR_ACTION, "action", "target", "target2", "action", 'a', "value", NULL)     \
    X(TR_INVOKE, "invoke", "client", "session", "op", 'o', "seq", NULL)           \
    X(TR_RETRY, "retry", "client", "to", NULL, 0, "session", "seq")               \
    X(TR_COMPLETE, "complete", "client", "session", "op", 'o', "seq", "index")    \
    X(TR_FAIL, "fail", "client", "session", "op", 'o', "seq", NULL)               \
    X(TR_HEAL, "heal", NULL, NULL, NULL, 0, NULL, NULL)                           \
    X(TR_VIOLATION, "violation", "node", NULL, "kind", 'v', "index", NULL)
#define TRACE_ENUM(name, text, f1, f2, f3, fmt, f4, f5) name,
enum trace_ev { TRACE_EVENTS(TRACE_ENUM) TR__COUNT };
#undef TRACE_ENUM

/* drop reasons (the `b` field of TR_DROP) */
enum { TR_DROP_LOSS, TR_DROP_CUT, TR_DROP_DOWN, TR_DROP_STALE };

typedef struct trace_rec {
    uint64_t t;
    uint32_t ev, node, peer, code;
    uint64_t a, b;
} trace_rec;

/* The ring keeps each record with ev, node and code in the word the hash
 * already built (`packed` in trace_emit). That word holds node and peer in
 * 16 bits and code in 24, which is exact for node (an endpoint, <=
 * SIM_MAX_ENDPOINTS) and code (small enums); peer can be a client session
 * id, so it is kept whole. One array per field: an event costs five plain
 * stores, each addressed by the slot index alone (adjacent fields of a
 * struct were stored in pairs through vector registers, which took more
 * instructions). */
enum { TRACE_RING = 20, TRACE_RING_CAP = 32 /* power of two >= TRACE_RING */ };
_Static_assert((TRACE_RING_CAP & (TRACE_RING_CAP - 1)) == 0, "ring capacity is a power of 2");
_Static_assert(TRACE_RING_CAP >= TRACE_RING, "the ring holds the last TRACE_RING events");

/* Annotations: fields a JSON line carries beyond the hashed record, written
 * only when tracing to a file (message ids, entry terms, partition groups,
 * client names). They are functions of the run, so leaving them out of the
 * hash loses nothing, and a run traced or not has the same hash. */
enum { TRACE_EXTRA_MAX = 2048 /* bytes of annotation on one line */ };

typedef struct trace {
    uint64_t hash;
    uint64_t count;
    FILE *out;
    uint32_t n_nodes;        /* endpoints above this are clients c1.. */
    uint64_t next_msg_id;    /* message ids: 1, 2, .. in send order */
    uint64_t *msg_ids;       /* by net slot, while a message is in flight */
    size_t msg_ids_cap;
    size_t extra_len;        /* pending annotation for the next line */
    char extra[TRACE_EXTRA_MAX];
    uint64_t ring_t[TRACE_RING_CAP], ring_packed[TRACE_RING_CAP];
    uint64_t ring_a[TRACE_RING_CAP], ring_b[TRACE_RING_CAP];
    uint32_t ring_peer[TRACE_RING_CAP];
} trace;

void trace_init(trace *tr);
void trace_free(trace *tr);
/* Start writing JSON lines to out (NULL: stop); clients are endpoints > n_nodes. */
void trace_set_output(trace *tr, FILE *out, uint32_t n_nodes);
/* Append ",FIELDS" to the next written line (call only when tr->out is set). */
void trace_extra(trace *tr, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Message ids, kept only when tr->out is set: a fresh id (1, 2, ..), the
 * net slot now carrying it, and the id of the message in a slot. */
static inline uint64_t trace_msg_new(trace *tr) { return ++tr->next_msg_id; }
int trace_msg_bind(trace *tr, uint32_t slot, uint64_t id); /* 0, or -1 out of memory */
uint64_t trace_msg_id(const trace *tr, uint32_t slot);      /* 0 if never bound */
/* Annotate "id": the id of the message in `slot` (the next line's message),
 * if a file is set. */
static inline void trace_extra_msg_id(trace *tr, uint32_t slot)
{
    if (tr->out)
        trace_extra(tr, "\"id\":%llu", (unsigned long long)trace_msg_id(tr, slot));
}
/* Annotate "KEY":[ids of the messages in slots] (as many as fit; the count
 * left out, if any, as "KEY_more"). Only when tr->out is set. */
void trace_extra_slot_ids(trace *tr, const char *key, const uint32_t *slots, size_t n);
void trace_write_line(trace *tr, uint64_t i); /* the slow path: ring[i] as JSON */

/* Every event: fold the fields into the hash (one multiply per field, a
 * final xor-shift), keep it in the ring, and write it if a file is set. */
static inline void trace_emit(trace *tr, uint64_t t, enum trace_ev ev, uint32_t node,
                              uint32_t peer, uint32_t code, uint64_t a, uint64_t b)
{
    uint64_t packed = ((uint64_t)ev << 56) ^ ((uint64_t)(uint16_t)node << 40) ^
                      ((uint64_t)(uint16_t)peer << 24) ^ (code & 0xffffff);
    uint64_t h = tr->hash;
    h = (h ^ t) * UINT64_C(0x9e3779b97f4a7c15);
    h = (h ^ (h >> 29) ^ packed) * UINT64_C(0xbf58476d1ce4e5b9);
    h = (h ^ (h >> 32) ^ a) * UINT64_C(0x94d049bb133111eb);
    h = (h ^ (h >> 29) ^ b) * UINT64_C(0x9e3779b97f4a7c15);
    tr->hash = h ^ (h >> 32);
    uint64_t i = tr->count++ & (TRACE_RING_CAP - 1);
    tr->ring_t[i] = t;
    tr->ring_packed[i] = packed;
    tr->ring_a[i] = a;
    tr->ring_b[i] = b;
    tr->ring_peer[i] = peer;
    if (tr->out)
        trace_write_line(tr, i);
}
/* Format one record as a JSON object (no newline). Returns the length. */
int trace_format(const trace_rec *r, char *buf, size_t cap);
/* Print the last n (<= TRACE_RING) records, oldest first. */
void trace_print_recent(const trace *tr, FILE *out, unsigned n);

#endif
