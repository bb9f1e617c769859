/* explore.c — draw one seed's run from a swarm space (explore.h).
 *
 * Stage 1 (swarm): one stream, RNG_STREAM_EXPLORE, decides for every
 * dimension in table order whether this seed switches it on (one draw per
 * dimension whatever its chance, so changing one chance never moves
 * another's decision). Stage 2: each dimension draws its values from its own
 * stream, so switching one dimension on or off never changes another's
 * values. The draw is written as scenario text: every setting explicit (a
 * dimension that is off is written as the feature off or the fault absent),
 * random faults as a chaos block, one-off faults as `at` lines. What the draw
 * implies for the load and the timing is explore_timing.c's. */
#include <assert.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "explore_int.h"

/* Two durations from a range, as LO..HI of a chaos line. */
static void pick_duration_pair(rng *r, const explore_range *x, uint64_t *lo, uint64_t *hi)
{
    uint64_t a = pick_duration(r, x), b = pick_duration(r, x);
    *lo = a < b ? a : b;
    *hi = a < b ? b : a;
}

static void add_at(draw *d, uint64_t t_ns, const char *text)
{
    if (d->n_at == EXPLORE_MAX_SCRIPTED || t_ns >= d->duration_ns)
        return;
    at_line *a = &d->at[d->n_at];
    snprintf(a->text, sizeof a->text, "%s", text);
    a->t_ns = t_ns;
    a->order = d->n_at++;
}

static void cluster_and_raft(draw *d)
{
    rng r = dim_stream(d, EXD_NODES);
    d->n_nodes = (uint32_t)pick(&r, part(d, EXD_NODES, 0));
    if (is_on(d, EXD_BIG_CLUSTER)) {
        r = dim_stream(d, EXD_BIG_CLUSTER);
        d->n_nodes = (uint32_t)pick(&r, part(d, EXD_BIG_CLUSTER, 0));
    }
    fprintf(d->out, "nodes %" PRIu32 "\n", d->n_nodes);
    fprintf(d->out, "prevote %s\n", is_on(d, EXD_PREVOTE) ? "on" : "off");
    fprintf(d->out, "checkquorum %s\n", is_on(d, EXD_CHECKQUORUM) ? "on" : "off");
    fprintf(d->out, "heartbeat-idle-only %s\n", is_on(d, EXD_HEARTBEAT_IDLE_ONLY) ? "on" : "off");
    r = dim_stream(d, EXD_BATCH);
    d->per_msg = is_on(d, EXD_BATCH) ? pick(&r, part(d, EXD_BATCH, 0)) : 1;
    fprintf(d->out, "batch %" PRIu64 "\n", d->per_msg);
    r = dim_stream(d, EXD_MAX_BYTES);
    d->max_bytes = is_on(d, EXD_MAX_BYTES) ? pick(&r, part(d, EXD_MAX_BYTES, 0)) : 64 << 10;
    fputs("max-bytes ", d->out);
    scn_write_size(d->out, d->max_bytes);
    r = dim_stream(d, EXD_PIPELINE);
    d->pipeline = is_on(d, EXD_PIPELINE) ? pick(&r, part(d, EXD_PIPELINE, 0)) : 1;
    fprintf(d->out, "\npipeline %" PRIu64 "\n", d->pipeline);
    r = dim_stream(d, EXD_SNAPSHOT);
    if (is_on(d, EXD_SNAPSHOT)) {
        uint64_t every = pick_wide(&r, part(d, EXD_SNAPSHOT, 0)); /* log-uniform */
        uint64_t keep = pick(&r, part(d, EXD_SNAPSHOT, 1));
        fprintf(d->out, "snapshot every %" PRIu64 " keep %" PRIu64 "\n", every,
                keep < every ? keep : every - 1);
    } else {
        fputs("snapshot off\n", d->out);
    }
    r = dim_stream(d, EXD_SNAPSHOT_CHUNK);
    d->chunk = is_on(d, EXD_SNAPSHOT_CHUNK) ? pick(&r, part(d, EXD_SNAPSHOT_CHUNK, 0)) : 16 << 10;
}

