/* msg.c — the wire codec for Raft RPCs and the log-buffer client protocol.
 *
 * Every integer is little-endian; booleans are one byte, 0 or 1 only, so that
 * each message has exactly one encoding (decode(encode(m)) == m and
 * encode(decode(b)) == b). Header (12 bytes), then the body of the type:
 *
 *   header        u8 version | u8 type | u16 from | u64 term
 *   RequestVote   u64 last_index | u64 last_term | u8 prevote | u8 transfer
 *   RequestVoteR  u8 granted | u8 prevote
 *   AppendEntries u64 prev_index | u64 prev_term | u64 leader_commit | u64 seq |
 *                 u32 n_entries | n x (u64 term | u8 type | u32 len | len bytes)
 *   AppendEntrR   u8 success | u64 seq | u64 match_index | u64 conflict_index |
 *                 u64 conflict_term | u64 last_index
 *   InstallSnap   u64 last_index | u64 last_term | u64 offset | u64 total_len |
 *                 u8 done | u32 len | len bytes
 *   InstallSnapR  u64 last_index | u64 next_offset | u8 done
 *   TimeoutNow    (empty)
 *   ClientAppend  u64 client_id | u64 seq | u32 len | len bytes
 *   ClientAppR    u64 client_id | u64 seq | u8 status | u16 leader_hint | u64 index
 *   ClientRead    u64 client_id | u64 seq | u32 last_n
 *   ClientReadR   u64 client_id | u64 seq | u8 status | u16 leader_hint |
 *                 u64 read_index | u64 records_total | u64 digest
 *
 * Decoding checks the fixed part of a body once and then reads its fields
 * without further tests; only the variable parts (entries, payloads) are
 * checked piece by piece, always as "length <= bytes remaining" so no pointer
 * arithmetic can overflow. Nothing here allocates.
 */
#include "msg.h"

#include <assert.h>
#include <string.h>

enum {
    MSG_HEADER = 12,
    MSG_ENTRY_HEADER = 13, /* u64 term | u8 type | u32 len */
    MSG_ID_MAX = UINT16_MAX,
};

/* Fixed body size of each type (variable parts excluded). */
static const size_t msg_body_fixed[RAFT_MSG__END] = {
    [RAFT_MSG_REQUEST_VOTE] = 18,         [RAFT_MSG_REQUEST_VOTE_RESP] = 2,
    [RAFT_MSG_APPEND_ENTRIES] = 36,       [RAFT_MSG_APPEND_ENTRIES_RESP] = 41,
    [RAFT_MSG_INSTALL_SNAPSHOT] = 37,     [RAFT_MSG_INSTALL_SNAPSHOT_RESP] = 17,
    [RAFT_MSG_TIMEOUT_NOW] = 0,           [RAFT_MSG_CLIENT_APPEND] = 20,
    [RAFT_MSG_CLIENT_APPEND_RESP] = 27,   [RAFT_MSG_CLIENT_READ] = 20,
    [RAFT_MSG_CLIENT_READ_RESP] = 43,
};

/* ---- type names ---- */

#define MSG_NAME_ENTRY(name, code, text) [code] = text,
static const char *const msg_type_names[RAFT_MSG__END] = {RAFT_MSG_TYPES(MSG_NAME_ENTRY)};
#undef MSG_NAME_ENTRY

const char *raft_msg_type_name(int type)
{
    if (type <= 0 || type >= RAFT_MSG__END || !msg_type_names[type])
        return "?";
    return msg_type_names[type];
}

int raft_msg_type_from_name(const char *name)
{
    if (!name)
        return 0;
    for (int t = 1; t < RAFT_MSG__END; t++)
        if (msg_type_names[t] && strcmp(msg_type_names[t], name) == 0)
            return t;
    return 0;
}

/* ---- little-endian primitives (compilers turn these into plain loads) ---- */

static inline uint16_t get16(const uint8_t *p) { return (uint16_t)(p[0] | (unsigned)p[1] << 8); }
static inline uint32_t get32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}
static inline uint64_t get64(const uint8_t *p) { return get32(p) | (uint64_t)get32(p + 4) << 32; }

static inline uint8_t *put8(uint8_t *p, uint8_t v)
{
    *p = v;
    return p + 1;
}
static inline uint8_t *put16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    return p + 2;
}
/* Spelled out byte by byte (not a loop) so that store merging turns each
 * into one store on little-endian hosts. */
