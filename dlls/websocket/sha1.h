/*
 * SHA-1 (FIPS 180-4) for the opening handshake
 *
 * Copyright 2026 The websocket.dll authors
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Lesser General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 *
 * This library is distributed in the hope that it will be useful,
 * but WITHOUT ANY WARRANTY; without even the implied warranty of
 * MERCHANTABILITY or FITNESS FOR A PARTICULAR PURPOSE.  See the GNU
 * Lesser General Public License for more details.
 *
 * You should have received a copy of the GNU Lesser General Public
 * License along with this library; if not, write to the Free Software
 * Foundation, Inc., 51 Franklin St, Fifth Floor, Boston, MA 02110-1301, USA
 */

#ifndef WEBSOCKET_SHA1_H
#define WEBSOCKET_SHA1_H

#include <stddef.h>
#include <stdint.h>

namespace ws {

constexpr size_t SHA1_DIGEST_SIZE = 20;

/* FIPS 180-4 SHA-1, only for Sec-WebSocket-Accept (not for security).
 * Plain data: call init() before use. */
struct sha1_context
{
    void init();
    void update(const void *data, size_t len);
    /* Writes the digest; the context must be init()ed again before reuse. */
    void finish(uint8_t digest[SHA1_DIGEST_SIZE]);

    uint32_t state_[5];
    uint64_t total_;        /* bytes hashed so far */
    uint8_t block_[64];
    size_t block_len_;      /* bytes waiting in block_ */
};

void sha1(const void *data, size_t len, uint8_t digest[SHA1_DIGEST_SIZE]);

} /* namespace ws */

#endif /* WEBSOCKET_SHA1_H */