static void network_and_disks(draw *d)
{
    uint64_t lat_lo = MS, lat_hi = MS;
    rng r = dim_stream(d, EXD_LATENCY);
    if (is_on(d, EXD_LATENCY))
        pick_duration_pair(&r, part(d, EXD_LATENCY, 0), &lat_lo, &lat_hi);
    r = dim_stream(d, EXD_HEAVY_TAIL);
    if (is_on(d, EXD_HEAVY_TAIL)) {
        /* Pareto with the drawn mean; the minimum is the latency's lower end
         * but at least mean/2 (tail index >= 2: heavy, infinite variance,
         * yet a run's messages arrive within the liveness phase). */
        uint64_t mean = pick_duration(&r, part(d, EXD_HEAVY_TAIL, 0));
        uint64_t min = lat_lo > mean / 2 ? lat_lo : mean / 2;
        min = min ? min : US;
        d->latency_ns = mean > min ? mean : min + US;
        put_duration(d->out, "latency pareto ", min);
        put_duration(d->out, " ", d->latency_ns);
    } else if (lat_lo == lat_hi) {
        put_duration(d->out, "latency const ", lat_lo);
    } else {
        put_duration(d->out, "latency uniform ", lat_lo);
        put_duration(d->out, " ", lat_hi);
    }
    if (!is_on(d, EXD_HEAVY_TAIL))
        d->latency_ns = (lat_lo + lat_hi) / 2;
    fputc('\n', d->out);
    static const struct { int dim; const char *cmd; } rates[] = {
        { EXD_DROP, "drop " }, { EXD_DUPLICATE, "duplicate " },
    };
    for (size_t i = 0; i < sizeof rates / sizeof *rates; i++) {
        r = dim_stream(d, rates[i].dim);
        uint32_t ppm = is_on(d, rates[i].dim) ? (uint32_t)pick(&r, part(d, rates[i].dim, 0)) : 0;
        fputs(rates[i].cmd, d->out);
        scn_write_percent(d->out, ppm);
        fputc('\n', d->out);
        if (rates[i].dim == EXD_DROP) { /* a lost message waits for a heartbeat */
            d->delay_ns += ppm * (50 * MS) / 1000000;
            d->drop_ppm = ppm;
        }
    }
    r = dim_stream(d, EXD_REORDER);
    if (is_on(d, EXD_REORDER)) {
        uint32_t ppm = (uint32_t)pick(&r, part(d, EXD_REORDER, 0));
        uint64_t delay = pick_duration(&r, part(d, EXD_REORDER, 1));
        d->delay_ns += ppm * (delay / 2) / 1000000;
        d->hold_ns = ppm * (delay / 2) / 1000000;
        fputs("reorder ", d->out);
        scn_write_percent(d->out, ppm);
        put_duration(d->out, " ", delay);
        fputc('\n', d->out);
    }
    r = dim_stream(d, EXD_BANDWIDTH);
    if (is_on(d, EXD_BANDWIDTH)) {
        d->bandwidth = pick(&r, part(d, EXD_BANDWIDTH, 0));
        fputs("bandwidth ", d->out);
        scn_write_size(d->out, d->bandwidth);
        fputs("/s\n", d->out);
    } else {
        fputs("bandwidth off\n", d->out);
    }
    uint64_t f_lo = MS, f_hi = MS;
    r = dim_stream(d, EXD_FSYNC);
    if (is_on(d, EXD_FSYNC))
        pick_duration_pair(&r, part(d, EXD_FSYNC, 0), &f_lo, &f_hi);
    d->fsync_ns = f_hi;
    d->fsync_mean_ns = f_lo + (f_hi - f_lo) / 2;
    put_duration(d->out, f_lo == f_hi ? "fsync const " : "fsync uniform ", f_lo);
    if (f_lo != f_hi)
        put_duration(d->out, " ", f_hi);
    fprintf(d->out, "\ntorn-writes %s\nclient-links like-peers  # as the space was designed\n",
            is_on(d, EXD_TORN_WRITES) ? "on" : "off");
}

