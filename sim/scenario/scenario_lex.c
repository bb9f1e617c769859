/* scenario_lex.c — the scenario lexer: text checks, words, error messages.
 *
 * A line is split into words at white space; `#` starts a comment; `{`, `}`,
 * `->` and `<->` are words of their own even without spaces around them, so
 * `{n1 n2}` and `n1->n2` read as expected. Columns count characters (UTF-8
 * code points), 1-based, so an error points at the word a reader sees. */
#include <assert.h>
#include <stdio.h>
#include <string.h>

#include "scenario_int.h"

int scn_error(scn_parser *p, uint32_t col, const char *fmt, ...)
{
    uint32_t line = p->ln ? p->ln->line : 1;
    int n = snprintf(p->err, p->err_cap, "%s:%u:%u: error: ", p->path, line, col);
    if (n >= 0 && (size_t)n < p->err_cap) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(p->err + n, p->err_cap - (size_t)n, fmt, ap);
        va_end(ap);
    }
    return 2;
}

/* Length of the UTF-8 sequence starting at s (at most `left` bytes), or 0 if
 * it is not valid UTF-8 (overlong forms, surrogates and > U+10FFFF too). */
static size_t utf8_seq_len(const unsigned char *s, size_t left)
{
    if (s[0] < 0x80)
        return 1;
    size_t n = s[0] >= 0xf0 ? 4 : s[0] >= 0xe0 ? 3 : s[0] >= 0xc2 ? 2 : 0;
    if (n == 0 || n > left || s[0] > 0xf4)
        return 0;
    for (size_t i = 1; i < n; i++)
        if ((s[i] & 0xc0) != 0x80)
            return 0;
    if (n == 3 && s[0] == 0xe0 && s[1] < 0xa0)
        return 0; /* overlong */
    if (n == 3 && s[0] == 0xed && s[1] >= 0xa0)
        return 0; /* surrogate */
    if (n == 4 && s[0] == 0xf0 && s[1] < 0x90)
        return 0; /* overlong */
    if (n == 4 && s[0] == 0xf4 && s[1] >= 0x90)
        return 0; /* above U+10FFFF */
    return n;
}

int scn_check_text(scn_parser *p, const char *text, size_t len)
{
    scn_line where = { .n = 0 }; /* only its line number is used, for messages */
    const unsigned char *s = (const unsigned char *)text;
    uint32_t line = 1, col = 1;
    p->ln = &where;
    for (size_t i = 0; i < len;) {
        where.line = line;
        if (s[i] == 0)
            return scn_error(p, col, "expected text, got a NUL byte (is this a binary file?)");
        size_t n = utf8_seq_len(s + i, len - i);
        if (n == 0)
            return scn_error(p, col, "expected UTF-8 text, got an invalid byte 0x%02x", s[i]);
        if (s[i] == '\n') {
            line++;
            col = 1;
        } else if (++col > SCN_MAX_LINE + 1) {
            return scn_error(p, col - 1, "expected a line of at most %d characters",
                             SCN_MAX_LINE);
        }
        i += n;
    }
    p->ln = NULL; /* `where` goes out of scope */
    return 0;
}

static bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\f'; }
static bool is_single(char c) { return c == '{' || c == '}'; }

/* Length of an arrow at s ("->" or "<->"), 0 if none. */
static size_t arrow_len(const char *s, size_t left)
{
    if (left >= 2 && s[0] == '-' && s[1] == '>')
        return 2;
    if (left >= 3 && s[0] == '<' && s[1] == '-' && s[2] == '>')
        return 3;
    return 0;
}

/* Bytes of the word starting at s: up to a space, a brace, an arrow or `#`. */
static size_t word_len(const char *s, size_t left)
{
    if (is_single(s[0]))
        return 1;
    size_t a = arrow_len(s, left);
    if (a)
        return a;
    size_t i = 0;
    while (i < left && !is_space(s[i]) && !is_single(s[i]) && s[i] != '#' &&
           arrow_len(s + i, left - i) == 0)
        i++;
    return i;
}

static uint32_t chars_in(const char *s, size_t n)
{
    uint32_t c = 0;
    for (size_t i = 0; i < n; i++)
        c += ((unsigned char)s[i] & 0xc0) != 0x80;
    return c;
}

int scn_tokenize(scn_parser *p, const char *s, size_t len, uint32_t line, scn_line *out)
{
    out->n = 0;
    out->line = line;
    out->end_col = 1;
    p->ln = out;
    p->pos = 0;
    uint32_t col = 1;
    size_t i = 0;
    while (i < len && s[i] != '#') {
        if (is_space(s[i])) {
            i++;
            col++;
            continue;
        }
        size_t n = word_len(s + i, len - i);
        assert(n > 0);
        if (out->n == SCN_MAX_TOKENS)
            return scn_error(p, col, "expected at most %d words on a line", SCN_MAX_TOKENS);
        out->tok[out->n++] = (scn_tok){ s + i, (uint32_t)n, col };
        col += chars_in(s + i, n);
        out->end_col = col + 1;
        i += n;
    }
    return 0;
}

const scn_tok *scn_peek(const scn_parser *p)
{
    return p->pos < p->ln->n ? &p->ln->tok[p->pos] : NULL;
}

const scn_tok *scn_next(scn_parser *p)
{
    const scn_tok *t = scn_peek(p);
    if (t)
        p->pos++;
    return t;
}

bool scn_tok_is(const scn_tok *t, const char *word)
{
    size_t n = strlen(word);
    return t && t->len == n && memcmp(t->s, word, n) == 0;
}

bool scn_peek_is(const scn_parser *p, const char *word)
{
    return scn_tok_is(scn_peek(p), word);
}

uint32_t scn_here(const scn_parser *p)
{
    const scn_tok *t = scn_peek(p);
    return t ? t->col : p->ln->end_col;
}

int scn_end(scn_parser *p)
{
    const scn_tok *t = scn_peek(p);
    if (!t)
        return 0;
    return scn_error(p, t->col, "expected the end of the line, got '%.*s'", (int)t->len, t->s);
}

int scn_keyword(scn_parser *p, const char *word)
{
    const scn_tok *t = scn_peek(p);
    if (scn_tok_is(t, word)) {
        p->pos++;
        return 0;
    }
    if (!t)
        return scn_error(p, scn_here(p), "expected '%s'", word);
    return scn_error(p, t->col, "expected '%s', got '%.*s'", word, (int)t->len, t->s);
}
