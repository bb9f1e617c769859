/* explore.h — the swarm space of `raftsim explore` (issue 16).
 *
 * A space file holds one `explore { ... }` block (sim/scenario/scenario_explore.c):
 * for every dimension of the fault x feature space, the chance (ppm) that a
 * seed switches it on and the ranges its values are drawn from. For each
 * seed, explore_draw first draws WHICH dimensions are on (swarm testing,
 * Groce et al., ISSTA 2012) from the seed's own swarm stream, then draws
 * every value of the dimensions that are on, each from its own stream, and
 * spells the result out as an ordinary scenario (config lines, a chaos
 * block, `at` lines) that the scenario parser reads back. Integers only. */
#ifndef SIM_EXPLORE_H
#define SIM_EXPLORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* X(ID, "name", required): every dimension, in the order seeds draw them.
 * A required dimension must be given with a chance of 100%. */
#define EXPLORE_DIMS(X)                                   \
    X(NODES, "nodes", true)                               \
    X(BIG_CLUSTER, "big-cluster", false)                  \
    X(PREVOTE, "prevote", false)                          \
    X(CHECKQUORUM, "checkquorum", false)                  \
    X(HEARTBEAT_IDLE_ONLY, "heartbeat-idle-only", false)  \
    X(ELECTION_TIMEOUT, "election-timeout", false)        \
    X(BATCH, "batch", false)                              \
    X(MAX_BYTES, "max-bytes", false)                      \
    X(PIPELINE, "pipeline", false)                        \
    X(SNAPSHOT, "snapshot", false)                        \
    X(SNAPSHOT_CHUNK, "snapshot-chunk", false)            \
    X(TRANSFER, "transfer", false)                        \
    X(WRITERS, "writers", false)                          \
    X(CLOSED_LOOP, "closed-loop", false)                  \
    X(BIG_PAYLOAD, "big-payload", false)                  \
    X(READERS, "readers", false)                          \
    X(CLIENT_TIMEOUT, "client-timeout", false)            \
    X(LATENCY, "latency", false)                          \
    X(HEAVY_TAIL, "heavy-tail", false)                    \
    X(DROP, "drop", false)                                \
    X(DUPLICATE, "duplicate", false)                      \
    X(REORDER, "reorder", false)                          \
    X(BANDWIDTH, "bandwidth", false)                      \
    X(PARTITION, "partition", false)                      \
    X(PARTIAL_PARTITION, "partial-partition", false)      \
    X(ISOLATE, "isolate", false)                          \
    X(CUT, "cut", false)                                  \
    X(DROP_BURST, "drop-burst", false)                    \
    X(CRASH, "crash", false)                              \
    X(CLUSTER_RESTART, "cluster-restart", false)          \
    X(PAUSE, "pause", false)                              \
    X(DRIFT, "drift", false)                              \
    X(CLOCK_JUMP, "clock-jump", false)                    \
    X(FSYNC, "fsync", false)                              \
    X(TORN_WRITES, "torn-writes", false)                  \
    X(CHAOS_PHASE, "chaos-phase", true)                   \
    X(LIVENESS, "liveness", false)                        \
    X(DEAF, "deaf", false)                                \
    X(CLASS_FAULT, "class-fault", false)

#define EXPLORE_DIM_ENUM(id, name, req) EXD_##id,
enum explore_dim { EXPLORE_DIMS(EXPLORE_DIM_ENUM) EXD__COUNT };
#undef EXPLORE_DIM_ENUM
_Static_assert(EXD__COUNT <= 64, "the dimensions a seed switches on fit one 64-bit mask");

#define EXPLORE_MAX_PARTS 3

/* What one value of a dimension is written as. */
enum explore_kind {
    EXK_COUNT,     /* a plain number */
    EXK_DURATION,  /* 1ms */
    EXK_PPM,       /* 1% or 500ppm */
    EXK_SIZE,      /* 4KiB */
    EXK_BANDWIDTH, /* 10MB/s */
    EXK_RATE,      /* 100/s */
};

typedef struct explore_part_spec {
    const char *keyword; /* NULL: the first value follows the chance directly */
    enum explore_kind kind;
    uint64_t min, max;   /* the language's limits for this value */
    const char *what;    /* for messages: "a cluster size" */
} explore_part_spec;

typedef struct explore_dim_spec {
    const char *name;
    bool required;
    uint32_t n_parts;
    explore_part_spec part[EXPLORE_MAX_PARTS];
} explore_dim_spec;

const explore_dim_spec *explore_spec(int dim);
const char *explore_dim_name(int dim);
/* The dimension called name[0..len), or -1. */
int explore_dim_lookup(const char *name, size_t len);

typedef struct explore_range {
    uint64_t lo, hi;
} explore_range;

typedef struct explore_setting {
    bool given;
    uint32_t on_ppm;                         /* chance a seed switches it on */
    explore_range part[EXPLORE_MAX_PARTS];
    uint32_t line;
} explore_setting;

typedef struct explore_space {
    explore_setting dim[EXD__COUNT];
} explore_space;

/* Limits that keep a drawn run finite and meaningful. */
#define EXPLORE_MIN_LIVENESS_NS (500 * UINT64_C(1000000)) /* shorter cannot elect */
#define EXPLORE_LOG_RATIO 16   /* wider duration ranges are drawn log-uniformly */
#define EXPLORE_MAX_SCRIPTED 64 /* `at` lines a seed's draw may add */
/* A drawn run needing more events has run away (a message storm): it fails
 * as event-limit instead of exhausting memory. The default space's largest
 * passing run in seeds 1-1000 took 248,057 events. */
#define EXPLORE_MAX_EVENTS 5000000u

/* Draw seed's run from the space: *text (malloc'd, NUL-terminated) is a
 * complete scenario, *dims_on has bit d set for every dimension switched on.
 * Deterministic in (space, seed). 0, or -1 when out of memory. */
int explore_draw(const explore_space *sp, const char *space_path, uint64_t seed, char **text,
                 uint64_t *dims_on);
/* The names of the dimensions in mask, space-separated, into buf. */
void explore_dims_names(uint64_t mask, char *buf, size_t cap);

#endif
