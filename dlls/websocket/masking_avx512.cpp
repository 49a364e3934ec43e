/*
 * Masking kernel: AVX-512
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

#include <immintrin.h>

#include "masking_simd.h"
#include "simd_kernels.h"

namespace ws {
namespace {

struct vec_128
{
    typedef __m128i type;
    static constexpr size_t width = 16;
    static type loadu(const uint8_t *p) { return _mm_loadu_si128((const __m128i *)p); }
    static void storeu(uint8_t *p, type v) { _mm_storeu_si128((__m128i *)p, v); }
    static type splat(uint32_t k) { return _mm_set1_epi32((int)k); }
    static type xor_(type a, type b) { return _mm_xor_si128(a, b); }
};

struct vec_256
{
    typedef __m256i type;
    static constexpr size_t width = 32;
    static type loadu(const uint8_t *p) { return _mm256_loadu_si256((const __m256i *)p); }
    static void storeu(uint8_t *p, type v) { _mm256_storeu_si256((__m256i *)p, v); }
    static type splat(uint32_t k) { return _mm256_set1_epi32((int)k); }
    static type xor_(type a, type b) { return _mm256_xor_si256(a, b); }
};

struct vec_512
{
    typedef __m512i type;
    static constexpr size_t width = 64;
    static type loadu(const uint8_t *p) { return _mm512_loadu_si512((const void *)p); }
    static void storeu(uint8_t *p, type v) { _mm512_storeu_si512((void *)p, v); }
    static type splat(uint32_t k) { return _mm512_set1_epi32((int)k); }
    static type xor_(type a, type b) { return _mm512_xor_si512(a, b); }
};

/* Up to 128 bytes: two overlapping vectors of the narrowest width that
 * covers the length; masked stores would be shorter code but are slow on
 * some cores for tiny sizes. */
WS_MASK_INLINE void mask_upto128(uint8_t *dst, const uint8_t *src, size_t len, uint32_t k)
{
    if (len < 16)
        mask_small(dst, src, len, k);
    else if (len <= 32)
        mask_pair<vec_128>(dst, src, len, k);
    else if (len <= 64)
        mask_pair<vec_256>(dst, src, len, k);
    else
        mask_pair<vec_512>(dst, src, len, k);
}

/* len > 128, in place (dst == src) or not.  AVX-512 can mask a load and a
 * store to any bytes of a line, so the unaligned head and tail each take one
 * in-line store instead of line-splitting vectors overlapping their
 * neighbours: every store lands in exactly one cache line, and no byte is
 * read after it was written, which keeps in place right. */
inline void mask_lines(uint8_t *dst, const uint8_t *src, size_t len, uint32_t key)
{
    size_t i = (0 - (uintptr_t)dst) & 63;
    __m512i k = _mm512_set1_epi32((int)mask_rotate(key, i));
    if (i)
    {
        __mmask64 head = _cvtu64_mask64((1ull << i) - 1);
        __m512i v = _mm512_maskz_loadu_epi8(head, src);
        _mm512_mask_storeu_epi8(dst, head, _mm512_xor_si512(v, _mm512_set1_epi32((int)key)));
    }
    /* dst + i is aligned from here on; src + i need not be. */
    for (; i + 256 <= len; i += 256)
    {
        __m512i a = _mm512_loadu_si512(src + i);
        __m512i b = _mm512_loadu_si512(src + i + 64);
        __m512i c = _mm512_loadu_si512(src + i + 128);
        __m512i d = _mm512_loadu_si512(src + i + 192);
        _mm512_store_si512(dst + i, _mm512_xor_si512(a, k));
        _mm512_store_si512(dst + i + 64, _mm512_xor_si512(b, k));
        _mm512_store_si512(dst + i + 128, _mm512_xor_si512(c, k));
        _mm512_store_si512(dst + i + 192, _mm512_xor_si512(d, k));
    }
    for (; i + 64 <= len; i += 64)
        _mm512_store_si512(dst + i, _mm512_xor_si512(_mm512_loadu_si512(src + i), k));
    if (i < len)
    {
        __mmask64 tail = _cvtu64_mask64((1ull << (len - i)) - 1);
        __m512i v = _mm512_maskz_loadu_epi8(tail, src + i);
        _mm512_mask_storeu_epi8(dst + i, tail, _mm512_xor_si512(v, k));
    }
}

} /* namespace */

WS_EXPORT_CALLEE size_t mask_copy_avx512(uint8_t *dst, const uint8_t *src, size_t len, const uint8_t *key, size_t phase)
{
    uint32_t k = mask_key_word(key, phase);
    if (len <= 128)
        mask_upto128(dst, src, len, k);
    else
        mask_lines(dst, src, len, k);
    return (phase + len) & 3;
}

WS_EXPORT_CALLEE size_t mask_in_place_avx512(uint8_t *data, size_t len, const uint8_t *key, size_t phase)
{
    uint32_t k = mask_key_word(key, phase);
    if (len <= 128)
        mask_upto128(data, data, len, k);
    else
        mask_lines(data, data, len, k);
    return (phase + len) & 3;
}

} /* namespace ws */
