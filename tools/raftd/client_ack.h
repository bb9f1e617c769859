/* client_ack.h — the index an APPEND acknowledges for each of its records:
 * where that record is stored in the log buffer, whichever copy of it was
 * applied (thesis §6.3: a retried command is answered, not re-executed).
 *
 * The log buffer's session keeps only the newest (seq, index) per client, so
 * a duplicate of an OLDER seq is reported with the newest's index
 * (logbuf_result.index): that is not where this record is. A retried request
 * carries several seqs, so after a leader change its first records are such
 * duplicates; their index is found in the buffer instead. */
#ifndef RAFTD_CLIENT_ACK_H
#define RAFTD_CLIENT_ACK_H

#include <stdint.h>

#include "../../core/logbuf.h"

/* The index to acknowledge for record (client, seq) whose copy at `index`
 * was just applied with result `res`: `index` if it was stored there; the
 * stored copy's index if the session says so; 0 when only a scan can tell
 * (fill those with ack_lookup_stored). */
uint64_t ack_index(const logbuf *lb, uint64_t client, uint64_t seq, uint64_t index,
                   const logbuf_result *res);

/* Fill index[k] == 0 of records first_seq + k (k < count) that the session
 * has applied already with where they are stored: one scan of the buffer,
 * only if some is missing. A record evicted from the buffer stays 0. */
void ack_lookup_stored(const logbuf *lb, uint64_t client, uint64_t first_seq, uint32_t count,
                       uint64_t *index);

#endif