static void clients(draw *d)
{
    uint32_t c = 0;
    uint64_t timeout = 0;
    rng r = dim_stream(d, EXD_CLIENT_TIMEOUT);
    if (is_on(d, EXD_CLIENT_TIMEOUT))
        timeout = pick_duration(&r, part(d, EXD_CLIENT_TIMEOUT, 0));
    rng wr = dim_stream(d, EXD_WRITERS), cl = dim_stream(d, EXD_CLOSED_LOOP);
    rng big = dim_stream(d, EXD_BIG_PAYLOAD);
    writer w[16] = { { 0 } };
    uint64_t writers = is_on(d, EXD_WRITERS) ? pick(&wr, part(d, EXD_WRITERS, 0)) : 0;
    assert(writers <= 16);
    for (uint64_t i = 0; i < writers; i++) {
        /* With closed-loop on, each writer is closed-loop with chance 1/2. */
        if (is_on(d, EXD_CLOSED_LOOP) && rng_below(&cl, 2))
            w[i].outstanding = pick(&cl, part(d, EXD_CLOSED_LOOP, 0));
        else
            w[i].rate = pick(&wr, part(d, EXD_WRITERS, 1));
        w[i].payload = pick(&wr, part(d, EXD_WRITERS, 2));
        if (i == 0 && is_on(d, EXD_BIG_PAYLOAD))
            w[i].payload = pick(&big, part(d, EXD_BIG_PAYLOAD, 0));
    }
    explore_feasible_load(d, w, writers);
    for (uint64_t i = 0; i < writers; i++) {
        fprintf(d->out, "client c%" PRIu32 " writer ", ++c);
        if (w[i].outstanding)
            fprintf(d->out, "outstanding %" PRIu64, w[i].outstanding);
        else
            fprintf(d->out, "rate %" PRIu64 "/s", w[i].rate);
        fputs(" payload ", d->out);
        scn_write_size(d->out, w[i].payload);
        if (timeout)
            put_duration(d->out, " timeout ", timeout);
        fputc('\n', d->out);
    }
    r = dim_stream(d, EXD_READERS);
    uint64_t readers = is_on(d, EXD_READERS) ? pick(&r, part(d, EXD_READERS, 0)) : 0;
    for (uint64_t i = 0; i < readers; i++) {
        fprintf(d->out, "client c%" PRIu32 " reader rate %" PRIu64 "/s", ++c,
                pick(&r, part(d, EXD_READERS, 1)));
        if (timeout)
            put_duration(d->out, " timeout ", timeout);
        fputc('\n', d->out);
    }
}


/* The phases' lengths; written by write_phases once the timing that may
 * lengthen the liveness phase is known (explore_derived_timing). */
static void phases(draw *d)
{
    rng r = dim_stream(d, EXD_CHAOS_PHASE);
    d->chaos_ns = pick_duration(&r, part(d, EXD_CHAOS_PHASE, 0));
    r = dim_stream(d, EXD_LIVENESS);
    d->within_ns = is_on(d, EXD_LIVENESS) ? pick_duration(&r, part(d, EXD_LIVENESS, 0)) : 0;
    d->duration_ns = d->chaos_ns + d->within_ns;
}

static void write_phases(draw *d)
{
    put_duration(d->out, "duration ", d->duration_ns);
    if (d->within_ns) {
        put_duration(d->out, "\nliveness heal-at ", d->chaos_ns);
        put_duration(d->out, " within ", d->within_ns);
        fputc('\n', d->out);
    } else {
        fputs("\nliveness off\n", d->out);
    }
}

/* "every MEAN [for LO..HI]" lines of the chaos block, from one dimension. */
static void chaos_every_for(draw *d, int dim, const char *cmd)
{
    rng r = dim_stream(d, dim);
    uint64_t lo, hi;
    put_duration(d->out, cmd, pick_duration(&r, part(d, dim, 0)));
    pick_duration_pair(&r, part(d, dim, 1), &lo, &hi);
    put_duration(d->out, " for ", lo);
    put_duration(d->out, "..", hi);
    fputc('\n', d->out);
}

