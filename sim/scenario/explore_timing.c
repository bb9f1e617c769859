/* explore_timing.c — what follows from one seed's draw (explore.c) so that
 * the run can pass: the open-loop write load capped at what the drawn
 * configuration can replicate (explore_feasible_load), and the timing — the
 * election timeout above the broadcast time, inflight-bytes, the length
 * of the liveness phase, the snapshot chunk (explore_derived_timing).
 * Integers only. */
#include "explore_int.h"

/* Round trip of one replication step: out and back (with the average extra
 * delay drops and reordering add), the follower's fsync, and a margin. */
static uint64_t round_trip_ns(const draw *d)
{
    return 2 * (d->latency_ns + d->delay_ns) + d->fsync_ns + MS;
}

/* The round trip replication sees: under a heavy tail FIFO links deliver
 * each message behind the slowest one sent before it, so the typical delay
 * is several times the mean (explore seed 72783: pareto 18.8 ms min,
 * 37.5 ms mean; one-way delays had a median of 148 ms and a p99 of
 * 1.95 s). */
static uint64_t effective_rtt_ns(const draw *d)
{
    return (is_on(d, EXD_HEAVY_TAIL) ? 4 : 1) * round_trip_ns(d);
}

/* Bytes an entry or a message carries beyond its payload (the encodings'
 * headers, rounded up). */
#define FRAME_BYTES 64

/* Feasibility: the liveness phase demands every write acknowledged, and the
 * writers invoke nothing new once it starts, so what the chaos phase left
 * unacknowledged must drain inside it. The open-loop load is therefore
 * capped at a quarter of what the drawn configuration can replicate:
 *  - in entries: entries per message x pipeline window per round trip;
 *  - in bytes, with bandwidth on: sum over writers of rate x (payload +
 *    framing) <= bandwidth / 4 on every link (each follower's link carries
 *    every entry once). A chaos phase of C seconds with no progress at all
 *    then leaves C/4 seconds of link time to drain (at most 2 s for the 8 s
 *    chaos phases of default.scn), well inside a liveness phase of 8 s or
 *    more. The bytes are summed per writer: an average payload over writers
 *    (as before) let a 60 KiB writer beside two small ones through at 60-75%
 *    of the link (explore seeds 37720, 42082, 42840, 92499, 93520).
 * Each writer keeps its share of the quarter in proportion to its drawn
 * bytes; a rate is never cut below 1/s (if the entries cap is below one a
 * second for each open-loop writer, they all become closed-loop with one
 * write in flight), and a writer over its byte share at 1/s gets a smaller
 * payload instead (a share below the 64 B framing can leave
 * it over by at most 65 B/s). Closed-loop writers are self-clocked (N in
 * flight) and leave at most N writes unacknowledged, but a follower that
 * missed a stretch catches up alone: their writes in flight are capped at
 * a quarter of the replication window (below). */
