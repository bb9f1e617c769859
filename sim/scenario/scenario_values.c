/* scenario_values.c — numbers with units, percentages, distributions and
 * endpoint names, all parsed with integer arithmetic (a decimal fraction is
 * accepted only where it comes out exact: 1.5s, 0.5%, but not 1.5ns). */
#include <assert.h>
#include <string.h>

#include "scenario_int.h"

typedef struct unit {
    const char *name;
    uint64_t scale;
} unit;

static const unit duration_units[] = {
    { "ns", 1 }, { "us", 1000 }, { "ms", 1000000 }, { "s", 1000000000 },
    { "m", UINT64_C(60000000000) }, { "h", UINT64_C(3600000000000) },
};
static const unit size_units[] = {
    { "", 1 }, { "B", 1 }, { "KB", 1000 }, { "KiB", 1024 }, { "MB", 1000000 },
    { "MiB", 1 << 20 }, { "GB", 1000000000 }, { "GiB", 1 << 30 },
};

/* value = number * scale for "12", "12.5" (fraction exact in scale). */
static bool scaled_number(const char *s, uint32_t len, uint64_t scale, uint64_t *out)
{
    uint64_t whole = 0, frac = 0, frac_div = 1;
    uint32_t i = 0, digits = 0;
    for (; i < len && s[i] >= '0' && s[i] <= '9'; i++, digits++)
        if (__builtin_mul_overflow(whole, 10, &whole) ||
            __builtin_add_overflow(whole, (uint64_t)(s[i] - '0'), &whole))
            return false;
    if (digits == 0)
        return false;
    if (i < len && s[i] == '.') {
        uint32_t fd = 0;
        for (i++; i < len && s[i] >= '0' && s[i] <= '9'; i++, fd++) {
            if (fd >= 18)
                return false;
            frac = frac * 10 + (uint64_t)(s[i] - '0');
            frac_div *= 10;
        }
        if (fd == 0)
            return false;
    }
    if (i != len)
        return false;
    uint64_t a, b;
    if (__builtin_mul_overflow(whole, scale, &a))
        return false;
    unsigned __int128 f = (unsigned __int128)frac * scale;
    if (f % frac_div != 0)
        return false; /* not exact: 1.5ns */
    b = (uint64_t)(f / frac_div);
    return !__builtin_add_overflow(a, b, out);
}

/* Split "150ms" into the number part and the unit part. */
static uint32_t number_prefix(const char *s, uint32_t len)
{
    uint32_t i = 0;
    while (i < len && ((s[i] >= '0' && s[i] <= '9') || s[i] == '.'))
        i++;
    return i;
}

static bool with_units(const char *s, uint32_t len, const unit *units, size_t n_units,
                       bool unitless_ok, uint64_t *out)
{
    uint32_t k = number_prefix(s, len);
    const char *u = s + k;
    uint32_t ulen = len - k;
    if (ulen == 0 && unitless_ok)
        return scaled_number(s, k, 1, out);
    for (size_t i = 0; i < n_units; i++)
        if (strlen(units[i].name) == ulen && memcmp(units[i].name, u, ulen) == 0)
            return scaled_number(s, k, units[i].scale, out);
    return false;
}

bool scn_parse_duration_word(const char *s, uint32_t len, uint64_t *out)
{
    if (len == 1 && s[0] == '0') {
        *out = 0;
        return true;
    }
    return with_units(s, len, duration_units, sizeof duration_units / sizeof *duration_units,
                      false, out);
}

bool scn_parse_size_word(const char *s, uint32_t len, uint64_t *out)
{
    return with_units(s, len, size_units, sizeof size_units / sizeof *size_units, true, out);
}

/* The next word, or an error "expected <what>" at the end of the line. */
static const scn_tok *need(scn_parser *p, const char *what, int *rc)
{
    const scn_tok *t = scn_next(p);
    *rc = t ? 0 : scn_error(p, scn_here(p), "expected %s", what);
    return t;
}

