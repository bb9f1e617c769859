/* test_clients.c — the simulated clients (issue 15 item 5, issue 22 item 2):
 * retry deadlines fire on time, retries back off exponentially with jitter,
 * a leader does not append a second copy of a write still in its log, and a
 * write that can never fit fails once instead of being retried forever. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../sim/scenario/runner.h"
#include "../../sim/scenario/scenario_int.h"
#include "../../sim/world/world.h"
#include "scn_parse.h"

/* ---- attempts, read back from the trace ---- */

enum { MAX_OPS = 4096, MAX_TRIES = 64 };
typedef struct attempts {
    uint64_t at[MAX_OPS][MAX_TRIES]; /* [session][k]: k = 0 invoke, then retries */
    uint32_t n[MAX_OPS];
    size_t total_retries;
} attempts;

static uint64_t field(const char *line, const char *name)
{
    char key[32];
    snprintf(key, sizeof key, "\"%s\":", name);
    const char *p = strstr(line, key);
    cr_assert(p, "no %s in %s", name, line);
    return strtoull(p + strlen(key), NULL, 10);
}

/* Run `text` and collect every op's invoke and retry times (one op per
 * session here: ops 1 per session is what these workloads do while no
 * answer ever comes). */
static void run_attempts(const char *text, uint64_t seed, attempts *a, uint64_t *hash)
{
    scenario sc;
    parse_ok(text, &sc);
    char *buf = NULL;
    size_t len = 0;
    FILE *tr = open_memstream(&buf, &len);
    cr_assert(tr);
    run_options opt = { .trace = tr, .verbosity = -1 };
    run_result res;
    char err[256];
    cr_assert_eq(run_scenario(&sc, seed, &opt, &res, err, sizeof err), 0, "%s", err);
    fclose(tr);
    *hash = res.trace_hash;
    run_result_free(&res);
    scenario_free(&sc);
    memset(a, 0, sizeof *a);
    for (char *line = strtok(buf, "\n"); line; line = strtok(NULL, "\n")) {
        bool invoke = strstr(line, "\"ev\":\"invoke\"") != NULL;
        bool retry = strstr(line, "\"ev\":\"retry\"") != NULL;
        if (!invoke && !retry)
            continue;
        uint64_t session = field(line, "session");
        cr_assert_eq(field(line, "seq"), 1, "one op per session: %s", line);
        cr_assert_lt(session, MAX_OPS);
        cr_assert_lt(a->n[session], MAX_TRIES);
        a->at[session][a->n[session]++] = field(line, "t");
        a->total_retries += retry;
    }
    free(buf);
}

/* The client can reach no node: every attempt times out. */
#define ISOLATED(timeout, opts) \
    "nodes 3\nclient c1 writer rate 20/s timeout " timeout " " opts \
    "\nat 0s isolate c1\nduration 3s\n"

Test(clients, every_retry_fires_exactly_at_its_attempts_deadline)
{
    /* Open-loop arrivals put deadlines of different ops between each other's:
     * the timer must serve each at its own time. (Before the fix a retry
     * re-armed the timer at its new, later deadline and stranded the earlier
     * ones queued behind it: they fired up to one timeout late.) */
    static attempts a;
    uint64_t hash;
    run_attempts(ISOLATED("100ms", "backoff off"), 1, &a, &hash);
    cr_assert_gt(a.total_retries, 100, "the workload retries: %zu", a.total_retries);
    size_t checked = 0;
    for (size_t s = 1; s < MAX_OPS; s++)
        for (uint32_t k = 1; k < a.n[s]; k++, checked++)
            cr_assert_eq(a.at[s][k] - a.at[s][k - 1], 100 * SIM_NS_PER_MS,
                         "session %zu attempt %u came %llu ns after the previous one, "
                         "not at its 100 ms deadline", s, k,
                         (unsigned long long)(a.at[s][k] - a.at[s][k - 1]));
    cr_assert_eq(checked, a.total_retries);
}

Test(clients, retries_back_off_exponentially_with_jitter_between_half_and_the_full_step)
{
    /* Retry k goes out a draw from [d/2, d] after the previous attempt,
     * d = min(160, 10 * 2^(k-1)) ms; a timed-out attempt has waited its
     * 20 ms already: spacing = max(20 ms, draw). */
    static attempts a;
    uint64_t hash, again;
    run_attempts(ISOLATED("20ms", "backoff 10ms..160ms"), 2, &a, &hash);
    const uint64_t ms = SIM_NS_PER_MS, timeout = 20 * ms;
    uint64_t late_min = UINT64_MAX, late_max = 0;
    size_t checked = 0, beyond_timeout = 0;
    for (size_t s = 1; s < MAX_OPS; s++) {
        for (uint32_t k = 1; k < a.n[s]; k++, checked++) {
            uint64_t d = 10 * ms << (k - 1 < 4 ? k - 1 : 4); /* 10, 20, 40, 80, 160 */
            uint64_t lo = d / 2 > timeout ? d / 2 : timeout, hi = d > timeout ? d : timeout;
            uint64_t spacing = a.at[s][k] - a.at[s][k - 1];
            cr_assert(spacing >= lo && spacing <= hi,
                      "session %zu retry %u came %llu ns after the previous attempt, "
                      "outside [%llu, %llu]", s, k, (unsigned long long)spacing,
                      (unsigned long long)lo, (unsigned long long)hi);
            beyond_timeout += spacing > timeout;
            if (k >= 5) {
                late_min = spacing < late_min ? spacing : late_min;
                late_max = spacing > late_max ? spacing : late_max;
            }
        }
    }
    cr_assert_gt(checked, 100, "retries checked: %zu", checked);
    cr_assert_gt(beyond_timeout, checked / 2, "the spacing grows past the timeout");
    cr_assert_gt(late_max - late_min, 10 * ms, "spacings are jittered: %llu..%llu",
                 (unsigned long long)late_min, (unsigned long long)late_max);
    run_attempts(ISOLATED("20ms", "backoff 10ms..160ms"), 2, &a, &again);
    cr_assert_eq(hash, again, "the jitter comes from the seeded stream");
}

