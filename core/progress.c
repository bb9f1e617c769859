/* progress.c — follower progress: states, the in-flight window, the
 * retransmission timer (see progress.h for the rules). */
#include "progress.h"

#include <assert.h>
#include <string.h>

void raft_progress_init(raft_progress *pr, uint32_t mask, uint64_t next)
{
    assert(next >= 1 && mask < RAFT_MAX_WINDOW && ((mask + 1) & mask) == 0);
    memset(pr, 0, sizeof *pr);
    pr->mask = mask;
    pr->next = next;
    pr->state = PROGRESS_PROBE;
}

static void window_clear(raft_progress *pr)
{
    pr->head = pr->count = 0;
    pr->bytes = 0;
}

void raft_progress_sent(raft_progress *pr, uint64_t seq, uint64_t last_index, uint64_t bytes,
                   uint64_t now)
{
    assert(pr->state != PROGRESS_SNAPSHOT);
    assert(pr->count <= pr->mask); /* the ring has room */
    assert(last_index + 1 >= pr->next);
    if (pr->count == 0)
        pr->timer_ns = now;
    pr->count++;
    *raft_progress_at(pr, pr->count - 1) = (raft_inflight){seq, last_index, now, bytes};
    pr->bytes += bytes;
    if (pr->state == PROGRESS_REPLICATE)
        pr->next = last_index + 1;
}

/* RFC 6298 §2 in integers: SRTT += (R - SRTT) / 8, RTTVAR += (|R - SRTT| - RTTVAR) / 4. */
void raft_rtt_update(uint64_t *srtt_ns, uint64_t *rttvar_ns, uint64_t rtt)
{
    if (*srtt_ns == 0) {
        *srtt_ns = rtt ? rtt : 1;
        *rttvar_ns = rtt / 2;
        return;
    }
    uint64_t dev = rtt > *srtt_ns ? rtt - *srtt_ns : *srtt_ns - rtt;
    *rttvar_ns = *rttvar_ns - *rttvar_ns / 4 + dev / 4;
    *srtt_ns = *srtt_ns - *srtt_ns / 8 + rtt / 8;
    if (*srtt_ns == 0)
        *srtt_ns = 1;
}

uint64_t raft_progress_rtt_sample(raft_progress *pr, uint64_t seq, uint64_t now)
{
    for (uint32_t i = 0; i < pr->count; i++) {
        const raft_inflight *f = raft_progress_at(pr, i);
        if (f->seq == seq) {
            raft_rtt_update(&pr->srtt_ns, &pr->rttvar_ns, now - f->sent_ns);
            return now - f->sent_ns;
        }
    }
    return UINT64_MAX;
}

bool raft_progress_acked(raft_progress *pr, uint64_t match, uint64_t now)
{
    uint32_t freed = 0;
    while (pr->count && raft_progress_at(pr, 0)->last_index <= match) {
        assert(pr->bytes >= raft_progress_at(pr, 0)->bytes);
        pr->bytes -= raft_progress_at(pr, 0)->bytes;
        pr->head = (pr->head + 1) & pr->mask;
        pr->count--;
        freed++;
    }
    if (!pr->count)
        pr->head = 0;
    if (freed) {
        pr->timer_ns = now; /* RFC 6298 §5.3: progress restarts the timer */
        pr->backoff = 0;
    }
    return freed > 0;
}

bool raft_progress_reject_stale(const raft_progress *pr, uint64_t match, uint64_t rejected)
{
    switch (pr->state) {
    case PROGRESS_PROBE:
        return rejected != pr->next - 1;
    case PROGRESS_REPLICATE:
        return rejected <= match;
    case PROGRESS_SNAPSHOT:
        return true;
    }
    assert(0 && "unknown progress state");
    return true;
}

void raft_progress_become_probe(raft_progress *pr, uint64_t match, uint64_t next)
{
    assert(next >= match + 1);
    pr->state = PROGRESS_PROBE;
    pr->next = next;
    window_clear(pr);
}

void raft_progress_become_replicate(raft_progress *pr, uint64_t match)
{
    assert(pr->state == PROGRESS_PROBE);
    pr->state = PROGRESS_REPLICATE;
    if (pr->next < match + 1)
        pr->next = match + 1;
    /* The probe may still be on its way: keep it in the window, and send
     * after it rather than the same entries again. */
    for (uint32_t i = 0; i < pr->count; i++)
        if (raft_progress_at(pr, i)->last_index + 1 > pr->next)
            pr->next = raft_progress_at(pr, i)->last_index + 1;
}

void raft_progress_become_snapshot(raft_progress *pr)
{
    pr->state = PROGRESS_SNAPSHOT;
    window_clear(pr);
}

uint64_t raft_rto_of(uint64_t srtt_ns, uint64_t rttvar_ns, uint32_t backoff,
                     const raft_progress_limits *lim)
{
    uint64_t rto = srtt_ns + 4 * rttvar_ns;
    if (rto < lim->rto_min_ns)
        rto = lim->rto_min_ns;
    for (uint32_t i = 0; i < backoff && rto < lim->rto_max_ns; i++)
        rto *= 2;
    return rto < lim->rto_max_ns ? rto : lim->rto_max_ns;
}

uint64_t raft_progress_rto(const raft_progress *pr, const raft_progress_limits *lim)
{
    return raft_rto_of(pr->srtt_ns, pr->rttvar_ns, pr->backoff, lim);
}

bool raft_progress_timed_out(const raft_progress *pr, const raft_progress_limits *lim, uint64_t now)
{
    return pr->count > 0 && now - pr->timer_ns >= raft_progress_rto(pr, lim);
}

void raft_progress_backoff(raft_progress *pr)
{
    if (pr->backoff < RAFT_MAX_BACKOFF)
        pr->backoff++;
}
