/* crc32c.h — CRC-32C (Castagnoli), the checksum of every stored record.
 * Plain table-driven software implementation; crc32c(0, "123456789", 9)
 * is 0xE3069283. Chain calls by passing the previous result as `crc`. */
#ifndef RAFTD_CRC32C_H
#define RAFTD_CRC32C_H

#include <stddef.h>
#include <stdint.h>

uint32_t crc32c(uint32_t crc, const void *data, size_t len);

#endif
