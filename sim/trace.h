/* trace.h — the event trace: a running 64-bit hash of every event (always),
 * the last TRACE_RING events in memory (always, for violation reports), and
 * optionally every event as one JSON object per line (JSON Lines).
 *
 * The hash folds the binary fields (time, kind, node, peer, code, a, b), not
 * the formatted text, so a run with tracing off costs no formatting and has
 * the same hash as one with tracing on.
 *
 * ## Schema (one object per line; keys in this order; absent keys omitted)
 *   "t"      virtual time, ns (integer)
 *   "ev"     event name, from the table below
 *   then the event's fields:
 *
 *   ev               fields
 *   send             from, to, type (message type name), bytes
 *   deliver          from, to, type, bytes
 *   drop             from, to, type, bytes, reason ("loss"|"cut"|"down"|"stale")
 *   duplicate        from, to, type, bytes               (a second copy was sent)
 *   timer            node, deadline (local ns the node asked for)
 *   role             node, role ("follower"|"precandidate"|"candidate"|"leader"), term
 *   term             node, term
 *   vote             node, candidate, term
 *   append           node, first, last                   (volatile log append)
 *   truncate         node, from, old_last
 *   persist          node, token                         (writes up to token durable)
 *   fsync            node, writes, latency               (an fsync started)
 *   commit           node, commit, old
 *   apply            node, index
 *   snapshot-taken   node, index, term
 *   snapshot-installed node, index, term
 *   raft             node, what (raft event name), a, b  (other core events)
 *   crash            node, lost (unsynced writes lost), torn (0|1)
 *   restart          node, last (last durable log index), snap (snapshot index)
 *   pause            node
 *   resume           node
 *   action           action (action name), target, target2, value
 *   invoke           client, session, op ("append"|"read"), seq
 *   retry            client, to, session, seq
 *   complete         client, session, op, seq, index (reads: the index served at)
 *   fail             client, session, op, seq  (the op can never succeed: not retried)
 *   heal             (liveness phase begins)
 *   violation        kind (violation name), node, index
 * Node and client ids are endpoint numbers (nodes 1..N, clients N+1..).
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

typedef struct trace {
    uint64_t hash;
    uint64_t count;
    FILE *out;
    uint64_t ring_t[TRACE_RING_CAP], ring_packed[TRACE_RING_CAP];
    uint64_t ring_a[TRACE_RING_CAP], ring_b[TRACE_RING_CAP];
    uint32_t ring_peer[TRACE_RING_CAP];
} trace;

void trace_init(trace *tr);
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