static void chaos_block(draw *d)
{
    static const int kinds[] = { EXD_TRANSFER, EXD_PARTITION, EXD_ISOLATE, EXD_CUT,
                                 EXD_DROP_BURST, EXD_CRASH, EXD_PAUSE, EXD_DRIFT };
    bool any = false;
    for (size_t i = 0; i < sizeof kinds / sizeof *kinds; i++)
        any |= is_on(d, kinds[i]);
    if (!any)
        return;
    fputs("chaos {\n", d->out);
    rng r = dim_stream(d, EXD_TRANSFER);
    if (is_on(d, EXD_TRANSFER)) {
        put_duration(d->out, "    transfer every ", pick_duration(&r, part(d, EXD_TRANSFER, 0)));
        fputc('\n', d->out);
    }
    if (is_on(d, EXD_PARTITION))
        chaos_every_for(d, EXD_PARTITION, "    partition every ");
    if (is_on(d, EXD_ISOLATE))
        chaos_every_for(d, EXD_ISOLATE, "    isolate every ");
    if (is_on(d, EXD_CUT))
        chaos_every_for(d, EXD_CUT, "    cut every ");
    if (is_on(d, EXD_PAUSE))
        chaos_every_for(d, EXD_PAUSE, "    pause every ");
    r = dim_stream(d, EXD_DROP_BURST);
    if (is_on(d, EXD_DROP_BURST)) {
        put_duration(d->out, "    drop-burst every ", pick_duration(&r, part(d, EXD_DROP_BURST, 0)));
        fputc(' ', d->out);
        scn_write_percent(d->out, (uint32_t)pick(&r, part(d, EXD_DROP_BURST, 1)));
        put_duration(d->out, " for ", pick_duration(&r, part(d, EXD_DROP_BURST, 2)));
        fputc('\n', d->out);
    }
    r = dim_stream(d, EXD_CRASH);
    if (is_on(d, EXD_CRASH)) {
        uint64_t lo, hi;
        put_duration(d->out, "    crash every ", pick_duration(&r, part(d, EXD_CRASH, 0)));
        pick_duration_pair(&r, part(d, EXD_CRASH, 1), &lo, &hi);
        put_duration(d->out, " down ", lo);
        put_duration(d->out, "..", hi);
        fputs(" leader ", d->out);
        scn_write_percent(d->out, (uint32_t)pick(&r, part(d, EXD_CRASH, 2)));
        fputc('\n', d->out);
    }
    r = dim_stream(d, EXD_DRIFT);
    if (is_on(d, EXD_DRIFT)) {
        put_duration(d->out, "    drift every ", pick_duration(&r, part(d, EXD_DRIFT, 0)));
        fprintf(d->out, " max %" PRIu64 "ppm\n", pick(&r, part(d, EXD_DRIFT, 1)));
    }
    put_duration(d->out, "    from 0 until ", d->chaos_ns);
    fputs("\n}\n", d->out);
}

/* Faults restricted to one class of Raft message (the language's `drop 5%
 * append.replies`, `reorder 10% vote.requests delay 200ms..2s`, net.h), set
 * at a time in the chaos phase's first quarter and lifted by the heal: a
 * RequestVote late behind the election it belonged to, heartbeats lost
 * while appends get through, duplicated snapshot chunks. Each fault draws
 * its class, its kind, the share of the class's messages it hits and, for
 * delay and reorder, an extra delay LO..HI. */
