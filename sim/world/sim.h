/* sim.h — the deterministic discrete-event simulator: public API.
 *
 * A run is a function of (sim_config, seed, actions) alone. Virtual time is an
 * integer number of nanoseconds. The simulator hosts n_nodes core nodes (the
 * real Raft code, or the naive baseline) on a simulated network and simulated
 * disks, drives clients against them, and checks every safety invariant after
 * every event. The scenario parser (scenario.h) builds a sim_config and a list
 * of sim_actions; the runner (runner.h) adds expectations on top of
 * sim_metric().
 *
 * Endpoints: nodes are 1..n_nodes, clients n_nodes+1 .. n_nodes+n_clients
 * (c1 = n_nodes+1). Both are network endpoints; links exist between every
 * ordered pair of endpoints.
 */
#ifndef SIM_H
#define SIM_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "../../core/raft.h"

#define SIM_MAX_NODES 64
#define SIM_MAX_CLIENTS 64
/* Raft's timing requirement, paper §5.6: broadcastTime << electionTimeout,
 * "an order of magnitude"; the randomized part of the timeout must keep
 * candidates apart (§5.2, §9.3). The connected-majority check judges a
 * majority only where the timeout's spread is at least this many broadcast
 * times (liveness_majority.c). */
#define SIM_TIMING_FACTOR 10
/* The period over which the connected-majority check judges a majority, in
 * maximal election timeouts, when the scenario does not set one
 * (liveness_majority.c); explore draws no liveness phase shorter. */
#define SIM_CONNECTED_PERIOD_TIMEOUTS 10
#define SIM_MAX_ENDPOINTS (SIM_MAX_NODES + SIM_MAX_CLIENTS)
#define SIM_MAX_GROUPS 8
#define SIM_MAX_NAMES 16      /* names a scenario binds with `as NAME` */
#define SIM_NAME_MAX 16       /* bytes of a name, with its NUL */
#define SIM_MAX_GROUP_SYMS 8  /* leader/follower/named members of one partition */
#define SIM_NS_PER_MS UINT64_C(1000000)
#define SIM_NS_PER_S UINT64_C(1000000000)

typedef uint32_t sim_ep;

/* A set of endpoints: bit (ep - 1). */
typedef struct sim_epset {
    uint64_t bits[2];
} sim_epset;

/* ---- Distributions (integer-only sampling) ---- */
enum sim_dist_kind {
    SIM_DIST_CONST,   /* a */
    SIM_DIST_UNIFORM, /* uniform in [a, b] */
    SIM_DIST_NORMAL,  /* mean a, standard deviation b, clamped at 0 (Irwin-Hall approx.) */
    SIM_DIST_PARETO,  /* heavy tail: minimum a, mean b (b > a); integer inverse-CDF table */
};
typedef struct sim_dist {
    enum sim_dist_kind kind;
    uint64_t a_ns, b_ns;
} sim_dist;

/* ---- Network ---- */
typedef struct sim_link_params {
    sim_dist latency;         /* one-way delay */
    uint32_t drop_ppm;        /* probability a message is lost */
    uint32_t dup_ppm;         /* probability a message is delivered twice */
    uint32_t reorder_ppm;     /* probability a message gets extra delay ... */
    uint64_t reorder_ns;      /* ... uniform in [0, reorder_ns] after its FIFO place, so later ones overtake it */
    uint64_t bandwidth_Bps;   /* bytes per second, 0 = unlimited (serialises sends) */
    /* Or, when reorder_free: a reordered message is delivered latency +
     * a reorder_delay sample after its send, outside the link's FIFO order
     * (it takes no place in it): it overtakes and is overtaken. */
    bool reorder_free;
    sim_dist reorder_delay;
} sim_link_params;

/* A network fault restricted to a class of messages (a message group:
 * `replies`, `append.requests`, ... — sim_msg_group_name), on every link,
 * decided from its own stream (net.h). */
enum sim_msg_fault_kind { SIM_MF_DROP, SIM_MF_DUP, SIM_MF_REORDER, SIM_MF_DELAY };
#define SIM_MAX_MSG_FAULTS 8 /* distinct (kind, class) pairs in one run */
typedef struct sim_msg_fault {
    uint8_t kind;   /* enum sim_msg_fault_kind */
    uint8_t group;  /* message group index */
    uint32_t ppm;   /* probability per message of the class (DELAY: share delayed) */
    sim_dist delay; /* REORDER (outside FIFO order), DELAY (extra latency, FIFO kept) */
} sim_msg_fault;

