/* progress.h — the leader's view of one follower's log, as etcd's
 * tracker.Progress: an explicit state, nextIndex, the window of
 * AppendEntries in flight (bounded in messages and in bytes) and the
 * retransmission timer. Pure bookkeeping: it sends nothing and knows no
 * node; raft_replication.c drives it. matchIndex lives in the node's own
 * array (the commit rule scans it), so functions that need it take it.
 *
 * States and transitions (M = matchIndex, N = nextIndex):
 *   PROBE --success that confirms N - 1--> REPLICATE  (paper §5.3)
 *   REPLICATE --rejection not older than M, or timeout--> PROBE at the hint / M + 1
 *   PROBE/REPLICATE --N - 1 compacted away--> SNAPSHOT
 *   SNAPSHOT --installed--> PROBE at the snapshot index + 1
 *
 * Retransmission (documented rule): the oldest AppendEntries in flight is
 * presumed lost when no acknowledgement has freed any of the window for
 * one RTO. The timer restarts on every acknowledgement that frees some
 * of the window (RFC 6298 §5.3), so a window draining slowly through a
 * narrow link — each message waiting behind the bytes queued before it —
 * is never declared lost while it drains. RTO = max(heartbeat,
 * SRTT + 4 RTTVAR) << backoff, capped at retransmit_max; the smoothed
 * round trip is measured per message (the reply echoes its seq, so a
 * retransmission is never mistaken for its original: no Karn ambiguity)
 * and so includes the time spent queued behind the bytes in flight;
 * backoff doubles on every timeout and resets on progress. */
#ifndef RAFT_PROGRESS_H
#define RAFT_PROGRESS_H

#include <stdbool.h>
#include <stdint.h>

#define RAFT_MAX_WINDOW 32u   /* cap on cfg.pipeline_window */
#define RAFT_MAX_BACKOFF 16u  /* the RTO doubles at most this many times */

enum progress_state {
    PROGRESS_PROBE,     /* one AppendEntries in flight, resent on timeout (paper §5.3) */
    PROGRESS_REPLICATE, /* a window in flight, nextIndex advanced optimistically */
    PROGRESS_SNAPSHOT,  /* sending InstallSnapshot chunks, one in flight (paper §7) */
};

typedef struct raft_inflight {
    uint64_t seq, last_index, sent_ns;
    uint64_t bytes; /* payload bytes of the entries it carries */
} raft_inflight;

typedef struct raft_progress {
    uint64_t next;              /* nextIndex (paper Figure 2) */
    enum progress_state state;
    uint32_t head, count;       /* in-flight ring: oldest at head, mask + 1 slots */
    uint32_t mask;
    uint32_t backoff;           /* timeouts since the last progress (RTO exponent) */
    uint64_t bytes;             /* payload bytes in flight */
    uint64_t timer_ns;          /* retransmission timer start (valid while count > 0) */
    uint64_t srtt_ns, rttvar_ns; /* smoothed round trip; srtt 0: no sample yet */
    raft_inflight ring[RAFT_MAX_WINDOW];
} raft_progress;

/* Limits a progress needs from the configuration. */
typedef struct raft_progress_limits {
    uint32_t window;      /* messages in flight in REPLICATE */
    uint64_t bytes;       /* payload bytes in flight in REPLICATE */
    uint64_t rto_min_ns;  /* the heartbeat interval */
    uint64_t rto_max_ns;  /* retransmit_max */
} raft_progress_limits;

/* A new leadership: probe from `next`, nothing in flight, no round trip known. */
void raft_progress_init(raft_progress *pr, uint32_t mask, uint64_t next);

/* The window's i-th oldest message. */
static inline raft_inflight *raft_progress_at(raft_progress *pr, uint32_t i)
{
    return &pr->ring[(pr->head + i) & pr->mask];
}

/* Whether nothing more may be sent now: in PROBE while the probe is out, in
 * REPLICATE while the window is full in messages or in bytes, in SNAPSHOT
 * always (chunks have their own window). */
static inline bool raft_progress_paused(const raft_progress *pr, const raft_progress_limits *lim)
{
    if (pr->state == PROGRESS_REPLICATE)
        return pr->count >= lim->window || pr->bytes >= lim->bytes;
    return pr->state == PROGRESS_SNAPSHOT || pr->count > 0;
}

/* An AppendEntries covering (next - 1, last_index] went out; in REPLICATE
 * nextIndex moves past it at once (optimistic). */
void raft_progress_sent(raft_progress *pr, uint64_t seq, uint64_t last_index, uint64_t bytes,
                   uint64_t now);

/* The round trip of the AppendEntries `seq` if it is in the window (the
 * smoothed estimate takes it), else UINT64_MAX. */
uint64_t raft_progress_rtt_sample(raft_progress *pr, uint64_t seq, uint64_t now);

/* A success showed the follower holds everything up to `match` (the new
 * matchIndex): free the window up to it; if that freed anything (progress)
 * restart the timer and end the backoff, and return true. */
bool raft_progress_acked(raft_progress *pr, uint64_t match, uint64_t now);

/* Etcd's staleness test for a rejection of the AppendEntries whose
 * prevLogIndex was `rejected`: in PROBE only the probe's own (N - 1) is
 * current; in REPLICATE anything at or below matchIndex is already known to
 * match, so the rejection predates that knowledge; in SNAPSHOT every
 * AppendEntries answer is stale. */
bool raft_progress_reject_stale(const raft_progress *pr, uint64_t match, uint64_t rejected);

/* To PROBE from `next` (>= match + 1), with nothing in flight. */
void raft_progress_become_probe(raft_progress *pr, uint64_t match, uint64_t next);
/* To REPLICATE: the follower matches up to nextIndex - 1; what is still in
 * flight beyond matchIndex stays in the window and nextIndex moves past it. */
void raft_progress_become_replicate(raft_progress *pr, uint64_t match);
/* To SNAPSHOT: the AppendEntries in flight no longer matter. */
void raft_progress_become_snapshot(raft_progress *pr);

/* RFC 6298 §2 in integers: fold a round-trip sample into a smoothed
 * estimate (srtt 0: none yet). Shared with the snapshot transfer, which
 * times its chunks separately (raft_snapshot.c). */
void raft_rtt_update(uint64_t *srtt_ns, uint64_t *rttvar_ns, uint64_t rtt);
/* max(rto_min, srtt + 4 rttvar) << backoff, capped at rto_max. */
uint64_t raft_rto_of(uint64_t srtt_ns, uint64_t rttvar_ns, uint32_t backoff,
                     const raft_progress_limits *lim);

/* The retransmission timeout now (see the rule above). */
uint64_t raft_progress_rto(const raft_progress *pr, const raft_progress_limits *lim);
/* Whether the oldest message in flight is presumed lost at `now`. */
bool raft_progress_timed_out(const raft_progress *pr, const raft_progress_limits *lim, uint64_t now);
/* A timeout: back off (the next RTO doubles, up to the cap). */
void raft_progress_backoff(raft_progress *pr);

#endif