static void class_faults(draw *d)
{
    static const char *const classes[] = { "vote.requests",     "vote.replies",
                                           "append.requests",   "append.replies",
                                           "snapshot.requests", "snapshot.replies",
                                           "timeout-now" };
    enum { DROP, DUPLICATE, DELAY, REORDER, KINDS };
    static const char *const kinds[KINDS] = { "drop", "duplicate", "delay", "reorder" };
    rng r = dim_stream(d, EXD_CLASS_FAULT);
    if (!is_on(d, EXD_CLASS_FAULT))
        return;
    /* The connected-majority check models each link's own faults, not
     * these (in a trial, 30 % of AppendEntries requests held up to 380 ms
     * deposed every leader of a connected majority): the heal's check
     * judges the run instead. */
    fputs("liveness connected-majority off  # class faults: beyond its model\n", d->out);
    uint64_t n = pick(&r, part(d, EXD_CLASS_FAULT, 0));
    uint64_t t = rng_below(&r, d->chaos_ns / 4 + 1);
    for (uint64_t i = 0; i < n; i++) {
        const char *cls = classes[rng_below(&r, sizeof classes / sizeof *classes)];
        size_t kind = rng_below(&r, KINDS);
        uint32_t ppm = (uint32_t)pick(&r, part(d, EXD_CLASS_FAULT, 1));
        uint64_t lo, hi;
        pick_duration_pair(&r, part(d, EXD_CLASS_FAULT, 2), &lo, &hi);
        char line[96] = "";
        FILE *f = fmemopen(line, sizeof line, "w");
        assert(f && "a fixed buffer cannot fail to open");
        fprintf(f, "set %s ", kinds[kind]);
        scn_write_percent(f, ppm);
        fprintf(f, " %s", cls);
        if (kind == DELAY || kind == REORDER) { /* delay keeps the link's FIFO order */
            put_duration(f, kind == REORDER ? " delay " : " ", lo);
            put_duration(f, "..", hi);
        }
        fclose(f);
        add_at(d, t, line);
    }
}

/* One-off faults the chaos block has no line for, as `at` lines inside the
 * chaos phase: non-transitive partial partitions (one pair cut both ways
 * while both still reach everyone else), a whole-cluster restart, clock
 * jumps, faults of one message class. */
static void scripted_faults(draw *d)
{
    class_faults(d);
    /* A deaf node: every peer's link into it cut one way, so it hears no
     * leader but its requests still reach the others (thesis §4.2.3, §9.6). */
    rng r = dim_stream(d, EXD_DEAF);
    if (is_on(d, EXD_DEAF) && d->n_nodes >= 2) {
        uint64_t t = rng_below(&r, d->chaos_ns / 4 + 1);
        uint64_t len = pick_duration(&r, part(d, EXD_DEAF, 0));
        uint32_t x = 1 + (uint32_t)rng_below(&r, d->n_nodes);
        for (uint32_t i = 1; i <= d->n_nodes; i++) {
            if (i == x)
                continue;
            char line[48];
            snprintf(line, sizeof line, "cut n%" PRIu32 " -> n%" PRIu32, i, x);
            add_at(d, t, line);
            if (t + len < d->chaos_ns) { /* else it lasts to the heal (or the end) */
                snprintf(line, sizeof line, "uncut n%" PRIu32 " -> n%" PRIu32, i, x);
                add_at(d, t + len, line);
            }
        }
    }
    r = dim_stream(d, EXD_PARTIAL_PARTITION);
    if (is_on(d, EXD_PARTIAL_PARTITION) && d->n_nodes >= 3) {
        uint64_t mean = pick_duration(&r, part(d, EXD_PARTIAL_PARTITION, 0));
        for (uint64_t t = rng_range(&r, mean / 2, mean + mean / 2); t < d->chaos_ns;
             t += rng_range(&r, mean / 2, mean + mean / 2)) {
            uint32_t a = 1 + (uint32_t)rng_below(&r, d->n_nodes);
            uint32_t b = 1 + (uint32_t)rng_below(&r, d->n_nodes - 1);
            b += b >= a;
            char line[48];
            uint64_t len = pick_duration(&r, part(d, EXD_PARTIAL_PARTITION, 1));
            snprintf(line, sizeof line, "cut n%" PRIu32 " <-> n%" PRIu32, a, b);
            add_at(d, t, line);
            if (t + len < d->chaos_ns) {
                snprintf(line, sizeof line, "uncut n%" PRIu32 " <-> n%" PRIu32, a, b);
                add_at(d, t + len, line);
            }
        }
    }
    r = dim_stream(d, EXD_CLUSTER_RESTART);
    if (is_on(d, EXD_CLUSTER_RESTART)) {
        uint64_t t = rng_range(&r, d->chaos_ns / 4, d->chaos_ns - d->chaos_ns / 4);
        uint64_t down = pick_duration(&r, part(d, EXD_CLUSTER_RESTART, 0));
        add_at(d, t, "crash all");
        add_at(d, t + down, "restart all");
    }
    r = dim_stream(d, EXD_CLOCK_JUMP);
    if (is_on(d, EXD_CLOCK_JUMP)) {
        uint64_t n = pick(&r, part(d, EXD_CLOCK_JUMP, 0));
        for (uint64_t i = 0; i < n; i++) {
            char jump[64], by[32];
            uint64_t t = rng_below(&r, d->chaos_ns);
            uint32_t node = 1 + (uint32_t)rng_below(&r, d->n_nodes);
            char sign = rng_below(&r, 2) ? '+' : '-';
            scn_format_duration(by, sizeof by, pick_duration(&r, part(d, EXD_CLOCK_JUMP, 1)));
            snprintf(jump, sizeof jump, "clock-jump n%" PRIu32 " %c%s", node, sign, by);
            add_at(d, t, jump);
        }
    }
}

