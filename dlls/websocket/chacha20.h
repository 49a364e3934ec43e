/*
 * ChaCha20 (RFC 8439) as a generator of random bytes from a seed
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

#ifndef WEBSOCKET_CHACHA20_H
#define WEBSOCKET_CHACHA20_H

#include <stddef.h>
#include <stdint.h>

namespace ws {

/* RFC 8439 section 2.3: one 64-byte block of keystream. */
void chacha20_block(const uint32_t key[8], uint32_t counter, const uint32_t nonce[3], uint8_t out[64]);

/* Where a generator takes its seed: the system's CSPRNG, or a test's. */
typedef bool (*seed_source)(void *buf, size_t len);

/*
 * A cryptographically strong generator that asks the system for 32 bytes per
 * MiB it hands out: for systems whose own generator is slow per byte (Wine
 * 8's BCryptGenRandom takes 43 ns a byte).  The keystream of a 256-bit key
 * from the system; after each request the key is replaced by keystream that
 * was never handed out (fast key erasure), so what the state holds now says
 * nothing of the bytes given before.  Not thread-safe: the caller locks.
 */
class chacha20_generator
{
public:
    static constexpr size_t reseed_bytes = size_t(1) << 20;

    explicit constexpr chacha20_generator(seed_source source)
        : source_(source), key_(), until_reseed_(0)
    {
    }
    /* False when the system refused a seed (nothing is then handed out). */
    bool fill(void *buf, size_t len);

private:
    seed_source source_;
    uint32_t key_[8];
    size_t until_reseed_;
};

} /* namespace ws */

#endif /* WEBSOCKET_CHACHA20_H */