/* Names of settable link parameters, for `set` and the scenario language. */
enum sim_param {
    SIM_PARAM_LATENCY, /* value: a sim_dist */
    SIM_PARAM_DROP,    /* ppm */
    SIM_PARAM_DUP,     /* ppm */
    SIM_PARAM_REORDER, /* ppm (reorder_ns via SIM_PARAM_REORDER_DELAY) */
    SIM_PARAM_REORDER_DELAY,
    SIM_PARAM_BANDWIDTH,
    SIM_PARAM_FSYNC,   /* disk: value: a sim_dist; target node or all */
    SIM_PARAM_REORDER_DIST, /* dist: reordered messages leave FIFO order (reorder_free) */
    SIM_PARAM_DELAY,   /* only with a message class (sim_action.msg_class): dist + ppm */
};

/* ---- Disk ---- */
typedef struct sim_disk_params {
    sim_dist fsync;    /* latency of one fsync; writes pending together share it */
    bool torn_writes;  /* a crash may tear the last unsynced record (a prefix is kept) */
} sim_disk_params;

/* ---- Clients ---- */
enum sim_client_kind {
    SIM_CLIENT_OPEN,   /* open-loop writer: `rate_per_s` appends per second */
    SIM_CLIENT_CLOSED, /* closed-loop writer: `outstanding` appends in flight */
    SIM_CLIENT_READER, /* linearizable reads at `rate_per_s` */
};
typedef struct sim_client_config {
    enum sim_client_kind kind;
    uint32_t rate_per_s;
    uint32_t outstanding;
    uint32_t payload_bytes;
    uint64_t start_ns, stop_ns; /* stop_ns 0 = until the end of the run */
    uint64_t timeout_ns;        /* retry after this long without an answer */
    uint64_t max_ops;           /* stop after this many operations (0 = no limit) */
    /* Exponential backoff with jitter (after a timeout or a "retry later"
     * answer): the k-th retry of an operation goes out no sooner than a draw
     * from [d/2, d] after the previous attempt, d = min(backoff_max_ns,
     * backoff_min_ns * 2^(k-1)) (a timed-out attempt has already waited
     * timeout_ns of it). 0, 0 means the default, SIM_CLIENT_BACKOFF_MIN_NS ..
     * sim_client_default_backoff_max_ns(timeout_ns): timed-out retries too
     * back off, up to 1 s. no_backoff: retry at once after a timeout, 10 ms
     * after a "retry". */
    uint64_t backoff_min_ns, backoff_max_ns;
    bool no_backoff;
} sim_client_config;
#define SIM_CLIENT_BACKOFF_MIN_NS (10 * SIM_NS_PER_MS)
/* The default backoff ceiling: timed-out retries back off too (RFC 6298
 * §5.5, "back off the timer"). With the ceiling at the timeout, every op
 * still unanswered resent once per timeout forever: on a FIFO link whose
 * queue had grown past the timeout, no attempt was answered in time and the
 * resends (outstanding x size / timeout) outgrew the link, a congestion
 * collapse that outlived the faults (explore seeds 9848, 14818, ...: writes
 * unacknowledged 10 s after the heal). 1 s keeps several attempts inside a
 * liveness phase of a few seconds. */
#define SIM_CLIENT_BACKOFF_MAX_NS (1 * SIM_NS_PER_S)
static inline uint64_t sim_client_default_backoff_max_ns(uint64_t timeout_ns)
{
    return timeout_ns > SIM_CLIENT_BACKOFF_MAX_NS ? timeout_ns : SIM_CLIENT_BACKOFF_MAX_NS;
}

enum sim_protocol {
    SIM_PROTO_RAFT,  /* core/raft.c */
    SIM_PROTO_NAIVE, /* core/naive.c: leader sends every record to every replica */
};