void explore_feasible_load(draw *d, writer *w, uint64_t n)
{
    uint64_t open = 0, open_writers = 0, payload = 0;
    for (uint64_t i = 0; i < n; i++) {
        open += w[i].rate;
        open_writers += w[i].rate != 0;
        payload += w[i].payload;
    }
    if (n == 0)
        return;
    payload = payload / n + FRAME_BYTES;
    uint64_t per_msg = d->max_bytes / payload;
    per_msg = per_msg < 1 ? 1 : per_msg > d->per_msg ? d->per_msg : per_msg;
    uint64_t rtt = effective_rtt_ns(d);
    uint64_t cap = per_msg * d->pipeline * SIM_NS_PER_S / rtt / 4;
    /* Below one write a second each (the rate's unit), the open-loop
     * writers become self-clocked, one write in flight: explore seed
     * 147984 (one entry a message, no pipelining, a pareto tail and 13 %
     * of messages held up to 1.3 s) kept three writers at 1/s each against
     * a quarter of what it replicates, and a follower never caught up. */
    for (uint64_t i = 0; cap < open_writers && i < n; i++)
        if (w[i].rate) {
            w[i].rate = 0;
            w[i].outstanding = 1;
            open = 0;
        }
    for (uint64_t i = 0; open > cap && i < n; i++)
        if (w[i].rate)
            w[i].rate = w[i].rate * cap / open ? w[i].rate * cap / open : 1;
    /* Closed-loop writes are acknowledged at the pace of the fastest
     * majority, while a follower that missed a stretch (cut off, deaf,
     * paused) catches up alone, at most a window of messages a round trip:
     * more writes in flight than a quarter of that window outrun it as an
     * open-loop load over the cap does (explore seed 178496: 64 KiB
     * records, one a message, no pipelining, 19 % of messages held up to
     * 1.3 s and 7 writes in flight; a follower deaf for 4 s was 42 entries
     * behind at the heal and caught up 30 in the 8.9 s liveness phase).
     * Each closed-loop writer's share is cut in proportion, to one at
     * least. */
    uint64_t window = per_msg * d->pipeline / 4, flying = 0;
    for (uint64_t i = 0; i < n; i++)
        flying += w[i].outstanding;
    for (uint64_t i = 0; flying > window && i < n; i++)
        if (w[i].outstanding)
            w[i].outstanding = w[i].outstanding * window / flying
                                   ? w[i].outstanding * window / flying : 1;
    uint64_t budget = d->bandwidth / 4, bytes = 0;
    for (uint64_t i = 0; i < n; i++)
        bytes += w[i].rate * (w[i].payload + FRAME_BYTES);
    for (uint64_t i = 0; d->bandwidth && bytes > budget && i < n; i++) {
        if (!w[i].rate)
            continue;
        uint64_t size = w[i].payload + FRAME_BYTES;
        uint64_t mine = (uint64_t)((unsigned __int128)budget * (w[i].rate * size) / bytes);
        w[i].rate = mine / size;
        if (!w[i].rate) { /* one write a second is over its share: a smaller payload */
            w[i].rate = 1;
            w[i].payload = mine > FRAME_BYTES ? mine - FRAME_BYTES : 1;
        }
    }
    /* The bytes written during the chaos phase (what a snapshot then
     * holds), writer by writer, as an upper bound: an average payload over
     * writers made a 12.7 KB writer beside a 250 B one count 6.5 KB a write
     * (explore seed 72783: 1.3 MB estimated, 1.9 MB written). A
     * closed-loop writer is counted at the plain round trip (the mean
     * latency, without the heavy tail or the reordering delay): most
     * messages take neither, so counting them made it far too slow
     * (explore seed 8663: 54 KB records one at a time under a pareto tail
     * and 17 % of messages held up to 1.9 s, counted at 0.7 writes a
     * second, 310 KB; about 1.5 MB was written, and the 5 KB chunks drawn
     * for it could not ship the snapshot in the liveness phase). */
    uint64_t plain_rtt = 2 * d->latency_ns + d->fsync_ns + MS;
    uint64_t per_s_bytes = 0;
    for (uint64_t i = 0; i < n; i++) {
        per_s_bytes += (w[i].rate + w[i].outstanding * SIM_NS_PER_S / plain_rtt) *
                       (w[i].payload + FRAME_BYTES);
        d->largest_payload = w[i].payload > d->largest_payload ? w[i].payload
                                                                : d->largest_payload;
    }
    d->written_bytes = per_s_bytes * (d->chaos_ns / SIM_NS_PER_S + 1);
}

/* How long a heartbeat can wait on a bandwidth-limited link behind what
 * flow control lets the leader queue ahead of it. A message holds at most
 * max-bytes of entries, or one entry alone when it is larger; the core
 * stops sending to a follower once its in-flight bytes reach inflight-bytes
 * (so at most inflight-bytes + one message) or its window of pipeline
 * messages is full. The draw sets inflight-bytes to twice the link's
 * bandwidth-delay product (all a window needs to keep the link busy; more
 * only queues), at least one message and at most the 256 KiB default, and
 * writes it out. 0 without bandwidth. Explore seed 93520: one 60 KB entry
 * took 248 ms on a 240 KB/s link against a 150 ms election timeout, and
 * after the heal a new leader rose every ~250 ms, truncating the last one's
 * entry. */