static inline uint8_t *put32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
    p[3] = (uint8_t)(v >> 24);
    return p + 4;
}
static inline uint8_t *put64(uint8_t *p, uint64_t v)
{
    put32(p, (uint32_t)v);
    put32(p + 4, (uint32_t)(v >> 32));
    return p + 8;
}
static inline uint8_t *put_bytes(uint8_t *p, const uint8_t *src, uint32_t len)
{
    if (len)
        memcpy(p, src, len);
    return p + len;
}

/* A wire boolean: exactly 0 or 1, else the message is rejected. */
static inline bool get_bool(const uint8_t *p, bool *ok)
{
    *ok &= p[0] <= 1;
    return p[0] == 1;
}

static inline bool status_valid(uint8_t s) { return s <= RAFT_CLIENT_TOO_BIG; }
static inline bool entry_type_valid(uint32_t t)
{
    return t == RAFT_ENTRY_NOOP || t == RAFT_ENTRY_DATA;
}

/* An entry that can be encoded: a known type, data present when it has bytes. */
static inline bool entry_encodable(const raft_entry *e)
{
    return entry_type_valid(e->type) && (e->len == 0 || e->data);
}

/* The entry array of an AppendEntries is usable (each entry checked apart). */
static inline bool entries_present(const raft_msg *m)
{
    return m->ae.n_entries <= RAFT_MAX_BATCH && (m->ae.n_entries == 0 || m->ae.entries);
}

/* A payload pointer is present when the payload has bytes. */
static inline bool payload_present(uint32_t len, const uint8_t *data)
{
    return len == 0 || data;
}

/* The extra fields of the client replies are in range. */
static inline bool reply_valid(uint8_t status, raft_id leader_hint)
{
    return status_valid(status) && leader_hint <= MSG_ID_MAX;
}

/* ---- size and validity of a message to encode ---- */

/* Bytes of the entries of an AppendEntries, or 0 if one is invalid; one pass
 * validates and sizes. Cannot overflow: at most RAFT_MAX_BATCH entries of at
 * most UINT32_MAX bytes each (< 2^43). */
static size_t msg_entries_size(const raft_msg *m, bool *ok)
{
    *ok = entries_present(m);
    size_t n = 0;
    for (uint32_t i = 0; *ok && i < m->ae.n_entries; i++) {
        const raft_entry *e = &m->ae.entries[i];
        if (!entry_encodable(e))
            *ok = false;
        n += MSG_ENTRY_HEADER + (size_t)e->len;
    }
    return n;
}
_Static_assert(sizeof(size_t) >= 8, "message sizes need a 64-bit size_t");

/* Encoded size of a valid message, 0 if it is invalid. */
static size_t msg_checked_size(const raft_msg *m)
{
    if (m->type == 0 || m->type >= RAFT_MSG__END || m->from > MSG_ID_MAX)
        return 0;
    size_t n = MSG_HEADER + msg_body_fixed[m->type];
    bool ok = true;
    switch (m->type) {
    case RAFT_MSG_APPEND_ENTRIES: n += msg_entries_size(m, &ok); break;
    case RAFT_MSG_INSTALL_SNAPSHOT:
        ok = payload_present(m->is.len, m->is.data);
        n += m->is.len;
        break;
    case RAFT_MSG_CLIENT_APPEND:
        ok = payload_present(m->capp.len, m->capp.data);
        n += m->capp.len;
        break;
    case RAFT_MSG_CLIENT_APPEND_RESP: ok = reply_valid(m->cappr.status, m->cappr.leader_hint); break;
    case RAFT_MSG_CLIENT_READ_RESP: ok = reply_valid(m->creadr.status, m->creadr.leader_hint); break;
    default: break;
    }
    return ok ? n : 0;
}

size_t raft_msg_encoded_size(const raft_msg *m)
{
    assert(m);
    return msg_checked_size(m);
}

/* ---- encode ----
 *
 * One pass: the fixed part's room is checked once up front, each variable
 * part (entry, payload) just before it is written, and validity as the fields
 * are written, with the same predicates msg_checked_size uses. A writer
 * returns 0 when the message cannot be encoded (the buffer then holds
 * garbage), else the length of the whole encoding, from buf.
 *
 * The variable parts (entries, payloads) are written by out-of-line
 * functions the fixed part ends in: their copies are calls, and a call
 * anywhere in the encoder made every message save and restore five
 * registers, when most messages (acknowledgements, heartbeats, votes) have
 * no variable part at all. */

