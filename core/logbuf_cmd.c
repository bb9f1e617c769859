/* logbuf_cmd.c — the log buffer's command codec: (client id, sequence
 * number, timestamp, payload) in the bytes a client proposes (logbuf.h). */
#include <assert.h>
#include <string.h>

#include "logbuf_internal.h"

size_t logbuf_cmd_size(uint32_t payload_len) { return LOGBUF_CMD_HEADER + (size_t)payload_len; }

size_t logbuf_cmd_encode(uint8_t *buf, size_t cap, uint64_t client_id, uint64_t seq,
                         uint64_t timestamp_ns, const void *payload, uint32_t len)
{
    size_t size = logbuf_cmd_size(len);
    if (!buf || cap < size || (len > 0 && !payload))
        return 0;
    uint8_t *p = lb_put64(buf, client_id);
    p = lb_put64(p, seq);
    p = lb_put64(p, timestamp_ns);
    p = lb_put32(p, len);
    if (len)
        memcpy(p, payload, len);
    return size;
}


bool logbuf_cmd_decode(const uint8_t *cmd, size_t len, logbuf_record *out)
{
    assert(out);
    return lb_cmd_decode(cmd, len, out);
}
