/* names.c — names for codes, roles, events and bugs; the default configuration. */
#include "raft.h"

#include <string.h>

const char *raft_strerror(int err)
{
#define RAFT_ERR_TEXT(name, text) text,
    static const char *const texts[] = {RAFT_ERRORS(RAFT_ERR_TEXT)};
#undef RAFT_ERR_TEXT
    if (err < 0 || err >= RAFT_ERR_COUNT)
        return "unknown error";
    return texts[err];
}

const char *raft_role_name(enum raft_role role)
{
    switch (role) {
    case RAFT_FOLLOWER: return "follower";
    case RAFT_PRECANDIDATE: return "precandidate";
    case RAFT_CANDIDATE: return "candidate";
    case RAFT_LEADER: return "leader";
    }
    return "?";
}

const char *raft_event_name(enum raft_event_kind kind)
{
    static const char *const names[RAFT_EV__COUNT] = {
        [RAFT_EV_ROLE] = "role",
        [RAFT_EV_TERM] = "term",
        [RAFT_EV_VOTE] = "vote",
        [RAFT_EV_APPEND] = "append",
        [RAFT_EV_TRUNCATE] = "truncate",
        [RAFT_EV_COMMIT] = "commit",
        [RAFT_EV_APPLY] = "apply",
        [RAFT_EV_PERSISTED] = "persisted",
        [RAFT_EV_SNAPSHOT_TAKEN] = "snapshot_taken",
        [RAFT_EV_SNAPSHOT_INSTALLED] = "snapshot_installed",
        [RAFT_EV_SNAPSHOT_SENT] = "snapshot_sent",
        [RAFT_EV_PREVOTE_REFUSED] = "prevote_refused",
        [RAFT_EV_VOTE_REFUSED] = "vote_refused",
        [RAFT_EV_STEPDOWN_QUORUM] = "stepdown_quorum",
        [RAFT_EV_STEPDOWN_TERM] = "stepdown_term",
        [RAFT_EV_OLD_TERM_COMMITTED] = "old_term_committed",
        [RAFT_EV_BACKTRACK] = "backtrack",
        [RAFT_EV_TRANSFER_START] = "transfer_start",
        [RAFT_EV_TIMEOUT_NOW] = "timeout_now",
        [RAFT_EV_STALE_MESSAGE] = "stale_message",
        [RAFT_EV_LIMIT] = "limit",
        [RAFT_EV_CAMPAIGN] = "campaign",
    };
    if ((unsigned)kind >= RAFT_EV__COUNT || !names[kind])
        return "?";
    return names[kind];
}

const char *raft_limit_name(enum raft_limit limit)
{
    switch (limit) {
    case RAFT_LIMIT_OUTBOX: return "outbox";
    case RAFT_LIMIT_WRITES: return "writes";
    case RAFT_LIMIT_READS: return "reads";
    case RAFT_LIMIT_SNAPSHOT: return "snapshot";
    case RAFT_LIMIT_TRANSFER_LOG: return "transfer-log";
    case RAFT_LIMIT__COUNT: break;
    }
    return "?";
}

#define RAFT_BUG_FLAG(name, flag, text) flag,
#define RAFT_BUG_TEXT(name, flag, text) text,
static const char *const bug_flags[] = {RAFT_BUGS_LIST(RAFT_BUG_FLAG)};
static const char *const bug_texts[] = {RAFT_BUGS_LIST(RAFT_BUG_TEXT)};
#undef RAFT_BUG_FLAG
#undef RAFT_BUG_TEXT

const char *raft_bug_flag(int index)
{
    return index >= 0 && index < RAFT_BUG__COUNT ? bug_flags[index] : NULL;
}

const char *raft_bug_text(int index)
{
    return index >= 0 && index < RAFT_BUG__COUNT ? bug_texts[index] : NULL;
}

bool raft_bugs_compiled(void)
{
#ifdef RAFT_BUGS
    return true;
#else
    return false;
#endif
}

void raft_config_default(raft_config *cfg, raft_id id, uint32_t n_nodes)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->id = id;
    cfg->n_nodes = n_nodes;
    cfg->election_timeout_min_ns = 150000000u;
    cfg->election_timeout_max_ns = 300000000u;
    cfg->heartbeat_ns = 50000000u;
    cfg->prevote = true;
    cfg->check_quorum = true;
    cfg->max_entries_per_msg = 64;
    cfg->max_bytes_per_msg = 64u * 1024u;
    cfg->pipeline_window = 4;
    cfg->max_inflight_bytes = 256u * 1024u;
    cfg->retransmit_max_ns = 1000000000u;
    cfg->snapshot_threshold = 0;
    cfg->snapshot_trailing = 0;
    cfg->snapshot_chunk_bytes = 16u * 1024u;
    cfg->max_entry_bytes = 1u << 20;
    cfg->bugs = 0;
}
