/* scenario_int.h — internals of the scenario parser, shared by its files
 * (lexer and value parsers, command tables, actions, expectations, writer)
 * and by the tests. Not part of the public interface (that is scenario.h). */
#ifndef SIM_SCENARIO_INT_H
#define SIM_SCENARIO_INT_H

#include <stdarg.h>

#include "scenario.h"

#define SCN_MAX_LINE 512   /* columns; longer lines are an error */
#define SCN_MAX_TOKENS 256 /* a 512-column line holds at most 256 words */
#define SCN_MAX_ACTIONS 100000
#define SCN_MAX_EXPECTS 1000
/* The longest virtual run the language accepts (duration, and the liveness
 * phase's heal-at + within), and the longest one it accepts without an
 * explicit `max-events`: a long run with busy clients can take hours of wall
 * time, so it must say how far it may go. */
#define SCN_MAX_RUN_NS (24 * 3600 * SIM_NS_PER_S)
#define SCN_LONG_RUN_NS (3600 * SIM_NS_PER_S)

/* One word of a line. `col` is the 1-based column (in characters). */
typedef struct scn_tok {
    const char *s;
    uint32_t len;
    uint32_t col;
} scn_tok;

typedef struct scn_line {
    scn_tok tok[SCN_MAX_TOKENS];
    uint32_t n;
    uint32_t line;
    uint32_t end_col; /* where a missing word would start */
} scn_line;

typedef struct scn_parser {
    scenario *sc;
    const char *path;
    char *err;
    size_t err_cap;
    size_t cap_actions, cap_expects;
    const scn_line *ln;
    uint32_t pos;          /* next token of ln */
    int pass;              /* 1: only `nodes` and client names; 2: everything */
    uint64_t last_at_ns;   /* time of the previous `at` */
    bool in_chaos;         /* inside `chaos { ... }` */
    uint32_t chaos_line, chaos_col;
    bool in_explore;       /* inside `explore { ... }` (scenario_explore.c) */
    uint32_t explore_line, explore_col;
    uint32_t other_line, other_col; /* first command outside an explore block */
    bool nodes_seen;
    /* where `heartbeat` and `election-timeout` were set (line 0: default),
     * for the check that the one stays below the other (scn_check_timing) */
    uint32_t heartbeat_line, heartbeat_col, timeout_line, timeout_col;
    uint32_t n_clients_declared;
    /* where settings that are checked against others at the end were written
     * (line 0: not written) — scenario_limits.c */
    uint32_t duration_line, duration_col, liveness_line, liveness_col;
    uint32_t client_line[SIM_MAX_CLIENTS], client_payload_col[SIM_MAX_CLIENTS];
    sim_action act;        /* the action the current `at` line builds */
    bool guard_sum;        /* in `if`: a per-node metric without selector is summed */
    uint16_t write_names;  /* bit k: name slot k names a write (`write c1 as w1`), not a node */
    /* `repeat N every D { ... }` (scenario_control.c): the block being read */
    bool in_repeat;
    uint32_t repeat_line, repeat_col;
    uint64_t repeat_rounds, repeat_every_ns, repeat_from_ns;
    size_t repeat_first;   /* index of the block's first action */
    /* (kind, class) pairs of faults restricted to a message class (scenario_faults.c) */
    bool mf_seeded;
    uint32_t n_mf_keys;
    uint16_t mf_keys[SIM_MAX_MSG_FAULTS];
} scn_parser;
_Static_assert(SIM_MAX_NAMES <= 16, "scn_parser.write_names holds one bit per name slot");

/* A command: a first word and its handler, with an example line that the
 * README shows and a test parses. */
typedef int (*scn_handler)(scn_parser *p);
typedef struct scn_command {
    const char *name;
    scn_handler fn;
    const char *example;
    bool setting; /* may be given with --set key=value */
} scn_command;

/* Tables (examples of every command in the language). */
const scn_command *scn_top_commands(size_t *n);
const scn_command *scn_action_commands(size_t *n);
const scn_command *scn_chaos_commands(size_t *n);
/* The heartbeat interval is below the minimum election timeout (raft_new
 * refuses anything else); the error points at whichever line set the pair
 * last (scenario_limits.c; part of scn_check_limits, and run by --set). 0 or 2. */
