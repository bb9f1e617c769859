/* history.h — every client operation with its invoke and complete virtual
 * times and outcome, and the end-of-run checker:
 *   1. every acknowledged append is in the committed log exactly once: the
 *      index it was acknowledged at is the index where its (session, seq) was
 *      first stored by any node's state machine (which only applies committed
 *      entries), and no (session, seq) is ever stored at two indexes;
 *   2. appends respect real time: one acknowledged before another was invoked
 *      has a lower index;
 *   3. a read reflects every append acknowledged before it was invoked: its
 *      index is >= theirs and its records_total >= their number;
 *   4. a read shows exactly the committed state at its index: its
 *      records_total equals the number of appends stored at indexes up to
 *      its index (it neither misses a committed append nor shows one that
 *      was never committed — or a retried duplicate as a second record).
 * And during the run, exactly-once across nodes: every node that applies
 * index i makes the same deduplication decision there (stored, or a
 * duplicate answered with the same earlier index) — hist_note_decision.
 * Sessions: a client runs its concurrent operations on separate sessions so
 * each session has at most one operation in flight (thesis §6.3).
 */
#ifndef SIM_HISTORY_H
#define SIM_HISTORY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sim.h"

enum hist_kind { HIST_APPEND = 0, HIST_READ = 1 };
enum hist_outcome { HIST_PENDING, HIST_OK };

typedef struct hist_op {
    uint64_t invoke_ns, complete_ns;
    uint64_t index;         /* append: where stored; read: index served at */
    uint64_t records_total; /* read: records applied when served */
    uint64_t seq;
    uint32_t client;        /* endpoint */
    uint32_t session;
    uint8_t kind, outcome;
} hist_op;

enum { HIST_SEQ_INLINE = 8 };

/* Where (session, seq) was first stored (0 = not stored): the first
 * HIST_SEQ_INLINE seqs in place — sessions often hold no more, and then cost
 * no allocation — the rest in stored[seq] (whose first slots go unused). */
typedef struct hist_session {
    uint64_t first[HIST_SEQ_INLINE];
    uint64_t *stored;
    size_t cap;
} hist_session;

typedef struct history {
    hist_op *ops;
    size_t n, cap;
    size_t *done;           /* acknowledged appends in completion order */
    size_t n_done, cap_done;
    hist_session *sessions; /* [session id] */
    size_t n_sessions;
    uint64_t *decided;      /* [index]: the first node's decision there, 0 = none yet */
    size_t decided_cap;
    uint64_t acked, reads;
} history;

void hist_init(history *h);
void hist_free(history *h);
/* Record an invocation; returns the op id, or SIZE_MAX on allocation failure. */
size_t hist_invoke(history *h, enum hist_kind kind, uint32_t client, uint32_t session,
                   uint64_t seq, uint64_t now_ns);
void hist_complete(history *h, size_t op, uint64_t now_ns, uint64_t index,
                   uint64_t records_total);
/* A state machine stored (session, seq) at index. Returns 0, or -1 if it was
 * stored at another index before (*prev set), or -2 on allocation failure. */
int hist_note_stored(history *h, uint32_t session, uint64_t seq, uint64_t index,
                     uint64_t *prev);
/* A node applied a command at index: stored there (duplicate false, at =
 * index), answered as a duplicate of the record at `at`, or malformed (at
 * 0). Returns 0 if it is the first decision at index or the same as the
 * first; -1 if another node decided differently (*prev_dup, *prev_at set);
 * -2 on allocation failure. */
int hist__note_decision(history *h, uint64_t index, uint64_t d, bool *prev_dup,
                        uint64_t *prev_at);
/* Inline: every node's every apply comes here; the usual case is one load. */
static inline int hist_note_decision(history *h, uint64_t index, bool duplicate, uint64_t at,
                                     bool *prev_dup, uint64_t *prev_at)
{
    uint64_t d = (at << 1 | duplicate) + 1; /* never 0 */
    if (index < h->decided_cap && h->decided[index] == d)
        return 0;
    return hist__note_decision(h, index, d, prev_dup, prev_at);
}
/* The index where (session, seq) was first stored, 0 if it was not. */
uint64_t hist_stored_at(const history *h, uint32_t session, uint64_t seq);
/* The end-of-run check. Returns true if the history is fine; otherwise
 * fills v (kind SIM_V_HISTORY, detail). */
bool hist_check(const history *h, sim_violation *v);

#endif