static int bad(scn_parser *p, const scn_tok *t, const char *what)
{
    return scn_error(p, t->col, "expected %s, got '%.*s'", what, (int)t->len, t->s);
}

/* Parses a whole word into *out; false if the word is not such a value. */
typedef bool word_parser(const char *s, uint32_t len, void *out);

/* Every value below is one word: read it, parse it, or say what was expected. */
static int value_word(scn_parser *p, const char *what, word_parser *parse, void *out)
{
    int rc;
    const scn_tok *t = need(p, what, &rc);
    if (rc)
        return rc;
    return parse(t->s, t->len, out) ? 0 : bad(p, t, what);
}

/* A plain number without a unit, times `scale` ("12", "0.5"). */
static bool plain_number(const char *s, uint32_t len, uint64_t scale, uint64_t *out)
{
    return number_prefix(s, len) == len && scaled_number(s, len, scale, out);
}

/* "+X" or "-X" with |X| <= max (the sign is required, so a reader sees the
 * direction). */
static bool signed_word(const char *s, uint32_t len,
                        bool (*magnitude)(const char *, uint32_t, uint64_t *), uint64_t max,
                        int64_t *out)
{
    uint64_t v;
    if (len < 2 || (s[0] != '+' && s[0] != '-') || !magnitude(s + 1, len - 1, &v) || v > max)
        return false;
    *out = s[0] == '-' ? -(int64_t)v : (int64_t)v;
    return true;
}

/* The length of X in "X/s" (at least one character), or 0. */
static uint32_t per_second(const char *s, uint32_t len)
{
    return len >= 3 && memcmp(s + len - 2, "/s", 2) == 0 ? len - 2 : 0;
}

int scn_uint(scn_parser *p, uint64_t min, uint64_t max, const char *what, uint64_t *out)
{
    int rc;
    const scn_tok *t = need(p, what, &rc);
    if (rc)
        return rc;
    uint64_t v;
    if (!plain_number(t->s, t->len, 1, &v))
        return bad(p, t, what);
    if (v < min || v > max)
        return scn_error(p, t->col, "expected %s between %llu and %llu, got %llu", what,
                         (unsigned long long)min, (unsigned long long)max,
                         (unsigned long long)v);
    *out = v;
    return 0;
}

static bool duration_word(const char *s, uint32_t len, void *ns)
{
    return scn_parse_duration_word(s, len, ns);
}

int scn_duration(scn_parser *p, const char *what, uint64_t *out)
{
    return value_word(p, what, duration_word, out);
}

static bool signed_duration_word(const char *s, uint32_t len, void *ns)
{
    return signed_word(s, len, scn_parse_duration_word, (uint64_t)INT64_MAX, ns);
}

/* "+1s" or "-500ms". */
int scn_signed_duration(scn_parser *p, const char *what, int64_t *out)
{
    return value_word(p, what, signed_duration_word, out);
}

typedef struct duration_range {
    uint64_t *lo, *hi;
} duration_range;

static bool range_word(const char *s, uint32_t len, void *range)
{
    const duration_range *r = range;
    const char *dots = NULL;
    for (uint32_t i = 0; i + 1 < len; i++)
        if (s[i] == '.' && s[i + 1] == '.')
            dots = s + i;
    if (!dots)
        return false;
    uint32_t left = (uint32_t)(dots - s);
    return scn_parse_duration_word(s, left, r->lo) &&
           scn_parse_duration_word(dots + 2, len - left - 2, r->hi) && *r->hi >= *r->lo;
}

/* "200ms..1s" as one word. */
int scn_duration_range(scn_parser *p, const char *what, uint64_t *lo, uint64_t *hi)
{
    duration_range r = { lo, hi };
    return value_word(p, what, range_word, &r);
}

