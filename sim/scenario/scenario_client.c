/* scenario_client.c — the workload: `client cK writer|reader` and options.
 *
 *   client c1 writer rate 1000/s payload 64          open loop (a rate)
 *   client c2 writer outstanding 4 payload 8 timeout 200ms   closed loop
 *   client c3 reader rate 10/s from 1s until 5s ops 100
 *   client c4 writer rate 100/s timeout 100ms backoff 5ms..2s
 *   client c5 writer outstanding 1 backoff off     retry at once after a timeout
 *
 * `backoff MIN..MAX` (default 10ms..TIMEOUT): the k-th retry of an operation
 * goes out no sooner than a draw from [d/2, d] after the previous attempt,
 * d = min(MAX, MIN * 2^(k-1)), from the client's own random stream. A payload must fit `max-entry` (checked at the end of the
 * file, scenario_limits.c).
 *
 * Clients are declared in order (c1, c2, ...): their names are network
 * endpoints (c1 = endpoint n_nodes + 1) that partitions and cuts can name. */
#include <string.h>

#include "scenario_int.h"

#define CLIENT_DEFAULT_PAYLOAD 64
#define CLIENT_DEFAULT_TIMEOUT_NS (500 * SIM_NS_PER_MS)

static int client_name(scn_parser *p, uint32_t *index)
{
    const scn_tok *t = scn_next(p);
    bool is_client = false;
    uint32_t v = t ? scn_ep_number(t, &is_client) : 0;
    uint32_t want = p->pass == 1 ? p->n_clients_declared + 1 : p->sc->cfg.n_clients + 1;
    if (!t)
        return scn_error(p, scn_here(p), "expected a client name (c%u)", want);
    if (!is_client || v != want)
        return scn_error(p, t->col, "expected the next client name, c%u, got '%.*s'", want,
                         (int)t->len, t->s);
    if (v > SIM_MAX_CLIENTS)
        return scn_error(p, t->col, "expected at most %d clients", SIM_MAX_CLIENTS);
    *index = v;
    return 0;
}

/* backoff MIN..MAX | backoff off */
static int client_backoff(scn_parser *p, sim_client_config *c)
{
    if (scn_peek_is(p, "off")) {
        p->pos++;
        c->no_backoff = true;
        c->backoff_min_ns = c->backoff_max_ns = 0;
        return 0;
    }
    uint32_t col = scn_here(p);
    uint64_t lo, hi;
    int rc = scn_duration_range(p, "a backoff range (e.g. 10ms..1s) or off", &lo, &hi);
    if (rc)
        return rc;
    if (lo == 0)
        return scn_error(p, col, "expected a backoff range with a non-zero minimum "
                         "(e.g. 10ms..1s), or off");
    if (hi > SCN_MAX_RUN_NS)
        return scn_error(p, col, "expected a backoff maximum of at most 24h");
    c->no_backoff = false;
    c->backoff_min_ns = lo;
    c->backoff_max_ns = hi;
    return 0;
}

static int client_option(scn_parser *p, const scn_tok *t, sim_client_config *c, bool *rate,
                         bool *outstanding)
{
    uint64_t v;
    int rc;
    if (scn_tok_is(t, "rate")) {
        *rate = true;
        return scn_rate(p, &c->rate_per_s);
    }
    if (scn_tok_is(t, "outstanding")) {
        *outstanding = true;
        rc = scn_uint(p, 1, 1000000, "a number of operations in flight", &v);
        c->outstanding = (uint32_t)v;
        return rc;
    }
    if (scn_tok_is(t, "payload")) {
        p->client_payload_col[p->sc->cfg.n_clients] = scn_here(p);
        rc = scn_size(p, "a payload size (e.g. 64)", &v);
        if (!rc && v > UINT32_MAX)
            return scn_error(p, p->ln->tok[p->pos - 1].col, "expected a payload below 4GiB");
        c->payload_bytes = (uint32_t)v;
        return rc;
    }
    if (scn_tok_is(t, "timeout"))
        return scn_duration(p, "a retry timeout (e.g. 200ms)", &c->timeout_ns);
    if (scn_tok_is(t, "from"))
        return scn_duration(p, "a start time (e.g. 1s)", &c->start_ns);
    if (scn_tok_is(t, "until"))
        return scn_duration(p, "a stop time (e.g. 5s)", &c->stop_ns);
    if (scn_tok_is(t, "ops"))
        return scn_uint(p, 1, UINT64_MAX, "a number of operations", &c->max_ops);
    if (scn_tok_is(t, "backoff"))
        return client_backoff(p, c);
    return scn_error(p, t->col, "expected a client option (rate, outstanding, payload, "
                     "timeout, backoff, from, until, ops), got '%.*s'", (int)t->len, t->s);
}

