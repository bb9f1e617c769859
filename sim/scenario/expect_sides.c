/* expect_sides.c — the values of a comparison's two sides (metric
 * arithmetic, scenario_sides.c), now or as their change since a window
 * opened: each term is (K x M) / D with M and a metric D replaced by their
 * changes, a number term left as it is. Integers only; a product past the
 * int64 range is held at its bound. */
#include <string.h>

#include "expect.h"

bool expect_raw_sample(const expectation *e, const sim *s, expect_raw *raw)
{
    memset(raw, 0, sizeof *raw);
    for (int side = 0; side < 2 && (side == 0 || e->rhs_is_metric); side++) {
        const expect_term *terms = side ? e->rhs_term : e->lhs_term;
        const expect_terms *more = side ? &e->rhs_more : &e->lhs_more;
        for (uint32_t k = 0; k <= more->n; k++) {
            const sim_metric_ref *ref = k ? &more->ref[k - 1] : side ? &e->rhs : &e->lhs;
            if (!terms[k].number && !sim_metric(s, ref, &raw->v[side][k][0]))
                return false;
            if (terms[k].div == EXPECT_DIV_METRIC &&
                !sim_metric(s, &terms[k].div_ref, &raw->v[side][k][1]))
                return false;
        }
    }
    return true;
}

static int64_t mul_sat(int64_t a, int64_t b)
{
    int64_t p;
    if (!__builtin_mul_overflow(a, b, &p))
        return p;
    return (a < 0) != (b < 0) ? INT64_MIN : INT64_MAX;
}

static int64_t add_sat(int64_t a, int64_t b)
{
    int64_t p;
    if (!__builtin_add_overflow(a, b, &p))
        return p;
    return b < 0 ? INT64_MIN : INT64_MAX;
}

/* One side; false when a divisor is 0. */
static bool side_value(const expect_term *terms, const expect_terms *more, int64_t v[][2],
                       const int64_t (*base)[2], int64_t *out)
{
    *out = 0;
    for (uint32_t k = 0; k <= more->n; k++) {
        const expect_term *t = &terms[k];
        int64_t x = t->number ? t->mul : v[k][0] - (base ? base[k][0] : 0);
        if (!t->number && t->has_mul)
            x = mul_sat(t->mul, x);
        if (t->div != EXPECT_DIV_NONE) {
            int64_t d = t->div == EXPECT_DIV_NUMBER ? t->div_value
                                                    : v[k][1] - (base ? base[k][1] : 0);
            if (d == 0)
                return false;
            x = d == -1 ? mul_sat(x, -1) : x / d; /* INT64_MIN / -1 overflows */
        }
        *out = add_sat(*out, k && more->sign[k - 1] < 0 ? mul_sat(x, -1) : x);
    }
    return true;
}

int expect_eval_sides(const expectation *e, const sim *s, const expect_raw *base, int64_t *l,
                      int64_t *r)
{
    expect_raw now;
    *l = 0;
    *r = e->value;
    if (!expect_raw_sample(e, s, &now))
        return EXPECT_EVAL_NO_METRIC;
    bool ok = side_value(e->lhs_term, &e->lhs_more, now.v[0], base ? base->v[0] : NULL, l);
    if (e->rhs_is_metric)
        ok = side_value(e->rhs_term, &e->rhs_more, now.v[1], base ? base->v[1] : NULL, r) && ok;
    return ok ? EXPECT_EVAL_OK : EXPECT_EVAL_DIV_ZERO;
}

bool expect_sides(const expectation *e, const sim *s, int64_t *l, int64_t *r)
{
    return expect_eval_sides(e, s, NULL, l, r) == EXPECT_EVAL_OK;
}