/* "0.5%" or "5000ppm", at most 100%. */
static bool ppm_magnitude(const char *s, uint32_t len, uint64_t *ppm)
{
    bool ok;
    if (len > 3 && memcmp(s + len - 3, "ppm", 3) == 0)
        ok = plain_number(s, len - 3, 1, ppm);
    else if (len > 1 && s[len - 1] == '%')
        ok = plain_number(s, len - 1, 10000, ppm);
    else
        ok = false;
    return ok && *ppm <= 1000000;
}

static bool percent_word(const char *s, uint32_t len, void *ppm)
{
    uint64_t v;
    if (!ppm_magnitude(s, len, &v))
        return false;
    *(uint32_t *)ppm = (uint32_t)v;
    return true;
}

int scn_percent(scn_parser *p, const char *what, uint32_t *ppm)
{
    return value_word(p, what, percent_word, ppm);
}

static bool signed_ppm_word(const char *s, uint32_t len, void *ppm)
{
    return signed_word(s, len, ppm_magnitude, 1000000, ppm);
}

int scn_signed_ppm(scn_parser *p, const char *what, int64_t *ppm)
{
    return value_word(p, what, signed_ppm_word, ppm);
}

static bool size_word(const char *s, uint32_t len, void *bytes)
{
    return scn_parse_size_word(s, len, bytes);
}

int scn_size(scn_parser *p, const char *what, uint64_t *bytes)
{
    return value_word(p, what, size_word, bytes);
}

/* "10MB/s", or "off" (0). */
static bool bandwidth_word(const char *s, uint32_t len, void *bytes_per_s)
{
    uint64_t *bps = bytes_per_s;
    if (len == 3 && memcmp(s, "off", 3) == 0) {
        *bps = 0;
        return true;
    }
    uint32_t k = per_second(s, len);
    return k && scn_parse_size_word(s, k, bps) && *bps != 0;
}

int scn_bandwidth(scn_parser *p, uint64_t *bytes_per_s)
{
    return value_word(p, "a bandwidth (e.g. 10MB/s, or off)", bandwidth_word, bytes_per_s);
}

static bool onoff_word(const char *s, uint32_t len, void *on)
{
    bool is_on = len == 2 && memcmp(s, "on", 2) == 0;
    if (!is_on && !(len == 3 && memcmp(s, "off", 3) == 0))
        return false;
    *(bool *)on = is_on;
    return true;
}

int scn_onoff(scn_parser *p, const char *what, bool *out)
{
    return value_word(p, what, onoff_word, out);
}

/* "1000/s": 1 to 10,000,000 a second. */
static bool rate_word(const char *s, uint32_t len, void *per_s)
{
    uint64_t v;
    uint32_t k = per_second(s, len);
    if (!k || !plain_number(s, k, 1, &v) || v == 0 || v > 10000000)
        return false;
    *(uint32_t *)per_s = (uint32_t)v;
    return true;
}

int scn_rate(scn_parser *p, uint32_t *per_s)
{
    return value_word(p, "a rate (e.g. 1000/s)", rate_word, per_s);
}

/* const D | uniform D D | normal MEAN SD | pareto MIN MEAN */
typedef struct dist_form {
    const char *name;
    enum sim_dist_kind kind;
    const char *a_what, *b_what;
} dist_form;

static const dist_form dist_forms[] = {
    { "const", SIM_DIST_CONST, "a duration (e.g. 1ms)", NULL },
    { "uniform", SIM_DIST_UNIFORM, "a minimum duration", "a maximum duration" },
    { "normal", SIM_DIST_NORMAL, "a mean duration", "a standard deviation" },
    { "pareto", SIM_DIST_PARETO, "a minimum duration", "a mean duration" },
};

static bool dist_form_word(const char *s, uint32_t len, void *form)
{
    for (size_t i = 0; i < sizeof dist_forms / sizeof *dist_forms; i++)
        if (strlen(dist_forms[i].name) == len && memcmp(dist_forms[i].name, s, len) == 0) {
            *(const dist_form **)form = &dist_forms[i];
            return true;
        }
    return false;
}

