/* client_proto.c — encoding and validation of client frames (client_proto.h). */
#include "client_proto.h"

#include <string.h>

const char *cp_op_name(int op)
{
    static const char *names[] = {"?", "append", "query", "status", "dump", "transfer", "fault"};
    return op > 0 && op < CP__END ? names[op] : "?";
}

const char *cp_status_name(int status)
{
    static const char *names[] = {"ok", "not the leader", "retry", "error"};
    return status >= 0 && status <= CP_ERROR ? names[status] : "?";
}

bool cp_next_record(brd *recs, const uint8_t **data, uint32_t *len)
{
    *len = brd_u32(recs);
    *data = brd_bytes(recs, *len);
    return !recs->err && *len <= CP_MAX_RECORD;
}

static bool decode_append(brd *r, cp_request *out)
{
    out->append.client_id = brd_u64(r);
    out->append.first_seq = brd_u64(r);
    out->append.count = brd_u32(r);
    if (r->err || out->append.client_id == 0 || out->append.first_seq == 0 ||
        out->append.count == 0 || out->append.count > CP_MAX_BATCH)
        return false;
    if (out->append.first_seq > UINT64_MAX - out->append.count)
        return false;
    brd recs = brd_make(r->p + r->pos, r->len - r->pos);
    out->append.recs = recs;
    for (uint32_t i = 0; i < out->append.count; i++) {
        const uint8_t *d;
        uint32_t n;
        if (!cp_next_record(&recs, &d, &n))
            return false;
    }
    r->pos += recs.pos;
    return true;
}

bool cp_decode_request(const uint8_t *p, size_t len, cp_request *out)
{
    brd r = brd_make(p, len);
    memset(out, 0, sizeof *out);
    out->op = brd_u8(&r);
    out->req_id = brd_u64(&r);
    switch (out->op) {
    case CP_APPEND:
        if (!decode_append(&r, out))
            return false;
        break;
    case CP_QUERY:
        out->query.mode = brd_u8(&r);
        out->query.a = brd_u64(&r);
        out->query.b = brd_u64(&r);
        if (out->query.mode > CP_Q_TIME)
            return false;
        break;
    case CP_STATUS:
    case CP_DUMP:
        break;
    case CP_TRANSFER:
        out->transfer.target = brd_u32(&r);
        break;
    case CP_FAULT:
        out->fault.drop_in = brd_u64(&r);
        out->fault.drop_out = brd_u64(&r);
        break;
    default:
        return false;
    }
    return brd_done(&r);
}

bool cp_decode_response(const uint8_t *p, size_t len, cp_response *out)
{
    brd r = brd_make(p, len);
    out->op = brd_u8(&r);
    out->req_id = brd_u64(&r);
    out->status = brd_u8(&r);
    out->leader_hint = brd_u32(&r);
    if (r.err || out->op == 0 || out->op >= CP__END || out->status > CP_ERROR)
        return false;
    out->body = brd_make(p + r.pos, len - r.pos);
    return true;
}

void cp_request_head(bbuf *b, uint8_t op, uint64_t req_id)
{
    bbuf_u8(b, op);
    bbuf_u64(b, req_id);
}

void cp_response_head(bbuf *b, uint8_t op, uint64_t req_id, uint8_t status, uint32_t hint)
{
    bbuf_u8(b, op);
    bbuf_u64(b, req_id);
    bbuf_u8(b, status);
    bbuf_u32(b, hint);
}

void cp_put_record(bbuf *b, const void *data, uint32_t len)
{
    bbuf_u32(b, len);
    bbuf_put(b, data, len);
}

void cp_put_text(bbuf *b, const char *text, size_t len)
{
    bbuf_u32(b, (uint32_t)len);
    bbuf_put(b, text, len);
}

bool cp_get_text(brd *r, const char **text, size_t *len)
{
    uint32_t n = brd_u32(r);
    *text = (const char *)brd_bytes(r, n);
    *len = n;
    return !r->err;
}
