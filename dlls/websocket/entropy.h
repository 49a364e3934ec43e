/*
 * Entropy: system CSPRNG and per-handle random pool
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

#ifndef WEBSOCKET_ENTROPY_H
#define WEBSOCKET_ENTROPY_H

#include <stddef.h>
#include <string.h>
#include <stdint.h>

#include "callee_abi.h"

namespace ws {

/* Fill buf with len bytes from the operating system's CSPRNG
 * (BCryptGenRandom on Windows/Wine, getrandom() on Linux).  False when the
 * system refuses: callers must fail, never fall back to a weak value. */
bool system_random(void *buf, size_t len);

/* Where a pool takes its seed; tests substitute their own. */
typedef bool (*random_source)(void *buf, size_t len);

/*
 * Per-handle randomness (mask keys, client keys): the ChaCha20 keystream
 * (RFC 8439) of a 256-bit key drawn from the system, which is asked again
 * every RANDOM_RESEED_BYTES.  A system call per pool of keys was a tenth
 * of a small client message's time natively (a syscall is dear in a VM),
 * and Wine 8's BCryptGenRandom costs 43 ns a byte.  Mask keys must be
 * unpredictable to whoever chooses the payload (RFC 6455 section 10.3);
 * a CSPRNG seeded from the system is what the system itself gives.  Plain
 * data: call reset() before use.  Not thread-safe; it lives under the
 * handle's lock.
 */
constexpr size_t RANDOM_POOL_SIZE = 64;             /* one ChaCha20 block: 16 mask keys */
constexpr size_t RANDOM_RESEED_BYTES = 65536;       /* a seed serves 16384 mask keys */

struct random_pool
{
    /* Empty, unseeded: the next draw takes a seed from source. */
    void reset(random_source source = system_random);
    /* len bytes; false if a seed was refused (out is then unspecified and
     * the pool stays empty, so the next call asks the system again). */
    WS_EXPORT_CALLEE bool bytes(void *out, size_t len);
    bool next_mask_key(uint8_t key[4])
    {
        /* Inline while the pool has four bytes: one per client frame. */
        if (RANDOM_POOL_SIZE - pos_ < 4)
            return bytes(key, 4);
        memcpy(key, buf_ + pos_, 4);
        pos_ += 4;
        return true;
    }
    /* Unused bytes left before the next block. */
    size_t available() const { return RANDOM_POOL_SIZE - pos_; }

    random_source source_;
    uint32_t key_[8];
    uint64_t block_;                  /* the next block's number under key_ */
    size_t until_reseed_;             /* bytes key_ may still give */
    size_t pos_;                      /* first unused byte of buf_ */
    uint8_t buf_[RANDOM_POOL_SIZE];
};

} /* namespace ws */

#endif /* WEBSOCKET_ENTROPY_H */