static int at_cmp(const void *x, const void *y)
{
    const at_line *a = x, *b = y;
    if (a->t_ns != b->t_ns)
        return a->t_ns < b->t_ns ? -1 : 1;
    return a->order < b->order ? -1 : a->order > b->order;
}

void explore_dims_names(uint64_t mask, char *buf, size_t cap)
{
    size_t used = 0;
    if (cap)
        buf[0] = 0;
    for (int dim = 0; dim < EXD__COUNT && used < cap; dim++)
        if ((mask >> dim) & 1) {
            int n = snprintf(buf + used, cap - used, "%s%s", used ? " " : "",
                             explore_dim_name(dim));
            used += n > 0 ? (size_t)n : 0;
        }
}

static uint64_t swarm(const explore_space *sp, uint64_t seed)
{
    rng r;
    rng_init(&r, seed, RNG_STREAM_EXPLORE);
    uint64_t on = 0;
    for (int dim = 0; dim < EXD__COUNT; dim++) {
        const explore_setting *s = &sp->dim[dim];
        if (rng_chance_ppm(&r, s->given ? s->on_ppm : 0))
            on |= UINT64_C(1) << dim;
    }
    return on;
}

int explore_draw(const explore_space *sp, const char *space_path, uint64_t seed, char **text,
                 uint64_t *dims_on)
{
    draw d = { .sp = sp, .seed = seed, .on = swarm(sp, seed) };
    size_t len;
    *text = NULL;
    d.out = open_memstream(text, &len);
    if (!d.out)
        return -1;
    char names[1024];
    explore_dims_names(d.on, names, sizeof names);
    fprintf(d.out, "# drawn by raftsim explore from %s, seed %" PRIu64 "\n# on: %s\n",
            space_path, seed, names);
    cluster_and_raft(&d);
    network_and_disks(&d);
    phases(&d);
    clients(&d);
    explore_derived_timing(&d);
    write_phases(&d);
    chaos_block(&d);
    scripted_faults(&d);
    qsort(d.at, d.n_at, sizeof *d.at, at_cmp);
    for (uint32_t i = 0; i < d.n_at; i++) {
        put_duration(d.out, "at ", d.at[i].t_ns);
        fprintf(d.out, " %s\n", d.at[i].text);
    }
    fprintf(d.out, "max-events %u\nseed %" PRIu64 "\n", EXPLORE_MAX_EVENTS, seed);
    if (fclose(d.out) != 0) {
        free(*text);
        *text = NULL;
        return -1;
    }
    *dims_on = d.on;
    return 0;
}
