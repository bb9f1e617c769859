/* scenario_bind.c — names for nodes chosen at run time: `at 2s crash leader
 * as old` binds whichever node the action hit to `old`; later actions name it
 * (`at 4s restart old`). A name must be bound by an earlier line; binding it
 * again rebinds it. The names live in sim_config.names (the simulator uses
 * only their slots). */
#include <string.h>

#include "scenario_int.h"

/* Words a name may not be: they already mean something where a node goes. */
static const char *const reserved[] = { "leader", "follower", "all", "as", "any", "sum",
                                        "on", "chaos", "if", "repeat", "every", "up" };

static int any_slot(const scn_parser *p, const scn_tok *t)
{
    const sim_config *cfg = &p->sc->cfg;
    for (uint32_t i = 0; i < cfg->n_names; i++)
        if (scn_tok_is(t, cfg->names[i]))
            return (int)i;
    return -1;
}

int scn_name_slot(const scn_parser *p, const scn_tok *t)
{
    int slot = any_slot(p, t);
    return slot >= 0 && (p->write_names >> slot & 1) ? -1 : slot;
}

int scn_write_slot(const scn_parser *p, const scn_tok *t)
{
    int slot = any_slot(p, t);
    return slot >= 0 && (p->write_names >> slot & 1) ? slot : -1;
}

/* A lower-case letter, then letters, digits or '-'; not n3/c1 or a keyword. */
static bool name_shape(const scn_tok *t)
{
    if (t->len == 0 || t->len >= SIM_NAME_MAX || t->s[0] < 'a' || t->s[0] > 'z')
        return false;
    for (uint32_t i = 1; i < t->len; i++) {
        char c = t->s[i];
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'))
            return false;
    }
    bool client;
    if (scn_ep_number(t, &client))
        return false;
    for (size_t i = 0; i < sizeof reserved / sizeof *reserved; i++)
        if (scn_tok_is(t, reserved[i]))
            return false;
    return true;
}

bool scn_name_word(const scn_tok *t)
{
    return name_shape(t);
}

/* `as NAME` after an action whose single target is a node or client. */
int scn_parse_bind(scn_parser *p, sim_action *a)
{
    const scn_tok *as = scn_next(p);
    bool single = a->target.kind == SIM_TARGET_EP || a->target.kind == SIM_TARGET_LEADER ||
                  a->target.kind == SIM_TARGET_FOLLOWER || a->target.kind == SIM_TARGET_NAME;
    switch (a->kind) {
    case SIM_ACT_CRASH: case SIM_ACT_RESTART: case SIM_ACT_PAUSE: case SIM_ACT_RESUME:
    case SIM_ACT_ISOLATE: case SIM_ACT_ISOLATE_PEERS: case SIM_ACT_RECONNECT:
    case SIM_ACT_DRIFT: case SIM_ACT_CLOCK_JUMP: case SIM_ACT_WRITE:
        break;
    default: single = false;
    }
    if (!single || a->both)
        return scn_error(p, as->col, "expected `as NAME` only after an action on one node "
                         "or client (e.g. crash leader as old)");
    const scn_tok *t = scn_next(p);
    if (!t)
        return scn_error(p, scn_here(p), "expected a name after `as` (e.g. old)");
    if (!name_shape(t))
        return scn_error(p, t->col, "expected a name after `as` (a lower-case letter, then "
                         "letters, digits or '-', at most %d characters; not n1, c1 or a "
                         "keyword), got '%.*s'", SIM_NAME_MAX - 1, (int)t->len, t->s);
    sim_config *cfg = &p->sc->cfg;
    int slot = any_slot(p, t);
    bool write = a->kind == SIM_ACT_WRITE;
    if (slot >= 0 && (p->write_names >> slot & 1) != write)
        return scn_error(p, t->col, "expected a new name or one that already names a %s; "
                         "'%.*s' names a %s", write ? "write" : "node", (int)t->len, t->s,
                         write ? "node" : "write");
    if (slot < 0) {
        if (cfg->n_names == SIM_MAX_NAMES)
            return scn_error(p, t->col, "expected at most %d names", SIM_MAX_NAMES);
        slot = (int)cfg->n_names++;
        memcpy(cfg->names[slot], t->s, t->len);
        cfg->names[slot][t->len] = '\0';
    }
    a->bind = (uint8_t)(slot + 1);
    if (write)
        p->write_names |= (uint16_t)(1u << slot);
    return 0;
}