typedef struct sim_config {
    uint32_t n_nodes;
    enum sim_protocol protocol;
    raft_config raft;          /* template; id and n_nodes filled per node */
    sim_link_params net;       /* default for every link */
    /* `client-links reliable`: links to and from clients never drop,
     * duplicate or reorder unless an action names the client (`set drop
     * c1 -> n1 5%`): the configuration's probabilities, `set` on every link
     * and the faults by message class leave them alone, and a liveness heal
     * restores them to reliable. Off (`client-links like-peers`): clients'
     * links are like the others. The language's default is on (a scenario
     * starts reliable); sim_config_default leaves it off. */
    bool client_links_reliable;
    uint32_t n_msg_faults;     /* faults restricted to a message class */
    sim_msg_fault msg_faults[SIM_MAX_MSG_FAULTS];
    sim_disk_params disk;      /* default for every disk */
    uint32_t n_clients;
    sim_client_config clients[SIM_MAX_CLIENTS];
    uint64_t logbuf_max_records, logbuf_max_bytes;
    uint64_t duration_ns;      /* the run ends here */
    uint64_t max_events;       /* safety valve (0 = none): the run fails if exceeded */
    /* Liveness mode: at heal_at_ns heal all faults, stop chaos, resume and
     * restart every node, and require convergence within converge_within_ns.
     * Healing also restores every link's and disk's parameters to `net` and
     * `disk`, and clients stop invoking new operations (outstanding ones keep
     * retrying), so the cluster can quiesce. Converged = exactly one leader,
     * every node's applied index equal to the leader's commit index, and no
     * client write outstanding. heal_at_ns 0 (or past the duration) heals at
     * duration_ns; sim_run then runs past the duration to decide. */
    bool liveness;
    uint64_t heal_at_ns, converge_within_ns;
    /* Liveness without a heal (liveness_majority.c): whenever a majority of
     * the nodes is up, unpaused and mutually connected, a leader among them
     * must hold office and commit client writes, judged every
     * connected_within_ns (0: 10 maximal election timeouts). On by default;
     * off where a scenario's faults never allow it. Judged only where Raft
     * promises it: among them the election timeout's spread is at least
     * SIM_TIMING_FACTOR broadcast times, among other conditions. */
    bool connected_liveness;
    uint64_t connected_within_ns;
    /* Names bound at run time by `... as NAME` (SIM_TARGET_NAME, sim_action.bind):
     * the simulator only uses the slot numbers; the text is for the writer. */
    uint32_t n_names;
    char names[SIM_MAX_NAMES][SIM_NAME_MAX];
} sim_config;

void sim_config_default(sim_config *cfg); /* 3 nodes, raft defaults, 1 ms links, 1 ms fsync */

/* ---- Metrics: everything an expectation can name ---- */
/* Scope: C = cluster-wide counter/gauge; N = per node (select a node, or
 * all = minimum, any = maximum, sum); T = takes a message type argument;
 * V = takes a coverage or violation id argument; W = takes a named write
 * (the slot of a name bound by SIM_ACT_WRITE). */
