/* scenario_client.c — the workload: `client cK writer|reader` and options.
 *
 *   client c1 writer rate 1000/s payload 64          open loop (a rate)
 *   client c2 writer outstanding 4 payload 8 timeout 200ms   closed loop
 *   client c3 reader rate 10/s from 1s until 5s ops 100
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
    return scn_error(p, t->col, "expected a client option (rate, outstanding, payload, "
                     "timeout, from, until, ops), got '%.*s'", (int)t->len, t->s);
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
    bool writer = false, rate = false, outstanding = false;
    if ((rc = client_kind(p, &writer)))
        return rc;
    sim_client_config c = { .payload_bytes = CLIENT_DEFAULT_PAYLOAD,
                            .timeout_ns = CLIENT_DEFAULT_TIMEOUT_NS };
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
    p->sc->cfg.clients[p->sc->cfg.n_clients++] = c;
    return 0;
}