static uint64_t wire_wait_ns(draw *d)
{
    if (!d->bandwidth)
        return 0;
    uint64_t payload = d->largest_payload + FRAME_BYTES;
    uint64_t msg = (d->max_bytes > payload ? d->max_bytes : payload) + FRAME_BYTES;
    uint64_t bdp2 = (uint64_t)((unsigned __int128)2 * d->bandwidth * round_trip_ns(d) /
                               SIM_NS_PER_S);
    uint64_t inflight = bdp2 < msg ? msg : bdp2 > 256 << 10 ? 256 << 10 : bdp2;
    fputs("inflight-bytes ", d->out);
    scn_write_size(d->out, inflight);
    fputc('\n', d->out);
    uint64_t queued = d->pipeline * msg < inflight + msg ? d->pipeline * msg : inflight + msg;
    return (uint64_t)((unsigned __int128)queued * SIM_NS_PER_S / d->bandwidth);
}

/* Timing that follows from the draw: the election timeout well above the
 * broadcast time (paper §5.6: broadcastTime << electionTimeout), a
 * liveness phase of at least ten maximal election timeouts, and an
 * InstallSnapshot chunk large enough to ship the state within the liveness
 * phase (a quarter of it, one chunk per round trip). */
void explore_derived_timing(draw *d)
{
    uint64_t et = 150 * MS, spread = 1000000; /* the defaults: 150ms..300ms */
    uint64_t et_max = 300 * MS, beat = 50 * MS; /* and the default heartbeat */
    rng r = dim_stream(d, EXD_ELECTION_TIMEOUT);
    bool drawn = is_on(d, EXD_ELECTION_TIMEOUT);
    if (drawn) {
        et = pick_duration(&r, part(d, EXD_ELECTION_TIMEOUT, 0));
        spread = pick(&r, part(d, EXD_ELECTION_TIMEOUT, 1));
    }
    /* Four mean one-way delays (candidates may still overlap, as in
     * tests/bugcheck/elections3.scn), ten under a heavy tail. */
    uint64_t floor = (is_on(d, EXD_HEAVY_TAIL) ? 10 : 4) * (d->latency_ns + d->delay_ns);
    floor += 2 * wire_wait_ns(d); /* and twice a heartbeat's wait behind the queue */
    if (drawn || floor > et) {
        et = floor > et ? floor : et;
        et -= et % MS;
        uint64_t max = et + et / 1000 * (spread / 1000), hb = et / 3 - (et / 3) % MS;
        max -= max % MS;
        /* The narrowest spread drawn: two broadcast times (paper §5.6: out and
         * back on average, 2 x (mean latency + mean reorder hold-back), plus
         * the mean fsync; a bandwidth limit's wire time is in the floor
         * above). Below one, every candidate's RequestVote is still in flight
         * when the others time out and split votes can outlast the liveness
         * phase (explore 72783, 73283: 6 nodes, spreads of 19-20 ms under
         * broadcast times of 72-76 ms). With 7 nodes over 5-10 ms links
         * (broadcast 15.7 ms) no leader for 1 s in 48 of 300 seeds at an 8 ms
         * spread, 1 at 16 ms, none at 24 or 32 ms. Narrow spreads still split
         * votes; the connected-majority check judges only spreads of
         * SIM_TIMING_FACTOR broadcast times. Under a heavy tail the latency
         * is the one replication sees (effective_rtt_ns: four times the
         * mean): explore seed 60414, two nodes under a pareto tail of mean
         * 39 ms (one-way delays had a mean of 68 ms, a p90 of 124 ms), drew
         * 401..562 ms, the spread of two broadcast times at the mean; the
         * follower behind after the heal could not win, and the two timed
         * out within a one-way delay of each other for 5.6 s of the 8.5 s
         * liveness phase. */
        uint64_t tail = is_on(d, EXD_HEAVY_TAIL) ? 4 : 1;
        uint64_t narrowest =
            2 * (2 * (tail * d->latency_ns + d->hold_ns) + d->fsync_mean_ns);
        if (max - et < narrowest)
            max = et + narrowest + (MS - narrowest % MS) % MS;
        et_max = max > et ? max : et + MS;
        put_duration(d->out, "election-timeout ", et);
        put_duration(d->out, " ", et_max);
        beat = hb ? hb : MS;
        put_duration(d->out, "\nheartbeat ", beat);
        fputc('\n', d->out);
    }
    /* The liveness phase lasts at least the period over which the
     * connected-majority check judges Raft's promise (liveness_majority.c:
     * ten maximal election timeouts): a draw whose timing the rules above
     * made slow gets the time its elections and catch-up need (explore
     * seed 140609: 18.9 % of messages held up to 1.93 s, 744..1,488 ms
     * timeouts; no leader for 4.6 s after the heal, and the follower 11
     * entries short at the drawn deadline of 8 s). */
    if (d->within_ns && d->within_ns < SIM_CONNECTED_PERIOD_TIMEOUTS * et_max) {
        d->within_ns = SIM_CONNECTED_PERIOD_TIMEOUTS * et_max;
        d->duration_ns = d->chaos_ns + d->within_ns;
    }
    /* A chunk's round trip (effective_rtt_ns: 36 KB chunks, one a round
     * trip, could not ship 1.9 MB in any leadership of explore seed
     * 72783's liveness phase); and a chunk or its reply lost (twice the
     * drop rate) waits for the leader's retransmission timer, which its
     * heartbeat ticks check: one to two heartbeat intervals, twice that
     * once backed off (explore seed 21478: 4.4 % loss, a 97 ms heartbeat,
     * a 5 MB snapshot in 32 KB chunks, one in flight: 16 losses cost 2.5 s,
     * longer than the leadership). */
    uint64_t within = d->within_ns ? d->within_ns : d->chaos_ns;
    uint64_t chunk_rtt = effective_rtt_ns(d) +
                         2 * d->drop_ppm * (4 * beat) / 1000000;
    uint64_t need = d->written_bytes / (within / chunk_rtt / 4 + 1) + 1;
    uint64_t chunk = d->chunk > need ? d->chunk : need;
    /* On a bandwidth-limited link one chunk must cross within a heartbeat
     * interval (et / 3): links are FIFO, so a heartbeat queued behind a
     * chunk waits its wire time, and a follower receiving a snapshot hears
     * nothing else meanwhile. A chunk longer on the wire than the election
     * timeout makes the follower campaign during every chunk, and each new
     * term restarts the transfer (chunks of another term are never
     * assembled): seed 97921 drew 1,635,969 B at 7,511,317 B/s = 218 ms
     * against a 150 ms timeout, 47799 1,173,924 B at 2,391,490 B/s =
     * 491 ms against 150 ms, 7970 176,431 B at 303,791 B/s = 581 ms against
     * 127 ms. Capped at bandwidth x et / 3, a chunk delays a heartbeat by
     * at most one interval. Shipping the state stays feasible: its bytes
     * are the bytes written, and explore_feasible_load caps the open-loop write
     * load at a quarter of the bandwidth (closed-loop writers are clocked
     * by the link); smaller chunks only add per-chunk round trips, which
     * the chunk window (inflight-bytes / chunk, up to the pipeline) overlaps. */
    uint64_t beat_cap = (uint64_t)((unsigned __int128)d->bandwidth * (et / 3) / SIM_NS_PER_S);
    if (d->bandwidth && chunk > beat_cap)
        chunk = beat_cap ? beat_cap : 1;
    fputs("snapshot-chunk ", d->out);
    scn_write_size(d->out, chunk < UINT32_MAX ? chunk : UINT32_MAX);
    fputc('\n', d->out);
}