#define SIM_METRICS(X)                                                          \
    X(SIM_M_COMMITTED, "committed", 'C')        /* highest index committed anywhere */ \
    X(SIM_M_ACKED, "acked", 'C')                /* client appends acknowledged */ \
    X(SIM_M_READS, "reads", 'C')                /* client reads answered */  \
    X(SIM_M_ELECTIONS, "elections", 'C')        /* elections started (terms begun) */ \
    X(SIM_M_LEADER_CHANGES, "leader-changes", 'C') /* times a new leader was established */ \
    X(SIM_M_LEADER, "leader", 'C')              /* id of the current leader, 0 if none */ \
    X(SIM_M_UNAVAILABLE, "unavailable", 'C')    /* ns without a leader, cumulative */ \
    X(SIM_M_LATENCY_P50, "latency-p50", 'C')    /* commit latency (propose -> ack), ns */ \
    X(SIM_M_LATENCY_P90, "latency-p90", 'C')                                    \
    X(SIM_M_LATENCY_P99, "latency-p99", 'C')                                    \
    X(SIM_M_LATENCY_P999, "latency-p999", 'C')                                  \
    X(SIM_M_LATENCY_MAX, "latency-max", 'C')                                    \
    X(SIM_M_CLIENT_RETRIES, "client-retries", 'C')                             \
    X(SIM_M_CLIENT_FAILED, "client-failed", 'C') /* client ops failed for good (too big) */ \
    X(SIM_M_DROPPED, "dropped", 'C')            /* messages dropped by the network */ \
    X(SIM_M_DUPLICATED, "duplicated", 'C')                                      \
    X(SIM_M_EVENTS, "events", 'C')                                              \
    X(SIM_M_MESSAGES, "messages", 'T')          /* messages sent, by type (0 = all) */ \
    X(SIM_M_BYTES, "bytes", 'T')                /* bytes sent, by type (0 = all) */ \
    X(SIM_M_COVERAGE, "coverage", 'V')          /* coverage counter by id */ \
    X(SIM_M_VIOLATIONS, "violations", 'V')      /* violations by id (0 = any) */ \
    X(SIM_M_TERM, "term", 'N')                                                  \
    X(SIM_M_COMMIT, "commit", 'N')              /* commit index */           \
    X(SIM_M_APPLIED, "applied", 'N')            /* applied index */          \
    X(SIM_M_LOG_LENGTH, "log-length", 'N')      /* last log index */         \
    X(SIM_M_READ_ONLY, "read-only", 'N')        /* 1 if cut off from a quorum */ \
    X(SIM_M_IS_LEADER, "is-leader", 'N')                                        \
    X(SIM_M_UP, "up", 'N')                      /* 1 if running (not crashed) */ \
    X(SIM_M_SNAPSHOT_INDEX, "snapshot-index", 'N')                              \
    X(SIM_M_NODE_ELECTIONS, "node-elections", 'N')                              \
    X(SIM_M_RECORDS, "records", 'N')            /* log-buffer records applied */ \
    X(SIM_M_VOTE, "vote", 'N')                  /* node voted for in its term (0 = none) */ \
    X(SIM_M_LOG_RETAINED, "log-retained", 'N')  /* entries held (after the snapshot) */ \
    X(SIM_M_LOG_BYTES, "log-bytes", 'N')        /* payload bytes of those entries */ \
    X(SIM_M_SNAPSHOT_TERM, "snapshot-term", 'N') /* term of the last snapshotted entry */ \
    X(SIM_M_HEARD_LEADER, "heard-leader", 'N')  /* ns since a leader of its term reached it (0: leads) */ \
    /* A write named by `write cK as NAME` (arg = the name's slot; 0 while unbound): */ \
    X(SIM_M_WRITE_INDEX, "write-index", 'W')    /* where a state machine stored it (0 = not yet) */ \
    X(SIM_M_WRITE_COMMITTED, "write-committed", 'W') /* 1 once stored: it was committed */ \
    X(SIM_M_WRITE_APPLIED_ON, "write-applied-on", 'W') /* up nodes that have applied it */ \
    X(SIM_M_WRITE_ACKED, "write-acked", 'W')    /* 1 once the client had its answer */
#define SIM_M_ENUM(name, text, scope) name,
enum sim_metric { SIM_METRICS(SIM_M_ENUM) SIM_M__COUNT };
#undef SIM_M_ENUM
const char *sim_metric_name(enum sim_metric m);
char sim_metric_scope(enum sim_metric m);
int sim_metric_from_name(const char *name); /* -1 if unknown */

enum sim_node_sel { SIM_SEL_NODE, SIM_SEL_ALL /* min */, SIM_SEL_ANY /* max */, SIM_SEL_SUM,
                    SIM_SEL_LEADER };
typedef struct sim_metric_ref {
    enum sim_metric metric;
    enum sim_node_sel sel; /* for 'N' metrics; SIM_SEL_ALL/ANY skip crashed nodes */
    sim_ep node;
    int arg; /* message type (or SIM_MSG_GROUP + a group), coverage id or violation id */
    /* `among`: all / any / sum over these nodes only (SIM_AMONG_*) */
    uint8_t among;
    uint16_t among_names; /* bit k: the node bound to name slot k (when evaluated) */
    uint64_t among_nodes; /* bit id - 1 */
} sim_metric_ref;
/* SIM_AMONG_CONNECTED: the nodes of every mutually connected majority of up,
 * unpaused nodes (as the connected-majority liveness check sees them). */
enum { SIM_AMONG_EVERY, SIM_AMONG_CONNECTED, SIM_AMONG_SET };
/* Message groups by kind and direction for `messages.KIND[.DIR]` and
 * `bytes.KIND[.DIR]` (metrics.c): arg = SIM_MSG_GROUP + index. */