/* Room for `need` more bytes between p and end. */
static inline bool room(const uint8_t *p, const uint8_t *end, size_t need)
{
    return (size_t)(end - p) >= need;
}

/* The length of an encoding that ends at p. */
static inline size_t encoded(const uint8_t *buf, const uint8_t *p, const uint8_t *end)
{
    assert(p <= end);
    (void)end;
    return (size_t)(p - buf);
}

/* The entries of an AppendEntries (m->ae.n_entries > 0, the array present),
 * from p on. */
static __attribute__((noinline)) size_t encode_entries(uint8_t *buf, uint8_t *p,
                                                       const uint8_t *end, const raft_msg *m)
{
    /* Read once: the stores into the buffer could alias the message. */
    const raft_entry *entries = m->ae.entries;
    const uint32_t n = m->ae.n_entries;
    for (uint32_t i = 0; i < n; i++) {
        const raft_entry *e = &entries[i];
        if (!entry_encodable(e) || !room(p, end, MSG_ENTRY_HEADER + (size_t)e->len))
            return 0;
        p = put64(p, e->term);
        p = put8(p, (uint8_t)e->type);
        p = put32(p, e->len);
        p = put_bytes(p, e->data, e->len);
    }
    return encoded(buf, p, end);
}

/* A payload of len bytes (present: payload_present), from p on. */
static __attribute__((noinline)) size_t encode_payload(uint8_t *buf, uint8_t *p,
                                                       const uint8_t *end,
                                                       const uint8_t *data, uint32_t len)
{
    if (!room(p, end, len))
        return 0;
    return encoded(buf, put_bytes(p, data, len), end);
}

static inline size_t encode_raft_body(uint8_t *buf, uint8_t *p, const uint8_t *end,
                                      const raft_msg *m, unsigned type)
{
    switch (type) {
    case RAFT_MSG_REQUEST_VOTE:
        p = put64(p, m->rv.last_index);
        p = put64(p, m->rv.last_term);
        p = put8(p, m->rv.prevote);
        p = put8(p, m->rv.transfer);
        break;
    case RAFT_MSG_REQUEST_VOTE_RESP:
        p = put8(p, m->rvr.granted);
        p = put8(p, m->rvr.prevote);
        break;
    case RAFT_MSG_APPEND_ENTRIES:
        if (!entries_present(m))
            return 0;
        p = put64(p, m->ae.prev_index);
        p = put64(p, m->ae.prev_term);
        p = put64(p, m->ae.leader_commit);
        p = put64(p, m->ae.seq);
        p = put32(p, m->ae.n_entries);
        if (m->ae.n_entries)
            return encode_entries(buf, p, end, m);
        break;
    case RAFT_MSG_APPEND_ENTRIES_RESP:
        p = put8(p, m->aer.success);
        p = put64(p, m->aer.seq);
        p = put64(p, m->aer.match_index);
        p = put64(p, m->aer.conflict_index);
        p = put64(p, m->aer.conflict_term);
        p = put64(p, m->aer.last_index);
        break;
    case RAFT_MSG_INSTALL_SNAPSHOT:
        if (!payload_present(m->is.len, m->is.data))
            return 0;
        p = put64(p, m->is.last_index);
        p = put64(p, m->is.last_term);
        p = put64(p, m->is.offset);
        p = put64(p, m->is.total_len);
        p = put8(p, m->is.done);
        p = put32(p, m->is.len);
        if (m->is.len)
            return encode_payload(buf, p, end, m->is.data, m->is.len);
        break;
    case RAFT_MSG_INSTALL_SNAPSHOT_RESP:
        p = put64(p, m->isr.last_index);
        p = put64(p, m->isr.next_offset);
        p = put8(p, m->isr.done);
        break;
    default: break; /* TimeoutNow: empty body */
    }
    return encoded(buf, p, end);
}

