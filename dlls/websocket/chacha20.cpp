/*
 * ChaCha20 (RFC 8439): the block function, for random bytes from a seed
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

#include "chacha20.h"

#include <string.h>

#ifdef __SSE2__
#include <emmintrin.h>
#endif

namespace ws {

namespace {

#ifdef __SSE2__

template <int n>
inline __m128i rotate(__m128i v)
{
    return _mm_or_si128(_mm_slli_epi32(v, n), _mm_srli_epi32(v, 32 - n));
}

/* Four quarter rounds, one per column. */
inline void quarter_rows(__m128i &a, __m128i &b, __m128i &c, __m128i &d)
{
    a = _mm_add_epi32(a, b); d = rotate<16>(_mm_xor_si128(d, a));
    c = _mm_add_epi32(c, d); b = rotate<12>(_mm_xor_si128(b, c));
    a = _mm_add_epi32(a, b); d = rotate<8>(_mm_xor_si128(d, a));
    c = _mm_add_epi32(c, d); b = rotate<7>(_mm_xor_si128(b, c));
}

#else

inline uint32_t rotate(uint32_t v, int n)
{
    return (v << n) | (v >> (32 - n));
}

inline void quarter_round(uint32_t *x, int a, int b, int c, int d)
{
    x[a] += x[b]; x[d] = rotate(x[d] ^ x[a], 16);
    x[c] += x[d]; x[b] = rotate(x[b] ^ x[c], 12);
    x[a] += x[b]; x[d] = rotate(x[d] ^ x[a], 8);
    x[c] += x[d]; x[b] = rotate(x[b] ^ x[c], 7);
}

void store_le(uint8_t *p, uint32_t v)
{
    p[0] = uint8_t(v);
    p[1] = uint8_t(v >> 8);
    p[2] = uint8_t(v >> 16);
    p[3] = uint8_t(v >> 24);
}

#endif

} /* namespace */

#ifdef __SSE2__

/* The state's four rows in four vectors: a column round is four quarter
 * rounds at once, and rotating rows b, c and d by one, two and three lanes
 * lines the diagonals up as columns.  About a quarter of the scalar
 * version's instructions (one block per 16 client frames). */
void chacha20_block(const uint32_t key[8], uint32_t counter, const uint32_t nonce[3], uint8_t out[64])
{
    const __m128i a0 = _mm_setr_epi32(0x61707865, 0x3320646e, 0x79622d32, 0x6b206574);
    const __m128i b0 = _mm_loadu_si128(reinterpret_cast<const __m128i *>(key));
    const __m128i c0 = _mm_loadu_si128(reinterpret_cast<const __m128i *>(key + 4));
    const __m128i d0 = _mm_setr_epi32(int(counter), int(nonce[0]), int(nonce[1]), int(nonce[2]));
    __m128i a = a0, b = b0, c = c0, d = d0;
    for (int i = 0; i < 10; i++)
    {
        quarter_rows(a, b, c, d);
        b = _mm_shuffle_epi32(b, _MM_SHUFFLE(0, 3, 2, 1));
        c = _mm_shuffle_epi32(c, _MM_SHUFFLE(1, 0, 3, 2));
        d = _mm_shuffle_epi32(d, _MM_SHUFFLE(2, 1, 0, 3));
        quarter_rows(a, b, c, d);
        b = _mm_shuffle_epi32(b, _MM_SHUFFLE(2, 1, 0, 3));
        c = _mm_shuffle_epi32(c, _MM_SHUFFLE(1, 0, 3, 2));
        d = _mm_shuffle_epi32(d, _MM_SHUFFLE(0, 3, 2, 1));
    }
    /* x86 is little-endian: the vectors are the serialised block. */
    _mm_storeu_si128(reinterpret_cast<__m128i *>(out), _mm_add_epi32(a, a0));
    _mm_storeu_si128(reinterpret_cast<__m128i *>(out + 16), _mm_add_epi32(b, b0));
    _mm_storeu_si128(reinterpret_cast<__m128i *>(out + 32), _mm_add_epi32(c, c0));
    _mm_storeu_si128(reinterpret_cast<__m128i *>(out + 48), _mm_add_epi32(d, d0));
}

#else

void chacha20_block(const uint32_t key[8], uint32_t counter, const uint32_t nonce[3], uint8_t out[64])
{
    uint32_t state[16] = { 0x61707865, 0x3320646e, 0x79622d32, 0x6b206574 };
    memcpy(state + 4, key, 32);
    state[12] = counter;
    memcpy(state + 13, nonce, 12);
    uint32_t x[16];
    memcpy(x, state, sizeof(x));
    for (int i = 0; i < 10; i++)
    {
        quarter_round(x, 0, 4, 8, 12);
        quarter_round(x, 1, 5, 9, 13);
        quarter_round(x, 2, 6, 10, 14);
        quarter_round(x, 3, 7, 11, 15);
        quarter_round(x, 0, 5, 10, 15);
        quarter_round(x, 1, 6, 11, 12);
        quarter_round(x, 2, 7, 8, 13);
        quarter_round(x, 3, 4, 9, 14);
    }
    for (int i = 0; i < 16; i++)
        store_le(out + 4 * i, x[i] + state[i]);
}

#endif

} /* namespace ws */
