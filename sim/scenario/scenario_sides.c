/* scenario_sides.c — the two sides of a comparison (expectations, guards):
 * metric arithmetic. A side is up to EXPECT_MAX_TERMS terms joined by `+`
 * and `-` (words of their own); a term is a metric, `K * METRIC`,
 * `METRIC / D`, `K * METRIC / D` (D a metric or a number above 0) or a
 * number alone (with a unit if it likes: `latency-p99 + 5ms`):
 *
 *   expect acked + 1 <= committed
 *   expect messages.append <= 3 * messages.vote between 2s 3s
 *   expect 100 * acked / committed >= 90
 *   expect messages.append / messages.vote < 40
 *
 * Integer arithmetic only: (K x METRIC) / D rounds toward zero, so a scale
 * is written out (`100 * a / b` is a percentage). Evaluated in expect.c. */
#include <string.h>

#include "scenario_int.h"

/* A number word: a count, size or duration, optionally negative. */
static bool number_word(const scn_tok *t, int64_t *out)
{
    bool neg = t->len > 1 && t->s[0] == '-';
    uint64_t v;
    if (!scn_parse_size_word(t->s + neg, t->len - neg, &v) &&
        !scn_parse_duration_word(t->s + neg, t->len - neg, &v))
        return false;
    if (v > (uint64_t)INT64_MAX)
        return false;
    *out = neg ? -(int64_t)v : (int64_t)v;
    return true;
}

static int divisor(scn_parser *p, expect_term *t)
{
    const scn_tok *w = scn_peek(p);
    int64_t d;
    if (w && number_word(w, &d)) {
        if (d <= 0)
            return scn_error(p, w->col, "expected a divisor above 0");
        p->pos++;
        t->div = EXPECT_DIV_NUMBER;
        t->div_value = d;
        return 0;
    }
    t->div = EXPECT_DIV_METRIC;
    return scn_metric_ref(p, &t->div_ref);
}

/* One term: NUMBER | [K *] METRIC [/ D]. */
static int term(scn_parser *p, sim_metric_ref *ref, expect_term *t)
{
    const scn_tok *w = scn_peek(p);
    int64_t k;
    memset(t, 0, sizeof *t);
    if (w && number_word(w, &k)) {
        p->pos++;
        t->mul = k;
        if (!scn_peek_is(p, "*")) {
            t->number = true;
            return 0;
        }
        p->pos++;
        t->has_mul = true;
    }
    int rc = scn_metric_ref(p, ref);
    if (rc || !scn_peek_is(p, "/"))
        return rc;
    p->pos++;
    return divisor(p, t);
}

int scn_parse_side(scn_parser *p, sim_metric_ref *first, expect_term *terms, expect_terms *more)
{
    int rc = term(p, first, &terms[0]);
    more->n = 0;
    while (!rc && (scn_peek_is(p, "+") || scn_peek_is(p, "-"))) {
        const scn_tok *op = scn_next(p);
        if (more->n == EXPECT_MAX_TERMS - 1)
            return scn_error(p, op->col, "expected at most %d metrics on a side",
                             EXPECT_MAX_TERMS);
        more->sign[more->n] = op->s[0] == '+' ? 1 : -1;
        rc = term(p, &more->ref[more->n], &terms[more->n + 1]);
        more->n++;
    }
    return rc;
}

bool scn_side_is_plain(const expect_term *terms, const expect_terms *more)
{
    const expect_term *t = &terms[0];
    return more->n == 0 && !t->has_mul && !t->number && t->div == EXPECT_DIV_NONE;
}

bool scn_side_has_gauge(const sim_metric_ref *first, const expect_term *terms,
                        const expect_terms *more)
{
    for (uint32_t k = 0; k <= more->n; k++) {
        const sim_metric_ref *r = k ? &more->ref[k - 1] : first;
        if (!terms[k].number && !scn_metric_is_counter(r->metric))
            return true;
        if (terms[k].div == EXPECT_DIV_METRIC && !scn_metric_is_counter(terms[k].div_ref.metric))
            return true;
    }
    return false;
}

/* The right-hand side: a plain number (`value`), or arithmetic. */
int scn_parse_rhs(scn_parser *p, expectation *e)
{
    const scn_tok *t = scn_peek(p);
    if (!t)
        return scn_error(p, scn_here(p), "expected a number or a metric");
    int64_t v;
    uint32_t at = p->pos;
    if (number_word(t, &v)) {
        p->pos++;
        if (!scn_peek_is(p, "*") && !scn_peek_is(p, "+") && !scn_peek_is(p, "-")) {
            e->value = v; /* the common case: METRIC OP NUMBER */
            return 0;
        }
        p->pos = at;
    } else if ((t->s[0] >= '0' && t->s[0] <= '9') || (t->len > 1 && t->s[0] == '-')) {
        return scn_error(p, t->col, "expected a number below 2^63 or a metric");
    }
    e->rhs_is_metric = true;
    return scn_parse_side(p, &e->rhs, e->rhs_term, &e->rhs_more);
}

size_t expect_refs(expectation *e, sim_metric_ref **out)
{
    size_t n = 0;
    for (int side = 0; side < 2; side++) {
        if (side == 1 && !e->rhs_is_metric)
            break;
        expect_term *terms = side ? e->rhs_term : e->lhs_term;
        expect_terms *more = side ? &e->rhs_more : &e->lhs_more;
        for (uint32_t k = 0; k <= more->n; k++) {
            if (!terms[k].number)
                out[n++] = k ? &more->ref[k - 1] : side ? &e->rhs : &e->lhs;
            if (terms[k].div == EXPECT_DIV_METRIC)
                out[n++] = &terms[k].div_ref;
        }
    }
    return n;
}