int scn_check_timing(scn_parser *p);

/* ---- lexer and errors (scenario_lex.c) ---- */
int scn_error(scn_parser *p, uint32_t col, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Check the whole text: NUL bytes, invalid UTF-8, long lines. 0 or 2. */
int scn_check_text(scn_parser *p, const char *text, size_t len);
/* Split one line (without its newline) into words; comments dropped. */
int scn_tokenize(scn_parser *p, const char *s, size_t len, uint32_t line, scn_line *out);
const scn_tok *scn_next(scn_parser *p);     /* NULL at end of line */
const scn_tok *scn_peek(const scn_parser *p);
bool scn_peek_is(const scn_parser *p, const char *word);
bool scn_tok_is(const scn_tok *t, const char *word);
uint32_t scn_here(const scn_parser *p);     /* column of the next word (or end) */
int scn_end(scn_parser *p);                 /* error on trailing words */
int scn_keyword(scn_parser *p, const char *word);

/* ---- values (scenario_values.c); each reports "expected ..." on error ---- */
int scn_uint(scn_parser *p, uint64_t min, uint64_t max, const char *what, uint64_t *out);
int scn_duration(scn_parser *p, const char *what, uint64_t *out);
int scn_signed_duration(scn_parser *p, const char *what, int64_t *out);
int scn_duration_range(scn_parser *p, const char *what, uint64_t *lo, uint64_t *hi);
int scn_percent(scn_parser *p, const char *what, uint32_t *ppm);
int scn_signed_ppm(scn_parser *p, const char *what, int64_t *ppm);
int scn_size(scn_parser *p, const char *what, uint64_t *bytes);
int scn_bandwidth(scn_parser *p, uint64_t *bytes_per_s);
int scn_onoff(scn_parser *p, const char *what, bool *out);
int scn_dist(scn_parser *p, sim_dist *out);
int scn_rate(scn_parser *p, uint32_t *per_s);
/* Parse a number with an optional unit from a word; used by expect too. */
bool scn_parse_duration_word(const char *s, uint32_t len, uint64_t *out);
bool scn_parse_size_word(const char *s, uint32_t len, uint64_t *out);

/* ---- endpoints (scenario_values.c) ---- */
enum scn_ep_flags {
    SCN_EP_NODE = 1,
    SCN_EP_CLIENT = 2,
    SCN_EP_LEADER = 4,
    SCN_EP_FOLLOWER = 8,
    SCN_EP_ALL = 16,
    SCN_EP_NAME = 32, /* a name bound by an earlier `as` (scenario_bind.c) */
};
int scn_target(scn_parser *p, unsigned flags, const char *what, sim_target *out);
/* Word -> node id (n3 -> 3) or client endpoint (c1 -> n_nodes + 1); 0 if
 * neither. Sets *is_client. */
uint32_t scn_ep_number(const scn_tok *t, bool *is_client);

/* ---- the explore block (scenario_explore.c) ---- */
int scn_cmd_explore(scn_parser *p);
int scn_explore_line(scn_parser *p);
/* ---- names bound with `as` (scenario_bind.c) ---- */
int scn_name_slot(const scn_parser *p, const scn_tok *t); /* a node's name; -1 if not bound */
int scn_write_slot(const scn_parser *p, const scn_tok *t); /* a write's name; -1 if none */
bool scn_name_word(const scn_tok *t);                     /* could be a name */
int scn_parse_bind(scn_parser *p, sim_action *a);         /* at `as`: `as NAME` */

/* ---- control (scenario_control.c): repeat blocks and guards ---- */
#define SCN_MAX_REPEAT_ROUNDS 100000 /* rounds of one `repeat` */
int scn_cmd_repeat(scn_parser *p);             /* `repeat N every D [from T] {` */
int scn_repeat_line(scn_parser *p);            /* a line inside the block */
int scn_repeat_unclosed(scn_parser *p, uint32_t last_line); /* at the end: 0 or 2 */
int scn_parse_guard(scn_parser *p, sim_action *a); /* after `if` (scenario_expect.c) */
int scn_metric_ref(scn_parser *p, sim_metric_ref *r); /* one metric (scenario_expect.c) */
/* ---- the sides of a comparison: metric arithmetic (scenario_sides.c) ---- */
int scn_parse_side(scn_parser *p, sim_metric_ref *first, expect_term *terms, expect_terms *more);
int scn_parse_rhs(scn_parser *p, expectation *e); /* a plain number, or a side */
bool scn_side_is_plain(const expect_term *terms, const expect_terms *more); /* one metric */
bool scn_side_has_gauge(const sim_metric_ref *first, const expect_term *terms,
                        const expect_terms *more);
void scn_write_metric_ref(FILE *out, const sim_config *cfg, const sim_metric_ref *r);
/* A named write's metric (scope 'W') is written and read as NAME WORD, WORD
 * its name without this prefix: `w1 applied-on` is write-applied-on of w1. */
#define SCN_WRITE_METRIC_PREFIX "write-"
const char *scn_write_metric_word(enum sim_metric m);

/* ---- network faults by message class, reordering (scenario_faults.c) ---- */
typedef struct scn_fault {
    uint32_t ppm;
    int group;          /* message class, -1: every message (per link) */
    uint32_t class_col; /* where the class is (or would be) */
    bool has_delay;     /* reorder, delay */
    bool plain;         /* reorder: the FIFO-keeping `P D` form (delay 0..D) */
    sim_dist delay;
} scn_fault;
/* After the parameter word of drop / duplicate / reorder / delay:
 * `P [CLASS]`, `P [CLASS] D | delay DELAY` (reorder), `[P] CLASS DELAY`. */
int scn_fault_spec(scn_parser *p, enum sim_param param, scn_fault *f);
int scn_cmd_net_fault(scn_parser *p, enum sim_param param); /* top-level forms */
int scn_cmd_client_links(scn_parser *p); /* `client-links reliable | like-peers` */
int scn_note_msg_fault(scn_parser *p, uint8_t kind, int group, uint32_t col); /* bound */
uint8_t scn_fault_kind(enum sim_param param); /* SIM_MF_* of a set parameter */
void scn_write_delay(FILE *out, const sim_dist *d);    /* 20ms, 1ms..2ms, pareto ... */
/* `drop 5% replies` (named) or only what follows the name; no newline */
void scn_write_msg_fault(FILE *out, const sim_msg_fault *f, bool named);

/* ---- actions and expectations ---- */
int scn_parse_at(scn_parser *p);
int scn_parse_expect(scn_parser *p);
/* After the last line: checks between settings (scenario_limits.c). 0 or 2. */
int scn_check_limits(scn_parser *p);
/* A virtual time of at most SCN_MAX_RUN_NS, then nothing else if `end`. */
int scn_run_time(scn_parser *p, const char *what, const char *name, uint64_t *out);
int scn_push_action(scn_parser *p, const sim_action *a);

/* ---- writer helpers (scenario_write.c) ---- */
void scn_write_duration(FILE *out, uint64_t ns);
void scn_format_duration(char *buf, size_t cap, uint64_t ns);
void scn_write_percent(FILE *out, uint32_t ppm);
void scn_write_size(FILE *out, uint64_t bytes);
/* " backoff MIN..MAX" or " backoff off" (scenario_client.c) */
void scn_write_client_backoff(FILE *out, const sim_client_config *c);
void scn_write_dist(FILE *out, const sim_dist *d);
void scn_write_ep(FILE *out, const sim_config *cfg, sim_ep ep);
void scn_write_target(FILE *out, const sim_config *cfg, const sim_target *t);
void scn_write_expectation(FILE *out, const sim_config *cfg, const expectation *e);
void scn_write_action(FILE *out, const sim_config *cfg, const sim_action *a);
/* If a[i] starts one of sc's repeat blocks and a[i..] still is exactly its
 * unrolled rounds, write the block and return how many actions it covers;
 * else write nothing and return 0 (scenario_write_repeat.c). */
size_t scn_write_repeat(FILE *out, const scenario *sc, const sim_action *a, size_t n, size_t i);

/* Is this metric a counter (compared by its change over a window) rather
 * than a gauge (compared at every event in the window)? */
bool scn_metric_is_counter(enum sim_metric m);

#endif