#define SIM_MSG_GROUP 1000
const char *sim_msg_group_name(int group);  /* "append.requests", or NULL */
int sim_msg_group_from_name(const char *name); /* -1 if unknown */
uint32_t sim_msg_group_types(int group);    /* bit t = message type t */

/* ---- Timed actions (scripted, or generated by chaos) ----
 * SIM_ACT_SET targets: NONE or ALL = every link (and the default); one
 * endpoint = every link to and from it; two endpoints = the link between them,
 * both directions. SIM_PARAM_FSYNC: NONE/ALL = every disk, or one node's.
 * Node actions (crash, restart, pause, resume, drift, clock-jump) take a node,
 * LEADER, FOLLOWER or ALL. Actions generated by chaos (from_chaos) are
 * skipped once the liveness phase has begun. */
enum sim_target_kind {
    SIM_TARGET_NONE,
    SIM_TARGET_EP,       /* a named node or client */
    SIM_TARGET_LEADER,   /* whoever leads when the action fires (none: action skipped) */
    SIM_TARGET_FOLLOWER, /* a live non-leader node, chosen from the fault stream */
    SIM_TARGET_ALL,      /* every node (set fsync, drift, ...) */
    SIM_TARGET_NAME,     /* ep = slot of a name bound earlier by `as` (unbound: skipped) */
};
typedef struct sim_target {
    enum sim_target_kind kind;
    sim_ep ep;
} sim_target;

#define SIM_ACTIONS(X)                                                   \
    X(SIM_ACT_CRASH, "crash")             /* target */                   \
    X(SIM_ACT_RESTART, "restart")         /* target */                   \
    X(SIM_ACT_PAUSE, "pause")             /* target, dur_ns (0 = until resume) */ \
    X(SIM_ACT_RESUME, "resume")           /* target */                   \
    X(SIM_ACT_PARTITION, "partition")     /* groups[0..n_groups) */     \
    X(SIM_ACT_CUT, "cut")                 /* target -> target2, one way */ \
    X(SIM_ACT_UNCUT, "uncut")             /* target -> target2 */        \
    X(SIM_ACT_ISOLATE, "isolate")         /* target cut from everyone, both ways */ \
    X(SIM_ACT_HEAL, "heal")               /* all cuts and partitions removed */ \
    X(SIM_ACT_DRIFT, "drift")             /* target, value = ppm (signed) */ \
    X(SIM_ACT_CLOCK_JUMP, "clock-jump")   /* target, value = ns (signed) */ \
    X(SIM_ACT_SET, "set")                 /* param, dist/value; target/target2 = link, or NONE = default */ \
    X(SIM_ACT_TRANSFER, "transfer-leadership") /* target2 = new leader; from current leader */ \
    X(SIM_ACT_CLIENT_STOP, "client-stop") /* target = client */          \
    X(SIM_ACT_CLIENT_START, "client-start")                              \
    X(SIM_ACT_RECONNECT, "reconnect")     /* target: its cuts removed, out of the partition */ \
    X(SIM_ACT_ISOLATE_PEERS, "isolate-peers") /* target cut from every other node; clients still reach it */ \
    X(SIM_ACT_SKIPPED, "skipped")         /* an action that did not fire, as a replay file spells it */ \
    X(SIM_ACT_WRITE, "write")             /* target = client: one extra write now (bind: name it) */
#define SIM_ACT_ENUM(name, text) name,
enum sim_action_kind { SIM_ACTIONS(SIM_ACT_ENUM) SIM_ACT__COUNT };
#undef SIM_ACT_ENUM
const char *sim_action_name(enum sim_action_kind kind);

