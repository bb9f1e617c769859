/* names.c — name tables generated from sim.h's X-macros. */
#include <string.h>

#include "sim.h"

#define ACT_NAME(name, text) [name] = text,
static const char *const action_names[SIM_ACT__COUNT] = {SIM_ACTIONS(ACT_NAME)};
#undef ACT_NAME

#define M_NAME(name, text, scope) [name] = text,
static const char *const metric_names[SIM_M__COUNT] = {SIM_METRICS(M_NAME)};
#undef M_NAME
#define M_SCOPE(name, text, scope) [name] = scope,
static const char metric_scopes[SIM_M__COUNT] = {SIM_METRICS(M_SCOPE)};
#undef M_SCOPE

#define COV_NAME(name, text) [name] = text,
static const char *const coverage_names[SIM_COV__COUNT] = {SIM_COVERAGE(COV_NAME)};
#undef COV_NAME

#define V_NAME(name, text) [name] = text,
static const char *const violation_names[SIM_V__COUNT] = {SIM_VIOLATIONS(V_NAME)};
#undef V_NAME

static int find(const char *const *names, int n, const char *name)
{
    for (int i = 0; i < n; i++)
        if (names[i] && strcmp(names[i], name) == 0)
            return i;
    return -1;
}

const char *sim_action_name(enum sim_action_kind kind)
{
    return (unsigned)kind < SIM_ACT__COUNT ? action_names[kind] : "?";
}

const char *sim_metric_name(enum sim_metric m)
{
    return (unsigned)m < SIM_M__COUNT ? metric_names[m] : "?";
}

char sim_metric_scope(enum sim_metric m)
{
    return (unsigned)m < SIM_M__COUNT ? metric_scopes[m] : '?';
}

int sim_metric_from_name(const char *name) { return find(metric_names, SIM_M__COUNT, name); }

const char *sim_coverage_name(int id)
{
    return id >= 0 && id < SIM_COV__COUNT ? coverage_names[id] : "?";
}

int sim_coverage_from_name(const char *name)
{
    return find(coverage_names, SIM_COV__COUNT, name);
}

const char *sim_violation_name(int id)
{
    return id >= 0 && id < SIM_V__COUNT ? violation_names[id] : "?";
}

/* The Raft rule each invariant guards, named and cited (the viewer and the
 * violation report print it). Kinds without an entry get "". */
static const char *const violation_rules[SIM_V__COUNT] = {
    [SIM_V_ELECTION_SAFETY] = "Election Safety: at most one leader per term "
                              "(Raft paper §5.2, Figure 3)",
    [SIM_V_LEADER_APPEND_ONLY] = "Leader Append-Only: a leader never overwrites or deletes "
                                 "its entries (paper §5.3, Figure 3)",
    [SIM_V_LOG_MATCHING] = "Log Matching: logs with an entry of the same index and term are "
                           "identical up to it (paper §5.3, Figure 3)",
    [SIM_V_LEADER_COMPLETENESS] = "Leader Completeness: a committed entry is in the log of "
                                  "every leader of a later term (paper §5.4, Figure 3)",
    [SIM_V_STATE_MACHINE_SAFETY] = "State Machine Safety: no two servers apply different "
                                   "entries at one index (paper §5.4.3, Figure 3)",
    [SIM_V_COMMIT_DECREASED] = "commitIndex only grows: a committed entry stays committed "
                               "(paper Figure 2, §5.4)",
    [SIM_V_COMMIT_PAST_LOG] = "A follower's commitIndex is capped by its last new entry "
                              "(paper Figure 2, AppendEntries receiver rule 5)",
    [SIM_V_APPLIED_PAST_COMMIT] = "Only committed entries are applied: lastApplied <= "
                                  "commitIndex (paper Figure 2, Rules for Servers)",
    [SIM_V_ACKED_WRITE_LOST] = "An acknowledged write is committed and never lost "
                               "(paper §5.4 Leader Completeness, §8 client interaction)",
    [SIM_V_DIGEST_MISMATCH] = "State Machine Safety: every server applies the same entries "
                              "in the same order (paper §5.4.3)",
    [SIM_V_HISTORY] = "Linearizability: each operation takes effect once, between its "
                      "invocation and its response (paper §8; thesis §6.3)",
    [SIM_V_LIVENESS] = "Liveness: after the network heals, a leader is elected and the logs "
                       "converge (paper §5.2, §9.3)",
    [SIM_V_EVENT_LIMIT] = "the run hit its event limit (max-events) before its end",
    [SIM_V_EXACTLY_ONCE] = "Exactly once: every server makes the same deduplication decision "
                           "for a (client, seq) (thesis §6.3)",
    [SIM_V_READ_STATE] = "Linearizable reads: a read reflects every write acknowledged before "
                         "it began and nothing uncommitted (thesis §6.4)",
    [SIM_V_DURABILITY] = "Persistent state survives a crash: currentTerm, votedFor and the "
                         "acknowledged log (paper Figure 2, State; thesis §3.8)",
    [SIM_V_VOTE] = "At most one vote per term, and only for an up-to-date candidate of "
                   "that term (paper Figure 2, RequestVote receiver rules; §5.2, §5.4.1)",
    [SIM_V_CONNECTED_LIVENESS] = "Liveness: a connected majority elects a stable leader and "
                                 "commits writes (paper §5.2, §5.6, §9.3)",
    [SIM_V_COMMIT_RULE] = "A leader commits by counting replicas only entries of its own term "
                          "(paper Figure 2, Rules for Servers; §5.4.2, Figure 8)",
};

const char *sim_violation_rule(int id)
{
    return id >= 0 && id < SIM_V__COUNT && violation_rules[id] ? violation_rules[id] : "";
}

int sim_violation_from_name(const char *name)
{
    return find(violation_names, SIM_V__COUNT, name);
}

/* Virtual time for people: seconds from 1 s ("17.531 s", "6.093072 s"),
 * else milliseconds ("980 ms", "0.25 ms"); microseconds at most, trailing
 * zeros dropped (to 3 decimals for seconds); under a microsecond, in ns. */
void sim_format_time(uint64_t ns, char *buf, size_t cap)
{
    bool secs = ns >= SIM_NS_PER_S;
    uint64_t unit = secs ? SIM_NS_PER_S : SIM_NS_PER_MS;
    uint64_t frac = ns % unit / 1000; /* microseconds */
    int digits = secs ? 6 : 3, keep = secs ? 3 : 0;
    if (ns > 0 && ns < 1000) {
        snprintf(buf, cap, "%llu ns", (unsigned long long)ns);
        return;
    }
    while (digits > keep && frac % 10 == 0) {
        frac /= 10;
        digits--;
    }
    if (digits)
        snprintf(buf, cap, "%llu.%0*llu %s", (unsigned long long)(ns / unit),
                 digits & 7 /* 1..6: a range gcc -O1 with sanitizers can see */,
                 (unsigned long long)frac, secs ? "s" : "ms");
    else
        snprintf(buf, cap, "%llu ms", (unsigned long long)(ns / unit));
}