int scn_dist(scn_parser *p, sim_dist *out)
{
    const dist_form *f = NULL;
    int rc = value_word(p, "a distribution (const, uniform, normal or pareto)", dist_form_word,
                        &f);
    if (rc)
        return rc;
    *out = (sim_dist){ f->kind, 0, 0 };
    if (f->kind == SIM_DIST_CONST)
        return scn_duration(p, f->a_what, &out->a_ns);
    if ((rc = scn_duration(p, f->a_what, &out->a_ns)) ||
        (rc = scn_duration(p, f->b_what, &out->b_ns)))
        return rc;
    bool ok = f->kind == SIM_DIST_UNIFORM ? out->b_ns >= out->a_ns
              : f->kind == SIM_DIST_PARETO ? out->b_ns > out->a_ns : true;
    if (!ok)
        return scn_error(p, p->ln->tok[p->pos - 1].col, "expected %s larger than %s", f->b_what,
                         f->a_what + 2);
    return 0;
}

uint32_t scn_ep_number(const scn_tok *t, bool *is_client)
{
    if (t->len < 2 || t->len > 4 || (t->s[0] != 'n' && t->s[0] != 'c') || t->s[1] == '0')
        return 0;
    uint32_t v = 0;
    for (uint32_t i = 1; i < t->len; i++) {
        if (t->s[i] < '0' || t->s[i] > '9')
            return 0;
        v = v * 10 + (uint32_t)(t->s[i] - '0');
    }
    *is_client = t->s[0] == 'c';
    return v;
}

static int endpoint(scn_parser *p, const scn_tok *t, unsigned flags, const char *what,
                    sim_target *out)
{
    bool client = false;
    uint32_t v = scn_ep_number(t, &client);
    if (v == 0 || (client && !(flags & SCN_EP_CLIENT)) || (!client && !(flags & SCN_EP_NODE)))
        return bad(p, t, what);
    const sim_config *cfg = &p->sc->cfg;
    if (!client && v > cfg->n_nodes)
        return scn_error(p, t->col, "expected a node n1..n%u (the scenario has %u nodes), "
                         "got '%.*s'", cfg->n_nodes, cfg->n_nodes, (int)t->len, t->s);
    if (client && v > p->n_clients_declared)
        return scn_error(p, t->col, "expected a client declared with `client` (this scenario "
                         "declares %u), got '%.*s'", p->n_clients_declared, (int)t->len, t->s);
    out->kind = SIM_TARGET_EP;
    out->ep = client ? cfg->n_nodes + v : v;
    return 0;
}

int scn_target(scn_parser *p, unsigned flags, const char *what, sim_target *out)
{
    int rc;
    const scn_tok *t = need(p, what, &rc);
    if (rc)
        return rc;
    *out = (sim_target){ SIM_TARGET_NONE, 0 };
    if ((flags & SCN_EP_LEADER) && scn_tok_is(t, "leader"))
        out->kind = SIM_TARGET_LEADER;
    else if ((flags & SCN_EP_FOLLOWER) && scn_tok_is(t, "follower"))
        out->kind = SIM_TARGET_FOLLOWER;
    else if ((flags & SCN_EP_ALL) && scn_tok_is(t, "all"))
        out->kind = SIM_TARGET_ALL;
    else if ((flags & SCN_EP_NAME) && scn_name_slot(p, t) >= 0)
        *out = (sim_target){ SIM_TARGET_NAME, (sim_ep)scn_name_slot(p, t) };
    else if ((flags & SCN_EP_NAME) && scn_write_slot(p, t) >= 0)
        return scn_error(p, t->col, "expected %s; '%.*s' names a write, not a node", what,
                         (int)t->len, t->s);
    else if ((flags & SCN_EP_NAME) && scn_name_word(t))
        return scn_error(p, t->col, "expected %s; '%.*s' is not a name bound by an earlier "
                         "`as`", what, (int)t->len, t->s);
    else
        return endpoint(p, t, flags, what, out);
    return 0;
}