static inline size_t encode_client_body(uint8_t *buf, uint8_t *p, const uint8_t *end,
                                        const raft_msg *m, unsigned type)
{
    switch (type) {
    case RAFT_MSG_CLIENT_APPEND:
        if (!payload_present(m->capp.len, m->capp.data))
            return 0;
        p = put64(p, m->capp.client_id);
        p = put64(p, m->capp.seq);
        p = put32(p, m->capp.len);
        if (m->capp.len)
            return encode_payload(buf, p, end, m->capp.data, m->capp.len);
        break;
    case RAFT_MSG_CLIENT_APPEND_RESP:
        if (!reply_valid(m->cappr.status, m->cappr.leader_hint))
            return 0;
        p = put64(p, m->cappr.client_id);
        p = put64(p, m->cappr.seq);
        p = put8(p, m->cappr.status);
        p = put16(p, (uint16_t)m->cappr.leader_hint);
        p = put64(p, m->cappr.index);
        break;
    case RAFT_MSG_CLIENT_READ:
        p = put64(p, m->cread.client_id);
        p = put64(p, m->cread.seq);
        p = put32(p, m->cread.last_n);
        break;
    default:
        assert(type == RAFT_MSG_CLIENT_READ_RESP);
        if (!reply_valid(m->creadr.status, m->creadr.leader_hint))
            return 0;
        p = put64(p, m->creadr.client_id);
        p = put64(p, m->creadr.seq);
        p = put8(p, m->creadr.status);
        p = put16(p, (uint16_t)m->creadr.leader_hint);
        p = put64(p, m->creadr.read_index);
        p = put64(p, m->creadr.records_total);
        p = put64(p, m->creadr.digest);
        break;
    }
    return encoded(buf, p, end);
}

size_t raft_msg_encode(const raft_msg *m, uint8_t *buf, size_t cap)
{
    assert(m);
    /* Read once: the stores into buf could alias m, so each use of m->type
     * after one would load it again. */
    const unsigned type = m->type;
    if (type == 0 || type >= RAFT_MSG__END || m->from > MSG_ID_MAX || !buf ||
        cap < MSG_HEADER + msg_body_fixed[type])
        return 0;
    const uint8_t *end = buf + cap;
    uint8_t *p = buf;
    p = put8(p, RAFT_WIRE_VERSION);
    p = put8(p, (uint8_t)type);
    p = put16(p, (uint16_t)m->from);
    p = put64(p, m->term);
    if (type >= RAFT_MSG_CLIENT_APPEND)
        return encode_client_body(buf, p, end, m, type);
    return encode_raft_body(buf, p, end, m, type);
}

/* ---- decode ---- */

/* Entries of an AppendEntries; `p` is past the fixed part, `rest` bytes follow. */
static int decode_entries(const uint8_t *p, size_t rest, raft_msg *out, raft_entry *scratch,
                          size_t scratch_cap)
{
    uint32_t n = out->ae.n_entries;
    if (n > RAFT_MAX_BATCH || n > scratch_cap)
        return RAFT_EMSG;
    /* Every entry needs at least its header: reject absurd counts up front
     * (n <= RAFT_MAX_BATCH: the product cannot wrap; no division). */
    if (rest < (size_t)n * MSG_ENTRY_HEADER)
        return RAFT_EMSG;
    for (uint32_t i = 0; i < n; i++) {
        if (rest < MSG_ENTRY_HEADER)
            return RAFT_EMSG;
        raft_entry *e = &scratch[i];
        e->term = get64(p);
        e->type = p[8];
        e->len = get32(p + 9);
        p += MSG_ENTRY_HEADER;
        rest -= MSG_ENTRY_HEADER;
        if (!entry_type_valid(e->type) || e->len > rest)
            return RAFT_EMSG;
        e->data = p;
        p += e->len;
        rest -= e->len;
    }
    if (rest != 0)
        return RAFT_EMSG; /* trailing bytes */
    out->ae.entries = scratch;
    return RAFT_OK;
}

/* Fixed fields of the Raft peer bodies; `ok` collects boolean validity. */
static void decode_raft_fixed(const uint8_t *p, raft_msg *out, bool *ok)
{
    switch (out->type) {
    case RAFT_MSG_REQUEST_VOTE:
        out->rv.last_index = get64(p);
        out->rv.last_term = get64(p + 8);
        out->rv.prevote = get_bool(p + 16, ok);
        out->rv.transfer = get_bool(p + 17, ok);
        break;
    case RAFT_MSG_REQUEST_VOTE_RESP:
        out->rvr.granted = get_bool(p, ok);
        out->rvr.prevote = get_bool(p + 1, ok);
        break;
    case RAFT_MSG_APPEND_ENTRIES:
        out->ae.prev_index = get64(p);
        out->ae.prev_term = get64(p + 8);
        out->ae.leader_commit = get64(p + 16);
        out->ae.seq = get64(p + 24);
        out->ae.n_entries = get32(p + 32);
        break;
    case RAFT_MSG_APPEND_ENTRIES_RESP:
        out->aer.success = get_bool(p, ok);
        out->aer.seq = get64(p + 1);
        out->aer.match_index = get64(p + 9);
        out->aer.conflict_index = get64(p + 17);
        out->aer.conflict_term = get64(p + 25);
        out->aer.last_index = get64(p + 33);
        break;
    case RAFT_MSG_INSTALL_SNAPSHOT:
        out->is.last_index = get64(p);
        out->is.last_term = get64(p + 8);
        out->is.offset = get64(p + 16);
        out->is.total_len = get64(p + 24);
        out->is.done = get_bool(p + 32, ok);
        out->is.len = get32(p + 33);
        break;
    case RAFT_MSG_INSTALL_SNAPSHOT_RESP:
        out->isr.last_index = get64(p);
        out->isr.next_offset = get64(p + 8);
        out->isr.done = get_bool(p + 16, ok);
        break;
    default: break; /* TimeoutNow */
    }
}