static int client_kind(scn_parser *p, bool *writer)
{
    const scn_tok *t = scn_next(p);
    if (scn_tok_is(t, "writer") || scn_tok_is(t, "reader")) {
        *writer = scn_tok_is(t, "writer");
        return 0;
    }
    if (!t)
        return scn_error(p, scn_here(p), "expected writer or reader");
    return scn_error(p, t->col, "expected writer or reader, got '%.*s'", (int)t->len, t->s);
}

int scn_cmd_client(scn_parser *p)
{
    uint32_t index = 0;
    int rc = client_name(p, &index);
    if (rc)
        return rc;
    if (p->pass == 1) { /* only count the names, so endpoints resolve in pass 2 */
        p->n_clients_declared = index;
        return 0;
    }
    uint32_t kind_col = scn_here(p);
    p->client_line[p->sc->cfg.n_clients] = p->ln->line;
    p->client_payload_col[p->sc->cfg.n_clients] = p->ln->tok[0].col;
    bool writer = false, rate = false, outstanding = false;
    if ((rc = client_kind(p, &writer)))
        return rc;
    sim_client_config c = { .payload_bytes = CLIENT_DEFAULT_PAYLOAD,
                            .timeout_ns = CLIENT_DEFAULT_TIMEOUT_NS,
                            .backoff_min_ns = 0, .backoff_max_ns = 0 };
    for (const scn_tok *t; (t = scn_next(p));)
        if ((rc = client_option(p, t, &c, &rate, &outstanding)))
            return rc;
    if (writer && rate == outstanding)
        return scn_error(p, kind_col, "expected a writer with either a rate or outstanding N");
    if (!writer && (!rate || outstanding))
        return scn_error(p, kind_col, "expected a reader with a rate (e.g. rate 10/s)");
    if (c.stop_ns && c.stop_ns <= c.start_ns)
        return scn_error(p, kind_col, "expected `until` later than `from`");
    c.kind = !writer ? SIM_CLIENT_READER : rate ? SIM_CLIENT_OPEN : SIM_CLIENT_CLOSED;
    if (!c.no_backoff && !c.backoff_min_ns) { /* the default (sim.h), spelled out */
        c.backoff_min_ns = SIM_CLIENT_BACKOFF_MIN_NS;
        c.backoff_max_ns = sim_client_default_backoff_max_ns(c.timeout_ns);
    }
    p->sc->cfg.clients[p->sc->cfg.n_clients++] = c;
    return 0;
}

void scn_write_client_backoff(FILE *out, const sim_client_config *c)
{
    if (c->no_backoff) {
        fputs(" backoff off", out);
        return;
    }
    bool dflt = !c->backoff_min_ns && !c->backoff_max_ns; /* a config made in code */
    uint64_t lo = dflt ? SIM_CLIENT_BACKOFF_MIN_NS : c->backoff_min_ns;
    uint64_t hi = !dflt ? c->backoff_max_ns : sim_client_default_backoff_max_ns(c->timeout_ns);
    fputs(" backoff ", out);
    scn_write_duration(out, lo);
    fputs("..", out);
    scn_write_duration(out, hi);
}