typedef struct sim_action {
    uint64_t at_ns;
    enum sim_action_kind kind;
    sim_target target, target2;
    int64_t value;
    uint64_t dur_ns;
    enum sim_param param;
    sim_dist dist;
    uint8_t n_groups;
    sim_epset groups[SIM_MAX_GROUPS];
    bool from_chaos; /* generated by a chaos block (replay files spell these out) */
    uint32_t line;   /* scenario line it came from (0 = generated) */
    /* `as NAME`: bind the node the target resolved to (slot bind - 1; 0 = no
     * binding). A skipped action unbinds the name. */
    uint8_t bind;
    /* cut/uncut A <-> B where A or B is resolved at run time: resolved once,
     * cut both ways. sim_add_action makes it two events at its time, A -> B
     * then the way back (way_back: its ends are the first's, reversed), the
     * two one-way actions a replay file spells out, so a replay takes the
     * same events. */
    bool both, way_back;
    /* partition members resolved at run time: sym[i] joins group sym_group[i] */
    uint8_t n_sym;
    uint8_t sym_group[SIM_MAX_GROUP_SYMS];
    sim_target sym[SIM_MAX_GROUP_SYMS];
    /* `if METRIC OP VALUE`: the action fires only if this holds when it is
     * due (otherwise it is skipped, like a `leader` target with no leader).
     * guard_op: 0 <, 1 <=, 2 ==, 3 !=, 4 >=, 5 > (enum expect_op). */
    bool guarded;
    uint8_t guard_op;
    sim_metric_ref guard;
    int64_t guard_value;
    bool guard_rhs_metric; /* `if term n1 < term n2`: compared with guard_rhs, not the value */
    sim_metric_ref guard_rhs;
    /* SIM_ACT_SET of drop / duplicate / reorder / delay restricted to a
     * message class: group index + 1 (0 = every message, per link); value =
     * ppm, dist = the delay. Target NONE: every link. */
    uint8_t msg_class;
} sim_action;


/* ---- Coverage of interesting situations ---- */
#define SIM_COVERAGE(X)                                                       \
    X(SIM_COV_LEADER_LOST_IN_PARTITION, "leader-lost-in-partition")           \
    X(SIM_COV_TRUNCATED, "log-truncated")                                     \
    X(SIM_COV_OLD_TERM_COMMITTED, "old-term-committed")                       \
    X(SIM_COV_SNAPSHOT_INSTALLED, "snapshot-installed")                       \
    X(SIM_COV_PREVOTE_REFUSED, "prevote-refused")                             \
    X(SIM_COV_CHECKQUORUM_STEPDOWN, "checkquorum-stepdown")                   \
    X(SIM_COV_DUPLICATE_DELIVERED, "duplicate-delivered")                     \
    X(SIM_COV_UNSYNCED_LOST, "unsynced-write-lost")                           \
    X(SIM_COV_RETRY_DEDUPLICATED, "retry-deduplicated")                       \
    X(SIM_COV_TORN_WRITE, "torn-write")                                       \
    X(SIM_COV_STEPDOWN_TERM, "stepdown-higher-term")                          \
    X(SIM_COV_TRANSFER, "leadership-transfer")                                \
    X(SIM_COV_SPLIT_VOTE, "split-vote")
#define SIM_COV_ENUM(name, text) name,
enum sim_coverage { SIM_COVERAGE(SIM_COV_ENUM) SIM_COV__COUNT };
#undef SIM_COV_ENUM
const char *sim_coverage_name(int id);
int sim_coverage_from_name(const char *name); /* -1 if unknown */

/* ---- Safety violations ---- */
#define SIM_VIOLATIONS(X)                                                      \
    X(SIM_V_NONE, "none")                                                      \
    X(SIM_V_ELECTION_SAFETY, "election-safety")                                \
    X(SIM_V_LEADER_APPEND_ONLY, "leader-append-only")                          \
    X(SIM_V_LOG_MATCHING, "log-matching")                                      \
    X(SIM_V_LEADER_COMPLETENESS, "leader-completeness")                        \
    X(SIM_V_STATE_MACHINE_SAFETY, "state-machine-safety")                      \
    X(SIM_V_COMMIT_DECREASED, "commit-decreased")                              \
    X(SIM_V_COMMIT_PAST_LOG, "commit-past-log")                                \
    X(SIM_V_APPLIED_PAST_COMMIT, "applied-past-commit")                        \
    X(SIM_V_ACKED_WRITE_LOST, "acked-write-lost")                              \
    X(SIM_V_DIGEST_MISMATCH, "digest-mismatch")                                \
    X(SIM_V_HISTORY, "history")          /* client history not linearizable */ \
    X(SIM_V_LIVENESS, "liveness")        /* no convergence after heal */       \
    X(SIM_V_EVENT_LIMIT, "event-limit")                                        \
    X(SIM_V_EXACTLY_ONCE, "exactly-once") /* nodes deduplicated differently */ \
    X(SIM_V_READ_STATE, "read-state")     /* a read showed an uncommitted state */ \
    X(SIM_V_DURABILITY, "durability")    /* a restart lost a promise */        \
    X(SIM_V_VOTE, "vote")                /* a vote changed within a term */    \
    X(SIM_V_CONNECTED_LIVENESS, "connected-liveness") /* majority up, no leader */ \
    X(SIM_V_COMMIT_RULE, "commit-rule")  /* a leader counted an old term's entry */
