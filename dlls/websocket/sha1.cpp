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

#include "sha1.h"

#include <string.h>

namespace ws {

namespace {

inline uint32_t rotl(uint32_t x, unsigned n)
{
    return (x << n) | (x >> (32 - n));
}

inline uint32_t load_be32(const uint8_t *p)
{
    return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
}

inline void store_be32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

/* FIPS 180-4 section 6.1.2 for one 512-bit block, with the 16-word rolling schedule. */
void compress(uint32_t state[5], const uint8_t block[64])
{
    uint32_t w[16];
    uint32_t a = state[0], b = state[1], c = state[2], d = state[3], e = state[4];

    for (int t = 0; t < 16; t++)
        w[t] = load_be32(block + 4 * t);

    for (int t = 0; t < 80; t++)
    {
        uint32_t f, k;
        if (t >= 16)
            w[t & 15] = rotl(w[(t - 3) & 15] ^ w[(t - 8) & 15] ^ w[(t - 14) & 15] ^ w[t & 15], 1);
        if (t < 20)
        {
            f = (b & c) | (~b & d);
            k = 0x5a827999;
        }
        else if (t < 40)
        {
            f = b ^ c ^ d;
            k = 0x6ed9eba1;
        }
        else if (t < 60)
        {
            f = (b & c) | (b & d) | (c & d);
            k = 0x8f1bbcdc;
        }
        else
        {
            f = b ^ c ^ d;
            k = 0xca62c1d6;
        }
        uint32_t temp = rotl(a, 5) + f + e + k + w[t & 15];
        e = d;
        d = c;
        c = rotl(b, 30);
        b = a;
        a = temp;
    }

    state[0] += a;
    state[1] += b;
    state[2] += c;
    state[3] += d;
    state[4] += e;
}

} /* namespace */

void sha1_context::init()
{
    state_[0] = 0x67452301;
    state_[1] = 0xefcdab89;
    state_[2] = 0x98badcfe;
    state_[3] = 0x10325476;
    state_[4] = 0xc3d2e1f0;
    total_ = 0;
    block_len_ = 0;
}

void sha1_context::update(const void *data, size_t len)
{
    const uint8_t *p = static_cast<const uint8_t *>(data);

    total_ += len;
    if (block_len_)
    {
        size_t take = 64 - block_len_;
        if (take > len)
            take = len;
        memcpy(block_ + block_len_, p, take);
        block_len_ += take;
        p += take;
        len -= take;
        if (block_len_ < 64)
            return;
        compress(state_, block_);
        block_len_ = 0;
    }
    for (; len >= 64; p += 64, len -= 64)
        compress(state_, p);
    if (len)
    {
        memcpy(block_, p, len);
        block_len_ = len;
    }
}

void sha1_context::finish(uint8_t digest[SHA1_DIGEST_SIZE])
{
    uint64_t bits = total_ * 8;

    /* Padding: 0x80, zeros to 56 mod 64, then the 64-bit big-endian bit count. */
    block_[block_len_++] = 0x80;
    if (block_len_ > 56)
    {
        memset(block_ + block_len_, 0, 64 - block_len_);
        compress(state_, block_);
        block_len_ = 0;
    }
    memset(block_ + block_len_, 0, 56 - block_len_);
    store_be32(block_ + 56, (uint32_t)(bits >> 32));
    store_be32(block_ + 60, (uint32_t)bits);
    compress(state_, block_);

    for (int i = 0; i < 5; i++)
        store_be32(digest + 4 * i, state_[i]);
}

void sha1(const void *data, size_t len, uint8_t digest[SHA1_DIGEST_SIZE])
{
    sha1_context ctx;
    ctx.init();
    ctx.update(data, len);
    ctx.finish(digest);
}

} /* namespace ws */
