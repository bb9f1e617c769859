/* runner.c — run one scenario with one seed (runner.h).
 *
 * Builds the sim from the scenario's config, adds the scripted actions and
 * the chaos block's schedule (merged by time; scripted first on ties, so
 * "scripted steps happen exactly when written, random faults around them"),
 * then runs from checkpoint to checkpoint of the expectations (expect.h),
 * with an observer that looks at open windows only. */
#include <assert.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "expect.h"
#include "runner.h"
#include "trace_header.h"

/* Merge the scripted and the chaos actions into the sim, in time order. */
static int add_actions(sim *s, const scenario *sc, const sim_action *chaos, size_t n_chaos,
                       char *err, size_t err_cap)
{
    size_t i = 0, k = 0;
    while (i < sc->n_actions || k < n_chaos) {
        bool scripted = k == n_chaos ||
                        (i < sc->n_actions && sc->actions[i].at_ns <= chaos[k].at_ns);
        const sim_action *a = scripted ? &sc->actions[i++] : &chaos[k++];
        if (sim_add_action(s, a) != 0) {
            snprintf(err, err_cap, "%s:%u: error: the simulator rejected this %s action",
                     sc->path ? sc->path : "?", a->line, sim_action_name(a->kind));
            return 2;
        }
    }
    return 0;
}

static sim *build(const scenario *sc, uint64_t seed, const run_options *opt, char *err,
                  size_t err_cap)
{
    sim_action *chaos = NULL;
    size_t n_chaos = 0;
    if (scenario_expand_chaos(sc, seed, &chaos, &n_chaos) != 0) {
        snprintf(err, err_cap, "the chaos block would draw over a million faults of one kind, or memory ran out");
        return NULL;
    }
    sim *s = sim_new(&sc->cfg, seed, err, err_cap);
    if (s && add_actions(s, sc, chaos, n_chaos, err, err_cap) != 0) {
        sim_free(s);
        s = NULL;
    }
    free(chaos);
    if (s && opt && opt->trace) {
        trace_write_header(opt->trace, sc, seed);
        sim_set_trace(s, opt->trace);
    }
    return s;
}

/* Windows open only at checkpoints (and at the start), so until the next
 * one the per-event observer is needed only if a window is open now: most
 * runs then make no observer call per event. */
static void watch(sim *s, expect_eval *ev)
{
    sim_set_observer(s, ev->n_active ? expect_on_event : NULL, ev);
}

/* With a progress callback, the run goes in slices of this much virtual
 * time, the callback called between them. Stopping at a virtual time and going
 * on is what checkpoints do: the run (and its trace hash) is the same. */
#define PROGRESS_SLICE_NS (50 * SIM_NS_PER_MS)

/* Run the slices before virtual time t; false if the run ended meanwhile. */
static bool run_slices(sim *s, uint64_t t, const run_options *opt)
{
    uint64_t end = sim_get_config(s)->duration_ns;
    while (opt->progress && sim_now(s) < end && t - sim_now(s) > PROGRESS_SLICE_NS) {
        bool more = sim_run_until(s, sim_now(s) + PROGRESS_SLICE_NS);
        opt->progress(opt->progress_arg, sim_now(s), end, sim_event_count(s));
        if (!more)
            return false;
    }
    return true;
}

/* Run from checkpoint to checkpoint, then to the end of the run. */
static void run(sim *s, expect_eval *ev, const run_options *opt)
{
    expect_start(ev, s);
    watch(s, ev);
    bool more = true;
    for (uint64_t c; more && (c = expect_next_checkpoint(ev)) != EXPECT_NO_CHECKPOINT;) {
        more = run_slices(s, c, opt) && sim_run_until(s, c);
        if (sim_stopped(s))
            break; /* cut short before checkpoint c: it is not reached */
        if (more || !sim_violation_get(s)) {
            expect_checkpoint(ev, s, c);
            watch(s, ev);
        }
    }
    if (more && !sim_violation_get(s))
        run_slices(s, sim_get_config(s)->duration_ns, opt);
    if (!sim_violation_get(s))
        sim_run(s); /* the rest, the liveness phase and the end-of-run history check */
    if (opt->progress)
        opt->progress(opt->progress_arg, sim_now(s), sim_get_config(s)->duration_ns,
                      sim_event_count(s));
}

/* replay --until: the run stopped before event `until` (or ended first):
 * say where, and dump every node. */
static void report_until(const sim *s, const run_options *opt)
{
    FILE *out = opt->summary ? opt->summary : opt->diag;
    if (!out)
        return;
    char when[48];
    sim_format_time(sim_now(s), when, sizeof when);
    if (sim_stopped(s))
        fprintf(out, "stopped before event %" PRIu64 " at %s\n", opt->until_event, when);
    else
        fprintf(out, "the run ended at %s after %" PRIu64 " events, before event %" PRIu64
                     " (nothing cut short)\n", when, sim_event_count(s), opt->until_event);
    sim_dump_nodes(s, out);
}