Test(clients, timed_out_retries_back_off_by_default_to_a_second_apart)
{
    /* The default backoff (10ms..max(timeout, 1s)) spaces out timed-out
     * retries too: with a 30 ms timeout, retry k waits max(30 ms, a draw
     * from [d/2, d]), d = min(1 s, 10 ms * 2^(k-1)), so from the 8th retry
     * on attempts are at least 500 ms apart. (Before, the default ceiling
     * was the timeout: every unanswered op resent once per 30 ms forever,
     * the retry storm that collapsed slow links in explore seeds 9848,
     * 14818, ...) */
    static attempts a;
    uint64_t hash;
    run_attempts("nodes 3\nclient c1 writer rate 20/s timeout 30ms\n"
                 "at 0s isolate c1\nduration 1500ms\n", 3, &a, &hash);
    const uint64_t ms = SIM_NS_PER_MS;
    size_t checked = 0, late = 0;
    for (size_t s = 1; s < MAX_OPS; s++)
        for (uint32_t k = 1; k < a.n[s]; k++, checked++) {
            uint64_t spacing = a.at[s][k] - a.at[s][k - 1];
            cr_assert_geq(spacing, 30 * ms, "session %zu retry %u before its timeout", s, k);
            if (k < 7)
                continue;
            late++;
            cr_assert_geq(spacing, (k == 7 ? 320 : 500) * ms, "session %zu retry %u came %llu ns after the "
                          "previous attempt: timed-out retries do not back off", s, k,
                          (unsigned long long)spacing);
        }
    cr_assert_gt(checked, 100, "retries checked: %zu", checked);
    cr_assert_gt(late, 0, "some op reached its 7th retry");
}

Test(clients, backoff_is_on_by_default_and_round_trips_through_the_writer)
{
    scenario sc;
    parse_ok("nodes 3\nclient c1 writer rate 10/s\nclient c2 writer rate 10/s backoff 5ms..2s\n"
             "client c3 reader rate 10/s backoff off\n", &sc);
    cr_assert_not(sc.cfg.clients[0].no_backoff);
    cr_assert_eq(sc.cfg.clients[0].backoff_min_ns, SIM_CLIENT_BACKOFF_MIN_NS);
    cr_assert_eq(sc.cfg.clients[0].backoff_max_ns, SIM_CLIENT_BACKOFF_MAX_NS,
                 "up to 1 s, above the 500 ms timeout");
    cr_assert_eq(sc.cfg.clients[1].backoff_min_ns, 5 * SIM_NS_PER_MS);
    cr_assert_eq(sc.cfg.clients[1].backoff_max_ns, 2 * SIM_NS_PER_S);
    cr_assert(sc.cfg.clients[2].no_backoff);
    char *buf = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&buf, &len);
    cr_assert_eq(scenario_write(out, &sc, NULL, 0, 1, NULL), 0);
    fclose(out);
    cr_assert(strstr(buf, "backoff 10ms..1s") && strstr(buf, "backoff 5ms..2s") &&
              strstr(buf, "backoff off"), "%s", buf);
    scenario back;
    parse_ok(buf, &back);
    for (int i = 0; i < 3; i++) {
        cr_assert_eq(back.cfg.clients[i].no_backoff, sc.cfg.clients[i].no_backoff);
        cr_assert_eq(back.cfg.clients[i].backoff_min_ns, sc.cfg.clients[i].backoff_min_ns);
        cr_assert_eq(back.cfg.clients[i].backoff_max_ns, sc.cfg.clients[i].backoff_max_ns);
    }
    free(buf);
    scenario_free(&sc);
    scenario_free(&back);
}

/* ---- the leader's uncommitted log ---- */