#define SIM_V_ENUM(name, text) name,
enum sim_violation_kind { SIM_VIOLATIONS(SIM_V_ENUM) SIM_V__COUNT };
#undef SIM_V_ENUM
const char *sim_violation_name(int id);
const char *sim_violation_rule(int id); /* the Raft rule it guards, cited; "" if none */
int sim_violation_from_name(const char *name); /* -1 if unknown */

typedef struct sim_violation {
    enum sim_violation_kind kind;
    uint64_t time_ns;
    uint64_t event;    /* event number at which it was detected */
    sim_ep nodes[2];   /* nodes involved (0 = n/a) */
    uint64_t index, term;
    char detail[256];  /* one line, human readable */
} sim_violation;

/* ---- The simulator ---- */
typedef struct sim sim;

/* Validates the config; on error returns NULL and writes a message to err. */
sim *sim_new(const sim_config *cfg, uint64_t seed, char *err, size_t err_cap);
void sim_free(sim *s);

/* Schedule an action (at_ns >= sim_now). Actions at equal times fire in the
 * order they were added. Returns 0, or -1 if invalid. */
int sim_add_action(sim *s, const sim_action *a);

/* Process one event. Returns false when the run is over: the queue reached
 * duration_ns, or a violation stopped it. */
bool sim_step(sim *s);
/* Run until virtual time t (events at exactly t included), the end, or a
 * violation. Returns false if the run is over. */
bool sim_run_until(sim *s, uint64_t t_ns);
/* Run to the end: duration, then liveness convergence and the end-of-run
 * history check. Returns true when no violation was found. */
bool sim_run(sim *s);
/* Cut the run short just before real event n (n >= 1): the loop stops once
 * n - 1 events have run, wherever that is (past the duration, in the
 * liveness phase); the run is then over, no liveness verdict or end-of-run
 * history check is made, and sim_stopped says so. The events before the
 * stop are the full run's (replay --until). */
void sim_stop_before_event(sim *s, uint64_t n);
bool sim_stopped(const sim *s); /* cut short by sim_stop_before_event */

uint64_t sim_now(const sim *s);
uint64_t sim_event_count(const sim *s);
uint64_t sim_trace_hash(const sim *s);
const sim_violation *sim_violation_get(const sim *s); /* NULL if none */
/* Read a metric at the current time. Returns false if the ref is invalid. */
bool sim_metric(const sim *s, const sim_metric_ref *ref, int64_t *out);
const sim_config *sim_get_config(const sim *s);

/* Observation hooks. Trace: every event as one JSON object per line (the
 * trace hash is kept whether or not a file is given). The last `ring` trace
 * lines are always kept in memory for violation reports. */
void sim_set_trace(sim *s, FILE *jsonl);
/* Called after every event (e.g. to evaluate expectations); may be NULL. */
void sim_set_observer(sim *s, void (*fn)(void *arg, sim *s), void *arg);

/* Every action that was executed, in order, including chaos-generated ones,
 * with the concrete target it resolved to — a replay needs exactly these. */
const sim_action *sim_executed_actions(const sim *s, size_t *n);

/* Reports. */
void sim_print_summary(const sim *s, FILE *out);
/* Virtual time for people, with its unit: "17.531 s", "6.093072 s", "980 ms",
 * "0.25 ms", "0 ms" (microseconds at most; the trace keeps the exact ns). */
void sim_format_time(uint64_t ns, char *buf, size_t cap);
void sim_print_violation(const sim *s, FILE *out); /* invariant, time, event, nodes, last 20 trace lines */
void sim_dump_nodes(const sim *s, FILE *out);      /* raft_dump of every node */
void sim_print_coverage(const sim *s, FILE *out);
int sim_write_metrics_csv(const sim *s, FILE *out); /* latency histogram, throughput, messages */
/* Coverage counts, for sweeps to aggregate (array of SIM_COV__COUNT). */
const uint64_t *sim_coverage_counts(const sim *s);

#endif