static void verdict(run_result *res, const scenario *sc, const expect_eval *ev,
                    const sim_violation *v)
{
    res->violation = v ? v->kind : SIM_V_NONE;
    for (size_t i = 0; v && i < sc->n_expects; i++)
        if (sc->expects[i].kind == EXPECT_VIOLATION && ev->slots[i].status == EXPECT_HELD)
            res->violation_expected = true;
    res->failed_expect = expect_first_failed(ev);
    res->passed = (!v || res->violation_expected) && res->failed_expect < 0;
    char when[48];
    sim_format_time(v ? v->time_ns : 0, when, sizeof when);
    if (v && !res->violation_expected)
        snprintf(res->reason, sizeof res->reason, "violation %s at %s: %.180s",
                 sim_violation_name(v->kind), when, v->detail);
    else if (res->failed_expect >= 0)
        snprintf(res->reason, sizeof res->reason, "line %u: %.120s -- %.100s",
                 sc->expects[res->failed_expect].line, sc->expects[res->failed_expect].text,
                 ev->slots[res->failed_expect].why);
}

/* The summary's list of expectations: each one's status; with -v (or with
 * no failure report to hold it) what it saw and when. A failure's detail is
 * printed once: in the failure report on diag. */
static void report_expects(const expect_eval *ev, const run_result *res,
                           const run_options *opt)
{
    static const char *words[] = { "pending", "ok", "FAILED", "skipped" };
    size_t held = 0, failed = 0, n = ev->sc->n_expects;
    for (size_t i = 0; i < n; i++) {
        held += ev->slots[i].status == EXPECT_HELD;
        failed += ev->slots[i].status == EXPECT_FAILED;
    }
    bool below = failed && opt->diag && !res->passed;
    fprintf(opt->summary, "expectations: %zu of %zu held%s%s\n", held, n,
            below ? " (the failure report follows)" : "",
            res->cut_short && held < n ? " (cut short: the pending ones were never decided)"
                                       : "");
    for (size_t i = 0; i < n; i++) {
        const expect_slot *slot = &ev->slots[i];
        bool why = slot->why[0] && (slot->status == EXPECT_FAILED ? !below
                                                                   : opt->verbosity > 0);
        fprintf(opt->summary, "  %-7s line %-3u %s%s%s\n", words[slot->status],
                ev->sc->expects[i].line, ev->sc->expects[i].text, why ? " -- " : "",
                why ? slot->why : "");
    }
}

static void report(const sim *s, const expect_eval *ev, const run_result *res,
                   const run_options *opt)
{
    if (opt->summary && opt->verbosity >= 0) {
        sim_print_summary(s, opt->summary);
        report_expects(ev, res, opt);
        if (opt->verbosity > 0)
            sim_print_coverage(s, opt->summary);
        fflush(opt->summary); /* before the failure report, when both go to one screen */
    }
    if (!opt->diag || res->passed || res->cut_short) /* cut short: nothing decided */
        return;
    /* Each failure once: the violation's report, the failed expectations'
     * lines (res->reason is one of these, for callers that print one line). */
    if (res->violation != SIM_V_NONE && !res->violation_expected)
        sim_print_violation(s, opt->diag);
    expect_report(ev, opt->diag, false);
    if (opt->replay_hint)
        fprintf(opt->diag, "replay: %s\n", opt->replay_hint);
}

static int collect(sim *s, run_result *res)
{
    size_t n = 0;
    const sim_action *done = sim_executed_actions(s, &n);
    res->trace_hash = sim_trace_hash(s);
    res->events = sim_event_count(s);
    res->end_ns = sim_now(s);
    memcpy(res->coverage, sim_coverage_counts(s), sizeof res->coverage);
    res->executed = n ? malloc(n * sizeof *res->executed) : NULL;
    if (n && !res->executed)
        return -1;
    if (n)
        memcpy(res->executed, done, n * sizeof *done);
    res->n_executed = n;
    return 0;
}

int run_scenario(const scenario *sc, uint64_t seed, const run_options *opt, run_result *res,
                 char *err, size_t err_cap)
{
    static const run_options quiet = { .verbosity = -1 };
    opt = opt ? opt : &quiet;
    memset(res, 0, sizeof *res);
    res->failed_expect = -1;
    expect_eval ev;
    if (expect_init(&ev, sc) != 0) {
        snprintf(err, err_cap, "out of memory");
        return 2;
    }
    sim *s = build(sc, seed, opt, err, err_cap);
    if (!s) {
        expect_free(&ev);
        return 2;
    }
    sim_set_observer(s, expect_on_event, &ev);
    if (opt->until_event)
        sim_stop_before_event(s, opt->until_event);
    run(s, &ev, opt);
    if (opt->until_event)
        report_until(s, opt);
    const sim_violation *v = sim_violation_get(s);
    bool cut = sim_stopped(s);
    if (!cut) /* cut short: what was undecided stays pending */
        expect_finish(&ev, s, v);
    verdict(res, sc, &ev, v);
    if (cut) { /* a run cut short decides nothing: it never passes */
        res->cut_short = true;
        res->passed = false;
        snprintf(res->reason, sizeof res->reason,
                 "cut short before event %" PRIu64 ": the run did not reach its end",
                 opt->until_event);
    }
    int rc = collect(s, res);
    if (opt->trace)
        trace_write_end(opt->trace, sc, &ev, sim_now(s), sim_event_count(s), v, res->passed,
                        cut);
    if (opt->metrics_csv)
        sim_write_metrics_csv(s, opt->metrics_csv);
    report(s, &ev, res, opt);
    sim_free(s);
    expect_free(&ev);
    if (rc != 0)
        snprintf(err, err_cap, "out of memory");
    return rc ? 2 : 0;
}

void run_result_free(run_result *res)
{
    free(res->executed);
    res->executed = NULL;
    res->n_executed = 0;
}