/* Copies of (client, seq) in node id's log: the most copies of any one. */
static unsigned most_copies(sim *s, raft_id id)
{
    sim_node *n = &s->nodes[id];
    raft_status st;
    s->ops->get_status(n->proto, &st);
    static uint8_t count[1 << 16];
    memset(count, 0, sizeof count);
    unsigned most = 0;
    raft_entry e;
    logbuf_record rec;
    for (uint64_t i = 1; i <= st.last_index; i++) {
        if (!s->ops->entry_at(n->proto, i, &e) || !logbuf_cmd_decode(e.data, e.len, &rec))
            continue;
        cr_assert_lt(rec.client_id, 256);
        cr_assert_lt(rec.client_seq, 256);
        unsigned c = ++count[rec.client_id << 8 | rec.client_seq];
        most = c > most ? c : most;
    }
    return most;
}

Test(clients, a_leader_does_not_append_a_second_copy_of_a_write_still_in_its_log)
{
    /* 30 ms links keep each write uncommitted for about two round trips;
     * the client times out after 50 ms and retries, again and again, while
     * the first copy is still in the leader's log. No snapshots, so every
     * entry stays in the log to count. */
    scenario sc;
    parse_ok("nodes 3\nlatency const 30ms\nsnapshot off\n"
             "client c1 writer outstanding 4 timeout 50ms backoff off ops 40\n"
             "duration 6s\n", &sc);
    char err[256];
    sim *s = sim_new(&sc.cfg, 1, err, sizeof err);
    cr_assert(s, "%s", err);
    cr_assert(sim_run(s), "no violation");
    int64_t retries = 0, acked = 0;
    cr_assert(sim_metric(s, &(sim_metric_ref){ .metric = SIM_M_CLIENT_RETRIES }, &retries));
    cr_assert(sim_metric(s, &(sim_metric_ref){ .metric = SIM_M_ACKED }, &acked));
    cr_assert_gt(retries, 40, "writes were retried while uncommitted: %lld", (long long)retries);
    cr_assert_eq(acked, 40, "every write was acknowledged: %lld", (long long)acked);
    for (raft_id id = 1; id <= 3; id++)
        cr_assert_eq(most_copies(s, id), 1, "n%u's log holds a (client, seq) more than once", id);
    sim_free(s);
    scenario_free(&sc);
}

/* ---- writes that can never fit ---- */

Test(clients, a_too_big_answer_fails_the_operation_once_and_it_is_never_retried)
{
    /* The language refuses such a payload (scenario_limits.c); a config made
     * in code, or `--set max-entry=`, can still ask for it. */
    sim_config cfg;
    sim_config_default(&cfg);
    cfg.raft.max_entry_bytes = 1024;
    cfg.duration_ns = 3 * SIM_NS_PER_S;
    cfg.n_clients = 1;
    cfg.clients[0] = (sim_client_config){ .kind = SIM_CLIENT_CLOSED, .outstanding = 1,
                                          .payload_bytes = 2000, .max_ops = 5,
                                          .timeout_ns = 100 * SIM_NS_PER_MS };
    char err[256];
    sim *s = sim_new(&cfg, 1, err, sizeof err);
    cr_assert(s, "%s", err);
    cr_assert(sim_run(s), "no violation");
    int64_t failed = 0, retries = 0, acked = 0;
    cr_assert(sim_metric(s, &(sim_metric_ref){ .metric = SIM_M_CLIENT_FAILED }, &failed));
    cr_assert(sim_metric(s, &(sim_metric_ref){ .metric = SIM_M_CLIENT_RETRIES }, &retries));
    cr_assert(sim_metric(s, &(sim_metric_ref){ .metric = SIM_M_ACKED }, &acked));
    cr_assert_eq(failed, 5, "each of the 5 writes failed: %lld", (long long)failed);
    cr_assert_eq(acked, 0);
    /* Retries only while looking for the leader (its first election), never
     * after a too-big answer: a handful, not one every 10 ms for 3 s. */
    cr_assert_lt(retries, 10, "too-big writes were retried: %lld", (long long)retries);
    char *buf = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&buf, &len);
    sim_print_summary(s, out);
    fclose(out);
    cr_assert(strstr(buf, "client operations FAILED 5"), "the summary says so: %s", buf);
    free(buf);
    sim_free(s);
}

Test(clients, a_payload_that_cannot_fit_max_entry_is_a_parse_error_at_the_payload)
{
    scenario sc;
    char err[512];
    const char *text = "nodes 3\nclient c1 writer rate 10/s payload 1MiB\nduration 2s\n";
    cr_assert_eq(scenario_parse("p.scn", text, strlen(text), &sc, err, sizeof err), 2);
    cr_assert(strstr(err, "p.scn:2:36: error: expected a payload that fits max-entry"), "%s",
              err);
    /* max-entry given after the client still counts; a reader has no payload. */
    text = "client c1 writer rate 10/s payload 600\nclient c2 reader rate 1/s\nmax-entry 512\n";
    cr_assert_eq(scenario_parse("p.scn", text, strlen(text), &sc, err, sizeof err), 2);
    cr_assert(strstr(err, "p.scn:1:36: error:"), "%s", err);
    text = "client c1 writer rate 10/s payload 400\nmax-entry 512\n";
    cr_assert_eq(scenario_parse("p.scn", text, strlen(text), &sc, err, sizeof err), 0, "%s",
                 err);
    scenario_free(&sc);
}