static void decode_client_fixed(const uint8_t *p, raft_msg *out, bool *ok)
{
    switch (out->type) {
    case RAFT_MSG_CLIENT_APPEND:
        out->capp.client_id = get64(p);
        out->capp.seq = get64(p + 8);
        out->capp.len = get32(p + 16);
        break;
    case RAFT_MSG_CLIENT_APPEND_RESP:
        out->cappr.client_id = get64(p);
        out->cappr.seq = get64(p + 8);
        out->cappr.status = p[16];
        out->cappr.leader_hint = get16(p + 17);
        out->cappr.index = get64(p + 19);
        *ok &= status_valid(out->cappr.status);
        break;
    case RAFT_MSG_CLIENT_READ:
        out->cread.client_id = get64(p);
        out->cread.seq = get64(p + 8);
        out->cread.last_n = get32(p + 16);
        break;
    default:
        assert(out->type == RAFT_MSG_CLIENT_READ_RESP);
        out->creadr.client_id = get64(p);
        out->creadr.seq = get64(p + 8);
        out->creadr.status = p[16];
        out->creadr.leader_hint = get16(p + 17);
        out->creadr.read_index = get64(p + 19);
        out->creadr.records_total = get64(p + 27);
        out->creadr.digest = get64(p + 35);
        *ok &= status_valid(out->creadr.status);
        break;
    }
}

/* The single variable-length payload of InstallSnapshot / ClientAppend. */
static int decode_payload(const uint8_t *p, size_t rest, uint32_t len, const uint8_t **data)
{
    if ((size_t)len != rest)
        return RAFT_EMSG; /* truncated, or trailing bytes */
    *data = p;
    return RAFT_OK;
}

int raft_msg_decode(const uint8_t *buf, size_t len, raft_msg *out, raft_entry *scratch,
                    size_t scratch_cap)
{
    assert(out);
    if (!buf || len < MSG_HEADER || buf[0] != RAFT_WIRE_VERSION)
        return RAFT_EMSG;
    uint8_t type = buf[1];
    if (type == 0 || type >= RAFT_MSG__END)
        return RAFT_EMSG;
    size_t fixed = msg_body_fixed[type];
    size_t rest = len - MSG_HEADER;
    if (rest < fixed)
        return RAFT_EMSG;
    /* No memset of *out: every field of the type's body is written below
     * (the union's other members are not the message's), and clearing all
     * 64 bytes cost more than a small message's decoding itself. */
    out->type = type;
    out->from = get16(buf + 2);
    out->term = get64(buf + 4);
    const uint8_t *p = buf + MSG_HEADER;
    bool ok = true;
    if (type >= RAFT_MSG_CLIENT_APPEND)
        decode_client_fixed(p, out, &ok);
    else
        decode_raft_fixed(p, out, &ok);
    if (!ok)
        return RAFT_EMSG;
    p += fixed;
    rest -= fixed;
    switch (type) {
    case RAFT_MSG_APPEND_ENTRIES:
        if (out->ae.n_entries > 0 && !scratch)
            return RAFT_EMSG;
        return decode_entries(p, rest, out, scratch, scratch_cap);
    case RAFT_MSG_INSTALL_SNAPSHOT: return decode_payload(p, rest, out->is.len, &out->is.data);
    case RAFT_MSG_CLIENT_APPEND: return decode_payload(p, rest, out->capp.len, &out->capp.data);
    default: return rest == 0 ? RAFT_OK : RAFT_EMSG;
    }
}
